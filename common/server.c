/* server.c - start-up agreement, descriptor publication and the idle-sleeping
 * progress loop shared by pfs-mds and pfs-iosrv. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ucs/debug/log_def.h>

#include "log.h"
#include "server.h"
#include "wireup.h"

/* What each server tells all others at start-up. */
typedef struct {
    uint8_t role;
    int32_t status;
    uint32_t pid;
    char addr[PFS_ADDR_MAX];
    char host[256];
    char errmsg[512];
    uint8_t fsid[16];                        /* MDS only */
    uint8_t key[PFS_PROTO_KEY_SIZE];         /* MDS only */
    uint8_t cap_secret[PFS_CAP_SECRET_SIZE]; /* MDS only; never leaves the
                                                servers (cap.h) */
} wire_rec_t;

typedef struct {
    int32_t status;
    char errmsg[512];
} agree_rec_t;

static pfs_server_t *signal_server;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_server != NULL) {
        signal_server->stop = 1;
    }
}

static void usage(const pfs_server_ops_t *ops, FILE *out)
{
    fprintf(out,
            "usage: %s --root DIR [options]\n"
            "\n"
            "Started by a launcher together with the other servers, e.g.\n"
            "  mpiexec -n 1 pfs-mds --root DIR : -n 2 pfs-iosrv --root DIR\n"
            "  mpirun -n 1 pfs-mds --root DIR : -n 2 pfs-iosrv --root DIR\n"
            "Rank and addresses are exchanged through PMIx when the launcher\n"
            "provides it (Open MPI's mpirun), otherwise through MPI.\n"
            "\n"
            "common options:\n"
            "  -r, --root DIR        storage directory (required)\n"
            "  -l, --listen HOST     address to listen on (default: all)\n"
            "  -p, --port N          port (default 0: any free port)\n"
            "  -a, --advertise HOST  address clients should dial (default:\n"
            "                        the --listen address, else the host "
            "name)\n"
            "  -H, --hello-timeout S close client connections that have "
            "not\n"
            "                        proved the cluster key within S "
            "seconds\n"
            "                        (default 10)\n"
            "  -v, --verbose         log requests (repeat for more)\n"
            "  -q, --quiet           log errors only\n"
            "  -h, --help            this text\n"
            "%s",
            ops->program, ops->usage != NULL ? ops->usage : "");
}

typedef struct {
    const char *listen;
    const char *advertise;
    unsigned port;
    int verbosity;
    int hello_timeout_s;
} common_opts_t;

#define DEFAULT_HELLO_TIMEOUT_S 10

/* Returns 0 to go on, else an exit code + 1 (so 1 means exit 0). */
static int parse_args(const pfs_server_ops_t *ops, void *arg, pfs_server_t *srv,
                      common_opts_t *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, 'r'},
        {"listen", required_argument, NULL, 'l'},
        {"port", required_argument, NULL, 'p'},
        {"advertise", required_argument, NULL, 'a'},
        {"descriptor", required_argument, NULL, 'd'},
        {"stripe-size", required_argument, NULL, 's'},
        {"stripe-count", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"memory", required_argument, NULL, 'm'},
        {"durability", required_argument, NULL, 'D'},
        {"local-access", required_argument, NULL, 'L'},
        {"cap-lifetime", required_argument, NULL, 'C'},
        {"hello-timeout", required_argument, NULL, 'H'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    o->verbosity = PFS_LOG_INFO;
    o->hello_timeout_s = DEFAULT_HELLO_TIMEOUT_S;
    while ((c = getopt_long(argc, argv, "r:l:p:a:d:s:c:t:m:D:L:C:H:vqh",
                            longopts, NULL)) != -1) {
        char optname[2] = {(char)c, '\0'};
        char *end;
        int used;

        switch (c) {
        case 'r': srv->root = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'a': o->advertise = optarg; break;
        case 'v': o->verbosity++; break;
        case 'q': o->verbosity = PFS_LOG_ERROR; break;
        case 'h': usage(ops, stdout); return 1;
        case 'p':
            errno = 0;
            o->port = (unsigned)strtoul(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || o->port > 65535) {
                fprintf(stderr, "%s: bad port '%s'\n", ops->program, optarg);
                return 3;
            }
            break;
        case 'H':
            errno = 0;
            o->hello_timeout_s = (int)strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || o->hello_timeout_s < 1 ||
                o->hello_timeout_s > 86400) {
                fprintf(stderr,
                        "%s: bad hello timeout '%s' (1 to 86400 "
                        "seconds)\n",
                        ops->program, optarg);
                return 3;
            }
            break;
        case 'd':
        case 's':
        case 'c':
        case 't':
        case 'm':
        case 'D':
        case 'L':
        case 'C':
            used = ops->parse_option != NULL
                       ? ops->parse_option(arg, optname, optarg)
                       : 0;
            if (used == 0) {
                fprintf(stderr, "%s: option -%c is not for this server\n",
                        ops->program, c);
                return 3;
            }
            if (used < 0) {
                fprintf(stderr, "%s: bad value '%s' for -%c\n", ops->program,
                        optarg, c);
                return 3;
            }
            break;
        default: fprintf(stderr, "Try '%s --help'.\n", ops->program); return 3;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", ops->program,
                argv[optind]);
        return 3;
    }
    if (srv->root == NULL) {
        fprintf(stderr, "%s: --root DIR is required (try --help)\n",
                ops->program);
        return 3;
    }
    if (o->verbosity > PFS_LOG_DEBUG) {
        o->verbosity = PFS_LOG_DEBUG;
    }
    return 0;
}

