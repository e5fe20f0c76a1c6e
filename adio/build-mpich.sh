#!/bin/bash
# build-mpich.sh - build MPICH 4.0.2 (the version Debian 12 ships) with the
# pfs ROMIO driver, into a prefix, keeping the build tree so that later
# runs redo only what changed.
#
#   adio/build-mpich.sh [--source TARBALL] [--work DIR] [--prefix DIR]
#
# Defaults: source from `apt-get source mpich` (a deb-src entry is added
# if missing), work tree /var/tmp/pfs-mpich, prefix WORK/install.
# Steps, each skipped when already done:
#   1. pfs itself is built (WORK/pfs-build) and installed into the prefix:
#      libpio.so, the tools, and libpio_coll_embed.a (the collective
#      engine, linked into libmpi).
#   2. adio/romio-pfs.patch registers the driver in ROMIO and adio/ad_pfs/
#      (with adio/shared/) is copied into ROMIO; ROMIO's configure is
#      regenerated.
#   3. MPICH is configured (ch3:nemesis, file systems ufs+nfs+testfs+pfs),
#      built and installed.
# The result's libmpi.so.12 is ABI-compatible with Debian's libmpich.so.12
# (same version, same ABI); the prefix also provides the Debian name, so
# binaries built against Debian's MPICH get pfs: with
#   LD_LIBRARY_PATH=PREFIX/lib
set -eu
ADIO=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$ADIO")
# shellcheck source=../scripts/common.sh
. "$TOP/scripts/common.sh"
WORK=/var/tmp/pfs-mpich
SOURCE=""
PREFIX=""
build_tree_options build-mpich.sh 2,22 "$@"
SRC=$WORK/mpich-4.0.2
ROMIO=$SRC/src/mpi/romio
BUILD=$WORK/build
JOBS=$(nproc 2>/dev/null || echo 2)
say() { printf '==> build-mpich: %s\n' "$*"; }
mkdir -p "$WORK"

# ---- the MPICH source -------------------------------------------------------
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
[ -d "$ROMIO" ] || { echo "build-mpich.sh: no MPICH 4.0.2 source in $SRC" >&2; exit 1; }

# ---- 1. pfs into the prefix ---------------------------------------------------
if [ ! -x "$TOP/configure" ] || [ "$TOP/configure.ac" -nt "$TOP/configure" ]; then
    (cd "$TOP" && autoreconf -fi)
fi
mkdir -p "$WORK/pfs-build"
# a new source tree (another clone) or prefix starts from an empty build
# directory: its dependency files name the old tree's headers
if [ "$(cat "$WORK/pfs-build/.pfs-source" 2>/dev/null)" != "$TOP $PREFIX" ]; then
    rm -rf "$WORK/pfs-build"
    mkdir -p "$WORK/pfs-build"
fi
if [ ! -f "$WORK/pfs-build/Makefile" ] || [ "$TOP/configure" -nt "$WORK/pfs-build/Makefile" ]; then
    say "configure pfs (source $TOP) for $PREFIX"
    (cd "$WORK/pfs-build" && "$TOP/configure" --prefix="$PREFIX" >configure.log 2>&1) ||
        { tail -30 "$WORK/pfs-build/configure.log"; exit 1; }
    echo "$TOP $PREFIX" >"$WORK/pfs-build/.pfs-source"
fi
say "build and install pfs"
make -C "$WORK/pfs-build" -j"$JOBS" >"$WORK/pfs-build/make.log" 2>&1 ||
    { tail -40 "$WORK/pfs-build/make.log"; exit 1; }
make -C "$WORK/pfs-build" install >"$WORK/pfs-build/install.log" 2>&1 ||
    { tail -20 "$WORK/pfs-build/install.log"; exit 1; }

# ---- 2. the driver into ROMIO ---------------------------------------------------
# The patch applied last is kept in ROMIO; a changed patch is first
# reverted, then the new one applied.
APPLIED=$ROMIO/.pfs-romio.patch
regen=0
if ! cmp -s "$ADIO/romio-pfs.patch" "$APPLIED"; then
    if [ -f "$APPLIED" ]; then
        say "reverting the previous ROMIO patch"
        (cd "$WORK" && patch -s -p1 -R <"$APPLIED")
    fi
    say "patching ROMIO (adio/romio-pfs.patch)"
    (cd "$WORK" && patch -s -p1 --dry-run <"$ADIO/romio-pfs.patch" >/dev/null &&
        patch -s -p1 <"$ADIO/romio-pfs.patch")
    cp "$ADIO/romio-pfs.patch" "$APPLIED"
    regen=1
