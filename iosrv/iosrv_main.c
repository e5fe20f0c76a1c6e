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

#include "local.h"
#include "log.h"
#include "server.h"
#include "sio.h"

#define FD_CACHE_SIZE   256u /* open objects kept, direct-mapped by id */
#define DEFAULT_MEMORY  (UINT64_C(512) << 20)
#define MAX_THREADS     64
#define MAX_IOV         1024 /* Linux UIO_MAXIOV */
#define OBJ_LOCKS       64u  /* write locks, hashed by object id */
#define REMOVED_SLOTS 65536 /* 1 MiB of recently removed file ids */

/* Server-side data sieving (sio.h: pfs_sio_sieve_window): small pieces
 * close together are served with one read (and for writes one write back)
 * of the whole span instead of a system call each.  Safe here, unlike in a
 * client library, because every writer of an object takes the same lock:
 * the server's threads a per-object lock, and with local access the
 * clients on this host too, through an OFD lock on the object's file
 * (pio_local_exec), so the read-modify-write is atomic. */

typedef struct {
    pfs_fid_t fid;
    int fd;     /* -1: empty slot */
    int refs;   /* threads using fd now */
    int doomed; /* removed: close when the last user lets go */
} fd_slot_t;

/* One data or object operation, run by an I/O thread. */
typedef struct job {
    struct job *next;
    pfs_srv_req_t *req;
    uint16_t op;
    pfs_fid_t fid;
    uint64_t arg;            /* truncate/prealloc: object size */
    pfs_run_t *runs;         /* readv/writev */
    uint32_t nruns;
    uint64_t total;          /* bytes the runs cover */
    const uint8_t *data;     /* writev: payload after the run list */
    uint64_t reserved;       /* read memory taken from the budget */
    /* results */
    int err;                 /* errno of the failure, 0 on success */
    uint64_t result;         /* bytes moved, object size ... */
    uint64_t objsize;        /* readv: object size after the read */
    void *out;               /* readv: reply payload (malloc'd) */
    uint64_t sieved;         /* pieces served by data sieving */
    uint64_t queued_us;      /* time waiting for a thread */
    uint64_t run_us;         /* time executing */
} job_t;

typedef struct {
    pfs_server_t *srv;
    char dir[PATH_MAX]; /* ROOT/iosrv.<index> */
    int nthreads;
    uint64_t memory;    /* payload budget: half incoming, half reads */
    uint64_t read_held; /* read buffers reserved now (progress thread) */
    fd_slot_t cache[FD_CACHE_SIZE];
    pthread_mutex_t cache_lock;
    /* writes to one object: shared for plain writes, exclusive for a
     * sieving read-modify-write */
    pthread_rwlock_t obj_locks[OBJ_LOCKS];
    /* file ids removed lately: a write for one of them (queued before the
     * removal, or from a client still writing an unlinked file) would
     * re-create an object nothing removes.  Direct-mapped, lossy: a
     * collision forgets the older id.  Ids are never reused. */
    pfs_fid_t removed[REMOVED_SLOTS];
    pthread_mutex_t removed_lock;
    /* queues between the progress thread and the I/O threads */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    job_t *todo_head, *todo_tail;
    job_t *done_head, *done_tail;
    job_t *wait_head, *wait_tail; /* reads waiting for memory */
    int efd;          /* eventfd: done jobs are waiting */
    int stopping;
    pthread_t threads[MAX_THREADS];
    int started;
    /* local access (local.h): a thread answering descriptor requests */
    int local_on;     /* --local-access on|off */
    int local_sock;   /* listening Unix socket, -1: none */
    int local_stop;   /* eventfd that ends the thread */
    pthread_t local_thread;
    int local_started;
} iosrv_t;

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

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
        if (pfs_parse_size(value, &v) != PFS_OK ||
            v < 2 * PFS_PROTO_MAX_XFER) {
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

/* ---- objects ----------------------------------------------------------- */

/* ROOT/iosrv.N/objects/XY/<32 hex digits>: 256 subdirectories keep the
 * directories small. */
static void object_path(const iosrv_t *io, pfs_fid_t fid, char *out,
                        size_t size)
{
    char hex[PFS_FID_HEX_LEN + 1];

    pfs_fid_format(fid, hex);
    snprintf(out, size, "%s/objects/%s/%s", io->dir, hex + 30, hex);
}

static fd_slot_t *cache_slot(iosrv_t *io, pfs_fid_t fid)
{
    return &io->cache[(fid.lo ^ fid.hi * 31) % FD_CACHE_SIZE];
}

/* Close every cached descriptor that nobody uses now. */
static void cache_shed(iosrv_t *io)
{
    unsigned i, n = 0;

    pthread_mutex_lock(&io->cache_lock);
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        if (io->cache[i].fd >= 0 && io->cache[i].refs == 0) {
            close(io->cache[i].fd);
            io->cache[i].fd = -1;
            n++;
        }
    }
    pthread_mutex_unlock(&io->cache_lock);
    pfs_log_warn("out of file descriptors: closed %u cached object files", n);
}

