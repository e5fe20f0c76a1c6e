/* transport_srv_req.c - the transport's server half, requests: the
 * request active message, payloads received within the memory budget
 * (rendezvous deferred past it), replies, and the dispatch of ready
 * requests to the server's handler.  Built into libpfs_server only. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ucp/api/ucp.h>

#include "log.h"
#include "tx_int.h"

/* What one client connection may do to a server before it is cut off. */
#define CONN_MAX_UNANSWERED 4096u /* requests received, not answered */

/* A reply in flight from the server to a client; it holds a reference
 * to the connection so that the bytes can be counted back. */
typedef struct {
    uint8_t *hdr_buf;
    void *data;
    size_t data_len;
    pfs_srv_conn_t *conn;
} reply_state_t;

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

static void srv_recv_done_cb(void *request, ucs_status_t status, size_t length,
                             void *user_data)
{
    srv_req_impl_t *req = user_data;
    pfs_tx_t *tx = req->pub.conn->tx;

    (void)length;
    if (status != UCS_OK) {
        req->early = PFS_ERR_TRANSPORT;
        req->peer_gone = 1; /* nothing arrives from a live peer otherwise */
        snprintf(req->early_msg, sizeof(req->early_msg),
                 "receiving the payload failed: %s", ucs_status_string(status));
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
unsigned pfs_txi_start_deferred(pfs_tx_t *tx)
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

ucs_status_t pfs_txi_am_request_cb(void *arg, const void *header,
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
        conn = pfs_txi_conn_find(tx, param->reply_ep);
    }
    if (conn == NULL || conn->closed || conn->dead || tx->handler == NULL) {
        return UCS_OK; /* releases any payload descriptor */
    }
    if ((unsigned)(conn->refs - 1) >= CONN_MAX_UNANSWERED) {
        pfs_txi_conn_kick(conn, "%u requests sent without waiting for answers",
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
        snprintf(
            req->early_msg, sizeof(req->early_msg),
            "payload of %zu bytes exceeds this server's limit of %llu", length,
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

static void reply_done_cb(void *request, ucs_status_t status, void *user_data)
{
    reply_state_t *state = user_data;

    if (status != UCS_OK) {
        pfs_log_debug("reply not delivered: %s", ucs_status_string(status));
    }
    state->conn->tx->reply_bytes -= state->data_len;
    state->conn->reply_bytes -= state->data_len;
    pfs_txi_conn_release(state->conn);
    free(state->hdr_buf);
    free(state->data);
    free(state);
    ucp_request_free(request);
}

void pfs_txi_req_release(pfs_tx_t *tx, srv_req_impl_t *req)
{
    tx->held -= req->held;
    req->pub.conn->held -= req->held;
    if (req->ucx_desc != NULL) {
        ucp_am_data_release(tx->worker, req->ucx_desc);
    } else if (req->data_owned) {
        free(req->pub.data);
    }
    pfs_txi_conn_release(req->pub.conn);
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
    hdr.opcode = req->pub.hdr.opcode != 0 ? req->pub.hdr.opcode : PFS_OP_STATUS;
    hdr.req_id = req->pub.hdr.req_id;
    hdr.status = status;
    hdr.body_len = (uint32_t)body_len;
    hdr.data_len = data_len;
    pfs_proto_hdr_pack(&hdr, state->hdr_buf);
    if (body_len > 0) {
        memcpy(state->hdr_buf + PFS_PROTO_HDR_SIZE, body, body_len);
    }
    memset(&param, 0, sizeof(param));
    param.op_attr_mask =
        UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
    param.cb.send = reply_done_cb;
    param.user_data = state;
    ucx_req =
        ucp_am_send_nbx(conn->ep, PFS_AM_REPLY, state->hdr_buf,
                        PFS_PROTO_HDR_SIZE + body_len, data, data_len, &param);
    if (UCS_PTR_IS_PTR(ucx_req)) {
        /* reply_done_cb frees state and data, and counts them back */
        state->data_len = data_len;
        state->conn = conn;
        conn->refs++;
        conn->reply_bytes += data_len;
        tx->reply_bytes += data_len;
        pfs_txi_req_release(tx, req);
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
    pfs_txi_req_release(tx, req);
}

void pfs_srv_reply(pfs_tx_t *tx, pfs_srv_req_t *pub, const void *body,
                   size_t body_len, void *data, size_t data_len)
{
    srv_send(tx, (srv_req_impl_t *)pub, PFS_OK, body, body_len, data, data_len);
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

void pfs_txi_dispatch_ready(pfs_tx_t *tx)
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
            pfs_txi_req_release(tx, req);
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
