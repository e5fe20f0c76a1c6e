/* hello.c - the client's side of HELLO (hello.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hello.h"

static int hello_finish(pfs_hello_t *h, pfs_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int hello_finish(pfs_hello_t *h, pfs_status_t st, const char *fmt, ...)
{
    va_list ap;

    h->step = 2;
    h->status = st;
    h->errmsg[0] = '\0';
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(h->errmsg, sizeof(h->errmsg), fmt, ap);
        va_end(ap);
    }
    return 1;
}

static void rpc_setup(pfs_hello_t *h, uint16_t opcode, size_t len,
                      const void *data, size_t data_len)
{
    memset(&h->rpc, 0, sizeof(h->rpc));
    h->rpc.opcode = opcode;
    h->rpc.body = h->body;
    h->rpc.body_len = len;
    h->rpc.send_data = data;
    h->rpc.send_len = data_len;
    h->rpc.timeout_ms = h->timeout_ms;
}

pfs_status_t pfs_hello_post(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role, int timeout_ms,
                            const uint8_t *fsid, pfs_role_t server_role,
                            uint32_t index, pfs_hello_t *h)
{
    size_t len;
    pfs_status_t st;

    memset(h, 0, sizeof(*h));
    h->tx = tx;
    h->conn = conn;
    h->role = (uint8_t)role;
    h->server_role = (uint8_t)server_role;
    h->index = index;
    h->timeout_ms = timeout_ms;
    memcpy(h->fsid, fsid, sizeof(h->fsid));
    st = pfs_auth_hello_key(key, h->key);
    if (st == PFS_OK) {
        st = pfs_auth_random(h->nonce, sizeof(h->nonce));
    }
    if (st != PFS_OK) {
        hello_finish(h, st,
                     "libcrypto failed (no HMAC-SHA256 or no random "
                     "bytes)");
        return st;
    }
    st = pfs_proto_challenge_req_encode(h->body, sizeof(h->body), h->nonce,
                                        &len);
    if (st != PFS_OK) {
        hello_finish(h, st, "cannot encode a challenge");
        return st;
    }
    rpc_setup(h, PFS_OP_CHALLENGE, len, NULL, 0);
    st = pfs_rpc_post(tx, conn, &h->rpc);
    if (st != PFS_OK && h->rpc.done) {
        /* the rpc carries the transport's explanation */
        hello_finish(h, h->rpc.status, "%s",
                     h->rpc.errmsg[0] != '\0' ? h->rpc.errmsg
                                              : pfs_status_string(st));
    }
    return st;
}

/* The server's answer to our challenge is in h->rpc: check its identity
 * and proof, then send our HELLO. */
static int hello_send(pfs_hello_t *h)
{
    pfs_challenge_rep_t rep;
    pfs_hello_req_t m;
    uint8_t proof[PFS_AUTH_MAC_SIZE];
    size_t len, glen;
    pfs_status_t st;

    if (pfs_proto_challenge_rep_decode(h->rpc.reply, h->rpc.reply_len, &rep) !=
        PFS_OK) {
        return hello_finish(h, PFS_ERR_PROTO, "malformed challenge reply");
    }
    if (memcmp(rep.fsid, h->fsid, sizeof(rep.fsid)) != 0 ||
        rep.role != h->server_role || rep.index != h->index) {
        return hello_finish(h, PFS_ERR_CONFIG,
                            "not the server the descriptor names (another "
                            "ensemble took its address?)");
    }
    if (pfs_auth_server_proof(h->key, h->nonce, rep.nonce, rep.role, rep.index,
                              rep.fsid, proof) != PFS_OK) {
        return hello_finish(h, PFS_ERR_INTERNAL, "libcrypto failed");
    }
    if (!pfs_auth_equal(proof, rep.proof, sizeof(proof))) {
        return hello_finish(h, PFS_ERR_AUTH,
                            "the server did not prove the cluster key: an "
                            "impostor, or a descriptor of another ensemble");
    }
    memset(&m, 0, sizeof(m));
    m.role = h->role;
    m.pid = (uint32_t)getpid();
    st = pfs_cred_self(&m.cred);
    if (st != PFS_OK) {
        pfs_cred_release(&m.cred);
        return hello_finish(h, st, "cannot read this process's groups");
    }
    glen = 4 * (size_t)m.cred.ngroups;
    if (glen > 0) {
        h->groups = malloc(glen);
        if (h->groups == NULL) {
            pfs_cred_release(&m.cred);
            return hello_finish(h, PFS_ERR_NOMEM, "out of memory");
        }
        pfs_proto_hello_groups_encode(&m, h->groups);
    }
    /* encode once for the signed bytes, then again with the proof */
    st = pfs_proto_hello_req_encode(h->body, sizeof(h->body), &m, &len);
    if (st == PFS_OK) {
        st = pfs_auth_client_proof(
            h->key, h->nonce, rep.nonce, rep.role, rep.index, rep.fsid, h->body,
            PFS_HELLO_SIGNED_LEN, h->groups, glen, m.proof);
    }
    if (st == PFS_OK) {
        st = pfs_proto_hello_req_encode(h->body, sizeof(h->body), &m, &len);
    }
    pfs_cred_release(&m.cred);
    if (st != PFS_OK) {
        return hello_finish(h, st, "cannot make a hello");
    }
    rpc_setup(h, PFS_OP_HELLO, len, h->groups, glen);
    h->step = 1;
    if (pfs_rpc_post(h->tx, h->conn, &h->rpc) != PFS_OK && h->rpc.done) {
        return pfs_hello_done(h);
    }
    return 0;
}

int pfs_hello_done(pfs_hello_t *h)
{
    if (h->step == 2) {
        return 1;
    }
    if (!h->rpc.done) {
        return 0;
    }
    if (h->rpc.status != PFS_OK) {
        return hello_finish(h, h->rpc.status, "%s",
                            h->rpc.errmsg[0] != '\0'
                                ? h->rpc.errmsg
                                : pfs_status_string(h->rpc.status));
    }
    if (h->step == 0) {
        return hello_send(h);
    }
    return hello_finish(h, PFS_OK, NULL);
}

pfs_status_t pfs_hello_check(const pfs_hello_t *h, char *errmsg,
                             size_t errmsg_size)
{
    if (h->step != 2) {
        snprintf(errmsg, errmsg_size, "hello not finished");
        return PFS_ERR_INTERNAL;
    }
    if (h->status != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", h->errmsg);
    }
    return h->status;
}

void pfs_hello_release(pfs_hello_t *h)
{
    free(h->groups);
    h->groups = NULL;
    memset(h->key, 0, sizeof(h->key));
}

pfs_status_t pfs_hello_call(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role, int timeout_ms,
                            const uint8_t *fsid, pfs_role_t server_role,
                            uint32_t index, char *errmsg, size_t errmsg_size)
{
    pfs_hello_t *h = malloc(sizeof(*h));
    pfs_status_t st;

    if (h == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    (void)pfs_hello_post(tx, conn, key, role, timeout_ms, fsid, server_role,
                         index, h);
    while (!pfs_hello_done(h)) {
        pfs_rpc_t *rpc = &h->rpc;

        if (!rpc->done) {
            (void)pfs_rpc_wait_all(tx, &rpc, 1);
        }
    }
    st = pfs_hello_check(h, errmsg, errmsg_size);
    pfs_hello_release(h);
    free(h);
    return st;
}
