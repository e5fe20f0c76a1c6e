#!/bin/sh
# object_removal.sh - the MDS removes the data objects of unlinked files,
# also when an I/O server is down at that moment: it retries until the
# server answers, and after a restart of the ensemble it goes on with what
# the store recorded.  Nothing leaks, and pfs-fsck counts what is pending.
# Also pfs-fsck's object check in both forms: -r ROOT, and the list of
# --list-objects checked server by server with --objects (the form for a
# cluster, run here on one host, without namespaces).
. "${top_srcdir:-.}/tests/integration/lib.sh"

ROOT=$WORK/root
# the MDS's count of files whose objects are still to be removed, as
# pfs-ctl status shows it (a stopped server makes status take 5 s more)
mds_pending() {
    timeout 30 "$PFS_CTL" status 2>/dev/null | awk '$1 == "mds" { print $NF }'
}
pending_is() { [ "$(mds_pending)" = "$1" ]; }

start_ensemble mpich "$ROOT" 2 --verbose
dd if=/dev/urandom of="$WORK/src" bs=1M count=3 2>/dev/null
"$B/pfs-mkdir" /d || fail "mkdir"
for i in $(seq 1 30); do
    "$B/pfs-cp" -q "$WORK/src" "pfs:/d/f$i" || fail "pfs-cp f$i"
done
objects_are "$ROOT" 0 30 && objects_are "$ROOT" 1 30 ||
    fail "expected 30 objects on each server, found $(object_count "$ROOT" 0) and $(object_count "$ROOT" 1)"

# 1. Server 1 hangs (SIGSTOP) while 20 files are removed.  The unlinks do
# not wait for it; server 0's objects go at once; server 1's stay until
# it answers again, well after the MDS's requests to it timed out.
io1=$(iosrv_pid "$PFS_ENSEMBLE" 1)
kill -STOP "$io1"
# a copy onto the stopped server: its write waits in the server's socket,
# the copy times out and is removed; whichever of the write and the
# removal the server does first, no object may stay behind (pfs-fsck -r
# at the end looks for orphan objects)
"$B/pfs-mkdir" /on1 && "$B/pfs-setstripe" -o 1 /on1 || fail "directory on server 1"
rc=0; PFS_TIMEOUT_MS=1000 "$B/pfs-cp" -q "$WORK/src" pfs:/on1/late 2>"$WORK/late.err" || rc=$?
grep -q "removed the incomplete copy" "$WORK/late.err" || { cat "$WORK/late.err"; kill -CONT "$io1"; fail "copy onto a stopped server: exit $rc"; }
# a short client deadline: an unlink that asked the stopped server anything
# would fail, not just be slow
for i in $(seq 1 20); do
    PFS_TIMEOUT_MS=2000 "$B/pfs-rm" "/d/f$i" ||
        { kill -CONT "$io1"; fail "pfs-rm f$i with server 1 stopped"; }
done
wait_until 30 objects_are "$ROOT" 0 10 || { kill -CONT "$io1"; fail "server 0 still holds $(object_count "$ROOT" 0) objects"; }
objects_are "$ROOT" 1 30 || { kill -CONT "$io1"; fail "objects vanished from a stopped server?"; }
n=$(mds_pending)
[ "$n" = 21 ] || { kill -CONT "$io1"; fail "pfs-ctl status shows $n pending removals, expected 21 (20 files and the failed copy)"; }
pass "20 unlinks with server 1 stopped succeeded; server 0's objects are gone"
wait_until 40 grep -q "cannot remove data objects on I/O server 1" "$WORK/servers.log" ||
    { kill -CONT "$io1"; fail "the MDS never said it cannot reach server 1"; }
kill -CONT "$io1"
# (requests queued in the stopped server's socket may do part of the work
# when it resumes; the retry confirms every record, which part 2 checks)
wait_until 90 grep -q "I/O server 1 is back" "$WORK/servers.log" ||
    fail "the MDS did not notice that server 1 answers again"
wait_until 30 objects_are "$ROOT" 1 10 ||
    fail "server 1 still holds $(object_count "$ROOT" 1) objects after it came back"
wait_until 30 pending_is 0 || fail "pfs-ctl status still shows $(mds_pending) pending removals"
pass "after server 1 came back, the MDS retried and its 20 objects are gone"

# 2. Recorded removals survive the MDS: server 1 stopped, 10 more unlinks,
# then kill -9 of the MDS and of everything else.  pfs-fsck counts the
# pending removals; the next ensemble on the same directories does them.
kill -STOP "$io1"
for i in $(seq 21 30); do
    "$B/pfs-rm" "/d/f$i" || { kill -CONT "$io1"; fail "pfs-rm f$i"; }
