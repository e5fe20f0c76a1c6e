/* tx_int.h - what the transport's files share, and nothing else may use:
 * transport.c (the core: context, worker, progress, sleep), transport_rpc.c
 * (the client RPC half), transport_srv.c and transport_srv_req.c (the
 * server half: connections, requests; linked into the servers only).  The core
 * reaches the server half only through the pfs_txi_srv_ops_t that
 * pfs_tx_listen() installs, so a client links no listener, reply or logging
 * code. */
#ifndef PFS_TX_INT_H
#define PFS_TX_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include <ucp/api/ucp.h>

#include "log.h"
#include "transport.h"
#include "transport_srv.h"

#define RPC_BUCKETS 256u /* outstanding RPCs hashed by id */

typedef struct srv_req_impl srv_req_impl_t;
typedef struct conn_req_item conn_req_item_t;

/* The server half's entry points, called by the core. */
typedef struct {
    /* a request active message (PFS_AM_REQUEST), from inside UCX */
    ucp_am_recv_callback_t am_request;
    /* in pfs_tx_progress, once UCX has nothing left: events handled */
    unsigned (*progress)(pfs_tx_t *tx);
    /* in pfs_tx_progress's periodic sweep, after the RPC deadlines */
    void (*sweep)(pfs_tx_t *tx, uint64_t now);
    /* first in pfs_tx_destroy */
    void (*fini)(pfs_tx_t *tx);
} pfs_txi_srv_ops_t;

struct pfs_tx {
    ucp_context_h context;
    ucp_worker_h worker;
    int efd;
    int wake_fd;
    int server;
    ucp_err_handling_mode_t err_mode;
    size_t max_am_header; /* UCX aborts a sender whose header is larger */
    /* server (transport_srv.c; the setters may come before the listen) */
    ucp_listener_h listener;
    pfs_srv_handler_t handler;
    void *handler_arg;
    pfs_srv_conn_t *conns;
    conn_req_item_t *conn_reqs;
    srv_req_impl_t *ready_head, *ready_tail;
    /* rendezvous payloads waiting for memory: their senders wait too */
    srv_req_impl_t *deferred_head, *deferred_tail;
    uint64_t budget; /* bytes of received payloads held at once; 0: none */
    uint64_t held;
    uint64_t max_payload; /* largest request payload accepted; 0: any */
    uint64_t reply_bytes; /* reply payloads handed to UCX, not yet sent */
    int hello_timeout_ms; /* close connections silent that long; 0: never */
    pfs_srv_close_handler_t close_handler; /* told of every closed conn */
    void *close_arg;
    pfs_log_limit_t complaints; /* lines clients make the server write */
    unsigned nconns;
    uint64_t next_refusal_log_ms;
    struct sockaddr_storage listen_sa;
    socklen_t listen_sa_len;
    const pfs_txi_srv_ops_t *srv_ops; /* set by pfs_tx_listen; NULL: none */
    /* client */
    pfs_rpc_t *rpcs[RPC_BUCKETS];
    uint64_t next_id;
    uint64_t abandoned;             /* sends given up on that UCX still holds */
    uint64_t next_deadline_scan_ms; /* pfs_tx_progress's deadline sweep */
};

/* transport.c */
void pfs_txi_close_ep(pfs_tx_t *tx, ucp_ep_h ep, int force);
pfs_status_t pfs_txi_resolve(const char *host, uint16_t port,
                             struct sockaddr_storage *sa_p, socklen_t *len_p);

/* transport_rpc.c */
ucs_status_t pfs_txi_am_reply_cb(void *arg, const void *header,
                                 size_t header_length, void *data,
                                 size_t length,
                                 const ucp_am_recv_param_t *param);
void pfs_txi_check_deadlines(pfs_tx_t *tx, uint64_t now);

/* ---- the server half (transport_srv.c, transport_srv_req.c) ---------- */

/* Server side: one per accepted client endpoint.  Requests hold a
 * reference so a reply after the client vanished finds a valid struct. */
struct pfs_srv_conn {
    pfs_tx_t *tx;
    ucp_ep_h ep;
    int closed;
    int dead; /* UCX reported the peer gone; closed by the progress loop */
    ucs_status_t dead_status;
    int refs;
    int authenticated;
    int greeted;    /* it proved the key once (stays set when dead) */
    int challenged; /* challenge[] holds a CHALLENGE's nonces */
    uint8_t challenge[PFS_SRV_CHALLENGE_SIZE];
    uint8_t role;
    uint32_t pid;      /* as the peer said at hello */
    uint64_t requests; /* received on this connection */
    uint64_t dropped;  /* lost because the peer went away */
    uint64_t accepted_ms;
    unsigned complaints;  /* requests refused as malformed or unauthorized */
    uint64_t held;        /* received payload bytes held (budget share) */
    uint64_t reply_bytes; /* reply payloads handed to UCX, not yet sent */
    char kick[128];       /* why the server cut it off, if it did */
    pfs_cred_t cred;
    char peer[64]; /* the client's address, for logs */
    struct pfs_srv_conn *next, *prev;
};

struct srv_req_impl {
    pfs_srv_req_t pub;
    struct srv_req_impl *next;
    void *ucx_desc;     /* persistent eager data held from UCX */
    int data_owned;     /* pub.data was malloc'd here */
    void *rndv_desc;    /* rendezvous payload not yet received */
    size_t held;        /* bytes counted against the budget */
    pfs_status_t early; /* rejected before reaching the handler */
    int peer_gone;      /* its payload never came: the client died */
    char early_msg[128];
    uint8_t body[];
};

/* transport_srv.c */
void pfs_txi_conn_release(pfs_srv_conn_t *conn);
pfs_srv_conn_t *pfs_txi_conn_find(pfs_tx_t *tx, ucp_ep_h ep);
/* Cut a connection off: the progress loop closes it and logs why. */
void pfs_txi_conn_kick(pfs_srv_conn_t *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* transport_srv_req.c */
void pfs_txi_req_release(pfs_tx_t *tx, srv_req_impl_t *req);
ucs_status_t pfs_txi_am_request_cb(void *arg, const void *header,
                                   size_t header_length, void *data,
                                   size_t length,
                                   const ucp_am_recv_param_t *param);
unsigned pfs_txi_start_deferred(pfs_tx_t *tx);
void pfs_txi_dispatch_ready(pfs_tx_t *tx);

#endif
