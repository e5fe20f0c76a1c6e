#!/bin/bash
# run_smallio_bench.sh - start a local ensemble (1 MDS, 2 I/O servers), run
# smallio_bench (one client, many small requests, through the servers and
# with local access), save the results in bench/results/, stop the
# ensemble.
#
#   bench/run_smallio_bench.sh [BUILD_DIR] [-- extra smallio_bench args]
#
# PFS_SMALLIO_BENCH: another smallio_bench binary (a baseline built
# against an older libpio: the servers are BUILD_DIR's).  PFS_BENCH_TAG: a
# suffix for the results file.
set -eu
source "$(dirname "$0")/lib.sh"
bench_results smallio "${PFS_BENCH_TAG:+-$PFS_BENCH_TAG}"
bench_start "${PFS_BENCH_DIR:-/var/tmp}" smallio
{
    echo "# $(bench_machine)," \
         "storage $(bench_storage)"
    echo "# pfs: 1 MDS + 2 I/O servers on 127.0.0.1, 1 MiB stripes over 2 servers;" \
         "1 client, one request per operation; servers from $BUILD"
    "${PFS_SMALLIO_BENCH:-$BUILD/bench/smallio_bench}" "$@"
} | tee "$OUT"
echo "results: $OUT"
