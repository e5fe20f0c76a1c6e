#!/bin/bash
# romio_tests.sh - ROMIO's own test programs (MPICH 4.0.2's
# src/mpi/romio/test) against a launched ensemble, through the pfs ROMIO
# driver: built with the MPICH that adio/build-mpich.sh made, run on 4
# ranks (the three tests that demand exactly 2 ranks on 2) with
# -fname pfs:/romio/NAME.  A test passes when it exits 0 and prints
# "No Errors".  The list, and the tests not run with their reasons, are in
# romio_lib.sh (shared with multihost_romio.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/romio_lib.sh"

romio_build "$WORK/bin"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /romio >/dev/null || fail "pfs-mkdir /romio"
# file_info: its striping_factor check (test/file_info.c, "if (default -
# 1 > 0 && value != default - 1) errs++; else if (value != default)
# errs++;") can pass only when the default is known (-u: also check
# ROMIO's generic hint defaults, which pfs keeps) and is 1 stripe: its
# files go to a directory whose default layout is one server.
"$B/pfs-mkdir" /romio1 >/dev/null && "$B/pfs-setstripe" -c 1 /romio1 >/dev/null ||
    fail "pfs-setstripe -c 1 /romio1"

run_local() {
    local np=$1
    shift
    LD_LIBRARY_PATH=$(mpich_libpath "$ROMIO_PREFIX" foreign) \
        timeout 600 "$ROMIO_PREFIX/bin/mpiexec" -n "$np" "$@"
}
romio_run_all "$WORK/bin" run_local

"$PFS_CTL" stop >/dev/null 2>&1 || true
