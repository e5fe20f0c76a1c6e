/* transport_srv.c - the transport's server half: listener, accepted
 * connections, request receive within the memory budget, replies, and the
 * log lines clients can cause.  Built into libpfs_server only, so that
 * libpio holds none of it; pfs_tx_listen() installs it into the core. */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <ucp/api/ucp.h>

#include "log.h"
#include "tx_int.h"

/* What one client connection may do to a server before it is cut off. */
#define CONN_MAX_UNANSWERED   4096u /* requests received, not answered */
#define CONN_COMPLAINTS_SHOWN 3u    /* refused requests logged one by one */
/* Descriptors a client connection costs a server (UCX's connection
 * manager socket and the TCP lanes), for the connection cap. */
#define CONN_FDS              8u    /* pessimistic: UCX's wire-up takes more */
#define FDS_RESERVED          256u  /* UCX's own accepts, objects, logs */

/* Server side: one per accepted client endpoint.  Requests hold a
 * reference so a reply after the client vanished finds a valid struct. */
struct pfs_srv_conn {
    pfs_tx_t *tx;
    ucp_ep_h ep;
    int closed;
    int dead;  /* UCX reported the peer gone; closed by the progress loop */
    ucs_status_t dead_status;
    int refs;
    int authenticated;
    int greeted;        /* it proved the key once (stays set when dead) */
    uint8_t role;
    uint32_t pid;       /* as the peer said at hello */
    uint64_t requests;  /* received on this connection */
    uint64_t dropped;   /* lost because the peer went away */
    uint64_t accepted_ms;
    unsigned complaints; /* requests refused as malformed or unauthorized */
    uint64_t held;        /* received payload bytes held (budget share) */
    uint64_t reply_bytes; /* reply payloads handed to UCX, not yet sent */
    char kick[128];       /* why the server cut it off, if it did */
    pfs_cred_t cred;
    char peer[64];      /* the client's address, for logs */
    struct pfs_srv_conn *next, *prev;
};

struct srv_req_impl {
    pfs_srv_req_t pub;
    struct srv_req_impl *next;
    void *ucx_desc;          /* persistent eager data held from UCX */
    int data_owned;          /* pub.data was malloc'd here */
    void *rndv_desc;         /* rendezvous payload not yet received */
    size_t held;             /* bytes counted against the budget */
    pfs_status_t early;      /* rejected before reaching the handler */
    int peer_gone;           /* its payload never came: the client died */
    char early_msg[128];
    uint8_t body[];
};

struct conn_req_item {
    ucp_conn_request_h req;
    struct conn_req_item *next;
};

/* A reply in flight from the server to a client; it holds a reference
 * to the connection so that the bytes can be counted back. */
typedef struct {
    uint8_t *hdr_buf;
    void *data;
    size_t data_len;
    pfs_srv_conn_t *conn;
} reply_state_t;

static void srv_req_release(pfs_tx_t *tx, srv_req_impl_t *req);

static void srv_conn_release(pfs_srv_conn_t *conn)
{
    if (--conn->refs == 0) {
        pfs_cred_release(&conn->cred);
        free(conn);
    }
}

static void srv_conn_close(pfs_tx_t *tx, pfs_srv_conn_t *conn, int force)
{
    if (conn->closed) {
        return;
    }
    conn->closed = 1;
    tx->nconns--;
    if (tx->close_handler != NULL) {
        /* before the last reference can go: the handler may look at it */
        tx->close_handler(tx->close_arg, conn);
    }
    if (conn->prev != NULL) {
        conn->prev->next = conn->next;
    } else {
        tx->conns = conn->next;
    }
    if (conn->next != NULL) {
        conn->next->prev = conn->prev;
    }
    pfs_txi_close_ep(tx, conn->ep, force);
    srv_conn_release(conn); /* the list's reference */
}

static void srv_conn_err_cb(void *arg, ucp_ep_h ep, ucs_status_t status)
{
    pfs_srv_conn_t *conn = arg;

    (void)ep;
    /* closing from inside a UCX callback is not allowed: mark it and let
     * pfs_tx_progress() close (and log) it */
    conn->authenticated = 0;
    conn->dead = 1;
    conn->dead_status = status;
}

