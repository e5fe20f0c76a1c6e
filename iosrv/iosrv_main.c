/* iosrv_main.c - pfs-iosrv: stores one local object per file and executes
 * structured reads and writes of it on a pool of I/O threads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "iosrv.h"
#include "local.h"
#include "log.h"

static const char iosrv_usage[] =
    "\n"
    "I/O server options:\n"
    "  -t, --threads N   I/O threads (default: the number of cores)\n"
    "  -m, --memory N    bytes of request payloads held at once, e.g. 512m\n"
    "                    (default 512m; past it clients wait)\n"
    "  -L, --local-access on|off\n"
    "                    hand clients on this host (same user, or root) open\n"
    "                    descriptors of objects, so they read and write them\n"
    "                    without copying through this server (default on)\n"
    "\n"
    "I/O servers keep their objects in ROOT/iosrv.<index>/objects; the\n"
    "index is the server's position among the launch's I/O servers, so\n"
    "restart an ensemble with the same number of servers in the same order.\n";

static int iosrv_parse_option(void *arg, const char *opt, const char *value)
{
    iosrv_t *io = arg;
    uint64_t v;

    switch (opt[0]) {
    case 't':
        if (pfs_parse_size(value, &v) != PFS_OK || v == 0 || v > MAX_THREADS) {
            return -1;
        }
        io->nthreads = (int)v;
        return 1;
    case 'm':
        if (pfs_parse_size(value, &v) != PFS_OK || v < 2 * PFS_PROTO_MAX_XFER) {
            return -1;
        }
        io->memory = v;
        return 1;
    case 'L':
        if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
            io->local_on = strcmp(value, "on") == 0;
            return 1;
        }
        return -1;
    }
    return 0;
}

/* ---- start-up and shutdown --------------------------------------------- */

static pfs_status_t iosrv_prepare(void *arg, pfs_server_t *srv, char *errmsg,
                                  size_t n)
{
    iosrv_t *io = arg;
    unsigned i;

    io->srv = srv;
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        io->cache[i].fd = -1;
    }
    io->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (io->efd < 0) {
        snprintf(errmsg, n, "eventfd: %s", strerror(errno));
        return PFS_ERR_IO;
    }
    return pfs_make_dir(srv->root, errmsg, n);
}

/* Now that the index and file-system id are known: check (or claim) the
 * data directory so two file systems never mix their objects, and start
 * the I/O threads. */
