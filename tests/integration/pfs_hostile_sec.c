/* pfs_hostile_sec.c - pfs_hostile's modes replay, caps, expired and steal
 * (security.sh). */
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

int mode_replay(hostile_t *h)
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
    hdisconnect(h, c1);
    hdisconnect(h, c2);
    hdisconnect(h, c3);
    hdisconnect(h, c4);
    hdisconnect(h, c5);
    hdisconnect(h, c6);
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
    case PFS_OP_IO_REMOVE: /* a request for one object */
        if (pfs_proto_remove_req_encode(body, sizeof(body), c, 1, &len) !=
            PFS_OK) {
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
int mode_caps(hostile_t *h)
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
        hconnect(h, other->addr, &oconn) != PFS_OK ||
        greet_server(h, oconn, h->ens.key, other) != PFS_OK ||
        hconnect(h, h->ens.mds.addr, &mds) != PFS_OK ||
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
int mode_expired(hostile_t *h)
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
        hconnect(h, h->ens.mds.addr, &mds) != PFS_OK ||
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
int mode_steal(hostile_t *h, const char *path)
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
