#!/bin/bash
# h5fd_hdf5_114.sh - the pfs driver as a plugin of HDF5 1.14.5 (built
# parallel against the pfs-enabled MPICH by h5fd/build-hdf5.sh):
#  - an unmodified HDF5 example (HDF5Examples/C/H5D/h5ex_d_unlimgzip.c:
#    chunked, gzip, extended, reopened for writing and reading) runs on
#    pfs with HDF5_DRIVER=pfs alone and prints what it prints on sec2;
#  - h5dump --vfd-name=pfs, h5ls --vfd-name=pfs, HDF5_DRIVER=pfs h5ls and
#    h5diff --vfd-name-1=pfs see the same file as for the local copy;
#    h5repack --src-vfd-name=pfs --dst-vfd-name=pfs rewrites it in pfs;
#  - HDF5's own VFD tests that apply (test/vfd.c's vector and selection
#    I/O, tests/integration/h5fd_vfd114.c) pass on the plugin;
#  - this HDF5 writes a file through mpio on pfs: from 4 ranks, and
#    H5Pset_fapl_pfs (the plugin library linked) reads it.
source "$(dirname "$0")/lib.sh"

HWORK=${PFS_HDF5_WORK:-/var/tmp/pfs-hdf5}
H=${HDF5_114_PREFIX:-${PFS_HDF5_PREFIX:-$HWORK/install}}
if [ "${PFS_H5FD_PLUGIN_BUILT:-no}" != yes ]; then
    if [ -f "$H/include/H5FDdevelop.h" ]; then
        fail "HDF5 1.14 is installed in $H but configure built no plugin: re-run configure"
    fi
    log "SKIP: no HDF5 1.14 in $H, so no plugin was built (h5fd/build-hdf5.sh builds it;" \
        "scripts/check.sh runs it)"
    exit 77
fi
if [ "$PFS_SANITIZED" = yes ]; then
    # HDF5 1.14's tools are not instrumented: an instrumented plugin
    # cannot be loaded into them (doc/sanitizers.md)
    log "SKIP: a sanitizer build; its plugin cannot be loaded into HDF5's uninstrumented tools"
    exit 77
fi
MPICH=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ -x "$H/bin/h5pcc" ] && [ -x "$H/bin/h5dump" ] || fail "HDF5 1.14 in $H lacks h5pcc or h5dump"
HSRC=$HWORK/hdf5-1.14.5
EXAMPLE=$HSRC/HDF5Examples/C/H5D/h5ex_d_unlimgzip.c
[ -f "$EXAMPLE" ] && [ -f "$HSRC/test/vfd.c" ] || fail "no HDF5 1.14.5 source tree in $HSRC"
PLUGIN_DIR=$B/h5fd/plugin/.libs
[ -f "$PLUGIN_DIR/libh5fd_pfs.so" ] || fail "no plugin in $PLUGIN_DIR"
export LD_LIBRARY_PATH=$B/.libs:$MPICH/lib:$H/lib
export HDF5_PLUGIN_PATH=$PLUGIN_DIR

start_ensemble mpich "$WORK/store" 2
"$B/pfs-mkdir" /ex >/dev/null || fail "pfs-mkdir"

# 1. an unmodified example, by environment variable alone
"$H/bin/h5pcc" -o "$WORK/example" "$EXAMPLE" >"$WORK/cc.log" 2>&1 || { cat "$WORK/cc.log"; fail "h5pcc example"; }
mkdir -p "$WORK/sec2run" "$WORK/pfsrun"
(cd "$WORK/sec2run" && timeout 120 "$WORK/example") >"$WORK/sec2.out" 2>&1 ||
    { cat "$WORK/sec2.out"; fail "the example on sec2"; }
(cd "$WORK/pfsrun" && HDF5_DRIVER=pfs HDF5_DRIVER_CONFIG=dir=/ex timeout 120 "$WORK/example") \
    >"$WORK/pfs.out" 2>&1 || { cat "$WORK/pfs.out"; fail "the example with HDF5_DRIVER=pfs"; }
cmp -s "$WORK/sec2.out" "$WORK/pfs.out" || { diff "$WORK/sec2.out" "$WORK/pfs.out" | head; fail "the example prints differently on pfs"; }
[ -z "$(ls "$WORK/pfsrun")" ] || fail "the example wrote a local file despite HDF5_DRIVER=pfs"
"$B/pfs-ls" /ex | grep -q '^h5ex_d_unlimgzip.h5$' || fail "no h5ex_d_unlimgzip.h5 in pfs:/ex"
pass "an unmodified HDF5 example ran on pfs with HDF5_DRIVER=pfs and printed what it prints on sec2"

# 2. the tools
F=pfs:/ex/h5ex_d_unlimgzip.h5
L=$WORK/sec2run/h5ex_d_unlimgzip.h5
"$H/bin/h5dump" --vfd-name=pfs "$F" >"$WORK/pfs.ddl" 2>&1 || { cat "$WORK/pfs.ddl"; fail "h5dump --vfd-name=pfs"; }
"$H/bin/h5dump" "$L" >"$WORK/sec2.ddl" 2>&1 || fail "h5dump of the local file"
diff <(tail -n +2 "$WORK/sec2.ddl") <(tail -n +2 "$WORK/pfs.ddl") >/dev/null ||
    { diff "$WORK/sec2.ddl" "$WORK/pfs.ddl" | head; fail "h5dump --vfd-name=pfs differs"; }
