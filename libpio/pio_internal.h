/* pio_internal.h - what libpio's files share; never installed. */
#ifndef PIO_INTERNAL_H
#define PIO_INTERNAL_H

#include "ensemble.h"
#include "pfs/pio.h"
#include "pfs_common.h"
#include "proto.h"
#include "transport.h"

typedef struct {
    pfs_tx_conn_t *conn;
    const pfs_server_info_t *info;
    int ready; /* hello answered on the current connection */
} pio_server_t;

struct pio_client {
    pfs_tx_t *tx;
    pfs_ensemble_t ens;
    pio_server_t mds;
    pio_server_t *ios;
    int timeout_ms;
    uint64_t max_xfer;
    char errmsg[512];
};

struct pio_file {
    pio_client_t *client;
    pfs_attr_t attr;
    int flags;
};

pfs_status_t pio_fail(pio_client_t *c, pfs_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adopt the transport's or the server's explanation of a failed RPC. */
pfs_status_t pio_fail_rpc(pio_client_t *c, const pfs_rpc_t *rpc);
void pio_rpc_init(pio_client_t *c, pfs_rpc_t *rpc, uint16_t opcode,
                  const void *body, size_t body_len);
/* Connected and authenticated (reconnects a broken connection). */
pfs_status_t pio_server_ready(pio_client_t *c, pio_server_t *s);
/* Logical size from the objects of every server of the file. */
pfs_status_t pio_logical_size(pio_client_t *c, const pfs_attr_t *attr,
                              uint64_t *size_p);

#endif
