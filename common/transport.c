/* transport.c - UCX active-message request/reply for servers and clients. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ucp/api/ucp.h>

#include "log.h"
#include "transport.h"

_Static_assert(sizeof(pfs_iov_t) == sizeof(ucp_dt_iov_t) &&
                   offsetof(pfs_iov_t, len) == offsetof(ucp_dt_iov_t, length),
               "pfs_iov_t must match ucp_dt_iov_t");

#define RPC_BUCKETS 256u /* outstanding RPCs hashed by id */

/* What one client connection may do to a server before it is cut off. */
#define CONN_MAX_UNANSWERED   4096u /* requests received, not answered */
#define CONN_COMPLAINTS_SHOWN 3u    /* refused requests logged one by one */
/* Descriptors a client connection costs a server (UCX's connection
 * manager socket and the TCP lanes), for the connection cap. */
#define CONN_FDS              8u    /* pessimistic: UCX's wire-up takes more */
#define FDS_RESERVED          256u  /* UCX's own accepts, objects, logs */

/* Every transport but shared memory (see pfs_tx_create). */
#define PFS_TX_DEFAULT_TLS "^posix,sysv,cma"

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
    int challenged;     /* challenge[] holds a CHALLENGE's nonces */
    uint8_t challenge[PFS_SRV_CHALLENGE_SIZE];
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

typedef struct srv_req_impl {
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
} srv_req_impl_t;

typedef struct conn_req_item {
    ucp_conn_request_h req;
    struct conn_req_item *next;
} conn_req_item_t;

/* Client side: one endpoint to one server. */
struct pfs_tx_conn {
    pfs_tx_t *tx;
    ucp_ep_h ep;
    int broken;
    int answered; /* a reply came on this endpoint: worth a flush at close */
    char addr[300];
    struct sockaddr_storage sa;
    socklen_t sa_len;
};

/* What a client UCX request's callback points at.  An RPC that gives up
 * (deadline, broken connection) clears rpc and is done at once; with
 * error mode NONE, UCX may complete the abandoned request much later or
 * never, and its callback then only frees the token. */
typedef struct {
    pfs_rpc_t *rpc;
    uint8_t *hdr_buf; /* an abandoned send's header: UCX may still read it */
    pfs_tx_t *tx;
} rpc_token_t;

/* A reply in flight from the server to a client; it holds a reference
 * to the connection so that the bytes can be counted back. */
typedef struct {
    uint8_t *hdr_buf;
    void *data;
    size_t data_len;
    pfs_srv_conn_t *conn;
} reply_state_t;

struct pfs_tx {
    ucp_context_h context;
    ucp_worker_h worker;
    int efd;
    int wake_fd;
    int server;
    ucp_err_handling_mode_t err_mode;
    size_t max_am_header; /* UCX aborts a sender whose header is larger */
    /* server */
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
    /* client */
    pfs_rpc_t *rpcs[RPC_BUCKETS];
    uint64_t next_id;
    uint64_t abandoned; /* sends given up on that UCX still holds */
    uint64_t next_deadline_scan_ms; /* pfs_tx_progress's deadline sweep */
};

