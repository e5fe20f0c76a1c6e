#!/bin/bash
# sanitize.sh - the test suite under AddressSanitizer (with LeakSanitizer)
# and UndefinedBehaviorSanitizer: build pfs with --enable-sanitizers in its
# own build directory, run the CUnit suites and the integration tests with
# every pfs server, tool and test client instrumented, and fail on any
# sanitizer report.  doc/sanitizers.md says what is and is not covered.
#
#   scripts/sanitize.sh [TEST...]     (default: the unit tests and all
#                                      integration tests of make check)
#
# PFS_SAN_BUILD_DIR: the build directory (default ./build-sanitize).
# Reports go to $PFS_SAN_BUILD_DIR/sanitizer-reports/TEST/ (one file per
# reporting process); each test that leaves one fails, and so does the run.
# Needs what make check needs (scripts/check.sh installs it; the MPI-IO
# tests use the MPICH that adio/build-mpich.sh builds, which this script
# does not build).
source "$(dirname "$0")/common.sh"

BUILD=${PFS_SAN_BUILD_DIR:-$TOP/build-sanitize}
REPORTS=$BUILD/sanitizer-reports

install_deps
build --enable-sanitizers --enable-werror CFLAGS="-g -O1"
say "make check programs"
make -C "$BUILD" -j"$JOBS" check TESTS= >/dev/null

# halt_on_error: the first report ends the process (and fails its test);
# log_path: reports also land in files that the test wrapper checks, so a
# report from a server whose exit status nobody reads still fails the test.
# ASan's exitcode 86 makes a leak at exit visible to a launcher too.
# fast_unwind_on_malloc=0: whole allocation stacks through libraries built
# without frame pointers, so that suppressions match exactly.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$TOP/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$TOP/scripts/ubsan.supp"
# hwloc's PCI plugin (loaded by MPICH and Open MPI in every MPI process)
# keeps libpciaccess's state in its own globals, and hwloc dlcloses it:
# LeakSanitizer then reports those blocks from an "<unknown module>", which
# no suppression can name.  Loopback tests need no PCI topology.
export HWLOC_PLUGINS_BLACKLIST=hwloc_pci
export PFS_SAN_REPORTS=$REPORTS

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
if [ $# -gt 0 ]; then
    tests=""
    for t in "$@"; do
        case $t in
        pfs_unit_tests|unit) tests="$tests tests/unit/pfs_unit_tests" ;;
        *.sh) tests="$tests tests/integration/$(basename "$t")" ;;
        *) tests="$tests tests/integration/$t.sh" ;;
        esac
    done
else
    tests='tests/unit/pfs_unit_tests $(INTEGRATION_TESTS)'
fi

say "make check under ASan+UBSan (reports: $REPORTS)"
status=0
start=$(date +%s)
make -C "$BUILD" -j1 check TESTS="$tests" \
    LOG_COMPILER="$TOP/scripts/sanitize-test.sh" || status=$?
end=$(date +%s)

nreports=$(find "$REPORTS" -mindepth 2 -maxdepth 2 -type f -not -path "*.work/*" | wc -l)
for log in "$BUILD"/tests/*/*.log; do
    [ -f "$log" ] || continue
    if grep -q '^:test-result: FAIL' "${log%.log}.trs" 2>/dev/null; then
        echo "---- $log (last 60 lines)"
        tail -60 "$log"
    fi
done
pass=$(sed -n 's/^# PASS: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
fail=$(sed -n 's/^# FAIL: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
skip=$(sed -n 's/^# SKIP: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
err=$(sed -n 's/^# ERROR: *//p' "$BUILD/test-suite.log" 2>/dev/null || true)
echo
echo "sanitizer reports: $nreports (in $REPORTS); $((end - start)) s"
[ "$nreports" = 0 ] || status=1
echo "${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed, ${skip:-0} skipped"
exit "$status"
