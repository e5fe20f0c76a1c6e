#!/bin/bash
# h5fd_mpi.sh - the HDF5 driver from MPI programs (Debian's HDF5 1.10
# for MPICH, h5fd_test_mpich): file-per-process from 4 ranks; one file
# opened read-only by 4 ranks with the collective open (one lookup on the
# metadata server, counted in its log); 4 ranks opening one file for
# writing with the communicator are refused with a message naming mpio on
# pfs:; a file written through the driver is read by parallel HDF5
# through mpio on pfs: (the pfs-enabled MPICH on LD_LIBRARY_PATH), and
# the other way round.  The same file-per-process run with Debian's HDF5
# for Open MPI, when the driver was built for it.
source "$(dirname "$0")/lib.sh"

T=$B/tests/integration/h5fd_test_mpich
if [ ! -x "$T" ]; then
    if pkg-config --exists hdf5-mpich 2>/dev/null; then
        fail "Debian's HDF5 for MPICH is installed but $T was not built: re-run configure"
    fi
    log "SKIP: Debian's HDF5 for MPICH (libhdf5-mpich-dev) is absent, so no driver was built for it"
    exit 77
fi
PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ -f "$PREFIX/lib/libmpi.so.12" ] ||
    fail "no MPICH with the pfs driver in $PREFIX: run adio/build-mpich.sh"
need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"
# this tree's libpio before the one next to the MPICH (lib.sh)
LIBPATH=$B/.libs:$PREFIX/lib

run4() {
    LD_LIBRARY_PATH=$LIBPATH timeout 600 "$MPIEXEC_MPICH" -n 4 "$T" "$@" </dev/null
}

start_ensemble mpich "$WORK/store" 2 --verbose
"$B/pfs-mkdir" /fpp >/dev/null && "$B/pfs-mkdir" /h5 >/dev/null || fail "pfs-mkdir"

run4 fpp pfs:/fpp >"$WORK/fpp.log" 2>&1 || { cat "$WORK/fpp.log"; fail "file-per-process run"; }
[ "$(grep -c 'OK (0 errors)' "$WORK/fpp.log")" = 4 ] || { cat "$WORK/fpp.log"; fail "file-per-process: not 4 OK lines"; }
[ "$("$B/pfs-ls" /fpp | wc -l)" = 4 ] || fail "file-per-process: not 4 files in /fpp"
pass "4 ranks wrote and verified one file each through the driver"

"$T" write pfs pfs:/h5/shared.h5 >"$WORK/w.log" 2>&1 || { cat "$WORK/w.log"; fail "write"; }
before=$(grep -c 'lookup /h5/shared.h5: ok' "$WORK/servers.log")
run4 ro pfs:/h5/shared.h5 >"$WORK/ro.log" 2>&1 || { cat "$WORK/ro.log"; fail "read-only run"; }
[ "$(grep -c 'OK (0 errors)' "$WORK/ro.log")" = 4 ] || { cat "$WORK/ro.log"; fail "read-only: not 4 OK lines"; }
lookups=$(( $(grep -c 'lookup /h5/shared.h5: ok' "$WORK/servers.log") - before ))
[ "$lookups" = 1 ] || fail "collective open: $lookups lookups on the metadata server, expected 1"
pass "4 ranks read one file with the collective open: 1 lookup on the metadata server"

# a failed collective open fails on every rank, and none waits for ever
rc=0
run4 ro pfs:/h5/missing.h5 >"$WORK/ro-missing.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || { cat "$WORK/ro-missing.log"; fail "collective open of a missing file: exit $rc"; }
[ "$(grep -c 'the collective open of pfs:/h5/missing.h5 failed' "$WORK/ro-missing.log")" = 4 ] ||
    { cat "$WORK/ro-missing.log"; fail "collective open of a missing file did not fail on all 4 ranks"; }
pass "a collective open of a missing file fails on all 4 ranks alike"

rc=0
run4 multiwrite pfs:/h5/multi.h5 >"$WORK/multi.log" 2>&1 || rc=$?
[ "$(grep -c 'refused' "$WORK/multi.log")" = 4 ] || { cat "$WORK/multi.log"; fail "4 ranks writing one file were not refused"; }
grep -q "4 ranks cannot open pfs:/h5/multi.h5 for writing.*H5Pset_fapl_mpio and the name pfs:/h5/multi.h5" "$WORK/multi.log" ||
    { cat "$WORK/multi.log"; fail "the refusal does not name the mpio path"; }
pass "4 ranks opening one file for writing through the driver are refused, pointed at mpio on pfs:"

run4 mpio-verify pfs:/h5/shared.h5 >"$WORK/interop1.log" 2>&1 || { cat "$WORK/interop1.log"; fail "mpio read"; }
[ "$(grep -c 'OK (0 errors)' "$WORK/interop1.log")" = 4 ] || { cat "$WORK/interop1.log"; fail "mpio read: not 4 OK lines"; }
pass "a file written through the driver is read by parallel HDF5 through mpio on pfs:"
run4 mpio-write pfs:/h5/mpio.h5 >"$WORK/interop2.log" 2>&1 || { cat "$WORK/interop2.log"; fail "mpio write"; }
"$T" verify pfs pfs:/h5/mpio.h5 nodeflate >"$WORK/interop3.log" 2>&1 || { cat "$WORK/interop3.log"; fail "driver read"; }
grep -q 'OK (0 errors)' "$WORK/interop3.log" || fail "driver read of the mpio file"
pass "a file parallel HDF5 wrote through mpio on pfs: (4 ranks) is read through the driver"

TO=$B/tests/integration/h5fd_test_openmpi
if [ "$PFS_SANITIZED" = yes ]; then
    # LeakSanitizer reports Open MPI 4.1's own start-up allocations
    # (ompi_mpi_init, orte_init), nothing of pfs's
    log "the Open MPI flavour is not run in a sanitizer build"
elif [ -x "$TO" ] && [ -n "$MPIRUN_OMPI" ]; then
    "$B/pfs-mkdir" /fpp-ompi >/dev/null || fail "pfs-mkdir"
    run_ompi 4 "$TO" fpp pfs:/fpp-ompi >"$WORK/ompi.log" 2>&1 || { cat "$WORK/ompi.log"; fail "Open MPI run"; }
    [ "$(grep -c 'OK (0 errors)' "$WORK/ompi.log")" = 4 ] || { cat "$WORK/ompi.log"; fail "Open MPI: not 4 OK lines"; }
    pass "the same file-per-process run with Debian's HDF5 for Open MPI"
fi

stop_ensemble
