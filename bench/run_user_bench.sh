#!/bin/bash
# run_user_bench.sh - MPI-IO as users run it: bench/mpiio_user_bench, a
# plain MPI-IO program compiled against Debian's MPICH, on a pfs: and a
# ufs: directory in one run, on the MPICH with the pfs driver
# (LD_LIBRARY_PATH).  One record per call (collective and independent),
# 4 MiB transfers with fsync and neighbour reads, the cost of an empty
# collective call against an MPI_Allreduce, and a metadata mix.  Storage
# on tmpfs (/dev/shm), then on disk (PFS_BENCH_DIR, default /var/tmp);
# each with local access (the default) and without (PFS_LOCAL_IO=off,
# label "...-via-servers").  1 MDS + 2 I/O servers, 4 ranks.  Results go
# to bench/results/user-DATE.csv, with the load average before each part.
#
#   bench/run_user_bench.sh [BUILD_DIR] [-- extra mpiio_user_bench args]
#
# PFS_BENCH_STORAGE="tmpfs disk" (default) picks the storages,
# PFS_BENCH_LOCAL="on off" the local-access settings, PFS_MPICH_PREFIX the
# MPICH (default /var/tmp/pfs-mpich/install).  PFS_BENCH_META_SCALE, a list
# of files per rank (e.g. "250 2500 25000 250000": 10^3 to 10^6 files in
# the one directory), adds the metadata mix at each size on tmpfs, local
# access on, one ensemble for the whole series (labels tmpfs-meta-N);
# PFS_BENCH_META_SCALE_DIR=/var/tmp puts that series on disk (disk-meta-N).
# Each size repeats its create / open+size / delete cycle until it has
# done at least PFS_BENCH_META_OPS (default 100000) operations of each
# kind (--meta-cycles), so that 10^3 files are measured over as many
# operations as 10^6: one cycle of 10^3 files lasts a tenth of a second,
# where one slow sync or scheduling hiccup moved the rate by 4x.
# PFS_BENCH_STORAGE=" " runs the series alone.
set -eu
source "$(dirname "$0")/lib.sh"
bench_need_mpich
bench_results user

run_on() {
    local label=$1 base=$2 local_io=$3
    shift 3
    bench_start "$base" user-bench
    mkdir -p "$WORK/ufs"
    echo "# $label: $(bench_storage), local access $local_io, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    PFS_LOCAL_IO=$local_io bench_mpich -n 4 \
        "$BUILD/bench/mpiio_user_bench" \
        --pfs pfs: --ufs "ufs:$WORK/ufs" --label "$label" "$@" | grep --line-buffered -v '^label,'
    bench_stop
}

{
    echo "# $(bench_machine); pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes; ufs: ROMIO defaults; 4 ranks;" \
         "MPICH $PREFIX"
    echo "label,pattern,mode,op,unit,pfs,ufs,pfs_over_ufs,ref,pfs_over_ref"
    bench_each_storage run_on "$@"
    if [ -n "${PFS_BENCH_META_SCALE:-}" ]; then
        scale_base=${PFS_BENCH_META_SCALE_DIR:-/dev/shm}
        scale_tag=tmpfs
        [ "$scale_base" = /dev/shm ] || scale_tag=disk
        bench_start "$scale_base" user-bench
        mkdir -p "$WORK/ufs"
        min_ops=${PFS_BENCH_META_OPS:-100000}
        for n in $PFS_BENCH_META_SCALE; do
            cycles=$(( (min_ops + 4 * n - 1) / (4 * n) ))
            echo "# $scale_tag-meta-$((4 * n)): $((4 * n)) files, $cycles cycles, $(bench_storage), load average $(cut -d' ' -f1-3 /proc/loadavg)"
            bench_mpich -n 4 \
                "$BUILD/bench/mpiio_user_bench" --pfs pfs: --ufs "ufs:$WORK/ufs" \
                --label "$scale_tag-meta-$((4 * n))" --patterns meta --reps 1 \
                --meta-files "$n" --meta-cycles "$cycles" |
                grep --line-buffered -v '^label,'
        done
        bench_stop
    fi
} | tee "$OUT"
echo "results: $OUT"
