#!/bin/bash
# ompio_hdf5.sh - Debian's parallel HDF5 for Open MPI (libhdf5-openmpi,
# MPI-IO file driver), not rebuilt, on a pfs: file through pfs's OMPIO
# components: hdf5_mpiio_test is compiled with Debian's h5pcc.openmpi
# (shared libhdf5_openmpi, Open MPI's libmpi.so.40) and run with
# mpirun.openmpi on 4 ranks.  It writes two datasets (contiguous and
# chunked) in row blocks and reads them back in column blocks, checking
# every element; the file is then copied out with pfs-cp and read by
# Debian's serial h5dump.  The same program and checks as hdf5_mpiio.sh
# (MPICH with the ROMIO driver).
source "$(dirname "$0")/lib.sh"

need_ompio
H5PCC=$(command -v h5pcc.openmpi || true)
need "$H5PCC" "Debian's parallel HDF5 for Open MPI (h5pcc.openmpi)" \
    "apt-get install libhdf5-openmpi-dev"
need "$(command -v h5dump || true)" "h5dump" "apt-get install hdf5-tools"

"$H5PCC" -shlib -o "$WORK/hdf5_mpiio_test" "$top_srcdir/tests/integration/hdf5_mpiio_test.c" \
    >"$WORK/cc.log" 2>&1 || { cat "$WORK/cc.log"; fail "h5pcc.openmpi failed"; }
ldd "$WORK/hdf5_mpiio_test" | grep -q libhdf5_openmpi ||
    fail "not linked to Debian's shared libhdf5_openmpi"
ldd "$WORK/hdf5_mpiio_test" | grep -q 'libmpi.so.40 => ' ||
    fail "not linked to Open MPI's libmpi.so.40"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /h5 >/dev/null || fail "pfs-mkdir /h5"

run_ompi 4 "$WORK/hdf5_mpiio_test" pfs:/h5/test.h5 >"$WORK/h5.log" 2>&1 ||
    { cat "$WORK/h5.log"; fail "HDF5 test failed"; }
grep -q "OK (0 errors)" "$WORK/h5.log" || { cat "$WORK/h5.log"; fail "HDF5 test: no OK line"; }
pass "Debian's HDF5 for Open MPI wrote and read pfs:/h5/test.h5 on 4 ranks, every element verified"

"$B/pfs-cp" pfs:/h5/test.h5 "$WORK/copy.h5" >/dev/null || fail "pfs-cp out"
# grid[299][250] = 299 * 100003 + 250 * 7 + 1
h5dump -d grid -s "299,250" -c "1,1" "$WORK/copy.h5" >"$WORK/dump.log" 2>&1 ||
    { cat "$WORK/dump.log"; fail "h5dump cannot read the copied file"; }
grep -q "(299,250): 29902648" "$WORK/dump.log" || { cat "$WORK/dump.log"; fail "h5dump: wrong value"; }
pass "the file copied out with pfs-cp is valid HDF5 for h5dump"

stop_ensemble
