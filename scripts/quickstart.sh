#!/bin/bash
# quickstart.sh - from a fresh Debian 12 machine to an unmodified MPI-IO
# program on pfs: install what is missing, build pfs, build MPICH 4.0.2
# with the pfs ROMIO driver (about 20 minutes the first time), start a
# local ensemble on loopback (one pfs-mds, two pfs-iosrv, storage in a
# temporary directory), run a plain MPI-IO program (compiled against
# Debian's MPICH) on pfs: through LD_LIBRARY_PATH alone, the same program
# built with Open MPI on pfs: through pfs's OMPIO components (when Open
# MPI's headers are installed), then the libpio example, and stop the
# ensemble.
source "$(dirname "$0")/common.sh"

install_deps
build
build_mpich

STORE=$(mktemp -d /tmp/pfs-quickstart.XXXXXX)
export PFS_ENSEMBLE=$STORE/ensemble
LAUNCHER=""
stop() {
    if [ -n "$LAUNCHER" ] && kill -0 "$LAUNCHER" 2>/dev/null; then
        "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCHER" 2>/dev/null
        wait "$LAUNCHER" 2>/dev/null || true
    fi
    rm -rf "$STORE"
}
trap stop EXIT

say "starting the ensemble: mpiexec -n 1 pfs-mds : -n 2 pfs-iosrv (storage in $STORE)"
mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$STORE" --listen 127.0.0.1 : \
    -n 2 "$BUILD/pfs-iosrv" --root "$STORE" --listen 127.0.0.1 \
    >"$STORE/servers.log" 2>&1 &
LAUNCHER=$!
"$BUILD/pfs-ctl" wait -t 60 || { cat "$STORE/servers.log"; exit 1; }
"$BUILD/pfs-ctl" status

say "an unmodified MPI-IO program on pfs: (built against Debian's MPICH):"
echo "    LD_LIBRARY_PATH=$PFS_MPICH_PREFIX/lib mpiexec.mpich -n 4 examples/mpiio_example pfs:/quickstart-mpiio.dat"
LD_LIBRARY_PATH=$PFS_MPICH_PREFIX/lib mpiexec.mpich -n 4 \
    "$BUILD/examples/mpiio_example" pfs:/quickstart-mpiio.dat

if [ -d "$BUILD/adio/ompio/components" ]; then
    # Open MPI: the same source built with Debian's mpicc.openmpi, pfs:
    # through pfs's OMPIO components (adio/ompio); the component path must
    # start with Open MPI's own directory
    OMPI_DIR=$(ompi_info --path pkglibdir --parsable | sed -n 's/^path:pkglibdir://p')
    ROOT_OK=""
    [ "$(id -u)" = 0 ] && ROOT_OK=--allow-run-as-root
    mpicc.openmpi -o "$STORE/mpiio_example.openmpi" "$TOP/examples/mpiio_example.c"
    say "the same program built with Open MPI, on pfs: through the OMPIO components:"
    echo "    OMPI_MCA_mca_base_component_path=$OMPI_DIR:$BUILD/adio/ompio/components \\"
    echo "        mpirun.openmpi -n 4 mpiio_example.openmpi pfs:/quickstart-openmpi.dat"
    OMPI_MCA_mca_base_component_path=$OMPI_DIR:$BUILD/adio/ompio/components \
        mpirun.openmpi $ROOT_OK --oversubscribe --bind-to none -n 4 \
        "$STORE/mpiio_example.openmpi" pfs:/quickstart-openmpi.dat
fi

say "the libpio example: mpiexec -n 4 examples/pio_mpi_example"
mpiexec.mpich -n 4 "$BUILD/examples/pio_mpi_example" -f pfs:/quickstart.dat

say "stopping the ensemble"
"$BUILD/pfs-ctl" stop
wait "$LAUNCHER"
LAUNCHER=""
say "done: pfs built in $BUILD, MPICH with pfs in $PFS_MPICH_PREFIX; see README.md"