/* The client's address of a connection request, for logs. */
static void conn_request_peer(ucp_conn_request_h req, char *out, size_t size)
{
    ucp_conn_request_attr_t attr;
    char host[INET6_ADDRSTRLEN], port[16];

    snprintf(out, size, "unknown address");
    attr.field_mask = UCP_CONN_REQUEST_ATTR_FIELD_CLIENT_ADDR;
    if (ucp_conn_request_query(req, &attr) != UCS_OK ||
        getnameinfo((struct sockaddr *)&attr.client_address,
                    sizeof(attr.client_address), host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return;
    }
    snprintf(out, size, "%s:%s", host, port);
}

/* Descriptors this process may still open before RLIMIT_NOFILE. */
static long fds_left(void)
{
    struct rlimit rl;
    struct dirent *d;
    long used = 0;
    DIR *dir;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
        return LONG_MAX;
    }
    dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        return LONG_MAX; /* cannot tell: let UCX's accept decide */
    }
    while ((d = readdir(dir)) != NULL) {
        used += d->d_name[0] != '.';
    }
    closedir(dir);
    return (long)rl.rlim_cur - used;
}

static void listener_conn_cb(ucp_conn_request_h req, void *arg)
{
    pfs_tx_t *tx = arg;
    conn_req_item_t *item = malloc(sizeof(*item));

    /* accepted or refused by pfs_tx_progress, outside UCX's callback */
    if (item == NULL) {
        ucp_listener_reject(tx->listener, req);
        return;
    }
    item->req = req;
    item->next = tx->conn_reqs;
    tx->conn_reqs = item;
}

static void accept_pending(pfs_tx_t *tx)
{
    long left;

    while (tx->conn_reqs != NULL) {
        conn_req_item_t *item = tx->conn_reqs;
        ucp_ep_params_t params;
        pfs_srv_conn_t *conn;
        ucs_status_t st;

        tx->conn_reqs = item->next;
        /* UCX 1.13 can abort when creating an endpoint fails for lack of
         * descriptors (tcp_sockcm_ep.c: a server endpoint neither created
         * nor rejected): refuse while few are left */
        left = fds_left();
        if (left < (long)(FDS_RESERVED + CONN_FDS)) {
            if (pfs_now_ms() >= tx->next_refusal_log_ms) {
                pfs_log_warn("refusing new clients: %u connected, %ld file "
                             "descriptors left (RLIMIT_NOFILE)",
                             tx->nconns, left);
                tx->next_refusal_log_ms = pfs_now_ms() + 10000;
            }
            ucp_listener_reject(tx->listener, item->req);
            free(item);
            continue;
        }
        conn = calloc(1, sizeof(*conn));
        if (conn == NULL) {
            ucp_listener_reject(tx->listener, item->req);
            free(item);
            continue;
        }
        conn_request_peer(item->req, conn->peer, sizeof(conn->peer));
        memset(&params, 0, sizeof(params));
        params.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST |
                            UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE |
                            UCP_EP_PARAM_FIELD_ERR_HANDLER;
        params.conn_request = item->req;
        params.err_mode = tx->err_mode;
        params.err_handler.cb = srv_conn_err_cb;
        params.err_handler.arg = conn;
        st = ucp_ep_create(tx->worker, &params, &conn->ep);
        free(item);
        if (st != UCS_OK) {
            pfs_log_limited(&tx->complaints, PFS_LOG_INFO,
                            "a client at %s left before its connection was "
                            "set up (%s)",
                            conn->peer, ucs_status_string(st));
            free(conn);
            continue;
        }
        conn->tx = tx;
        conn->refs = 1;
        conn->accepted_ms = pfs_now_ms();
        tx->nconns++;
        conn->next = tx->conns;
        if (tx->conns != NULL) {
            tx->conns->prev = conn;
        }
        tx->conns = conn;
    }
}

