#!/bin/bash
# ompio_romio_tests.sh - ROMIO's own test programs (MPICH 4.0.2's
# src/mpi/romio/test), compiled with Debian's mpicc.openmpi and run with
# mpirun.openmpi on pfs: through pfs's OMPIO components (adio/ompio): the
# list that romio_tests.sh runs under MPICH with the ROMIO driver, with the
# same ranks and arguments.  A test passes when it exits 0 and prints its
# success line ("No Errors" for most).
#
# Differences from the MPICH run, each explained:
#   i_noncontig, noncontig, noncontig_coll, noncontig_coll2 use MPI-1's
#               MPI_LB/MPI_UB and MPI_Type_struct, which Debian's Open MPI
#               4.1 mpi.h hides (no --enable-mpi1-compatibility); they are
#               compiled with -DOMPI_OMIT_MPI1_COMPAT_DECLS=0 and
#               ompio_mpi1_compat.h, which name what libmpi.so.40 still
#               has.  Nothing about pfs.
#   error       checks that MPI_File_set_view refuses a displacement of -1.
#               ROMIO refuses it for every file; OMPIO does not (the test
#               fails under Open MPI on a local file).  The pfs components
#               refuse it for pfs: files, so it passes here.
#   misc, atomicity  as under MPICH: pfs has no atomic mode, and refuses it
#               (MPI_ERR_UNSUPPORTED_OPERATION); these lines check that it
#               is refused, not silently accepted.  (OMPIO on a local file
#               accepts it; atomicity then fails there.)
# Not run, as under MPICH (see romio_tests.sh): coll_perf, external32,
# syshints, and the Fortran tests and large_file.
#
# Needs the MPICH source tree that adio/build-mpich.sh unpacks
# (PFS_MPICH_WORK, default /var/tmp/pfs-mpich): only its test sources.
source "$(dirname "$0")/lib.sh"

need_ompio
MWORK=${PFS_MPICH_WORK:-/var/tmp/pfs-mpich}
TSRC=$MWORK/mpich-4.0.2/src/mpi/romio/test
TBLD=$MWORK/build/src/mpi/romio/test     # configured .c.in files
[ -d "$TSRC" ] && [ -f "$TBLD/misc.c" ] ||
    fail "no MPICH 4.0.2 source tree in $MWORK (ROMIO's tests): run adio/build-mpich.sh"

OK="No Errors"
TESTS="simple:4:-fname FILE:$OK
async:4:-fname FILE:$OK
async-multiple:4:-fname FILE:$OK
coll_test:4:-fname FILE:$OK
creat_excl:4:-fname FILE:$OK
excl:4:-fname FILE:$OK
file_info:4:-u -fname FILE:$OK
i_noncontig:2:-fname FILE:$OK
noncontig:2:-fname FILE:$OK
noncontig_coll:2:-fname FILE:$OK
noncontig_coll2:4:-fname FILE:$OK
aggregation1:4:-h -f FILE:$OK
aggregation2:4:FILE:$OK
hindexed:4:FILE:$OK
shared_fp:4:-fname FILE:$OK
ordered_fp:4:-fname FILE:$OK
split_coll:4:-fname FILE:$OK
psimple:4:-fname FILE:$OK
error:4:-fname FILE:$OK
status:4:-fname FILE:$OK
types_with_zeros:2:FILE:$OK
darray_read:4:FILE:$OK
big_extents:4:FILE:$OK
large_array:4:-fname FILE:file deleted
perf:4:-fname FILE:Read bandwidth after file sync
misc:4:-fname FILE:atomicity is 0, should be 1
atomicity:4:-fname FILE:Atomic mode not supported on this file system"
EXPECTED_UNSUPPORTED="misc atomicity"
MPI1_TESTS=" i_noncontig noncontig noncontig_coll noncontig_coll2 "

mkdir -p "$WORK/bin"
log "building ROMIO's tests with $MPICC_OMPI"
echo "$TESTS" | while IFS=: read -r name np args expect; do
    src=$TSRC/$name.c
    [ -f "$src" ] || src=$TBLD/$name.c
    extra=""
    case $MPI1_TESTS in *" $name "*)
        extra="-DOMPI_OMIT_MPI1_COMPAT_DECLS=0 -include $top_srcdir/tests/integration/ompio_mpi1_compat.h" ;;
    esac
    # shellcheck disable=SC2086
    "$MPICC_OMPI" -w -O1 $extra -I"$TSRC" -o "$WORK/bin/$name" "$src" >"$WORK/cc-$name.log" 2>&1 ||
        { cat "$WORK/cc-$name.log"; exit 1; }
done || fail "could not build the tests"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /romio >/dev/null || fail "pfs-mkdir /romio"
# file_info checks striping_factor against a default it can only know
# when it is 1 stripe (see romio_tests.sh): its files go to a directory
# whose default layout is one server.
"$B/pfs-mkdir" /romio1 >/dev/null && "$B/pfs-setstripe" -c 1 /romio1 >/dev/null ||
    fail "pfs-setstripe -c 1 /romio1"

passed=0
ran=0
refused=""
failed=""
while IFS=: read -r name np args expect; do
    out=$WORK/$name.out
    dir=/romio
    [ "$name" = file_info ] && dir=/romio1
    # shellcheck disable=SC2086
    run_ompi "$np" "$WORK/bin/$name" ${args//FILE/pfs:$dir/$name} >"$out" 2>&1
    rc=$?
    ran=$((ran + 1))
    case " $EXPECTED_UNSUPPORTED " in
    *" $name "*)
        if grep -q "$expect" "$out"; then
            log "$name ($np ranks): atomic mode refused, as documented"
            refused="$refused $name"
        else
            log "$name ($np ranks): expected '$expect' (exit $rc)"
            tail -20 "$out"
            failed="$failed $name"
        fi
        continue
        ;;
    esac
    if [ "$rc" = 0 ] && grep -q "$expect" "$out"; then
        passed=$((passed + 1))
        log "$name ($np ranks): $expect"
    else
        log "$name ($np ranks): FAILED (exit $rc)"
        tail -20 "$out"
        failed="$failed $name"
    fi
done <<END
$TESTS
END

stop_ensemble
want=$(echo "$TESTS" | wc -l)
[ "$ran" = "$want" ] || fail "ran $ran of $want tests"
[ -z "$failed" ] || fail "ROMIO tests failed under Open MPI:$failed"
pass "$passed ROMIO tests passed on pfs: under Open MPI; atomic mode refused as documented in:$refused"