/* An fd for the object (created if asked); -errno on failure.  *slot_p is
 * what to hand back to obj_release (NULL: a private fd). */
static int obj_acquire(iosrv_t *io, pfs_fid_t fid, int create,
                       fd_slot_t **slot_p)
{
    fd_slot_t *slot = cache_slot(io, fid);
    char path[PATH_MAX];
    int fd;

    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd >= 0 && !slot->doomed && pfs_fid_equal(slot->fid, fid)) {
        slot->refs++;
        fd = slot->fd;
        pthread_mutex_unlock(&io->cache_lock);
        *slot_p = slot;
        return fd;
    }
    pthread_mutex_unlock(&io->cache_lock);

    object_path(io, fid, path, sizeof(path));
    fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        /* out of descriptors: give back the idle cached ones, once */
        cache_shed(io);
        fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    }
    if (fd < 0 && errno == EROFS && !create) {
        /* read-only storage still serves reads, through a descriptor of
         * their own (a cached one must be able to write) */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            *slot_p = NULL;
            return fd;
        }
    }
    if (fd < 0) {
        return -errno;
    }
    *slot_p = NULL;
    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd < 0 || slot->refs == 0) {
        if (slot->fd >= 0) {
            close(slot->fd); /* evict an idle neighbour */
        }
        slot->fid = fid;
        slot->fd = fd;
        slot->refs = 1;
        slot->doomed = 0;
        *slot_p = slot;
    }
    pthread_mutex_unlock(&io->cache_lock);
    return fd;
}

static void obj_release(iosrv_t *io, int fd, fd_slot_t *slot)
{
    if (slot == NULL) {
        close(fd);
        return;
    }
    pthread_mutex_lock(&io->cache_lock);
    if (--slot->refs == 0 && slot->doomed) {
        close(slot->fd);
        slot->fd = -1;
    }
    pthread_mutex_unlock(&io->cache_lock);
}

static void obj_forget(iosrv_t *io, pfs_fid_t fid)
{
    fd_slot_t *slot = cache_slot(io, fid);

    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd >= 0 && pfs_fid_equal(slot->fid, fid)) {
        if (slot->refs == 0) {
            close(slot->fd);
            slot->fd = -1;
        } else {
            slot->doomed = 1;
        }
    }
    pthread_mutex_unlock(&io->cache_lock);
}

/* One preadv/pwritev group of a plan (object-contiguous pieces). */
static int do_group(int fd, const pfs_sio_piece_t *p, size_t n, uint8_t *base,
                    int write)
{
    struct iovec iov[MAX_IOV];
    size_t i;

    for (i = 0; i < n; i++) {
        iov[i].iov_base = base + p[i].pos;
        iov[i].iov_len = p[i].len;
    }
    return pfs_sio_transfer(fd, write, iov, (int)n, p[0].off);
}

/* A sieve window: its span [start, end) read once, under an OFD write lock
 * for writes (the span holds bytes this request does not write: a local
 * client writing there, local.h, waits until the span is written back). */
