#!/bin/bash
# local_io.sh - local access (common/local.h): a client on the I/O servers'
# host reads and writes large pieces of their objects itself, through
# descriptors the servers hand out.  Every byte is verified, and the
# servers' counters show that the data did not pass through them.  With
# local access off (client or server), for another user, and for small
# pieces, the data goes through the servers.  Server-side sieving and local
# writes into the same span never lose each other's bytes.
. "${top_srcdir:-.}/tests/integration/lib.sh"

T=$B/tests/integration/local_io_test
SIZE=$((24 << 20))

# bytes read plus bytes written by all I/O servers so far
server_bytes() {
    "$PFS_CTL" status | awk '$1 == "iosrv" { n += $9 + $10 } END { print n + 0 }'
}

# basic NAME EXPECT_LOCAL [env...]: one client writes and reads SIZE bytes;
# EXPECT_LOCAL "all" (everything local, the servers see none of it) or
# "none" (everything through the servers)
basic() {
    local name=$1 expect=$2 before after moved got
    shift 2
    before=$(server_bytes)
    env "$@" "$T" --basic "/$name.dat" "$SIZE" >"$WORK/$name.log" 2>&1 ||
        { cat "$WORK/$name.log"; fail "$name: the data did not check out"; }
    after=$(server_bytes)
    moved=$((after - before))
    got=$(sed -n 's/.*; local \([0-9]*\)$/\1/p' "$WORK/$name.log")
    log "$name: $(cat "$WORK/$name.log"); the servers moved $moved bytes"
    case $expect in
    all)
        # written, read back, and the 1 MiB hole read: all locally
        [ "$got" = $((2 * SIZE + (1 << 20))) ] ||
            fail "$name: expected $((2 * SIZE + (1 << 20))) bytes through local access, got $got"
        [ "$moved" = 0 ] || fail "$name: $moved bytes passed through the servers"
        ;;
    none)
        [ "$got" = 0 ] || fail "$name: $got bytes went through local access"
        [ "$moved" -ge $((2 * SIZE)) ] || fail "$name: only $moved bytes passed through the servers"
        ;;
    esac
}

start_ensemble mpich "$WORK/root" 2
grep -q "local access for clients on this host" "$WORK/servers.log" ||
    { cat "$WORK/servers.log"; fail "the I/O servers do not offer local access"; }

basic local all
pass "24 MiB written and read through local access, verified; the servers moved none of it"

basic client-off none PFS_LOCAL_IO=off
pass "PFS_LOCAL_IO=off: every byte through the servers, verified"

# another user: the servers refuse (they would not let it open the object
# files either), and the client goes through them, over TCP
if [ "$(id -u)" = 0 ]; then
    UDIR=$(mktemp -d /tmp/pfs-localuser.XXXXXX)
    chmod 755 "$UDIR"
    cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
    chmod 644 "$UDIR/ensemble"
    basic other-user none setpriv --reuid=4711 --regid=4711 --clear-groups \
        env PFS_ENSEMBLE="$UDIR/ensemble"
    rm -rf "$UDIR"
    pass "another user (uid 4711): refused by the servers, every byte through them, verified"
else
    log "not root: the other-user run needs root to switch users; left out"
fi

# sieving (server) and local writes into one span, 300 times
timeout 300 "$MPIEXEC_MPICH" -n 2 "$T" --race /race.dat 300 >"$WORK/race.log" 2>&1 ||
    { cat "$WORK/race.log"; fail "sieved and local writes into one span lost bytes"; }
cat "$WORK/race.log"
grep -q "rank 1 wrote 0 bytes" "$WORK/race.log" && fail "race: rank 1 did not write locally"
grep -q "rank 0 wrote 0 bytes" "$WORK/race.log" || fail "race: rank 0's small pieces went local"
grep -q "^race: 300 iterations, 0 bad bytes" "$WORK/race.log" || fail "race: bad bytes"
pass "300 rounds of a server sieve and a local write into the same 4 MiB span: no byte lost"

# A hung I/O server (SIGSTOP): a file opened again asks it for a
# descriptor, the answer never comes, and after at most 1 s the client goes
# through the server, whose request deadline (2 s) ends it.  An error,
# never a hang.
"$B/tests/integration/pio_fault_client" -f /hung.dat -s 4194304 --gate "$WORK/gate" \
    --timeout-ms 2000 --reopen >"$WORK/hung.out" 2>&1 &
pid=$!
i=0
until grep -q '^ready' "$WORK/hung.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/hung.out"; fail "hung: client died before the gate"; }
    i=$((i + 1)); [ "$i" -lt 600 ] || fail "hung: client never reached the gate"
    sleep 0.1
done
kill -STOP "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
touch "$WORK/gate"
wait_pid "$pid" 60 || { kill -KILL "$pid"; kill -CONT "$(iosrv_pid "$PFS_ENSEMBLE" 1)"; fail "hung: client hung"; }
kill -CONT "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
result=$(grep '^result' "$WORK/hung.out") || { cat "$WORK/hung.out"; fail "hung: no result"; }
log "hung: $result"
case $result in
*"status=-13 "*) ;;
*) fail "hung server: expected PFS_ERR_TIMEOUT (-13)" ;;
esac
pass "a hung I/O server: the reopened file's read ended with a timeout, no hang"
stop_ensemble

# servers started with --local-access off
IOSRV_ARGS="--local-access off" start_ensemble mpich "$WORK/root-off" 2
grep -q "local access off" "$WORK/servers.log" || fail "no 'local access off' in the server log"
basic server-off none
pass "pfs-iosrv --local-access off: every byte through the servers, verified"
stop_ensemble
log "PASS"
