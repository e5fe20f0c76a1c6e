#!/bin/bash
# multihost_romio.sh - unmodified MPI-IO programs on pfs: across hosts:
# the MDS on h1, I/O servers on h2 and h3, MPI ranks on h4 and h5 (no
# server there), through the pfs ROMIO driver of adio/build-mpich.sh's
# MPICH (with this build's libpio ahead of the installed one):
#   - ROMIO's own test programs (the list of romio_tests.sh), 2 or 4
#     ranks over both client hosts;
#   - mpiio_pfs_test (compiled against Debian's MPICH): pfs: and ufs: in
#     one run (the ufs: file in the shared directory), hints, error
#     classes, views, non-blocking and split collectives; and more than
#     2^31 bytes in one collective call;
#   - Debian's parallel HDF5 (libhdf5-mpich) writing and reading a
#     contiguous and a chunked dataset, then the file copied out on
#     another host and read by h5dump.
# Every byte is verified by the programs themselves.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multihost_lib.sh"
. "$top_srcdir/tests/integration/romio_lib.sh"

PROG=$B/tests/integration/mpiio_pfs_test
H5PCC=$(command -v h5pcc.mpich || true)
need "$H5PCC" "Debian's parallel HDF5 (h5pcc.mpich)" "apt-get install libhdf5-mpich-dev"
need "$(command -v h5dump || true)" "h5dump" "apt-get install hdf5-tools"
mpiio_env
romio_build "$WORK/bin"
"$H5PCC" -shlib -o "$WORK/hdf5_mpiio_test" "$top_srcdir/tests/integration/hdf5_mpiio_test.c" \
    >"$WORK/cc.log" 2>&1 || { cat "$WORK/cc.log"; fail "h5pcc.mpich failed"; }

mh_up 5
mh_start_ensemble mpich h1 "h2 h3"
on h4 "$B/pfs-mkdir" /romio /romio1 /mpiio /h5 >/dev/null || fail "pfs-mkdir"
on h4 "$B/pfs-setstripe" -c 1 /romio1 >/dev/null || fail "pfs-setstripe -c 1 /romio1"

# ROMIO's tests on both client hosts: NP ranks, half on each
run_hosts() {
    local np=$1
    shift
    LD_LIBRARY_PATH=$MPIIO_LIBS MPIRUN_MPIEXEC=$ROMIO_PREFIX/bin/mpiexec MPIRUN_TIMEOUT=600 \
        mpirun_on "h4:$((np / 2)),h5:$((np - np / 2))" "$np" "$@"
}
romio_run_all "$WORK/bin" run_hosts

mkdir -p "$VCLUSTER/shared/ufs"
LD_LIBRARY_PATH=$MPIIO_LIBS mpirun_on h4:2,h5:2 4 "$PROG" -m basic -d pfs:/mpiio -u "$VCLUSTER/shared/ufs" \
    >"$WORK/basic.log" 2>&1 || { cat "$WORK/basic.log"; fail "mpiio_pfs_test basic across hosts"; }
grep -q "mpiio_pfs_test basic: OK" "$WORK/basic.log" || { cat "$WORK/basic.log"; fail "basic: no OK line"; }
pass "mpiio_pfs_test on h4 and h5: ufs: and pfs: in one run, hints, error classes, views, non-blocking, split"
LD_LIBRARY_PATH=$MPIIO_LIBS MPIRUN_TIMEOUT=600 mpirun_on h4:1,h5:1 2 "$PROG" -m large -d pfs:/mpiio >"$WORK/large.log" 2>&1 ||
    { cat "$WORK/large.log"; fail "large-count check across hosts"; }
grep "large:" "$WORK/large.log"
pass "more than 2^31 bytes in one collective call from two hosts, verified"

LD_LIBRARY_PATH=$MPIIO_LIBS mpirun_on h4:2,h5:2 4 "$WORK/hdf5_mpiio_test" pfs:/h5/test.h5 >"$WORK/h5.log" 2>&1 ||
    { cat "$WORK/h5.log"; fail "HDF5 test across hosts"; }
grep -q "OK (0 errors)" "$WORK/h5.log" || { cat "$WORK/h5.log"; fail "HDF5 test: no OK line"; }
on h5 "$B/pfs-cp" pfs:/h5/test.h5 "$VCLUSTER/local/copy.h5" >/dev/null || fail "pfs-cp out on h5"
# grid[299][250] = 299 * 100003 + 250 * 7 + 1
h5dump -d grid -s "299,250" -c "1,1" "$VCLUSTER/hosts/h5/copy.h5" >"$WORK/dump.log" 2>&1 ||
    { cat "$WORK/dump.log"; fail "h5dump cannot read the copied file"; }
grep -q "(299,250): 29902648" "$WORK/dump.log" || { cat "$WORK/dump.log"; fail "h5dump: wrong value"; }
pass "parallel HDF5 on h4 and h5 wrote and read pfs:/h5/test.h5, every element verified; h5dump reads the copy"

mh_stop_ensemble
log "PASS"