/* Every server contributes its status; all learn the first failure. */
static pfs_status_t agree(pfs_wireup_t *w, pfs_status_t mine, const char *mymsg,
                          char *errmsg, size_t errmsg_size)
{
    int size = pfs_wireup_size(w), r;
    agree_rec_t rec, *all;
    pfs_status_t st;

    memset(&rec, 0, sizeof(rec));
    rec.status = mine;
    snprintf(rec.errmsg, sizeof(rec.errmsg), "%s", mymsg);
    all = calloc((size_t)size, sizeof(*all));
    if (all == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    st = pfs_wireup_allgather(w, &rec, sizeof(rec), all);
    if (st != PFS_OK) {
        snprintf(errmsg, errmsg_size,
                 "start-up exchange with the other "
                 "servers failed");
    } else {
        for (r = 0; r < size; r++) {
            if (all[r].status != PFS_OK) {
                st = all[r].status;
                snprintf(errmsg, errmsg_size, "rank %d: %s", r, all[r].errmsg);
                break;
            }
        }
    }
    free(all);
    return st;
}

/* Turn the records of round 1 into the ensemble table. */
static pfs_status_t build_ensemble(pfs_server_t *srv, const wire_rec_t *all,
                                   int size, int myrank, char *errmsg,
                                   size_t errmsg_size)
{
    uint32_t nmds = 0, nio = 0;
    int r;

    for (r = 0; r < size; r++) {
        if (all[r].status != PFS_OK) {
            snprintf(errmsg, errmsg_size, "rank %d (%s on %s, pid %u): %s", r,
                     all[r].role == PFS_ROLE_MDS ? "pfs-mds" : "pfs-iosrv",
                     all[r].host, all[r].pid, all[r].errmsg);
            return (pfs_status_t)all[r].status;
        }
        if (all[r].role == PFS_ROLE_MDS) {
            nmds++;
        } else {
            nio++;
        }
    }
    if (nmds != 1 || nio == 0) {
        snprintf(errmsg, errmsg_size,
                 "an ensemble needs exactly one pfs-mds and at least one "
                 "pfs-iosrv; this launch has %u and %u",
                 nmds, nio);
        return PFS_ERR_CONFIG;
    }
    srv->ens.iosrv = calloc(nio, sizeof(*srv->ens.iosrv));
    if (srv->ens.iosrv == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    srv->ens.niosrv = nio;
    nio = 0;
    for (r = 0; r < size; r++) {
        pfs_server_info_t *s;

        if (all[r].role == PFS_ROLE_MDS) {
            s = &srv->ens.mds;
            s->index = 0;
            memcpy(srv->ens.fsid, all[r].fsid, sizeof(srv->ens.fsid));
            memcpy(srv->ens.key, all[r].key, sizeof(srv->ens.key));
            if (pfs_auth_hello_key(all[r].key, srv->hello_key) != PFS_OK ||
                pfs_cap_key_derive(all[r].key, all[r].cap_secret,
                                   srv->cap_key) != PFS_OK) {
                snprintf(errmsg, errmsg_size,
                         "libcrypto cannot derive the servers' keys");
                return PFS_ERR_INTERNAL;
            }
        } else {
            s = &srv->ens.iosrv[nio];
            s->index = nio++;
        }
        s->role = all[r].role;
        s->pid = all[r].pid;
        snprintf(s->addr, sizeof(s->addr), "%s", all[r].addr);
        snprintf(s->host, sizeof(s->host), "%s", all[r].host);
        if (r == myrank) {
            srv->index = s->index;
        }
    }
    return PFS_OK;
}

/* What clients can make UCX print (a flood of failed accepts when
 * descriptors run out, one warning per broken connection) goes through
 * a budget like our own lines: errors and warnings past 20 a minute are
 * counted, not printed.  UCX calls this from its threads too. */
static pthread_mutex_t ucx_log_lock = PTHREAD_MUTEX_INITIALIZER;
static pfs_log_limit_t ucx_log_limit;

static ucs_log_func_rc_t ucx_log_handler(const char *file, unsigned line,
                                         const char *function,
                                         ucs_log_level_t level,
                                         const ucs_log_component_config_t *comp,
                                         const char *message, va_list ap)
{
    unsigned long long now = pfs_now_ms();
    ucs_log_func_rc_t rc = UCS_LOG_FUNC_RC_CONTINUE;
    unsigned shown = 0;

    (void)file;
    (void)line;
    (void)function;
    (void)comp;
    (void)message;
    (void)ap;
    if (level != UCS_LOG_LEVEL_ERROR && level != UCS_LOG_LEVEL_WARN) {
        return rc; /* fatal errors always, and what the user asked for */
    }
    pthread_mutex_lock(&ucx_log_lock);
    if (now - ucx_log_limit.window_ms >= 60000) {
        shown = ucx_log_limit.suppressed;
        ucx_log_limit.window_ms = now;
        ucx_log_limit.lines = 0;
        ucx_log_limit.suppressed = 0;
    }
    if (ucx_log_limit.lines >= PFS_LOG_LIMIT_PER_MIN) {
        ucx_log_limit.suppressed++;
        rc = UCS_LOG_FUNC_RC_STOP;
    } else {
        ucx_log_limit.lines++;
    }
    pthread_mutex_unlock(&ucx_log_lock);
    if (shown > 0) {
        pfs_log_warn("(%u more UCX errors and warnings in the last minute "
                     "not shown)",
                     shown);
    }
    return rc;
}

/* Servers hold a descriptor per client connection and per open object:
 * take what the hard limit allows (the soft limit is often 1024). */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t before;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) {
        return;
    }
    before = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
        pfs_log_debug("file descriptor limit raised from %lu to %lu",
                      (unsigned long)before, (unsigned long)rl.rlim_max);
    }
}