fi
# adio/shared/ holds what the driver shares with the OMPIO components:
# it is compiled as part of the driver
mkdir -p "$ROMIO/adio/ad_pfs"
for f in "$ADIO"/ad_pfs/* "$ADIO"/shared/*; do
    cmp -s "$f" "$ROMIO/adio/ad_pfs/${f##*/}" || cp "$f" "$ROMIO/adio/ad_pfs/"
done
if [ "$regen" = 1 ] || [ ! -f "$ROMIO/.pfs-autoreconf" ] ||
   [ "$ROMIO/adio/ad_pfs/Makefile.mk" -nt "$ROMIO/.pfs-autoreconf" ]; then
    say "regenerating ROMIO's configure (autoreconf)"
    (cd "$ROMIO" && autoreconf -if -I confdb >"$WORK/romio-autoreconf.log" 2>&1) ||
        { tail -30 "$WORK/romio-autoreconf.log"; exit 1; }
    touch "$ROMIO/.pfs-autoreconf"
fi

# ---- 3. MPICH -------------------------------------------------------------------
# As Debian builds it (debian/rules), except the device: ch3:nemesis
# builds in about half the time of ch4 and keeps the ABI.  Like Debian:
# --without-yaksa (MPICH's older datatype engine; with yaksa, 4.0.2 packs
# some darray types differently from Debian's library, which broke a
# Debian-built program), and Fortran, so that Fortran datatype handles
# (MPI_REAL, MPI_INTEGER, ...) passed by Debian-built programs exist.
CONFIG_ARGS="--prefix=$PREFIX --with-device=ch3:nemesis --without-yaksa
    --enable-fortran=all --disable-cxx
    --enable-romio --with-file-system=ufs+nfs+testfs+pfs --with-pfs=$PREFIX"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f Makefile ] || [ "$(cat .pfs-config-args 2>/dev/null)" != "$CONFIG_ARGS" ] ||
   [ "$ROMIO/configure" -nt src/mpi/romio/config.status ]; then
    say "configure MPICH (a few minutes)"
    # shellcheck disable=SC2086
    "$SRC"/configure $CONFIG_ARGS FFLAGS=-fallow-argument-mismatch \
        FCFLAGS=-fallow-argument-mismatch >configure.log 2>&1 ||
        { tail -30 configure.log; exit 1; }
    echo "$CONFIG_ARGS" >.pfs-config-args
fi
say "make MPICH (the first build takes about 20 minutes)"
# libmpi links libpio's collective engine (libpio_coll_embed.a) from the
# prefix, but no make rule depends on it: a changed engine would not be
# relinked.  Drop libmpi.la when the archive's content changed since the
# last link (content, not mtime: make install rewrites it every time).
EMBED_SUM=$(sha1sum "$PREFIX/lib/libpio_coll_embed.a" | cut -d' ' -f1)
if [ -f lib/libmpi.la ] && [ "$(cat .pfs-coll-embed.sum 2>/dev/null)" != "$EMBED_SUM" ]; then
    say "libpio's collective engine changed: relinking libmpi"
    rm -f lib/libmpi.la
fi
make -j"$JOBS" >make.log 2>&1 || { grep -B2 -A8 'error' make.log | tail -60; exit 1; }
make install >install.log 2>&1 || { tail -20 install.log; exit 1; }
echo "$EMBED_SUM" >.pfs-coll-embed.sum
# Debian's binaries ask for libmpich.so.12 (and libmpichfort.so.12)
ln -sf libmpi.so.12 "$PREFIX/lib/libmpich.so.12"
ln -sf libmpifort.so.12 "$PREFIX/lib/libmpichfort.so.12"
grep -q 'define ROMIO_PFS 1' src/mpi/romio/adio/include/romioconf.h ||
    { echo "build-mpich.sh: ROMIO was configured without pfs (see $BUILD/configure.log)" >&2; exit 1; }
say "MPICH with pfs: installed in $PREFIX (build tree $BUILD)"
