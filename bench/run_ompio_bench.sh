#!/bin/bash
# run_ompio_bench.sh - the MPI-IO benchmark of run_mpiio_bench.sh
# (bench/mpiio_bench.c: contig, strided47008, tiles64) under Open MPI on
# pfs: through pfs's OMPIO components and on a local file, and, in the
# same run and on the same ensembles, under MPICH with the pfs ROMIO
# driver on pfs: and ufs:.  Each MPI reports pfs against its own local
# baseline (Open MPI: OMPIO's fs/ufs + fbtl/posix + its fcoll; MPICH:
# ROMIO's ufs with data sieving), so the two ratio columns can be put side
# by side.
#
# The Open MPI program is bench/mpiio_bench.c compiled with Debian's
# mpicc.openmpi (nothing of pfs in it), run with mpirun.openmpi and the
# component path; the MPICH one is BUILD/bench/mpiio_bench with the
# pfs-enabled MPICH on LD_LIBRARY_PATH (skipped, with a note, when
# adio/build-mpich.sh has not installed it).  BUILD's libpio.so comes
# first on that path, so that both MPIs use the client library of the
# build whose servers run (the MPICH install may come from another tree,
# whose protocol can differ; the driver uses libpio's public API only).  As run_mpiio_bench.sh: tmpfs
# (/dev/shm) and disk (PFS_BENCH_DIR, default /var/tmp), each with local
# access on and off; 1 MDS + 2 I/O servers, 4 ranks.  Results go to
# bench/results/ompio-DATE.csv; labels say which MPI.
#
#   bench/run_ompio_bench.sh [BUILD_DIR] [-- extra mpiio_bench args]
#
# PFS_BENCH_STORAGE="tmpfs disk" (default) picks the storages,
# PFS_BENCH_LOCAL="on off" the local-access settings.
set -eu -o pipefail
source "$(dirname "$0")/lib.sh"
COMPONENTS=$BUILD/adio/ompio/components
[ -f "$COMPONENTS/mca_fs_pfs.so" ] ||
    { echo "no OMPIO components in $COMPONENTS: configure with Open MPI's headers" >&2; exit 1; }
OMPI_DIR=$(ompi_info --path pkglibdir --parsable | sed -n 's/^path:pkglibdir://p')
MPICH_OK=yes
bench_have_mpich || MPICH_OK=no
bench_results ompio

BIN=$(mktemp -d /tmp/pfs-ompio-bench.XXXXXX)
trap 'rm -rf "$BIN"' EXIT
mpicc.openmpi -O2 -o "$BIN/mpiio_bench.openmpi" "$TOP/bench/mpiio_bench.c"
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

run_on() {
    local label=$1 base=$2 local_io=$3
    shift 3
    bench_start "$base" ompio-bench
    mkdir -p "$WORK/local"
    echo "# $label: $(bench_storage), local access $local_io"
    PFS_LOCAL_IO=$local_io OMPI_MCA_mca_base_component_path=$OMPI_DIR:$COMPONENTS \
        mpirun.openmpi --oversubscribe --bind-to none -x PFS_LOCAL_IO -n 4 \
        "$BIN/mpiio_bench.openmpi" --pfs pfs:/bench-openmpi.dat \
        --ufs "$WORK/local/bench-openmpi.dat" --label "openmpi-$label" "$@" </dev/null
    if [ "$MPICH_OK" = yes ]; then
        PFS_LOCAL_IO=$local_io bench_mpich -n 4 \
            "$BUILD/bench/mpiio_bench" --pfs pfs:/bench-mpich.dat \
            --ufs "ufs:$WORK/local/bench-mpich.dat" --label "mpich-$label" "$@" </dev/null
    fi
    bench_stop
}

# The block runs in a subshell (the pipe to tee): the ensemble it starts
# is stopped by its own trap, also when a run fails.
{
    trap bench_stop EXIT
    echo "# $(bench_machine);" \
         "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# pfs: 1 MDS + 2 I/O servers on 127.0.0.1, 1 MiB stripes, 4 ranks"
    echo "# openmpi-*: $(ompi_info --version 2>/dev/null | head -1), pfs: through the OMPIO components;" \
         "ufs_MiB_s column = a local file through OMPIO's own components (no prefix)"
    if [ "$MPICH_OK" = yes ]; then
        echo "# mpich-*: MPICH 4.0.2 with the pfs ROMIO driver ($PREFIX, libpio of $BUILD);" \
             "ufs_MiB_s column = ROMIO ufs: (data sieving on)"
    else
        echo "# mpich-*: not run (no MPICH with the pfs driver in $PREFIX: adio/build-mpich.sh)"
    fi
    bench_each_storage run_on "$@"
} | tee "$OUT"
echo "results: $OUT"
