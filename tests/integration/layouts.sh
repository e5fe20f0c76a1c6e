#!/bin/bash
# layouts.sh - per-directory default layouts and explicit server lists
# through pfs-setstripe and pfs-getstripe on an ensemble of 4 I/O servers:
# defaults are inherited by new files and subdirectories, explicit lists
# put the data objects exactly there, bad layouts are refused with a
# message naming the problem, and everything survives a restart.
. "${top_srcdir:-.}/tests/integration/lib.sh"

MK=$B/tests/integration/mkfiles
SET=$B/pfs-setstripe
GET=$B/pfs-getstripe
ROOT=$WORK/root
start_ensemble mpich "$ROOT" 4

# expect_layout PATH SIZE COUNT SERVERS
expect_layout() {
    local got want
    got=$("$GET" "$1") || fail "pfs-getstripe $1"
    want=$(printf 'stripe_size: %s\nstripe_count: %s\nservers:%s' "$2" "$3" "${4:+ $4}")
    [ "$got" = "$want" ] || { printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"; fail "layout of $1"; }
}

# expect_refused MESSAGE ARGS...: exit status 1 and MESSAGE on stderr
expect_refused() {
    local msg=$1 rc=0
    shift
    "$SET" "$@" >/dev/null 2>"$WORK/set.err" || rc=$?
    [ "$rc" = 1 ] || { cat "$WORK/set.err"; fail "pfs-setstripe $* exited $rc, not 1"; }
    grep -q -- "$msg" "$WORK/set.err" || { cat "$WORK/set.err"; fail "pfs-setstripe $*: no '$msg'"; }
}

expect_layout / 0 0 ""
# an explicit list: the objects land on exactly those servers
"$B/pfs-mkdir" /two || fail "mkdir"
"$SET" -o 3,1 /two || fail "pfs-setstripe -o 3,1"
expect_layout /two 0 2 "3,1"
"$MK" /two 6 1500000 || fail "files in /two"  # > 1 stripe: both servers get data
expect_layout /two/file00003 1048576 2 "3,1"
for i in 0 2; do
    [ "$(object_count "$ROOT" $i)" = 0 ] || fail "objects on server $i, which /two does not list"
done
for i in 1 3; do
    [ "$(object_count "$ROOT" $i)" = 6 ] || fail "server $i holds $(object_count "$ROOT" $i) objects, expected 6"
done
pass "a directory's server list places every new file's objects on those servers"

# inheritance: subdirectories copy the default when made, later changes
# do not reach them
"$B/pfs-mkdir" /two/sub || fail "mkdir sub"
expect_layout /two/sub 0 2 "3,1"
"$SET" -S 64k -c 3 /two || fail "pfs-setstripe -S 64k -c 3"
expect_layout /two 65536 3 ""
expect_layout /two/sub 0 2 "3,1"
"$GET" /two/file00000 | grep -qx "stripe_count: 2" || fail "an existing file's layout changed"
# -S 0: "the default", i.e. everything from the directory
"$SET" -S 0 /two/after && "$SET" -S 0 /two/sub/after || fail "files after the change"
got=$("$GET" /two/after)
echo "$got" | grep -qx "stripe_size: 65536" && echo "$got" | grep -qx "stripe_count: 3" ||
    { echo "$got"; fail "a new file in /two does not follow its new default"; }
expect_layout /two/sub/after 1048576 2 "3,1"
"$B/pfs-mkdir" /two/sub2 || fail "mkdir sub2"
expect_layout /two/sub2 65536 3 ""
"$SET" -S 8k /two/sub2/f || fail "new file with a stripe size"
got=$("$GET" /two/sub2/f)
echo "$got" | grep -qx "stripe_size: 8192" && echo "$got" | grep -qx "stripe_count: 3" ||
    { echo "$got"; fail "new file: own size, directory's count"; }
pass "new subdirectories inherit the default; files take their own fields over the directory's"

# a new file with an explicit layout; an existing one cannot change
"$SET" -S 128k -o 2 /single || fail "pfs-setstripe of a new file"
expect_layout /single 131072 1 "2"
"$B/pfs-stat" /single | grep -q "size: 0" || fail "the new file is not empty"
expect_refused "layout of an existing file cannot change" -c 2 /single
"$SET" -c -1 /all || fail "-c -1"
expect_layout /all 1048576 4 "$("$GET" /all | sed -n 's/^servers: //p')"
[ "$("$GET" /all | sed -n 's/^servers: //p' | tr ',' '\n' | sort -n | tr '\n' ' ')" = "0 1 2 3 " ] ||
    fail "-c -1 does not use every server"
pass "pfs-setstripe creates new files with a layout and refuses existing ones"

# bad layouts, each with a message that names the problem
expect_refused "stripe size 1000 is not a multiple of 512" -S 1000 /two
expect_refused "stripe size 1024 is below the minimum of 4096" -S 1k /two
expect_refused "stripe size 5368709120 is above the maximum" -S 5g /new1
expect_refused "stripe count 5 exceeds the 4 I/O servers" -c 5 /two
expect_refused "server index 1 is listed twice" -o 1,0,1 /new2
expect_refused "server index 7 is out of range" -o 0,7 /two
expect_refused "stripe count 3 does not match the 2 servers listed" -c 3 -o 0,1 /two
expect_refused "no such file" -c 1 /missing/dir/f
"$B/pfs-stat" /new1 >/dev/null 2>&1 && fail "a refused layout left a file behind"
expect_layout /two 65536 3 ""
rc=0; "$SET" /two 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "pfs-setstripe without options exited $rc, not 2"
rc=0; "$SET" -S 12q /two 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "bad -S exited $rc, not 2"
rc=0; "$SET" -o 1,,2 /two 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "bad -o exited $rc, not 2"
rc=0; "$GET" /missing 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "pfs-getstripe of a missing path exited $rc, not 1"
pass "bad layouts are refused (exit 1) with a message naming the problem; usage errors exit 2"

# the root's default; -d removes a default
"$SET" -S 256k / || fail "root default"
"$B/pfs-mkdir" /fromroot || fail "mkdir /fromroot"
expect_layout /fromroot 262144 0 ""
"$SET" -d / || fail "pfs-setstripe -d /"
expect_layout / 0 0 ""
"$SET" -d /single 2>/dev/null && fail "-d on a file"
"$GET" /two/sub /single | grep -c '^path: ' | grep -qx 2 || fail "several paths"

stop_ensemble
start_ensemble mpich "$ROOT" 4
expect_layout /two 65536 3 ""
expect_layout /two/sub 0 2 "3,1"
expect_layout /fromroot 262144 0 ""
expect_layout /single 131072 1 "2"
pass "default and file layouts survive a restart"
"$B/pfs-rm" -r /two /single /all /fromroot || fail "pfs-rm"
for t in pfs-setstripe pfs-getstripe; do
    "$B/$t" --help | grep -q "usage: $t" || fail "$t --help"
done
stop_ensemble
log "PASS"
