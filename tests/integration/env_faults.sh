#!/bin/bash
# env_faults.sh - the servers' storage fails under them:
#   - an I/O server's file system fills up (a 24 MiB tmpfs as its data
#     directory): writes fail with a clear no-space error at the client
#     (MPI_ERR_NO_SPACE through MPI-IO), files already written stay
#     intact, the server keeps serving reads, and writes work again once
#     space is freed;
#   - the MDS's file system fills up (a small tmpfs under its store):
#     changes fail with a no-space error, lookups go on, changes work
#     again once space is freed, and every change acknowledged before and
#     after is still there when the MDS is killed and restarted (LevelDB
#     drops everything after a torn log record: the store is reopened
#     before it takes another write);
#   - an I/O server's data directory becomes read-only: writes fail with
#     a read-only error (MPI_ERR_READ_ONLY), reads go on, writes work
#     again after it is made writable;
#   - pfs-fsck --list-objects -o FILE onto a full disk fails clearly and
#     leaves the list an earlier run wrote as it was.
# Mounts are the test's own (tmpfs) and are removed on exit.
. "${top_srcdir:-.}/tests/integration/lib.sh"

PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
PROG=$B/tests/integration/mpiio_pfs_test
[ "$(id -u)" = 0 ] || { log "SKIP: needs root to mount a small tmpfs"; exit 77; }

MOUNTS=""
umount_all() {
    local m
    for m in $MOUNTS; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
}
trap 'umount_all; cleanup' EXIT

ROOT=$WORK/root
mkdir -p "$ROOT/iosrv.0" "$ROOT/mds"
mount -t tmpfs -o size=24m,mode=0700 pfs-test-io0 "$ROOT/iosrv.0" || fail "mount tmpfs for iosrv.0"
MOUNTS="$ROOT/iosrv.0"
mount -t tmpfs -o size=8m,mode=0700 pfs-test-mds "$ROOT/mds" || fail "mount tmpfs for the MDS"
MOUNTS="$MOUNTS $ROOT/mds"

start_ensemble mpich "$ROOT" 2 # the MDS acknowledges changes once durable (the default)

# ---- an I/O server's disk fills up ----------------------------------------
"$B/pfs-mkdir" /on0 && "$B/pfs-setstripe" -c 1 -o 0 /on0 || fail "a directory on server 0 only"
head -c $((4 << 20)) /dev/urandom >"$WORK/keep"
head -c $((40 << 20)) /dev/urandom >"$WORK/big"
"$B/pfs-cp" -q "$WORK/keep" pfs:/on0/keep || fail "writing the file to keep"
for via in local servers; do
    lio=on
    [ "$via" = servers ] && lio=off
    PFS_LOCAL_IO=$lio "$B/pfs-cp" -q "$WORK/big" "pfs:/on0/big.$via" 2>"$WORK/nospc.err" &&
        fail "40 MiB fit into 24 MiB ($via)"
    grep -q "no space left" "$WORK/nospc.err" ||
        { cat "$WORK/nospc.err"; fail "no 'no space left' error ($via)"; }
    PFS_LOCAL_IO=$lio "$B/pfs-cp" -q pfs:/on0/keep "$WORK/keep.out" && cmp -s "$WORK/keep" "$WORK/keep.out" ||
        fail "the file written before the disk filled up is damaged or unreadable ($via)"
done
pass "I/O server disk full: 'no space left' at the client (local access and via the server); the earlier file intact and readable"

# through MPI-IO: MPI_ERR_NO_SPACE
if [ -f "$PREFIX/lib/libmpi.so.12" ]; then
    PFS_LOCAL_IO=off LD_LIBRARY_PATH=$B/.libs:$PREFIX/lib timeout 300 "$MPIEXEC_MPICH" -n 2 \
        "$PROG" -m nospace -d pfs:/on0 >"$WORK/mpi-nospc.log" 2>&1 ||
        { cat "$WORK/mpi-nospc.log"; fail "MPI-IO on a full server"; }
    grep -A4 "nospace:" "$WORK/mpi-nospc.log"
    pass "MPI-IO on a full I/O server: MPI_ERR_NO_SPACE"
else
    log "no MPICH with the pfs driver in $PREFIX: MPI-IO part not run"
    FAILED=1
    exit 1
fi

# freeing space (the incomplete copies were removed; the MDS removes their
# objects in the background) makes writes work again
space_back() { [ "$(df -k --output=avail "$ROOT/iosrv.0" | tail -1)" -gt $((12 << 10)) ]; }
wait_until 60 space_back || fail "the failed copies' space did not come back"
head -c $((8 << 20)) /dev/urandom >"$WORK/after"
"$B/pfs-cp" -q "$WORK/after" pfs:/on0/after && "$B/pfs-cp" -q pfs:/on0/after "$WORK/after.out" &&
    cmp -s "$WORK/after" "$WORK/after.out" || fail "writing after space was freed"
pass "after space was freed, 8 MiB written and read back"

# ---- the MDS's disk fills up ------------------------------------------------
"$B/pfs-mkdir" /meta || fail "mkdir /meta"
avail=$(df -k --output=avail "$ROOT/mds" | tail -1)
head -c $(((avail - 48) * 1024)) /dev/zero >"$ROOT/mds/filler" 2>/dev/null
n=0
while "$B/pfs-mkdir" "/meta/d$n" 2>"$WORK/mdsfull.err"; do
    n=$((n + 1))
    [ "$n" -lt 20000 ] || fail "the MDS never ran out of space"
done
grep -q "no space left" "$WORK/mdsfull.err" ||
    { cat "$WORK/mdsfull.err"; fail "no 'no space left' error from the MDS"; }
