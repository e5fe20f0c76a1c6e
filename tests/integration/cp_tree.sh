#!/bin/bash
# cp_tree.sh - pfs-cp and the namespace tools on a real tree: 3000 small
# files and three ~50 MB ones are copied into pfs, listed, renamed, copied
# out, back in and within pfs, compared byte for byte (cmp, diff -r), and
# removed; then the I/O servers' object directories are empty.  Failures
# never leave a partial copy silently: a local target that fills up and
# a short local source are removed; a target on a stopped server is
# reported as incomplete.
. "${top_srcdir:-.}/tests/integration/lib.sh"

CP=$B/pfs-cp
ROOT=$WORK/root
SRC=$WORK/src
NSMALL=3000
start_ensemble mpich "$ROOT" 2

# the local tree: small files of varied sizes and contents in nested
# directories, an empty directory, and three large files
head -c 8000000 /dev/urandom >"$WORK/pool"
mkdir -p "$SRC/d0/deep/er" "$SRC/d1" "$SRC/d2" "$SRC/empty"
# one perl process (perl-base is essential on Debian) instead of 3000 forks
perl -e '
    my ($pool, $dir, $n) = @ARGV;
    open(my $p, "<", $pool) or die "$pool: $!";
    binmode $p;
    local $/; my $bytes = <$p>;
    my @dirs = ("d0", "d1", "d2", "d0/deep/er");
    for my $i (0 .. $n - 1) {
        my $f = "$dir/$dirs[$i % 4]/f$i";
        open(my $o, ">", $f) or die "$f: $!";
        binmode $o;
        print $o substr($bytes, ($i * 7919) % 7000000, ($i * 104729) % 9000);
        close($o) or die "$f: $!";
    }' "$WORK/pool" "$SRC" "$NSMALL" || fail "making the local tree"
head -c 52428800 /dev/urandom >"$SRC/big1"
head -c 52428800 /dev/urandom >"$SRC/d1/big2"
head -c $((52428800 + 12345)) /dev/urandom >"$SRC/d2/big3"
log "local tree: $NSMALL small files, 3 large ones"

"$CP" -r "$SRC" pfs:/ 2>"$WORK/cp.err" || { cat "$WORK/cp.err"; fail "pfs-cp -r into pfs"; }
[ -s "$WORK/cp.err" ] && { cat "$WORK/cp.err"; fail "pfs-cp printed something without a terminal"; }
n=$(( $("$B/pfs-ls" /src/d0 | grep -c '^f') + $("$B/pfs-ls" /src/d1 | grep -c '^f') +
      $("$B/pfs-ls" /src/d2 | grep -c '^f') + $("$B/pfs-ls" /src/d0/deep/er | grep -c '^f') ))
[ "$n" = "$NSMALL" ] || fail "pfs lists $n small files, expected $NSMALL"
"$B/pfs-ls" /src/empty >/dev/null || fail "the empty directory was not copied"
[ "$("$B/pfs-ls" -l /src/d2/big3 | awk '{ print $5 }')" = $((52428800 + 12345)) ] ||
    fail "big3 has the wrong size in pfs"
pass "copied a tree of $NSMALL small and 3 large files into pfs; listed"

"$B/pfs-mv" /src /moved || fail "pfs-mv of the tree"
"$B/pfs-mv" /moved/big1 /moved/d0/big1 || fail "pfs-mv of a large file"
mv "$SRC/big1" "$SRC/d0/big1"
"$CP" -r pfs:/moved "$WORK/out" || fail "pfs-cp -r out of pfs"
diff -r "$SRC" "$WORK/out" >"$WORK/diff.out" || { head "$WORK/diff.out"; fail "the tree copied out differs"; }
for f in d0/big1 d1/big2 d2/big3; do
    cmp "$SRC/$f" "$WORK/out/$f" || fail "$f differs after the round trip"
done
pass "renamed in pfs, copied out: every byte identical (diff -r, cmp)"

"$CP" -r -b 1m -n 8 "$WORK/out" pfs:/back || fail "pfs-cp -r back into pfs"
"$CP" pfs:/back/d2/big3 pfs:/big3.copy || fail "pfs-cp within pfs"
"$CP" -S 64k -c 1 pfs:/back/d1/big2 pfs:/big2.narrow || fail "pfs-cp with a layout"
"$B/pfs-getstripe" /big2.narrow | grep -qx "stripe_count: 1" || fail "-c 1 not applied"
mkdir "$WORK/again"
"$CP" pfs:/big3.copy pfs:/big2.narrow pfs:/back/d0/f0 "$WORK/again" || fail "several sources out"
cmp "$SRC/d2/big3" "$WORK/again/big3.copy" && cmp "$SRC/d1/big2" "$WORK/again/big2.narrow" &&
    cmp "$SRC/d0/f0" "$WORK/again/f0" || fail "pfs to pfs copies differ"
"$CP" -r pfs:/back "$WORK/back.out" || fail "pfs-cp -r of the copy"
diff -r "$SRC" "$WORK/back.out" >/dev/null || fail "the tree copied back and out again differs"
pass "copied back in, within pfs (pfs to pfs, with a layout) and out again: identical"

