#!/bin/bash
# ensemble_mpich.sh - launch with MPICH's mpiexec (MPI wire-up), run the MPI
# example on 4 ranks over 2 I/O servers, restart, re-verify, stop.
. "${top_srcdir:-.}/tests/integration/lib.sh"
ensemble_round_trip mpich mpi
log "PASS"