"$B/pfs-mkdir" /meta/more 2>/dev/null && fail "a change was accepted by a store that had failed"
# the change that hit the full disk may or may not have happened (its
# error says so); the listing is what the store has
listed=$("$B/pfs-ls" /meta | grep -c '^d[0-9]*/$')
[ "$listed" = "$n" ] || [ "$listed" = $((n + 1)) ] ||
    fail "lookups while the store is full: $listed directories, $n acknowledged"
"$B/pfs-cp" -q pfs:/on0/keep "$WORK/keep.out" && cmp -s "$WORK/keep" "$WORK/keep.out" ||
    fail "reading a file while the MDS's disk is full"
grep -q "metadata store: a write failed" "$WORK/servers.log" || fail "no log line about the store"
pass "MDS disk full after $n directories: 'no space left', reads and listings go on"

rm -f "$ROOT/mds/filler"
writable() { "$B/pfs-mkdir" /meta/after-free 2>/dev/null; }
wait_until 30 writable || fail "changes still fail after space was freed"
for i in $(seq 1 20); do
    "$B/pfs-mkdir" "/meta/post$i" || fail "mkdir /meta/post$i"
done
grep -q "metadata store reopened" "$WORK/servers.log" || fail "no log line about the reopened store"
pass "after space was freed, the store was reopened and takes changes again"

# every acknowledged change survives a crash of the MDS
"$B/pfs-ls" /meta >"$WORK/before-crash.ls" || fail "pfs-ls before the crash"
MDS_PID=$(awk '$1 == "mds" { print $4 }' "$PFS_ENSEMBLE")
kill -9 "$MDS_PID"
# the servers left the launcher's job after wire-up, so it does not tear
# the I/O servers down: stop them by PID, then the launcher ends
for pid in $SERVER_PIDS; do kill -9 "$pid" 2>/dev/null; done
wait_pid "$LAUNCH_PID" 30 || fail "the launcher did not end after its servers were killed"
SERVER_PIDS=""
LAUNCH_PID=""
start_ensemble mpich "$ROOT" 2
"$B/pfs-ls" /meta >"$WORK/after-crash.ls" || fail "pfs-ls after the restart"
cmp -s "$WORK/before-crash.ls" "$WORK/after-crash.ls" || {
    diff "$WORK/before-crash.ls" "$WORK/after-crash.ls" | head
    fail "after a crash and restart /meta is not what it was"
}
got=$(grep -c '/$' "$WORK/after-crash.ls")
[ "$got" -ge $((n + 21)) ] || fail "only $got directories after the restart"
pass "killed and restarted: all $got directories there ($((n + 21)) acknowledged)"

# ---- an I/O server's data directory turns read-only ------------------------
mount -o remount,ro "$ROOT/iosrv.0" || fail "remount read-only"
"$B/pfs-cp" -q "$WORK/keep" pfs:/on0/ro 2>"$WORK/ro.err" && fail "a write to a read-only server succeeded"
grep -q "read-only" "$WORK/ro.err" || { cat "$WORK/ro.err"; fail "no 'read-only' error"; }
PFS_LOCAL_IO=off "$B/pfs-cp" -q pfs:/on0/keep "$WORK/keep.out" && cmp -s "$WORK/keep" "$WORK/keep.out" ||
    fail "reading from a read-only server"
PFS_LOCAL_IO=off LD_LIBRARY_PATH=$B/.libs:$PREFIX/lib timeout 300 "$MPIEXEC_MPICH" -n 2 \
    "$PROG" -m readonly -d pfs:/on0 >"$WORK/mpi-ro.log" 2>&1 ||
    { cat "$WORK/mpi-ro.log"; fail "MPI-IO on a read-only server"; }
grep -A4 "readonly:" "$WORK/mpi-ro.log"
mount -o remount,rw "$ROOT/iosrv.0" || fail "remount read-write"
"$B/pfs-rm" /on0/ro 2>/dev/null
"$B/pfs-cp" -q "$WORK/keep" pfs:/on0/rw && "$B/pfs-cp" -q pfs:/on0/rw "$WORK/keep.out" &&
    cmp -s "$WORK/keep" "$WORK/keep.out" || fail "writing after the directory is writable again"
pass "read-only data directory: 'read-only' (MPI_ERR_READ_ONLY), reads go on, writes work again after"

stop_ensemble

# ---- pfs-fsck's object list onto a full disk -------------------------------
mkdir -p "$WORK/lists"
mount -t tmpfs -o size=64k pfs-test-lists "$WORK/lists" || fail "mount tmpfs for the object list"
MOUNTS="$MOUNTS $WORK/lists"
"$B/pfs-fsck" -q --list-objects -o "$WORK/lists/objects.list" "$ROOT/mds" ||
    fail "pfs-fsck --list-objects"
cp "$WORK/lists/objects.list" "$WORK/objects.before"
head -c 1M /dev/zero >"$WORK/lists/filler" 2>/dev/null # fills it up
"$B/pfs-fsck" -q --list-objects -o "$WORK/lists/objects.list" "$ROOT/mds" 2>"$WORK/list.err"
rc=$?
[ "$rc" = 3 ] && grep -q "cannot write $WORK/lists/objects.list: No space left" "$WORK/list.err" ||
    { cat "$WORK/list.err"; fail "pfs-fsck --list-objects onto a full disk: exit $rc"; }
cmp -s "$WORK/objects.before" "$WORK/lists/objects.list" ||
    fail "a failed pfs-fsck -o damaged or removed the list a previous run wrote"
[ "$(ls "$WORK/lists")" = "$(printf 'filler\nobjects.list')" ] ||
    fail "pfs-fsck -o left files behind: $(ls "$WORK/lists")"
pass "pfs-fsck -o onto a full disk: exit 3, 'No space left', the previous list intact"
log "PASS"