static int sieve(int fd, const pfs_sio_piece_t *p, size_t n, uint8_t *base,
                 int write, uint8_t *sbuf)
{
    uint64_t start = p[0].off, end = start;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        end = PFS_MAX(end, p[i].off + p[i].len);
    }
    if (write && (rc = pfs_local_lock(fd, F_WRLCK, start, end - start)) != 0) {
        return rc;
    }
    rc = pfs_sio_sieve_span(fd, p, n, base, write, sbuf, start, end);
    if (write) {
        (void)pfs_local_lock(fd, F_UNLCK, start, end - start);
    }
    return rc;
}

static pthread_rwlock_t *obj_lock(iosrv_t *io, pfs_fid_t fid)
{
    return &io->obj_locks[(fid.lo ^ fid.hi) % OBJ_LOCKS];
}

static size_t removed_slot(pfs_fid_t fid)
{
    uint64_t x = fid.hi * UINT64_C(0x9e3779b97f4a7c15) ^ fid.lo;

    x ^= x >> 29;
    return (size_t)(x % REMOVED_SLOTS);
}

/* Called with the object's lock held exclusively (REMOVE). */
static void removed_add(iosrv_t *io, pfs_fid_t fid)
{
    pthread_mutex_lock(&io->removed_lock);
    io->removed[removed_slot(fid)] = fid;
    pthread_mutex_unlock(&io->removed_lock);
}

/* Was fid removed lately?  Called with the object's lock held, so a
 * removal cannot slip in between this check and the write. */
static int removed_lately(iosrv_t *io, pfs_fid_t fid)
{
    int hit;

    pthread_mutex_lock(&io->removed_lock);
    hit = pfs_fid_equal(io->removed[removed_slot(fid)], fid);
    pthread_mutex_unlock(&io->removed_lock);
    return hit;
}

static void run_rw(iosrv_t *io, job_t *job, int write)
{
    pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
    pfs_sio_piece_t *pieces = NULL;
    pthread_rwlock_t *lock;
    fd_slot_t *slot;
    size_t npieces, i, end;
    uint8_t *base, *sbuf = NULL;
    int ordered;
    struct stat st;
    int fd;

    if (pfs_sio_plan(job->runs, job->nruns, &pieces, &npieces, &ordered) !=
        PFS_OK) {
        job->err = ENOMEM;
        return;
    }
    base = write ? (uint8_t *)job->data : job->out;
    /* Take the object's lock before opening it, so that a remove or
     * truncate (exclusive) never interleaves with this request: shared
     * with other reads and plain writes, exclusive for a sieving
     * read-modify-write. */
    lock = obj_lock(io, job->fid);
    {
        pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
        int rmw = 0;

        for (i = 0; write && i < npieces && !rmw && ordered; i = end + 1) {
            end = pfs_sio_sieve_window(pieces, npieces, i, &scan);
            rmw = end > i;
        }
        if (rmw) {
            pthread_rwlock_wrlock(lock);
        } else {
            pthread_rwlock_rdlock(lock);
        }
    }
    if (write && removed_lately(io, job->fid)) {
        job->err = ESTALE; /* the file was unlinked: do not re-create it */
        goto out_unlock;
    }
    fd = obj_acquire(io, job->fid, write, &slot);
    if (fd == -ENOENT && !write) {
        memset(job->out, 0, job->total); /* never written: all hole */
        job->result = job->total;
        job->objsize = 0;
        goto out_unlock;
    }
    if (fd < 0) {
        job->err = -fd;
        goto out_unlock;
    }
    for (i = 0; i < npieces && job->err == 0; i = end) {
        /* sieving assumes sorted, disjoint pieces */
        end = ordered ? pfs_sio_sieve_window(pieces, npieces, i, &scan) : i;
        if (end > i &&
            (sbuf != NULL || (sbuf = malloc(PFS_SIO_SIEVE_MAX)) != NULL)) {
            job->err = sieve(fd, pieces + i, end - i, base, write, sbuf);
            job->sieved += end - i;
            continue;
        }
        end = pfs_sio_next_call(pieces, npieces, i, MAX_IOV);
        job->err = do_group(fd, pieces + i, end - i, base, write);
    }
    if (job->err == 0) {
        job->result = job->total;
        if (!write) {
            job->objsize = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
        }
    }
    obj_release(io, fd, slot);
out_unlock:
    pthread_rwlock_unlock(lock);
    free(sbuf);
    free(pieces);
}

