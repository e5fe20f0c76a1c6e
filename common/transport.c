/* transport.c - the transport's core: UCX context and worker, progress,
 * sleeping, and closing endpoints.  The client RPC half is in
 * transport_rpc.c, the server half (servers only) in transport_srv.c;
 * tx_int.h is what the three share. */
#include "config.h"

#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ucp/api/ucp.h>

#include "tx_int.h"

/* Every transport but shared memory (see pfs_tx_create). */
#define PFS_TX_DEFAULT_TLS "^posix,sysv,cma"

/* ---- common ------------------------------------------------------------ */

/* Requests belong to the server half (transport_srv.c), which
 * pfs_tx_listen() installs; a transport that does not listen drops them
 * (UCS_OK lets UCX release the payload). */
static ucs_status_t am_request_cb(void *arg, const void *header,
                                  size_t header_length, void *data,
                                  size_t length,
                                  const ucp_am_recv_param_t *param)
{
    pfs_tx_t *tx = arg;

    if (tx->srv_ops == NULL) {
        return UCS_OK; /* releases any payload descriptor */
    }
    return tx->srv_ops->am_request(arg, header, header_length, data, length,
                                   param);
}

static pfs_status_t set_am_handler(pfs_tx_t *tx, unsigned id,
                                   ucp_am_recv_callback_t cb)
{
    ucp_am_handler_param_t param;

    memset(&param, 0, sizeof(param));
    param.field_mask =
        UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
        UCP_AM_HANDLER_PARAM_FIELD_ARG | UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
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
                 tls != NULL ? tls : PFS_TX_DEFAULT_TLS, ucs_status_string(st));
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
        set_am_handler(tx, PFS_AM_REPLY, pfs_txi_am_reply_cb) != PFS_OK) {
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

void pfs_txi_close_ep(pfs_tx_t *tx, ucp_ep_h ep, int force)
{
    ucp_request_param_t param;

    memset(&param, 0, sizeof(param));
    param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    param.flags = force ? UCP_EP_CLOSE_FLAG_FORCE : 0;
    wait_ucx_request(tx, ucp_ep_close_nbx(ep, &param), force);
}

void pfs_tx_destroy(pfs_tx_t *tx)
{
    if (tx == NULL) {
        return;
    }
    if (tx->srv_ops != NULL) {
        tx->srv_ops->fini(tx); /* listener, queued requests, connections */
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

pfs_status_t pfs_txi_resolve(const char *host, uint16_t port,
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
    if (tx->srv_ops != NULL) {
        total += tx->srv_ops->progress(tx); /* accept, admit, dispatch, reap */
    }
    now = pfs_now_ms();
    if (now >= tx->next_deadline_scan_ms) {
        tx->next_deadline_scan_ms = now + DEADLINE_SWEEP_MS;
        pfs_txi_check_deadlines(tx, now);
        if (tx->srv_ops != NULL) {
            tx->srv_ops->sweep(tx, now);
        }
    }
    return total;
}
