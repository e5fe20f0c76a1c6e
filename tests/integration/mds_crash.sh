#!/bin/bash
# mds_crash.sh - kill -9 the metadata server in the middle of a create
# storm from 3 clients (durable policy, group commit), restart the
# ensemble: the store the crash left behind passes pfs-fsck, every create
# that was acknowledged is there, the store opens cleanly and the tree can
# be removed (and passes pfs-fsck again).
#
# What this proves: a reply is sent only after its operation is in
# LevelDB's log.  Killing the process leaves the log in the kernel's page
# cache, so it does not test the fsync itself (that needs the machine to
# crash); the commit thread's one synced write per group is what makes the
# log durable.
. "${top_srcdir:-.}/tests/integration/lib.sh"

MK=$B/tests/integration/mkfiles
ROOT=$WORK/root
start_ensemble mpich "$ROOT" 2
"$B/pfs-mkdir" /storm || fail "mkdir"
pids=""
for c in 1 2 3; do
    "$B/pfs-mkdir" "/storm/c$c" || fail "mkdir c$c"
    "$MK" "/storm/c$c" 100000 0 -v >"$WORK/acked.$c" 2>"$WORK/client.$c.err" &
    pids="$pids $!"
done
sleep 0.7
mds=$(awk '$1 == "mds" { print $4 }' "$PFS_ENSEMBLE")
kill -KILL "$mds"
for p in $pids; do
    wait_pid "$p" 60 || fail "a client hung after the MDS was killed"
done
acked=$(cat "$WORK"/acked.* | wc -l)
[ "$acked" -gt 0 ] || fail "no create was acknowledged before the kill"
log "MDS killed after $acked acknowledged creates"
# the launcher tears the rest down; whatever is left we stop by PID
for p in $SERVER_PIDS; do kill -TERM "$p" 2>/dev/null; done
wait_pid "$LAUNCH_PID" 30 || kill -KILL "$LAUNCH_PID"
LAUNCH_PID=""
SERVER_PIDS=""

# the store exactly as the crash left it: one batch per operation means
# no half operation, so it must check clean
"$B/pfs-fsck" -r "$ROOT" >"$WORK/fsck.out" 2>&1 || { cat "$WORK/fsck.out"; fail "pfs-fsck after kill -9"; }
cat "$WORK/fsck.out"
pass "pfs-fsck: the store left by kill -9 is consistent"

start_ensemble mpich "$ROOT" 2
missing=0
for c in 1 2 3; do
    "$B/pfs-ls" "/storm/c$c" >"$WORK/listed.$c" || fail "pfs-ls after restart"
    while read -r name; do
        grep -qx "$name" "$WORK/listed.$c" || missing=$((missing + 1))
    done <"$WORK/acked.$c"
done
[ "$missing" = 0 ] || fail "$missing acknowledged creates are missing after the crash"
pass "all $acked acknowledged creates survived kill -9 of the MDS; the store reopened"
"$B/pfs-rm" -r /storm || fail "cannot remove the tree after the crash"
pass "the recovered tree is consistent enough to remove entirely"
stop_ensemble
"$B/pfs-fsck" -r "$ROOT" || fail "pfs-fsck after the tree was removed"
log "PASS"