/* Cut a connection off: the progress loop closes it and logs why. */
static void conn_kick(pfs_srv_conn_t *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void conn_kick(pfs_srv_conn_t *conn, const char *fmt, ...)
{
    va_list ap;

    if (conn->dead) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(conn->kick, sizeof(conn->kick), fmt, ap);
    va_end(ap);
    conn->authenticated = 0;
    conn->dead = 1;
    conn->dead_status = UCS_ERR_CANCELED;
}

/* Connections that never said hello within the timeout. */
static void kick_silent_conns(pfs_tx_t *tx, uint64_t now)
{
    pfs_srv_conn_t *conn;

    if (tx->hello_timeout_ms <= 0) {
        return;
    }
    for (conn = tx->conns; conn != NULL; conn = conn->next) {
        if (!conn->greeted && !conn->dead &&
            now - conn->accepted_ms >= (uint64_t)tx->hello_timeout_ms) {
            conn_kick(conn, "no hello within %d s", tx->hello_timeout_ms / 1000);
        }
    }
}

void pfs_srv_conn_complain(pfs_srv_conn_t *conn, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (++conn->complaints > CONN_COMPLAINTS_SHOWN + 1) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (conn->complaints <= CONN_COMPLAINTS_SHOWN) {
        pfs_log_limited(&conn->tx->complaints, PFS_LOG_WARN,
                        "client %s (pid %u): %s", conn->peer, conn->pid, msg);
    } else {
        pfs_log_limited(&conn->tx->complaints, PFS_LOG_WARN,
                        "client %s (pid %u): %s; more refused requests from "
                        "it are counted, not logged",
                        conn->peer, conn->pid, msg);
    }
}

void pfs_tx_set_close_handler(pfs_tx_t *tx, pfs_srv_close_handler_t handler,
                              void *arg)
{
    tx->close_handler = handler;
    tx->close_arg = arg;
}

void pfs_tx_set_hello_timeout(pfs_tx_t *tx, int ms)
{
    tx->hello_timeout_ms = ms;
}

void pfs_tx_set_max_payload(pfs_tx_t *tx, uint64_t bytes)
{
    tx->max_payload = bytes;
}

uint64_t pfs_tx_reply_bytes(const pfs_tx_t *tx)
{
    return tx->reply_bytes;
}

uint64_t pfs_srv_conn_reply_bytes(const pfs_srv_conn_t *conn)
{
    return conn->reply_bytes;
}

/* Close connections whose peer went away (marked by srv_conn_err_cb):
 * one line for a client that left requests unanswered (killed in the
 * middle of its work); a client that left between requests is normal. */
static void reap_dead_conns(pfs_tx_t *tx)
{
    pfs_srv_conn_t *conn = tx->conns, *next;

    while (conn != NULL) {
        next = conn->next;
        if (conn->dead) {
            /* the list holds one reference, each unanswered request one */
            unsigned long long lost = conn->dropped + (unsigned)(conn->refs - 1);

            if (conn->kick[0] != '\0') {
                pfs_log_limited(&tx->complaints, PFS_LOG_WARN,
                                "closed the connection of client %s (pid %u, "
                                "uid %u): %s",
                                conn->peer, conn->pid, conn->cred.uid,
                                conn->kick);
            } else if (lost > 0) {
                pfs_log_limited(&tx->complaints, PFS_LOG_INFO,
                                "client %s (pid %u, uid %u) went away with "
                                "%llu of its %llu requests unanswered (%s)",
                                conn->peer, conn->pid, conn->cred.uid, lost,
                                (unsigned long long)conn->requests,
                                ucs_status_string(conn->dead_status));
            } else {
                pfs_log_debug("client %s (pid %u) disconnected (%s)",
                              conn->peer, conn->pid,
                              ucs_status_string(conn->dead_status));
            }
            if (conn->complaints > CONN_COMPLAINTS_SHOWN) {
                pfs_log_limited(&tx->complaints, PFS_LOG_WARN,
                                "client %s (pid %u): %u requests refused in "
                                "all",
                                conn->peer, conn->pid, conn->complaints);
            }
            srv_conn_close(tx, conn, 1);
        }
        conn = next;
    }
}

static pfs_srv_conn_t *srv_conn_find(pfs_tx_t *tx, ucp_ep_h ep)
{
    pfs_srv_conn_t *conn;

    /* Move-to-front keeps the active clients cheap to find. */
    for (conn = tx->conns; conn != NULL; conn = conn->next) {
        if (conn->ep == ep) {
            if (conn != tx->conns) {
                conn->prev->next = conn->next;
                if (conn->next != NULL) {
                    conn->next->prev = conn->prev;
                }
                conn->prev = NULL;
                conn->next = tx->conns;
                tx->conns->prev = conn;
                tx->conns = conn;
            }
            return conn;
        }
    }
    return NULL;
}

static void ready_push(pfs_tx_t *tx, srv_req_impl_t *req)
{
    req->next = NULL;
    if (tx->ready_tail != NULL) {
        tx->ready_tail->next = req;
    } else {
        tx->ready_head = req;
    }
    tx->ready_tail = req;
}

static void srv_recv_done_cb(void *request, ucs_status_t status,
                             size_t length, void *user_data)
{
    srv_req_impl_t *req = user_data;
    pfs_tx_t *tx = req->pub.conn->tx;

    (void)length;
    if (status != UCS_OK) {
        req->early = PFS_ERR_TRANSPORT;
        req->peer_gone = 1; /* nothing arrives from a live peer otherwise */
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "receiving the payload failed: %s",
                 ucs_status_string(status));
    }
    ucp_request_free(request);
    ready_push(tx, req);
}

