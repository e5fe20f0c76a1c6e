#!/bin/bash
# namespace_tools.sh - pfs-mkdir, pfs-ls, pfs-stat, pfs-mv, pfs-chmod,
# pfs-chown and pfs-rm against a launched ensemble: a tree of 1200 files
# listed page by page (readdir), attributes changed, removed recursively;
# the data objects disappear from the servers.
. "${top_srcdir:-.}/tests/integration/lib.sh"

MK=$B/tests/integration/mkfiles
start_ensemble mpich "$WORK/root" 2

"$B/pfs-mkdir" -p /tree/a/b /tree/c || fail "pfs-mkdir -p"
"$B/pfs-mkdir" /tree/c 2>"$WORK/mkdir.err" && fail "mkdir of an existing directory succeeded"
grep -q "file exists" "$WORK/mkdir.err" || fail "no 'file exists' message"
"$MK" /tree/a 1000 3000 || fail "creating 1000 files"
"$MK" /tree/a/b 150 70000 || fail "creating 150 files"
"$MK" /tree/c 50 0 || fail "creating 50 empty files"

n=$("$B/pfs-ls" /tree/a | grep -c '^file')
[ "$n" = 1000 ] || fail "pfs-ls /tree/a lists $n files, expected 1000 (4 readdir pages)"
"$B/pfs-ls" /tree/a | grep -q '^b/$' || fail "subdirectory not listed with a /"
"$B/pfs-ls" /tree/a | sort -c || fail "listing not in name order"
"$B/pfs-ls" -l /tree/a/b | awk '$1 == "-" && $5 != 70000 { bad = 1 } END { exit bad }' ||
    fail "pfs-ls -l shows a wrong size"
"$B/pfs-stat" /tree/a/b/file00007 | grep -q "size: 70000" || fail "pfs-stat size"
pass "1200 files created, listed in name order across readdir pages, sizes right"
objects=$(object_count "$WORK/root" 0)
[ "$objects" -gt 0 ] || fail "no objects on server 0?"

# rename: a move keeps the data; replacing a file removes the replaced
# file's objects; a directory moves with its contents; never into itself
before=$(( $(object_count "$WORK/root" 0) + $(object_count "$WORK/root" 1) ))
"$B/pfs-mv" /tree/a/b/file00001 /tree/moved || fail "pfs-mv file"
"$B/pfs-stat" /tree/moved | grep -q "size: 70000" || fail "moved file lost its data"
"$B/pfs-stat" /tree/a/b/file00001 >/dev/null 2>&1 && fail "source still there after pfs-mv"
"$B/pfs-mv" /tree/a/b/file00002 /tree/moved || fail "pfs-mv over an existing file"
fewer_objects() {
    after=$(( $(object_count "$WORK/root" 0) + $(object_count "$WORK/root" 1) ))
    [ "$after" -lt "$before" ]
}
wait_until 30 fewer_objects || fail "the replaced file's objects were not removed ($before -> $after)"
"$B/pfs-mv" /tree/a /tree/a/b/inside 2>"$WORK/mv.err" && fail "moved a directory into itself"
grep -q "invalid argument" "$WORK/mv.err" || fail "no message for a move into itself"
"$B/pfs-mv" /tree/c /tree/c2 || fail "pfs-mv directory"
[ "$("$B/pfs-ls" /tree/c2 | grep -c '^file')" = 50 ] || fail "moved directory lost entries"
pass "pfs-mv: moves keep data, a replaced file's objects are removed, directories move, never into themselves"

# setattr: pfs-chmod and pfs-chown on a file and a directory; what is not
# named stays (owner, group, size, modification time)
modify=$("$B/pfs-stat" /tree/moved | grep '^modify:')
"$B/pfs-chmod" 4751 /tree/moved /tree/c2 || fail "pfs-chmod"
"$B/pfs-stat" /tree/moved | grep -q "mode: 4751  uid: $(id -u)  gid: $(id -g)\$" ||
    fail "pfs-chmod: file attributes wrong: $("$B/pfs-stat" /tree/moved | grep mode:)"