done
wait_until 30 objects_are "$ROOT" 0 0 || { kill -CONT "$io1"; fail "server 0 kept objects"; }
mds=$(awk '$1 == "mds" { print $4 }' "$PFS_ENSEMBLE")
kill -KILL "$mds"
# SIGKILL works on the stopped server too; resuming it first could let it
# carry out removals already queued in its socket
for p in $SERVER_PIDS; do kill -KILL "$p" 2>/dev/null; done
wait_pid "$LAUNCH_PID" 30 || kill -KILL "$LAUNCH_PID"
LAUNCH_PID=""
SERVER_PIDS=""
objects_are "$ROOT" 1 10 || fail "server 1 holds $(object_count "$ROOT" 1) objects before the restart, expected 10"
"$B/pfs-fsck" -r "$ROOT" >"$WORK/fsck1.out" 2>&1 || { cat "$WORK/fsck1.out"; fail "pfs-fsck after kill -9"; }
cat "$WORK/fsck1.out"
grep -q " 10 files whose data objects are still to be removed: clean" "$WORK/fsck1.out" ||
    fail "pfs-fsck does not count 10 pending removals"
pass "after kill -9 the store is clean and records 10 pending removals"
# the same in the form for a cluster (doc/multihost.md): the list made
# from the store, each server's directory checked against it; server 1's
# 10 objects of pending removals may still be there
"$B/pfs-fsck" --list-objects -o "$WORK/list1" "$ROOT/mds" >"$WORK/list1.out" 2>&1 ||
    { cat "$WORK/list1.out"; fail "pfs-fsck --list-objects after kill -9"; }
n=$(grep -c '^1 [0-9a-f]* removal$' "$WORK/list1")
[ "$n" = 10 ] || { cat "$WORK/list1"; fail "the list names $n pending removals on server 1, expected 10"; }
for i in 0 1; do
    "$B/pfs-fsck" --objects $i --expected "$WORK/list1" "$ROOT/iosrv.$i" >"$WORK/objects1.$i" 2>&1 ||
        { cat "$WORK/objects1.$i"; fail "pfs-fsck --objects $i after kill -9"; }
done
grep -q "I/O server 1: 10 data objects, 0 orphans .*: clean\$" "$WORK/objects1.1" ||
    { cat "$WORK/objects1.1"; fail "pfs-fsck --objects 1 does not accept the objects of pending removals"; }
pass "pfs-fsck --list-objects and --objects: the 10 objects of pending removals are no orphans"

start_ensemble mpich "$ROOT" 2 --verbose
grep -q "10 files' data objects are still to be removed" "$WORK/servers.log" ||
    fail "the restarted MDS did not count the 10 pending removals"
wait_until 60 objects_are "$ROOT" 1 0 ||
    fail "the restarted MDS left $(object_count "$ROOT" 1) objects on server 1"
wait_until 30 pending_is 0 || fail "pfs-ctl status still shows $(mds_pending) pending removals after the restart"
[ "$("$B/pfs-ls" /d)" = "" ] || fail "/d is not empty"
pass "the restarted ensemble removed the 10 objects recorded before the crash"
stop_ensemble
"$B/pfs-fsck" -r "$ROOT" >"$WORK/fsck2.out" 2>&1 || { cat "$WORK/fsck2.out"; fail "pfs-fsck at the end"; }
cat "$WORK/fsck2.out"
grep -q " 0 files whose data objects are still to be removed: clean" "$WORK/fsck2.out" ||
    { cat "$WORK/fsck2.out"; fail "removals still pending at the end"; }
grep -q " 0 data objects on 2 I/O servers, 0 orphans" "$WORK/fsck2.out" ||
    fail "objects left on the I/O servers"
pass "nothing pending, no object left, no orphan (pfs-fsck -r)"

# pfs-fsck finds an object nothing owns, and --remove-orphans removes it
mkdir -p "$ROOT/iosrv.0/objects/ff"
head -c 1000 /dev/zero >"$ROOT/iosrv.0/objects/ff/00000000000000770000000000000bff"
"$B/pfs-fsck" -r "$ROOT" >"$WORK/fsck3.out" 2>&1 && fail "pfs-fsck missed an orphan object"
grep -q "orphan object .*0bff (1000 bytes)" "$WORK/fsck3.out" || { cat "$WORK/fsck3.out"; fail "orphan not named"; }
"$B/pfs-fsck" --remove-orphans -r "$ROOT" >"$WORK/fsck4.out" 2>&1 || { cat "$WORK/fsck4.out"; fail "pfs-fsck --remove-orphans"; }
[ ! -e "$ROOT/iosrv.0/objects/ff/00000000000000770000000000000bff" ] || fail "the orphan is still there"
pass "pfs-fsck reports an orphan object and --remove-orphans deletes it"

