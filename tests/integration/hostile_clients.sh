#!/bin/bash
# hostile_clients.sh - broken and hostile clients against a running
# ensemble, while two clients (over TCP as another user, and as the
# servers' user) keep writing, reading back and comparing files.  Every
# server must stay up and keep serving them, lose nothing, and say one
# clear line per misbehaving client:
#   - random bytes to the servers' listening ports;
#   - connections that never say hello (closed after --hello-timeout);
#   - a wrong cluster key, requests before hello;
#   - thousands of malformed messages after a good hello (bad headers,
#     truncated, over-long and corrupted bodies, bad run lists, stray
#     payloads), each round followed by a STATUS that must be answered;
#   - 100000 requests posted without waiting (the connection is cut);
#   - reads of 64 MiB that the client never takes;
#   - connections until the descriptors run out (RLIMIT_NOFILE lowered
#     on a running server), then back to normal;
#   - the local-access socket: garbage, tampered capabilities and other
#     files' ids, truncated requests,
#     more connections than it has slots, another user's connections.
. "${top_srcdir:-.}/tests/integration/lib.sh"

H=$B/tests/integration/pfs_hostile
AS_USER=$B/tests/integration/as_user
start_ensemble mpich "$WORK/root" 2 --hello-timeout 2

alive() {
    local pid
    for pid in $SERVER_PIDS; do
        pid_alive "$pid" || fail "server $pid died ($1)"
    done
}

# the other user's copy of the descriptor and a place for its files
UDIR=$(mktemp -d /tmp/pfs-hostile.XXXXXX)
chmod 1777 "$UDIR"
cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
chmod 644 "$UDIR/ensemble"
"$B/pfs-mkdir" -m 777 /v || fail "mkdir /v"

verifier() {
    local name=$1 n=0 bad=0
    shift
    # also stop once the test is gone: a failed test keeps WORK and
    # never makes the stop file, and nothing else ends this loop
    while [ ! -e "$WORK/stop" ] && kill -0 $$ 2>/dev/null; do
        head -c $(((1 << 20) + n % 5 * 65537)) /dev/urandom >"$UDIR/$name.in"
        chmod 644 "$UDIR/$name.in"
        if ! "$@" "$B/pfs-cp" -q "$UDIR/$name.in" "pfs:/v/$name.$n" 2>"$UDIR/$name.err" ||
            ! "$@" "$B/pfs-cp" -q "pfs:/v/$name.$n" "$UDIR/$name.out" 2>>"$UDIR/$name.err"; then
            # an error is not a loss, but only the descriptor step (new
            # clients refused) may cause one
            if [ ! -e "$WORK/fds" ]; then
                bad=$((bad + 1))
                echo "$name: round $n failed: $(cat "$UDIR/$name.err")" >>"$WORK/verify.fail"
            fi
        elif ! cmp -s "$UDIR/$name.in" "$UDIR/$name.out"; then
            bad=$((bad + 1)) # wrong bytes: always a failure
            echo "$name: round $n read back different bytes" >>"$WORK/verify.fail"
        fi
        "$@" "$B/pfs-rm" "/v/$name.$n" 2>/dev/null
        n=$((n + 1))
    done
    echo "$n $bad" >"$WORK/verify.$name"
}
# the TCP verifier is another user (local access refused), which takes
# root to become; otherwise the same user with local access off
if [ "$(id -u)" = 0 ]; then
    OTHER=("$AS_USER" 4711 4711 0 0 env) OTHER_WHO="as another user"
else
    OTHER=(env PFS_LOCAL_IO=off) OTHER_WHO="with local access off (not root: no other user to be)"
fi
verifier tcp "${OTHER[@]}" PFS_ENSEMBLE="$UDIR/ensemble" &
V1=$!
verifier local env &
V2=$!

