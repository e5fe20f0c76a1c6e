#!/bin/sh
# libpio_symbols.sh (test) - libpio.so holds no server code: the
# transport's server half (listener, accept, request receive, replies)
# and the logging that clients could trigger live in libpfs_server only
# (common/README.md).  Checked on the built library: the UCX listener and
# payload-release calls it would import, and the server half's own names
# (hidden, so only in the full symbol table).  And the ABI rule of
# doc/abi.md on libpio.so and libpio_mpi.so.
lib=${top_builddir:-.}/.libs/libpio.so
if ! command -v nm >/dev/null 2>&1; then
    echo "SKIP: no nm"
    exit 77
fi
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib not built"
    exit 1
fi
status=0
bad=$(nm -D "$lib" | grep -E ' (ucp_listener_[a-z_]+|ucp_am_data_release|ucp_conn_request_query)$')
if [ -n "$bad" ]; then
    echo "FAIL: libpio.so imports server-side UCX calls:"
    echo "$bad"
    status=1
fi
bad=$(nm "$lib" | grep -E ' (pfs_tx_listen|pfs_srv_[a-z_]+|pfs_log|pfs_log_[a-z_]+)$')
if [ -n "$bad" ]; then
    echo "FAIL: libpio.so contains server or logging code:"
    echo "$bad"
    status=1
fi
# The calls that take a public struct are exported with the caller's
# struct sizes only (doc/abi.md): NAME_sz, never NAME.
mpilib=${top_builddir:-.}/.libs/libpio_mpi.so
SZ_LIBPIO="pio_init pio_iosrv_space pio_create pio_fstat pio_stat
    pio_file_layout pio_dir_set_layout pio_dir_get_layout pio_setattr
    pio_readdir pio_desc_contig pio_desc_list pio_desc_vector pio_desc_repeat
    pio_write_desc pio_read_desc"
SZ_LIBPIO_MPI="pio_coll_hints_default pio_coll_hints_from_info pio_write_all
    pio_read_all pio_write_all_batch pio_read_all_batch pio_write_all_begin
    pio_read_all_begin pio_coll_last_stats"
check_sz() {
    local so=$1 name exported
    shift
    exported=$(nm -D --defined-only "$so" | awk '{ print $NF }')
    for name in "$@"; do
        if ! echo "$exported" | grep -qx "${name}_sz"; then
            echo "FAIL: ${so##*/} does not export ${name}_sz"
            status=1
        fi
        if echo "$exported" | grep -qx "$name"; then
            echo "FAIL: ${so##*/} exports $name without the struct size"
            status=1
        fi
    done
}
check_sz "$lib" $SZ_LIBPIO
if [ -f "$mpilib" ]; then
    check_sz "$mpilib" $SZ_LIBPIO_MPI
else
    echo "FAIL: $mpilib not built"
    status=1
fi
[ $status -eq 0 ] && echo "PASS: libpio.so has no listener, reply or logging code; struct-taking calls are exported as _sz"
exit $status
