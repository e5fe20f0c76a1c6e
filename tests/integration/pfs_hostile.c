/* pfs_hostile.c - a client that misbehaves on purpose, speaking the pfs
 * protocol directly (no libpio), for the tests that show a server keeps
 * serving everybody else, loses nothing and says one clear line.
 *
 *   pfs_hostile MODE [-e DESCRIPTOR] [-s SERVER] [-n N] [-t SECONDS]
 *
 * SERVER: "mds" or an I/O server index (default mds).  Modes:
 *   hold      open N connections and never say hello; report after
 *             SECONDS how many the server closed ("closed K of N")
 *   badkey    hello with a wrong key: must be refused (AUTH: the server's
 *             proof does not check out), and a request after it too
 *   nohello   a request before hello: must be refused (AUTH)
 *   garbage   after a good hello, N rounds of malformed messages
 *             (headers with bad magic, version, lengths and opcodes;
 *             every opcode with random, truncated and over-long bodies;
 *             bad run lists and payloads), each round followed by a
 *             STATUS that must be answered on the same connection
 *   flood     after a good hello, N requests posted without waiting for
 *             any reply; reports how many were answered and whether the
 *             server closed the connection
 *   noread    after a good hello, N reads of 64 MiB each from an I/O
 *             server, then SECONDS without receiving anything (the
 *             replies wait on the server), then exit
 *   local     the local-access socket of I/O server SERVER: N rounds of
 *             garbage datagrams, truncated and over-long requests,
 *             tampered capabilities, other files' ids and unknown flags,
 *             each on a new connection, then a
 *             good request that must get a descriptor
 *   localhold N connections to the local-access socket held SECONDS, then
 *             a good request on a new connection (answered, or refused
 *             when the slots are full: never a hang)
 *   replay    HELLO attacks: a recorded HELLO replayed on its connection
 *             and on a new one (after a fresh challenge), without a
 *             challenge, modified (uid), proved with a wrong key: all
 *             refused (AUTH); honest ones accepted
 *   caps      capabilities at I/O server SERVER and the MDS (two I/O
 *             servers): a made-up one knowing only a file id, file A's
 *             for file B, a read-only one for writing, tampered ones,
 *             one at a server outside the layout: all refused; the
 *             honest uses and a renewal work
 *   expired   a capability used SECONDS later (past the MDS's
 *             --cap-lifetime): refused as expired; renewed, accepted
 *   steal     another user's file -f PATH at I/O server SERVER: its id
 *             from a stat, then reads by id and local-access descriptors
 *             with the stat-only capability and made-up ones: refused
 * Exit status: 0 if the server behaved as it must, 1 if not, 2 usage.
 */
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

typedef struct {
    pfs_tx_t *tx;
    pfs_ensemble_t ens;
    const pfs_server_info_t *srv;
    int n;
    int seconds;
    pfs_cap_t local_cap; /* local modes: for the good requests */
} hostile_t;

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static void rnd_fill(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)rnd();
    }
}

static int connect_to(hostile_t *h, pfs_tx_conn_t **conn_p)
{
    if (pfs_tx_connect(h->tx, h->srv->addr, conn_p) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: cannot connect to %s\n", h->srv->addr);
        return -1;
    }
    return 0;
}

static pfs_status_t greet_server(hostile_t *h, pfs_tx_conn_t *conn,
                                 const uint8_t *key,
                                 const pfs_server_info_t *srv)
{
    char err[256];

    return pfs_hello_call(h->tx, conn, key, PFS_ROLE_CLIENT, 10000, h->ens.fsid,
                          srv->role, srv->index, err, sizeof(err));
}

static pfs_status_t greet(hostile_t *h, pfs_tx_conn_t *conn, const uint8_t *key)
{
    return greet_server(h, conn, key, h->srv);
}