# 1. random bytes to every listening port
for addr in $(awk '$1 == "mds" || $1 == "iosrv" { print $3 }' "$PFS_ENSEMBLE"); do
    port=${addr##*:}
    for i in $(seq 1 100); do
        # shellcheck disable=SC2216
        head -c $((1 + RANDOM % 20000)) /dev/urandom 2>/dev/null |
            timeout 5 bash -c "cat >/dev/tcp/127.0.0.1/$port" 2>/dev/null
    done
done
alive "random bytes to the listening ports"
pass "300 connections of random bytes to the listening ports"

# 2. connections that never say hello
before=$(ls /proc/"$(iosrv_pid "$PFS_ENSEMBLE" 0)"/fd | wc -l)
"$H" hold -s 0 -n 50 -t 4 >"$WORK/hold.log" 2>&1 || { cat "$WORK/hold.log"; fail "hold"; }
fds_back() {
    after=$(ls /proc/"$(iosrv_pid "$PFS_ENSEMBLE" 0)"/fd | wc -l)
    [ "$after" -le $((before + 2)) ]
}
wait_until 20 fds_back || fail "descriptors $before -> $after after the silent connections"
alive "silent connections"
pass "50 connections without hello closed after the 2 s hello timeout (descriptors $before -> $after)"

# 3. wrong key, requests before hello
for s in mds 0 1; do
    "$H" badkey -s "$s" >>"$WORK/auth.log" 2>&1 || { cat "$WORK/auth.log"; fail "badkey ($s)"; }
    "$H" nohello -s "$s" >>"$WORK/auth.log" 2>&1 || { cat "$WORK/auth.log"; fail "nohello ($s)"; }
done
alive "wrong keys"
pass "a wrong key and requests before hello refused (AUTH) on every server"

# 4. malformed messages after a good hello
for s in mds 0 1; do
    "$H" garbage -s "$s" -n 150 >>"$WORK/garbage.log" 2>&1 ||
        { cat "$WORK/garbage.log"; fail "garbage ($s)"; }
done
cat "$WORK/garbage.log"
alive "malformed messages"
n=$(grep -c "pfs_hostile\|refused" "$WORK/servers.log" || true)
pass "7200 malformed messages: every server answered a status after each round ($n log lines)"

# 5. a flood of requests without waiting
"$H" flood -s mds -n 100000 >"$WORK/flood.log" 2>&1 || { cat "$WORK/flood.log"; fail "flood"; }
cat "$WORK/flood.log"
grep -q "failed because the server closed the connection" "$WORK/flood.log" &&
    ! grep -q " 0 failed because the server closed" "$WORK/flood.log" ||
    fail "the flooding client was not cut off"
alive "flood"
pass "a client posting 100000 requests at once is cut off with one line"

# 6. reads that are never taken: the server's read memory stays
# available to everybody else
"$H" noread -s 0 -n 40 -t 6 >"$WORK/noread.log" 2>&1 &
NR=$!
sleep 2
head -c $((32 << 20)) /dev/urandom >"$UDIR/big"
PFS_LOCAL_IO=off "$B/pfs-cp" -q "$UDIR/big" pfs:/v/big &&
    PFS_LOCAL_IO=off "$B/pfs-cp" -q pfs:/v/big "$UDIR/big.out" &&
    cmp -s "$UDIR/big" "$UDIR/big.out" ||
    fail "a 32 MiB copy through the servers failed while a client held its reads"
wait "$NR"
alive "reads never taken"
pass "40 reads of 64 MiB never taken: another client's 32 MiB went through the servers meanwhile"

# 7. descriptors run out
P=$(iosrv_pid "$PFS_ENSEMBLE" 1)
soft=$(prlimit --pid "$P" --nofile --noheadings -o SOFT)
hard=$(prlimit --pid "$P" --nofile --noheadings -o HARD)
limit=$(($(ls /proc/"$P"/fd | wc -l) + 300))
touch "$WORK/fds"
prlimit --pid "$P" --nofile="$limit:$hard" || fail "prlimit"
"$H" hold -s 1 -n 100 -t 3 >"$WORK/fds.log" 2>&1 || { cat "$WORK/fds.log"; fail "hold (fds)"; }
grep -q "refusing new clients" "$WORK/servers.log" || fail "no line about refused clients"
alive "descriptors exhausted"
prlimit --pid "$P" --nofile="$soft:$hard" || fail "prlimit back"
sleep 3 # the verifiers' rounds that began during the step end
rm -f "$WORK/fds"
PFS_LOCAL_IO=off "$B/pfs-cp" -q "$UDIR/big" pfs:/v/after-fds &&
    PFS_LOCAL_IO=off "$B/pfs-cp" -q pfs:/v/after-fds "$UDIR/big.out" &&
    cmp -s "$UDIR/big" "$UDIR/big.out" || fail "copy after the descriptor exhaustion"
pass "with RLIMIT_NOFILE at $limit (300 more than in use), 100 connections: new clients refused with one line; normal service after"

# 8. the local-access socket
for s in 0 1; do
    "$H" local -s "$s" -n 300 >>"$WORK/local.log" 2>&1 || { cat "$WORK/local.log"; fail "local ($s)"; }
    "$H" localhold -s "$s" -n 300 -t 1 >>"$WORK/local.log" 2>&1 ||
        { cat "$WORK/local.log"; fail "localhold ($s)"; }
done
# another user's connections are closed at once: they cannot hold the
# slots that the servers' own user needs (becoming another user takes root)
others="other users cannot hold slots"
if [ "$(id -u)" = 0 ]; then
    "$AS_USER" 4711 4711 0 0 "$H" localhold -e "$UDIR/ensemble" -f /v -s 0 -n 300 -t 3 >"$WORK/local4711.log" 2>&1 &
    LH=$!
    sleep 1
    "$H" local -s 0 -n 1 >>"$WORK/local.log" 2>&1 ||
        { cat "$WORK/local.log"; fail "local access failed while another user held 300 connections"; }
    wait "$LH" # refused: its exit status says so
    cat "$WORK/local4711.log"
    # it got as far as its connections (a capability for a file in /v),
    # and its own good request was refused, as local access is for the
    # servers' user and root
    grep -q "^localhold: 300 connections held for 3 s; a good request then was refused" "$WORK/local4711.log" ||
        fail "the other user's localhold did not run as planned"
else
    others="another user's connections not tried (not root)"
fi
cat "$WORK/local.log"
alive "local-access socket"
pass "local-access socket: 600 bad requests refused, full slots refused not hung, $others"

touch "$WORK/stop"
wait "$V1" "$V2"
read -r n1 bad1 <"$WORK/verify.tcp"
read -r n2 bad2 <"$WORK/verify.local"
[ "$bad1" = 0 ] && [ "$bad2" = 0 ] || { cat "$WORK/verify.fail"; fail "a verifying client lost data"; }
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "the verifiers did not complete a round"
pass "verifiers: $n1 rounds over TCP $OTHER_WHO, $n2 as the servers' user, every byte right"

"$B/pfs-ctl" status >"$WORK/status.log" 2>&1 || { cat "$WORK/status.log"; fail "pfs-ctl status"; }
rm -rf "$UDIR"
stop_ensemble
log "PASS"
