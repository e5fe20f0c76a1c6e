#!/bin/bash
# abi_sizes.sh - public structs at the caller's size (doc/abi.md): every
# libpio and libpio_mpi call that takes one and needs servers, with a
# size below the first release's (refused, nothing written or done),
# exactly today's (ending at an inaccessible page) and a later release's
# (extra bytes ignored on input, zeroed on output, nothing past the
# size touched); abi_client.c says what each call is checked for.
. "${top_srcdir:-.}/tests/integration/lib.sh"

start_ensemble mpich "$WORK/root" 2
timeout 120 "$MPIEXEC_MPICH" -n 2 "$B/tests/integration/abi_client" \
    >"$WORK/abi.log" 2>&1 || { cat "$WORK/abi.log"; fail "abi_client failed"; }
cat "$WORK/abi.log"
grep -q "^PASS: 0 failed" "$WORK/abi.log" || fail "abi_client did not pass"
pass "every struct size refused, taken exactly, and grown as doc/abi.md says"
stop_ensemble
log "PASS"