static void run_job(iosrv_t *io, job_t *job)
{
    char path[PATH_MAX];
    fd_slot_t *slot;
    struct stat st;
    int fd, rc;

    job->queued_us = now_us() - job->queued_us;
    job->run_us = now_us();
    if (job->op == PFS_OP_IO_REMOVE || job->op == PFS_OP_IO_TRUNCATE ||
        job->op == PFS_OP_IO_PREALLOC) {
        /* no read, write or sieve of this object in between */
        pthread_rwlock_wrlock(obj_lock(io, job->fid));
    } else if (job->op == PFS_OP_IO_SIZE || job->op == PFS_OP_IO_FSYNC) {
        pthread_rwlock_rdlock(obj_lock(io, job->fid));
    }
    switch (job->op) {
    case PFS_OP_IO_WRITEV:
        run_rw(io, job, 1);
        break;
    case PFS_OP_IO_READV:
        run_rw(io, job, 0);
        break;
    case PFS_OP_IO_SIZE:
        object_path(io, job->fid, path, sizeof(path));
        if (stat(path, &st) == 0) {
            job->result = (uint64_t)st.st_size;
        } else if (errno != ENOENT) {
            job->err = errno;
        }
        break;
    case PFS_OP_IO_REMOVE:
        removed_add(io, job->fid);
        obj_forget(io, job->fid);
        object_path(io, job->fid, path, sizeof(path));
        /* removing what is not there is success: unlink may retry */
        if (unlink(path) != 0 && errno != ENOENT) {
            job->err = errno;
        }
        break;
    case PFS_OP_IO_FSYNC:
        fd = obj_acquire(io, job->fid, 0, &slot);
        if (fd == -ENOENT) {
            break;
        }
        if (fd < 0) {
            job->err = -fd;
            break;
        }
        if (fsync(fd) != 0) {
            job->err = errno;
        }
        obj_release(io, fd, slot);
        break;
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC:
        if (removed_lately(io, job->fid)) {
            job->err = ESTALE;
            break;
        }
        fd = obj_acquire(io, job->fid, 1, &slot);
        if (fd < 0) {
            job->err = -fd;
            break;
        }
        if (job->op == PFS_OP_IO_TRUNCATE) {
            rc = ftruncate(fd, (off_t)job->arg) == 0 ? 0 : errno;
        } else if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= job->arg) {
            rc = 0; /* preallocation never shrinks */
        } else {
            rc = posix_fallocate(fd, 0, (off_t)job->arg);
        }
        job->err = rc;
        obj_release(io, fd, slot);
        break;
    }
    if (job->op != PFS_OP_IO_WRITEV && job->op != PFS_OP_IO_READV) {
        pthread_rwlock_unlock(obj_lock(io, job->fid));
    }
    job->run_us = now_us() - job->run_us;
}

/* ---- thread pool ------------------------------------------------------- */

static void push(job_t **head, job_t **tail, job_t *job)
{
    job->next = NULL;
    if (*tail != NULL) {
        (*tail)->next = job;
    } else {
        *head = job;
    }
    *tail = job;
}

static job_t *pop(job_t **head, job_t **tail)
{
    job_t *job = *head;

    if (job != NULL) {
        *head = job->next;
        if (*head == NULL) {
            *tail = NULL;
        }
    }
    return job;
}

