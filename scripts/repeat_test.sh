#!/bin/bash
# repeat_test.sh - run one test of the suite N times in a row and record
# each run's result and time, to show that a test is not flaky.
#
#   scripts/repeat_test.sh [-o FILE] TEST N
#
# TEST is a test's path in the build tree, e.g.
# tests/integration/namespace_tools.sh.  Uses the existing build
# ($PFS_BUILD_DIR, default ./build; run scripts/check.sh or quickstart
# first).  Stops at the first failure and keeps that run's log.  The
# record (one line per run, then a summary) goes to FILE (default
# tests/results/NAME-repeat-DATE.txt in the source tree) and to stdout.
# Exit status 0 only when all N runs passed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PFS_BUILD_DIR:-$TOP/build}
OUT=""

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit "$1"
}
while getopts o:h opt; do
    case $opt in
    o) OUT=$OPTARG ;;
    h) usage 0 ;;
    *) usage 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# = 2 ] || usage 2
TEST=$1
N=$2
case $N in '' | *[!0-9]*) echo "repeat_test.sh: N must be a number" >&2; exit 2 ;; esac
[ -f "$BUILD/Makefile" ] || { echo "repeat_test.sh: no build in $BUILD (run scripts/check.sh first)" >&2; exit 2; }
[ -f "$TOP/$TEST" ] || { echo "repeat_test.sh: no test $TEST in $TOP" >&2; exit 2; }
name=$(basename "$TEST" .sh)
mkdir -p "$TOP/tests/results"
OUT=${OUT:-$TOP/tests/results/$name-repeat-$(date +%Y%m%d-%H%M%S).txt}

{
    echo "# $TEST, $N runs in a row, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# host: $(uname -n), $(nproc) cores, $(uname -r); commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "# run result seconds"
} >"$OUT"
cat "$OUT"

passed=0
total=0
for i in $(seq "$N"); do
    t0=$(date +%s.%N)
    make -C "$BUILD" -s check TESTS="$TEST" >"$BUILD/repeat-$name.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    total=$(awk -v a="$total" -v b="$secs" 'BEGIN { print a + b }')
    if [ "$rc" = 0 ] && grep -q "^PASS: $TEST" "$BUILD/repeat-$name.log"; then
        res=PASS
        passed=$((passed + 1))
    else
        res=FAIL
    fi
    printf '%3d %s %s\n' "$i" "$res" "$secs" | tee -a "$OUT"
    if [ "$res" = FAIL ]; then
        cat "$BUILD/$TEST.log" 2>/dev/null | tail -40
        break
    fi
done
awk -v p="$passed" -v n="$N" -v t="$total" -v runs="$i" \
    'BEGIN { printf "# %d of %d passed; %.1f s per run on average\n", p, n, t / runs }' |
    tee -a "$OUT"
[ "$passed" = "$N" ]
