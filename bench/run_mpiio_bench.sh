#!/bin/bash
# run_mpiio_bench.sh - the same plain MPI-IO program (bench/mpiio_bench,
# compiled against Debian's MPICH) on a pfs: file and a ufs: file in one
# run, on the MPICH with the pfs driver (LD_LIBRARY_PATH); once with
# everything on tmpfs (/dev/shm), once on disk (PFS_BENCH_DIR, default
# /var/tmp).  1 MDS + 2 I/O servers, 4 ranks.  Results go to
# bench/results/mpiio-DATE.csv.
#
#   bench/run_mpiio_bench.sh [BUILD_DIR] [-- extra mpiio_bench args]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$TOP/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ -f "$PREFIX/lib/libmpi.so.12" ] || { echo "no MPICH with pfs in $PREFIX: run adio/build-mpich.sh" >&2; exit 1; }
OUT=$TOP/bench/results/mpiio-$(date +%Y%m%d-%H%M%S).csv
mkdir -p "$TOP/bench/results"
LAUNCHER=""
WORK=""
cleanup() {
    if [ -n "$LAUNCHER" ]; then
        "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCHER" 2>/dev/null || true
        wait "$LAUNCHER" 2>/dev/null || true
        LAUNCHER=""
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    WORK=""
}
trap cleanup EXIT

run_on() {
    local label=$1 base=$2
    shift 2
    WORK=$(mktemp -d "$base/pfs-mpiio-bench.XXXXXX")
    mkdir -p "$WORK/pfs" "$WORK/ufs"
    export PFS_ENSEMBLE=$WORK/pfs/ensemble
    mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$WORK/pfs" --listen 127.0.0.1 : \
        -n 2 "$BUILD/pfs-iosrv" --root "$WORK/pfs" --listen 127.0.0.1 \
        >"$WORK/servers.log" 2>&1 &
    LAUNCHER=$!
    "$BUILD/pfs-ctl" wait -t 60 >/dev/null
    echo "# $label: $(df -h "$WORK" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$WORK"))"
    LD_LIBRARY_PATH=$PREFIX/lib mpiexec.mpich -n 4 "$BUILD/bench/mpiio_bench" \
        --pfs pfs:/bench.dat --ufs "ufs:$WORK/ufs/bench.dat" --label "$label" "$@"
    cleanup
}

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores; pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes; ufs: ROMIO defaults (data sieving on)"
    run_on tmpfs /dev/shm "$@"
    run_on disk "${PFS_BENCH_DIR:-/var/tmp}" "$@"
} | tee "$OUT"
echo "results: $OUT"