static void serve(pfs_server_t *srv)
{
    uint64_t until;

    while (!srv->stop) {
        unsigned events = pfs_tx_progress(srv->tx);

        srv->poll_within_ms = 0;
        if (srv->ops->poll != NULL) {
            events += srv->ops->poll(srv->ops_arg, srv);
        }
        if (events == 0) {
            /* idle: sleep on the UCX event fd; the timeout bounds how late
             * a signal is noticed, or is the poll hook's wish */
            pfs_tx_sleep(srv->tx, srv->poll_within_ms > 0
                                      ? PFS_MIN(srv->poll_within_ms, 1000)
                                      : 1000);
        }
    }
    /* let the reply to SHUTDOWN and other replies in flight go out */
    until = pfs_now_ms() + 200;
    while (pfs_now_ms() < until) {
        unsigned events = pfs_tx_progress(srv->tx);

        if (srv->ops->poll != NULL) {
            events += srv->ops->poll(srv->ops_arg, srv);
        }
        if (events == 0) {
            pfs_tx_sleep(srv->tx, 20);
        }
    }
}

int pfs_server_main(const pfs_server_ops_t *ops, void *arg, int argc,
                    char **argv)
{
    pfs_server_t srv;
    common_opts_t opts;
    pfs_wireup_t *w = NULL;
    wire_rec_t mine, *all = NULL;
    char errmsg[512] = "";
    char logname[64];
    struct sigaction sa;
    pfs_status_t st;
    int i, rc, size, rank, prepared = 0;

    for (i = 1; i < argc; i++) {
        /* --help must work without a launcher */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(ops, stdout);
            return 0;
        }
    }
    /* Payload buffers (up to PFS_PROTO_MAX_XFER) come and go with every
     * request.  Served by fresh mmaps, each one page-faults in again: on
     * the development VM that capped reads at ~520 MiB/s; reused from the
     * heap, 1.1-2.0 GiB/s (doc/transport.md). */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    memset(&srv, 0, sizeof(srv));
    memset(&opts, 0, sizeof(opts));
    srv.ops = ops;
    srv.ops_arg = arg;
    srv.role = ops->role;
    srv.start_ms = pfs_now_ms();
    rc = parse_args(ops, arg, &srv, &opts, argc, argv);
    if (rc != 0) {
        return rc - 1;
    }
    pfs_log_init(ops->program, (pfs_log_level_t)opts.verbosity);
    gethostname(srv.host, sizeof(srv.host) - 1);

    st = pfs_wireup_init(&argc, &argv, &w, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        pfs_log_error("cannot join the launch: %s", errmsg);
        return 1;
    }
    rank = pfs_wireup_rank(w);
    size = pfs_wireup_size(w);
    snprintf(logname, sizeof(logname), "%s[%d]", ops->program, rank);
    pfs_log_init(logname, (pfs_log_level_t)opts.verbosity);
    pfs_log_debug("rank %d of %d, wire-up through %s", rank, size,
                  pfs_wireup_method(w));

    /* Round 1: every server sets up what it can alone, then all learn
     * every address and every failure. */
    memset(&mine, 0, sizeof(mine));
    mine.role = (uint8_t)ops->role;
    mine.pid = (uint32_t)getpid();
    snprintf(mine.host, sizeof(mine.host), "%s", srv.host);
    st = ops->prepare(arg, &srv, errmsg, sizeof(errmsg));
    if (st == PFS_OK) {
        prepared = 1;
        raise_fd_limit();
        ucs_log_push_handler(ucx_log_handler);
        st = pfs_tx_create(PFS_TX_SERVER, &srv.tx, errmsg, sizeof(errmsg));
    }
    if (st == PFS_OK) {
        pfs_tx_set_hello_timeout(srv.tx, opts.hello_timeout_s * 1000);
    }
    if (st == PFS_OK) {
        const char *adv = opts.advertise;
        if (adv == NULL && opts.listen != NULL && strcmp(opts.listen, "*")) {
            adv = opts.listen;
        }
        if (adv == NULL) {
            adv = srv.host;
        }
        st = pfs_tx_listen(srv.tx, opts.listen, (uint16_t)opts.port, adv,
                           ops->handler, arg, srv.addr, sizeof(srv.addr),
                           errmsg, sizeof(errmsg));
    }
    if (st == PFS_OK && ops->role == PFS_ROLE_MDS) {
        memcpy(mine.fsid, srv.ens.fsid, sizeof(mine.fsid));
        st = pfs_auth_random(mine.key, sizeof(mine.key));
        if (st == PFS_OK) {
            st = pfs_auth_random(mine.cap_secret, sizeof(mine.cap_secret));
        }
        if (st != PFS_OK) {
            snprintf(errmsg, sizeof(errmsg), "no random bytes for the key");
        }
    }
    mine.status = st;
    snprintf(mine.addr, sizeof(mine.addr), "%s", srv.addr);
    snprintf(mine.errmsg, sizeof(mine.errmsg), "%s", errmsg);
    if (st != PFS_OK) {
        pfs_log_error("%s", errmsg);
    }

    all = calloc((size_t)size, sizeof(*all));
    if (all == NULL) {
        pfs_log_error("out of memory");
        goto out;
    }
    st = pfs_wireup_allgather(w, &mine, sizeof(mine), all);
    if (st != PFS_OK) {
        pfs_log_error("start-up exchange through %s failed",
                      pfs_wireup_method(w));
        goto out;
    }
    if (mine.status == PFS_OK) {
        st = build_ensemble(&srv, all, size, rank, errmsg, sizeof(errmsg));
        if (st == PFS_OK) {
            st = ops->join(arg, &srv, errmsg, sizeof(errmsg));
        }
    } else {
        st = (pfs_status_t)mine.status;
    }
    /* Round 2: did every server manage to join? */
    st = agree(w, st, errmsg, errmsg, sizeof(errmsg));
    /* Round 3: the MDS publishes the descriptor, all learn if it could. */
    if (st == PFS_OK) {
        pfs_status_t pub = PFS_OK;

        errmsg[0] = '\0';
        if (ops->role == PFS_ROLE_MDS) {
            pub = pfs_ensemble_write(srv.descriptor, &srv.ens, errmsg,
                                     sizeof(errmsg));
        }
        st = agree(w, pub, errmsg, errmsg, sizeof(errmsg));
    }
    if (st != PFS_OK) {
        /* everybody logs it, so the launcher's output shows the cause
         * whichever rank's stderr a user reads */
        pfs_log_error("ensemble start-up failed: %s", errmsg);
        goto out;
    }
    pfs_wireup_fini(w);
    w = NULL;

    if (ops->role == PFS_ROLE_MDS) {
        pfs_log_info("ensemble ready: %u I/O servers, descriptor %s",
                     srv.ens.niosrv, srv.descriptor);
    }
    pfs_log_info("listening on %s", srv.addr);
    signal_server = &srv;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    serve(&srv);
    pfs_log_info("stopping");
    if (ops->role == PFS_ROLE_MDS) {
        unlink(srv.descriptor);
    }
    rc = 0;
    goto cleanup;

