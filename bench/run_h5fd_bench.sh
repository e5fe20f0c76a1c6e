#!/bin/bash
# run_h5fd_bench.sh - HDF5 through the pfs driver against sec2 on a local
# file and against mpio on pfs: (the ROMIO driver), one process, in one
# run (bench/h5fd_bench, Debian's HDF5 for MPICH, on the pfs-enabled
# MPICH).  1 MDS + 2 I/O servers on 127.0.0.1, storage and the local file
# on the same disk (PFS_BENCH_DIR, default /var/tmp).  Results go to
# bench/results/h5fd-DATE.csv, with ratios to sec2 and to mpio.
#
#   bench/run_h5fd_bench.sh [BUILD_DIR] [-- extra h5fd_bench args]
set -eu
source "$(dirname "$0")/lib.sh"
bench_need_mpich
[ -x "$BUILD/bench/h5fd_bench" ] || { echo "no $BUILD/bench/h5fd_bench (needs libhdf5-mpich-dev at configure)" >&2; exit 1; }
bench_results h5fd

bench_start "${PFS_BENCH_DIR:-/var/tmp}" h5fd-bench
mkdir -p "$WORK/local"
"$BUILD/pfs-mkdir" /bench >/dev/null
{
    echo "# $(bench_machine); pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes, local access on; storage $(bench_storage);" \
         "one process; best of reps; times include H5Fclose (the pfs driver syncs there)"
    bench_mpich -n 1 "$BUILD/bench/h5fd_bench" \
        --local "$WORK/local" --pfs /bench "$@"
} | tee "$OUT.tmp"
bench_stop
# ratios: the driver's rate over sec2's and over mpio's, per pattern and op
awk -F, '
    /^#/ || $1 == "pattern" { print; next }
    { print; rate[$1 "," $2 "," $3] = $6; key[$1 "," $3] = 1 }
    END {
        print "# ratios of pfs-driver MiB/s: pattern,op,vs_sec2_local,vs_mpio_pfs"
        for (k in key) {
            split(k, a, ",")
            d = rate[a[1] ",pfs-driver," a[2]]
            printf "# ratio,%s,%s,%.2f,%.2f\n", a[1], a[2], d / rate[a[1] ",sec2-local," a[2]],
                d / rate[a[1] ",mpio-pfs," a[2]]
        }
    }' "$OUT.tmp" >"$OUT"
rm -f "$OUT.tmp"
grep '^# ratio' "$OUT"
echo "results: $OUT"