# The cluster form on one host (multihost_data.sh runs it across hosts):
# a list made now is of an empty store; objects made by the next ensemble
# are newer than it, so it must not call them orphans.
"$B/pfs-fsck" -q --list-objects -o "$WORK/list2" "$ROOT/mds" || fail "pfs-fsck --list-objects of the empty store"
start_ensemble mpich "$ROOT" 2
"$B/pfs-cp" -q "$WORK/src" pfs:/d/kept1 && "$B/pfs-cp" -q "$WORK/src" pfs:/d/kept2 || fail "pfs-cp kept1, kept2"
stop_ensemble
rc=0
"$B/pfs-fsck" --remove-orphans --objects 0 --expected "$WORK/list2" "$ROOT/iosrv.0" >"$WORK/stale.out" 2>&1 || rc=$?
cat "$WORK/stale.out"
[ "$rc" = 1 ] && grep -q "2 objects are newer than the list" "$WORK/stale.out" ||
    fail "pfs-fsck --objects with a list older than the objects: exit $rc"
objects_are "$ROOT" 0 2 || fail "pfs-fsck removed objects newer than its list"
rc=0
"$B/pfs-fsck" --objects 1 --expected "$WORK/list2" "$ROOT/iosrv.0" 2>"$WORK/wrong.err" || rc=$?
[ "$rc" = 2 ] && grep -q "is the directory of I/O server 0, not 1" "$WORK/wrong.err" ||
    { cat "$WORK/wrong.err"; fail "pfs-fsck --objects 1 of server 0's directory: exit $rc"; }
# a list cut short (no final newline) or not a list at all is unreadable
head -c -1 "$WORK/list2" >"$WORK/cut" && echo garbage >"$WORK/garbage"
for l in cut garbage; do
    rc=0
    "$B/pfs-fsck" --objects 0 --expected "$WORK/$l" "$ROOT/iosrv.0" 2>"$WORK/$l.err" || rc=$?
    [ "$rc" = 3 ] && grep -q "not an object list of pfs-fsck --list-objects" "$WORK/$l.err" ||
        { cat "$WORK/$l.err"; fail "pfs-fsck --expected $l: exit $rc"; }
done
pass "pfs-fsck --objects: a list older than the objects removes nothing (exit 1), a wrong server index is a usage error, a damaged list is unreadable (exit 3)"

"$B/pfs-fsck" --list-objects -o "$WORK/list3" "$ROOT/mds" || fail "pfs-fsck --list-objects"
for i in 0 1; do
    "$B/pfs-fsck" --strict --objects $i --expected "$WORK/list3" "$ROOT/iosrv.$i" >"$WORK/objects3.$i" 2>&1 ||
        { cat "$WORK/objects3.$i"; fail "pfs-fsck --strict --objects $i"; }
    grep -q "I/O server $i: 2 data objects, 0 orphans (0 bytes), 0 of the 2 listed objects of files absent: clean\$" \
        "$WORK/objects3.$i" || { cat "$WORK/objects3.$i"; fail "server $i is not clean"; }
done
# an orphan on server 0, an object of kept1 lost on server 1
kept1=$(sed -n 's/^1 \([0-9a-f]*\) file$/\1/p' "$WORK/list3" | head -1)
rm "$ROOT/iosrv.1/objects/$(echo "$kept1" | cut -c31-32)/$kept1" || fail "no object $kept1 on server 1"
head -c 1000 /dev/zero >"$ROOT/iosrv.0/objects/ff/00000000000000000000000000000bff"
rc=0
"$B/pfs-fsck" --objects 0 --expected "$WORK/list3" "$ROOT/iosrv.0" >"$WORK/objects4.0" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "orphan object .*0bff (1000 bytes)" "$WORK/objects4.0" ||
    { cat "$WORK/objects4.0"; fail "pfs-fsck --objects 0 with an orphan: exit $rc"; }
rc=0
"$B/pfs-fsck" --strict --objects 1 --expected "$WORK/list3" "$ROOT/iosrv.1" >"$WORK/objects4.1" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "missing object $ROOT/iosrv.1/objects/.*/$kept1: " "$WORK/objects4.1" ||
    { cat "$WORK/objects4.1"; fail "pfs-fsck --strict --objects 1 with a lost object: exit $rc"; }
"$B/pfs-fsck" --objects 1 --expected "$WORK/list3" "$ROOT/iosrv.1" >"$WORK/objects5.1" 2>&1 &&
    grep -q " 1 of the 2 listed objects of files absent (no problem without --strict): clean" "$WORK/objects5.1" ||
    { cat "$WORK/objects5.1"; fail "pfs-fsck --objects 1 without --strict"; }
"$B/pfs-fsck" --remove-orphans --objects 0 --expected "$WORK/list3" "$ROOT/iosrv.0" >"$WORK/objects6.0" 2>&1 ||
    { cat "$WORK/objects6.0"; fail "pfs-fsck --remove-orphans --objects 0"; }
[ ! -e "$ROOT/iosrv.0/objects/ff/00000000000000000000000000000bff" ] || fail "the orphan is still there"
objects_are "$ROOT" 0 2 || fail "--remove-orphans removed more than the orphan"
pass "pfs-fsck --objects: an orphan (exit 1, then removed) and, with --strict, a lost object (exit 1) are reported"
log "PASS"
