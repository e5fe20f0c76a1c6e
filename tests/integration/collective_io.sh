#!/bin/bash
# collective_io.sh - collective I/O with 1..8 ranks (oversubscribed) over
# 1, 2 and 4 I/O servers, every byte verified (also the split read); a
# server killed in the middle of collective writes gives every rank the
# same error, none hangs.
. "${top_srcdir:-.}/tests/integration/lib.sh"

COLL=$B/tests/integration/coll_mpi_test

# run_coll NP NSERVERS [on|off]: local access (clients on the servers' host
# reading and writing large pieces of the objects themselves) is on by
# default; off, every byte goes through the servers.
run_coll() {
    local np=$1 local_io=${3:-on} log=$WORK/coll-$2-$1-${3:-on}.log
    PFS_LOCAL_IO=$local_io timeout 300 "$MPIEXEC_MPICH" -genv PFS_LOCAL_IO "$local_io" \
        -n "$np" "$COLL" >"$log" 2>&1 ||
        { cat "$log"; fail "coll_mpi_test on $np ranks, $2 servers failed"; }
    grep -q "^PASS: 0 failed" "$log" || { cat "$log"; fail "not all checks passed"; }
    pass "$(grep -c '^ok:' "$log") collective checks on $np ranks over $2 I/O servers, local access $local_io"
}

# requests and bytes each I/O server has received so far
server_counts() {
    "$PFS_CTL" status | awk '$1 == "iosrv" { printf "%s %s ", $8, $10 }'
}

# A fine-grained interleaved collective write (4 ranks, 512-byte blocks,
# 8 MiB in all) must reach each server as a handful of large requests.
shape_check() {
    local before after r0 b0 r1 b1 dr0 db0 dr1 db1
    before=$(server_counts)
    # through the servers: their counters are what this checks
    PFS_LOCAL_IO=off timeout 120 "$MPIEXEC_MPICH" -genv PFS_LOCAL_IO off \
        -n 4 "$COLL" --shape >"$WORK/shape.log" 2>&1 ||
        { cat "$WORK/shape.log"; fail "shape run failed"; }
    after=$(server_counts)
    set -- $before; r0=$1 b0=$2 r1=$3 b1=$4
    set -- $after; dr0=$(($1 - r0)) db0=$(($2 - b0)) dr1=$(($3 - r1)) db1=$(($4 - b1))
    sort "$WORK/shape.log"
    log "servers received: $dr0 requests / $db0 bytes and $dr1 requests / $db1 bytes"
    [ "$dr0" -ge 1 ] && [ "$dr0" -le 4 ] && [ "$dr1" -ge 1 ] && [ "$dr1" -le 4 ] ||
        fail "16384 interleaved 512-byte pieces should be 1-4 requests per server"
    [ $((db0 / dr0)) -ge 1048576 ] && [ $((db1 / dr1)) -ge 1048576 ] ||
        fail "requests should carry >= 1 MiB each"
    pass "16384 interleaved 512-byte pieces reached each server as $dr0 and $dr1 requests of >= 1 MiB"
}

for nio in 2 1 4; do
    start_ensemble mpich "$WORK/root$nio" "$nio"
    case $nio in
    2) ranks="1 3 4 8" ;;
    1) ranks="4" ;;
    4) ranks="4 8" ;;
    esac
    for np in $ranks; do
        run_coll "$np" "$nio"
    done
    if [ "$nio" = 2 ]; then
        cat "$WORK/coll-2-4-on.log"
        run_coll 4 "$nio" off
        shape_check
    fi
    stop_ensemble
done

# A server killed mid-collective ($1: --loop for writes, --loop-read for
# split reads; $2 ranks).  Short request deadline: a killed local server
# is usually noticed at once anyway (connection reset).  Without local
# access: with it, ranks on the server's host would go on writing its
# objects for the files they have open.
kill_check() {
    local mode=$1 np=$2 what client i statuses pid log="$WORK/kill$1-$2.log"
    [ "$mode" = --loop ] && what="collective writes" || what="split collective reads"
    start_ensemble mpich "$WORK/rootk$mode$np" 2
    PFS_TIMEOUT_MS=3000 PFS_LOCAL_IO=off timeout 120 "$MPIEXEC_MPICH" \
        -genv PFS_TIMEOUT_MS 3000 -genv PFS_LOCAL_IO off \
        -n "$np" "$COLL" "$mode" 60 >"$log" 2>&1 &
    client=$!
    i=0
    until grep -q '^looping' "$log"; do
        i=$((i + 1)); [ "$i" -lt 300 ] || { cat "$log"; fail "$what: loop never started"; }
        sleep 0.1
    done
    sleep 0.5
    kill -KILL "$(iosrv_pid "$PFS_ENSEMBLE" 1)"
    wait_pid "$client" 90 || fail "$what: a rank hung after the server was killed"
    grep '^rank' "$log"
    [ "$(grep -c '^rank' "$log")" = "$np" ] || { cat "$log"; fail "$what: not every rank reported"; }
    statuses=$(sed -n 's/^rank [0-9]*: status \(-*[0-9]*\) .*/\1/p' "$log" | sort -u)
    [ "$(echo "$statuses" | wc -l)" = 1 ] || fail "$what: ranks disagree: $statuses"
    [ "$statuses" -lt 0 ] || fail "$what: succeeded with a dead server?"
    pass "server killed mid-loop of $what: all $np ranks returned status $statuses, none hung"
    # one server is gone: stop the rest, not the clean-stop checks
    "$PFS_CTL" stop >/dev/null 2>&1 || true
    wait_pid "$LAUNCH_PID" 30 || fail "launcher still running 30 s after stop"
    for pid in $SERVER_PIDS; do
        pid_alive "$pid" && fail "server $pid still alive after stop"
    done
    LAUNCH_PID=""
    SERVER_PIDS=""
}

kill_check --loop 4
kill_check --loop-read 4
kill_check --loop-read 3
log "PASS"
