#!/bin/sh
# libpio_symbols.sh (test) - libpio.so holds no server code: the
# transport's server half (listener, accept, request receive, replies)
# and the logging that clients could trigger live in libpfs_server only
# (common/README.md).  Checked on the built library: the UCX listener and
# payload-release calls it would import, and the server half's own names
# (hidden, so only in the full symbol table).
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
[ $status -eq 0 ] && echo "PASS: libpio.so has no listener, reply or logging code"
exit $status
