#!/bin/bash
# multihost_failure.sh - hosts that disappear without a reset, while
# clients on other hosts write, sync and read through MPI-IO (the pfs
# ROMIO driver; mpiio_fault_test on 2 ranks each of h4 and h5; the MDS on
# h1, I/O servers on h2 and h3; request deadline 3 s):
#   A. h3's link goes down in the middle of the work, then its server
#      dies (the host crashed); the link comes back and the ensemble is
#      launched again;
#   B. every process of h2 is stopped (SIGSTOP), then continued; the
#      ensemble serves new clients without a restart, and is restarted;
#   C. the MDS host is partitioned (h1's link down) while clients create,
#      write and sync a file per round, and another client creates files;
#      the partition heals;
#   D. h3's link goes down inside a collective MPI_File_sync, after three
#      ranks' syncs and before the fourth's (that rank lags on purpose):
#      the one failure must still be every rank's error.
# Each time: every client gets an error within its deadline (plus slack
# for a 2-core machine), none hangs, a failed collective call returns the
# same error class on every rank; and after the restart every round that
# MPI_File_sync acknowledged is read back intact, byte for byte.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multihost_lib.sh"

FT=$B/tests/integration/mpiio_fault_test
MK=$B/tests/integration/mkfiles
TIMEOUT_MS=3000
# what a failing call may take beyond its deadline on an oversubscribed
# 2-core machine (as in server_fault.sh): the check is that the deadline
# works, not how fast anything is
SLACK_MS=5000
# how long the program may take to end after the failure: a failed call,
# the agreement, and closing the file (which may wait one deadline more)
EXIT_S=30
export PFS_TIMEOUT_MS=$TIMEOUT_MS
mpiio_env
mh_up 5
on_clients() { LD_LIBRARY_PATH=$MPIIO_LIBS mpirun_on h4:2,h5:2 4 "$@"; }

# start_writers NAME ARGS...: mpiio_fault_test in the background; returns
# once 3 rounds are synced
start_writers() {
    local name=$1 i=0
    shift
    on_clients "$FT" "$@" -s 120 >"$WORK/$name.out" 2>&1 &
    WRITERS=$!
    until [ "$(grep -c '^synced' "$WORK/$name.out")" -ge 3 ]; do
        kill -0 "$WRITERS" 2>/dev/null || { cat "$WORK/$name.out"; fail "$name: writers ended early"; }
        i=$((i + 1)); [ "$i" -lt 600 ] || fail "$name: 3 rounds not synced in 60 s"
        sleep 0.1
    done
    FAIL_AT=$(date +%s%N)
}

# finish_writers NAME: the writers must end within EXIT_S of the failure,
# with an error; every reported call within its deadline plus slack; a
# failed collective agreed on by every rank.  Sets SYNCED.  EXTRA_MS:
# how long a call may wait beyond that for a rank that lags on purpose.
finish_writers() {
    local name=$1 out=$WORK/$1.out secs worst
    wait_pid "$WRITERS" "$EXIT_S" || { cat "$out"; fail "$name: the clients hung (still running $EXIT_S s after the failure)"; }
    secs=$((($(date +%s%N) - FAIL_AT) / 1000000))
    grep -v '^synced' "$out" | grep -v '^ADIOI' | sed 's/^/    /'
    [ "$WAIT_STATUS" = 1 ] || fail "$name: expected exit status 1 (an error), got $WAIT_STATUS"
    grep -q '^rank [0-9]*: .*: error' "$out" || fail "$name: no rank reported an error"
    # (an MPI error text may span lines: the time ends the report)
    worst=$(sed -n 's/.* after \([0-9]*\) ms$/\1/p' "$out" | sort -n | tail -1)
    [ -n "$worst" ] || fail "$name: no time in the error reports"
    [ "$worst" -le $((TIMEOUT_MS + SLACK_MS + ${EXTRA_MS:-0})) ] ||
        fail "$name: a call failed only after $worst ms (deadline $TIMEOUT_MS ms)"
    # mpiexec forwards the ranks' output in chunks: another rank's report
    # can land inside rank 0's verdict line ("...: classes" / "rank 3: ..."
    # / " 32 32 32 32: agree"), so the checks do not rely on whole lines
    if grep -q '^collective' "$out"; then
        grep -q ': agree$' "$out" && ! grep -q 'DISAGREE' "$out" ||
            fail "$name: ranks disagree on a collective's outcome"
        op=$(sed -n 's/^collective \([a-z_]*\) round \([0-9]*\).*/\1 round \2/p' "$out" | head -1)
        [ "$(grep -o "rank [0-9]*: $op: error" "$out" | sort -u | wc -l)" = 4 ] ||
            fail "$name: not all 4 ranks report the failed collective ($op)"
    fi
    SYNCED=$(sed -n 's/^rounds synced \([0-9]*\)$/\1/p' "$out")
    [ -n "$SYNCED" ] && [ "$SYNCED" -ge 3 ] || fail "$name: rounds synced: '$SYNCED'"
    pass "$name: every client ended with an error within $worst ms (deadline $TIMEOUT_MS ms${EXTRA_MS:+, plus up to $EXTRA_MS ms waiting for the lagging rank}), all done $secs ms after the failure; $SYNCED rounds synced before"
}

