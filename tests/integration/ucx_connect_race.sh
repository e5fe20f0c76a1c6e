#!/bin/bash
# ucx_connect_race.sh - the UCX 1.13 abort of doc/transport.md ("Why
# non-blocking TCP connects"), provoked on purpose: a client dies at the
# instant an I/O server's TCP connect to it has gone through and before
# the server has sent anything on it.  connect_kill.c (LD_PRELOAD in the
# servers) does the killing, so the window is hit every time the server
# is the side that connects the lane (which side does depends on the
# addresses; the test tries clients until it has hit the window 5 times).
# The servers must all survive and then serve a verified copy.
#
# With PFS_UCX_CONN_NB=n (UCX's default blocking connect, pfs before the
# fix) the I/O server aborts at the first hit
# (tcp_ep.c:478 Assertion `!(ep->flags & UCT_TCP_EP_FLAG_CTX_TYPE_TX)').
. "${top_srcdir:-.}/tests/integration/lib.sh"

H=$B/tests/integration/pfs_hostile
WANT=5
TRIES=60
command -v cc >/dev/null || fail "cc is missing"
cc -shared -fPIC -O1 -o "$WORK/connect_kill.so" \
    "$top_srcdir/tests/integration/connect_kill.c" -ldl ||
    fail "building connect_kill.so"

TRIG=$WORK/victim
# only pfs-iosrv processes act on the trigger (connect_kill.c)
LD_PRELOAD=$WORK/connect_kill.so PFS_TEST_CONNECT_KILL=$TRIG \
    start_ensemble mpich "$WORK/root" 2
export -n LD_PRELOAD PFS_TEST_CONNECT_KILL
unset LD_PRELOAD PFS_TEST_CONNECT_KILL

alive_all() {
    local pid
    for pid in $SERVER_PIDS; do
        kill -0 "$pid" 2>/dev/null || return 1
    done
}

hits=0
try=0
while [ "$hits" -lt "$WANT" ] && [ "$try" -lt "$TRIES" ]; do
    try=$((try + 1))
    # the victim writes its own pid before it exists as a client (exec)
    rm -f "$TRIG"
    sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$TRIG" \
        "$H" hold -s $((try % 2)) -n 1 -t 5 >/dev/null 2>&1 &
    vpid=$!
    # the server takes the trigger when it connects to the victim
    for _ in $(seq 40); do
        [ -e "$TRIG" ] || [ -e "$TRIG.tmp" ] || break
        sleep 0.05
    done
    if [ -e "$TRIG" ] || [ -e "$TRIG.tmp" ]; then
        rm -f "$TRIG" "$TRIG.tmp"  # this time the client connected the lane
    fi
    kill -9 "$vpid" 2>/dev/null
    wait "$vpid" 2>/dev/null
    sleep 0.3
    fired=$( [ -e "$TRIG.fired" ] && wc -l <"$TRIG.fired" || echo 0)
    hits=$fired
    alive_all || {
        tail -n 5 "$TRIG.fired" 2>/dev/null
        fail "an I/O server died after a client died at its connect (hit $hits, try $try)"
    }
done
log "$hits clients killed at the server's connect in $try tries; all servers alive"
[ "$hits" -ge "$WANT" ] ||
    fail "only $hits of $WANT hits in $TRIES tries: the servers never connected to the clients"
grep -q 'connect=0 \|errno=115' "$TRIG.fired" || fail "unexpected connect results: $(cat "$TRIG.fired")"

# and they still serve: a verified round trip through both I/O servers
head -c $((3 << 20)) /dev/urandom >"$WORK/in"
"$B/pfs-cp" -q "$WORK/in" pfs:/after.dat || fail "copy in after the race"
"$B/pfs-cp" -q pfs:/after.dat "$WORK/out" || fail "copy out after the race"
cmp -s "$WORK/in" "$WORK/out" || fail "data differs after the race"
log "servers still serve: 3 MiB written and read back"
stop_ensemble
log "PASS"
