#!/bin/bash
# ensemble_pmix.sh - the same round trip with the servers launched by Open
# MPI's mpirun, which wires them up through PMIx (no MPI_Init).
. "${top_srcdir:-.}/tests/integration/lib.sh"
ensemble_round_trip pmix pmix
log "PASS"
