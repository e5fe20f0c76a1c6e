#!/bin/bash
# build-hdf5.sh - build HDF5 1.14.5 (Debian trixie's source package) with
# --enable-parallel against the MPICH of adio/build-mpich.sh, into a
# prefix, keeping the build tree so that later runs redo only what changed.
# pfs's HDF5 driver is loaded into it as a plugin (HDF5_DRIVER=pfs).
#
#   h5fd/build-hdf5.sh [--source TARBALL] [--work DIR] [--prefix DIR]
#                      [--mpich PREFIX]
#
# Defaults: the source from `apt-get source hdf5` through a private apt
# configuration in WORK/apt (a deb-src line for trixie; the system's apt
# sources are not touched), work tree /var/tmp/pfs-hdf5, prefix
# WORK/install, MPICH /var/tmp/pfs-mpich/install.  --source names an
# hdf5-1.14.5 tarball instead (HDF Group's or Debian's .orig.tar.gz).
# Steps, each skipped when already done:
#   1. the source is fetched and unpacked (Debian's patches are about its
#      packaging: flavour names, rpath, Java, Fortran; not applied);
#   2. configured (parallel, shared, no Fortran/C++/Java/high-level
#      library) with the MPICH's mpicc;
#   3. the library, the tools and the test programs pfs runs (test/vfd and
#      testpar/, HDF5's parallel tests: tests/integration/hdf5_testpar.sh)
#      are built, and the library, tools and h5pcc installed.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=${PFS_HDF5_WORK:-/var/tmp/pfs-hdf5}
MPICH=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
# shellcheck source=../scripts/common.sh
. "$TOP/scripts/common.sh"
SOURCE=""
PREFIX=""
build_tree_options build-hdf5.sh 2,22 "$@"
VERSION=1.14.5
SRC=$WORK/hdf5-$VERSION
BUILD=$WORK/build
JOBS=$(nproc 2>/dev/null || echo 2)
say() { printf '==> build-hdf5: %s\n' "$*"; }
mkdir -p "$WORK"

[ -x "$MPICH/bin/mpicc" ] ||
    { echo "build-hdf5.sh: no MPICH in $MPICH (run adio/build-mpich.sh first)" >&2; exit 1; }

# ---- 1. the source ------------------------------------------------------------
if [ ! -f "$SRC/configure" ]; then
    if [ -z "$SOURCE" ]; then
        # a private apt configuration: the system's sources stay as they are
        apt_dir=$WORK/apt
        mkdir -p "$apt_dir/lists/partial"
        mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
        [ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*debian\)\/* .*/\1/p' \
            /etc/apt/sources.list 2>/dev/null | head -1)
        echo "deb-src ${mirror:-http://deb.debian.org/debian} trixie main" >"$apt_dir/sources.list"
        apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists=$apt_dir/lists"
        if ! ls "$WORK"/hdf5_${VERSION}*.orig.tar.* >/dev/null 2>&1; then
            say "fetching Debian trixie's hdf5 source package"
            # shellcheck disable=SC2086
            apt-get -q $apt_opts update
            # trixie's hdf5 source must be a 1.14.5 (say which one it is
            # otherwise: --source names a tarball then)
            # shellcheck disable=SC2086
            have=$(apt-cache $apt_opts showsrc hdf5 | sed -n 's/^Version: //p' | head -1)
            case $have in
            "$VERSION"*) ;;
            *) echo "build-hdf5.sh: trixie's hdf5 source is version '${have:-none}'," \
                    "not $VERSION: pass --source hdf5-$VERSION.tar.gz" >&2
               exit 1 ;;
            esac
            # shellcheck disable=SC2086
            (cd "$WORK" && apt-get -q $apt_opts source --download-only "hdf5=$have")
        fi
        SOURCE=$(ls "$WORK"/hdf5_${VERSION}*.orig.tar.* | head -1)
    fi
    say "unpacking $SOURCE"
    rm -rf "$SRC" "$WORK/unpack"
    mkdir -p "$WORK/unpack"
    tar -C "$WORK/unpack" -xf "$SOURCE"
    mv "$WORK"/unpack/hdf5-* "$SRC"
    rmdir "$WORK/unpack"
fi
[ -f "$SRC/src/H5FDdevelop.h" ] ||
    { echo "build-hdf5.sh: $SRC is not HDF5 1.14 (no H5FDdevelop.h)" >&2; exit 1; }

# ---- 2. configure -----------------------------------------------------------------
CONFIG_ARGS="--prefix=$PREFIX --enable-parallel --enable-shared --disable-static
    --disable-fortran --disable-cxx --disable-java --disable-hl
    --enable-build-mode=production --with-zlib --disable-doxygen-doc"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f Makefile ] || [ "$(cat .pfs-config-args 2>/dev/null)" != "$CONFIG_ARGS $MPICH" ]; then
    say "configure HDF5 $VERSION (parallel, $MPICH/bin/mpicc)"
    # shellcheck disable=SC2086
    CC=$MPICH/bin/mpicc "$SRC"/configure $CONFIG_ARGS >configure.log 2>&1 ||
        { tail -30 configure.log; exit 1; }
    echo "$CONFIG_ARGS $MPICH" >.pfs-config-args
fi

# ---- 3. build and install -------------------------------------------------------
say "make HDF5 (library, tools, test/vfd, the parallel tests)"
# HDF5's own parallel tests that tests/integration/hdf5_testpar.sh runs
TESTPAR="t_mpi testphdf5 t_shapesame t_filters_parallel t_pflush1 t_pflush2 t_pread
    t_pmulti_dset t_select_io_dset t_prestart t_pshutdown t_init_term t_vfd t_cache
    t_cache_image t_bigio t_2Gio"
# only the tools themselves (tools/src), not their test programs
{
    make -j"$JOBS" -C src &&
        make -j"$JOBS" -C test libh5test.la vfd &&
        make -j"$JOBS" -C testpar $TESTPAR &&
        make -j"$JOBS" -C tools/lib &&
        make -j"$JOBS" -C tools/src &&
        make -j"$JOBS" -C bin
} >make.log 2>&1 || { grep -i -B2 -A8 'error' make.log | tail -60; exit 1; }
{
    make -C src install && make -C tools/src install && make -C bin install
} >install.log 2>&1 || { tail -20 install.log; exit 1; }
[ -x "$PREFIX/bin/h5dump" ] && [ -f "$PREFIX/include/H5FDdevelop.h" ] ||
    { echo "build-hdf5.sh: install incomplete in $PREFIX" >&2; exit 1; }
say "HDF5 $VERSION (parallel) installed in $PREFIX (build tree $BUILD; test/vfd and testpar built)"