out:
    rc = 1;
    if (ops->role == PFS_ROLE_MDS && srv.descriptor != NULL && st != PFS_OK &&
        srv.ens.niosrv > 0) {
        /* round 3 may have failed elsewhere after we published */
        unlink(srv.descriptor);
    }
cleanup:
    free(all);
    if (w != NULL) {
        pfs_wireup_fini(w);
    }
    /* worker threads may still hold payloads that live in UCX's memory:
     * stop them before the transport goes */
    if (prepared && ops->cleanup != NULL) {
        ops->cleanup(arg, &srv);
    }
    pfs_tx_destroy(srv.tx);
    pfs_ensemble_free(&srv.ens);
    return rc;
}

/* The first half of HELLO (auth.h): a fresh nonce of ours, and the proof
 * that we hold the key, over both nonces and who we are. */
static void server_challenge(pfs_server_t *srv, pfs_srv_req_t *req)
{
    uint8_t nonces[PFS_SRV_CHALLENGE_SIZE], body[PFS_CHALLENGE_REP_MAX];
    pfs_challenge_rep_t rep;
    size_t len;

    if (pfs_proto_challenge_req_decode(req->body, req->hdr.body_len, nonces) !=
        PFS_OK) {
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_PROTO, "malformed challenge");
        return;
    }
    memset(&rep, 0, sizeof(rep));
    rep.role = (uint8_t)srv->role;
    rep.index = srv->index;
    memcpy(rep.fsid, srv->ens.fsid, sizeof(rep.fsid));
    if (pfs_auth_random(rep.nonce, sizeof(rep.nonce)) != PFS_OK ||
        pfs_auth_server_proof(srv->hello_key, nonces, rep.nonce, rep.role,
                              rep.index, rep.fsid, rep.proof) != PFS_OK ||
        pfs_proto_challenge_rep_encode(body, sizeof(body), &rep, &len) !=
            PFS_OK) {
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_INTERNAL,
                            "cannot make a challenge reply");
        return;
    }
    memcpy(nonces + PFS_AUTH_NONCE_SIZE, rep.nonce, PFS_AUTH_NONCE_SIZE);
    pfs_srv_conn_set_challenge(req->conn, nonces);
    pfs_srv_reply(srv->tx, req, body, len, NULL, 0);
}

