#!/bin/bash
# build-mpich.sh - build MPICH 4.0.2 (the version Debian 12 ships) from
# Debian's source package or a tarball, into a prefix, keeping the build
# tree so that later rebuilds only redo what changed.
#
#   adio/build-mpich.sh [--source TARBALL] [--work DIR] [--prefix DIR]
#
# Defaults: source from `apt-get source mpich` (a deb-src entry is added
# if missing), work tree /var/tmp/pfs-mpich, prefix WORK/install.
# The result's libmpi.so.12 is ABI-compatible with Debian's libmpich.so.12
# (same version, same ABI); the install also provides the Debian name.
#
# Status: builds MPICH without the pfs ROMIO driver.  The driver
# (adio/ad_pfs, issue "The ROMIO driver") will be added to the ROMIO tree
# here before configuring; see adio/README.md.
set -eu
WORK=/var/tmp/pfs-mpich
SOURCE=""
PREFIX=""
while [ $# -gt 0 ]; do
    case $1 in
    --source) SOURCE=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build-mpich.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
PREFIX=${PREFIX:-$WORK/install}
SRC=$WORK/mpich-4.0.2
BUILD=$WORK/build
mkdir -p "$WORK"

if [ ! -d "$SRC" ]; then
    if [ -n "$SOURCE" ]; then
        tar -C "$WORK" -xf "$SOURCE"
    else
        if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
            cat >/etc/apt/sources.list.d/pfs-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
            apt-get update -q
        fi
        (cd "$WORK" && apt-get source -q --download-only mpich)
        tar -C "$WORK" -xf "$WORK"/mpich_4.0.2.orig.tar.xz
    fi
fi
[ -d "$SRC" ] || { echo "build-mpich.sh: no MPICH 4.0.2 source in $SRC" >&2; exit 1; }

mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f Makefile ]; then
    # ch3:nemesis builds in about half the time of ch4:ucx and keeps the
    # ABI; Fortran and C++ bindings are not needed by pfs or HDF5's C API.
    "$SRC"/configure --prefix="$PREFIX" --with-device=ch3:nemesis \
        --disable-fortran --disable-cxx --enable-romio \
        --with-file-system=ufs+nfs+testfs >configure.log 2>&1 ||
        { tail -30 configure.log; exit 1; }
fi
make -j"$(nproc)" >make.log 2>&1 || { tail -40 make.log; exit 1; }
make install >install.log 2>&1 || { tail -20 install.log; exit 1; }
# Debian's binaries ask for libmpich.so.12
ln -sf libmpi.so.12 "$PREFIX/lib/libmpich.so.12"
echo "MPICH installed in $PREFIX (build tree $BUILD)"