"$B/pfs-stat" /tree/c2 | grep -q "mode: 4751 " || fail "pfs-chmod: directory mode"
# giving files away needs root (run as an ordinary user: the user's own
# uid and one of its groups, which the MDS must allow)
owner=1234 group=5678
if [ "$(id -u)" = 0 ]; then
    "$B/pfs-chown" 1234:5678 /tree/moved || fail "pfs-chown UID:GID"
    "$B/pfs-chown" 42 /tree/c2 || fail "pfs-chown UID"
    "$B/pfs-chown" :43 /tree/c2 || fail "pfs-chown :GID"
    "$B/pfs-stat" /tree/moved | grep -q "mode: 4751  uid: 1234  gid: 5678\$" ||
        fail "pfs-chown: file attributes wrong: $("$B/pfs-stat" /tree/moved | grep mode:)"
    "$B/pfs-stat" /tree/c2 | grep -q "mode: 4751  uid: 42  gid: 43\$" ||
        fail "pfs-chown: directory attributes wrong: $("$B/pfs-stat" /tree/c2 | grep mode:)"
else
    g=$(id -G | tr ' ' '\n' | tail -1)
    owner=$(id -u) group=$g
    "$B/pfs-chown" "$(id -u):$g" /tree/moved /tree/c2 || fail "pfs-chown to its own uid and group $g"
    "$B/pfs-stat" /tree/moved | grep -q "mode: 4751  uid: $(id -u)  gid: $g\$" ||
        fail "pfs-chown: file attributes wrong: $("$B/pfs-stat" /tree/moved | grep mode:)"
    "$B/pfs-chown" 0 /tree/c2 2>/dev/null && fail "an ordinary user gave its directory to root"
fi
"$B/pfs-stat" /tree/moved | grep -q "size: 70000" || fail "setattr changed the size"
[ "$("$B/pfs-stat" /tree/moved | grep '^modify:')" = "$modify" ] ||
    fail "setattr changed the modification time"
"$B/pfs-chmod" 644 /tree/none /tree/moved 2>"$WORK/chmod.err"
[ $? = 1 ] || fail "pfs-chmod of a missing path does not exit 1"
grep -q "no such file" "$WORK/chmod.err" || fail "no 'no such file' message: $(cat "$WORK/chmod.err")"
"$B/pfs-stat" /tree/moved | grep -q "mode: 0644 " || fail "pfs-chmod skipped the path after a failure"
for bad in 8 17777 -1 u+x ""; do
    "$B/pfs-chmod" "$bad" /tree/moved 2>/dev/null
    [ $? = 2 ] || fail "pfs-chmod '$bad' does not exit 2"
done
for bad in a 1:b 1: -1 99999999999; do
    "$B/pfs-chown" "$bad" /tree/moved 2>/dev/null
    [ $? = 2 ] || fail "pfs-chown '$bad' does not exit 2"
done
"$B/pfs-chmod" 644 2>/dev/null; [ $? = 2 ] || fail "pfs-chmod without a path does not exit 2"
"$B/pfs-stat" /tree/moved | grep -q "mode: 0644  uid: $owner  gid: $group\$" ||
    fail "a refused command changed attributes"
pass "pfs-chmod, pfs-chown: files and directories, other attributes kept, exit codes right"

"$B/pfs-rm" /tree 2>"$WORK/rm.err" && fail "pfs-rm of a directory without -r succeeded"
grep -q "is a directory" "$WORK/rm.err" || fail "no 'is a directory' message"
"$B/pfs-rm" -r /tree || fail "pfs-rm -r /tree"
"$B/pfs-ls" /tree 2>/dev/null && fail "/tree still there"
wait_until 60 objects_are "$WORK/root" 0 0 && wait_until 10 objects_are "$WORK/root" 1 0 ||
    fail "data objects left on the servers 60 s after pfs-rm -r"
"$B/pfs-rm" /tree/none 2>/dev/null && fail "removing a missing file succeeded"
"$B/pfs-rm" -f /tree/none || fail "pfs-rm -f of a missing file failed"
pass "pfs-rm -r removed the tree and every data object; exit codes right"
# pfs-df: one line per I/O server plus a total; sizes are those of the
# file system holding the servers' data directories
"$B/pfs-df" >"$WORK/df.out" || { cat "$WORK/df.out"; fail "pfs-df"; }
cat "$WORK/df.out"
[ "$(grep -cE '^[01] ' "$WORK/df.out")" = 2 ] && grep -q '^total' "$WORK/df.out" ||
    fail "pfs-df does not list 2 servers and a total"
size=$(df -B1 --output=size "$WORK/root" | tail -1 | tr -d ' ')
[ "$(awk '$1 == "0" { print $2 }' "$WORK/df.out")" = "$size" ] ||
    fail "pfs-df size differs from df's ($size)"
