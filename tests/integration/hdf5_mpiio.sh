#!/bin/bash
# hdf5_mpiio.sh - Debian's parallel HDF5 (libhdf5-mpich, MPI-IO file
# driver), not rebuilt, on a pfs: file: hdf5_mpiio_test is compiled with
# Debian's h5pcc.mpich (shared libhdf5_mpich, libmpich.so.12) and run on
# 4 ranks with the pfs-enabled MPICH on LD_LIBRARY_PATH.  It writes two
# datasets (contiguous and chunked) in row blocks and reads them back in
# column blocks, checking every element; the file is then copied out with
# pfs-cp and read by Debian's serial h5dump.
source "$(dirname "$0")/lib.sh"

PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ -f "$PREFIX/lib/libmpi.so.12" ] ||
    fail "no MPICH with the pfs driver in $PREFIX: run adio/build-mpich.sh"
H5PCC=$(command -v h5pcc.mpich || true)
need "$H5PCC" "Debian's parallel HDF5 (h5pcc.mpich)" "apt-get install libhdf5-mpich-dev"
need "$(command -v h5dump || true)" "h5dump" "apt-get install hdf5-tools"
need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"

"$H5PCC" -shlib -o "$WORK/hdf5_mpiio_test" "$top_srcdir/tests/integration/hdf5_mpiio_test.c" \
    >"$WORK/cc.log" 2>&1 || { cat "$WORK/cc.log"; fail "h5pcc.mpich failed"; }
ldd "$WORK/hdf5_mpiio_test" | grep -q libhdf5_mpich ||
    fail "not linked to Debian's shared libhdf5_mpich"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /h5 >/dev/null || fail "pfs-mkdir /h5"

LD_LIBRARY_PATH=$(mpich_libpath "$PREFIX" foreign) timeout 600 "$MPIEXEC_MPICH" -n 4 "$WORK/hdf5_mpiio_test" \
    pfs:/h5/test.h5 >"$WORK/h5.log" 2>&1 </dev/null || { cat "$WORK/h5.log"; fail "HDF5 test failed"; }
grep -q "OK (0 errors)" "$WORK/h5.log" || { cat "$WORK/h5.log"; fail "HDF5 test: no OK line"; }
pass "Debian's parallel HDF5 wrote and read pfs:/h5/test.h5 on 4 ranks, every element verified"

"$B/pfs-cp" pfs:/h5/test.h5 "$WORK/copy.h5" >/dev/null || fail "pfs-cp out"
# grid[299][250] = 299 * 100003 + 250 * 7 + 1
h5dump -d grid -s "299,250" -c "1,1" "$WORK/copy.h5" >"$WORK/dump.log" 2>&1 ||
    { cat "$WORK/dump.log"; fail "h5dump cannot read the copied file"; }
grep -q "(299,250): 29902648" "$WORK/dump.log" || { cat "$WORK/dump.log"; fail "h5dump: wrong value"; }
pass "the file copied out with pfs-cp is valid HDF5 for h5dump"

stop_ensemble
