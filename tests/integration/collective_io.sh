#!/bin/bash
# collective_io.sh - collective I/O with 1..8 ranks (oversubscribed) over
# 1, 2 and 4 I/O servers, every byte verified; a server killed in the
# middle of collective writes gives every rank the same error, none hangs.
. "${top_srcdir:-.}/tests/integration/lib.sh"

COLL=$B/tests/integration/coll_mpi_test

run_coll() {
    local np=$1 log=$WORK/coll-$2-$1.log
    timeout 300 "$MPIEXEC_MPICH" -n "$np" "$COLL" >"$log" 2>&1 ||
        { cat "$log"; fail "coll_mpi_test on $np ranks, $2 servers failed"; }
    grep -q "^PASS: 0 failed" "$log" || { cat "$log"; fail "not all checks passed"; }
    pass "$(grep -c '^ok:' "$log") collective checks on $np ranks over $2 I/O servers"
}

for nio in 2 1 4; do
    start_ensemble mpich "$WORK/root$nio" "$nio"
    case $nio in
    2) ranks="1 3 4 8" ;;
    1) ranks="4" ;;
    4) ranks="4 8" ;;
    esac
    for np in $ranks; do
        run_coll "$np" "$nio"
    done
    [ "$nio" = 2 ] && cat "$WORK/coll-2-4.log"
    stop_ensemble
done

# A server killed mid-collective.  Short request deadline: a killed local
# server is usually noticed at once anyway (connection reset).
start_ensemble mpich "$WORK/rootk" 2
PFS_TIMEOUT_MS=3000 timeout 120 "$MPIEXEC_MPICH" -genv PFS_TIMEOUT_MS 3000 \
    -n 4 "$COLL" --loop 60 >"$WORK/kill.log" 2>&1 &
client=$!
i=0
until grep -q '^looping' "$WORK/kill.log"; do
    i=$((i + 1)); [ "$i" -lt 300 ] || fail "collective loop never started"
    sleep 0.1
done
sleep 0.5
kill -KILL "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
wait_pid "$client" 90 || fail "a rank hung after the server was killed"
grep '^rank' "$WORK/kill.log"
[ "$(grep -c '^rank' "$WORK/kill.log")" = 4 ] || { cat "$WORK/kill.log"; fail "not every rank reported"; }
statuses=$(sed -n 's/^rank [0-9]*: status \(-*[0-9]*\) .*/\1/p' "$WORK/kill.log" | sort -u)
[ "$(echo "$statuses" | wc -l)" = 1 ] || fail "ranks disagree: $statuses"
[ "$statuses" -lt 0 ] || fail "the collective succeeded with a dead server?"
pass "server killed mid-collective: all 4 ranks returned status $statuses, none hung"
"$PFS_CTL" stop >/dev/null 2>&1 || true
log "PASS"