static void rpc_fail(pfs_rpc_t *rpc, pfs_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void srv_req_release(pfs_tx_t *tx, srv_req_impl_t *req);

/* ---- common ------------------------------------------------------------ */

static ucs_status_t am_request_cb(void *arg, const void *header,
                                  size_t header_length, void *data,
                                  size_t length,
                                  const ucp_am_recv_param_t *param);
static ucs_status_t am_reply_cb(void *arg, const void *header,
                                size_t header_length, void *data,
                                size_t length,
                                const ucp_am_recv_param_t *param);

static pfs_status_t set_am_handler(pfs_tx_t *tx, unsigned id,
                                   ucp_am_recv_callback_t cb)
{
    ucp_am_handler_param_t param;

    memset(&param, 0, sizeof(param));
    param.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID |
                       UCP_AM_HANDLER_PARAM_FIELD_CB |
                       UCP_AM_HANDLER_PARAM_FIELD_ARG |
                       UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
    param.id = id;
    param.cb = cb;
    param.arg = tx;
    param.flags = UCP_AM_FLAG_WHOLE_MSG | UCP_AM_FLAG_PERSISTENT_DATA;
    return ucp_worker_set_am_recv_handler(tx->worker, &param) == UCS_OK
               ? PFS_OK
               : PFS_ERR_TRANSPORT;
}

pfs_status_t pfs_tx_create(int flags, pfs_tx_t **tx_p, char *errmsg,
                           size_t errmsg_size)
{
    ucp_params_t ctx_params;
    ucp_worker_params_t worker_params;
    ucp_config_t *config;
    const char *tls;
    ucs_status_t st;
    pfs_tx_t *tx;
    int server = (flags & PFS_TX_SERVER) != 0;

    tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    tx->server = server;
    tx->next_id = 1;
    tx->wake_fd = -1;
    /* PEER: UCX 1.13 supports peers that fail only in this mode; in mode
     * NONE a client that dies while its endpoint is being wired up aborts
     * the server inside UCX (doc/transport.md).  PFS_UCX_ERR_MODE=none
     * restores the old mode, for measurements only. */
    tx->err_mode = UCP_ERR_HANDLING_MODE_PEER;
    if (getenv("PFS_UCX_ERR_MODE") != NULL &&
        strcmp(getenv("PFS_UCX_ERR_MODE"), "none") == 0) {
        tx->err_mode = UCP_ERR_HANDLING_MODE_NONE;
    }

    if (server) {
        /* a restarted server must be able to bind its old port while the
         * previous socket sits in TIME_WAIT */
        setenv("UCX_TCP_CM_REUSEADDR", "y", 0);
    }
    st = ucp_config_read(NULL, NULL, &config);
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "ucp_config_read: %s",
                 ucs_status_string(st));
        goto err_free;
    }
    /* No shared-memory transports for pfs's own connections: a peer
     * that dies in the middle of writing into a receiver's shared FIFO
     * leaves that FIFO stuck for every sender, and the receiver then
     * spins without ever reading another message (doc/transport.md).
     * TCP (and RDMA where there is any) handle a dying peer per
     * connection.  On one host, local access moves the bulk data.
     * PFS_UCX_TLS overrides, for measurements; UCX_TLS is left to MPI. */
    tls = getenv("PFS_UCX_TLS");
    st = ucp_config_modify(config, "TLS",
                           tls != NULL ? tls : PFS_TX_DEFAULT_TLS);
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "bad transport list '%s': %s",
                 tls != NULL ? tls : PFS_TX_DEFAULT_TLS,
                 ucs_status_string(st));
        ucp_config_release(config);
        goto err_free;
    }
    /* Non-blocking TCP connects.  With UCX 1.13's default (blocking
     * connect), a peer that dies between accepting a lane's connection
     * and reading its first packet makes UCX mark the endpoint failed
     * before it has its send capability, then add that capability, and
     * its deferred destroy asserts (tcp_ep.c:478) and aborts the whole
     * process.  A non-blocking connect completes from progress, after
     * the endpoint is complete, and the same death becomes an ordinary
     * endpoint error (doc/transport.md). */
    st = ucp_config_modify(config, "CONN_NB",
                           getenv("PFS_UCX_CONN_NB") != NULL &&
                                   strcmp(getenv("PFS_UCX_CONN_NB"), "n") == 0
                               ? "n" /* UCX's default: to show the defect */
                               : "y");
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "UCX: cannot set CONN_NB: %s",
                 ucs_status_string(st));
        ucp_config_release(config);
        goto err_free;
    }
    memset(&ctx_params, 0, sizeof(ctx_params));
    ctx_params.field_mask = UCP_PARAM_FIELD_FEATURES;
    ctx_params.features = UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
    st = ucp_init(&ctx_params, config, &tx->context);
    ucp_config_release(config);
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "ucp_init: %s", ucs_status_string(st));
        goto err_free;
    }

    memset(&worker_params, 0, sizeof(worker_params));
    worker_params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
    worker_params.thread_mode = UCS_THREAD_MODE_SINGLE;
    st = ucp_worker_create(tx->context, &worker_params, &tx->worker);
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "ucp_worker_create: %s",
                 ucs_status_string(st));
        goto err_cleanup_context;
    }
    {
        ucp_worker_attr_t wattr;

        wattr.field_mask = UCP_WORKER_ATTR_FIELD_MAX_AM_HEADER;
        tx->max_am_header = ucp_worker_query(tx->worker, &wattr) == UCS_OK
                                ? wattr.max_am_header
                                : 0;
    }
    st = ucp_worker_get_efd(tx->worker, &tx->efd);
    if (st != UCS_OK) {
        snprintf(errmsg, errmsg_size, "ucp_worker_get_efd: %s",
                 ucs_status_string(st));
        goto err_destroy_worker;
    }
    if (set_am_handler(tx, PFS_AM_REQUEST, am_request_cb) != PFS_OK ||
        set_am_handler(tx, PFS_AM_REPLY, am_reply_cb) != PFS_OK) {
        snprintf(errmsg, errmsg_size, "cannot register UCX AM handlers");
        goto err_destroy_worker;
    }
    *tx_p = tx;
    return PFS_OK;

err_destroy_worker:
    ucp_worker_destroy(tx->worker);
err_cleanup_context:
    ucp_cleanup(tx->context);
err_free:
    free(tx);
    return PFS_ERR_TRANSPORT;
}

/* How long a flush close may wait for a peer that does not answer (a
 * stopped or hung server: a force close would not wait at all). */
#define CLOSE_FLUSH_MS 2000

