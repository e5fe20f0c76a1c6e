#!/bin/bash
# multihost_data.sh - the data path and the namespace across hosts: the
# MDS on h1, three I/O servers on h2, h3, h4, clients on h5 and h6 (no
# server there, so every byte goes through the servers over TCP).
#   - structured I/O (sio_mpi_test: list and strided, read back in other
#     decompositions), also with 64 KiB requests (many in flight);
#   - collective I/O (coll_mpi_test: 1-D, uneven 2-D/3-D subarrays,
#     direct and two-phase, split collectives, hints, error agreement) on
#     3 and 4 ranks spread over both client hosts;
#   - metadata operations and the admin tools from two client hosts:
#     mkdir, 300 creates, paged listing, stat, mv, chmod, chown,
#     setstripe/getstripe, cp in from h5 and out on h6 (cmp), df (each
#     server's own file system), concurrent shared-pointer fetch-adds from
#     both hosts, rm -r (objects gone from every storage host), and
#     pfs-fsck of the stopped MDS's store on h1.
# Every byte is verified.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multihost_lib.sh"

SIO=$B/tests/integration/sio_mpi_test
COLL=$B/tests/integration/coll_mpi_test
MK=$B/tests/integration/mkfiles
FP=$B/tests/integration/shared_fp_client
mh_up 6
mh_start_ensemble mpich h1 "h2 h3 h4"

# tool HOST NAME ARGS...: a pfs-NAME admin tool run on HOST
tool() {
    local h=$1 name=$2
    shift 2
    on "$h" "$B/pfs-$name" "$@"
}

# all_object_bytes: bytes of data objects on every storage host
all_object_bytes() {
    find "$VCLUSTER"/hosts/h[2-4] -path '*objects/*' -type f -printf '%s\n' 2>/dev/null |
        awk '{ s += $1 } END { print s + 0 }'
}

# ---- structured I/O -------------------------------------------------------
mpirun_on h5:2,h6:2 4 "$SIO" >"$WORK/sio.log" 2>&1 ||
    { cat "$WORK/sio.log"; fail "sio_mpi_test on h5, h6 failed"; }
grep -q "^PASS: 0 failed" "$WORK/sio.log" || { cat "$WORK/sio.log"; fail "sio_mpi_test did not pass"; }
pass "structured I/O, 4 ranks on h5 and h6 over 3 I/O server hosts: $(grep -c '^ok' "$WORK/sio.log") checks"
MPIRUN_OPTS="-genv PFS_MAX_TRANSFER 64k" mpirun_on h5:2,h6:2 4 "$SIO" \
    >"$WORK/sio-small.log" 2>&1 || { cat "$WORK/sio-small.log"; fail "sio_mpi_test, 64 KiB requests"; }
grep -q "^PASS: 0 failed" "$WORK/sio-small.log" || fail "sio_mpi_test with 64 KiB requests did not pass"
pass "the same with 64 KiB requests (many requests per call in flight between hosts)"

# ---- collective I/O -------------------------------------------------------
for spec in "h5:2,h6:2 4" "h5:1,h6:2 3"; do
    set -- $spec
    mpirun_on "$1" "$2" "$COLL" >"$WORK/coll-$2.log" 2>&1 ||
        { cat "$WORK/coll-$2.log"; fail "coll_mpi_test on $2 ranks ($1) failed"; }
    grep -q "^PASS: 0 failed" "$WORK/coll-$2.log" || { cat "$WORK/coll-$2.log"; fail "coll_mpi_test: not all passed"; }
    pass "$(grep -c '^ok:' "$WORK/coll-$2.log") collective checks on $2 ranks ($1)"
done

# ---- metadata operations and admin tools ----------------------------------
tool h5 mkdir -p /tree/a/b /tree/c || fail "pfs-mkdir -p from h5"
on h5 "$MK" /tree/a 200 3000 || fail "200 creates from h5"
on h6 "$MK" /tree/a/b 100 70000 || fail "100 creates from h6"
n=$(tool h6 ls /tree/a | grep -c '^file')
[ "$n" = 200 ] || fail "pfs-ls on h6 lists $n files of h5's 200"
tool h5 ls -l /tree/a/b | awk '$1 == "-" && $5 != 70000 { bad = 1 } END { exit bad }' ||
    fail "pfs-ls -l on h5 shows a wrong size"
