/* pfs_hostile_util.c - what pfs_hostile's modes share: random bytes,
 * connecting and greeting, one call, capabilities from the MDS, the
 * local-access socket. */
#include "config.h"

#include <getopt.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "ensemble.h"
#include "hello.h"
#include "local.h"
#include "proto.h"
#include "sio.h"
#include "transport.h"
#include "wire.h"

#include "pfs_hostile.h"

uint64_t rnd_state = 0x9e3779b97f4a7c15u;

uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

void rnd_fill(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)rnd();
    }
}

pfs_status_t hconnect(hostile_t *h, const char *addr, pfs_tx_conn_t **conn_p)
{
    pfs_status_t st;

    if (h->nconns == h->conns_cap) {
        size_t cap = h->conns_cap > 0 ? 2 * h->conns_cap : 16;
        pfs_tx_conn_t **c = realloc(h->conns, cap * sizeof(*c));

        if (c == NULL) {
            return PFS_ERR_NOMEM;
        }
        h->conns = c;
        h->conns_cap = cap;
    }
    st = pfs_tx_connect(h->tx, addr, conn_p);
    if (st == PFS_OK) {
        h->conns[h->nconns++] = *conn_p;
    }
    return st;
}

void hdisconnect(hostile_t *h, pfs_tx_conn_t *conn)
{
    size_t i;

    for (i = 0; i < h->nconns; i++) {
        if (h->conns[i] == conn) {
            h->conns[i] = h->conns[--h->nconns];
            break;
        }
    }
    pfs_tx_disconnect(h->tx, conn);
}

void hdisconnect_all(hostile_t *h)
{
    while (h->nconns > 0) {
        pfs_tx_disconnect(h->tx, h->conns[--h->nconns]);
    }
    free(h->conns);
    h->conns = NULL;
    h->conns_cap = 0;
}

int connect_to(hostile_t *h, pfs_tx_conn_t **conn_p)
{
    if (hconnect(h, h->srv->addr, conn_p) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: cannot connect to %s\n", h->srv->addr);
        return -1;
    }
    return 0;
}

pfs_status_t greet_server(hostile_t *h, pfs_tx_conn_t *conn, const uint8_t *key,
                          const pfs_server_info_t *srv)
{
    char err[256];

    return pfs_hello_call(h->tx, conn, key, PFS_ROLE_CLIENT, 10000, h->ens.fsid,
                          srv->role, srv->index, err, sizeof(err));
}

pfs_status_t greet(hostile_t *h, pfs_tx_conn_t *conn, const uint8_t *key)
{
    return greet_server(h, conn, key, h->srv);
}

/* One request with body and payload, waited for; its status. */
pfs_status_t call(hostile_t *h, pfs_tx_conn_t *conn, uint16_t opcode,
                  const void *body, size_t body_len, const void *data,
                  size_t data_len)
{
    static uint8_t sink[1 << 20];
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    pfs_status_t st;

    if (rpc == NULL) {
        return PFS_ERR_NOMEM;
    }
    rpc->opcode = opcode;
    rpc->body = body;
    rpc->body_len = body_len;
    rpc->send_data = data;
    rpc->send_len = data_len;
    rpc->recv_data = sink;
    rpc->recv_cap = sizeof(sink);
    rpc->timeout_ms = 10000;
    pfs_rpc_post(h->tx, conn, rpc);
    st = pfs_rpc_wait_all(h->tx, &rpc, 1);
    free(rpc);
    return st;
}

int status_ok(hostile_t *h, pfs_tx_conn_t *conn)
{
    return call(h, conn, PFS_OP_STATUS, NULL, 0, NULL, 0) == PFS_OK;
}

/* ---- capabilities from the MDS, as an honest client gets them --------- */

/* CREATE (create != 0) or LOOKUP path on the MDS with access
 * (PFS_ACCESS_*): the file's attributes and capability.  spec: the
 * layout asked for (may be NULL).  The status. */
pfs_status_t get_cap(hostile_t *h, const char *path, int create,
                     uint32_t access, const pfs_layout_spec_t *spec,
                     pfs_attr_t *attr_p, pfs_cap_t *cap_p)
{
    static pfs_path_req_t m;
    static uint8_t body[PFS_PATH_REQ_MAX];
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    pfs_tx_conn_t *conn = NULL;
    size_t len;
    int has = 0;
    pfs_status_t st;

    if (rpc == NULL) {
        return PFS_ERR_NOMEM;
    }
    memset(&m, 0, sizeof(m));
    snprintf(m.path, sizeof(m.path), "%s", path);
    m.mode = 0644;
    m.flags = access;
    if (spec != NULL) {
        m.layout = *spec;
    }
    st = hconnect(h, h->ens.mds.addr, &conn);
    if (st == PFS_OK) {
        st = greet_server(h, conn, h->ens.key, &h->ens.mds);
    }
    if (st == PFS_OK) {
        st = pfs_proto_path_req_encode(body, sizeof(body), &m, &len);
    }
    if (st == PFS_OK) {
        rpc->opcode = create ? PFS_OP_MDS_CREATE : PFS_OP_MDS_LOOKUP;
        rpc->body = body;
        rpc->body_len = len;
        rpc->timeout_ms = 10000;
        pfs_rpc_post(h->tx, conn, rpc);
        st = pfs_rpc_wait_all(h->tx, &rpc, 1);
    }
    if (st == PFS_OK &&
        (pfs_proto_attr_cap_decode(rpc->reply, rpc->reply_len, attr_p, cap_p,
                                   &has) != PFS_OK ||
         !has)) {
        st = PFS_ERR_PROTO;
    }
    if (conn != NULL) {
        hdisconnect(h, conn);
    }
    free(rpc);
    return st;
}

/* ---- the local-access socket ----------------------------------------------
 */

int local_connect(hostile_t *h)
{
    struct sockaddr_un sa;
    socklen_t len;
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    pfs_local_sockaddr(h->ens.key, h->srv->index, &sa, &len);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, len) != 0) {
        if (s >= 0) {
            close(s);
        }
        return -1;
    }
    return s;
}
