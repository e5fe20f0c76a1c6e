#!/bin/bash
# startup_failure.sh - a server that cannot start makes the whole launch
# fail with a message naming the cause; no descriptor, no half-started
# ensemble.
. "${top_srcdir:-.}/tests/integration/lib.sh"
need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"

# expect_launch_failure NAME PATTERN LAUNCH-ARGS...: the launch must end by
# itself with a non-zero status, print PATTERN, and publish no descriptor.
expect_launch_failure() {
    local name=$1 pattern=$2 pid
    shift 2
    timeout 60 "$MPIEXEC_MPICH" "$@" >"$WORK/$name.log" 2>&1 &
    pid=$!
    wait_pid "$pid" 70 || fail "$name: launch did not end"
    [ "$WAIT_STATUS" != 0 ] || fail "$name: launch exited with status 0"
    [ "$WAIT_STATUS" != 124 ] || fail "$name: launch hung until killed"
        grep -q -- "$pattern" "$WORK/$name.log" ||
        { cat "$WORK/$name.log"; fail "$name: no message matching '$pattern'"; }
    pass "$name: launch failed (status $WAIT_STATUS): $(grep -m1 -- "$pattern" "$WORK/$name.log" | sed 's/.*error: //')"
}
ARGS="--listen 127.0.0.1"

# 1. An I/O server whose --root cannot be used (a plain file).
touch "$WORK/not-a-dir"
mkdir -p "$WORK/r1"
expect_launch_failure bad-root "cannot create" \
    -n 1 "$PFS_MDS" --root "$WORK/r1" $ARGS : \
    -n 1 "$PFS_IOSRV" --root "$WORK/r1" $ARGS : \
    -n 1 "$PFS_IOSRV" --root "$WORK/not-a-dir/sub" $ARGS
[ -e "$WORK/r1/ensemble" ] && fail "bad-root: a descriptor was published"

# 2. No I/O server at all.
expect_launch_failure no-iosrv "at least one pfs-iosrv" \
    -n 1 "$PFS_MDS" --root "$WORK/r2" $ARGS

# 3. A second MDS on a store that a running MDS holds (LevelDB lock).
start_ensemble mpich "$WORK/r3" 2
expect_launch_failure store-locked "metadata store" \
    -n 1 "$PFS_MDS" --root "$WORK/r3" --descriptor "$WORK/other" $ARGS : \
    -n 1 "$PFS_IOSRV" --root "$WORK/r3-other" $ARGS
"$PFS_CTL" status >/dev/null || fail "the first ensemble was disturbed"
pass "the running ensemble still answers"
stop_ensemble

# 4. Restart with another number of I/O servers than the namespace has.
expect_launch_failure server-count "created with 2 I/O servers" \
    -n 1 "$PFS_MDS" --root "$WORK/r3" $ARGS : -n 3 "$PFS_IOSRV" --root "$WORK/r3" $ARGS

# 5. Bad option values are refused before anything starts.
"$PFS_MDS" --root "$WORK/r5" --stripe-size 1000 >"$WORK/opt.log" 2>&1 &&
    fail "bad stripe size accepted"
grep -q "bad value" "$WORK/opt.log" || fail "no message for a bad option"
"$PFS_IOSRV" --help | grep -q "usage: pfs-iosrv" || fail "pfs-iosrv --help"
"$PFS_MDS" --help | grep -q "usage: pfs-mds" || fail "pfs-mds --help"
"$PFS_CTL" --help | grep -q "usage: pfs-ctl" || fail "pfs-ctl --help"
pass "bad options refused; --help works"
log "PASS"