# usage and plain failures: exit status 2 and 1, nothing left behind
rc=0; "$CP" "$SRC/d0/f0" "$WORK/x" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "local to local exited $rc, not 2"
rc=0; "$CP" pfs:/moved 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "one argument exited $rc, not 2"
rc=0; "$CP" pfs:/moved "$WORK/nodir" 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "is a directory (use -r)" "$WORK/err" || fail "directory without -r"
rc=0; "$CP" pfs:/nothing "$WORK/x" 2>/dev/null || rc=$?
[ "$rc" = 1 ] && [ ! -e "$WORK/x" ] || fail "a missing source"
rc=0; "$CP" pfs:/big3.copy pfs:/big3.copy 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "same file" "$WORK/err" || fail "copy onto itself"
rc=0; "$CP" -r pfs:/back pfs:/back/inner 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "into itself" "$WORK/err" || fail "a directory into itself"
rc=0; "$CP" -S 1000 "$SRC/d0/f0" pfs:/badlayout 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "not a multiple of 512" "$WORK/err" || fail "bad layout"
"$B/pfs-stat" /badlayout >/dev/null 2>&1 && fail "a refused create left a file"
pass "usage errors exit 2; missing sources, copies onto themselves or into themselves exit 1"

# a local target that cannot grow past 10 MiB: the partial copy is removed
rc=0
(ulimit -f 10240; trap '' XFSZ; exec "$CP" pfs:/big3.copy "$WORK/partial") 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/err"; fail "a failed local write exited $rc, not 1"; }
grep -q "removed the incomplete copy" "$WORK/err" && [ ! -e "$WORK/partial" ] ||
    { cat "$WORK/err"; fail "partial local copy not removed"; }
# a local source shorter than its size says (a sysfs attribute: 4096
# bytes by stat, a few by read): the pfs target is removed
short=/sys/kernel/mm/transparent_hugepage/enabled
if [ -r "$short" ] && [ "$(stat -c %s "$short")" -gt "$(wc -c <"$short")" ]; then
    rc=0; "$CP" "$short" pfs:/short 2>"$WORK/err" || rc=$?
    [ "$rc" = 1 ] && grep -q "removed the incomplete copy" "$WORK/err" ||
        { cat "$WORK/err"; fail "short source: exit $rc"; }
    "$B/pfs-stat" /short >/dev/null 2>&1 && fail "partial pfs copy of a short source left behind"
    pass "failed copies are removed and say so (local target full, short local source)"
else
    pass "failed copy to a full local target is removed (no short sysfs file to test the pfs side)"
fi

# progress bar only on a terminal
if command -v script >/dev/null; then
    script -qec "$CP pfs:/big3.copy $WORK/tty.copy" /dev/null >"$WORK/tty.out" 2>&1 ||
        fail "pfs-cp under a terminal"
    grep -q "100%" "$WORK/tty.out" || { cat -v "$WORK/tty.out"; fail "no progress bar on a terminal"; }
    cmp "$SRC/d2/big3" "$WORK/tty.copy" || fail "copy with progress bar differs"
    pass "a progress bar on a terminal, none otherwise"
fi

"$B/pfs-rm" -r /moved /back || fail "pfs-rm -r"
"$B/pfs-rm" /big3.copy /big2.narrow || fail "pfs-rm"
[ -z "$("$B/pfs-ls" /)" ] || { "$B/pfs-ls" /; fail "the namespace is not empty"; }
no_objects() { [ -z "$(find "$ROOT"/iosrv.*/objects -type f)" ]; }
wait_until 60 no_objects || {
    find "$ROOT"/iosrv.*/objects -type f | head
    fail "$(find "$ROOT"/iosrv.*/objects -type f | wc -l) objects left on the I/O servers 60 s after pfs-rm"
}
pass "pfs-rm -r removed everything: no object left in the I/O servers' directories"

# a target on a stopped I/O server: the copy fails, and the incomplete
# target is removed (the MDS removes its data once the server answers)
"$B/pfs-mkdir" /on1 && "$B/pfs-setstripe" -o 1 /on1 || fail "directory on server 1"
pid=$(iosrv_pid "$PFS_ENSEMBLE" 1)
kill -STOP "$pid"
rc=0; PFS_TIMEOUT_MS=1000 "$CP" "$SRC/d0/f0" pfs:/on1/f 2>"$WORK/err" || rc=$?
kill -CONT "$pid"
[ "$rc" = 1 ] && grep -q "removed the incomplete copy" "$WORK/err" || { cat "$WORK/err"; fail "stopped server: exit $rc"; }
"$B/pfs-stat" /on1/f >/dev/null 2>&1 && fail "the incomplete copy is still there"
pass "a copy onto a stopped server fails with exit 1 and removes the incomplete target"
for t in pfs-cp pfs-fsck; do
    "$B/$t" --help | grep -q "usage: $t" || fail "$t --help"
done
stop_ensemble
"$B/pfs-fsck" -r "$ROOT" || fail "pfs-fsck after all this"
log "PASS"