/* The second half: the client's proof over the nonces of this
 * connection's one challenge, its credentials and groups. */
static void server_hello(pfs_server_t *srv, pfs_srv_req_t *req)
{
    uint8_t nonces[PFS_SRV_CHALLENGE_SIZE], proof[PFS_AUTH_MAC_SIZE];
    pfs_hello_req_t hello;
    pfs_status_t st;
    int had;

    /* whatever happens, this challenge is used up */
    had = pfs_srv_conn_take_challenge(req->conn, nonces);
    st = pfs_proto_hello_req_decode(req->body, req->hdr.body_len, req->data,
                                    req->hdr.data_len, &hello);
    if (st != PFS_OK) {
        pfs_cred_release(&hello.cred);
        pfs_srv_reply_error(srv->tx, req, st, "malformed hello");
        return;
    }
    if (!had) {
        pfs_cred_release(&hello.cred);
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_AUTH,
                            "hello without a challenge on this connection "
                            "(pid %u, uid %u): a replayed hello, or a "
                            "client of another protocol version",
                            hello.pid, hello.cred.uid);
        return;
    }
    if (pfs_auth_client_proof(srv->hello_key, nonces,
                              nonces + PFS_AUTH_NONCE_SIZE, (uint8_t)srv->role,
                              srv->index, srv->ens.fsid, req->body,
                              PFS_HELLO_SIGNED_LEN, req->data,
                              req->hdr.data_len, proof) != PFS_OK) {
        pfs_cred_release(&hello.cred);
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_INTERNAL, "libcrypto failed");
        return;
    }
    if (!pfs_auth_equal(proof, hello.proof, sizeof(proof))) {
        pfs_cred_release(&hello.cred);
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_AUTH,
                            "wrong proof of the cluster key (pid %u, uid "
                            "%u): is the descriptor from this ensemble? (or "
                            "a replayed or modified hello)",
                            hello.pid, hello.cred.uid);
        return;
    }
    pfs_srv_conn_set_authenticated(req->conn, hello.role, hello.pid,
                                   &hello.cred);
    pfs_srv_reply(srv->tx, req, NULL, 0, NULL, 0);
}