pass "h5dump --vfd-name=pfs prints the same as for the sec2 file ($(wc -l <"$WORK/pfs.ddl") lines)"
"$H/bin/h5ls" -r --vfd-name=pfs "$F" >"$WORK/ls1.out" 2>&1 || { cat "$WORK/ls1.out"; fail "h5ls --vfd-name=pfs"; }
HDF5_DRIVER=pfs "$H/bin/h5ls" -r "$F" >"$WORK/ls2.out" 2>&1 || { cat "$WORK/ls2.out"; fail "HDF5_DRIVER=pfs h5ls"; }
"$H/bin/h5ls" -r "$L" >"$WORK/ls3.out" 2>&1 || fail "h5ls of the local file"
cmp -s "$WORK/ls1.out" "$WORK/ls3.out" && cmp -s "$WORK/ls2.out" "$WORK/ls3.out" ||
    { cat "$WORK/ls1.out" "$WORK/ls2.out" "$WORK/ls3.out"; fail "h5ls differs"; }
pass "h5ls --vfd-name=pfs and HDF5_DRIVER=pfs h5ls: $(tr -s ' ' <"$WORK/ls1.out" | head -1)"
"$H/bin/h5diff" --vfd-name-1=pfs "$F" "$L" >"$WORK/diff.out" 2>&1 ||
    { cat "$WORK/diff.out"; fail "h5diff finds differences (or failed)"; }
pass "h5diff --vfd-name-1=pfs: no difference between the pfs file and the local one"
"$H/bin/h5repack" --src-vfd-name=pfs --dst-vfd-name=pfs -f GZIP=1 "$F" pfs:/ex/repacked.h5 \
    >"$WORK/repack.out" 2>&1 || { cat "$WORK/repack.out"; fail "h5repack pfs -> pfs"; }
"$H/bin/h5diff" --vfd-name-1=pfs --vfd-name-2=pfs "$F" pfs:/ex/repacked.h5 >"$WORK/diff2.out" 2>&1 ||
    { cat "$WORK/diff2.out"; fail "h5diff of the repacked file"; }
"$H/bin/h5dump" --vfd-name=pfs -p -H pfs:/ex/repacked.h5 | grep -q "DEFLATE { LEVEL 1 }" ||
    fail "the repacked file does not have the new filter"
pass "h5repack pfs -> pfs (gzip level 1), and h5diff with both files on pfs sees no difference"

# 3. HDF5's own VFD tests that apply
"$B/pfs-mkdir" /vfdtest >/dev/null || fail "pfs-mkdir"
"$H/bin/h5pcc" -I"$HSRC/test" -I"$HWORK/build/test" -I"$HSRC/src" -I"$HWORK/build/src" \
    -o "$WORK/vfd114" "$top_srcdir/tests/integration/h5fd_vfd114.c" \
    "$HWORK/build/test/.libs/libh5test.a" >"$WORK/cc2.log" 2>&1 ||
    { tail -20 "$WORK/cc2.log"; fail "building test/vfd.c"; }
(cd "$WORK" && HDF5_DRIVER_CONFIG=dir=/vfdtest timeout 300 "$WORK/vfd114") >"$WORK/vfd.log" 2>&1 ||
    { cat "$WORK/vfd.log"; fail "HDF5's VFD tests on the pfs plugin"; }
grep -q "All VFD tests that apply passed" "$WORK/vfd.log" || { cat "$WORK/vfd.log"; fail "VFD tests: no pass line"; }
pass "HDF5 1.14.5's test/vfd.c: $(grep -c PASSED "$WORK/vfd.log") tests (vector and selection I/O) passed on the plugin"

# 4. parallel HDF5 1.14 over mpio on pfs:, read back through the driver
"$H/bin/h5pcc" -I"$top_srcdir/include" -o "$WORK/h5fd_test114" "$top_srcdir/tests/integration/h5fd_test.c" \
    "$PLUGIN_DIR/libh5fd_pfs.so" -Wl,-rpath,"$PLUGIN_DIR" -L"$B/.libs" -lpio >"$WORK/cc3.log" 2>&1 || { cat "$WORK/cc3.log"; fail "h5pcc h5fd_test.c"; }
# the plugin build first: MPICH's prefix (in the program's run path) also
# holds an installed libh5fd_pfs.so, the serial HDF5 1.10 build
export LD_LIBRARY_PATH=$PLUGIN_DIR:$B/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 600 "$MPICH/bin/mpiexec" -n 4 "$WORK/h5fd_test114" mpio-write pfs:/ex/mpio.h5 \
    >"$WORK/mpio.log" 2>&1 </dev/null || { cat "$WORK/mpio.log"; fail "HDF5 1.14 through mpio on pfs:"; }
timeout 120 "$MPICH/bin/mpiexec" -n 1 "$WORK/h5fd_test114" verify pfs pfs:/ex/mpio.h5 nodeflate \
    >"$WORK/read.log" 2>&1 </dev/null || { cat "$WORK/read.log"; fail "reading it through H5Pset_fapl_pfs"; }
grep -q "OK (0 errors)" "$WORK/read.log" || fail "no OK line"
pass "HDF5 1.14 wrote through mpio on pfs: from 4 ranks; H5Pset_fapl_pfs read every element"

stop_ensemble
