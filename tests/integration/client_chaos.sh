#!/bin/bash
# client_chaos.sh - no client can bring a server down: 1000 clients over
# TCP (another user's processes, as on another host) die abruptly at
# every stage of their exchange with the servers (right after
# connecting, after a metadata request, with writes or reads in flight,
# leaving with _exit, or leaving cleanly after one metadata request while
# the I/O servers still wire up its unused endpoints) and every tenth pfs-cp is killed by kill -9 from
# outside, while two clients (one over TCP, one over shared memory) write
# and read back files and verify every byte.  No server may die, the
# verifying clients must lose nothing, and the servers' descriptor and
# memory counts must come back to where they were.
#
# PFS_CHAOS_CLIENTS (default 1000) sets the number of dying clients.
# With PFS_UCX_ERR_MODE=none (UCX's error mode before the fix) the
# servers abort inside UCX within the first few hundred deaths.
. "${top_srcdir:-.}/tests/integration/lib.sh"

CHAOS=$B/tests/integration/pio_chaos_client
NCHAOS=${PFS_CHAOS_CLIENTS:-1000}
PAR=4
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"

start_ensemble mpich "$WORK/root" 2

# an unprivileged user with its own readable descriptor copy: its
# clients use TCP (the kernel refuses shared memory between users)
UDIR=$(mktemp -d /tmp/pfs-chaos.XXXXXX)
chmod 1777 "$UDIR"
cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
chmod 644 "$UDIR/ensemble"
asuser() {
    setpriv --reuid=4711 --regid=4711 --clear-groups \
        env PFS_ENSEMBLE="$UDIR/ensemble" "$@"
}
asuser test -x "$CHAOS" || fail "the build tree is not readable by other users"
"$B/pfs-mkdir" -m 777 /chaos || fail "mkdir /chaos"
head -c $((8 << 20)) /dev/urandom >"$UDIR/big"
chmod 644 "$UDIR/big"
"$B/pfs-cp" -q "$UDIR/big" pfs:/chaos/read.dat && "$B/pfs-chmod" 666 /chaos/read.dat ||
    fail "setting up /chaos/read.dat"

# server_usage: "fds rss_kib" of each server, one line per server
server_usage() {
    local pid
    for pid in $SERVER_PIDS; do
        echo "$(ls /proc/"$pid"/fd | wc -l) $(awk '/^VmRSS/ { print $2 }' /proc/"$pid"/status)"
    done
}

# one dying client; $1 is its number
chaos_one() {
    local i=$1 mode
    case $((i % 6)) in
    0) mode=connect ;; 1) mode=meta ;; 2) mode=write ;; 3) mode=read ;;
    4) mode=exit ;; 5) mode=leave ;;
    esac
    if [ $((i % 10)) = 9 ]; then
        # killed from outside, at a random moment of a copy
        asuser "$B/pfs-cp" -q "$UDIR/big" "pfs:/chaos/cp.$((i % PAR))" 2>/dev/null &
        local p=$!
        sleep "0.0$((RANDOM % 10))"
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
        return 0
    fi
    local f=/chaos/read.dat
    [ "$mode" = write ] && f=/chaos/w.$((i % PAR))
    asuser "$CHAOS" --mode "$mode" -f "$f" -s $((8 << 20)) --seed "$i" 2>>"$WORK/chaos.err"
    # killed by its own SIGKILL (137) or _exit(0); 1 is a setup failure
    [ $? != 1 ] || echo "client $i ($mode) could not set up" >>"$WORK/chaos.fail"
}

# warm up (UCX's pools, the servers' buffers), then take the baseline
for i in $(seq 0 19); do chaos_one "$i"; done
sleep 2
server_usage >"$WORK/usage.before"

# the verifiers: write, read back, compare, until told to stop
verifier() {
    local name=$1 n=0 bad=0
    shift
    while [ ! -e "$WORK/stop" ]; do
        head -c $(((1 << 20) + n % 7 * 100003)) /dev/urandom >"$UDIR/$name.in"
        if ! "$@" "$B/pfs-cp" -q "$UDIR/$name.in" "pfs:/chaos/$name.$n" ||
            ! "$@" "$B/pfs-cp" -q "pfs:/chaos/$name.$n" "$UDIR/$name.out" ||
            ! cmp -s "$UDIR/$name.in" "$UDIR/$name.out"; then
            bad=$((bad + 1))
            echo "$name: round $n failed" >>"$WORK/verify.fail"
        fi
        "$@" "$B/pfs-rm" "/chaos/$name.$n" 2>/dev/null
        n=$((n + 1))
    done
    echo "$n $bad" >"$WORK/verify.$name"
}
verifier tcp asuser &
V1=$!
verifier shm env &
V2=$!

t0=$(date +%s)
for ((i = 20; i < NCHAOS + 20; i += PAR)); do
    for ((j = 0; j < PAR && i + j < NCHAOS + 20; j++)); do
        chaos_one $((i + j)) &
    done
    wait_pids=$(jobs -p | grep -v -w -e "$V1" -e "$V2" -e "$LAUNCH_PID")
    wait $wait_pids 2>/dev/null
    for pid in $SERVER_PIDS; do
        pid_alive "$pid" || { touch "$WORK/stop"; fail "server $pid died after $((i - 20)) client deaths"; }
    done
done
touch "$WORK/stop"
wait "$V1" "$V2"
log "$NCHAOS client deaths in $(($(date +%s) - t0)) s"
[ ! -s "$WORK/chaos.fail" ] || { cat "$WORK/chaos.fail"; fail "some dying clients could not even start"; }
read -r n1 bad1 <"$WORK/verify.tcp"
read -r n2 bad2 <"$WORK/verify.shm"
[ "$bad1" = 0 ] && [ "$bad2" = 0 ] || { cat "$WORK/verify.fail"; fail "a verifying client lost data"; }
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "the verifiers did not complete a round"
pass "$NCHAOS abrupt client deaths: every server alive; verifiers: $n1 rounds over TCP, $n2 over shared memory, every byte right"

# the servers let go of what the dead clients held
usage_back() {
    server_usage >"$WORK/usage.after"
    paste "$WORK/usage.before" "$WORK/usage.after" |
        awk '$3 > $1 + 2 || $4 > $2 + 65536 { bad = 1 } END { exit bad }'
}
wait_until 60 usage_back || {
    paste "$WORK/usage.before" "$WORK/usage.after"
    fail "server descriptors or memory did not come back (fds, RSS KiB before | after)"
}
paste "$WORK/usage.before" "$WORK/usage.after" | while read -r f0 r0 f1 r1; do
    log "server: $f0 -> $f1 descriptors, $((r0 / 1024)) -> $((r1 / 1024)) MiB resident"
done
pass "descriptors back to the baseline (+2), memory within 64 MiB of it"

"$B/pfs-ctl" status >"$WORK/status.log" 2>&1 || fail "pfs-ctl status after the chaos"
rm -rf "$UDIR"
stop_ensemble
log "PASS"