static void *io_thread(void *arg)
{
    iosrv_t *io = arg;
    uint64_t one = 1;

    for (;;) {
        job_t *job;

        pthread_mutex_lock(&io->lock);
        while (io->todo_head == NULL && !io->stopping) {
            pthread_cond_wait(&io->cond, &io->lock);
        }
        job = pop(&io->todo_head, &io->todo_tail);
        pthread_mutex_unlock(&io->lock);
        if (job == NULL) {
            return NULL; /* stopping and nothing left */
        }
        run_job(io, job);
        pthread_mutex_lock(&io->lock);
        push(&io->done_head, &io->done_tail, job);
        pthread_mutex_unlock(&io->lock);
        /* wake the progress thread sleeping in poll() */
        (void)!write(io->efd, &one, sizeof(one));
    }
}

static void submit(iosrv_t *io, job_t *job)
{
    job->queued_us = now_us();
    pthread_mutex_lock(&io->lock);
    push(&io->todo_head, &io->todo_tail, job);
    pthread_cond_signal(&io->cond);
    pthread_mutex_unlock(&io->lock);
}

/* Reads need a reply buffer: admit them while the read budget allows
 * (always one, so a lone big read is never stuck). */
/* Read buffers come from half the memory budget: those being filled and
 * those handed to UCX whose clients have not taken them yet.  A client
 * that stops receiving holds at most an eighth of it; its further reads
 * wait, and everybody else's pass (in arrival order otherwise). */
static int read_admits(iosrv_t *io, const job_t *job)
{
    uint64_t half = io->memory / 2,
             held = io->read_held + pfs_tx_reply_bytes(io->srv->tx),
             mine = pfs_srv_conn_reply_bytes(job->req->conn);

    if (held > 0 && held + job->total > half) {
        return 0;
    }
    return mine == 0 || mine + job->total <= half / 4;
}

static void admit_reads(iosrv_t *io)
{
    job_t *prev = NULL, *next;

    for (job_t *job = io->wait_head; job != NULL; job = next) {
        next = job->next;
        if (!read_admits(io, job)) {
            prev = job;
            continue;
        }
        if (prev != NULL) {
            prev->next = next;
        } else {
            io->wait_head = next;
        }
        if (io->wait_tail == job) {
            io->wait_tail = prev;
        }
        job->next = NULL;
        if (posix_memalign(&job->out, 4096, job->total) != 0) {
            job->err = ENOMEM;
            pthread_mutex_lock(&io->lock);
            push(&io->done_head, &io->done_tail, job);
            pthread_mutex_unlock(&io->lock);
            continue;
        }
        job->reserved = job->total;
        io->read_held += job->total;
        submit(io, job);
    }
}

static void reply_job(iosrv_t *io, job_t *job)
{
    pfs_server_t *srv = io->srv;
    uint8_t body[PFS_IO_REP_MAX];
    char hex[PFS_FID_HEX_LEN + 1];
    pfs_io_rep_t rep;
    size_t len;

    io->read_held -= job->reserved;
    if (job->err != 0) {
        pfs_fid_format(job->fid, hex);
        pfs_log_warn("%s of object %s: %s", pfs_proto_op_name(job->op), hex,
                     strerror(job->err));
        pfs_srv_reply_error(srv->tx, job->req, pfs_status_from_errno(job->err),
                            "I/O server %u: %s of object %s: %s", srv->index,
                            pfs_proto_op_name(job->op), hex,
                            strerror(job->err));
        free(job->out);
    } else {
        rep.result = job->result;
        rep.objsize = job->objsize;
        if (job->op == PFS_OP_IO_READV) {
            srv->bytes_read += job->total;
        } else if (job->op == PFS_OP_IO_WRITEV) {
            srv->bytes_written += job->total;
        }
        if (pfs_proto_io_rep_encode(body, sizeof(body), job->op, &rep,
                                    &len) != PFS_OK) {
            len = 0; /* cannot happen: the reply has a fixed size */
        }
        pfs_log_debug("%s: %u runs, %llu bytes, %llu pieces sieved: queued "
                      "%llu us, ran %llu us",
                      pfs_proto_op_name(job->op), job->nruns,
                      (unsigned long long)job->total,
                      (unsigned long long)job->sieved,
                      (unsigned long long)job->queued_us,
                      (unsigned long long)job->run_us);
        /* the transport frees job->out once sent */
        pfs_srv_reply(srv->tx, job->req, body, len, job->out,
                      job->op == PFS_OP_IO_READV ? job->total : 0);
    }
    free(job->runs);
    free(job);
}