int pfs_server_handle_common(pfs_server_t *srv, pfs_srv_req_t *req)
{
    uint8_t body[PFS_STATUS_REP_MAX];
    size_t len;

    srv->requests++;
    if (req->hdr.opcode == PFS_OP_CHALLENGE) {
        server_challenge(srv, req);
        return 1;
    }
    if (req->hdr.opcode == PFS_OP_HELLO) {
        server_hello(srv, req);
        return 1;
    }
    if (!pfs_srv_conn_authenticated(req->conn)) {
        pfs_srv_reply_error(srv->tx, req, PFS_ERR_AUTH,
                            "%s before hello: prove the cluster key first",
                            pfs_proto_op_name(req->hdr.opcode));
        return 1;
    }
    if (req->hdr.opcode == PFS_OP_STATUS) {
        pfs_status_rep_t rep;

        memset(&rep, 0, sizeof(rep));
        rep.role = (uint8_t)srv->role;
        rep.index = srv->index;
        rep.pid = (uint32_t)getpid();
        rep.uptime_ms = pfs_now_ms() - srv->start_ms;
        rep.requests = srv->requests;
        rep.data_requests = srv->data_requests;
        rep.bytes_read = srv->bytes_read;
        rep.bytes_written = srv->bytes_written;
        rep.pending_removals = srv->pending_removals;
        snprintf(rep.host, sizeof(rep.host), "%s", srv->host);
        if (pfs_proto_status_rep_encode(body, sizeof(body), &rep, &len) !=
            PFS_OK) {
            pfs_srv_reply_error(srv->tx, req, PFS_ERR_INTERNAL,
                                "cannot encode the status reply");
            return 1;
        }
        pfs_srv_reply(srv->tx, req, body, len, NULL, 0);
        return 1;
    }
    if (req->hdr.opcode == PFS_OP_SHUTDOWN) {
        if (pfs_srv_conn_role(req->conn) != PFS_ROLE_ADMIN) {
            pfs_srv_reply_error(srv->tx, req, PFS_ERR_ACCESS,
                                "only an admin connection may stop servers");
            return 1;
        }
        pfs_log_info("shutdown requested");
        srv->stop = 1;
        pfs_srv_reply(srv->tx, req, NULL, 0, NULL, 0);
        return 1;
    }
    return 0;
}
