#!/bin/bash
# h5fd_serial.sh - the HDF5 driver with Debian's serial HDF5 1.10 (no MPI
# at all): h5fd_test_serial writes datasets (contiguous, chunked,
# deflate), groups and attributes through the pfs driver and through
# sec2; the pfs file, copied out with pfs-cp, is byte-identical to the
# sec2 file and h5dump prints the same.  Then the write lease: a second
# writer (another process) is refused with a message naming the holder,
# readers are not, and after the holder is killed with SIGKILL the file
# opens for writing again within 10 s; a process that opened the file for
# writing twice and closed one handle still holds it.
source "$(dirname "$0")/lib.sh"

T=$B/tests/integration/h5fd_test_serial
if [ ! -x "$T" ]; then
    if pkg-config --exists hdf5-serial 2>/dev/null; then
        fail "Debian's serial HDF5 is installed but $T was not built: re-run configure"
    fi
    log "SKIP: Debian's serial HDF5 (libhdf5-dev) is absent, so no driver was built for it"
    exit 77
fi
need "$(command -v h5dump || true)" "h5dump" "apt-get install hdf5-tools"

start_ensemble mpich "$WORK/store" 2 --verbose
"$B/pfs-mkdir" /h5 >/dev/null || fail "pfs-mkdir /h5"
mkdir -p "$WORK/sec2" "$WORK/pfs"

# 1. the same program through both drivers: the same bytes
(cd "$WORK/sec2" && "$T" write sec2 data.h5) >"$WORK/w1.log" 2>&1 ||
    { cat "$WORK/w1.log"; fail "write through sec2"; }
"$T" write pfs pfs:/h5/data.h5 >"$WORK/w2.log" 2>&1 ||
    { cat "$WORK/w2.log"; fail "write through pfs"; }
"$T" verify pfs pfs:/h5/data.h5 >"$WORK/v.log" 2>&1 ||
    { cat "$WORK/v.log"; fail "read back through pfs"; }
grep -q "OK (0 errors)" "$WORK/v.log" || fail "read back: no OK line"
pass "datasets (contiguous, chunked, deflate), groups and attributes written and read through pfs"
"$B/pfs-cp" pfs:/h5/data.h5 "$WORK/pfs/data.h5" >/dev/null || fail "pfs-cp out"
cmp "$WORK/sec2/data.h5" "$WORK/pfs/data.h5" ||
    fail "the file written through pfs differs from sec2's"
pass "byte-identical to the file the sec2 driver wrote ($(stat -c %s "$WORK/pfs/data.h5") bytes)"
(cd "$WORK/sec2" && h5dump data.h5) >"$WORK/sec2.ddl" 2>&1 || fail "h5dump of the sec2 file"
(cd "$WORK/pfs" && h5dump data.h5) >"$WORK/pfs.ddl" 2>&1 || fail "h5dump of the pfs file"
cmp -s "$WORK/sec2.ddl" "$WORK/pfs.ddl" || { diff "$WORK/sec2.ddl" "$WORK/pfs.ddl" | head; fail "h5dump differs"; }
pass "h5dump prints the same for both ($(wc -l <"$WORK/pfs.ddl") lines)"

# the configuration: directory for relative names, layout at create
"$T" config /h5 cfg.h5 >"$WORK/cfg.log" 2>&1 || { cat "$WORK/cfg.log"; fail "H5Pset_fapl_pfs/H5Pget_fapl_pfs"; }
got=$("$B/pfs-getstripe" /h5/cfg.h5 | head -2 | tr '\n' ' ')
[ "$got" = "stripe_size: 65536 stripe_count: 1 " ] || fail "pfs:/h5/cfg.h5 has layout '$got'"
"$T" verify pfs pfs:/h5/cfg.h5 >"$WORK/v3.log" 2>&1 || { cat "$WORK/v3.log"; fail "read back cfg.h5"; }
pass "H5Pget_fapl_pfs gives back the configuration; the relative name went to pfs:/h5 with 64 KiB x 1 stripes"

# 2. one writer at a time
"$T" hold pfs:/h5/data.h5 600 >"$WORK/hold.log" 2>&1 &
HOLDER=$!
SERVER_PIDS="$SERVER_PIDS $HOLDER" # cleanup kills it by PID on any exit
wait_until 30 grep -q "^holding" "$WORK/hold.log" || { cat "$WORK/hold.log"; fail "the first writer did not open"; }
rc=0
"$T" trywrite pfs:/h5/data.h5 >"$WORK/second.log" 2>&1 || rc=$?
[ "$rc" = 3 ] || { cat "$WORK/second.log"; fail "a second writer was not refused (exit $rc)"; }
grep -q "open for writing by another client (pid $HOLDER" "$WORK/second.log" ||
    { cat "$WORK/second.log"; fail "the refusal does not name the holder"; }
grep -q "H5Pset_fapl_mpio" "$WORK/second.log" || fail "the refusal does not name the mpio path"
pass "a second writer is refused: $(grep -o 'open for writing by another client[^)]*)' "$WORK/second.log" | head -1)"
"$T" tryread pfs:/h5/data.h5 >"$WORK/reader.log" 2>&1 || { cat "$WORK/reader.log"; fail "a reader was refused"; }
pass "a reader is not refused while the writer holds the file"

kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
t0=$(date +%s%N)
reopened=no
for _ in $(seq 1 50); do
    if "$T" trywrite pfs:/h5/data.h5 >"$WORK/again.log" 2>&1; then
        reopened=yes
        break
    fi
    sleep 0.2
done
[ "$reopened" = yes ] || { cat "$WORK/again.log"; fail "still refused 10 s after the writer was killed"; }
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q "went away holding 1 write lease" "$WORK/servers.log" || fail "the MDS did not log the released lease"
pass "after kill -9 of the writer the file opens for writing again ($ms ms later)"
"$T" verify pfs pfs:/h5/data.h5 >"$WORK/v2.log" 2>&1 || { cat "$WORK/v2.log"; fail "file damaged"; }
pass "and it is intact"

# 3. a process that opened the file for writing twice and closed one
# handle still holds it (the lease is counted per file, not per handle)
"$T" reopen-hold pfs:/h5/data.h5 600 >"$WORK/reopen.log" 2>&1 &
HOLDER=$!
SERVER_PIDS="$SERVER_PIDS $HOLDER"
wait_until 30 grep -q "^holding" "$WORK/reopen.log" || { cat "$WORK/reopen.log"; fail "reopen-hold did not get going"; }
rc=0
"$T" trywrite pfs:/h5/data.h5 >"$WORK/third.log" 2>&1 || rc=$?
[ "$rc" = 3 ] || { cat "$WORK/third.log"; fail "after one of two handles closed, another writer got in (exit $rc)"; }
kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
pass "two opens for writing in one process, one closed: the file is still held"

stop_ensemble