static void deferred_push(pfs_tx_t *tx, srv_req_impl_t *req)
{
    req->next = NULL;
    if (tx->deferred_tail != NULL) {
        tx->deferred_tail->next = req;
    } else {
        tx->deferred_head = req;
    }
    tx->deferred_tail = req;
}

/* Receive a rendezvous payload into a buffer of our own; the request is
 * queued for the handler when it has arrived (or failed). */
static void start_rndv_recv(pfs_tx_t *tx, srv_req_impl_t *req)
{
    size_t length = req->pub.hdr.data_len;
    void *desc = req->rndv_desc, *buf = NULL, *ucx_req;
    ucp_request_param_t rp;

    req->rndv_desc = NULL;
    if (posix_memalign(&buf, 4096, length) != 0) {
        req->early = PFS_ERR_NOMEM;
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "no memory for a %zu-byte payload", length);
        ucp_am_data_release(tx->worker, desc);
        ready_push(tx, req);
        return;
    }
    req->pub.data = buf;
    req->data_owned = 1;
    req->held = length;
    tx->held += length;
    req->pub.conn->held += length;
    memset(&rp, 0, sizeof(rp));
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
    rp.cb.recv_am = srv_recv_done_cb;
    rp.user_data = req;
    ucx_req = ucp_am_recv_data_nbx(tx->worker, desc, buf, length, &rp);
    if (UCS_PTR_IS_ERR(ucx_req)) {
        req->early = PFS_ERR_TRANSPORT;
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "cannot receive the payload: %s",
                 ucs_status_string(UCS_PTR_STATUS(ucx_req)));
        ready_push(tx, req);
    } else if (ucx_req == NULL) {
        ready_push(tx, req);
    } /* else srv_recv_done_cb queues it */
}

/* Whether a payload of length may be received now: within the budget
 * (always one at a time), and within the connection's share of it, so
 * that one client that stops sending cannot hold all of it. */
static int budget_admits(const pfs_tx_t *tx, const pfs_srv_conn_t *conn,
                         uint64_t length)
{
    if (tx->budget == 0) {
        return 1;
    }
    if (tx->held > 0 && tx->held + length > tx->budget) {
        return 0;
    }
    return conn->held == 0 || conn->held + length <= tx->budget / 4;
}

/* Start deferred receives that the budget admits, in arrival order but
 * passing over the connections that are over their share. */
