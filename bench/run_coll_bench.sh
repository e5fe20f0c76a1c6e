#!/bin/bash
# run_coll_bench.sh - collective I/O: libpio_mpi vs ROMIO's collective
# MPI-IO on ufs:, once with everything on tmpfs (/dev/shm) and once on
# disk (PFS_BENCH_DIR, default /var/tmp); 1 MDS + 2 I/O servers, 4 ranks.
# Results go to bench/results/coll-DATE.csv.
#
#   bench/run_coll_bench.sh [BUILD_DIR] [-- extra coll_bench args]
set -eu
source "$(dirname "$0")/lib.sh"
bench_results coll

run_on() {
    local label=$1 base=$2
    shift 2
    bench_start "$base" coll-bench
    mkdir -p "$WORK/ufs"
    echo "# $label: $(bench_storage)"
    mpiexec.mpich -n 4 "$BUILD/bench/coll_bench" --ufs-dir "$WORK/ufs" --label "$label" "$@"
    bench_stop
}

{
    echo "# $(bench_machine); pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes, storage on the same file system as ufs:"
    run_on tmpfs /dev/shm "$@"
    run_on disk "${PFS_BENCH_DIR:-/var/tmp}" "$@"
} | tee "$OUT"
echo "results: $OUT"