/* Wait for a UCX request created by a close, sleeping when there is
 * nothing to progress.  A force close completes locally; a flush close
 * to a peer that does not answer is given up after CLOSE_FLUSH_MS and
 * left to UCX (counted as abandoned: the worker is then leaked, not
 * destroyed under it). */
static void wait_ucx_request(pfs_tx_t *tx, void *req, int force)
{
    uint64_t until = pfs_now_ms() + CLOSE_FLUSH_MS;

    if (req == NULL || UCS_PTR_IS_ERR(req)) {
        return;
    }
    while (ucp_request_check_status(req) == UCS_INPROGRESS) {
        if (ucp_worker_progress(tx->worker) != 0) {
            continue;
        }
        if (!force && pfs_now_ms() >= until) {
            tx->abandoned++;
            return;
        }
        pfs_tx_sleep(tx, 10);
    }
    ucp_request_free(req);
}

static void close_ep(pfs_tx_t *tx, ucp_ep_h ep, int force)
{
    ucp_request_param_t param;

    memset(&param, 0, sizeof(param));
    param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    param.flags = force ? UCP_EP_CLOSE_FLAG_FORCE : 0;
    wait_ucx_request(tx, ucp_ep_close_nbx(ep, &param), force);
}

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
    close_ep(tx, conn->ep, force);
    srv_conn_release(conn); /* the list's reference */
}

void pfs_tx_destroy(pfs_tx_t *tx)
{
    if (tx == NULL) {
        return;
    }
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
    if (tx->abandoned > 0) {
        /* give abandoned sends a moment to be released */
        uint64_t until = pfs_now_ms() + 200;

        while (tx->abandoned > 0 && pfs_now_ms() < until) {
            if (ucp_worker_progress(tx->worker) == 0) {
                pfs_tx_sleep(tx, 10);
            }
        }
    }
    if (tx->abandoned > 0) {
        /* With error mode NONE, UCX may keep a request to a dead or hung
         * peer queued even after a force close, and ucp_worker_destroy
         * then aborts the process ("pending request should have been
         * flushed").  Leaking the worker is the lesser evil for a library:
         * this happens only after requests timed out. */
        free(tx);
        return;
    }
    ucp_worker_destroy(tx->worker);
    ucp_cleanup(tx->context);
    free(tx);
}

void pfs_tx_set_wake_fd(pfs_tx_t *tx, int fd)
{
    tx->wake_fd = fd;
}

void pfs_tx_sleep(pfs_tx_t *tx, int timeout_ms)
{
    struct pollfd pfd[2];
    nfds_t n = 1;

    if (ucp_worker_arm(tx->worker) == UCS_ERR_BUSY) {
        return; /* events already pending: go progress them */
    }
    pfd[0].fd = tx->efd;
    pfd[0].events = POLLIN;
    pfd[0].revents = 0;
    if (tx->wake_fd >= 0) {
        pfd[1].fd = tx->wake_fd;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        n = 2;
    }
    (void)poll(pfd, n, timeout_ms);
}

static pfs_status_t resolve(const char *host, uint16_t port,
                            struct sockaddr_storage *sa_p, socklen_t *len_p)
{
    struct addrinfo hints, *res;
    char service[16];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = host == NULL ? AI_PASSIVE : 0;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        return PFS_ERR_INVAL;
    }
    memcpy(sa_p, res->ai_addr, res->ai_addrlen);
    *len_p = res->ai_addrlen;
    freeaddrinfo(res);
    return PFS_OK;
}