static unsigned start_deferred(pfs_tx_t *tx)
{
    srv_req_impl_t *req = tx->deferred_head, *prev = NULL, *next;
    unsigned n = 0;

    while (req != NULL) {
        next = req->next;
        if (req->pub.conn->dead || req->pub.conn->closed ||
            budget_admits(tx, req->pub.conn, req->pub.hdr.data_len)) {
            if (prev != NULL) {
                prev->next = next;
            } else {
                tx->deferred_head = next;
            }
            if (tx->deferred_tail == req) {
                tx->deferred_tail = prev;
            }
            if (req->pub.conn->dead || req->pub.conn->closed) {
                ucp_am_data_release(tx->worker, req->rndv_desc);
                req->rndv_desc = NULL;
                req->peer_gone = 1;
                ready_push(tx, req);
            } else {
                start_rndv_recv(tx, req);
            }
            n++;
        } else if (tx->held > 0 && tx->held >= tx->budget) {
            break; /* nobody fits until something is answered */
        } else {
            prev = req;
        }
        req = next;
    }
    return n;
}

void pfs_tx_set_memory_budget(pfs_tx_t *tx, uint64_t bytes)
{
    tx->budget = bytes;
}

static ucs_status_t am_request_cb(void *arg, const void *header,
                                  size_t header_length, void *data,
                                  size_t length,
                                  const ucp_am_recv_param_t *param)
{
    pfs_tx_t *tx = arg;
    ucs_status_t ret = UCS_OK;
    pfs_srv_conn_t *conn = NULL;
    srv_req_impl_t *req;
    pfs_msg_hdr_t hdr;
    pfs_status_t st;
    size_t body_len = 0;

    if (param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP) {
        conn = srv_conn_find(tx, param->reply_ep);
    }
    if (conn == NULL || conn->closed || conn->dead || tx->handler == NULL) {
        return UCS_OK; /* releases any payload descriptor */
    }
    if ((unsigned)(conn->refs - 1) >= CONN_MAX_UNANSWERED) {
        conn_kick(conn, "%u requests sent without waiting for answers",
                  CONN_MAX_UNANSWERED);
        return UCS_OK;
    }
    st = pfs_proto_hdr_unpack(header, header_length, &hdr);
    if (st == PFS_OK) {
        body_len = hdr.body_len;
    } else {
        /* answer anyway so the client fails fast instead of timing out;
         * the request id is at the same place in every version */
        memset(&hdr, 0, sizeof(hdr));
        if (header_length >= 16) {
            memcpy(&hdr.req_id, (const uint8_t *)header + 8, 8);
        }
    }
    req = calloc(1, sizeof(*req) + body_len);
    if (req == NULL) {
        return UCS_OK;
    }
    req->pub.hdr = hdr;
    req->pub.hdr.data_len = 0; /* set below once a payload is really held */
    req->pub.body = req->body;
    req->pub.conn = conn;
    conn->refs++;
    conn->requests++;
    memcpy(req->body, (const uint8_t *)header + PFS_PROTO_HDR_SIZE, body_len);

    if (st != PFS_OK) {
        req->early = st;
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "malformed request header (%s)", pfs_status_string(st));
    } else if (hdr.data_len != length) {
        req->early = PFS_ERR_PROTO;
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "header announces %llu payload bytes, %zu arrived",
                 (unsigned long long)hdr.data_len, length);
    } else if (length > PFS_PROTO_MAX_XFER ||
               (tx->max_payload > 0 && length > tx->max_payload)) {
        req->early = PFS_ERR_INVAL;
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "payload of %zu bytes exceeds this server's limit of %llu",
                 length,
                 (unsigned long long)(tx->max_payload > 0 ? tx->max_payload
                                                          : PFS_PROTO_MAX_XFER));
    } else if (length > 0 && (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
        req->rndv_desc = data;
        req->pub.hdr.data_len = length;
        if (tx->deferred_head != NULL || !budget_admits(tx, conn, length)) {
            /* over budget: leave the payload with the sender for now */
            deferred_push(tx, req);
            return UCS_INPROGRESS;
        }
        start_rndv_recv(tx, req);
        return UCS_INPROGRESS;
    } else if (length > 0 && (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_DATA)) {
        /* keep UCX's own buffer instead of copying eager data */
        req->pub.data = data;
        req->pub.hdr.data_len = length;
        req->ucx_desc = data;
        ret = UCS_INPROGRESS;
    } else if (length > 0) {
        req->pub.data = malloc(length);
        if (req->pub.data == NULL) {
            req->early = PFS_ERR_NOMEM;
            snprintf(req->early_msg, sizeof(req->early_msg), "out of memory");
        } else {
            memcpy(req->pub.data, data, length);
            req->pub.hdr.data_len = length;
            req->data_owned = 1;
        }
    }
    ready_push(tx, req);
    return ret;
}

