/* transport.h - request/reply messaging over UCX active messages.
 *
 * One pfs_tx_t owns a UCX context and a single worker and is used by one
 * thread.  Clients post RPCs on connections and wait for them with a
 * deadline; waiting sleeps on the worker's event fd instead of spinning.
 * Servers listen (transport_srv.h, in libpfs_server only) and get whole
 * requests through a handler called from pfs_tx_progress().
 *
 * Endpoints use UCP_ERR_HANDLING_MODE_PEER, the only mode in which UCX
 * 1.13 survives peers that die, and no shared-memory transport, through
 * which one dying peer can stall a server (doc/transport.md).  Every RPC
 * also carries its own deadline for the peers whose death nothing
 * reports.
 */
#ifndef PFS_TRANSPORT_H
#define PFS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

typedef struct pfs_tx pfs_tx_t;
typedef struct pfs_tx_conn pfs_tx_conn_t;

/* Create a transport.  flags: PFS_TX_SERVER sets UCX options servers need
 * (TCP connection-manager address reuse).  UCX's shared-memory transports
 * are never used (PFS_UCX_TLS overrides the transport list).  On error,
 * errmsg (if not NULL) gets the cause. */
#define PFS_TX_SERVER 0x1
pfs_status_t pfs_tx_create(int flags, pfs_tx_t **tx_p, char *errmsg,
                           size_t errmsg_size);
void pfs_tx_destroy(pfs_tx_t *tx);

/* Make progress: run UCX until it has nothing more to do, then (in a
 * server) call the handler for every request that became ready.  Never
 * blocks.  Returns the number of events handled. */
unsigned pfs_tx_progress(pfs_tx_t *tx);

/* Sleep until UCX has something to do or timeout_ms passes (-1: no
 * limit).  Returns at once when events are already pending. */
void pfs_tx_sleep(pfs_tx_t *tx, int timeout_ms);

/* An extra file descriptor whose readability also ends pfs_tx_sleep() (a
 * server's I/O threads signal completions through it); -1 for none. */
void pfs_tx_set_wake_fd(pfs_tx_t *tx, int fd);

/* ---- client side ------------------------------------------------------- */

/* Start connecting to "host:port".  Fails only on a bad address; an
 * unreachable server shows up as an error of the first RPC. */
pfs_status_t pfs_tx_connect(pfs_tx_t *tx, const char *addr,
                            pfs_tx_conn_t **conn_p);

/* Close the connection; fails every RPC still posted on it. */
void pfs_tx_disconnect(pfs_tx_t *tx, pfs_tx_conn_t *conn);

/* Non-zero once the connection broke (peer died, RPC timed out). */
int pfs_tx_conn_broken(const pfs_tx_conn_t *conn);
const char *pfs_tx_conn_addr(const pfs_tx_conn_t *conn);

/* Replace a broken connection's endpoint with a fresh one. */
pfs_status_t pfs_tx_reconnect(pfs_tx_t *tx, pfs_tx_conn_t *conn);

/* Print the UCX lanes (transports) the connection uses to out, as
 * ucp_ep_print_info() does: how to see whether shared memory is in use. */
void pfs_tx_conn_print_info(const pfs_tx_conn_t *conn, FILE *out);

#define PFS_RPC_MAX_REPLY 4096u

_Static_assert(PFS_CHALLENGE_REP_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_ATTR_CAP_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_STATUS_REP_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_ATTR_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_RENAME_REP_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_LAYOUT_SPEC_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_ERRMSG_MAX <= PFS_RPC_MAX_REPLY &&
                   PFS_REMOVE_REP_MAX <= PFS_RPC_MAX_REPLY,
               "every reply body fits PFS_RPC_MAX_REPLY");

/*
 * One request/reply exchange.  The caller owns the struct and fills the
 * inputs; it must stay in place (not be moved or freed) from
 * pfs_rpc_post() until it is done.  send_data and recv_data must stay valid
 * that long too: UCX moves them without intermediate copies.
 */
typedef struct pfs_rpc {
    /* inputs */
    uint16_t opcode;
    const void *body; /* request body, copied at post time */
    size_t body_len;
    const void *send_data; /* payload sent with the request, or NULL */
    size_t send_len;
    void *recv_data; /* where the reply payload lands, or NULL */
    size_t recv_cap;
    /* Noncontiguous alternatives: when *_iovcnt > 0 the payload is the
     * concatenation of the pieces and send_data/recv_data are ignored.
     * UCX moves them with its IOV datatype (no packing by pfs).  The
     * arrays must stay valid until done. */
    const pfs_iov_t *send_iov;
    size_t send_iovcnt;
    const pfs_iov_t *recv_iov;
    size_t recv_iovcnt;
    int timeout_ms; /* <= 0: no deadline */

    /* outputs, valid once done */
    int done;
    pfs_status_t status; /* local failure or the server's status */
    uint8_t reply[PFS_RPC_MAX_REPLY];
    size_t reply_len;
    size_t recv_len;  /* payload bytes received */
    char errmsg[256]; /* the server's or the transport's explanation */

    /* private to the transport */
    pfs_tx_conn_t *conn;
    uint64_t id;
    uint64_t deadline_ms;
    void *send_req;
    void *recv_req;
    void *send_tok;
    void *recv_tok;
    uint8_t *hdr_buf;
    int reply_seen;
    int failed;
    struct pfs_rpc *next, *prev;
} pfs_rpc_t;

/* Post an RPC on conn.  On failure rpc is done with the error already. */
pfs_status_t pfs_rpc_post(pfs_tx_t *tx, pfs_tx_conn_t *conn, pfs_rpc_t *rpc);

/* Progress until every rpc in the array is done (sleeping, not spinning).
 * Returns the first error of them, PFS_OK if all succeeded. */
pfs_status_t pfs_rpc_wait_all(pfs_tx_t *tx, pfs_rpc_t **rpcs, size_t count);

/* Progress until at least one of the rpcs is done; its index in *index_p. */
void pfs_rpc_wait_any(pfs_tx_t *tx, pfs_rpc_t **rpcs, size_t count,
                      size_t *index_p);

/* For test clients that attack servers: send one request active message
 * with the caller's header bytes (not checked, not registered: a reply is
 * ignored) and payload, and wait until UCX is done with the buffers.  A
 * send that does not complete within timeout_ms (> 0) closes the
 * endpoint. */
pfs_status_t pfs_tx_send_raw(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                             const void *header, size_t header_len,
                             const void *data, size_t data_len, int timeout_ms);

#endif
