# lib.sh - sourced by the bench/run_*_bench.sh scripts: their arguments,
# the results file, the MPICH with the pfs driver, and a local ensemble
# (1 pfs-mds, 2 pfs-iosrv on 127.0.0.1) in a scratch directory, stopped
# (by pfs-ctl, else by the launcher's PID) and removed on exit.
#
# Source it first, with the script's own arguments still in "$@":
#   source "$(dirname "$0")/lib.sh"
# They are [BUILD_DIR] [-- extra args]: it sets TOP (the source tree) and
# BUILD and shifts them off, so that "$@" is the extra args.  It sets
# WORK and LAUNCHER and exports PFS_ENSEMBLE (bench_start).

# the scripts pipe their block through tee: without pipefail a run whose
# servers or benchmark failed exited 0, with a results file of headers
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    BUILD=$1
    shift
fi
[ "${1:-}" = "--" ] && shift
[ -x "$BUILD/pfs-mds" ] || { echo "$0: no pfs build in $BUILD (make it, or name it: $0 BUILD_DIR)" >&2; exit 1; }
# the MPICH with the pfs ROMIO driver (adio/build-mpich.sh)
PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}

# MPICH's hydra: do not inherit a PMI world from the caller
unset PMI_FD PMI_RANK PMI_SIZE PMIX_RANK PMIX_NAMESPACE 2>/dev/null || true
LAUNCHER=""
WORK=""

bench_stop() {
    if [ -n "$LAUNCHER" ]; then
        "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCHER" 2>/dev/null || true
        wait "$LAUNCHER" 2>/dev/null || true
        LAUNCHER=""
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    WORK=""
}
trap bench_stop EXIT

# bench_start BASE NAME [pfs-mds options...]: a new WORK under BASE (its
# pfs storage in WORK/pfs) and an ensemble on it.
bench_start() {
    local base=$1 name=$2
    shift 2
    # also when called in a subshell (a block piped to tee), whose exit
    # does not run the caller's trap
    trap bench_stop EXIT
    WORK=$(mktemp -d "$base/pfs-$name.XXXXXX")
    mkdir -p "$WORK/pfs"
    export PFS_ENSEMBLE=$WORK/pfs/ensemble
    mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$WORK/pfs" --listen 127.0.0.1 "$@" : \
        -n 2 "$BUILD/pfs-iosrv" --root "$WORK/pfs" --listen 127.0.0.1 \
        >"$WORK/servers.log" 2>&1 &
    LAUNCHER=$!
    "$BUILD/pfs-ctl" wait -t 60 >/dev/null || { cat "$WORK/servers.log"; exit 1; }
}

# bench_storage: the device and file system type holding WORK
bench_storage() {
    echo "$(df -h "$WORK" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$WORK"))"
}

# bench_have_mpich: is the MPICH with the pfs driver installed in PREFIX?
bench_have_mpich() {
    [ -f "$PREFIX/lib/libmpi.so.12" ]
}

# bench_mpich ARGS...: mpiexec.mpich ARGS with the MPICH with the pfs
# driver, BUILD's libpio first on the library path (the client library of
# the servers that run).
bench_mpich() {
    LD_LIBRARY_PATH=$BUILD/.libs:$PREFIX/lib mpiexec.mpich "$@"
}

# bench_need_mpich: exit 1, saying why, if it is not.
bench_need_mpich() {
    bench_have_mpich || { echo "no MPICH with pfs in $PREFIX: run adio/build-mpich.sh" >&2; exit 1; }
}

# bench_results NAME [SUFFIX]: OUT=bench/results/NAME-DATE[SUFFIX].csv, its
# folder made.
bench_results() {
    OUT=$TOP/bench/results/$1-$(date +%Y%m%d-%H%M%S)${2:-}.csv
    mkdir -p "$TOP/bench/results"
}

# bench_machine: "DATE SYSTEM, N cores", for the first line of a results file
bench_machine() {
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores"
}

# bench_each_storage FN ARGS...: FN LABEL BASE LOCAL_IO ARGS... for each
# storage (PFS_BENCH_STORAGE, default "tmpfs disk": /dev/shm, then
# PFS_BENCH_DIR, default /var/tmp), each with local access on and off
# (PFS_BENCH_LOCAL, default "on off"; label STORAGE, STORAGE-via-servers).
bench_each_storage() {
    local fn=$1 storage base local_io label
    shift
    for storage in ${PFS_BENCH_STORAGE:-tmpfs disk}; do
        case $storage in
        tmpfs) base=/dev/shm ;;
        *) base=${PFS_BENCH_DIR:-/var/tmp} ;;
        esac
        for local_io in ${PFS_BENCH_LOCAL:-on off}; do
            label=$storage
            [ "$local_io" = off ] && label=$storage-via-servers
            "$fn" "$label" "$base" "$local_io" "$@"
        done
    done
}