int pfs_srv_conn_authenticated(const pfs_srv_conn_t *conn)
{
    return conn->authenticated;
}

void pfs_srv_conn_set_authenticated(pfs_srv_conn_t *conn, uint8_t role,
                                    uint32_t pid, pfs_cred_t *cred)
{
    conn->authenticated = 1;
    conn->greeted = 1;
    conn->role = role;
    conn->pid = pid;
    pfs_cred_release(&conn->cred); /* a second hello replaces the first */
    conn->cred = *cred;
    memset(cred, 0, sizeof(*cred)); /* the connection owns the groups now */
}

const char *pfs_srv_conn_peer(const pfs_srv_conn_t *conn)
{
    return conn->peer;
}

uint32_t pfs_srv_conn_pid(const pfs_srv_conn_t *conn)
{
    return conn->pid;
}

const pfs_cred_t *pfs_srv_conn_cred(const pfs_srv_conn_t *conn)
{
    return &conn->cred;
}

uint8_t pfs_srv_conn_role(const pfs_srv_conn_t *conn)
{
    return conn->role;
}

static void reply_done_cb(void *request, ucs_status_t status, void *user_data)
{
    reply_state_t *state = user_data;

    if (status != UCS_OK) {
        pfs_log_debug("reply not delivered: %s", ucs_status_string(status));
    }
    state->conn->tx->reply_bytes -= state->data_len;
    state->conn->reply_bytes -= state->data_len;
    srv_conn_release(state->conn);
    free(state->hdr_buf);
    free(state->data);
    free(state);
    ucp_request_free(request);
}

static void srv_req_release(pfs_tx_t *tx, srv_req_impl_t *req)
{
    tx->held -= req->held;
    req->pub.conn->held -= req->held;
    if (req->ucx_desc != NULL) {
        ucp_am_data_release(tx->worker, req->ucx_desc);
    } else if (req->data_owned) {
        free(req->pub.data);
    }
    srv_conn_release(req->pub.conn);
    free(req);
}

/* Send a reply (status, body, payload) and release the request.  data is
 * freed once sent, or now if the reply cannot go. */
