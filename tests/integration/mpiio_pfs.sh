#!/bin/bash
# mpiio_pfs.sh - an unmodified MPI-IO program on pfs: mpiio_pfs_test is
# compiled against Debian's MPICH (it knows nothing of pfs) and run with
# the pfs-enabled MPICH of adio/build-mpich.sh on LD_LIBRARY_PATH:
# pfs: and ufs: files in one run, hints in and out, error classes,
# non-blocking and split collective calls, subarray/darray/indexed views,
# and one call of more than 2^31 bytes.
source "$(dirname "$0")/lib.sh"

PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
PROG=$B/tests/integration/mpiio_pfs_test
[ -f "$PREFIX/lib/libmpi.so.12" ] ||
    fail "no MPICH with the pfs driver in $PREFIX: run adio/build-mpich.sh"
need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"

# the binary asks for Debian's library name; the prefix answers it
ldd "$PROG" | grep -Eq 'libmpich.so.12 => /(usr/)?lib/' ||
    fail "mpiio_pfs_test is not linked against Debian's libmpich.so.12"
LD_LIBRARY_PATH=$PREFIX/lib ldd "$PROG" | grep -q "libmpich.so.12 => $PREFIX/lib" ||
    fail "LD_LIBRARY_PATH=$PREFIX/lib does not redirect libmpich.so.12"
pass "binary linked to Debian's libmpich.so.12, redirected by LD_LIBRARY_PATH"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /mpiio >/dev/null || fail "pfs-mkdir /mpiio"
mkdir -p "$WORK/ufs"

# Debian's own MPICH has no pfs driver: the same binary's open fails there
# with "unsupported file system type"
timeout 120 "$MPIEXEC_MPICH" -n 1 "$PROG" -m noens -d pfs:/mpiio >"$WORK/debian.log" 2>&1
grep -q "fstypeunsupported\|unsupported" "$WORK/debian.log" ||
    { cat "$WORK/debian.log"; fail "Debian's MPICH did not refuse pfs:"; }
pass "without the pfs MPICH, the same binary cannot use pfs: (as expected)"

run() {
    LD_LIBRARY_PATH=$B/.libs:$PREFIX/lib timeout 600 "$MPIEXEC_MPICH" "$@"
}

run -n 4 "$PROG" -m basic -d pfs:/mpiio -u "$WORK/ufs" >"$WORK/basic.log" 2>&1 ||
    { cat "$WORK/basic.log"; fail "basic checks failed"; }
grep -q "mpiio_pfs_test basic: OK" "$WORK/basic.log" || fail "basic: no OK line"
grep "exclusive create error" "$WORK/basic.log" || true
pass "4 ranks: ufs: and pfs: in one run, hints, error classes, views, non-blocking, split"

run -n 4 "$PROG" -m calls -d pfs:/mpiio >"$WORK/calls.log" 2>&1 ||
    { cat "$WORK/calls.log"; fail "calls checks failed"; }
grep -q "mpiio_pfs_test calls: OK" "$WORK/calls.log" || fail "calls: no OK line"
grep "^calls:" "$WORK/calls.log"
pass "many small collective calls (one record per rank per call; mixed sizes, empty ranks and calls), verified"

# the layout asked for through hints is the file's layout in the MDS
"$B/pfs-getstripe" /mpiio/hints.dat >"$WORK/getstripe.log" 2>&1 ||
    { cat "$WORK/getstripe.log"; fail "pfs-getstripe"; }
grep -qx 'stripe_size: 65536' "$WORK/getstripe.log" &&
    grep -qx 'stripe_count: 1' "$WORK/getstripe.log" ||
    { cat "$WORK/getstripe.log"; fail "pfs-getstripe does not show the hinted layout (65536 x 1)"; }
pass "hinted layout (striping_unit 65536, striping_factor 1) shown by pfs-getstripe"

PFS_ENSEMBLE=$WORK/no-such-ensemble run -n 2 "$PROG" -m noens -d pfs:/mpiio \
    >"$WORK/noens.log" 2>&1 || { cat "$WORK/noens.log"; fail "no-ensemble check failed"; }
grep "open without an ensemble" "$WORK/noens.log"
pass "no ensemble: MPI_ERR_IO with the cause"

# an unprivileged user (uid 4711) runs the same binary against this
# root-run ensemble: the MDS's permission checks come back as
# MPI_ERR_ACCESS, its own files work (over TCP: see doc/limitations.md)
# (switching users needs root: run as an ordinary user, the test has
# been that user all along, and this part is left out)
if [ "$(id -u)" = 0 ]; then
    UDIR=$(mktemp -d /tmp/pfs-mpiuser.XXXXXX)
    chmod 755 "$UDIR"
    cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
    chmod 644 "$UDIR/ensemble"
    head -c 4096 /dev/zero | tr '\0' r >"$UDIR/r"
    # for a user with no supplementary group: a sticky world-writable
    # directory; for users with 4, 16 and 200 groups: a sticky 1770 directory
    # of their last group, so the run works only if that group counts
    for n in 0 4 16 200; do
        g=$((70000 + n))
        dir=/shared$n
        if [ "$n" = 0 ]; then
            "$B/pfs-mkdir" -m 1777 "$dir" >/dev/null || fail "pfs-mkdir $dir"
        else
            "$B/pfs-mkdir" -m 1770 "$dir" && "$B/pfs-chown" ":$g" "$dir" ||
                fail "pfs-mkdir $dir of group $g"
        fi
        "$B/pfs-cp" -q "$UDIR/r" "pfs:$dir/read-only.dat" && "$B/pfs-chmod" 644 "$dir/read-only.dat" &&
            "$B/pfs-cp" -q "$UDIR/r" "pfs:$dir/root-only.dat" && "$B/pfs-chmod" 600 "$dir/root-only.dat" ||
            fail "files of root for the permission checks"
        "$B/tests/integration/as_user" 4711 4711 $((g - n + 1)) "$n" \
            env HOME="$UDIR" PFS_ENSEMBLE="$UDIR/ensemble" LD_LIBRARY_PATH="$B/.libs:$PREFIX/lib" \
            timeout 300 "$MPIEXEC_MPICH" -n 3 "$PROG" -m access -d "pfs:$dir" >"$WORK/access$n.log" 2>&1 ||
            { cat "$WORK/access$n.log"; fail "permission checks through MPI-IO failed for a user with $n groups"; }
        grep "access:" "$WORK/access$n.log"
    done
    rm -rf "$UDIR"
    pass "as an unprivileged user with 0, 4, 16 and 200 groups: MPI_ERR_ACCESS for root's files, its own file written and read (in its group's directory)"
else
    log "not root: the runs as uid 4711 with 0-200 groups need root to switch users; left out"
fi

run -n 2 "$PROG" -m large -d pfs:/mpiio >"$WORK/large.log" 2>&1 ||
    { cat "$WORK/large.log"; fail "large-count check failed"; }
grep "large:" "$WORK/large.log"
pass "more than 2^31 bytes in one collective call, verified"

stop_ensemble
