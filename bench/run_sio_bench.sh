#!/bin/bash
# run_sio_bench.sh - start a local ensemble (1 MDS, 2 I/O servers) with its
# storage on the same file system as the ufs: baseline, run sio_bench on 4
# ranks, save the results in bench/results/, stop the ensemble.
#
#   bench/run_sio_bench.sh [BUILD_DIR] [-- extra sio_bench args]
set -eu
source "$(dirname "$0")/lib.sh"
bench_results sio
bench_start "${PFS_BENCH_DIR:-/var/tmp}" bench
mkdir -p "$WORK/ufs"
{
    echo "# $(bench_machine)," \
         "storage $(bench_storage)"
    echo "# pfs: 1 MDS + 2 I/O servers on 127.0.0.1, 1 MiB stripes over 2 servers;" \
         "4 client ranks; everything shares the cores (oversubscribed)"
    mpiexec.mpich -n 4 "$BUILD/bench/sio_bench" --ufs-dir "$WORK/ufs" "$@"
} | tee "$OUT"
echo "results: $OUT"