static void srv_send(pfs_tx_t *tx, srv_req_impl_t *req, pfs_status_t status,
                     const void *body, size_t body_len, void *data,
                     size_t data_len)
{
    pfs_srv_conn_t *conn = req->pub.conn;
    reply_state_t *state = NULL;
    ucp_request_param_t param;
    pfs_msg_hdr_t hdr;
    void *ucx_req;

    if (conn->closed || body_len > PFS_RPC_MAX_REPLY) {
        if (body_len > PFS_RPC_MAX_REPLY) {
            pfs_log_error("reply body of %zu bytes too large (bug)", body_len);
        }
        goto out_free_data;
    }
    state = calloc(1, sizeof(*state));
    if (state == NULL) {
        goto out_free_data;
    }
    state->hdr_buf = malloc(PFS_PROTO_HDR_SIZE + body_len);
    if (state->hdr_buf == NULL) {
        goto out_free_state;
    }
    state->data = data;
    memset(&hdr, 0, sizeof(hdr));
    /* a request too malformed to have an opcode is answered as STATUS */
    hdr.opcode = req->pub.hdr.opcode != 0 ? req->pub.hdr.opcode
                                          : PFS_OP_STATUS;
    hdr.req_id = req->pub.hdr.req_id;
    hdr.status = status;
    hdr.body_len = (uint32_t)body_len;
    hdr.data_len = data_len;
    pfs_proto_hdr_pack(&hdr, state->hdr_buf);
    if (body_len > 0) {
        memcpy(state->hdr_buf + PFS_PROTO_HDR_SIZE, body, body_len);
    }
    memset(&param, 0, sizeof(param));
    param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK |
                         UCP_OP_ATTR_FIELD_USER_DATA;
    param.cb.send = reply_done_cb;
    param.user_data = state;
    ucx_req = ucp_am_send_nbx(conn->ep, PFS_AM_REPLY, state->hdr_buf,
                              PFS_PROTO_HDR_SIZE + body_len, data, data_len,
                              &param);
    if (UCS_PTR_IS_PTR(ucx_req)) {
        /* reply_done_cb frees state and data, and counts them back */
        state->data_len = data_len;
        state->conn = conn;
        conn->refs++;
        conn->reply_bytes += data_len;
        tx->reply_bytes += data_len;
        srv_req_release(tx, req);
        return;
    }
    if (UCS_PTR_IS_ERR(ucx_req)) {
        pfs_log_debug("reply not sent: %s",
                      ucs_status_string(UCS_PTR_STATUS(ucx_req)));
    }
    free(state->hdr_buf);
out_free_state:
    free(state);
out_free_data:
    free(data);
    srv_req_release(tx, req);
}

void pfs_srv_reply(pfs_tx_t *tx, pfs_srv_req_t *pub, const void *body,
                   size_t body_len, void *data, size_t data_len)
{
    srv_send(tx, (srv_req_impl_t *)pub, PFS_OK, body, body_len, data,
             data_len);
}

/* The status travels in the header; the body is the explanation. */
void pfs_srv_reply_error(pfs_tx_t *tx, pfs_srv_req_t *pub, pfs_status_t status,
                         const char *fmt, ...)
{
    uint8_t body[PFS_ERRMSG_MAX];
    char msg[PFS_PROTO_MAX_ERRMSG + 1];
    size_t body_len = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (status == PFS_ERR_PROTO || status == PFS_ERR_AUTH) {
        /* a broken or hostile client: counted, and logged a few times */
        pfs_srv_conn_complain(pub->conn, "%s", msg);
    }
    if (pfs_proto_errmsg_encode(body, sizeof(body), msg, &body_len) != PFS_OK) {
        body_len = 0; /* cannot happen: the message is clipped to fit */
    }
    srv_send(tx, (srv_req_impl_t *)pub, status < 0 ? status : PFS_ERR_INTERNAL,
             body, body_len, NULL, 0);
}

static void dispatch_ready(pfs_tx_t *tx)
{
    while (tx->ready_head != NULL) {
        srv_req_impl_t *req = tx->ready_head;

        tx->ready_head = req->next;
        if (tx->ready_head == NULL) {
            tx->ready_tail = NULL;
        }
        if (req->peer_gone || req->pub.conn->dead) {
            /* nobody to answer: counted, and logged with the connection */
            req->pub.conn->dropped++;
            srv_req_release(tx, req);
        } else if (req->early != PFS_OK) {
            if (req->early != PFS_ERR_PROTO) { /* reply_error counts those */
                pfs_srv_conn_complain(req->pub.conn, "%s", req->early_msg);
            }
            pfs_srv_reply_error(tx, &req->pub, req->early, "%s",
                                req->early_msg);
        } else {
            tx->handler(tx->handler_arg, &req->pub);
        }
    }
}

/* ---- what the core calls (tx_int.h), installed by pfs_tx_listen ------- */

/* After UCX's progress: accept, admit deferred payloads, dispatch, reap. */
static unsigned srv_progress(pfs_tx_t *tx)
{
    unsigned total = 0;

    if (tx->conn_reqs != NULL) {
        accept_pending(tx);
        total++;
    }
    if (tx->deferred_head != NULL) {
        total += start_deferred(tx);
    }
    if (tx->ready_head != NULL) {
        dispatch_ready(tx);
        total++;
    }
    reap_dead_conns(tx);
    return total;
}

