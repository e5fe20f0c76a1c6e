/* exec.c - executing the I/O server's requests (iosrv.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iosrv.h"
#include "local.h"
#include "log.h"

/* Server-side data sieving (sio.h: pfs_sio_sieve_window): small pieces
 * close together are served with one read (and for writes one write back)
 * of the whole span instead of a system call each.  Safe here, unlike in a
 * client library, because every writer of an object takes the same lock:
 * the server's threads a per-object lock, and with local access the
 * clients on this host too, through an OFD lock on the object's file
 * (pioi_local_exec), so the read-modify-write is atomic. */

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

/* REMOVE: each object on its own; one that cannot be removed does not
 * stop the others (the MDS retries it alone). */
static void run_remove(iosrv_t *io, job_t *job)
{
    char path[PATH_MAX];
    uint32_t i;

    for (i = 0; i < job->nfids; i++) {
        pfs_fid_t fid = job->fids[i];

        /* no read, write or sieve of this object in between */
        pthread_rwlock_wrlock(obj_lock(io, fid));
        removed_add(io, fid);
        obj_forget(io, fid);
        object_path(io, fid, path, sizeof(path));
        /* removing what is not there is success: the MDS may retry */
        if (unlink(path) != 0 && errno != ENOENT) {
            job->sts[i] = pfs_status_from_errno(errno);
            job->err = errno; /* the last failure, for the log */
            job->fid = fid;
        }
        pthread_rwlock_unlock(obj_lock(io, fid));
    }
    job->result = job->nfids;
}

/* SIZE in the progress thread, like STATFS: a stat costs less than the
 * two thread hand-offs of a job (open + MPI_File_get_size went from
 * 11,245 to 14,673/s).  Only when the object's lock is free at once: a
 * truncate, preallocation or removal under way sends it to a thread. */
int size_now(iosrv_t *io, job_t *job)
{
    pthread_rwlock_t *lock = obj_lock(io, job->fid);
    char path[PATH_MAX];
    struct stat st;

    if (pthread_rwlock_tryrdlock(lock) != 0) {
        return 0;
    }
    object_path(io, job->fid, path, sizeof(path));
    if (stat(path, &st) == 0) {
        job->result = (uint64_t)st.st_size;
    } else if (errno != ENOENT) {
        job->err = errno;
    }
    pthread_rwlock_unlock(lock);
    return 1;
}