/* Split "host:port" (or "[v6]:port"); host gets at most host_size bytes. */
static pfs_status_t split_addr(const char *addr, char *host, size_t host_size,
                               uint16_t *port_p)
{
    const char *colon = strrchr(addr, ':');
    const char *h = addr;
    size_t hlen;
    char *end;
    unsigned long port;

    if (colon == NULL || colon == addr) {
        return PFS_ERR_INVAL;
    }
    hlen = (size_t)(colon - addr);
    if (addr[0] == '[' && colon[-1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= host_size) {
        return PFS_ERR_INVAL;
    }
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    if (errno != 0 || *end != '\0' || end == colon + 1 || port == 0 ||
        port > 65535) {
        return PFS_ERR_INVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port_p = (uint16_t)port;
    return PFS_OK;
}

/* ---- server side ------------------------------------------------------- */

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
    if (resolve(host, port, &sa, &sa_len) != PFS_OK) {
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
    return PFS_OK;
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

static void check_deadlines(pfs_tx_t *tx, uint64_t now);

/* How often pfs_tx_progress sweeps the outstanding RPCs for deadlines, so
 * that requests only ever tested (pio_test, MPI_Test on an MPI-IO
 * request), never waited for, fail on time too. */
#define DEADLINE_SWEEP_MS 100

unsigned pfs_tx_progress(pfs_tx_t *tx)
{
    unsigned total = 0, n;
    uint64_t now;

    do {
        n = ucp_worker_progress(tx->worker);
        total += n;
    } while (n > 0);
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
    now = pfs_now_ms();
    if (now >= tx->next_deadline_scan_ms) {
        tx->next_deadline_scan_ms = now + DEADLINE_SWEEP_MS;
        check_deadlines(tx, now);
        kick_silent_conns(tx, now);
    }
    return total;
}

/* ---- client side ------------------------------------------------------- */

static pfs_rpc_t **rpc_bucket(pfs_tx_t *tx, uint64_t id)
{
    return &tx->rpcs[id % RPC_BUCKETS];
}

static void rpc_unlink(pfs_tx_t *tx, pfs_rpc_t *rpc)
{
    if (rpc->prev != NULL) {
        rpc->prev->next = rpc->next;
    } else {
        *rpc_bucket(tx, rpc->id) = rpc->next;
    }
    if (rpc->next != NULL) {
        rpc->next->prev = rpc->prev;
    }
    rpc->next = rpc->prev = NULL;
}

static pfs_rpc_t *rpc_find(pfs_tx_t *tx, uint64_t id)
{
    pfs_rpc_t *rpc;

    for (rpc = *rpc_bucket(tx, id); rpc != NULL; rpc = rpc->next) {
        if (rpc->id == id) {
            return rpc;
        }
    }
    return NULL;
}

/* Done only when the reply (or a failure) is in and UCX no longer touches
 * the caller's buffers. */
static void rpc_maybe_done(pfs_tx_t *tx, pfs_rpc_t *rpc)
{
    if (rpc->done || (!rpc->reply_seen && !rpc->failed) ||
        rpc->send_req != NULL || rpc->recv_req != NULL) {
        return;
    }
    rpc_unlink(tx, rpc);
    free(rpc->hdr_buf);
    rpc->hdr_buf = NULL;
    rpc->done = 1;
}

static void rpc_fail(pfs_rpc_t *rpc, pfs_status_t status, const char *fmt, ...)
{
    va_list ap;

    if (rpc->failed || (rpc->reply_seen && rpc->recv_req == NULL)) {
        return; /* the first verdict stands */
    }
    /* a reply whose payload is still arriving is no reply yet */
    rpc->reply_seen = 0;
    rpc->failed = 1;
    rpc->status = status;
    va_start(ap, fmt);
    vsnprintf(rpc->errmsg, sizeof(rpc->errmsg), fmt, ap);
    va_end(ap);
}

/* Stop waiting for the RPC's send (see rpc_token_t): the token takes the
 * header buffer UCX may still read.  A receive is never abandoned: UCX
 * would go on writing into the caller's buffer after the call returned.
 * It is cancelled instead, and the RPC completes when UCX reports it. */
static void rpc_abandon(pfs_tx_t *tx, pfs_rpc_t *rpc)
{
    if (rpc->send_req != NULL) {
        rpc_token_t *tok = rpc->send_tok;

        tok->rpc = NULL;
        tok->hdr_buf = rpc->hdr_buf;
        tok->tx = tx;
        tx->abandoned++;
        rpc->hdr_buf = NULL;
        rpc->send_req = NULL;
    }
    if (rpc->recv_req != NULL) {
        ucp_request_cancel(tx->worker, rpc->recv_req);
    }
}

/* Fail every RPC posted on conn (it broke or timed out). */
static void conn_fail_rpcs(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                           pfs_status_t status, const char *why)
{
    unsigned b;

    for (b = 0; b < RPC_BUCKETS; b++) {
        pfs_rpc_t *rpc = tx->rpcs[b], *next;

        for (; rpc != NULL; rpc = next) {
            next = rpc->next;
            if (rpc->conn == conn) {
                rpc_fail(rpc, status, "%s: %s", conn->addr, why);
                rpc_abandon(tx, rpc);
                rpc_maybe_done(tx, rpc);
            }
        }
    }
}

static void client_ep_err_cb(void *arg, ucp_ep_h ep, ucs_status_t status)
{
    pfs_tx_conn_t *conn = arg;

    (void)ep;
    conn->broken = 1;
    conn_fail_rpcs(conn->tx, conn, PFS_ERR_CONN, ucs_status_string(status));
}

static pfs_status_t create_client_ep(pfs_tx_t *tx, pfs_tx_conn_t *conn)
{
    ucp_ep_params_t params;

    memset(&params, 0, sizeof(params));
    params.field_mask = UCP_EP_PARAM_FIELD_FLAGS |
                        UCP_EP_PARAM_FIELD_SOCK_ADDR |
                        UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE |
                        UCP_EP_PARAM_FIELD_ERR_HANDLER;
    params.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
    params.sockaddr.addr = (struct sockaddr *)&conn->sa;
    params.sockaddr.addrlen = conn->sa_len;
    params.err_mode = tx->err_mode;
    params.err_handler.cb = client_ep_err_cb;
    params.err_handler.arg = conn;
    if (ucp_ep_create(tx->worker, &params, &conn->ep) != UCS_OK) {
        conn->ep = NULL;
        conn->broken = 1;
        return PFS_ERR_CONN;
    }
    conn->broken = 0;
    return PFS_OK;
}

pfs_status_t pfs_tx_connect(pfs_tx_t *tx, const char *addr,
                            pfs_tx_conn_t **conn_p)
{
    char host[256];
    uint16_t port;
    pfs_tx_conn_t *conn;
    pfs_status_t st;

    if (split_addr(addr, host, sizeof(host), &port) != PFS_OK) {
        return PFS_ERR_CONFIG;
    }
    conn = calloc(1, sizeof(*conn));
    if (conn == NULL) {
        return PFS_ERR_NOMEM;
    }
    conn->tx = tx;
    snprintf(conn->addr, sizeof(conn->addr), "%s", addr);
    st = resolve(host, port, &conn->sa, &conn->sa_len);
    if (st != PFS_OK) {
        free(conn);
        return PFS_ERR_CONFIG;
    }
    st = create_client_ep(tx, conn);
    if (st != PFS_OK) {
        free(conn);
        return st;
    }
    *conn_p = conn;
    return PFS_OK;
}

static void conn_close_ep(pfs_tx_t *tx, pfs_tx_conn_t *conn, int force)
{
    ucp_ep_h ep = conn->ep;

    if (ep == NULL) {
        return;
    }
    conn->ep = NULL;
    conn->broken = 1;
    close_ep(tx, ep, force);
    conn_fail_rpcs(tx, conn, PFS_ERR_CONN, "connection closed");
}

void pfs_tx_disconnect(pfs_tx_t *tx, pfs_tx_conn_t *conn)
{
    if (conn == NULL) {
        return;
    }
    /* a flush close to a dead peer could wait for ever: force it then,
     * and when nothing was ever answered there is nothing to flush */
    conn_close_ep(tx, conn, conn->broken || !conn->answered);
    free(conn);
}

pfs_status_t pfs_tx_reconnect(pfs_tx_t *tx, pfs_tx_conn_t *conn)
{
    conn_close_ep(tx, conn, 1);
    return create_client_ep(tx, conn);
}

int pfs_tx_conn_broken(const pfs_tx_conn_t *conn)
{
    return conn->broken;
}

const char *pfs_tx_conn_addr(const pfs_tx_conn_t *conn)
{
    return conn->addr;
}

void pfs_tx_conn_print_info(const pfs_tx_conn_t *conn, FILE *out)
{
    if (conn->ep != NULL) {
        ucp_ep_print_info(conn->ep, out);
    }
}

static void rpc_send_cb(void *request, ucs_status_t status, void *user_data)
{
    rpc_token_t *tok = user_data;
    pfs_rpc_t *rpc = tok->rpc;

    if (rpc == NULL && tok->tx != NULL) {
        tok->tx->abandoned--;
    }
    free(tok->hdr_buf);
    free(tok);
    if (rpc == NULL) {
        ucp_request_free(request); /* abandoned earlier */
        return;
    }
    if (status != UCS_OK) {
        rpc_fail(rpc, PFS_ERR_CONN, "%s: sending failed: %s", rpc->conn->addr,
                 ucs_status_string(status));
    }
    rpc->send_req = NULL;
    ucp_request_free(request);
    rpc_maybe_done(rpc->conn->tx, rpc);
}

static void rpc_recv_cb(void *request, ucs_status_t status, size_t length,
                        void *user_data)
{
    rpc_token_t *tok = user_data;
    pfs_rpc_t *rpc = tok->rpc;

    free(tok);
    if (rpc == NULL) {
        ucp_request_free(request);
        return;
    }
    rpc->recv_req = NULL;
    if (status != UCS_OK) {
        rpc->reply_seen = 0;
        rpc_fail(rpc, PFS_ERR_CONN, "%s: receiving data failed: %s",
                 rpc->conn->addr, ucs_status_string(status));
    } else if (!rpc->failed) {
        rpc->recv_len = length;
    }
    ucp_request_free(request);
    rpc_maybe_done(rpc->conn->tx, rpc);
}

static size_t iov_total(const pfs_iov_t *iov, size_t n)
{
    size_t i, total = 0;

    for (i = 0; i < n; i++) {
        total += iov[i].len;
    }
    return total;
}

/* Copy a contiguous eager payload out to the caller's pieces. */
static void scatter(const pfs_iov_t *iov, size_t n, const void *data,
                    size_t length)
{
    const uint8_t *p = data;
    size_t i;

    for (i = 0; i < n && length > 0; i++) {
        size_t chunk = PFS_MIN(iov[i].len, length);
        memcpy(iov[i].base, p, chunk);
        p += chunk;
        length -= chunk;
    }
}

static ucs_status_t am_reply_cb(void *arg, const void *header,
                                size_t header_length, void *data,
                                size_t length,
                                const ucp_am_recv_param_t *param)
{
    pfs_tx_t *tx = arg;
    pfs_msg_hdr_t hdr;
    pfs_rpc_t *rpc;

    if (pfs_proto_hdr_unpack(header, header_length, &hdr) != PFS_OK) {
        return UCS_OK; /* cannot tell whose it is: its RPC will time out */
    }
    rpc = rpc_find(tx, hdr.req_id);
    if (rpc == NULL || rpc->failed || rpc->reply_seen) {
        return UCS_OK; /* late reply to a request we gave up on */
    }
    if (hdr.body_len > PFS_RPC_MAX_REPLY) {
        rpc_fail(rpc, PFS_ERR_PROTO, "reply body too large");
        goto out;
    }
    memcpy(rpc->reply, (const uint8_t *)header + PFS_PROTO_HDR_SIZE,
           hdr.body_len);
    rpc->reply_len = hdr.body_len;
    if (hdr.status < 0) {
        if (pfs_proto_errmsg_decode(rpc->reply, rpc->reply_len, rpc->errmsg,
                                    sizeof(rpc->errmsg)) != PFS_OK) {
            snprintf(rpc->errmsg, sizeof(rpc->errmsg), "%s",
                     pfs_status_string(hdr.status));
        }
    }
    if (length != hdr.data_len || length > rpc->recv_cap) {
        rpc_fail(rpc, PFS_ERR_PROTO,
                 "%s: reply carries %zu payload bytes, expected at most %zu",
                 rpc->conn->addr, length, rpc->recv_cap);
        goto out;
    }
    rpc->status = hdr.status;
    rpc->reply_seen = 1;
    rpc->conn->answered = 1;
    rpc->recv_len = length;
    if (length > 0 && (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
        ucp_request_param_t rp;
        void *ucx_req;

        /* rendezvous: UCX writes straight into the caller's buffer */
        rpc_token_t *tok = malloc(sizeof(*tok));

        if (tok == NULL) {
            rpc->reply_seen = 0;
            rpc_fail(rpc, PFS_ERR_NOMEM, "out of memory");
            rpc_maybe_done(tx, rpc);
            return UCS_OK;
        }
        tok->rpc = rpc;
        tok->hdr_buf = NULL;
        tok->tx = NULL;
        memset(&rp, 0, sizeof(rp));
        rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK |
                          UCP_OP_ATTR_FIELD_USER_DATA;
        rp.cb.recv_am = rpc_recv_cb;
        rp.user_data = tok;
        if (rpc->recv_iovcnt > 0) {
            rp.op_attr_mask |= UCP_OP_ATTR_FIELD_DATATYPE;
            rp.datatype = ucp_dt_make_iov();
            ucx_req = ucp_am_recv_data_nbx(tx->worker, data,
                                           (void *)rpc->recv_iov,
                                           rpc->recv_iovcnt, &rp);
        } else {
            ucx_req = ucp_am_recv_data_nbx(tx->worker, data, rpc->recv_data,
                                           length, &rp);
        }
        if (UCS_PTR_IS_ERR(ucx_req)) {
            free(tok);
            rpc->reply_seen = 0;
            rpc_fail(rpc, PFS_ERR_TRANSPORT, "receiving data: %s",
                     ucs_status_string(UCS_PTR_STATUS(ucx_req)));
        } else if (ucx_req != NULL) {
            rpc->recv_req = ucx_req;
            rpc->recv_tok = tok;
        } else {
            free(tok);
        }
        rpc_maybe_done(tx, rpc);
        return UCS_OK;
    } else if (length > 0 && rpc->recv_iovcnt > 0) {
        scatter(rpc->recv_iov, rpc->recv_iovcnt, data, length);
    } else if (length > 0) {
        memcpy(rpc->recv_data, data, length);
    }
out:
    rpc_maybe_done(tx, rpc);
    return UCS_OK;
}

pfs_status_t pfs_rpc_post(pfs_tx_t *tx, pfs_tx_conn_t *conn, pfs_rpc_t *rpc)
{
    ucp_request_param_t param;
    rpc_token_t *tok;
    pfs_msg_hdr_t hdr;
    pfs_rpc_t **bucket;
    void *ucx_req;

    rpc->done = 0;
    rpc->failed = 0;
    rpc->reply_seen = 0;
    rpc->status = PFS_OK;
    rpc->reply_len = 0;
    rpc->recv_len = 0;
    rpc->errmsg[0] = '\0';
    rpc->conn = conn;
    rpc->send_req = rpc->recv_req = NULL;
    rpc->id = tx->next_id++;
    rpc->deadline_ms = rpc->timeout_ms > 0
                           ? pfs_now_ms() + (uint64_t)rpc->timeout_ms
                           : UINT64_MAX;
    rpc->prev = NULL;
    bucket = rpc_bucket(tx, rpc->id);
    rpc->next = *bucket;
    if (*bucket != NULL) {
        (*bucket)->prev = rpc;
    }
    *bucket = rpc;

    if (conn->broken || conn->ep == NULL) {
        rpc_fail(rpc, PFS_ERR_CONN, "%s: connection is down", conn->addr);
        goto out;
    }
    if (rpc->body_len > PFS_PROTO_MAX_BODY ||
        (tx->max_am_header > 0 &&
         PFS_PROTO_HDR_SIZE + rpc->body_len > tx->max_am_header)) {
        rpc_fail(rpc, PFS_ERR_INVAL, "request body too large");
        goto out;
    }
    rpc->hdr_buf = malloc(PFS_PROTO_HDR_SIZE + rpc->body_len);
    if (rpc->hdr_buf == NULL) {
        rpc_fail(rpc, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (rpc->send_iovcnt > 0) {
        rpc->send_len = iov_total(rpc->send_iov, rpc->send_iovcnt);
    }
    if (rpc->recv_iovcnt > 0) {
        rpc->recv_cap = iov_total(rpc->recv_iov, rpc->recv_iovcnt);
    }
    memset(&hdr, 0, sizeof(hdr));
    hdr.opcode = rpc->opcode;
    hdr.req_id = rpc->id;
    hdr.body_len = (uint32_t)rpc->body_len;
    hdr.data_len = rpc->send_len;
    pfs_proto_hdr_pack(&hdr, rpc->hdr_buf);
    if (rpc->body_len > 0) {
        memcpy(rpc->hdr_buf + PFS_PROTO_HDR_SIZE, rpc->body, rpc->body_len);
    }

    tok = malloc(sizeof(*tok));
    if (tok == NULL) {
        rpc_fail(rpc, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    tok->rpc = rpc;
    tok->hdr_buf = NULL;
    tok->tx = NULL;
    memset(&param, 0, sizeof(param));
    param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK |
                         UCP_OP_ATTR_FIELD_USER_DATA |
                         UCP_OP_ATTR_FIELD_FLAGS;
    param.cb.send = rpc_send_cb;
    param.user_data = tok;
    param.flags = UCP_AM_SEND_FLAG_REPLY;
    if (rpc->send_iovcnt > 0) {
        param.op_attr_mask |= UCP_OP_ATTR_FIELD_DATATYPE;
        param.datatype = ucp_dt_make_iov();
        ucx_req = ucp_am_send_nbx(conn->ep, PFS_AM_REQUEST, rpc->hdr_buf,
                                  PFS_PROTO_HDR_SIZE + rpc->body_len,
                                  rpc->send_iov, rpc->send_iovcnt, &param);
    } else {
        ucx_req = ucp_am_send_nbx(conn->ep, PFS_AM_REQUEST, rpc->hdr_buf,
                                  PFS_PROTO_HDR_SIZE + rpc->body_len,
                                  rpc->send_data, rpc->send_len, &param);
    }
    if (UCS_PTR_IS_ERR(ucx_req)) {
        free(tok);
        rpc_fail(rpc, PFS_ERR_CONN, "%s: cannot send: %s", conn->addr,
                 ucs_status_string(UCS_PTR_STATUS(ucx_req)));
    } else if (ucx_req != NULL) {
        rpc->send_req = ucx_req;
        rpc->send_tok = tok;
    } else {
        free(tok);
    }
out:
    rpc_maybe_done(tx, rpc);
    return rpc->failed ? rpc->status : PFS_OK;
}

/* Give up on every RPC of a connection whose deadline passed: the only
 * way to get UCX to release the caller's buffers is to close the
 * endpoint, which fails its other RPCs too. */
static void expire(pfs_tx_t *tx, pfs_rpc_t *rpc)
{
    pfs_tx_conn_t *conn = rpc->conn;

    rpc_fail(rpc, PFS_ERR_TIMEOUT, "%s: no reply to %s within %d ms",
             conn->addr, pfs_proto_op_name(rpc->opcode), rpc->timeout_ms);
    rpc_abandon(tx, rpc);
    conn_close_ep(tx, conn, 1);
    rpc_maybe_done(tx, rpc);
}

/* How long a failed RPC waits, past its deadline, for UCX to hand back a
 * cancelled receive.  With error mode NONE and the peer killed, UCX may
 * never complete it; by then the endpoint is closed, so no data can still
 * arrive into the caller's buffer. */
#define RECV_GIVE_UP_MS 2000

/* Stop waiting for the receive of a failed RPC: as for sends, its token
 * no longer points at the RPC, and a late completion only frees the
 * request (rpc_recv_cb). */
static void rpc_abandon_recv(pfs_tx_t *tx, pfs_rpc_t *rpc)
{
    rpc_token_t *tok = rpc->recv_tok;

    if (tok != NULL) {
        tok->rpc = NULL;
    }
    rpc->recv_req = NULL;
    rpc->recv_tok = NULL;
    rpc_maybe_done(tx, rpc);
}

/* One RPC's deadlines: past its deadline it expires; failed and still
 * waiting for a cancelled receive RECV_GIVE_UP_MS later, it stops
 * waiting.  Returns 1 if it acted (which may unlink RPCs). */
static int check_deadline(pfs_tx_t *tx, pfs_rpc_t *rpc, uint64_t now)
{
    if (rpc->done) {
        return 0;
    }
    if (!rpc->failed && rpc->deadline_ms <= now) {
        expire(tx, rpc);
        return 1;
    }
    if (rpc->failed && rpc->recv_req != NULL &&
        rpc->deadline_ms + RECV_GIVE_UP_MS <= now) {
        rpc_abandon_recv(tx, rpc);
        return 1;
    }
    return 0;
}

/* Every outstanding RPC; an action can unlink others (closing an
 * endpoint fails all of its RPCs), so the sweep starts over after one. */
static void check_deadlines(pfs_tx_t *tx, uint64_t now)
{
    unsigned b;
    pfs_rpc_t *rpc;

again:
    for (b = 0; b < RPC_BUCKETS; b++) {
        for (rpc = tx->rpcs[b]; rpc != NULL; rpc = rpc->next) {
            if (check_deadline(tx, rpc, now)) {
                goto again;
            }
        }
    }
}

static void wait_some(pfs_tx_t *tx, pfs_rpc_t **rpcs, size_t count, int all)
{
    for (;;) {
        uint64_t now, next = UINT64_MAX;
        size_t i, ndone = 0;
        int timeout;

        pfs_tx_progress(tx);
        now = pfs_now_ms();
        for (i = 0; i < count; i++) {
            check_deadline(tx, rpcs[i], now);
            if (rpcs[i]->done) {
                ndone++;
            } else if (rpcs[i]->failed) {
                next = PFS_MIN(next, rpcs[i]->deadline_ms + RECV_GIVE_UP_MS);
            } else {
                next = PFS_MIN(next, rpcs[i]->deadline_ms);
            }
        }
        if ((all && ndone == count) || (!all && ndone > 0) || count == 0) {
            return;
        }
        /* wake up at the next deadline at the latest */
        timeout = next == UINT64_MAX || next <= now
                      ? (next <= now ? 10 : 1000)
                      : (int)PFS_MIN(next - now, 1000);
        pfs_tx_sleep(tx, timeout);
    }
}

pfs_status_t pfs_rpc_wait_all(pfs_tx_t *tx, pfs_rpc_t **rpcs, size_t count)
{
    size_t i;

    wait_some(tx, rpcs, count, 1);
    for (i = 0; i < count; i++) {
        if (rpcs[i]->status != PFS_OK) {
            return rpcs[i]->status;
        }
    }
    return PFS_OK;
}

void pfs_rpc_wait_any(pfs_tx_t *tx, pfs_rpc_t **rpcs, size_t count,
                      size_t *index_p)
{
    size_t i;

    wait_some(tx, rpcs, count, 0);
    for (i = 0; i < count; i++) {
        if (rpcs[i]->done) {
            *index_p = i;
            return;
        }
    }
    *index_p = 0;
}

/* ---- raw messages (test clients) ---------------------------------------- */

static void raw_send_cb(void *request, ucs_status_t status, void *user_data)
{
    int *done = user_data;

    (void)status;
    *done = 1;
    ucp_request_free(request);
}

pfs_status_t pfs_tx_send_raw(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                             const void *header, size_t header_len,
                             const void *data, size_t data_len, int timeout_ms)
{
    uint64_t until = pfs_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    ucp_request_param_t param;
    void *ucx_req;
    int done = 0;

    if (conn->broken || conn->ep == NULL) {
        return PFS_ERR_CONN;
    }
    memset(&param, 0, sizeof(param));
    param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK |
                         UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_FLAGS;
    param.cb.send = raw_send_cb;
    param.user_data = &done;
    param.flags = UCP_AM_SEND_FLAG_REPLY;
    ucx_req = ucp_am_send_nbx(conn->ep, PFS_AM_REQUEST, header, header_len,
                              data, data_len, &param);
    if (UCS_PTR_IS_ERR(ucx_req)) {
        return PFS_ERR_CONN;
    }
    if (ucx_req == NULL) {
        return PFS_OK;
    }
    while (!done && !conn->broken) {
        if (pfs_tx_progress(tx) == 0) {
            if (timeout_ms > 0 && pfs_now_ms() >= until) {
                /* the buffers are the caller's: only a closed endpoint
                 * gives them back */
                conn_close_ep(tx, conn, 1);
                return PFS_ERR_TIMEOUT;
            }
            pfs_tx_sleep(tx, 10);
        }
    }
    return done ? PFS_OK : PFS_ERR_CONN;
}