/* One request with body and payload, waited for; its status. */
static pfs_status_t call(hostile_t *h, pfs_tx_conn_t *conn, uint16_t opcode,
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

static int status_ok(hostile_t *h, pfs_tx_conn_t *conn)
{
    return call(h, conn, PFS_OP_STATUS, NULL, 0, NULL, 0) == PFS_OK;
}

static int mode_hold(hostile_t *h)
{
    pfs_tx_conn_t **conns = calloc((size_t)h->n, sizeof(*conns));
    uint64_t until = pfs_now_ms() + 1000u * (uint64_t)h->seconds;
    int i, closed = 0;

    if (conns == NULL) {
        return 1;
    }
    for (i = 0; i < h->n; i++) {
        if (connect_to(h, &conns[i]) != 0) {
            return 1;
        }
    }
    while (pfs_now_ms() < until) {
        if (pfs_tx_progress(h->tx) == 0) {
            pfs_tx_sleep(h->tx, 100);
        }
    }
    for (i = 0; i < h->n; i++) {
        closed += pfs_tx_conn_broken(conns[i]) != 0;
    }
    printf("hold: the server closed %d of %d connections that never said "
           "hello\n",
           closed, h->n);
    for (i = 0; i < h->n; i++) {
        pfs_tx_disconnect(h->tx, conns[i]);
    }
    free(conns);
    return 0;
}

static int mode_badkey(hostile_t *h)
{
    uint8_t key[PFS_PROTO_KEY_SIZE];
    pfs_tx_conn_t *conn;
    pfs_status_t st1, st2;

    if (connect_to(h, &conn) != 0) {
        return 1;
    }
    memcpy(key, h->ens.key, sizeof(key));
    key[7] ^= 0x40;
    st1 = greet(h, conn, key);
    st2 = call(h, conn, PFS_OP_STATUS, NULL, 0, NULL, 0);
    printf("badkey: hello %s, then status %s\n", pfs_status_string(st1),
           pfs_status_string(st2));
    pfs_tx_disconnect(h->tx, conn);
    return st1 == PFS_ERR_AUTH && st2 == PFS_ERR_AUTH ? 0 : 1;
}

static int mode_nohello(hostile_t *h)
{
    pfs_tx_conn_t *conn;
    static uint8_t body[PFS_CAP_MAX];
    static pfs_cap_t cap = {{1, 2}, PFS_CAP_READ, 0, 0, 0, {0}, {0}};
    size_t len;
    pfs_status_t st1, st2;

    if (connect_to(h, &conn) != 0 ||
        pfs_proto_cap_encode(body, sizeof(body), &cap, &len) != PFS_OK) {
        return 1;
    }
    st1 = call(h, conn, PFS_OP_STATUS, NULL, 0, NULL, 0);
    st2 = call(h, conn,
               h->srv->role == PFS_ROLE_MDS ? PFS_OP_MDS_STAT : PFS_OP_IO_SIZE,
               body, len, NULL, 0);
    printf("nohello: status %s, %s %s\n", pfs_status_string(st1),
           h->srv->role == PFS_ROLE_MDS ? "stat" : "size",
           pfs_status_string(st2));
    pfs_tx_disconnect(h->tx, conn);
    return st1 == PFS_ERR_AUTH && st2 == PFS_ERR_AUTH ? 0 : 1;
}

/* A header for a raw message. */
static void raw_hdr(uint8_t *out, uint16_t opcode, uint32_t body_len,
                    uint64_t data_len)
{
    pfs_msg_hdr_t hdr;

    memset(&hdr, 0, sizeof(hdr));
    hdr.opcode = opcode;
    hdr.req_id = rnd();
    hdr.body_len = body_len;
    hdr.data_len = data_len;
    pfs_proto_hdr_pack(&hdr, out);
}

/* A valid body for opcode (what a correct client would send), so that
 * cutting it or appending to it makes a near miss. */
static size_t valid_body(hostile_t *h, uint16_t opcode, uint8_t *buf,
                         size_t cap_len)
{
    static pfs_path_req_t path;
    static pfs_rename_req_t ren;
    static pfs_setattr_req_t sa;
    static pfs_readdir_req_t rd;
    static pfs_fp_req_t fp;
    static pfs_io_req_t io;
    static pfs_cap_t cap;
    size_t len = 0;
    pfs_status_t st = PFS_OK;

    /* a capability of the right shape: its MAC is a guess */
    cap.fid.hi = (uint64_t)h->n;
    cap.fid.lo = 7;
    cap.rights = PFS_CAP_READ | PFS_CAP_WRITE;
    cap.expiry_ms = UINT64_MAX;
    cap.nservers = 1;
    rnd_fill(cap.mac, sizeof(cap.mac));
    fp.cap = cap;
    fp.value = 3;
    io.cap = cap;
    io.offset = 4096;
    switch (opcode) {
    case PFS_OP_MDS_CREATE:
    case PFS_OP_MDS_LOOKUP:
    case PFS_OP_MDS_UNLINK:
    case PFS_OP_MDS_MKDIR:
    case PFS_OP_MDS_RMDIR:
    case PFS_OP_MDS_SET_DIR_LAYOUT:
    case PFS_OP_MDS_GET_DIR_LAYOUT:
        snprintf(path.path, sizeof(path.path), "/hostile-%u",
                 (unsigned)(rnd() % 1000));
        path.layout.nservers = (uint32_t)(rnd() % 3);
        st = pfs_proto_path_req_encode(buf, cap_len, &path, &len);
        break;
    case PFS_OP_MDS_RENAME:
        snprintf(ren.from, sizeof(ren.from), "/a");
        snprintf(ren.to, sizeof(ren.to), "/b");
        st = pfs_proto_rename_req_encode(buf, cap_len, &ren, &len);
        break;
    case PFS_OP_MDS_SETATTR:
        snprintf(sa.path, sizeof(sa.path), "/x");
        sa.mask = PFS_SETATTR_MODE;
        sa.mode = 0644;
        st = pfs_proto_setattr_req_encode(buf, cap_len, &sa, &len);
        break;
    case PFS_OP_MDS_READDIR:
        snprintf(rd.path, sizeof(rd.path), "/");
        rd.max = 16;
        st = pfs_proto_readdir_req_encode(buf, cap_len, &rd, &len);
        break;
    case PFS_OP_MDS_FP_FETCH_ADD:
    case PFS_OP_MDS_FP_SET:
        st = pfs_proto_fp_req_encode(buf, cap_len, &fp, &len);
        break;
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC:
        st = pfs_proto_io_req_encode(buf, cap_len, &io, &len);
        break;
    case PFS_OP_MDS_STAT:
    case PFS_OP_IO_SIZE:
    case PFS_OP_IO_REMOVE:
    case PFS_OP_IO_FSYNC:
    case PFS_OP_IO_WRITEV:
    case PFS_OP_IO_READV:
        st = pfs_proto_cap_encode(buf, cap_len, &cap, &len);
        break;
    default: len = 0;
    }
    return st == PFS_OK ? len : 0;
}

/* A run list for WRITEV/READV: sometimes valid, mostly broken. */
static size_t run_payload(uint8_t *buf, size_t cap)
{
    pfs_wbuf_t w;
    uint32_t n = (uint32_t)(rnd() % 4), i;
    size_t len = 0;

    switch (rnd() % 6) {
    case 0: /* a count that claims more runs than follow */
        n = (uint32_t)rnd();
        break;
    case 1: n = PFS_SIO_MAX_RUNS + 1; break;
    default: break;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32(&w, n);
    for (i = 0; i < n && i < 8; i++) {
        uint64_t pick = rnd() % 5;

        pfs_wbuf_u64(&w,
                     pick == 0 ? UINT64_MAX - (rnd() % 100) : rnd() % 65536);
        pfs_wbuf_u64(
            &w, pick == 1 ? 0 : (pick == 2 ? UINT64_MAX : 1 + rnd() % 4096));
        pfs_wbuf_u64(&w, pick == 3 ? UINT64_MAX : 1 + rnd() % 8);
        pfs_wbuf_u64(&w, pick == 4 ? UINT64_MAX : rnd() % 100000);
    }
    if (pfs_wbuf_finish(&w, &len) != PFS_OK) {
        len = cap;
    }
    /* random data after the runs: the payload size rarely matches */
    if (len < cap && rnd() % 2) {
        size_t extra = rnd() % (cap - len);

        rnd_fill(buf + len, extra);
        len += extra;
    }
    return len;
}

static int mode_garbage(hostile_t *h)
{
    static const uint16_t ops[] = {PFS_OP_HELLO,
                                   PFS_OP_STATUS,
                                   PFS_OP_MDS_CREATE,
                                   PFS_OP_MDS_LOOKUP,
                                   PFS_OP_MDS_STAT,
                                   PFS_OP_MDS_UNLINK,
                                   PFS_OP_MDS_MKDIR,
                                   PFS_OP_MDS_READDIR,
                                   PFS_OP_MDS_RMDIR,
                                   PFS_OP_MDS_RENAME,
                                   PFS_OP_MDS_FP_FETCH_ADD,
                                   PFS_OP_MDS_FP_SET,
                                   PFS_OP_MDS_SET_DIR_LAYOUT,
                                   PFS_OP_MDS_GET_DIR_LAYOUT,
                                   PFS_OP_MDS_SETATTR,
                                   PFS_OP_IO_SIZE,
                                   PFS_OP_IO_REMOVE,
                                   PFS_OP_IO_FSYNC,
                                   PFS_OP_IO_WRITEV,
                                   PFS_OP_IO_READV,
                                   PFS_OP_IO_TRUNCATE,
                                   PFS_OP_IO_PREALLOC,
                                   PFS_OP_IO_STATFS,
                                   PFS_OP_CHALLENGE,
                                   5,
                                   32,
                                   33,
                                   63};
    size_t cap = PFS_PROTO_HDR_SIZE + PFS_PROTO_MAX_BODY + 256;
    uint8_t *msg = malloc(cap), *data = malloc(1 << 16);
    pfs_tx_conn_t *conn;
    int round, k, bad = 0, sent = 0;

    if (msg == NULL || data == NULL || connect_to(h, &conn) != 0) {
        return 1;
    }
    if (greet(h, conn, h->ens.key) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: the good hello failed\n");
        return 1;
    }
    for (round = 0; round < h->n; round++) {
        for (k = 0; k < 16; k++) {
            uint16_t op = ops[rnd() % PFS_ARRAY_SIZE(ops)];
            uint8_t *body = msg + PFS_PROTO_HDR_SIZE;
            size_t blen = 0, dlen = 0, hlen;

            switch (rnd() % 7) {
            case 0: /* random body */
                blen = rnd() % 300;
                rnd_fill(body, blen);
                break;
            case 1: /* a valid body cut short */
                blen = valid_body(h, op, body, PFS_PROTO_MAX_BODY);
                blen = blen > 0 ? rnd() % blen : 0;
                break;
            case 2: /* a valid body with bytes after it */
                blen = valid_body(h, op, body, PFS_PROTO_MAX_BODY);
                rnd_fill(body + blen, 1 + rnd() % 16);
                blen += 1 + rnd() % 16;
                blen = blen > PFS_PROTO_MAX_BODY ? PFS_PROTO_MAX_BODY : blen;
                break;
            case 3: /* a valid body with a corrupted byte */
                blen = valid_body(h, op, body, PFS_PROTO_MAX_BODY);
                if (blen > 0) {
                    body[rnd() % blen] ^= (uint8_t)(1 + rnd() % 255);
                }
                break;
            case 4: /* structured I/O with a bad run list */
                op = rnd() % 2 ? PFS_OP_IO_WRITEV : PFS_OP_IO_READV;
                blen = valid_body(h, op, body, PFS_PROTO_MAX_BODY);
                dlen = run_payload(data, 1 << 16);
                break;
            case 5: /* the largest body the header allows, all garbage */
                blen = PFS_PROTO_MAX_BODY;
                rnd_fill(body, blen);
                break;
            default: /* a valid body and a payload nobody asked for */
                blen = valid_body(h, op, body, PFS_PROTO_MAX_BODY);
                dlen = 1 + rnd() % 4096;
                rnd_fill(data, dlen);
                break;
            }
            raw_hdr(msg, op, (uint32_t)blen, dlen);
            hlen = PFS_PROTO_HDR_SIZE + blen;
            switch (rnd() % 8) {
            case 0: /* bad magic */ msg[rnd() % 4] ^= 0x5a; break;
            case 1: /* another protocol version */
                msg[4] ^= (uint8_t)(1 + rnd() % 200);
                break;
            case 2: /* a body length that is not the body's */
                pfs_put_le(msg + 20, blen + 1 + rnd() % 100000, 4);
                break;
            case 3: /* a payload length that is not the payload's */
                pfs_put_le(msg + 24, rnd(), 8);
                break;
            case 4: /* a header cut short */
                hlen = rnd() % PFS_PROTO_HDR_SIZE;
                break;
            case 5: /* an opcode out of range */
                pfs_put_le(msg + 6, PFS_OP_MAX_ + rnd() % 1000, 2);
                break;
            default: break;
            }
            if (pfs_tx_send_raw(h->tx, conn, msg, hlen, dlen > 0 ? data : NULL,
                                dlen, 10000) != PFS_OK) {
                fprintf(stderr,
                        "pfs_hostile: round %d: the connection broke "
                        "while sending\n",
                        round);
                return 1;
            }
            sent++;
        }
        if (!status_ok(h, conn)) {
            bad++;
            fprintf(stderr,
                    "pfs_hostile: round %d: no status after the "
                    "garbage\n",
                    round);
            break;
        }
    }
    printf("garbage: %d malformed messages sent, the server answered a "
           "status after every round: %s\n",
           sent, bad == 0 ? "yes" : "no");
    pfs_tx_disconnect(h->tx, conn);
    free(msg);
    free(data);
    return bad == 0 ? 0 : 1;
}

static int mode_flood(hostile_t *h)
{
    pfs_rpc_t *rpcs = calloc((size_t)h->n, sizeof(*rpcs));
    pfs_rpc_t **ptrs = calloc((size_t)h->n, sizeof(*ptrs));
    pfs_tx_conn_t *conn;
    int i, ok = 0, conn_err = 0, other = 0;

    if (rpcs == NULL || ptrs == NULL || connect_to(h, &conn) != 0) {
        return 1;
    }
    if (greet(h, conn, h->ens.key) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: the good hello failed\n");
        return 1;
    }
    for (i = 0; i < h->n; i++) {
        rpcs[i].opcode = PFS_OP_STATUS;
        rpcs[i].timeout_ms = 60000;
        ptrs[i] = &rpcs[i];
        pfs_rpc_post(h->tx, conn, &rpcs[i]);
    }
    (void)pfs_rpc_wait_all(h->tx, ptrs, (size_t)h->n);
    for (i = 0; i < h->n; i++) {
        if (rpcs[i].status == PFS_OK) {
            ok++;
        } else if (rpcs[i].status == PFS_ERR_CONN) {
            conn_err++;
        } else {
            other++;
        }
    }
    printf("flood: %d requests posted at once: %d answered, %d failed "
           "because the server closed the connection, %d other errors\n",
           h->n, ok, conn_err, other);
    pfs_tx_disconnect(h->tx, conn);
    free(ptrs);
    free(rpcs);
    return other == 0 ? 0 : 1;
}

/* ---- capabilities from the MDS, as an honest client gets them --------- */

/* CREATE (create != 0) or LOOKUP path on the MDS with access
 * (PFS_ACCESS_*): the file's attributes and capability.  spec: the
 * layout asked for (may be NULL).  The status. */
static pfs_status_t get_cap(hostile_t *h, const char *path, int create,
                            uint32_t access, const pfs_layout_spec_t *spec,
                            pfs_attr_t *attr_p, pfs_cap_t *cap_p)
{
    static pfs_path_req_t m;
    static uint8_t body[PFS_PATH_REQ_MAX];
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    pfs_tx_conn_t *conn;
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
    st = pfs_tx_connect(h->tx, h->ens.mds.addr, &conn);
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
    free(rpc);
    return st;
}

static int mode_noread(hostile_t *h)
{
    pfs_run_t run = {0, 64u << 20, 1, 0};
    static uint8_t body[PFS_CAP_MAX], runs[64];
    static pfs_attr_t attr;
    static pfs_cap_t cap;
    static pfs_layout_spec_t spec;
    pfs_rpc_t *rpcs = calloc((size_t)h->n, sizeof(*rpcs));
    void *sink = malloc(64u << 20);
    pfs_tx_conn_t *conn;
    size_t len;
    int i;

    char path[64];

    snprintf(path, sizeof(path), "/hostile-noread-%u", h->srv->index);
    spec.nservers = 1;
    spec.servers[0] = h->srv->index;
    if (rpcs == NULL || sink == NULL || connect_to(h, &conn) != 0 ||
        get_cap(h, path, 1, PFS_ACCESS_READ, &spec, &attr, &cap) != PFS_OK ||
        pfs_proto_cap_encode(body, sizeof(body), &cap, &len) != PFS_OK ||
        pfs_sio_runs_encode(&run, 1, runs) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: no capability for the reads\n");
        return 1;
    }
    if (greet(h, conn, h->ens.key) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: the good hello failed\n");
        return 1;
    }
    for (i = 0; i < h->n; i++) {
        rpcs[i].opcode = PFS_OP_IO_READV;
        rpcs[i].body = body;
        rpcs[i].body_len = len;
        rpcs[i].send_data = runs;
        rpcs[i].send_len = pfs_sio_runs_size(1);
        rpcs[i].recv_data = sink;
        rpcs[i].recv_cap = 64u << 20;
        rpcs[i].timeout_ms = 0;
        pfs_rpc_post(h->tx, conn, &rpcs[i]);
    }
    /* flush the requests out, then stop taking anything */
    for (i = 0; i < 50; i++) {
        pfs_tx_progress(h->tx);
        usleep(1000);
    }
    printf("noread: %d reads of 64 MiB posted; not receiving for %d s\n", h->n,
           h->seconds);
    fflush(stdout);
    sleep((unsigned)h->seconds);
    _exit(0); /* like a process that is killed: no clean-up */
}

/* ---- the local-access socket ----------------------------------------------
 */

static int local_connect(hostile_t *h)
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

/* A capability for a file of this server's, for the good requests. */
static int local_cap_get(hostile_t *h)
{
    static pfs_layout_spec_t spec;
    static pfs_attr_t attr;
    char path[64];

    /* one file per server: a file's layout names its server */
    snprintf(path, sizeof(path), "/hostile-local-%u", h->srv->index);
    spec.nservers = 1;
    spec.servers[0] = h->srv->index;
    if (get_cap(h, path, 1, PFS_ACCESS_READ | PFS_ACCESS_WRITE, &spec, &attr,
                &h->local_cap) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: no capability from the MDS\n");
        return -1;
    }
    return 0;
}

/* One good request on a new connection: 1 if it got a descriptor, 0 if
 * it was refused or the connection closed, -1 if the answer never came. */
static int local_good(hostile_t *h)
{
    static pfs_local_req_t req;
    static uint8_t buf[PFS_LOCAL_REQ_MAX];
    uint8_t rep[PFS_LOCAL_REP_MAX];
    struct pollfd pf;
    pfs_status_t st;
    size_t len;
    ssize_t n;
    int s = local_connect(h), fd = -1, got;

    if (s < 0) {
        return 0;
    }
    memset(&req, 0, sizeof(req));
    req.cap = h->local_cap;
    req.flags = PFS_LOCAL_WRITE;
    if (pfs_local_req_encode(&req, buf, &len) != PFS_OK ||
        pfs_local_send(s, buf, len, -1) != 0) {
        close(s);
        return 0;
    }
    pf.fd = s;
    pf.events = POLLIN;
    if (poll(&pf, 1, 10000) != 1) {
        close(s);
        return -1;
    }
    n = pfs_local_recv(s, rep, sizeof(rep), &fd);
    got = n > 0 &&
          pfs_local_rep_decode(rep, (size_t)n, &st, NULL, 0) == PFS_OK &&
          st == PFS_OK && fd >= 0;
    if (fd >= 0) {
        close(fd);
    }
    close(s);
    return got;
}

static int mode_local(hostile_t *h)
{
    static uint8_t buf[4096];
    static pfs_local_req_t req;
    uint8_t rep[PFS_LOCAL_REP_MAX];
    int round, kind, s, fd, good;

    if (local_cap_get(h) != 0) {
        return 1;
    }
    for (round = 0; round < h->n; round++) {
        size_t len, full;

        s = local_connect(h);
        if (s < 0) {
            fprintf(stderr, "pfs_hostile: no local-access socket\n");
            return 1;
        }
        memset(&req, 0, sizeof(req));
        req.cap = h->local_cap;
        kind = (int)(rnd() % 7);
        if (kind == 0) {
            req.cap.mac[rnd() % sizeof(req.cap.mac)] ^= 1; /* tampered */
        } else if (kind == 1) {
            req.flags = 0x80; /* unknown flag */
        } else if (kind == 6) {
            req.cap.fid.lo ^= 1 + rnd() % 1000; /* another file's id */
        }
        if (pfs_local_req_encode(&req, buf, &full) != PFS_OK) {
            return 1;
        }
        len = full;
        if (kind == 2) {
            len = rnd() % full; /* truncated */
        } else if (kind == 3) {
            len = full + 1 + rnd() % 1000; /* over-long */
            rnd_fill(buf + full, len - full);
        } else if (kind == 4) {
            len = 1 + rnd() % sizeof(buf);
            rnd_fill(buf, len); /* garbage */
        } else if (kind == 5) {
            buf[rnd() % 8] ^= 0x10; /* magic or version */
        }
        /* garbage gets an error answer or a closed connection, never a
         * descriptor */
        if (send(s, buf, len, MSG_NOSIGNAL) >= 0) {
            struct pollfd pf = {s, POLLIN, 0};

            if (poll(&pf, 1, 10000) != 1) {
                fprintf(stderr,
                        "pfs_hostile: local round %d: no answer, "
                        "no close\n",
                        round);
                return 1;
            }
            fd = -1;
            if (pfs_local_recv(s, rep, sizeof(rep), &fd) > 0 && fd >= 0) {
                fprintf(stderr,
                        "pfs_hostile: local round %d (kind %d): a "
                        "descriptor for a bad request\n",
                        round, kind);
                return 1;
            }
        }
        close(s);
    }
    good = local_good(h);
    printf("local: %d bad requests refused; a good one afterwards %s\n", h->n,
           good == 1 ? "got its descriptor" : "failed");
    return good == 1 ? 0 : 1;
}

static int mode_localhold(hostile_t *h)
{
    int *socks = calloc((size_t)h->n, sizeof(int)), i, open_n = 0, good;

    if (socks == NULL || local_cap_get(h) != 0) {
        return 1;
    }
    for (i = 0; i < h->n; i++) {
        socks[i] = local_connect(h);
        open_n += socks[i] >= 0;
    }
    sleep((unsigned)h->seconds);
    good = local_good(h);
    printf("localhold: %d connections held for %d s; a good request then "
           "%s\n",
           open_n, h->seconds,
           good == 1   ? "got its descriptor"
           : good == 0 ? "was refused (slots full)"
                       : "hung");
    for (i = 0; i < h->n; i++) {
        if (socks[i] >= 0) {
            close(socks[i]);
        }
    }
    free(socks);
    /* with the slots free again, a good request works */
    if (good != -1) {
        good = local_good(h);
        printf("localhold: after closing them, a good request %s\n",
               good == 1 ? "got its descriptor" : "failed");
    }
    return good == 1 ? 0 : 1;
}

/* ---- security: HELLO replays and capabilities (security.sh) ---------- */

/* A CHALLENGE on conn: the reply decoded, the server's proof checked
 * against key (hello_key: the derived HELLO key).  0 or -1. */
static int sec_challenge(hostile_t *h, pfs_tx_conn_t *conn,
                         const uint8_t *nonce, pfs_challenge_rep_t *rep)
{
    uint8_t body[PFS_CHALLENGE_REQ_MAX], key[PFS_AUTH_KEY_SIZE];
    uint8_t proof[PFS_AUTH_MAC_SIZE];
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    size_t len;
    int rc = -1;

    if (rpc != NULL && pfs_proto_challenge_req_encode(body, sizeof(body), nonce,
                                                      &len) == PFS_OK) {
        rpc->opcode = PFS_OP_CHALLENGE;
        rpc->body = body;
        rpc->body_len = len;
        rpc->timeout_ms = 10000;
        pfs_rpc_post(h->tx, conn, rpc);
        if (pfs_rpc_wait_all(h->tx, &rpc, 1) == PFS_OK &&
            pfs_proto_challenge_rep_decode(rpc->reply, rpc->reply_len, rep) ==
                PFS_OK &&
            pfs_auth_hello_key(h->ens.key, key) == PFS_OK &&
            pfs_auth_server_proof(key, nonce, rep->nonce, rep->role, rep->index,
                                  rep->fsid, proof) == PFS_OK &&
            pfs_auth_equal(proof, rep->proof, sizeof(proof))) {
            rc = 0;
        }
    }
    free(rpc);
    return rc;
}

/* The HELLO body an honest client would send after rep, made with
 * cluster key `key`, into body (PFS_HELLO_REQ_MAX bytes); no groups. */
static int sec_hello_body(hostile_t *h, const uint8_t *key,
                          const uint8_t *nonce, const pfs_challenge_rep_t *rep,
                          uint8_t *body)
{
    uint8_t hk[PFS_AUTH_KEY_SIZE];
    pfs_hello_req_t m;
    size_t len;

    (void)h;
    memset(&m, 0, sizeof(m));
    m.role = PFS_ROLE_CLIENT;
    m.pid = (uint32_t)getpid();
    m.cred.uid = (uint32_t)getuid();
    m.cred.gid = (uint32_t)getgid();
    if (pfs_proto_hello_req_encode(body, PFS_HELLO_REQ_MAX, &m, &len) !=
            PFS_OK ||
        pfs_auth_hello_key(key, hk) != PFS_OK ||
        pfs_auth_client_proof(hk, nonce, rep->nonce, rep->role, rep->index,
                              rep->fsid, body, PFS_HELLO_SIGNED_LEN, NULL, 0,
                              m.proof) != PFS_OK ||
        pfs_proto_hello_req_encode(body, PFS_HELLO_REQ_MAX, &m, &len) !=
            PFS_OK) {
        return -1;
    }
    return 0;
}

static int sec_failures;

static void sec_expect(const char *what, pfs_status_t got, pfs_status_t want)
{
    printf("%s: %s: %s\n", got == want ? "ok" : "FAILED", what,
           pfs_status_string(got));
    if (got != want) {
        printf("    (expected: %s)\n", pfs_status_string(want));
        sec_failures++;
    }
}

static int mode_replay(hostile_t *h)
{
    uint8_t nonce[PFS_NONCE_SIZE], captured[PFS_HELLO_REQ_MAX];
    uint8_t body[PFS_HELLO_REQ_MAX], wrong[PFS_PROTO_KEY_SIZE];
    pfs_challenge_rep_t rep;
    pfs_tx_conn_t *c1, *c2, *c3, *c4, *c5, *c6;

    memset(nonce, 0x6e, sizeof(nonce));
    if (connect_to(h, &c1) != 0 || connect_to(h, &c2) != 0 ||
        connect_to(h, &c3) != 0 || connect_to(h, &c4) != 0 ||
        connect_to(h, &c5) != 0 || connect_to(h, &c6) != 0) {
        return 1;
    }
    /* an honest exchange, recorded */
    if (sec_challenge(h, c1, nonce, &rep) != 0 ||
        sec_hello_body(h, h->ens.key, nonce, &rep, captured) != 0) {
        fprintf(stderr, "pfs_hostile: the server did not prove the key\n");
        return 1;
    }
    sec_expect("an honest hello",
               call(h, c1, PFS_OP_HELLO, captured, sizeof(captured), NULL, 0),
               PFS_OK);
    sec_expect("then a request on it",
               call(h, c1, PFS_OP_STATUS, NULL, 0, NULL, 0), PFS_OK);
    sec_expect("the same hello again on its connection",
               call(h, c1, PFS_OP_HELLO, captured, sizeof(captured), NULL, 0),
               PFS_ERR_AUTH);
    /* the recorded hello on a new connection, with the same client nonce
     * and a fresh challenge of the server's */
    if (sec_challenge(h, c2, nonce, &rep) != 0) {
        return 1;
    }
    sec_expect("the recorded hello replayed on a new connection",
               call(h, c2, PFS_OP_HELLO, captured, sizeof(captured), NULL, 0),
               PFS_ERR_AUTH);
    sec_expect("a request after the replay",
               call(h, c2, PFS_OP_STATUS, NULL, 0, NULL, 0), PFS_ERR_AUTH);
    sec_expect("the recorded hello without a challenge",
               call(h, c5, PFS_OP_HELLO, captured, sizeof(captured), NULL, 0),
               PFS_ERR_AUTH);
    /* a good hello with its uid changed to root's on the way */
    if (sec_challenge(h, c3, nonce, &rep) != 0 ||
        sec_hello_body(h, h->ens.key, nonce, &rep, body) != 0) {
        return 1;
    }
    body[5] = body[6] = body[7] = body[8] = 0; /* u32 uid after role, pid */
    body[5] = getuid() == 0 ? 1 : 0;
    sec_expect("a hello modified on the way (uid)",
               call(h, c3, PFS_OP_HELLO, body, sizeof(body), NULL, 0),
               PFS_ERR_AUTH);
    /* proof made with another key */
    memcpy(wrong, h->ens.key, sizeof(wrong));
    wrong[3] ^= 0x20;
    if (sec_challenge(h, c4, nonce, &rep) != 0 ||
        sec_hello_body(h, wrong, nonce, &rep, body) != 0) {
        return 1;
    }
    sec_expect("a hello proved with a wrong key",
               call(h, c4, PFS_OP_HELLO, body, sizeof(body), NULL, 0),
               PFS_ERR_AUTH);
    /* and the honest way still works */
    sec_expect("a new honest hello", greet(h, c6, h->ens.key), PFS_OK);
    sec_expect("then a request on it",
               call(h, c6, PFS_OP_STATUS, NULL, 0, NULL, 0), PFS_OK);
    pfs_tx_disconnect(h->tx, c1);
    pfs_tx_disconnect(h->tx, c2);
    pfs_tx_disconnect(h->tx, c3);
    pfs_tx_disconnect(h->tx, c4);
    pfs_tx_disconnect(h->tx, c5);
    pfs_tx_disconnect(h->tx, c6);
    printf("replay: %d failures\n", sec_failures);
    return sec_failures == 0 ? 0 : 1;
}

/* One data request with capability c to conn: READV or WRITEV of 4096
 * bytes at 0, or a body-only request (TRUNCATE/PREALLOC with offset). */
static pfs_status_t sec_io(hostile_t *h, pfs_tx_conn_t *conn, uint16_t op,
                           const pfs_cap_t *c)
{
    static uint8_t body[PFS_IO_REQ_MAX], payload[4096 + 64];
    static pfs_io_req_t io;
    pfs_run_t run = {0, 4096, 1, 0};
    size_t len, rlen = pfs_sio_runs_size(1);

    if (pfs_sio_runs_encode(&run, 1, payload) != PFS_OK) {
        return PFS_ERR_INTERNAL;
    }
    switch (op) {
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC:
        io.cap = *c;
        io.offset = 8192;
        io.length = 0;
        if (pfs_proto_io_req_encode(body, sizeof(body), &io, &len) != PFS_OK) {
            return PFS_ERR_INTERNAL;
        }
        return call(h, conn, op, body, len, NULL, 0);
    default:
        if (pfs_proto_cap_encode(body, sizeof(body), c, &len) != PFS_OK) {
            return PFS_ERR_INTERNAL;
        }
        if (op == PFS_OP_IO_WRITEV) {
            memset(payload + rlen, 'A', 4096);
            return call(h, conn, op, body, len, payload, rlen + 4096);
        }
        if (op == PFS_OP_IO_READV) {
            return call(h, conn, op, body, len, payload, rlen);
        }
        return call(h, conn, op, body, len, NULL, 0);
    }
}

/* A local-access descriptor request with c: the status. */
static pfs_status_t sec_local(hostile_t *h, const pfs_cap_t *c, int write)
{
    static pfs_local_req_t req;
    static uint8_t buf[PFS_LOCAL_REQ_MAX];
    uint8_t rep[PFS_LOCAL_REP_MAX];
    struct pollfd pf;
    pfs_status_t st = PFS_ERR_CONN;
    size_t len;
    int s = local_connect(h), fd = -1;

    if (s < 0) {
        return PFS_ERR_CONN;
    }
    req.cap = *c;
    req.flags = write ? PFS_LOCAL_WRITE : 0;
    pf.fd = s;
    pf.events = POLLIN;
    if (pfs_local_req_encode(&req, buf, &len) == PFS_OK &&
        pfs_local_send(s, buf, len, -1) == 0 && poll(&pf, 1, 10000) == 1) {
        ssize_t n = pfs_local_recv(s, rep, sizeof(rep), &fd);

        if (n <= 0 ||
            pfs_local_rep_decode(rep, (size_t)n, &st, NULL, 0) != PFS_OK) {
            st = PFS_ERR_CONN;
        } else if (st == PFS_OK && fd < 0) {
            st = PFS_ERR_PROTO;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    close(s);
    return st;
}

/* MDS STAT (renewal) or FP_FETCH_ADD with c. */
static pfs_status_t sec_mds(hostile_t *h, pfs_tx_conn_t *mds, uint16_t op,
                            const pfs_cap_t *c, pfs_cap_t *fresh_p)
{
    static uint8_t body[PFS_FP_REQ_MAX];
    static pfs_fp_req_t fp;
    static pfs_attr_t attr;
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    size_t len;
    int has = 0;
    pfs_status_t st;

    if (rpc == NULL) {
        return PFS_ERR_NOMEM;
    }
    fp.cap = *c;
    fp.value = 1;
    st = op == PFS_OP_MDS_STAT
             ? pfs_proto_cap_encode(body, sizeof(body), c, &len)
             : pfs_proto_fp_req_encode(body, sizeof(body), &fp, &len);
    if (st == PFS_OK) {
        rpc->opcode = op;
        rpc->body = body;
        rpc->body_len = len;
        rpc->timeout_ms = 10000;
        pfs_rpc_post(h->tx, mds, rpc);
        st = pfs_rpc_wait_all(h->tx, &rpc, 1);
    }
    if (st == PFS_OK && op == PFS_OP_MDS_STAT && fresh_p != NULL &&
        (pfs_proto_attr_cap_decode(rpc->reply, rpc->reply_len, &attr, fresh_p,
                                   &has) != PFS_OK ||
         !has)) {
        st = PFS_ERR_PROTO;
    }
    free(rpc);
    return st;
}

/* Capabilities at I/O server SERVER (-s; the ensemble needs a second I/O
 * server) and at the MDS. */
static int mode_caps(hostile_t *h)
{
    static pfs_layout_spec_t spec;
    static pfs_attr_t a, b;
    static pfs_cap_t ca, cb, cr, cs, t;
    const pfs_server_info_t *other =
        &h->ens.iosrv[(h->srv->index + 1) % h->ens.niosrv];
    pfs_tx_conn_t *conn, *oconn, *mds;
    char pa[64], pb[64];
    unsigned i;

    spec.nservers = 1;
    spec.servers[0] = h->srv->index;
    snprintf(pa, sizeof(pa), "/sec-a-%d", (int)getpid());
    snprintf(pb, sizeof(pb), "/sec-b-%d", (int)getpid());
    if (h->ens.niosrv < 2 || connect_to(h, &conn) != 0 ||
        greet(h, conn, h->ens.key) != PFS_OK ||
        pfs_tx_connect(h->tx, other->addr, &oconn) != PFS_OK ||
        greet_server(h, oconn, h->ens.key, other) != PFS_OK ||
        pfs_tx_connect(h->tx, h->ens.mds.addr, &mds) != PFS_OK ||
        greet_server(h, mds, h->ens.key, &h->ens.mds) != PFS_OK ||
        get_cap(h, pa, 1, PFS_ACCESS_READ | PFS_ACCESS_WRITE, &spec, &a, &ca) !=
            PFS_OK ||
        get_cap(h, pb, 1, PFS_ACCESS_READ | PFS_ACCESS_WRITE, &spec, &b, &cb) !=
            PFS_OK ||
        get_cap(h, pa, 0, PFS_ACCESS_READ, NULL, &a, &cr) != PFS_OK ||
        get_cap(h, pa, 0, 0, NULL, &a, &cs) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: set-up failed (two I/O servers?)\n");
        return 1;
    }
    sec_expect("write with file A's capability",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &ca), PFS_OK);
    sec_expect("read with file A's read-only capability",
               sec_io(h, conn, PFS_OP_IO_READV, &cr), PFS_OK);

    /* knowing only the file id: the rest made up */
    memset(&t, 0, sizeof(t));
    t.fid = a.fid;
    t.rights = PFS_CAP_READ | PFS_CAP_WRITE | PFS_CAP_STAT | PFS_CAP_REMOVE;
    t.expiry_ms = UINT64_MAX;
    t.nservers = 1;
    t.servers[0] = h->srv->index;
    sec_expect("fid only: read", sec_io(h, conn, PFS_OP_IO_READV, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: write", sec_io(h, conn, PFS_OP_IO_WRITEV, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: size", sec_io(h, conn, PFS_OP_IO_SIZE, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: fsync", sec_io(h, conn, PFS_OP_IO_FSYNC, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: truncate", sec_io(h, conn, PFS_OP_IO_TRUNCATE, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: preallocate", sec_io(h, conn, PFS_OP_IO_PREALLOC, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: remove", sec_io(h, conn, PFS_OP_IO_REMOVE, &t),
               PFS_ERR_CAP);
    sec_expect("fid only: local-access descriptor", sec_local(h, &t, 0),
               PFS_ERR_CAP);
    sec_expect("fid only: stat by id at the MDS",
               sec_mds(h, mds, PFS_OP_MDS_STAT, &t, NULL), PFS_ERR_CAP);
    sec_expect("fid only: shared file pointer at the MDS",
               sec_mds(h, mds, PFS_OP_MDS_FP_FETCH_ADD, &t, NULL), PFS_ERR_CAP);

    /* file A's capability does not open file B */
    t = ca;
    t.fid = b.fid;
    sec_expect("A's capability for B: read",
               sec_io(h, conn, PFS_OP_IO_READV, &t), PFS_ERR_CAP);
    sec_expect("A's capability for B: write",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &t), PFS_ERR_CAP);
    sec_expect("A's capability for B: local-access descriptor",
               sec_local(h, &t, 1), PFS_ERR_CAP);
    sec_expect("A's capability for B: shared file pointer",
               sec_mds(h, mds, PFS_OP_MDS_FP_FETCH_ADD, &t, NULL), PFS_ERR_CAP);

    /* read-only */
    sec_expect("read-only: write", sec_io(h, conn, PFS_OP_IO_WRITEV, &cr),
               PFS_ERR_ACCESS);
    sec_expect("read-only: truncate", sec_io(h, conn, PFS_OP_IO_TRUNCATE, &cr),
               PFS_ERR_ACCESS);
    sec_expect("read-only: preallocate",
               sec_io(h, conn, PFS_OP_IO_PREALLOC, &cr), PFS_ERR_ACCESS);
    sec_expect("read-only: local descriptor for writing", sec_local(h, &cr, 1),
               PFS_ERR_ACCESS);
    sec_expect("read-only: local descriptor for reading", sec_local(h, &cr, 0),
               PFS_OK);
    sec_expect("read-write: remove (the MDS's right only)",
               sec_io(h, conn, PFS_OP_IO_REMOVE, &ca), PFS_ERR_ACCESS);
    sec_expect("stat only (stat by path): size",
               sec_io(h, conn, PFS_OP_IO_SIZE, &cs), PFS_OK);
    sec_expect("stat only: read", sec_io(h, conn, PFS_OP_IO_READV, &cs),
               PFS_ERR_ACCESS);

    /* tampered: every field, and the MAC */
    t = cr;
    t.rights |= PFS_CAP_WRITE;
    sec_expect("tampered: read-only made writable",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &t), PFS_ERR_CAP);
    t = cr;
    t.expiry_ms += 3600000;
    sec_expect("tampered: expiry extended",
               sec_io(h, conn, PFS_OP_IO_READV, &t), PFS_ERR_CAP);
    t = ca;
    t.servers[0] = other->index;
    sec_expect("tampered: another server",
               sec_io(h, oconn, PFS_OP_IO_WRITEV, &t), PFS_ERR_CAP);
    for (i = 0; i < sizeof(t.mac); i += 7) {
        t = ca;
        t.mac[i] ^= 0x01;
        if (sec_io(h, conn, PFS_OP_IO_READV, &t) != PFS_ERR_CAP) {
            break;
        }
    }
    sec_expect("tampered: each MAC byte",
               i < sizeof(t.mac) ? PFS_OK : PFS_ERR_CAP, PFS_ERR_CAP);
    t = ca;
    t.mac[31] ^= 0x80;
    sec_expect("tampered: local-access descriptor", sec_local(h, &t, 0),
               PFS_ERR_CAP);
    sec_expect("a server outside the file's layout",
               sec_io(h, oconn, PFS_OP_IO_WRITEV, &ca), PFS_ERR_ACCESS);

    /* the MDS: renewal and the shared pointer with good capabilities */
    sec_expect("renewal (stat by capability)",
               sec_mds(h, mds, PFS_OP_MDS_STAT, &cr, &t), PFS_OK);
    sec_expect("the renewed capability reads",
               sec_io(h, conn, PFS_OP_IO_READV, &t), PFS_OK);
    sec_expect("the renewed capability keeps its rights (no write)",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &t), PFS_ERR_ACCESS);
    sec_expect("shared file pointer with A's capability",
               sec_mds(h, mds, PFS_OP_MDS_FP_FETCH_ADD, &ca, NULL), PFS_OK);
    sec_expect("the server still serves A",
               sec_io(h, conn, PFS_OP_IO_READV, &ca), PFS_OK);
    printf("caps: %d failures\n", sec_failures);
    return sec_failures == 0 ? 0 : 1;
}

/* A capability outlives its expiry (-t SECONDS past the MDS's
 * --cap-lifetime): refused; renewed, it works again. */
static int mode_expired(hostile_t *h)
{
    static pfs_layout_spec_t spec;
    static pfs_attr_t a;
    static pfs_cap_t ca, fresh;
    pfs_tx_conn_t *conn, *mds;
    char pa[64];

    spec.nservers = 1;
    spec.servers[0] = h->srv->index;
    snprintf(pa, sizeof(pa), "/sec-exp-%d", (int)getpid());
    if (connect_to(h, &conn) != 0 || greet(h, conn, h->ens.key) != PFS_OK ||
        pfs_tx_connect(h->tx, h->ens.mds.addr, &mds) != PFS_OK ||
        greet_server(h, mds, h->ens.key, &h->ens.mds) != PFS_OK ||
        get_cap(h, pa, 1, PFS_ACCESS_READ | PFS_ACCESS_WRITE, &spec, &a, &ca) !=
            PFS_OK) {
        fprintf(stderr, "pfs_hostile: set-up failed\n");
        return 1;
    }
    printf("expired: capability valid for %llu ms\n",
           (unsigned long long)(ca.expiry_ms - ca.issued_ms));
    sec_expect("write before the expiry",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &ca), PFS_OK);
    fflush(stdout);
    sleep((unsigned)h->seconds);
    sec_expect("write after the expiry", sec_io(h, conn, PFS_OP_IO_WRITEV, &ca),
               PFS_ERR_CAP_EXPIRED);
    sec_expect("read after the expiry", sec_io(h, conn, PFS_OP_IO_READV, &ca),
               PFS_ERR_CAP_EXPIRED);
    sec_expect("local-access descriptor after the expiry", sec_local(h, &ca, 0),
               PFS_ERR_CAP_EXPIRED);
    sec_expect("shared file pointer after the expiry",
               sec_mds(h, mds, PFS_OP_MDS_FP_FETCH_ADD, &ca, NULL),
               PFS_ERR_CAP_EXPIRED);
    sec_expect("renewal of the expired capability (permission checked "
               "again)",
               sec_mds(h, mds, PFS_OP_MDS_STAT, &ca, &fresh), PFS_OK);
    sec_expect("write with the renewed one",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &fresh), PFS_OK);
    printf("expired: %d failures\n", sec_failures);
    return sec_failures == 0 ? 0 : 1;
}

/* Another user's file PATH (-f), by its id: what an unprivileged user
 * holding the cluster key can try.  Exit 0 if every try was refused. */
static int mode_steal(hostile_t *h, const char *path)
{
    static pfs_attr_t a;
    static pfs_cap_t cs, t;
    pfs_tx_conn_t *conn;
    pfs_status_t st;

    if (path == NULL || connect_to(h, &conn) != 0 ||
        greet(h, conn, h->ens.key) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: set-up failed (-f PATH?)\n");
        return 1;
    }
    /* a stat of the path is allowed: it gives the id (and the sizes) */
    st = get_cap(h, path, 0, 0, NULL, &a, &cs);
    sec_expect("lookup without access (stat): allowed", st, PFS_OK);
    if (st != PFS_OK) {
        return 1;
    }
    sec_expect("open for reading at the MDS",
               get_cap(h, path, 0, PFS_ACCESS_READ, NULL, &a, &t),
               PFS_ERR_ACCESS);
    sec_expect("read by id with the stat capability",
               sec_io(h, conn, PFS_OP_IO_READV, &cs), PFS_ERR_ACCESS);
    sec_expect("write by id with the stat capability",
               sec_io(h, conn, PFS_OP_IO_WRITEV, &cs), PFS_ERR_ACCESS);
    t = cs;
    t.rights = PFS_CAP_READ | PFS_CAP_WRITE | PFS_CAP_STAT;
    sec_expect("read by id with the stat capability made readable",
               sec_io(h, conn, PFS_OP_IO_READV, &t), PFS_ERR_CAP);
    memset(&t, 0, sizeof(t));
    t.fid = a.fid;
    t.rights = PFS_CAP_READ;
    t.expiry_ms = UINT64_MAX;
    t.nservers = a.layout.stripe_count;
    memcpy(t.servers, a.layout.servers, t.nservers * sizeof(t.servers[0]));
    sec_expect("read by id with a made-up capability",
               sec_io(h, conn, PFS_OP_IO_READV, &t), PFS_ERR_CAP);
    st = sec_local(h, &cs, 0);
    sec_expect("local-access descriptor with the stat capability",
               st == PFS_OK ? PFS_OK : PFS_ERR_ACCESS, PFS_ERR_ACCESS);
    st = sec_local(h, &t, 0);
    sec_expect("local-access descriptor with a made-up capability",
               st == PFS_OK ? PFS_OK : PFS_ERR_CAP, PFS_ERR_CAP);
    printf("steal: %d failures\n", sec_failures);
    return sec_failures == 0 ? 0 : 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: pfs_hostile hold|badkey|nohello|garbage|flood|noread|"
                 "local|localhold|replay|caps|expired|steal "
                 "[-e DESCRIPTOR] [-s mds|INDEX] [-n N] [-t SECONDS] "
                 "[-f PATH]\n");
}