static pfs_status_t iosrv_join(void *arg, pfs_server_t *srv, char *errmsg,
                               size_t n)
{
    iosrv_t *io = arg;
    pfs_status_t st;
    int i;

    snprintf(io->dir, sizeof(io->dir), "%s/iosrv.%u", srv->root, srv->index);
    st = objstore_open(io, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    for (i = 0; i < io->nthreads; i++) {
        if (pthread_create(&io->threads[i], NULL, io_thread, io) != 0) {
            snprintf(errmsg, n, "cannot start I/O threads");
            return PFS_ERR_NOMEM;
        }
        io->started++;
    }
    pfs_tx_set_wake_fd(srv->tx, io->efd);
    pfs_tx_set_memory_budget(srv->tx, io->memory / 2);
    local_start(io);
    return PFS_OK;
}

static void iosrv_cleanup(void *arg, pfs_server_t *srv)
{
    iosrv_t *io = arg;
    int t;

    (void)srv;
    local_stop(io);
    pthread_mutex_lock(&io->lock);
    io->stopping = 1;
    pthread_cond_broadcast(&io->cond);
    pthread_mutex_unlock(&io->lock);
    for (t = 0; t < io->started; t++) {
        pthread_join(io->threads[t], NULL);
    }
    objstore_close(io);
    cap_cache_destroy(io);
    if (io->efd >= 0) {
        close(io->efd);
    }
}

/* ---- requests ---------------------------------------------------------- */

static void reject(iosrv_t *io, pfs_srv_req_t *req, job_t *job, pfs_status_t st,
                   const char *what)
{
    pfs_srv_reply_error(io->srv->tx, req, st, "%s %s request", what,
                        pfs_proto_op_name(req->hdr.opcode));
    job_free(job);
}

/* The request's capability allows it (cap_check); otherwise it is
 * answered with why and 0 is returned. */
static int cap_admits(iosrv_t *io, pfs_srv_req_t *req, job_t *job,
                      const pfs_cap_t *c)
{
    char why[160];
    pfs_status_t st;

    st =
        cap_check(io, c, pfs_cap_rights_for(req->hdr.opcode), why, sizeof(why));
    if (st == PFS_OK) {
        job->fid = c->fid;
        return 1;
    }
    pfs_srv_reply_error(io->srv->tx, req, st, "%s refused: %s",
                        pfs_proto_op_name(req->hdr.opcode), why);
    job_free(job);
    return 0;
}

/* A REMOVE request: every capability must be the MDS's, for this server;
 * otherwise the whole request is refused (only a forged or misdirected
 * request has a bad one).  They skip the cache of verified capabilities:
 * each is used once, and would push out the clients' ones. */
static int remove_admits(iosrv_t *io, pfs_srv_req_t *req, job_t *job)
{
    static pfs_cap_t caps[PFS_REMOVE_MAX]; /* progress thread only */
    char why[160], hex[PFS_FID_HEX_LEN + 1];
    uint32_t i, n;
    pfs_status_t st;

    if (pfs_proto_remove_req_decode(req->body, req->hdr.body_len, caps, &n) !=
        PFS_OK) {
        reject(io, req, job, PFS_ERR_PROTO, "malformed");
        return 0;
    }
    for (i = 0; i < n; i++) {
        st = pfs_cap_verify(io->srv->cap_key, &caps[i]);
        if (st != PFS_OK) {
            snprintf(why, sizeof(why),
                     "not a capability the metadata server issued");
        } else {
            st = pfs_cap_allows(&caps[i], PFS_CAP_REMOVE, 1, io->srv->index,
                                pfs_cap_now_ms(), why, sizeof(why));
        }
        if (st != PFS_OK) {
            pfs_fid_format(caps[i].fid, hex);
            pfs_srv_reply_error(io->srv->tx, req, st,
                                "remove refused: object %s (%u of %u): %s", hex,
                                i + 1, n, why);
            job_free(job);
            return 0;
        }
    }
    job->fids = malloc(n * sizeof(*job->fids));
    job->sts = calloc(n, sizeof(*job->sts));
    if (job->fids == NULL || job->sts == NULL) {
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        job_free(job);
        return 0;
    }
    for (i = 0; i < n; i++) {
        job->fids[i] = caps[i].fid;
    }
    job->nfids = n;
    job->fid = caps[0].fid;
    return 1;
}

/* A request whose body is only its capability: decoded and checked;
 * otherwise it is answered (malformed, or refused) and 0 is returned. */
static int cap_body_admits(iosrv_t *io, pfs_srv_req_t *req, job_t *job,
                           pfs_cap_t *c)
{
    if (pfs_proto_cap_decode(req->body, req->hdr.body_len, c) != PFS_OK) {
        reject(io, req, job, PFS_ERR_PROTO, "malformed");
        return 0;
    }
    return cap_admits(io, req, job, c);
}

static void iosrv_handle(void *arg, pfs_srv_req_t *req)
{
    iosrv_t *io = arg;
    static pfs_io_req_t m; /* progress thread only; large (a capability) */
    size_t consumed;
    job_t *job;
    pfs_status_t st;

    if (pfs_server_handle_common(io->srv, req)) {
        return;
    }
    if (req->hdr.opcode == PFS_OP_IO_STATFS) {
        /* cheap: answered here, not by an I/O thread */
        struct statvfs sv;
        uint8_t body[PFS_STATFS_REP_MAX];
        pfs_statfs_rep_t rep;
        size_t len;

        if (req->hdr.body_len != 0) {
            pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_PROTO,
                                "malformed statfs request");
            return;
        }
        if (statvfs(io->dir, &sv) != 0) {
            pfs_srv_reply_error(io->srv->tx, req, pfs_status_from_errno(errno),
                                "statvfs %s: %s", io->dir, strerror(errno));
            return;
        }
        rep.total_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
        rep.free_bytes = (uint64_t)sv.f_bfree * sv.f_frsize;
        rep.avail_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
        if (pfs_proto_statfs_rep_encode(body, sizeof(body), &rep, &len) !=
            PFS_OK) {
            pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_INTERNAL,
                                "cannot encode the statfs reply");
            return;
        }
        pfs_srv_reply(io->srv->tx, req, body, len, NULL, 0);
        return;
    }
    job = calloc(1, sizeof(*job));
    if (job == NULL) {
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    job->req = req;
    job->op = req->hdr.opcode;
    switch (req->hdr.opcode) {
    case PFS_OP_IO_WRITEV:
    case PFS_OP_IO_READV:
        if (!cap_body_admits(io, req, job, &m.cap)) {
            return;
        }
        st = pfs_sio_runs_decode(req->data, req->hdr.data_len, &job->runs,
                                 &job->nruns, &job->total, &consumed);
        if (st != PFS_OK) {
            reject(io, req, job, st, "bad run list in");
            return;
        }
        io->srv->data_requests++;
        if (job->op == PFS_OP_IO_WRITEV) {
            if (job->total != req->hdr.data_len - consumed) {
                reject(io, req, job, PFS_ERR_PROTO,
                       "payload size does not match the runs of");
                return;
            }
            job->data = (const uint8_t *)req->data + consumed;
            submit(io, job);
        } else {
            if (consumed != req->hdr.data_len ||
                job->total > PFS_PROTO_MAX_XFER) {
                reject(io, req, job, PFS_ERR_PROTO, "oversized or malformed");
                return;
            }
            queue_read(io, job);
        }
        return;
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC:
        st = pfs_proto_io_req_decode(req->body, req->hdr.body_len, &m);
        if (st != PFS_OK) {
            reject(io, req, job, st, "malformed");
            return;
        }
        if (!cap_admits(io, req, job, &m.cap)) {
            return;
        }
        job->arg = m.offset;
        submit(io, job);
        return;
    case PFS_OP_IO_REMOVE:
        if (remove_admits(io, req, job)) {
            submit(io, job);
        }
        return;
    case PFS_OP_IO_SIZE:
    case PFS_OP_IO_FSYNC:
        if (!cap_body_admits(io, req, job, &m.cap)) {
            return;
        }
        if (job->op == PFS_OP_IO_SIZE && size_now(io, job)) {
            reply_job(io, job);
            return;
        }
        submit(io, job);
        return;
    default:
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_UNSUPPORTED,
                            "I/O servers do not do '%s'",
                            pfs_proto_op_name(req->hdr.opcode));
        free(job);
        return;
    }
}

