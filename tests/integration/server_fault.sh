#!/bin/bash
# server_fault.sh - a dead or hung I/O server gives the client an error
# within the configured request timeout, never a hang; a missing ensemble
# gives a clear error at pio_init.
. "${top_srcdir:-.}/tests/integration/lib.sh"

# These cases are about requests to a server.  A client on the server's own
# host would read and write an open file's objects without it (local access,
# tested in local_io.sh), and a hung server would not stop it.
export PFS_LOCAL_IO=off

CLIENT=$B/tests/integration/pio_fault_client
TIMEOUT_MS=2000
# The bound below is "the configured timeout plus start-up slack on an
# oversubscribed 2-core machine": it checks that the deadline works at all,
# not how fast anything is.
SLACK_MS=5000

# run_gated NAME SIGNAL [client options]: start a client, let it connect
# and verify a file, send SIGNAL to I/O server 1, then let the client issue
# its next request.
run_gated() {
    local name=$1 sig=$2 gate=$WORK/$1.gate out=$WORK/$1.out pid i=0
    shift 2
    "$CLIENT" -f "/$name.dat" -s 1048576 --gate "$gate" \
        --timeout-ms "$TIMEOUT_MS" "$@" >"$out" 2>&1 &
    pid=$!
    until grep -q '^ready' "$out" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { cat "$out"; fail "$name: client died before the gate"; }
        i=$((i + 1)); [ "$i" -lt 600 ] || fail "$name: client never reached the gate"
        sleep 0.1
    done
    kill "-$sig" "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
    touch "$gate"
    wait_pid "$pid" 60 || { kill -KILL "$pid"; fail "$name: client hung"; }
    RESULT=$(grep '^result' "$out") || { cat "$out"; fail "$name: no result"; }
    log "$name: $RESULT"
    ELAPSED=$(echo "$RESULT" | sed 's/.*elapsed_ms=\([0-9]*\).*/\1/')
    STATUS=$(echo "$RESULT" | sed 's/.*status=\(-*[0-9]*\).*/\1/')
}

start_ensemble mpich "$WORK/root" 2

# 0. Deadlines that expire in the middle of 8 MiB reads (5 ms): every read
#    either succeeds with the right bytes or fails; none reports success
#    with a partly filled buffer, and nothing crashes.
"$CLIENT" -f /deadline.dat -s 8388608 --stripe 1048576 --read-timeout-ms 5 \
    --reads 100 >"$WORK/deadline.out" 2>&1
rc=$?
cat "$WORK/deadline.out"
[ "$rc" = 0 ] || fail "reads racing a 5 ms deadline: exit $rc (3: wrong data reported as success)"
pass "reads racing a 5 ms deadline: $(grep '^reads' "$WORK/deadline.out")"

# 1. A hung server (SIGSTOP): nothing resets the connection, only the
#    request deadline can end the wait.
run_gated hung STOP
[ "$STATUS" = -13 ] || fail "hung server: expected PFS_ERR_TIMEOUT (-13), got $STATUS"
[ "$ELAPSED" -ge "$TIMEOUT_MS" ] || fail "hung server: error after $ELAPSED ms, before the deadline"
[ "$ELAPSED" -le $((TIMEOUT_MS + SLACK_MS)) ] || fail "hung server: error only after $ELAPSED ms"
pass "request to a hung I/O server timed out after $ELAPSED ms (timeout $TIMEOUT_MS ms)"

# 1b. The same with a non-blocking read completed by pio_test alone (as
#     MPI_Test does): the transport's progress sweeps deadlines too.
kill -CONT "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
run_gated hung_poll STOP --poll
[ "$STATUS" = -13 ] || fail "hung server, polled: expected PFS_ERR_TIMEOUT (-13), got $STATUS"
[ "$ELAPSED" -ge "$TIMEOUT_MS" ] || fail "hung server, polled: error after $ELAPSED ms, before the deadline"
pass "polled request to a hung I/O server timed out after $ELAPSED ms"

# The server resumes: a new client works again.
kill -CONT "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
"$CLIENT" -f /after.dat -s 1048576 >"$WORK/after.out" 2>&1 ||
    { cat "$WORK/after.out"; fail "ensemble unusable after the server resumed"; }
grep -q 'status=0 ' "$WORK/after.out" || fail "read after resume failed"
pass "after SIGCONT the ensemble serves new clients"

# 2. A killed server (SIGKILL).
run_gated killed KILL
[ "$STATUS" -lt 0 ] || fail "killed server: the request succeeded?"
[ "$ELAPSED" -le $((TIMEOUT_MS + SLACK_MS)) ] || fail "killed server: error only after $ELAPSED ms"
pass "request to a killed I/O server failed (status $STATUS) after $ELAPSED ms"

# The surviving servers still answer and stop cleanly on request; the
# killed one is reported.  (What the launcher does about the dead process
# is its own business: hydra sometimes reaps it only much later.)
"$PFS_CTL" stop >"$WORK/stop-after-kill.log" 2>&1 &&
    fail "pfs-ctl stop claims to have stopped a killed server"
grep -q "cannot stop iosrv 1" "$WORK/stop-after-kill.log" ||
    { cat "$WORK/stop-after-kill.log"; fail "pfs-ctl stop does not name the dead server"; }
for pid in $SERVER_PIDS; do
    i=0
    while pid_alive "$pid"; do
        i=$((i + 1)); [ "$i" -lt 100 ] || fail "server $pid did not stop"
        sleep 0.1
    done
done
pass "pfs-ctl stop stopped the survivors and named the dead server"

# 3. No ensemble: pio_init fails fast and says why.
"$CLIENT" -f /x.dat -s 4096 --timeout-ms "$TIMEOUT_MS" >"$WORK/none.out" 2>&1 &&
    fail "pio_init succeeded with every server dead"
grep -q "pio_init" "$WORK/none.out" || fail "no pio_init error message"
log "dead ensemble: $(cat "$WORK/none.out")"
(unset PFS_ENSEMBLE; "$CLIENT" -f /x.dat -s 4096 >"$WORK/unset.out" 2>&1) &&
    fail "pio_init succeeded without a descriptor"
grep -q "PFS_ENSEMBLE" "$WORK/unset.out" || fail "error does not mention PFS_ENSEMBLE"
pass "pio_init without an ensemble fails with: $(cat "$WORK/unset.out")"
log "PASS"
