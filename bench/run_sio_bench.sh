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
OUT=$TOP/bench/results/sio-$(date +%Y%m%d-%H%M%S).csv
source "$TOP/bench/lib.sh"
mkdir -p "$TOP/bench/results"
bench_start "${PFS_BENCH_DIR:-/var/tmp}" bench
mkdir -p "$WORK/ufs"
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores," \
         "storage $(bench_storage)"
    echo "# pfs: 1 MDS + 2 I/O servers on 127.0.0.1, 1 MiB stripes over 2 servers;" \
         "4 client ranks; everything shares the cores (oversubscribed)"
    mpiexec.mpich -n 4 "$BUILD/bench/sio_bench" --ufs-dir "$WORK/ufs" "$@"
} | tee "$OUT"
echo "results: $OUT"