int main(int argc, char **argv)
{
    static const pfs_server_ops_t ops = {
        .role = PFS_ROLE_IOSRV,
        .program = "pfs-iosrv",
        .usage = iosrv_usage,
        .parse_option = iosrv_parse_option,
        .prepare = iosrv_prepare,
        .join = iosrv_join,
        .handler = iosrv_handle,
        .poll = iosrv_poll,
        .cleanup = iosrv_cleanup,
    };
    static iosrv_t io; /* the fd cache is large: keep it off the stack */

    io.nthreads =
        (int)PFS_MAX(1, PFS_MIN(sysconf(_SC_NPROCESSORS_ONLN), MAX_THREADS));
    io.memory = DEFAULT_MEMORY;
    io.efd = -1;
    io.local_on = 1;
    io.local_sock = -1;
    io.local_stop = -1;
    pthread_mutex_init(&io.lock, NULL);
    pthread_cond_init(&io.cond, NULL);
    TAILQ_INIT(&io.todo);
    TAILQ_INIT(&io.done);
    TAILQ_INIT(&io.wait);
    pthread_mutex_init(&io.cache_lock, NULL);
    pthread_mutex_init(&io.removed_lock, NULL);
    pthread_mutex_init(&io.caps_lock, NULL);
    for (int i = 0; i < (int)OBJ_LOCKS; i++) {
        pthread_rwlock_init(&io.obj_locks[i], NULL);
    }
    return pfs_server_main(&ops, &io, argc, argv);
}
