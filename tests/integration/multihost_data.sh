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
#     pfs-fsck of the stopped MDS's store on h1;
#   - pfs-fsck of the data objects across hosts: the list of the objects
#     made on h1, each storage host checked against it (clean), then an
#     orphan planted on h2 and an object deleted on h3, both reported,
#     and the orphan removed with --remove-orphans.
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

# files kept for the object check across hosts: 5 MiB over all three
# servers (an object on every storage host), and 1000 bytes written by a
# client into a new file of the default layout (all servers, 1 MiB
# stripes): its only object is on its first server, the others were
# never written to
tool h5 cp -q -S 256k -c 3 "$VCLUSTER/local/src.bin" pfs:/big.bin || fail "pfs-cp big.bin"
tool h5 mkdir /small && on h5 "$MK" /small 1 1000 || fail "a file of 1000 bytes in /small"

mh_stop_ensemble
on h1 "$B/pfs-fsck" "$VCLUSTER/local/pfs/mds" >"$WORK/fsck.log" 2>&1 ||
    { cat "$WORK/fsck.log"; fail "pfs-fsck of the store on h1"; }
pass "pfs-fsck on h1: $(tail -1 "$WORK/fsck.log")"

# ---- pfs-fsck of the data objects across hosts ----------------------------
# The list is made on the MDS host and copied to each storage host (as
# scp would); each host checks its own I/O server's directory against it.
on h1 "$B/pfs-fsck" --list-objects -o "$VCLUSTER/local/objects.list" \
    "$VCLUSTER/local/pfs/mds" >"$WORK/list.log" 2>&1 ||
    { cat "$WORK/list.log"; fail "pfs-fsck --list-objects on h1"; }
cat "$WORK/list.log"
n=$(grep -c ' file$' "$VCLUSTER/hosts/h1/objects.list")
[ "$n" = 6 ] || fail "the list names $n objects of files, expected 6 (2 files on 3 servers)"
# iosrv_index HOST: N of the I/O server directory iosrv.N on HOST
iosrv_index() { ls "$VCLUSTER/hosts/$1/pfs" | sed -n 's/^iosrv\.//p'; }
# objects_check HOST [OPTIONS]: pfs-fsck --objects of HOST's I/O server
objects_check() {
    local h=$1 n
    shift
    n=$(iosrv_index "$h")
    on "$h" "$B/pfs-fsck" "$@" --objects "$n" --expected "$VCLUSTER/local/objects.list" \
        "$VCLUSTER/local/pfs/iosrv.$n"
}
absent=0
for h in h2 h3 h4; do
    cp "$VCLUSTER/hosts/h1/objects.list" "$VCLUSTER/hosts/$h/objects.list"
    objects_check "$h" >"$WORK/objects-$h.log" 2>&1 ||
        { cat "$WORK/objects-$h.log"; fail "pfs-fsck --objects on $h"; }
    cat "$WORK/objects-$h.log"
    grep -q " 0 orphans (0 bytes), [01] of the 2 listed objects of files absent.*: clean\$" \
        "$WORK/objects-$h.log" || fail "pfs-fsck --objects on $h: not clean"
    absent=$((absent + $(sed -n 's/.* \([0-9]*\) of the 2 listed objects.*/\1/p' "$WORK/objects-$h.log")))
done
[ "$absent" = 2 ] || fail "$absent listed objects absent, expected 2 (the small file's on two servers)"
pass "pfs-fsck across hosts: list on h1, each storage host clean against it (the small file has no object on 2 servers: no problem)"

# an orphan planted on h2, an object of big.bin lost on h3
orphan=$VCLUSTER/hosts/h2/pfs/iosrv.$(iosrv_index h2)/objects/ff/00000000000000000000000000000bff
head -c 4096 /dev/zero >"$orphan"
lost=$(find "$VCLUSTER/hosts/h3/pfs" -path '*objects/*' -type f -size +100k)
[ "$(echo "$lost" | wc -w)" = 1 ] || fail "expected one object of big.bin on h3: $lost"
rm "$lost"
rc=0
objects_check h2 >"$WORK/orphan.log" 2>&1 || rc=$?
cat "$WORK/orphan.log"
[ "$rc" = 1 ] || fail "pfs-fsck --objects on h2 exits $rc with an orphan, expected 1"
grep -q "orphan object .*/00000000000000000000000000000bff (4096 bytes)" "$WORK/orphan.log" ||
    fail "the orphan on h2 is not named"
rc=0
objects_check h3 --strict >"$WORK/lost.log" 2>&1 || rc=$?
cat "$WORK/lost.log"
[ "$rc" = 1 ] || fail "pfs-fsck --strict --objects on h3 exits $rc with an object lost, expected 1"
grep -q "missing object .*/$(basename "$lost"): the layout of file" "$WORK/lost.log" ||
    fail "the lost object on h3 is not named"
objects_check h3 >"$WORK/lost2.log" 2>&1 || { cat "$WORK/lost2.log"; fail "without --strict an absent object is no problem"; }
grep -q " [12] of the 2 listed objects of files absent" "$WORK/lost2.log" ||
    { cat "$WORK/lost2.log"; fail "the absent object is not counted without --strict"; }
pass "an orphan on h2 (exit 1) and an object lost on h3 (exit 1 with --strict) are reported"
objects_check h2 --remove-orphans >"$WORK/remove.log" 2>&1 ||
    { cat "$WORK/remove.log"; fail "pfs-fsck --objects --remove-orphans on h2"; }
grep -q "removed orphan object .*/00000000000000000000000000000bff (4096 bytes)" "$WORK/remove.log" ||
    { cat "$WORK/remove.log"; fail "--remove-orphans does not say what it removed"; }
[ ! -e "$orphan" ] || fail "the orphan is still on h2"
objects_check h2 >"$WORK/objects-h2.log" 2>&1 || { cat "$WORK/objects-h2.log"; fail "h2 not clean after --remove-orphans"; }
pass "--remove-orphans on h2 removed the orphan, and h2 is clean again"
log "PASS"
