#!/bin/bash
# ompio_pfs.sh - unmodified Open MPI programs on pfs: through pfs's OMPIO
# components (adio/ompio).  mpiio_pfs_test is compiled with Debian's
# mpicc.openmpi (it knows nothing of pfs) and run with Debian's
# mpirun.openmpi; pfs: comes from the component path alone.  Its modes:
# basic (a local file and pfs: files in one run, hints in and out, error
# classes, views built from subarray/darray/indexed types written in one
# decomposition and read in another, non-blocking and split collectives),
# noens, access (as an unprivileged user), large (more than 2^31 bytes in
# one call), shared (shared and ordered file pointers from 4 ranks tile
# the file exactly), stale (a write to a file removed behind its back is
# an error, not success), misc (delete on close, atomic mode refused).
# Also: which components OMPIO picked, the components found in
# ~/.openmpi/components without any variable, and the refusal of an Open
# MPI release other than the one they were built for.
source "$(dirname "$0")/lib.sh"

need_ompio
PROG=$WORK/mpiio_pfs_test
"$MPICC_OMPI" -O1 -o "$PROG" "$top_srcdir/tests/integration/mpiio_pfs_test.c" \
    "$top_srcdir/tests/integration/mpiio_pfs_test_io.c" \
    "$top_srcdir/tests/integration/mpiio_pfs_test_limits.c" \
    >"$WORK/cc.log" 2>&1 || { cat "$WORK/cc.log"; fail "mpicc.openmpi failed"; }
ldd "$PROG" | grep -q 'libmpi.so.40 => ' || fail "mpiio_pfs_test is not linked to Open MPI's libmpi.so.40"
ldd "$PROG" | grep -q 'pio' && fail "mpiio_pfs_test is linked to a pfs library"
pass "binary built with mpicc.openmpi, linked to Debian's Open MPI only"

# ---- the release check (no ensemble needed) ----
cc -shared -fPIC -O1 -o "$WORK/fake_version.so" "$top_srcdir/tests/integration/ompio_fake_version.c" \
    >"$WORK/cc-fake.log" 2>&1 || { cat "$WORK/cc-fake.log"; fail "cannot build the version shim"; }
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && PFS_ENSEMBLE=$WORK/no-ensemble run_ompi 2 -x LD_PRELOAD="$WORK/fake_version.so" \
    "$PROG" -m noens -d pfs:/mpiio) >"$WORK/version.log" 2>&1
grep -q "built for Open MPI $OMPI_VERSION_BUILT, but this process runs Open MPI v4.1.2" \
    "$WORK/version.log" || { cat "$WORK/version.log"; fail "no refusal of Open MPI 4.1.2"; }
grep -q "mpiio_pfs_test noens: OK" "$WORK/version.log" &&
    fail "the components worked under a release they were not built for"
grep -m1 "refuse" "$WORK/version.log"
pass "under a faked Open MPI 4.1.2 the components refuse to load and say why"

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /mpiio >/dev/null || fail "pfs-mkdir /mpiio"
mkdir -p "$WORK/local"

# Open MPI alone (its default component path) knows no pfs:
(unset OMPI_MCA_mca_base_component_path; cd "$WORK/cwd" &&
    HOME=$WORK/cwd run_ompi 1 "$PROG" -m noens -d pfs:/mpiio) >"$WORK/plain.log" 2>&1
grep -q "mpiio_pfs_test noens: OK" "$WORK/plain.log" &&
    fail "pfs: worked without the components"
pass "without the components, the same binary cannot use pfs: (as expected)"

run_ompi 4 "$PROG" -m basic -d pfs:/mpiio -l "$WORK/local" >"$WORK/basic.log" 2>&1 ||
    { cat "$WORK/basic.log"; fail "basic checks failed"; }
grep -q "mpiio_pfs_test basic: OK" "$WORK/basic.log" || fail "basic: no OK line"
grep "exclusive create error" "$WORK/basic.log" || true
pass "4 ranks: a local file and pfs: in one run, hints, error classes, views, non-blocking, split"

"$B/pfs-getstripe" /mpiio/hints.dat >"$WORK/getstripe.log" 2>&1 ||
    { cat "$WORK/getstripe.log"; fail "pfs-getstripe"; }
grep -qx 'stripe_size: 65536' "$WORK/getstripe.log" &&
    grep -qx 'stripe_count: 1' "$WORK/getstripe.log" ||
    { cat "$WORK/getstripe.log"; fail "pfs-getstripe does not show the hinted layout (65536 x 1)"; }
pass "hinted layout (striping_unit 65536, striping_factor 1) shown by pfs-getstripe"

