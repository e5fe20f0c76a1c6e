#!/bin/bash
# run_mpiio_bench.sh - the same plain MPI-IO program (bench/mpiio_bench,
# compiled against Debian's MPICH) on a pfs: file and a ufs: file in one
# run, on the MPICH with the pfs driver (LD_LIBRARY_PATH); once with
# everything on tmpfs (/dev/shm), once on disk (PFS_BENCH_DIR, default
# /var/tmp).  1 MDS + 2 I/O servers, 4 ranks.  Each storage runs twice:
# with local access (the default: these servers are on the ranks' host, so
# large pieces skip them) and without (PFS_LOCAL_IO=off, label
# "...-via-servers": every byte through the servers, as for clients on
# other hosts).  Results go to bench/results/mpiio-DATE.csv.
#
#   bench/run_mpiio_bench.sh [BUILD_DIR] [-- extra mpiio_bench args]
#
# PFS_BENCH_STORAGE="tmpfs disk" (default) picks the storages,
# PFS_BENCH_LOCAL="on off" the local-access settings.
set -eu
source "$(dirname "$0")/lib.sh"
bench_need_mpich
bench_results mpiio

run_on() {
    local label=$1 base=$2 local_io=$3
    shift 3
    bench_start "$base" mpiio-bench
    mkdir -p "$WORK/ufs"
    echo "# $label: $(bench_storage), local access $local_io"
    PFS_LOCAL_IO=$local_io bench_mpich -n 4 \
        "$BUILD/bench/mpiio_bench" \
        --pfs pfs:/bench.dat --ufs "ufs:$WORK/ufs/bench.dat" --label "$label" "$@"
    bench_stop
}

{
    echo "# $(bench_machine); pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes; ufs: ROMIO defaults (data sieving on)"
    bench_each_storage run_on "$@"
} | tee "$OUT"
echo "results: $OUT"
