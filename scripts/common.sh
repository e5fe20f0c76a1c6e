# common.sh - sourced by quickstart.sh and check.sh: install what is
# missing (Debian 12) and build pfs out of tree in ./build.  Also sourced
# by adio/build-mpich.sh and h5fd/build-hdf5.sh for their command line.

set -eu

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PFS_BUILD_DIR:-$TOP/build}
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages pfs needs to build, test and run.  clang-14 and
# libclang-rt-14-dev: libFuzzer for tests/fuzz (gcc's libasan8 and
# libubsan1 for scripts/sanitize.sh come with gcc).  libopenmpi-dev (Open
# MPI's headers: the OMPIO components) and libhdf5-openmpi-dev switch
# Debian's mpicc/mpiexec/h5pcc alternatives to Open MPI: pfs's scripts
# always name mpicc.mpich/mpiexec.mpich/h5pcc.mpich or the .openmpi ones.
# libhdf5-dev (serial) and the two MPI flavours: the HDF5 driver is built
# for each; zlib1g-dev, for HDF5 1.14's deflate (h5fd/build-hdf5.sh).
# iproute2, iputils-ping and util-linux (unshare, nsenter): the virtual
# cluster of tests/vcluster.sh.  tcpdump: security.sh's capture of HELLO.
# clang-format-14: tests/check_format.sh (pinned: versions format differently).
PFS_DEB_PACKAGES="gcc make autoconf automake libtool pkg-config
    mpich libmpich-dev libucx-dev libleveldb-dev libpmix-dev libcunit1-dev libssl-dev
    openmpi-bin libopenmpi-dev procps findutils patch xz-utils gfortran
    libhdf5-dev libhdf5-mpich-dev libhdf5-openmpi-dev hdf5-tools zlib1g-dev
    help2man clang-14 libclang-rt-14-dev clang-format-14 tcpdump
    iproute2 iputils-ping util-linux"

# MPICH 4.0.2 with the pfs ROMIO driver (adio/build-mpich.sh): its build
# tree is kept here so that later runs rebuild only what changed.
export PFS_MPICH_WORK=${PFS_MPICH_WORK:-/var/tmp/pfs-mpich}
export PFS_MPICH_PREFIX=${PFS_MPICH_PREFIX:-$PFS_MPICH_WORK/install}
# HDF5 1.14.5, parallel on that MPICH, for the HDF5 driver's plugin
# (h5fd/build-hdf5.sh): its build tree is kept here likewise.
export PFS_HDF5_WORK=${PFS_HDF5_WORK:-/var/tmp/pfs-hdf5}
export PFS_HDF5_PREFIX=${PFS_HDF5_PREFIX:-$PFS_HDF5_WORK/install}

say() { printf '\n==> %s\n' "$*"; }

install_deps() {
    local missing="" p sudo=""
    for p in $PFS_DEB_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -z "$missing" ]; then
        say "all Debian packages present"
        return
    fi
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || {
            echo "missing packages:$missing; run as root or install sudo" >&2
            exit 1
        }
        sudo=sudo
    fi
    say "installing:$missing"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
        --no-install-recommends $missing
}

# build_tree_options NAME HELP "$@": the command line of the scripts that
# build a dependency into a kept tree (adio/build-mpich.sh,
# h5fd/build-hdf5.sh), which source this file: --source TARBALL,
# --work DIR, --prefix DIR (default WORK/install), -h/--help (prints lines
# HELP of the script), and --mpich PREFIX for a script that set MPICH
# first.  Sets SOURCE, WORK, PREFIX and MPICH; anything else is an error.
build_tree_options() {
    local name=$1 help=$2
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
        --source) SOURCE=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --prefix) PREFIX=$2; shift 2 ;;
        --mpich) [ -n "${MPICH+set}" ] || break; MPICH=$2; shift 2 ;;
        -h|--help) sed -n "${help}p" "$0"; exit 0 ;;
        *) break ;;
        esac
    done
    if [ $# -gt 0 ]; then
        echo "$name: unknown argument $1 (try --help)" >&2
        exit 2
    fi
    PREFIX=${PREFIX:-$WORK/install}
}

# build [configure options...]: configure once (again when the options
# change), then make.
build() {
    if [ ! -x "$TOP/configure" ] || [ "$TOP/configure.ac" -nt "$TOP/configure" ]; then
        say "autoreconf"
        (cd "$TOP" && autoreconf -fi)
    fi
    mkdir -p "$BUILD"
    if [ ! -f "$BUILD/Makefile" ] || [ "$TOP/configure" -nt "$BUILD/Makefile" ] ||
       [ "$(cat "$BUILD/.pfs-configure-args" 2>/dev/null)" != "$*" ]; then
        say "configure $*"
        (cd "$BUILD" && "$TOP/configure" "$@")
        echo "$*" >"$BUILD/.pfs-configure-args"
    fi
    say "make -j$JOBS"
    make -C "$BUILD" -j"$JOBS"
}

# build_mpich: MPICH with the pfs driver into $PFS_MPICH_PREFIX.
build_mpich() {
    say "MPICH 4.0.2 with the pfs ROMIO driver into $PFS_MPICH_PREFIX" \
        "(first build about 20 minutes; later runs reuse $PFS_MPICH_WORK/build)"
    "$TOP/adio/build-mpich.sh" --work "$PFS_MPICH_WORK" --prefix "$PFS_MPICH_PREFIX"
}

# build_hdf5: HDF5 1.14.5 (parallel, on the MPICH above) into
# $PFS_HDF5_PREFIX, for the HDF5 driver's plugin and its tests.
build_hdf5() {
    say "HDF5 1.14.5 (parallel) into $PFS_HDF5_PREFIX" \
        "(first build 7 to 13 minutes; later runs reuse $PFS_HDF5_WORK/build)"
    "$TOP/h5fd/build-hdf5.sh" --work "$PFS_HDF5_WORK" --prefix "$PFS_HDF5_PREFIX" \
        --mpich "$PFS_MPICH_PREFIX"
}