# OMPIO picked pfs's component in each of its four frameworks
OMPI_MCA_fs_base_verbose=10 OMPI_MCA_fbtl_base_verbose=10 OMPI_MCA_fcoll_base_verbose=10 \
    OMPI_MCA_sharedfp_base_verbose=10 run_ompi 2 "$PROG" -m misc -d pfs:/mpiio \
    >"$WORK/select.log" 2>&1 || { cat "$WORK/select.log"; fail "misc (verbose) failed"; }
for lost in ufs posix individual sm; do
    grep -q "select: component $lost is not selected" "$WORK/select.log" ||
        { grep select "$WORK/select.log"; fail "OMPIO did not prefer pfs over $lost"; }
done
[ "$(grep -c 'select: component pfs selected' "$WORK/select.log")" -ge 8 ] ||
    { grep select "$WORK/select.log"; fail "pfs components not selected on both ranks"; }
pass "OMPIO chose pfs over fs/ufs, fbtl/posix, fcoll/individual (2 ranks) and sharedfp/sm"

PFS_ENSEMBLE=$WORK/no-such-ensemble run_ompi 2 "$PROG" -m noens -d pfs:/mpiio \
    >"$WORK/noens.log" 2>&1 || { cat "$WORK/noens.log"; fail "no-ensemble check failed"; }
grep "open without an ensemble" "$WORK/noens.log"
pass "no ensemble: MPI_ERR_IO with the cause"

for mode in shared stale misc calls; do
    # stale is about the server's refusal: with local access, a rank on
    # the servers' host writes into the removed object itself, unrefused
    # (doc/local-access.md), so that one runs through the servers
    lio=on
    [ "$mode" = stale ] && lio=off
    PFS_LOCAL_IO=$lio run_ompi 4 -x PFS_LOCAL_IO "$PROG" -m $mode -d pfs:/mpiio \
        >"$WORK/$mode.log" 2>&1 ||
        { cat "$WORK/$mode.log"; fail "$mode checks failed"; }
    grep -q "mpiio_pfs_test $mode: OK" "$WORK/$mode.log" || fail "$mode: no OK line"
    grep "^$mode:" "$WORK/$mode.log"
done
pass "shared and ordered pointers tile the file; writes to a removed file fail; delete on close; many small collective calls verified"

# the components in ~/.openmpi/components, found without any variable
mkdir -p "$WORK/home/.openmpi/components"
cp "$OMPIO_COMPONENTS"/mca_*_pfs.so "$WORK/home/.openmpi/components/"
(unset OMPI_MCA_mca_base_component_path; HOME=$WORK/home run_ompi 2 "$PROG" -m misc -d pfs:/mpiio) \
    >"$WORK/home.log" 2>&1 || { cat "$WORK/home.log"; fail "components in ~/.openmpi/components"; }
grep -q "mpiio_pfs_test misc: OK" "$WORK/home.log" || fail "home: no OK line"
pass "components in ~/.openmpi/components work with no variable set"

# an unprivileged user (uid 4711) against this root-run ensemble: the
# MDS's permission checks come back as MPI_ERR_ACCESS
UDIR=$(mktemp -d /tmp/pfs-ompiuser.XXXXXX)
chmod 755 "$UDIR" "$WORK" "$PROG"
mkdir "$UDIR/home" && chown 4711:4711 "$UDIR/home" # Open MPI's session directory
cp "$PFS_ENSEMBLE" "$UDIR/ensemble"
chmod 644 "$UDIR/ensemble"
"$B/pfs-mkdir" -m 1777 /shared >/dev/null || fail "pfs-mkdir /shared"
head -c 4096 /dev/zero | tr '\0' r >"$UDIR/r"
"$B/pfs-cp" -q "$UDIR/r" pfs:/shared/read-only.dat && "$B/pfs-chmod" 644 /shared/read-only.dat &&
    "$B/pfs-cp" -q "$UDIR/r" pfs:/shared/root-only.dat && "$B/pfs-chmod" 600 /shared/root-only.dat ||
    fail "files of root for the permission checks"
setpriv --reuid=4711 --regid=4711 --clear-groups \
    env HOME="$UDIR/home" TMPDIR="$UDIR/home" PFS_ENSEMBLE="$UDIR/ensemble" \
    timeout 300 "$MPIRUN_OMPI" --oversubscribe --bind-to none -n 3 "$PROG" -m access -d pfs:/shared \
    >"$WORK/access.log" 2>&1 </dev/null ||
    { cat "$WORK/access.log"; rm -rf "$UDIR"; fail "permission checks through MPI-IO failed"; }
grep "access:" "$WORK/access.log"
rm -rf "$UDIR"
pass "as an unprivileged user: MPI_ERR_ACCESS for root's files, its own file written and read"

run_ompi 2 "$PROG" -m large -d pfs:/mpiio >"$WORK/large.log" 2>&1 ||
    { cat "$WORK/large.log"; fail "large-count check failed"; }
grep "large:" "$WORK/large.log"
pass "more than 2^31 bytes in one collective call, verified"

stop_ensemble