# verify NAME DIR ROUNDS [-f]: after a restart, every synced round intact
verify() {
    local name=$1 dir=$2 rounds=$3
    shift 3
    on_clients "$FT" -d "$dir" "$@" --verify "$rounds" >"$WORK/$name-verify.out" 2>&1 ||
        { cat "$WORK/$name-verify.out"; fail "$name: synced rounds not intact after the restart"; }
    grep -q "verified $rounds rounds: OK" "$WORK/$name-verify.out" || fail "$name: no verification line"
    pass "$name: all $rounds rounds acknowledged by MPI_File_sync read back intact ${VERIFY_WHEN:-after the restart}"
}

# stop_rest: stop what is left of the ensemble after a crash (pfs-ctl
# names the dead server) and wait for every server and the launcher
stop_rest() {
    local pid
    "$PFS_CTL" stop >"$WORK/stop-rest.log" 2>&1
    for pid in $SERVER_PIDS; do
        wait_until 30 eval "! pid_alive $pid" || fail "server $pid did not stop"
    done
    wait_pid "$LAUNCH_PID" 60 || fail "launcher still running 60 s after its servers ended"
    LAUNCH_PID=""
    SERVER_PIDS=""
}

mh_start_ensemble mpich h1 "h2 h3"
on h4 "$B/pfs-mkdir" /a /b /c /d /meta >/dev/null || fail "pfs-mkdir"

# ---- A: a storage host's link goes down, then the host dies ---------------
start_writers A -d pfs:/a
"$VCLUSTER_SH" cut h3 || fail "cut h3"
log "A: h3's link is down (no reset reaches anyone)"
finish_writers A
SYNCED_A=$SYNCED
kill -KILL "$(iosrv_pid "$PFS_ENSEMBLE" 1)"   # the host crashed
"$VCLUSTER_SH" heal h3 || fail "heal h3"
stop_rest
mh_start_ensemble mpich h1 "h2 h3"
verify A pfs:/a "$SYNCED_A"

# ---- B: every process of a storage host stopped ---------------------------
start_writers B -d pfs:/b
"$VCLUSTER_SH" freeze h2 || fail "freeze h2"
log "B: every process on h2 stopped"
finish_writers B
SYNCED_B=$SYNCED
"$VCLUSTER_SH" thaw h2 || fail "thaw h2"
# continued, the ensemble works again without a restart
mpirun_on h5:1 1 "$EXAMPLE" -f pfs:/after-thaw.dat -s 3m >"$WORK/thaw.log" 2>&1 ||
    { cat "$WORK/thaw.log"; fail "B: the ensemble does not serve after SIGCONT"; }
pass "B: after SIGCONT the ensemble serves a new client without a restart"
mh_stop_ensemble
mh_start_ensemble mpich h1 "h2 h3"
verify B pfs:/b "$SYNCED_B"
verify A-again pfs:/a "$SYNCED_A"

# ---- C: the MDS partitioned -------------------------------------------------
start_writers C -d pfs:/c -f
on h5 "$MK" /meta 1000000 0 -v >"$WORK/mkfiles.out" 2>"$WORK/mkfiles.err" &
MKPID=$!
sleep 0.5
kill -0 "$MKPID" 2>/dev/null || { cat "$WORK/mkfiles.err"; fail "C: the metadata client ended early"; }
"$VCLUSTER_SH" cut h1 || fail "cut h1"
log "C: the MDS host's link is down"
t0=$(date +%s%N)
wait_pid "$MKPID" $(((TIMEOUT_MS + SLACK_MS) / 1000)) ||
    fail "C: the metadata client did not fail within $((TIMEOUT_MS + SLACK_MS)) ms"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$WAIT_STATUS" != 0 ] || fail "C: creates went on with the MDS partitioned?"
pass "C: a client creating files got '$(tail -1 "$WORK/mkfiles.err")' $ms ms after the partition, after $(wc -l <"$WORK/mkfiles.out") creates"
finish_writers C
SYNCED_C=$SYNCED
"$VCLUSTER_SH" heal h1 || fail "heal h1"
wait_until 30 on h4 "$B/pfs-ls" /c >/dev/null 2>&1 || fail "C: no metadata service after the partition healed"
pass "C: after the partition healed the MDS answers again without a restart"
mh_stop_ensemble
mh_start_ensemble mpich h1 "h2 h3"
verify C pfs:/c "$SYNCED_C" -f

# ---- D: a host lost inside a collective sync, seen by one rank only --------
# Rank 3 sleeps LAG ms before its sync of round 3; the link goes down 1 s
# into that, when the other ranks' syncs are done (were they not, they
# would fail as well, and the outcome is the same).  Each rank syncs every
# server of the file, so only rank 3 meets the dead link; the driver must
# make its error every rank's.  Without that agreement the other ranks
# returned success from the same call (seen in A by chance as
# "classes 0 0 0 32").
LAG=4000
start_writers D -d pfs:/d -l "$LAG"
wait_until 60 grep -q 'rank 3: lagging before sync round 3' "$WORK/D.out" ||
    { cat "$WORK/D.out"; fail "D: rank 3 never reached its lag"; }
sleep 1
"$VCLUSTER_SH" cut h3 || fail "cut h3"
log "D: h3's link is down while rank 3 lags before its sync"
EXTRA_MS=$LAG finish_writers D
grep -q '^collective sync round 3: ' "$WORK/D.out" && grep -q ': agree$' "$WORK/D.out" &&
    ! grep -q 'DISAGREE' "$WORK/D.out" ||
    fail "D: the sync of round 3 should have failed, the same on every rank"
SYNCED_D=$SYNCED
"$VCLUSTER_SH" heal h3 || fail "heal h3"
VERIFY_WHEN="with the link back (no restart)" verify D pfs:/d "$SYNCED_D"
mh_stop_ensemble
log "PASS"
