/* iosrv.h - the I/O server's modules, internal to pfs-iosrv:
 *   objstore.c  objects: paths, the descriptor cache, write locks, the
 *               memory of removed file ids, the data directory
 *   exec.c      execution: planning and sieving a request, the I/O
 *               thread pool, read admission, replies
 *   local_srv.c local access: the thread that hands out descriptors
 *   cap_check.c capabilities: verifying them, with a cache of verified ones
 *   iosrv_main.c options, start-up, request dispatch, main
 */
#ifndef PFS_IOSRV_H
#define PFS_IOSRV_H

#include <limits.h>
#include <pthread.h>
#include <sys/queue.h>
#include <stdint.h>
#include <time.h>

#include "server.h"
#include "sio.h"

#define FD_CACHE_SIZE 256u /* open objects kept, direct-mapped by id */
#define DEFAULT_MEMORY (UINT64_C(512) << 20)
#define MAX_THREADS 64
#define MAX_IOV 1024        /* Linux UIO_MAXIOV */
#define OBJ_LOCKS 64u       /* write locks, hashed by object id */
#define REMOVED_SLOTS 65536 /* 1 MiB of recently removed file ids */

typedef struct {
    pfs_fid_t fid;
    int fd;     /* -1: empty slot */
    int refs;   /* threads using fd now */
    int doomed; /* removed: close when the last user lets go */
} fd_slot_t;

/* One data or object operation, run by an I/O thread. */
typedef struct job {
    TAILQ_ENTRY(job) link; /* in one of iosrv_t's queues */
    pfs_srv_req_t *req;
    uint16_t op;
    pfs_fid_t fid;
    uint64_t arg;    /* truncate/prealloc: object size */
    pfs_run_t *runs; /* readv/writev */
    uint32_t nruns;
    uint64_t total;      /* bytes the runs cover */
    const uint8_t *data; /* writev: payload after the run list */
    pfs_fid_t *fids;     /* remove: the objects (fid is the first) */
    pfs_status_t *sts;   /* remove: one status per object */
    uint32_t nfids;
    uint64_t reserved; /* read memory taken from the budget */
    /* results */
    int err;            /* errno of the failure, 0 on success */
    uint64_t result;    /* bytes moved, object size ... */
    uint64_t objsize;   /* readv: object size after the read */
    void *out;          /* readv: reply payload (malloc'd) */
    uint64_t sieved;    /* pieces served by data sieving */
    uint64_t queued_us; /* time waiting for a thread */
    uint64_t run_us;    /* time executing */
} job_t;

TAILQ_HEAD(job_queue, job);

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
    struct job_queue todo, done;
    struct job_queue wait; /* reads waiting for memory */
    int efd;               /* eventfd: done jobs are waiting */
    int stopping;
    pthread_t threads[MAX_THREADS];
    int started;
    /* local access (local.h): a thread answering descriptor requests */
    int local_on;   /* --local-access on|off */
    int local_sock; /* listening Unix socket, -1: none */
    int local_stop; /* eventfd that ends the thread */
    pthread_t local_thread;
    int local_started;
    /* capabilities verified lately (cap_check.c); the progress thread
     * and the local-access thread share it */
    struct cap_cache *caps;
    pthread_mutex_t caps_lock;
} iosrv_t;

static inline uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- objstore.c ---------------------------------------------------------- */

void object_path(const iosrv_t *io, pfs_fid_t fid, char *out, size_t size);
fd_slot_t *cache_slot(iosrv_t *io, pfs_fid_t fid);
void cache_shed(iosrv_t *io);
int obj_acquire(iosrv_t *io, pfs_fid_t fid, int create, fd_slot_t **slot_p);
void obj_release(iosrv_t *io, int fd, fd_slot_t *slot);
void obj_forget(iosrv_t *io, pfs_fid_t fid);
pthread_rwlock_t *obj_lock(iosrv_t *io, pfs_fid_t fid);
void removed_add(iosrv_t *io, pfs_fid_t fid);
int removed_lately(iosrv_t *io, pfs_fid_t fid);
/* claim (or check) ROOT/iosrv.N and its object directories; close every
 * cached descriptor at the end */
pfs_status_t objstore_open(iosrv_t *io, char *errmsg, size_t n);
void objstore_close(iosrv_t *io);

/* ---- exec.c -------------------------------------------------------------- */

void run_job(iosrv_t *io, job_t *job);
int size_now(iosrv_t *io, job_t *job); /* 1: done here, reply it */
void *io_thread(void *arg);
void submit(iosrv_t *io, job_t *job);
void admit_reads(iosrv_t *io);
void queue_read(iosrv_t *io, job_t *job);
unsigned iosrv_poll(void *arg, pfs_server_t *srv);
int read_admits(iosrv_t *io, const job_t *job);
void reply_job(iosrv_t *io, job_t *job);
void job_free(job_t *job); /* and what it holds */

/* ---- cap_check.c --------------------------------------------------------- */

/* Whether c, as presented to this server, allows `need` (any of those
 * rights, pfs_cap_rights_for): PFS_OK; PFS_ERR_CAP (not made with the
 * servers' key: forged or damaged), PFS_ERR_CAP_EXPIRED or PFS_ERR_ACCESS
 * (rights, or this server not in the file's layout), with why set.
 * A capability whose MAC was verified lately is found in a cache, by its
 * whole content: only its expiry is checked again.  Thread safe. */
pfs_status_t cap_check(iosrv_t *io, const pfs_cap_t *c, uint32_t need,
                       char *why, size_t why_size);
void cap_cache_destroy(iosrv_t *io);

/* ---- local_srv.c --------------------------------------------------------- */

void local_start(iosrv_t *io);
void local_stop(iosrv_t *io);

#endif
