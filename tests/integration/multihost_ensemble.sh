#!/bin/bash
# multihost_ensemble.sh - pfs across hosts of a virtual cluster
# (tests/vcluster.sh): the MDS on h1, I/O servers on h2 and h3, each with
# its own storage, launched by one mpiexec line from the head node,
# through MPICH (servers on their hosts' addresses, the descriptor in a
# shared directory) and through Open MPI with PMIx wire-up (servers on all
# addresses advertising their host names, the descriptor on the MDS host
# only, copied out).  Clients on h4 and h5, which run no server.
#
# Checks: host names and addresses in pfs-ctl status; the UCX lanes
# between hosts are TCP only (pfs-ctl info, UCX_LOG_LEVEL=info), and so
# are those of a client on a storage host to that host's server (pfs uses
# no shared memory), which it reaches by local access as well; small
# requests take microseconds, not the lost-wake-up second of UCX's shared
# memory across network namespaces (doc/multihost.md); data written from
# two client hosts is verified, lands in the storage of h2 and h3 only,
# and is found again after a restart under the other launcher; a clean
# stop.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multihost_lib.sh"

LOCAL_T=$B/tests/integration/local_io_test
mh_up 5

# ---- MPICH: --listen on each host's address, descriptor shared -----------
mh_start_ensemble mpich h1 "h2 h3" --verbose
n=$(grep -c "wire-up through mpi" "$WORK/servers.log")
[ "$n" = 3 ] || fail "expected 3 servers wired up through mpi, log shows $n"

"$PFS_CTL" status >"$WORK/status.log" 2>&1 || { cat "$WORK/status.log"; fail "pfs-ctl status"; }
cat "$WORK/status.log"
for want in "mds 0 h1 $(host_addr h1)" "iosrv 0 h2 $(host_addr h2)" "iosrv 1 h3 $(host_addr h3)"; do
    set -- $want
    awk -v r="$1" -v i="$2" -v h="$3" -v a="$4" \
        '$1 == r && $2 == i && $5 == h && index($3, a ":") == 1 { ok = 1 } END { exit !ok }' \
        "$WORK/status.log" || fail "pfs-ctl status: $1 $2 should be on host $3 at $4"
done
# each server's process really runs in its host's namespace
for pid in $SERVER_PIDS; do
    h=$(host_of_pid "$pid")
    grep -q " $pid $h\$" "$PFS_ENSEMBLE" || fail "server $pid runs on '$h', the descriptor says otherwise"
done
pass "MDS on h1, I/O servers on h2 and h3: addresses and host names in pfs-ctl status and the descriptor"

# tcp_only_to LOG N: pfs-ctl info in LOG shows N servers, each with a
# TCP lane, and no shared-memory lane anywhere
tcp_only_to() {
    [ "$(grep -c '^== ' "$1")" = "$2" ] &&
        [ "$(awk '/^== / { s = $0 } /lane\[.*tcp\// { print s }' "$1" | sort -u | wc -l)" = "$2" ] &&
        ! grep -Eq 'sysv|posix|cma' "$1"
}

# lanes from a compute host to every server: TCP on eth0 only
"$VCLUSTER_SH" exec h4 "$B/pfs-ctl" info >"$WORK/info-h4.log" 2>&1 ||
    { cat "$WORK/info-h4.log"; fail "pfs-ctl info on h4"; }
tcp_only_to "$WORK/info-h4.log" 3 ||
    { cat "$WORK/info-h4.log"; fail "h4 should reach all 3 servers over TCP only"; }
grep -E 'lane\[' "$WORK/info-h4.log" | grep -v 'cm ' | grep -vq 'tcp/eth0' &&
    { cat "$WORK/info-h4.log"; fail "a lane other than tcp/eth0 between hosts"; }
grep -Eq 'sysv|posix|cma' "$WORK/info-h4.log" &&
    { cat "$WORK/info-h4.log"; fail "shared-memory lanes between hosts"; }
# the same through UCX's own log
UCX_LOG_LEVEL=info "$VCLUSTER_SH" exec h4 "$B/pfs-ctl" status >"$WORK/ucxlog-h4.log" 2>&1 ||
    fail "pfs-ctl status with UCX_LOG_LEVEL=info"
grep 'ep_cfg' "$WORK/ucxlog-h4.log" | sed 's/.*UCX  INFO *//' | sort -u | sed 's/^/    /'
grep -q 'ep_cfg.*tcp/eth0' "$WORK/ucxlog-h4.log" || fail "UCX_LOG_LEVEL=info shows no tcp endpoint"
grep 'ep_cfg' "$WORK/ucxlog-h4.log" | grep -Eq 'sysv|posix|cma' &&
    fail "UCX_LOG_LEVEL=info shows shared memory between hosts"
pass "h4 -> h1, h2, h3: TCP lanes only (pfs-ctl info and UCX_LOG_LEVEL=info)"

# a client on a storage host: TCP to every server, its own host's too
# (pfs uses no shared memory; local access, below, moves the bulk data)
"$VCLUSTER_SH" exec h2 "$B/pfs-ctl" info >"$WORK/info-h2.log" 2>&1 || fail "pfs-ctl info on h2"
tcp_only_to "$WORK/info-h2.log" 3 ||
    { cat "$WORK/info-h2.log"; fail "h2 should reach all 3 servers, its own too, over TCP only"; }
pass "h2 -> its own I/O server and h1, h3: TCP lanes only"