pass "pfs-df reports each server's file system as df does"
# (switching users needs root: run as an ordinary user, the test has
# been that user all along, and this part is left out)
if [ "$(id -u)" = 0 ]; then
    # permissions: the MDS checks them against the uid and groups a client
    # gives at hello.  An unprivileged user (uid/gid 4711, no supplementary
    # groups) with its own copy of the descriptor:
    if ! command -v setpriv >/dev/null; then
        fail "setpriv (util-linux) is missing"
    fi
    UDIR=$(mktemp -d /tmp/pfs-user.XXXXXX)
    chmod 1777 "$UDIR"
    # a copy the user may read, still owned by the servers' user (root): that
    # tells libpio the servers are another user's, so UCX stays off shared
    # memory, which the kernel refuses between users
    cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
    chmod 644 "$UDIR/ensemble"
    asuser() {
        setpriv --reuid=4711 --regid=4711 --clear-groups \
            env PFS_ENSEMBLE="$UDIR/ensemble" "$@"
    }
    asuser test -x "$B/pfs-ls" ||
        fail "the build tree $B is not readable by other users: cannot test permissions"
    "$B/pfs-mkdir" -m 700 /private && "$B/pfs-mkdir" -m 777 /shared &&
        "$B/pfs-mkdir" /private/inner || fail "mkdir as root"
    head -c 100000 /dev/urandom >"$UDIR/data"
    chmod 644 "$UDIR/data"
    "$B/pfs-cp" -q "$UDIR/data" pfs:/rootfile || fail "pfs-cp as root"
    "$B/pfs-chmod" 644 /rootfile || fail "chmod 644 /rootfile"
    asuser "$B/pfs-ls" /private 2>"$UDIR/err" && fail "a user listed a 0700 directory of root"
    grep -q "permission denied" "$UDIR/err" || { cat "$UDIR/err"; fail "no 'permission denied' for pfs-ls"; }
    asuser "$B/pfs-stat" /private/inner 2>/dev/null && fail "a user looked up a path through a 0700 directory"
    asuser "$B/pfs-mkdir" /private/x 2>/dev/null && fail "a user created in a 0700 directory of root"
    asuser "$B/pfs-rm" /rootfile 2>"$UDIR/err" && fail "a user removed root's file from the sticky root directory"
    grep -q "permission denied" "$UDIR/err" || { cat "$UDIR/err"; fail "no 'permission denied' for pfs-rm"; }
    asuser "$B/pfs-chmod" 666 /rootfile 2>/dev/null && fail "a user changed the mode of root's file"
    asuser "$B/pfs-setstripe" -c 1 /shared 2>/dev/null && fail "a user set the default layout of root's directory"
    asuser "$B/pfs-cp" -q pfs:/rootfile "$UDIR/copy" 2>"$UDIR/err" ||
        { cat "$UDIR/err"; fail "a user could not read a 0644 file"; }
    cmp "$UDIR/data" "$UDIR/copy" || fail "the user's copy differs"
    asuser "$B/pfs-cp" -q "$UDIR/data" pfs:/rootfile 2>/dev/null && fail "a user overwrote root's 0644 file"
    asuser "$B/pfs-mkdir" /shared/mine || fail "a user could not mkdir in a 0777 directory"
    asuser "$B/pfs-cp" -q "$UDIR/data" pfs:/shared/mine/f || fail "a user could not create a file in its directory"
    "$B/pfs-stat" /shared/mine/f | grep -q "uid: 4711  gid: 4711" ||
        { "$B/pfs-stat" /shared/mine/f; fail "the user's file is not owned by the user"; }
    asuser "$B/pfs-chmod" 600 /shared/mine/f || fail "a user could not chmod its own file"
    asuser "$B/pfs-chown" 0 /shared/mine/f 2>/dev/null && fail "a user gave its file to root"
    "$B/pfs-stat" /shared/mine/f | grep -q "mode: 0600  uid: 4711" || fail "mode/owner after the user's chmod"
    asuser "$B/pfs-mv" /shared/mine /shared/ours || fail "a user could not rename its directory"
    asuser "$B/pfs-rm" -r /shared/ours || fail "a user could not remove its own tree"
    # root's 0600 file: the MDS refuses the user an open, and the I/O
    # servers refuse the user's requests by the file's id (the id comes from a
    # stat, which the user may do), through the servers and through local
    # access, with the stat's capability or a made-up one (pfs_hostile steal)
    "$B/pfs-cp" -q "$UDIR/data" pfs:/secret && "$B/pfs-chmod" 600 /secret ||
        fail "creating root's 0600 file"
    asuser "$B/pfs-cp" -q pfs:/secret "$UDIR/stolen" 2>"$UDIR/err" &&
        fail "a user copied root's 0600 file"
    grep -q "permission denied" "$UDIR/err" || { cat "$UDIR/err"; fail "no 'permission denied' for root's 0600 file"; }
    for s in 0 1; do
        asuser "$B/tests/integration/pfs_hostile" steal -s $s -f /secret >"$UDIR/steal" 2>&1 ||
            { cat "$UDIR/steal"; fail "a user got at root's 0600 file by its id (I/O server $s)"; }
    done
    sed 's/^/  /' "$UDIR/steal"
    "$B/pfs-cp" -q pfs:/secret "$UDIR/copy" && cmp -s "$UDIR/data" "$UDIR/copy" ||
        fail "root could not read its 0600 file"
    "$B/pfs-rm" -r /private /shared /rootfile /secret || fail "root could not clean up"
    pass "permissions: search, read, write and sticky checks, owner-only setattr and layouts, files owned by their creator"
    pass "a user cannot read root's 0600 file by its id, through the I/O servers nor through local access"

    # users with many supplementary groups: every group counts, also the
    # last of a long list (AUTH_SYS sends 16, getgroups(64) sees 64).  For N
    # groups, the user's last group G owns a 0770 directory: the user works
    # in it; the same user with the same number of other groups is refused.
    AS_USER=$B/tests/integration/as_user
    asgroups() { # FIRST COUNT CMD...: as uid 4711 with groups FIRST.. FIRST+COUNT-1
        local first=$1 count=$2
        shift 2
        "$AS_USER" 4711 4711 "$first" "$count" env PFS_ENSEMBLE="$UDIR/ensemble" "$@"
    }
    for n in 0 4 16 200 65536; do
        g=$((70000 + n))             # the group that owns the directory
        yes_groups="$((g - n + 1)) $n" # n groups, the last is g
        no_groups="$((g + 1)) $n"      # n groups, none is g
        "$B/pfs-mkdir" -m 770 "/grp$n" && "$B/pfs-chown" ":$g" "/grp$n" ||
            fail "setting up /grp$n"
        asgroups $no_groups "$B/pfs-ls" / >/dev/null 2>"$UDIR/err" ||
            { cat "$UDIR/err"; fail "a user with $n groups cannot list /"; }
        asgroups $no_groups "$B/pfs-cp" -q "$UDIR/data" "pfs:/grp$n/f" 2>"$UDIR/err" &&
            fail "a user with $n groups, none of them $g, wrote into a 0770 directory of group $g"
        grep -q "permission denied" "$UDIR/err" ||
            { cat "$UDIR/err"; fail "no 'permission denied' for a user with $n other groups"; }
        if [ "$n" -gt 0 ]; then
            asgroups $yes_groups "$B/pfs-cp" -q "$UDIR/data" "pfs:/grp$n/f" 2>"$UDIR/err" ||
                { cat "$UDIR/err"; fail "a user whose group $n of $n is $g could not write into /grp$n"; }
            asgroups $yes_groups "$B/pfs-cp" -q "pfs:/grp$n/f" "$UDIR/copy$n" &&
                cmp -s "$UDIR/data" "$UDIR/copy$n" ||
                fail "a user with $n groups could not read its file back"
            asgroups $yes_groups "$B/pfs-chown" ":$g" "/grp$n/f" ||
                fail "a user could not give its file its group $g (group $n of $n)"
            asgroups $yes_groups "$B/pfs-chown" ":$((g + 1))" "/grp$n/f" 2>/dev/null &&
                fail "a user gave its file a group it is not in"
            "$B/pfs-stat" "/grp$n/f" | grep -q "uid: 4711  gid: $g" ||
                { "$B/pfs-stat" "/grp$n/f"; fail "/grp$n/f does not belong to 4711:$g"; }
        fi
        "$B/pfs-rm" -r "/grp$n" || fail "root could not remove /grp$n"
    done
    rm -rf "$UDIR"
    pass "users with 0, 4, 16, 200 and 65536 supplementary groups: every group honoured, other groups refused"
else
    log "not root: the runs as other users (uid 4711, 0 to 65536 groups) need root; left out"
fi

for t in pfs-ls pfs-stat pfs-mkdir pfs-rm pfs-mv pfs-df pfs-chmod pfs-chown; do
    "$B/$t" --help | grep -q "usage: $t" || fail "$t --help"
done
stop_ensemble
log "PASS"
