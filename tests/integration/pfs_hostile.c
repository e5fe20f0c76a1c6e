
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
 *             local and localhold create their file in directory -f DIR
 *             (default /; another user needs a directory it may write)
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

#include "pfs_hostile.h"

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
        hdisconnect(h, conns[i]);
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
    hdisconnect(h, conn);
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
    hdisconnect(h, conn);
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
    case PFS_OP_IO_REMOVE:
        st = pfs_proto_remove_req_encode(buf, cap_len, &cap, 1, &len);
        break;
    case PFS_OP_MDS_STAT:
    case PFS_OP_IO_SIZE:
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
    hdisconnect(h, conn);
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
    hdisconnect(h, conn);
    free(ptrs);
    free(rpcs);
    return other == 0 ? 0 : 1;
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
        h.dir = file;
        rc = mode_local(&h);
    } else if (!strcmp(mode, "localhold") && h.srv->role == PFS_ROLE_IOSRV) {
        h.dir = file;
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
    hdisconnect_all(&h);
    pfs_tx_destroy(h.tx);
    pfs_ensemble_free(&h.ens);
    return rc;
}