void run_job(iosrv_t *io, job_t *job)
{
    char path[PATH_MAX];
    fd_slot_t *slot;
    struct stat st;
    int fd, rc;

    job->queued_us = now_us() - job->queued_us;
    job->run_us = now_us();
    if (job->op == PFS_OP_IO_REMOVE) {
        run_remove(io, job);
        job->run_us = now_us() - job->run_us;
        return;
    }
    if (job->op == PFS_OP_IO_TRUNCATE || job->op == PFS_OP_IO_PREALLOC) {
        /* no read, write or sieve of this object in between */
        pthread_rwlock_wrlock(obj_lock(io, job->fid));
    } else if (job->op == PFS_OP_IO_SIZE || job->op == PFS_OP_IO_FSYNC) {
        pthread_rwlock_rdlock(obj_lock(io, job->fid));
    }
    switch (job->op) {
    case PFS_OP_IO_WRITEV: run_rw(io, job, 1); break;
    case PFS_OP_IO_READV: run_rw(io, job, 0); break;
    case PFS_OP_IO_SIZE:
        object_path(io, job->fid, path, sizeof(path));
        if (stat(path, &st) == 0) {
            job->result = (uint64_t)st.st_size;
        } else if (errno != ENOENT) {
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

static job_t *pop(struct job_queue *q)
{
    job_t *job = TAILQ_FIRST(q);

    if (job != NULL) {
        TAILQ_REMOVE(q, job, link);
    }
    return job;
}

void *io_thread(void *arg)
{
    iosrv_t *io = arg;
    uint64_t one = 1;

    for (;;) {
        job_t *job;

        pthread_mutex_lock(&io->lock);
        while (TAILQ_EMPTY(&io->todo) && !io->stopping) {
            pthread_cond_wait(&io->cond, &io->lock);
        }
        job = pop(&io->todo);
        pthread_mutex_unlock(&io->lock);
        if (job == NULL) {
            return NULL; /* stopping and nothing left */
        }
        run_job(io, job);
        pthread_mutex_lock(&io->lock);
        TAILQ_INSERT_TAIL(&io->done, job, link);
        pthread_mutex_unlock(&io->lock);
        /* wake the progress thread sleeping in poll() */
        (void)!write(io->efd, &one, sizeof(one));
    }
}

void submit(iosrv_t *io, job_t *job)
{
    job->queued_us = now_us();
    pthread_mutex_lock(&io->lock);
    TAILQ_INSERT_TAIL(&io->todo, job, link);
    pthread_cond_signal(&io->cond);
    pthread_mutex_unlock(&io->lock);
}

/* Reads need a reply buffer: admit them while the read budget allows
 * (always one, so a lone big read is never stuck). */
/* Read buffers come from half the memory budget: those being filled and
 * those handed to UCX whose clients have not taken them yet.  A client
 * that stops receiving holds at most an eighth of it; its further reads
 * wait, and everybody else's pass (in arrival order otherwise). */
int read_admits(iosrv_t *io, const job_t *job)
{
    uint64_t half = io->memory / 2,
             held = io->read_held + pfs_tx_reply_bytes(io->srv->tx),
             mine = pfs_srv_conn_reply_bytes(job->req->conn);

    if (held > 0 && held + job->total > half) {
        return 0;
    }
    return mine == 0 || mine + job->total <= half / 4;
}

void admit_reads(iosrv_t *io)
{
    job_t *next;

    for (job_t *job = TAILQ_FIRST(&io->wait); job != NULL; job = next) {
        next = TAILQ_NEXT(job, link);
        if (!read_admits(io, job)) {
            continue;
        }
        TAILQ_REMOVE(&io->wait, job, link);
        if (posix_memalign(&job->out, 4096, job->total) != 0) {
            job->err = ENOMEM;
            pthread_mutex_lock(&io->lock);
            TAILQ_INSERT_TAIL(&io->done, job, link);
            pthread_mutex_unlock(&io->lock);
            continue;
        }
        job->reserved = job->total;
        io->read_held += job->total;
        submit(io, job);
    }
}

void job_free(job_t *job)
{
    free(job->runs);
    free(job->fids);
    free(job->sts);
    free(job);
}

/* REMOVE's reply: a status per object, failures logged. */
static void reply_remove(iosrv_t *io, job_t *job)
{
    uint8_t body[PFS_REMOVE_REP_MAX];
    char hex[PFS_FID_HEX_LEN + 1];
    size_t len;

    if (job->err != 0) {
        pfs_fid_format(job->fid, hex);
        pfs_log_warn("remove of object %s: %s (the metadata server will "
                     "try again)",
                     hex, strerror(job->err));
    }
    if (pfs_proto_remove_rep_encode(body, sizeof(body), job->sts, job->nfids,
                                    &len) != PFS_OK) {
        pfs_srv_reply_error(io->srv->tx, job->req, PFS_ERR_INTERNAL,
                            "cannot encode a remove reply");
    } else {
        pfs_log_debug("remove: %u objects: queued %llu us, ran %llu us",
                      job->nfids, (unsigned long long)job->queued_us,
                      (unsigned long long)job->run_us);
        pfs_srv_reply(io->srv->tx, job->req, body, len, NULL, 0);
    }
    job_free(job);
}

void reply_job(iosrv_t *io, job_t *job)
{
    pfs_server_t *srv = io->srv;
    uint8_t body[PFS_IO_REP_MAX];
    char hex[PFS_FID_HEX_LEN + 1];
    pfs_io_rep_t rep;
    size_t len;

    if (job->op == PFS_OP_IO_REMOVE) {
        reply_remove(io, job);
        return;
    }
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
        if (pfs_proto_io_rep_encode(body, sizeof(body), job->op, &rep, &len) !=
            PFS_OK) {
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
    job_free(job);
}

unsigned iosrv_poll(void *arg, pfs_server_t *srv)
{
    iosrv_t *io = arg;
    unsigned n = 0;
    uint64_t count;
    struct job_queue done = TAILQ_HEAD_INITIALIZER(done);
    job_t *job;

    (void)srv;
    if (read(io->efd, &count, sizeof(count)) < 0) {
        count = 0; /* EAGAIN: nothing signalled */
    }
    pthread_mutex_lock(&io->lock);
    TAILQ_CONCAT(&done, &io->done, link);
    pthread_mutex_unlock(&io->lock);
    while ((job = pop(&done)) != NULL) {
        reply_job(io, job);
        n++;
    }
    if (!TAILQ_EMPTY(&io->wait)) {
        /* done reads and replies the clients took free read memory */
        admit_reads(io);
    }
    return n;
}

/* A read that needs reply memory: it waits its turn (read_admits) */
void queue_read(iosrv_t *io, job_t *job)
{
    TAILQ_INSERT_TAIL(&io->wait, job, link);
    admit_reads(io);
}
