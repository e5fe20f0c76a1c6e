/* transport_rpc.c - the transport's client half: connections to servers,
 * RPCs hashed by id, deadlines and waits, and raw sends for test clients. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ucp/api/ucp.h>

#include "tx_int.h"

_Static_assert(sizeof(pfs_iov_t) == sizeof(ucp_dt_iov_t) &&
                   offsetof(pfs_iov_t, len) == offsetof(ucp_dt_iov_t, length),
               "pfs_iov_t must match ucp_dt_iov_t");

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

static void rpc_fail(pfs_rpc_t *rpc, pfs_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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
    params.field_mask =
        UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR |
        UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE | UCP_EP_PARAM_FIELD_ERR_HANDLER;
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
    st = pfs_txi_resolve(host, port, &conn->sa, &conn->sa_len);
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
    pfs_txi_close_ep(tx, ep, force);
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

ucs_status_t pfs_txi_am_reply_cb(void *arg, const void *header,
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
        rp.op_attr_mask =
            UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
        rp.cb.recv_am = rpc_recv_cb;
        rp.user_data = tok;
        if (rpc->recv_iovcnt > 0) {
            rp.op_attr_mask |= UCP_OP_ATTR_FIELD_DATATYPE;
            rp.datatype = ucp_dt_make_iov();
            ucx_req = ucp_am_recv_data_nbx(
                tx->worker, data, (void *)rpc->recv_iov, rpc->recv_iovcnt, &rp);
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
                         UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_FLAGS;
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
void pfs_txi_check_deadlines(pfs_tx_t *tx, uint64_t now)
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
