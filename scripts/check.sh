#!/bin/bash
# check.sh - the whole test suite: install what is missing, build with
# warnings as errors, run `make check` (CUnit suites and the integration
# tests, which launch real ensembles with MPICH's mpiexec and Open MPI's
# mpirun on loopback, and run MPI-IO programs and ROMIO's own tests on
# the MPICH that adio/build-mpich.sh builds, and the HDF5 driver with
# Debian's HDF5 1.10 and with the HDF5 1.14.5 that h5fd/build-hdf5.sh
# builds), then `make distcheck`.
source "$(dirname "$0")/common.sh"

install_deps
# MPICH with the pfs driver, then HDF5 1.14 on it, then pfs itself, so
# that configure finds HDF5 1.14 and builds the HDF5 driver's plugin
build_mpich
build_hdf5
build --enable-werror --with-hdf5-plugin="$PFS_HDF5_PREFIX"

say "make check"
status=0
make -C "$BUILD" -j1 check || status=$?

# the CUnit run summary, and every failing test's log
cat "$BUILD/tests/unit/pfs_unit_tests.log" 2>/dev/null | sed -n '/Run Summary/,$p'
for log in "$BUILD"/tests/*/*.log; do
    [ -f "$log" ] || continue
    case $log in *pfs_unit_tests.log) continue ;; esac
    if grep -q '^:test-result: FAIL' "${log%.log}.trs" 2>/dev/null; then
        echo "---- $log"
        cat "$log"
    fi
done

if [ "$status" = 0 ] && [ -z "${PFS_SKIP_DISTCHECK:-}" ]; then
    say "make distcheck"
    make -C "$BUILD" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
        >"$BUILD/distcheck.log" 2>&1 || {
        tail -50 "$BUILD/distcheck.log"
        echo "make distcheck failed (full log: $BUILD/distcheck.log)"
        status=1
    }
    [ "$status" = 0 ] && echo "make distcheck: ok"
fi

# This script installs every prerequisite, so run as root (as CI does) a
# skipped test means an install step is missing: that fails the run.  As
# another user, tests that need root (env_faults.sh) skip; that is
# reported, not failed.  PFS_ALLOW_SKIP=1 allows skips anyway.
skipped=$(grep -l '^:test-result: SKIP' "$BUILD"/tests/*/*.trs "$BUILD"/scripts/*.trs 2>/dev/null || true)
if [ -n "$skipped" ]; then
    echo "skipped tests:"
    for t in $skipped; do
        echo "  ${t%.trs}: $(grep -h 'SKIP' "${t%.trs}.log" | head -1)"
    done
    if [ -z "${PFS_ALLOW_SKIP:-}" ] && [ "$(id -u)" = 0 ]; then
        echo "a test was skipped although this script installs what it needs (PFS_ALLOW_SKIP=1 allows it)"
        status=1
    fi
fi

pass=$(sed -n 's/^# PASS: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
fail=$(sed -n 's/^# FAIL: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
err=$(sed -n 's/^# ERROR: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
echo
echo "${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed"
exit "$status"