static unsigned iosrv_poll(void *arg, pfs_server_t *srv)
{
    iosrv_t *io = arg;
    unsigned n = 0;
    uint64_t count;
    job_t *done;

    (void)srv;
    if (read(io->efd, &count, sizeof(count)) < 0) {
        count = 0; /* EAGAIN: nothing signalled */
    }
    pthread_mutex_lock(&io->lock);
    done = io->done_head;
    io->done_head = io->done_tail = NULL;
    pthread_mutex_unlock(&io->lock);
    while (done != NULL) {
        job_t *next = done->next;
        reply_job(io, done);
        done = next;
        n++;
    }
    if (io->wait_head != NULL) {
        /* done reads and replies the clients took free read memory */
        admit_reads(io);
    }
    return n;
}

/* ---- local access (local.h) -------------------------------------------- */

#define LOCAL_CLIENTS 256 /* connected local clients at once */

/* Answer one descriptor request on sock: 0 to keep the connection, -1 to
 * close it (end of file, or a request not worth another chance). */
static int local_answer(iosrv_t *io, int sock)
{
    uint8_t buf[PFS_LOCAL_REQ_SIZE + 1], rep[PFS_LOCAL_REP_MAX];
    char path[PATH_MAX], msg[200] = "";
    pfs_status_t st = PFS_OK;
    pfs_local_req_t req;
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    int fd = -1, passed, rc;
    ssize_t n;
    size_t len;

    n = pfs_local_recv(sock, buf, sizeof(buf), &passed);
    if (passed >= 0) {
        close(passed); /* clients have nothing to pass */
    }
    if (n == -EAGAIN) {
        return 0;
    }
    if (n <= 0) {
        return -1;
    }
    if (pfs_local_req_decode(buf, (size_t)n, &req) != PFS_OK) {
        st = PFS_ERR_PROTO;
        snprintf(msg, sizeof(msg), "malformed local access request");
    } else if (!pfs_key_equal(req.key, io->srv->ens.key)) {
        st = PFS_ERR_AUTH;
        snprintf(msg, sizeof(msg), "wrong cluster key");
    } else if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
               (cred.uid != geteuid() && cred.uid != 0)) {
        /* another user could not open the object files either */
        st = PFS_ERR_ACCESS;
        snprintf(msg, sizeof(msg),
                 "local access is for uid %u (the server's) and root",
                 (unsigned)geteuid());
    } else {
        pthread_rwlock_t *lock = obj_lock(io, req.fid);
        int write = (req.flags & PFS_LOCAL_WRITE) != 0;

        object_path(io, req.fid, path, sizeof(path));
        pthread_rwlock_rdlock(lock);
        if (write && removed_lately(io, req.fid)) {
            st = PFS_ERR_STALE; /* the file was unlinked */
        } else {
            /* a file description of the client's own: its OFD locks
             * must conflict with the server's sieving (local.h) */
            fd = open(path, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC,
                      0600);
            if (fd < 0) {
                st = pfs_status_from_errno(errno);
                snprintf(msg, sizeof(msg), "%s", strerror(errno));
            }
        }
        pthread_rwlock_unlock(lock);
    }
    if (st == PFS_ERR_PROTO || st == PFS_ERR_AUTH) {
        static pfs_log_limit_t limit; /* the local-access thread's */

        pfs_log_limited(&limit, PFS_LOG_WARN,
                        "local access: %s from pid %d: connection closed", msg,
                     getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0
                         ? (int)cred.pid
                         : -1);
    } else if (st != PFS_OK && st != PFS_ERR_NOENT) {
        pfs_log_debug("local access refused: %s", msg);
    }
    rc = pfs_local_rep_encode(st, msg, rep, &len) == PFS_OK
             ? pfs_local_send(sock, rep, len, fd)
             : EINVAL;
    if (fd >= 0) {
        close(fd);
    }
    /* a client that cannot take its answer at once, or sends garbage or
     * the wrong key, gets no second chance */
    return rc == 0 && st != PFS_ERR_PROTO && st != PFS_ERR_AUTH ? 0 : -1;
}

