#!/bin/bash
# shared_fp.sh - the shared file pointer: 4 concurrent clients (two through
# exported/imported handles) each do 300 fetch-adds of distinct sizes on
# one file; the ranges they got must tile [0, total) exactly.  The counter
# survives a restart of the ensemble, set and its limits work, and an
# unlinked file's counter is gone.
. "${top_srcdir:-.}/tests/integration/lib.sh"

FP=$B/tests/integration/shared_fp_client
N=300
start_ensemble mpich "$WORK/root" 2

pids=""
for k in 0 1 2 3; do
    mode=""
    [ $((k % 2)) = 1 ] && mode=import
    "$FP" add /shared.dat "$N" $((k * 1000 + 1)) $mode >"$WORK/ranges.$k" \
        2>"$WORK/client.$k.log" &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p" || { cat "$WORK"/client.*.log; fail "a fetch-add client failed"; }
done
total=$(cat "$WORK"/ranges.* | awk '{ s += $2 } END { print s }')
[ "$(cat "$WORK"/ranges.* | wc -l)" = $((4 * N)) ] || fail "missing replies"
# sorted by start, each range must begin where the previous one ended
sort -n -k1,1 "$WORK"/ranges.* | awk -v total="$total" '
    $1 != next_off { printf "gap or overlap at %s (expected %s)\n", $1, next_off; bad = 1 }
    { next_off = $1 + $2 }
    END { if (next_off != total) { print "end", next_off, "!=", total; bad = 1 }; exit bad }' ||
    fail "the fetch-add ranges do not tile [0, $total)"
pass "$((4 * N)) concurrent fetch-adds from 4 clients tile [0, $total) exactly"

"$FP" check /shared.dat "$total" || fail "check before restart"
stop_ensemble
start_ensemble mpich "$WORK/root" 2
"$FP" check /shared.dat "$total" || fail "the counter did not survive a restart"
pass "the counter survives a restart; set, read and the 2^63 - 1 limit work"

"$FP" stale /gone.dat || fail "counter of an unlinked file"
pass "an unlinked file's counter is gone; a new file starts at 0"
stop_ensemble
log "PASS"
