#!/bin/bash
# run_sio_bench.sh - start a local ensemble (1 MDS, 2 I/O servers) with its
# storage on the same file system as the ufs: baseline, run sio_bench on 4
# ranks, save the results in bench/results/, stop the ensemble.
#
#   bench/run_sio_bench.sh [BUILD_DIR] [-- extra sio_bench args]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$TOP/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
BASE=${PFS_BENCH_DIR:-/var/tmp}
WORK=$(mktemp -d "$BASE/pfs-bench.XXXXXX")
OUT=$TOP/bench/results/sio-$(date +%Y%m%d-%H%M%S).csv
export PFS_ENSEMBLE=$WORK/pfs/ensemble
LAUNCHER=""
cleanup() {
    if [ -n "$LAUNCHER" ]; then
        "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCHER" 2>/dev/null || true
        wait "$LAUNCHER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/pfs" "$WORK/ufs" "$TOP/bench/results"
mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$WORK/pfs" --listen 127.0.0.1 : \
    -n 2 "$BUILD/pfs-iosrv" --root "$WORK/pfs" --listen 127.0.0.1 \
    >"$WORK/servers.log" 2>&1 &
LAUNCHER=$!
"$BUILD/pfs-ctl" wait -t 60 >/dev/null
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores," \
         "storage $(df -h "$WORK" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$WORK"))"
    echo "# pfs: 1 MDS + 2 I/O servers on 127.0.0.1, 1 MiB stripes over 2 servers;" \
         "4 client ranks; everything shares the cores (oversubscribed)"
    mpiexec.mpich -n 4 "$BUILD/bench/sio_bench" --ufs-dir "$WORK/ufs" "$@"
} | tee "$OUT"
echo "results: $OUT"