/* Whether the peer of a new local connection may use local access at all:
 * the servers' user and root only (anybody else could not open the object
 * files either).  Checked at once, so that other users cannot hold the
 * connection slots. */
static int local_peer_allowed(int sock)
{
    struct ucred cred;
    socklen_t clen = sizeof(cred);

    return getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
           (cred.uid == geteuid() || cred.uid == 0);
}

/* Accept local clients and answer their requests until local_stop. */
static void *local_thread(void *arg)
{
    iosrv_t *io = arg;
    struct pollfd pf[2 + LOCAL_CLIENTS];
    nfds_t n = 2, i;
    uint64_t rest_until = 0; /* out of descriptors: not accepting till then */

    pf[0].fd = io->local_stop;
    pf[1].fd = io->local_sock;
    pf[0].events = POLLIN;
    for (;;) {
        int resting = rest_until > now_us();

        pf[1].events = resting ? 0 : POLLIN;
        pf[1].revents = 0;
        if (poll(pf, n, resting ? 100 : -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            pfs_log_error("local access: poll: %s", strerror(errno));
            break;
        }
        if (pf[0].revents != 0) {
            break;
        }
        for (i = 2; i < n;) {
            if (pf[i].revents != 0 && local_answer(io, pf[i].fd) != 0) {
                close(pf[i].fd);
                pf[i] = pf[--n]; /* the last one moves here: look at it */
                continue;
            }
            i++;
        }
        if (pf[1].revents & POLLIN) {
            int s = accept4(io->local_sock, NULL, NULL,
                            SOCK_CLOEXEC | SOCK_NONBLOCK);

            if (s >= 0 && n < 2 + LOCAL_CLIENTS && local_peer_allowed(s)) {
                pf[n].fd = s;
                pf[n].events = POLLIN;
                pf[n].revents = 0;
                n++;
            } else if (s >= 0) {
                /* full, or another user: that client uses the server path */
                close(s);
            } else if (errno == EMFILE || errno == ENFILE ||
                       errno == ENOBUFS || errno == ENOMEM) {
                /* the connection stays queued and poll would report it
                 * again at once: rest instead of spinning */
                pfs_log_warn("local access: accept: %s", strerror(errno));
                rest_until = now_us() + 100000;
            }
        }
    }
    for (i = 2; i < n; i++) {
        close(pf[i].fd);
    }
    return NULL;
}

/* Listen for local clients.  Failing to is not fatal: clients then go
 * through the server for everything. */
static void local_start(iosrv_t *io)
{
    struct sockaddr_un sa;
    socklen_t len;

    if (!io->local_on) {
        pfs_log_info("local access off (--local-access off)");
        return;
    }
    pfs_local_sockaddr(io->srv->ens.key, io->srv->index, &sa, &len);
    io->local_sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    io->local_stop = eventfd(0, EFD_CLOEXEC);
    if (io->local_sock < 0 || io->local_stop < 0 ||
        bind(io->local_sock, (struct sockaddr *)&sa, len) != 0 ||
        listen(io->local_sock, 64) != 0 ||
        pthread_create(&io->local_thread, NULL, local_thread, io) != 0) {
        pfs_log_warn("local access off: Unix socket @%s: %s",
                     sa.sun_path + 1, strerror(errno));
        return;
    }
    io->local_started = 1;
    pfs_log_info("local access for clients on this host: @%s (uid %u and "
                 "root)", sa.sun_path + 1, (unsigned)geteuid());
}

static void local_stop(iosrv_t *io)
{
    uint64_t one = 1;

    if (io->local_started) {
        (void)!write(io->local_stop, &one, sizeof(one));
        pthread_join(io->local_thread, NULL);
        io->local_started = 0;
    }
    if (io->local_sock >= 0) {
        close(io->local_sock);
        io->local_sock = -1;
    }
    if (io->local_stop >= 0) {
        close(io->local_stop);
        io->local_stop = -1;
    }
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
    char path[PATH_MAX + 16], hex[33], found[64];
    pfs_status_t st;
    FILE *f;
    int i;

    snprintf(io->dir, sizeof(io->dir), "%s/iosrv.%u", srv->root, srv->index);
    st = pfs_make_dir(io->dir, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    pfs_hex_encode(srv->ens.fsid, sizeof(srv->ens.fsid), hex);
    snprintf(path, sizeof(path), "%s/fsid", io->dir);
    f = fopen(path, "r");
    if (f != NULL) {
        int ok = fscanf(f, "%63s", found) == 1 && strcmp(found, hex) == 0;
        fclose(f);
        if (!ok) {
            snprintf(errmsg, n,
                     "%s belongs to another file system (fsid %s, this "
                     "ensemble is %s)",
                     io->dir, found, hex);
            return PFS_ERR_CONFIG;
        }
    } else {
        f = fopen(path, "w");
        if (f == NULL || fprintf(f, "%s\n", hex) < 0 || fclose(f) != 0) {
            snprintf(errmsg, n, "cannot write %s: %s", path, strerror(errno));
            return PFS_ERR_IO;
        }
    }
    snprintf(path, sizeof(path), "%s/objects", io->dir);
    st = pfs_make_dir(path, errmsg, n);
    for (i = 0; i < 256 && st == PFS_OK; i++) {
        snprintf(path, sizeof(path), "%s/objects/%02x", io->dir, i);
        st = pfs_make_dir(path, errmsg, n);
    }
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
    unsigned i;
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
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        if (io->cache[i].fd >= 0) {
            close(io->cache[i].fd);
            io->cache[i].fd = -1;
        }
    }
    if (io->efd >= 0) {
        close(io->efd);
    }
}

/* ---- requests ---------------------------------------------------------- */

static void reject(iosrv_t *io, pfs_srv_req_t *req, job_t *job,
                   pfs_status_t st, const char *what)
{
    pfs_srv_reply_error(io->srv->tx, req, st, "%s %s request",
                        what, pfs_proto_op_name(req->hdr.opcode));
    free(job->runs);
    free(job);
}

static void iosrv_handle(void *arg, pfs_srv_req_t *req)
{
    iosrv_t *io = arg;
    pfs_io_req_t m;
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
        if (pfs_proto_fid_req_decode(req->body, req->hdr.body_len,
                                     &job->fid) != PFS_OK) {
            reject(io, req, job, PFS_ERR_PROTO, "malformed");
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
            push(&io->wait_head, &io->wait_tail, job);
            admit_reads(io);
        }
        return;
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC:
        st = pfs_proto_io_req_decode(req->body, req->hdr.body_len, &m);
        if (st != PFS_OK) {
            reject(io, req, job, st, "malformed");
            return;
        }
        job->fid = m.fid;
        job->arg = m.offset;
        submit(io, job);
        return;
    case PFS_OP_IO_SIZE:
    case PFS_OP_IO_REMOVE:
    case PFS_OP_IO_FSYNC:
        if (pfs_proto_fid_req_decode(req->body, req->hdr.body_len,
                                     &job->fid) != PFS_OK) {
            reject(io, req, job, PFS_ERR_PROTO, "malformed");
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

    io.nthreads = (int)PFS_MAX(1, PFS_MIN(sysconf(_SC_NPROCESSORS_ONLN),
                                          MAX_THREADS));
    io.memory = DEFAULT_MEMORY;
    io.efd = -1;
    io.local_on = 1;
    io.local_sock = -1;
    io.local_stop = -1;
    pthread_mutex_init(&io.lock, NULL);
    pthread_cond_init(&io.cond, NULL);
    pthread_mutex_init(&io.cache_lock, NULL);
    pthread_mutex_init(&io.removed_lock, NULL);
    for (int i = 0; i < (int)OBJ_LOCKS; i++) {
        pthread_rwlock_init(&io.obj_locks[i], NULL);
    }
    return pfs_server_main(&ops, &io, argc, argv);
}
