/* hello.c - the client's side of HELLO (hello.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hello.h"

static void hello_fail(pfs_hello_t *h, pfs_status_t st, const char *what)
{
    h->rpc.done = 1;
    h->rpc.status = st;
    snprintf(h->rpc.errmsg, sizeof(h->rpc.errmsg), "%s", what);
}

pfs_status_t pfs_hello_post(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role,
                            int timeout_ms, pfs_hello_t *h)
{
    pfs_hello_req_t m;
    size_t len;
    pfs_status_t st;

    memset(h, 0, sizeof(*h));
    memset(&m, 0, sizeof(m));
    memcpy(m.key, key, sizeof(m.key));
    m.role = (uint8_t)role;
    m.pid = (uint32_t)getpid();
    st = pfs_cred_self(&m.cred);
    if (st != PFS_OK) {
        hello_fail(h, st, "cannot read this process's groups");
        goto out;
    }
    st = pfs_proto_hello_req_encode(h->body, sizeof(h->body), &m, &len);
    if (st != PFS_OK) {
        hello_fail(h, st, "cannot encode a hello");
        goto out;
    }
    if (m.cred.ngroups > 0) {
        h->groups = malloc(4 * (size_t)m.cred.ngroups);
        if (h->groups == NULL) {
            st = PFS_ERR_NOMEM;
            hello_fail(h, st, "out of memory");
            goto out;
        }
        pfs_proto_hello_groups_encode(&m, h->groups);
    }
    h->rpc.opcode = PFS_OP_HELLO;
    h->rpc.body = h->body;
    h->rpc.body_len = len;
    h->rpc.send_data = h->groups;
    h->rpc.send_len = 4 * (size_t)m.cred.ngroups;
    h->rpc.timeout_ms = timeout_ms;
    st = pfs_rpc_post(tx, conn, &h->rpc);
out:
    pfs_cred_release(&m.cred);
    return st;
}

pfs_status_t pfs_hello_check(const pfs_hello_t *h, const uint8_t *fsid,
                             pfs_role_t role, uint32_t index, char *errmsg,
                             size_t errmsg_size)
{
    pfs_hello_rep_t rep;

    if (h->rpc.status != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s",
                 h->rpc.errmsg[0] != '\0' ? h->rpc.errmsg
                                          : pfs_status_string(h->rpc.status));
        return h->rpc.status;
    }
    if (pfs_proto_hello_rep_decode(h->rpc.reply, h->rpc.reply_len, &rep) !=
        PFS_OK) {
        snprintf(errmsg, errmsg_size, "malformed hello reply");
        return PFS_ERR_PROTO;
    }
    if (memcmp(rep.fsid, fsid, sizeof(rep.fsid)) != 0 || rep.role != role ||
        rep.index != index) {
        snprintf(errmsg, errmsg_size,
                 "not the server the descriptor names (another ensemble "
                 "took its address?)");
        return PFS_ERR_CONFIG;
    }
    return PFS_OK;
}

void pfs_hello_release(pfs_hello_t *h)
{
    free(h->groups);
    h->groups = NULL;
}

pfs_status_t pfs_hello_call(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role,
                            int timeout_ms, const uint8_t *fsid,
                            pfs_role_t server_role, uint32_t index,
                            char *errmsg, size_t errmsg_size)
{
    pfs_hello_t *h = malloc(sizeof(*h));
    pfs_rpc_t *rpc;
    pfs_status_t st;

    if (h == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    (void)pfs_hello_post(tx, conn, key, role, timeout_ms, h);
    rpc = &h->rpc;
    if (!rpc->done) {
        (void)pfs_rpc_wait_all(tx, &rpc, 1);
    }
    st = pfs_hello_check(h, fsid, server_role, index, errmsg, errmsg_size);
    pfs_hello_release(h);
    free(h);
    return st;
}
