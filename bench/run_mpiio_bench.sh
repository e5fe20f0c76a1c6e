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
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$TOP/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ -f "$PREFIX/lib/libmpi.so.12" ] || { echo "no MPICH with pfs in $PREFIX: run adio/build-mpich.sh" >&2; exit 1; }
OUT=$TOP/bench/results/mpiio-$(date +%Y%m%d-%H%M%S).csv
mkdir -p "$TOP/bench/results"
source "$TOP/bench/lib.sh"

run_on() {
    local label=$1 base=$2 local_io=$3
    shift 3
    bench_start "$base" mpiio-bench
    mkdir -p "$WORK/ufs"
    echo "# $label: $(bench_storage), local access $local_io"
    PFS_LOCAL_IO=$local_io LD_LIBRARY_PATH=$BUILD/.libs:$PREFIX/lib mpiexec.mpich -n 4 \
        "$BUILD/bench/mpiio_bench" \
        --pfs pfs:/bench.dat --ufs "ufs:$WORK/ufs/bench.dat" --label "$label" "$@"
    bench_stop
}

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores; pfs: 1 MDS +" \
         "2 I/O servers on 127.0.0.1, 1 MiB stripes; ufs: ROMIO defaults (data sieving on)"
    run_on tmpfs /dev/shm on "$@"
    run_on tmpfs-via-servers /dev/shm off "$@"
    run_on disk "${PFS_BENCH_DIR:-/var/tmp}" on "$@"
    run_on disk-via-servers "${PFS_BENCH_DIR:-/var/tmp}" off "$@"
} | tee "$OUT"
echo "results: $OUT"
