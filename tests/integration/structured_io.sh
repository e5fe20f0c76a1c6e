#!/bin/bash
# structured_io.sh - list and strided I/O from 4 MPI ranks over 2 I/O
# servers (every byte verified, read back in other decompositions), and
# one request per server per call, counted on the servers.
. "${top_srcdir:-.}/tests/integration/lib.sh"

SIO=$B/tests/integration/sio_mpi_test
start_ensemble mpich "$WORK/root" 2

# Local access is on by default: large pieces are read and written by the
# clients themselves (these servers are on their host), small ones through
# the servers.
timeout 300 "$MPIEXEC_MPICH" -n 4 "$SIO" >"$WORK/sio.log" 2>&1 ||
    { cat "$WORK/sio.log"; fail "sio_mpi_test failed"; }
cat "$WORK/sio.log"
grep -q "^PASS: 0 failed" "$WORK/sio.log" || fail "sio_mpi_test did not pass"

# Everything else here goes through the servers.
export PFS_LOCAL_IO=off
timeout 300 "$MPIEXEC_MPICH" -genv PFS_LOCAL_IO off -n 4 "$SIO" >"$WORK/sio-off.log" 2>&1 ||
    { cat "$WORK/sio-off.log"; fail "sio_mpi_test without local access failed"; }
grep -q "^PASS: 0 failed" "$WORK/sio-off.log" ||
    fail "sio_mpi_test without local access did not pass"
pass "the same checks without local access (every byte through the servers)"

# again with 64 KiB requests: every call is split into many requests per
# server, in flight through the window at once
PFS_MAX_TRANSFER=64k timeout 300 "$MPIEXEC_MPICH" -genv PFS_MAX_TRANSFER 64k \
    -genv PFS_LOCAL_IO off \
    -n 4 "$SIO" >"$WORK/sio-small.log" 2>&1 ||
    { cat "$WORK/sio-small.log"; fail "sio_mpi_test with 64 KiB requests failed"; }
grep -q "^PASS: 0 failed" "$WORK/sio-small.log" ||
    fail "sio_mpi_test with 64 KiB requests did not pass"
pass "the same checks with 64 KiB requests (many requests per call)"

# data requests each I/O server has served so far
data_reqs() {
    "$PFS_CTL" status | awk '$1 == "iosrv" { printf "%s ", $8 }'
}

# The largest max_transfer: a request's payload is its run list plus the
# data, and must still fit the server's 64 MiB limit (a 64 MiB setting
# used to fail every large write).
PFS_MAX_TRANSFER=64m "$MPIEXEC_MPICH" -genv PFS_MAX_TRANSFER 64m \
    -genv PFS_LOCAL_IO off -n 1 \
    "$EXAMPLE" -f pfs:/max-transfer.dat -s 100m -c 1 >"$WORK/maxxfer.log" 2>&1 ||
    { cat "$WORK/maxxfer.log"; fail "100 MiB write with PFS_MAX_TRANSFER=64m failed"; }
pass "PFS_MAX_TRANSFER=64m: $(grep -o 'wrote and read back [0-9]* bytes' "$WORK/maxxfer.log")"

PIECES=5000
for op in write read; do
    before=$(data_reqs)
    "$MPIEXEC_MPICH" -genv PFS_LOCAL_IO off -n 1 "$SIO" "--one-$op" /count.dat "$PIECES" >"$WORK/one.log" 2>&1 ||
        { cat "$WORK/one.log"; fail "one-call $op failed"; }
    after=$(data_reqs)
    set -- $before
    b0=$1 b1=$2
    set -- $after
    d0=$(($1 - b0)) d1=$(($2 - b1))
    log "$(cat "$WORK/one.log"): data requests per server: $d0 and $d1"
    [ "$d0" = 1 ] && [ "$d1" = 1 ] ||
        fail "one $op call of $PIECES pieces took $d0 + $d1 requests, expected 1 per server"
    pass "one strided $op of $PIECES pieces = one request per server"
done
stop_ensemble
log "PASS"