# small requests: the lost wake-ups of shared memory across namespaces
# cost a second each (median 1001 ms with UCX's sysv lanes between
# namespaces); through TCP they are microseconds.  The bound is loose: it
# is about wake-ups, not speed.
"$VCLUSTER_SH" exec h4 "$B/pfs-ctl" ping -n 200 >"$WORK/ping.log" 2>&1 || fail "pfs-ctl ping"
cat "$WORK/ping.log"
awk 'NR > 1 && $5 > 20000 { bad = 1 } END { exit bad }' "$WORK/ping.log" ||
    fail "median round trip above 20 ms: wake-ups lost?"
"$VCLUSTER_SH" exec h2 "$B/pfs-ctl" ping -n 200 >"$WORK/ping-h2.log" 2>&1 || fail "pfs-ctl ping on h2"
awk 'NR > 1 && $5 > 20000 { bad = 1 } END { exit bad }' "$WORK/ping-h2.log" ||
    { cat "$WORK/ping-h2.log"; fail "median round trip from h2 above 20 ms"; }
pass "request round trips from h4 and h2: medians $(awk 'NR > 1 { printf "%s ", $5 }' "$WORK/ping.log")us"

# data from two client hosts, 2 ranks each
per_rank=3145739
total=$((per_rank * 4))
timeout 300 "$VCLUSTER_SH" exec head "$MPIEXEC_MPICH" -launcher ssh -launcher-exec "$VCLUSTER/ssh" \
    -iface eth0 -hosts h4:2,h5:2 -n 4 "$EXAMPLE" -f pfs:/kept.dat -s "$per_rank" -S 64k --keep \
    >"$WORK/example.log" 2>&1 || { cat "$WORK/example.log"; fail "example on h4, h5 failed"; }
grep -q "every byte verified: OK" "$WORK/example.log" || { cat "$WORK/example.log"; fail "not verified"; }
for h in h1 h4 h5 head; do
    [ -z "$(find "$VCLUSTER/hosts/$h" -path '*objects/*' -type f)" ] || fail "data objects on $h"
done
b2=$(find "$VCLUSTER/hosts/h2" -path '*objects/*' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
b3=$(find "$VCLUSTER/hosts/h3" -path '*objects/*' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
[ $((b2 + b3)) = "$total" ] && [ "$b2" -gt 0 ] && [ "$b3" -gt 0 ] ||
    fail "objects on h2 ($b2) and h3 ($b3) should hold the file's $total bytes"
pass "4 ranks on h4 and h5 wrote and verified $total bytes; objects on h2 ($b2 B) and h3 ($b3 B) only"

# local access from a storage host: its own server's stripes only
SIZE=$((8 << 20))
for h in h4 h2; do
    "$VCLUSTER_SH" exec "$h" "$LOCAL_T" --basic "/local-$h.dat" "$SIZE" >"$WORK/local-$h.log" 2>&1 ||
        { cat "$WORK/local-$h.log"; fail "local_io_test --basic on $h"; }
done
lb4=$(sed -n 's/.*; local \([0-9]*\)$/\1/p' "$WORK/local-h4.log")
lb2=$(sed -n 's/.*; local \([0-9]*\)$/\1/p' "$WORK/local-h2.log")
[ "$lb4" = 0 ] || fail "h4 has no server but moved $lb4 bytes through local access"
[ "$lb2" -ge "$SIZE" ] && [ "$lb2" -lt $((2 * SIZE)) ] ||
    fail "h2 should move its own server's half locally (about $SIZE bytes), moved $lb2"
pass "local access: none from h4, $lb2 bytes from h2 (its own server's stripes), every byte verified"

mh_stop_ensemble

# ---- Open MPI + PMIx: host names, descriptor on the MDS host -------------
MH_LISTEN=name MH_DESCRIPTOR=local mh_start_ensemble pmix h1 "h2 h3" --verbose
n=$(grep -c "wire-up through pmix" "$WORK/servers.log")
[ "$n" = 3 ] || { cat "$WORK/servers.log"; fail "expected 3 servers wired up through pmix, log shows $n"; }
grep -E '^(mds|iosrv) ' "$PFS_ENSEMBLE"
awk '$1 == "mds" || $1 == "iosrv" { split($3, a, ":"); if (a[1] != $5) bad = 1 } END { exit bad }' \
    "$PFS_ENSEMBLE" || fail "servers should advertise their host names"
[ -z "$(find "$VCLUSTER/hosts" -maxdepth 3 -name ensemble ! -path '*/h1/*')" ] ||
    fail "a descriptor outside the MDS host's storage"
pass "Open MPI launch, PMIx wire-up: servers advertise h1, h2, h3; the descriptor only on h1 (copied for clients)"

timeout 300 "$VCLUSTER_SH" exec head "$MPIEXEC_MPICH" -launcher ssh -launcher-exec "$VCLUSTER/ssh" \
    -iface eth0 -hosts h5:1,h4:3 -n 4 "$EXAMPLE" -f pfs:/kept.dat -s "$per_rank" --verify-only \
    >"$WORK/example2.log" 2>&1 || { cat "$WORK/example2.log"; fail "re-read after restart failed"; }
grep -q "re-read $total bytes.*every byte verified: OK" "$WORK/example2.log" ||
    { cat "$WORK/example2.log"; fail "file not found intact after the restart"; }
"$VCLUSTER_SH" exec h5 "$B/pfs-ctl" info >"$WORK/info-h5.log" 2>&1 || fail "pfs-ctl info on h5"
tcp_only_to "$WORK/info-h5.log" 3 ||
    { cat "$WORK/info-h5.log"; fail "h5 -> servers advertised by name: not TCP only"; }
pass "after a restart under the other launcher, 4 ranks on h4 and h5 found and verified the file"

mh_stop_ensemble
log "PASS"
