/* transport_srv.c - the transport's server half: the listener, accepted
 * connections (accept, the descriptor cap, hello timeouts, cut-offs,
 * reaping, the accessors) and how the core reaches this half.  Requests
 * (receive within the memory budget, replies, dispatch) are in
 * transport_srv_req.c.  Built into libpfs_server only, so that libpio
 * holds none of it; pfs_tx_listen() installs it into the core. */
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
#define CONN_COMPLAINTS_SHOWN 3u /* refused requests logged one by one */
/* Descriptors a client connection costs a server (UCX's connection
 * manager socket and the TCP lanes), for the connection cap. */
#define CONN_FDS 8u       /* pessimistic: UCX's wire-up takes more */
#define FDS_RESERVED 256u /* UCX's own accepts, objects, logs */

struct conn_req_item {
    ucp_conn_request_h req;
    struct conn_req_item *next;
};

void pfs_txi_conn_release(pfs_srv_conn_t *conn)
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
    pfs_txi_conn_release(conn); /* the list's reference */
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

void pfs_txi_conn_kick(pfs_srv_conn_t *conn, const char *fmt, ...)
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
            pfs_txi_conn_kick(conn, "no hello within %d s",
                              tx->hello_timeout_ms / 1000);
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
            unsigned long long lost =
                conn->dropped + (unsigned)(conn->refs - 1);

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

pfs_srv_conn_t *pfs_txi_conn_find(pfs_tx_t *tx, ucp_ep_h ep)
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

void pfs_srv_conn_set_challenge(pfs_srv_conn_t *conn,
                                const uint8_t nonces[PFS_SRV_CHALLENGE_SIZE])
{
    memcpy(conn->challenge, nonces, sizeof(conn->challenge));
    conn->challenged = 1;
}

int pfs_srv_conn_take_challenge(pfs_srv_conn_t *conn,
                                uint8_t nonces_p[PFS_SRV_CHALLENGE_SIZE])
{
    int had = conn->challenged;

    if (had) {
        memcpy(nonces_p, conn->challenge, sizeof(conn->challenge));
    }
    memset(conn->challenge, 0, sizeof(conn->challenge));
    conn->challenged = 0;
    return had;
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
        total += pfs_txi_start_deferred(tx);
    }
    if (tx->ready_head != NULL) {
        pfs_txi_dispatch_ready(tx);
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
        pfs_txi_req_release(tx, req);
    }
    while (tx->conns != NULL) {
        srv_conn_close(tx, tx->conns, 1);
    }
}

static const pfs_txi_srv_ops_t srv_ops = {
    .am_request = pfs_txi_am_request_cb,
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
                           pfs_srv_handler_t handler, void *arg, char *addr_out,
                           size_t addr_size, char *errmsg, size_t errmsg_size)
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
    if (st != UCS_OK || getnameinfo((struct sockaddr *)&attr.sockaddr,
                                    sizeof(attr.sockaddr), NULL, 0, port_text,
                                    sizeof(port_text), NI_NUMERICSERV) != 0) {
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