/* The first part of pfs_tx_destroy: the listener, queued requests and
 * the connections, before the worker goes. */
static void srv_fini(pfs_tx_t *tx)
{
    while (tx->conn_reqs != NULL) {
        conn_req_item_t *item = tx->conn_reqs;
        tx->conn_reqs = item->next;
        ucp_listener_reject(tx->listener, item->req);
        free(item);
    }
    if (tx->listener != NULL) {
        ucp_listener_destroy(tx->listener);
    }
    while (tx->deferred_head != NULL) {
        srv_req_impl_t *req = tx->deferred_head;
        tx->deferred_head = req->next;
        ucp_am_data_release(tx->worker, req->rndv_desc);
        srv_req_release(tx, req);
    }
    while (tx->conns != NULL) {
        srv_conn_close(tx, tx->conns, 1);
    }
}

static const pfs_txi_srv_ops_t srv_ops = {
    .am_request = am_request_cb,
    .progress = srv_progress,
    .sweep = kick_silent_conns,
    .fini = srv_fini,
};

static pfs_status_t listener_open(pfs_tx_t *tx, ucs_status_t *st_p)
{
    ucp_listener_params_t params;

    memset(&params, 0, sizeof(params));
    params.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR |
                        UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
    params.sockaddr.addr = (struct sockaddr *)&tx->listen_sa;
    params.sockaddr.addrlen = tx->listen_sa_len;
    params.conn_handler.cb = listener_conn_cb;
    params.conn_handler.arg = tx;
    *st_p = ucp_listener_create(tx->worker, &params, &tx->listener);
    if (*st_p != UCS_OK) {
        tx->listener = NULL;
        return PFS_ERR_TRANSPORT;
    }
    return PFS_OK;
}

pfs_status_t pfs_tx_listen(pfs_tx_t *tx, const char *host, uint16_t port,
                           const char *advertise_host,
                           pfs_srv_handler_t handler, void *arg,
                           char *addr_out, size_t addr_size, char *errmsg,
                           size_t errmsg_size)
{
    ucp_listener_attr_t attr;
    struct sockaddr_storage sa;
    socklen_t sa_len;
    char port_text[16];
    ucs_status_t st;

    if (host != NULL && strcmp(host, "*") == 0) {
        host = NULL;
    }
    if (pfs_txi_resolve(host, port, &sa, &sa_len) != PFS_OK) {
        snprintf(errmsg, errmsg_size, "cannot resolve listen address '%s'",
                 host != NULL ? host : "*");
        return PFS_ERR_INVAL;
    }
    memcpy(&tx->listen_sa, &sa, sa_len);
    tx->listen_sa_len = sa_len;
    if (listener_open(tx, &st) != PFS_OK) {
        snprintf(errmsg, errmsg_size,
                 "cannot listen on %s:%u: %s (is the port in use? does "
                 "UCX_TLS include tcp?)",
                 host != NULL ? host : "*", (unsigned)port,
                 ucs_status_string(st));
        return PFS_ERR_TRANSPORT;
    }
    attr.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
    st = ucp_listener_query(tx->listener, &attr);
    if (st != UCS_OK ||
        getnameinfo((struct sockaddr *)&attr.sockaddr, sizeof(attr.sockaddr),
                    NULL, 0, port_text, sizeof(port_text),
                    NI_NUMERICSERV) != 0) {
        snprintf(errmsg, errmsg_size, "cannot query the listener's port");
        ucp_listener_destroy(tx->listener);
        tx->listener = NULL;
        return PFS_ERR_TRANSPORT;
    }

    if (advertise_host == NULL) {
        advertise_host = host != NULL ? host : "127.0.0.1";
    }
    if (strchr(advertise_host, ':') != NULL) {
        snprintf(addr_out, addr_size, "[%s]:%s", advertise_host, port_text);
    } else {
        snprintf(addr_out, addr_size, "%s:%s", advertise_host, port_text);
    }
    tx->handler = handler;
    tx->handler_arg = arg;
    tx->srv_ops = &srv_ops;
    return PFS_OK;
}

