#!/bin/bash
# run_meta_bench.sh - metadata rates: create, stat and unlink of empty files
# through libpio on pfs against plain POSIX calls on a local directory on
# the same disk (PFS_BENCH_DIR, default /var/tmp).  One ensemble (1 MDS +
# 2 I/O servers on 127.0.0.1) per durability policy of the MDS (durable,
# then periodic); on each, bench/meta_bench with 1, 2 and 4 client
# processes, all in one shared directory and each in its own.
# Results go to bench/results/meta-DATE.csv.
#
#   bench/run_meta_bench.sh [BUILD_DIR] [-- extra meta_bench args, e.g. --files N]
set -eu
source "$(dirname "$0")/lib.sh"
bench_results meta
CLIENTS=${PFS_BENCH_CLIENTS:-1 2 4}

# What else runs: over one second while this script's ensemble is idle,
# how busy the CPUs are and the busiest processes.  Other work on the
# machine shows up here (the benchmark itself takes no CPU at that point).
background() {
    top -b -n 2 -d 1 -o %CPU -w 200 | awk '
        /^top -/ { n++ }
        n == 2 && /^%Cpu/ {  # "... ni,100.0 id, ...": the number before "id"
            s = $0; sub(/ id,.*/, "", s); m = split(s, a, /[ ,]+/)
            busy = 100 - a[m] }
        n == 2 && /^ *[0-9]+ / && $9 + 0 >= 5 && $12 != "top" && k < 4 {
            procs = procs sprintf(" %s %s%%", $12, $9); k++ }
        END { printf "# background: CPUs %.0f%% busy over 1 s before the run;%s\n",
                     busy, k ? procs : " no process above 5%" }'
}

run_policy() {
    local policy=$1 header=$2 k
    shift 2
    bench_start "${PFS_BENCH_DIR:-/var/tmp}" meta-bench --durability "$policy"
    mkdir -p "$WORK/local"
    echo "# $policy: pfs storage and local directory on" \
         "$(bench_storage)"
    for k in $CLIENTS; do
        background
        mpiexec.mpich -n "$k" "$BUILD/bench/meta_bench" \
            --local-dir "$WORK/local" --label "$policy" $header "$@"
        header=""
    done
    bench_stop
}

{
    echo "# $(bench_machine); pfs:" \
         "1 MDS + 2 I/O servers on 127.0.0.1, default layout (2 stripes);" \
         "local: open(O_CREAT|O_EXCL)+close, stat, unlink, no fsync"
    echo "# rate = all clients' operations / slowest client's time;" \
         "ratio = pfs_ops_s / local_ops_s"
    run_policy durable --header "$@"
    run_policy periodic "" "$@"
} | tee "$OUT"
echo "results: $OUT"