tool h5 stat /tree/a/b/file00007 | grep -q "size: 70000" || fail "pfs-stat size"
pass "300 files created from h5 and h6, listed and sized from the other host"

tool h6 mv /tree/a/b/file00001 /tree/moved || fail "pfs-mv"
tool h5 stat /tree/moved | grep -q "size: 70000" || fail "the moved file lost its data"
tool h5 chmod 640 /tree/moved && tool h6 chown 1234:5678 /tree/moved || fail "pfs-chmod/chown"
tool h5 stat /tree/moved | grep -q "mode: 0640  uid: 1234  gid: 5678\$" ||
    fail "attributes: $(tool h5 stat /tree/moved | grep mode:)"
tool h5 setstripe -S 256k -c 3 /tree/c || fail "pfs-setstripe"
tool h6 getstripe /tree/c | grep -qx 'stripe_count: 3' || fail "pfs-getstripe"
pass "pfs-mv, pfs-chmod, pfs-chown, pfs-setstripe/getstripe across hosts"

# pfs-cp: from h5's local disk into pfs, out again on h6, compared
head -c $((5 * 1048576 + 12345)) /dev/urandom >"$VCLUSTER/hosts/h5/src.bin"
tool h5 cp -q "$VCLUSTER/local/src.bin" pfs:/tree/c/copy.bin || fail "pfs-cp in on h5"
tool h6 cp -q pfs:/tree/c/copy.bin "$VCLUSTER/local/back.bin" || fail "pfs-cp out on h6"
cmp "$VCLUSTER/hosts/h5/src.bin" "$VCLUSTER/hosts/h6/back.bin" || fail "pfs-cp round trip differs"
for h in h2 h3 h4; do
    [ -n "$(find "$VCLUSTER/hosts/$h" -path '*objects/*' -type f)" ] || fail "no objects on $h"
done
pass "pfs-cp: 5 MiB from h5's disk into pfs (3 stripes of 256 KiB) and out on h6, identical"

tool h6 df >"$WORK/df.log" 2>&1 || { cat "$WORK/df.log"; fail "pfs-df"; }
cat "$WORK/df.log"
[ "$(grep -c '^[0-9]' "$WORK/df.log")" = 3 ] || fail "pfs-df should list 3 servers"

# shared file pointer: fetch-adds from both client hosts at once
N=200
pids=""
for k in 0 1 2 3; do
    h=h5
    [ $((k % 2)) = 1 ] && h=h6
    on "$h" "$FP" add /shared.dat "$N" $((k * 1000 + 1)) >"$WORK/ranges.$k" 2>"$WORK/fp.$k.log" &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p" || { cat "$WORK"/fp.*.log; fail "a fetch-add client failed"; }
done
total=$(cat "$WORK"/ranges.* | awk '{ s += $2 } END { print s }')
sort -n -k1,1 "$WORK"/ranges.* | awk -v total="$total" '
    $1 != next_off { bad = 1 } { next_off = $1 + $2 }
    END { if (next_off != total) bad = 1; exit bad }' ||
    fail "fetch-adds from two hosts do not tile [0, $total)"
pass "$((4 * N)) fetch-adds from h5 and h6 at once tile [0, $total) exactly"

# everything goes: the trees of this test and the files of the I/O tests
before=$(all_object_bytes)
entries=$(tool h5 ls / | sed 's,/$,,; s,^,/,')
# shellcheck disable=SC2086
tool h6 rm -r $entries || fail "pfs-rm -r $entries"
tool h5 stat /tree >/dev/null 2>&1 && fail "/tree still there"
[ -z "$(tool h5 ls /)" ] || fail "entries left in /: $(tool h5 ls /)"
objects_gone() { [ "$(all_object_bytes)" = 0 ]; }
wait_until 30 objects_gone || fail "data objects left on the storage hosts: $(all_object_bytes) bytes"
pass "pfs-rm -r from h6 of $(echo $entries | wc -w) entries: $before bytes of objects removed from h2, h3 and h4"

mh_stop_ensemble
on h1 "$B/pfs-fsck" "$VCLUSTER/local/pfs/mds" >"$WORK/fsck.log" 2>&1 ||
    { cat "$WORK/fsck.log"; fail "pfs-fsck of the store on h1"; }
pass "pfs-fsck on h1: $(tail -1 "$WORK/fsck.log")"
log "PASS"
