#!/bin/bash
# sanitize-test.sh TEST [ARGS...] - run one test of scripts/sanitize.sh
# (its LOG_COMPILER) and fail it on any sanitizer report, whatever its
# exit status:
# - ASan and LSan reports of every process the test starts (servers
#   through mpiexec or mpirun, tools, MPI clients) go to files in
#   $PFS_SAN_REPORTS/TEST/ (log_path);
# - UBSan reports go to stderr whatever log_path says (gcc 12's runtime),
#   so the test's output and every log in its work directories (made in
#   a directory of this test's own through PFS_TEST_TMPDIR, kept with
#   PFS_KEEP_WORK=1, and removed here afterwards unless the test failed)
#   are searched for them and each hit is saved in the same directory.
name=$(basename "$1")
name=${name%.sh}
dir=${PFS_SAN_REPORTS:?run through scripts/sanitize.sh}/$name
mkdir -p "$dir"
chmod 1777 "$dir" # tests run some clients as another user
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$dir/asan"
# client_chaos checks that the servers' resident memory comes back to
# within 64 MiB of its baseline after 1000 client deaths; ASan's 256 MiB
# quarantine of freed blocks alone exceeds that.  16 MiB of quarantine
# still catches a use after free of anything freed recently.
[ "$name" = client_chaos ] &&
    ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16:allocator_release_to_os_interval_ms=500"
export PFS_KEEP_WORK=1
export PFS_TEST_TMPDIR=$dir.work
rm -rf "$PFS_TEST_TMPDIR"
mkdir -p "$PFS_TEST_TMPDIR"

out=$PFS_TEST_TMPDIR/test-output
"$@" >"$out" 2>&1
status=$?
cat "$out"

pattern='runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer'
n=0
for f in $(find "$PFS_TEST_TMPDIR" -type f \( -name '*.log' -o -name '*.err' -o -name '*.out' \) 2>/dev/null); do
    if grep -qE "$pattern" "$f"; then
        n=$((n + 1))
        grep -E -A20 "$pattern" "$f" >"$dir/stderr-report.$n"
        echo "(from $f)" >>"$dir/stderr-report.$n"
    fi
done
# the test's own output, if no log of a server or tool had it
if [ "$n" = 0 ] && grep -qE "$pattern" "$out"; then
    grep -E -A20 "$pattern" "$out" >"$dir/stderr-report.test-output"
fi

reports=$(find "$dir" -type f | sort)
if [ -n "$reports" ]; then
    for r in $reports; do
        echo "==== sanitizer report $r"
        cat "$r"
    done
    echo "$name: FAIL: $(echo "$reports" | wc -l) sanitizer report(s)"
    if [ "$status" = 0 ] || [ "$status" = 77 ]; then
        status=1
    fi
fi
if [ "$status" = 0 ] || [ "$status" = 77 ]; then
    rm -rf "$PFS_TEST_TMPDIR"
fi
exit "$status"