int main(int argc, char **argv)
{
    const char *path = getenv("PFS_ENSEMBLE"), *server = "mds", *mode;
    const char *file = NULL;
    char err[512];
    hostile_t h;
    int opt, rc;

    memset(&h, 0, sizeof(h));
    h.n = 10;
    h.seconds = 5;
    if (argc < 2 || argv[1][0] == '-') {
        usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    mode = argv[1];
    optind = 2;
    while ((opt = getopt(argc, argv, "e:s:n:t:f:")) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 'e': path = optarg; break;
        case 's': server = optarg; break;
        case 'n': h.n = atoi(optarg); break;
        case 't': h.seconds = atoi(optarg); break;
        default: usage(stderr); return 2;
        }
    }
    rnd_state ^= (uint64_t)getpid() << 20;
    if (path == NULL ||
        pfs_ensemble_read(path, &h.ens, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: %s\n",
                path == NULL ? "no descriptor" : err);
        return 2;
    }
    if (strcmp(server, "mds") == 0) {
        h.srv = &h.ens.mds;
    } else if ((uint32_t)atoi(server) < h.ens.niosrv) {
        h.srv = &h.ens.iosrv[atoi(server)];
    } else {
        usage(stderr);
        return 2;
    }
    if (pfs_tx_create(0, &h.tx, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "pfs_hostile: %s\n", err);
        return 1;
    }
    if (!strcmp(mode, "hold")) {
        rc = mode_hold(&h);
    } else if (!strcmp(mode, "badkey")) {
        rc = mode_badkey(&h);
    } else if (!strcmp(mode, "nohello")) {
        rc = mode_nohello(&h);
    } else if (!strcmp(mode, "garbage")) {
        rc = mode_garbage(&h);
    } else if (!strcmp(mode, "flood")) {
        rc = mode_flood(&h);
    } else if (!strcmp(mode, "noread")) {
        rc = mode_noread(&h);
    } else if (!strcmp(mode, "local") && h.srv->role == PFS_ROLE_IOSRV) {
        rc = mode_local(&h);
    } else if (!strcmp(mode, "localhold") && h.srv->role == PFS_ROLE_IOSRV) {
        rc = mode_localhold(&h);
    } else if (!strcmp(mode, "replay")) {
        rc = mode_replay(&h);
    } else if (!strcmp(mode, "caps") && h.srv->role == PFS_ROLE_IOSRV) {
        rc = mode_caps(&h);
    } else if (!strcmp(mode, "expired") && h.srv->role == PFS_ROLE_IOSRV) {
        rc = mode_expired(&h);
    } else if (!strcmp(mode, "steal") && h.srv->role == PFS_ROLE_IOSRV) {
        rc = mode_steal(&h, file);
    } else {
        usage(stderr);
        rc = 2;
    }
    pfs_tx_destroy(h.tx);
    pfs_ensemble_free(&h.ens);
    return rc;
}
