/* pfs_hostile_local.c - pfs_hostile's modes noread, local and localhold:
 * replies nobody reads, and the local-access socket of an I/O server. */
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

int mode_noread(hostile_t *h)
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

/* A capability for a file of this server's, for the good requests. */
static int local_cap_get(hostile_t *h)
{
    static pfs_layout_spec_t spec;
    static pfs_attr_t attr;
    char path[1024];

    /* one file per server: a file's layout names its server */
    snprintf(path, sizeof(path), "%s/hostile-local-%u",
             h->dir != NULL ? h->dir : "", h->srv->index);
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

int mode_local(hostile_t *h)
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

int mode_localhold(hostile_t *h)
{
    int *socks = calloc((size_t)h->n, sizeof(int)), i, open_n = 0, good;

    if (socks == NULL || local_cap_get(h) != 0) {
        free(socks);
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
           : good == 0 ? "was refused (slots full, or not the servers' user)"
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
