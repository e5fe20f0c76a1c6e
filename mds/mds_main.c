/* mds_main.c - pfs-mds: the metadata server (namespace, attributes, layouts). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "mds_lease.h"
#include "mds_reap.h"
#include "mds_store.h"
#include "server.h"

#define MDS_DEFAULT_STRIPE_SIZE (UINT64_C(1) << 20)
#define MDS_DEFAULT_STRIPE_COUNT UINT32_MAX /* all I/O servers */
#define MDS_MAX_PAYLOAD    (4u * PFS_CRED_MAX_GROUPS) /* HELLO's groups */
#define MDS_PAYLOAD_BUDGET (UINT64_C(32) << 20)

/* A reply held back until its operation is durable. */
typedef struct held_reply {
    struct held_reply *next;
    pfs_srv_req_t *req;
    size_t len;
    uint8_t body[PFS_RPC_MAX_REPLY];
} held_reply_t;

/* Removal records on their way to the reaper; `lost` if some could not
 * be kept (no memory, or too many): the reaper then reads the store. */
typedef struct {
    mds_removal_t *v;
    size_t n, cap;
    int lost;
} rm_list_t;

#define RM_LIST_MAX (1u << 16)

static void rm_list_push(rm_list_t *l, const pfs_attr_t *attr)
{
    mds_removal_t *rm;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        mds_removal_t *v =
            cap <= RM_LIST_MAX ? realloc(l->v, cap * sizeof(*v)) : NULL;

        if (v == NULL) {
            l->lost = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    rm = &l->v[l->n++];
    rm->fid = attr->fid;
    rm->nservers = attr->layout.stripe_count;
    memcpy(rm->servers, attr->layout.servers,
           rm->nservers * sizeof(rm->servers[0]));
}

/* Append b to a and empty b. */
static void rm_list_move(rm_list_t *a, rm_list_t *b)
{
    size_t i;

    if (a->n == 0 && !a->lost) {
        free(a->v);
        *a = *b;
        memset(b, 0, sizeof(*b));
        return;
    }
    a->lost |= b->lost;
    for (i = 0; i < b->n && !a->lost; i++) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? 2 * a->cap : 64;
            mds_removal_t *v =
                cap <= RM_LIST_MAX ? realloc(a->v, cap * sizeof(*v)) : NULL;

            if (v == NULL) {
                a->lost = 1;
                break;
            }
            a->v = v;
            a->cap = cap;
        }
        a->v[a->n++] = b->v[i];
    }
    free(b->v);
    memset(b, 0, sizeof(*b));
}

typedef enum {
    DURABLE = 0,  /* reply after the operation is on disk (group commit) */
    PERIODIC = 1  /* reply at once; sync every PERIODIC_MS */
} durability_t;

#define PERIODIC_MS 1000
#define MDS_DEFAULT_CAP_LIFETIME_MS (UINT64_C(3600) * 1000u)

typedef struct {
    pfs_server_t *srv;
    mds_store_t *store;
    /* group commit: operations write without syncing; their replies wait
     * in `held` until the commit thread has synced the log once for the
     * whole group, while this thread goes on serving */
    durability_t durability;
    held_reply_t *held, **held_tail;      /* waiting for the next commit */
    held_reply_t *committing;             /* in the commit being synced */
    pthread_t committer;
    int committer_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int commit_requested, commit_done, stopping, dirty;
    int commit_busy;                      /* the committer uses the store */
    /* a broken store (a write failed): reopened once there is room */
    int store_broken_logged;
    uint64_t next_recover_ms;
    pfs_status_t commit_status;
    int efd;                              /* commit done -> progress loop */
    uint64_t commits, committed_ops;
    /* removal of data objects: the reaper acts only on unlinks that are
     * durable.  rm_new holds the removals written since the commit thread
     * last looked; rm_snap, those the published snapshot covers, which
     * the reaper takes with it (it reads the store itself only at start
     * and for servers that come back). */
    mds_reaper_t *reaper;
    rm_list_t rm_new, rm_snap;
    mds_store_snap_t *snap_ready;         /* published, not yet adopted */
    mds_leases_t *leases;                 /* write leases, in memory */
    char descriptor[PATH_MAX];
    int descriptor_set;
    uint64_t stripe_size;
    uint32_t stripe_count;
    uint64_t cap_lifetime_ms;             /* of the capabilities issued */
} mds_t;

static const char mds_usage[] =
    "\n"
    "metadata server options:\n"
    "  -d, --descriptor PATH  where to write the ensemble descriptor\n"
    "                         (default: ROOT/ensemble)\n"
    "  -s, --stripe-size N    default stripe size, e.g. 1m (default 1m)\n"
    "  -c, --stripe-count N   default stripe count (default: all servers)\n"
    "  -D, --durability P     durable (default): an operation is on disk\n"
    "                         before it is acknowledged; concurrent ones\n"
    "                         share one sync (group commit).  periodic:\n"
    "                         acknowledged at once, synced every second; a\n"
    "                         crash of the machine loses up to 1 s of\n"
    "                         operations (a crash of pfs-mds alone loses\n"
    "                         nothing: the data is in the kernel)\n"
    "  -C, --cap-lifetime S   capabilities issued at open are valid S\n"
    "                         seconds (default 3600); libpio renews them\n"
    "\n"
    "The namespace is kept in ROOT/mds (LevelDB).\n";

static int mds_parse_option(void *arg, const char *opt, const char *value)
{
    mds_t *mds = arg;
    uint64_t v;

    switch (opt[0]) {
    case 'd':
        if (strlen(value) >= sizeof(mds->descriptor)) {
            return -1;
        }
        snprintf(mds->descriptor, sizeof(mds->descriptor), "%s", value);
        mds->descriptor_set = 1;
        return 1;
    case 's':
        if (pfs_parse_size(value, &v) != PFS_OK ||
            v < PFS_LAYOUT_MIN_STRIPE_SIZE || v > PFS_LAYOUT_MAX_STRIPE_SIZE ||
            v % 512 != 0) {
            return -1;
        }
        mds->stripe_size = v;
        return 1;
    case 'c':
        if (pfs_parse_size(value, &v) != PFS_OK || v == 0 ||
            v > PFS_LAYOUT_MAX_STRIPES) {
            return -1;
        }
        mds->stripe_count = (uint32_t)v;
        return 1;
    case 'C':
        if (pfs_parse_size(value, &v) != PFS_OK || v == 0 || v > 86400 * 7) {
            return -1;
        }
        mds->cap_lifetime_ms = v * 1000u;
        return 1;
    case 'D':
        if (strcmp(value, "durable") == 0) {
            mds->durability = DURABLE;
        } else if (strcmp(value, "periodic") == 0) {
            mds->durability = PERIODIC;
        } else {
            return -1;
        }
        return 1;
    }
    return 0;
}

static pfs_status_t mds_prepare(void *arg, pfs_server_t *srv, char *errmsg,
                                size_t n)
{
    mds_t *mds = arg;
    char dir[PATH_MAX];
    pfs_status_t st;

    mds->srv = srv;
    st = pfs_make_dir(srv->root, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    snprintf(dir, sizeof(dir), "%s/mds", srv->root);
    st = pfs_make_dir(dir, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    /* writes are not synced one by one: the commit thread syncs groups */
    st = mds_store_open(dir, 0, &mds->store, errmsg, n);
    if (st != PFS_OK) {
        char cause[400];
        snprintf(cause, sizeof(cause), "%s", errmsg);
        snprintf(errmsg, n,
                 "cannot open the metadata store in %s: %s (another pfs-mds "
                 "on the same --root?)",
                 dir, cause);
        return st;
    }
    if (!mds->descriptor_set) {
        snprintf(mds->descriptor, sizeof(mds->descriptor), "%s/ensemble",
                 srv->root);
    }
    srv->descriptor = mds->descriptor;
    mds_store_fsid(mds->store, srv->ens.fsid);
    return PFS_OK;
}

/* The commit thread: one log sync per group of operations (durable), or
 * one per PERIODIC_MS while anything was written (periodic). */
static void *committer(void *arg)
{
    mds_t *mds = arg;
    uint64_t one = 1;

    pthread_mutex_lock(&mds->lock);
    for (;;) {
        pfs_status_t st;

        while (!mds->commit_requested && !mds->stopping) {
            if (mds->durability == PERIODIC) {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += PERIODIC_MS / 1000;
                pthread_cond_timedwait(&mds->cond, &mds->lock, &ts);
                if (mds->dirty) {
                    break;
                }
            } else {
                pthread_cond_wait(&mds->cond, &mds->lock);
            }
        }
        if (mds->stopping && !mds->commit_requested && !mds->dirty) {
            break;
        }
        mds_store_snap_t *snap;
        rm_list_t removals = mds->rm_new;

        memset(&mds->rm_new, 0, sizeof(mds->rm_new));
        mds->commit_requested = 0;
        mds->dirty = 0;
        mds->commit_busy = 1;
        pthread_mutex_unlock(&mds->lock);
        /* what the snapshot shows was written before the sync below */
        snap = mds_store_snapshot(mds->store);
        st = mds_store_sync(mds->store);
        pthread_mutex_lock(&mds->lock);
        if (st == PFS_OK && snap != NULL) {
            mds_store_snapshot_release(mds->store, mds->snap_ready);
            mds->snap_ready = snap;
            rm_list_move(&mds->rm_snap, &removals);
        } else {
            mds_store_snapshot_release(mds->store, snap);
            /* the next sync covers them */
            rm_list_move(&removals, &mds->rm_new);
            mds->rm_new = removals;
        }
        mds->commit_status = st;
        mds->commit_done = 1;
        mds->commit_busy = 0;
        (void)!write(mds->efd, &one, sizeof(one));
    }
    pthread_mutex_unlock(&mds->lock);
    return NULL;
}

/* A write failed (disk full, read-only, I/O error): say so once, and
 * reopen the store every second once there is room (mds_store_recover);
 * meanwhile reads are served and writes fail with the same error. */
static void store_check(mds_t *mds)
{
    char msg[256], err[256];
    uint64_t now = pfs_now_ms();
    pfs_status_t st = mds_store_broken(mds->store, msg, sizeof(msg));

    if (st == PFS_OK) {
        return;
    }
    if (!mds->store_broken_logged) {
        pfs_log_error("metadata store: a write failed: %s (%s); reads go "
                      "on, every change fails until the store can be "
                      "reopened",
                      pfs_status_string(st), msg);
        mds->store_broken_logged = 1;
    }
    if (now < mds->next_recover_ms) {
        return;
    }
    mds->next_recover_ms = now + 1000;
    pthread_mutex_lock(&mds->lock);
    if (mds->commit_busy) {
        pthread_mutex_unlock(&mds->lock);
        return;
    }
    /* no snapshot may outlive the database it was taken of */
    mds_store_snapshot_release(mds->store, mds->snap_ready);
    mds->snap_ready = NULL;
    if (mds->reaper != NULL) {
        mds_reaper_adopt(mds->reaper, NULL, NULL, 0, 0);
    }
    st = mds_store_recover(mds->store, err, sizeof(err));
    pthread_mutex_unlock(&mds->lock);
    if (st == PFS_OK) {
        pfs_log_info("metadata store reopened: changes are accepted again");
        mds->store_broken_logged = 0;
    } else if (st != PFS_ERR_BUSY) {
        /* closed and not reopened: nothing can be served any more, not
         * even reads; what was durable is in the store for the next run */
        pfs_log_error("cannot reopen the metadata store: %s; exiting", err);
        exit(1);
    }
    if (mds->reaper != NULL) {
        /* the reaper reads through a snapshot: a new one (all of the
         * reopened store is durable) */
        mds_reaper_adopt(mds->reaper, mds_store_snapshot(mds->store), NULL, 0,
                         1);
    }
}

/* Progress loop hook: answer the group whose commit finished, and start
 * the next commit for what came in meanwhile. */
static unsigned mds_poll(void *arg, pfs_server_t *srv)
{
    mds_t *mds = arg;
    held_reply_t *done = NULL, *h;
    mds_store_snap_t *snap = NULL;
    pfs_status_t st = PFS_OK;
    rm_list_t removals = {0};
    uint64_t count;
    unsigned n = 0;

    if (read(mds->efd, &count, sizeof(count)) < 0) {
        count = 0;
    }
    store_check(mds);
    pthread_mutex_lock(&mds->lock);
    if (mds->snap_ready != NULL) {
        snap = mds->snap_ready;
        removals = mds->rm_snap;
        memset(&mds->rm_snap, 0, sizeof(mds->rm_snap));
        mds->snap_ready = NULL;
    }
    if (mds->commit_done) {
        mds->commit_done = 0;
        done = mds->committing;
        mds->committing = NULL;
        st = mds->commit_status;
    }
    if (mds->committing == NULL && mds->held != NULL &&
        !mds->commit_requested) {
        /* next group: everything that arrived while the last one synced */
        mds->committing = mds->held;
        mds->held = NULL;
        mds->held_tail = &mds->held;
        mds->commit_requested = 1;
        pthread_cond_signal(&mds->cond);
    }
    pthread_mutex_unlock(&mds->lock);
    if (done != NULL) {
        mds->commits++;
    }
    while ((h = done) != NULL) {
        done = h->next;
        if (st == PFS_OK) {
            pfs_srv_reply(srv->tx, h->req, h->body, h->len, NULL, 0);
        } else {
            pfs_srv_reply_error(srv->tx, h->req, st,
                                "the metadata store could not sync: the "
                                "operation may or may not have persisted");
        }
        mds->committed_ops++;
        free(h);
        n++;
    }
    if (mds->reaper == NULL) {
        mds_store_snapshot_release(mds->store, snap);
        free(removals.v);
        return n;
    }
    if (snap != NULL) {
        mds_reaper_adopt(mds->reaper, snap, removals.v, removals.n,
                         removals.lost);
    }
    free(removals.v);
    return n + mds_reaper_poll(mds->reaper);
}

/* Answer a successful namespace change: at once if the policy allows it,
 * else after the next group commit.  removed (may be NULL): the file
 * whose data objects the change recorded for removal (unlink, rename
 * over a file). */
static void reply_after_commit(mds_t *mds, pfs_srv_req_t *req, const void *body,
                               size_t len, const pfs_attr_t *removed)
{
    held_reply_t *h;

    if (mds->durability == PERIODIC) {
        pthread_mutex_lock(&mds->lock);
        mds->dirty = 1;
        if (removed != NULL) {
            rm_list_push(&mds->rm_new, removed);
        }
        pthread_mutex_unlock(&mds->lock);
        pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
        return;
    }
    h = malloc(sizeof(*h));
    if (h == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    h->next = NULL;
    h->req = req;
    h->len = len;
    if (len > 0) {
        memcpy(h->body, body, len); /* RMDIR, SET_DIR_LAYOUT: no body */
    }
    pthread_mutex_lock(&mds->lock);
    *mds->held_tail = h;
    mds->held_tail = &h->next;
    if (removed != NULL) {
        rm_list_push(&mds->rm_new, removed);
    }
    pthread_mutex_unlock(&mds->lock);
}

/* A client connection is gone: its write leases go with it, so a writer
 * that crashed does not keep its files locked. */
static void conn_closed(void *arg, pfs_srv_conn_t *conn)
{
    mds_t *mds = arg;
    unsigned n = mds_lease_drop_conn(mds->leases, conn);

    if (n > 0) {
        pfs_log_info("client %s (pid %u) went away holding %u write "
                     "lease%s: released",
                     pfs_srv_conn_peer(conn), pfs_srv_conn_pid(conn), n,
                     n == 1 ? "" : "s");
    }
}

static pfs_status_t mds_join(void *arg, pfs_server_t *srv, char *errmsg,
                             size_t n)
{
    mds_t *mds = arg;
    uint32_t known = mds_store_niosrv(mds->store);

    /* layouts name I/O servers by index: the set cannot change under an
     * existing namespace */
    if (known != 0 && known != srv->ens.niosrv) {
        snprintf(errmsg, n,
                 "the namespace in %s/mds was created with %u I/O servers; "
                 "this launch has %u",
                 srv->root, known, srv->ens.niosrv);
        return PFS_ERR_CONFIG;
    }
    if (known == 0 && mds_store_set_niosrv(mds->store, srv->ens.niosrv) !=
                          PFS_OK) {
        snprintf(errmsg, n, "cannot record the I/O server count");
        return PFS_ERR_STORE;
    }
    mds->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (mds->efd < 0 ||
        pthread_create(&mds->committer, NULL, committer, mds) != 0) {
        snprintf(errmsg, n, "cannot start the commit thread");
        return PFS_ERR_NOMEM;
    }
    mds->committer_started = 1;
    pfs_tx_set_wake_fd(srv->tx, mds->efd);
    /* the MDS's requests carry small payloads only (a caller's groups,
     * RENAME's paths): refuse anything larger before receiving it */
    pfs_tx_set_max_payload(srv->tx, MDS_MAX_PAYLOAD);
    pfs_tx_set_memory_budget(srv->tx, MDS_PAYLOAD_BUDGET);
    /* removals left by an earlier run: the store was synced when it
     * opened (new epoch), so all of it is durable */
    if (mds_reaper_create(srv, mds->store, &mds->reaper) != PFS_OK) {
        snprintf(errmsg, n, "cannot set up the removal of data objects");
        return PFS_ERR_NOMEM;
    }
    mds_reaper_adopt(mds->reaper, mds_store_snapshot(mds->store), NULL, 0, 1);
    if (mds_leases_create(&mds->leases) != PFS_OK) {
        snprintf(errmsg, n, "cannot set up the write leases");
        return PFS_ERR_NOMEM;
    }
    pfs_tx_set_close_handler(srv->tx, conn_closed, mds);
    return PFS_OK;
}

static void mds_cleanup(void *arg, pfs_server_t *srv)
{
    mds_t *mds = arg;

    if (srv->tx != NULL) {
        pfs_tx_set_close_handler(srv->tx, NULL, NULL);
    }
    mds_leases_destroy(mds->leases);
    mds->leases = NULL;
    if (mds->committer_started) {
        pthread_mutex_lock(&mds->lock);
        mds->stopping = 1;
        pthread_cond_signal(&mds->cond);
        pthread_mutex_unlock(&mds->lock);
        pthread_join(mds->committer, NULL);
    }
    if (mds->reaper != NULL) {
        pfs_log_info("removed %llu data objects of unlinked files",
                     (unsigned long long)mds_reaper_removed(mds->reaper));
        mds_reaper_destroy(mds->reaper);
        mds->reaper = NULL;
    }
    if (mds->store != NULL) {
        mds_store_snapshot_release(mds->store, mds->snap_ready);
        mds->snap_ready = NULL;
    }
    free(mds->rm_new.v);
    free(mds->rm_snap.v);
    if (mds->store != NULL) {
        (void)mds_store_sync(mds->store); /* a clean stop loses nothing */
    }
    if (mds->efd >= 0) {
        close(mds->efd);
    }
    mds_store_close(mds->store);
    mds->store = NULL;
}

/* Spread files over the servers: the first stripe's server comes from a
 * hash of the id, so consecutive creates start on different servers. */
static uint32_t first_server(pfs_fid_t fid, uint32_t nservers)
{
    uint64_t x = fid.hi * UINT64_C(0x9e3779b97f4a7c15) ^ fid.lo;

    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return (uint32_t)(x % nservers);
}

/* The layout of a new file at path: the request's fields over the
 * parent directory's default over the ensemble's (pfs_layout_resolve).
 * One extra lookup of the parent per create; the store then walks the
 * path again, in the same handler, so nothing changes in between. */
static pfs_status_t choose_layout(mds_t *mds, const char *path,
                                  const pfs_layout_spec_t *asked,
                                  pfs_fid_t fid, pfs_layout_t *layout_p,
                                  char *errmsg, size_t n)
{
    uint32_t nio = mds->srv->ens.niosrv;
    char parent[PFS_PATH_MAX + 1];
    const char *slash = strrchr(path, '/');
    pfs_layout_spec_t dflt;
    pfs_status_t st;

    if (slash == NULL || slash == path) {
        snprintf(parent, sizeof(parent), "/");
    } else {
        snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
    }
    st = mds_store_get_dir_layout(mds->store, parent, &dflt);
    if (st != PFS_OK) {
        return st; /* a missing parent or a file as parent: as create says */
    }
    return pfs_layout_resolve(asked, &dflt, mds->stripe_size,
                              mds->stripe_count, first_server(fid, nio), nio,
                              layout_p, errmsg, n);
}

/* The capability rights an open with PFS_ACCESS_* flags gets: what it
 * asked for (the caller checked it may), and the size of the objects
 * (what any lookup of the path may learn). */
static uint32_t cap_rights(uint32_t access)
{
    return PFS_CAP_STAT | ((access & PFS_ACCESS_READ) ? PFS_CAP_READ : 0) |
           ((access & PFS_ACCESS_WRITE) ? PFS_CAP_WRITE : 0);
}

/* attr and, for a regular file, a capability with rights: the reply of
 * LOOKUP, CREATE and STAT. */
static pfs_status_t encode_attr_cap(mds_t *mds, const pfs_attr_t *attr,
                                    uint32_t rights, uint8_t *body,
                                    size_t cap, size_t *len_p)
{
    pfs_cap_t *c = NULL;
    pfs_status_t st;

    if (attr->type == PFS_FILE_TYPE_REG) {
        c = malloc(sizeof(*c));
        if (c == NULL) {
            return PFS_ERR_NOMEM;
        }
        st = pfs_cap_issue(mds->srv->cap_key, attr->fid, rights,
                           &attr->layout, pfs_cap_now_ms(),
                           mds->cap_lifetime_ms, c);
        if (st != PFS_OK) {
            free(c);
            return st;
        }
    }
    st = pfs_proto_attr_cap_encode(body, cap, attr, c, len_p);
    free(c);
    return st;
}

static void reply_attr_cap(mds_t *mds, pfs_srv_req_t *req,
                           const pfs_attr_t *attr, uint32_t rights)
{
    uint8_t body[PFS_ATTR_CAP_MAX];
    size_t len;

    if (encode_attr_cap(mds, attr, rights, body, sizeof(body), &len) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "cannot make the attributes' reply");
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
}

static void reply_spec(mds_t *mds, pfs_srv_req_t *req,
                       const pfs_layout_spec_t *spec)
{
    uint8_t body[PFS_LAYOUT_SPEC_MAX];
    size_t len;

    if (pfs_proto_layout_spec_encode(body, sizeof(body), spec, &len) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "layout does not fit a reply");
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
}

static void handle_path_op(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1], errmsg[256] = "";
    pfs_path_req_t *m;
    pfs_attr_t attr, out;
    pfs_status_t st;
    int created = 0;

    m = malloc(sizeof(*m));
    if (m == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    st = pfs_proto_path_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed %s request",
                            pfs_proto_op_name(req->hdr.opcode));
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "bad path '%s'", m->path);
        goto out;
    }
    memset(&attr, 0, sizeof(attr));
    attr.mode = m->mode & 07777;
    /* the owner is who the connection says it is, not what the request
     * says (they agree for libpio) */
    attr.uid = pfs_srv_conn_cred(req->conn)->uid;
    attr.gid = pfs_srv_conn_cred(req->conn)->gid;

    switch (req->hdr.opcode) {
    case PFS_OP_MDS_LOOKUP:
        st = mds_store_lookup(mds->store, path, &out);
        if (st == PFS_OK) {
            st = mds_store_may_open(mds->store, &out, m->flags);
        }
        break;
    case PFS_OP_MDS_CREATE:
        attr.fid = mds_store_new_fid(mds->store);
        st = choose_layout(mds, path, &m->layout, attr.fid, &attr.layout,
                           errmsg, sizeof(errmsg));
        if (st == PFS_OK) {
            st = mds_store_create(mds->store, path, &attr,
                                  (m->flags & PFS_CREATE_EXCL) != 0, &out,
                                  &created);
        }
        if (st == PFS_OK && !created) {
            st = mds_store_may_open(mds->store, &out, m->flags);
        }
        break;
    case PFS_OP_MDS_MKDIR:
        attr.fid = mds_store_new_fid(mds->store);
        st = mds_store_mkdir(mds->store, path, &attr, &out);
        break;
    case PFS_OP_MDS_UNLINK:
        st = mds_store_unlink(mds->store, path, &out);
        break;
    case PFS_OP_MDS_RMDIR:
        st = mds_store_rmdir(mds->store, path);
        if (st == PFS_OK) {
            reply_after_commit(mds, req, NULL, 0, NULL);
            goto out;
        }
        break;
    case PFS_OP_MDS_SET_DIR_LAYOUT:
        st = pfs_layout_spec_check(&m->layout, mds->srv->ens.niosrv, errmsg,
                                   sizeof(errmsg));
        if (st == PFS_OK) {
            if (m->layout.nservers != 0) {
                m->layout.stripe_count = m->layout.nservers;
            }
            st = mds_store_set_dir_layout(mds->store, path, &m->layout);
        }
        if (st == PFS_OK) {
            reply_after_commit(mds, req, NULL, 0, NULL);
            goto out;
        }
        break;
    case PFS_OP_MDS_GET_DIR_LAYOUT:
        st = mds_store_get_dir_layout(mds->store, path, &m->layout);
        if (st == PFS_OK) {
            reply_spec(mds, req, &m->layout);
            goto out;
        }
        break;
    default:
        st = PFS_ERR_INTERNAL;
        break;
    }
    if (st != PFS_OK) {
        if (errmsg[0] == '\0') {
            snprintf(errmsg, sizeof(errmsg), "%s", pfs_status_string(st));
        }
        pfs_log_debug("%s %s: %s", pfs_proto_op_name(req->hdr.opcode), path,
                      errmsg);
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s %s: %s",
                            pfs_proto_op_name(req->hdr.opcode), path, errmsg);
        goto out;
    }
    pfs_log_debug("%s %s: ok%s", pfs_proto_op_name(req->hdr.opcode), path,
                  created ? " (created)" : "");
    if (req->hdr.opcode == PFS_OP_MDS_LOOKUP ||
        (req->hdr.opcode == PFS_OP_MDS_CREATE && !created)) {
        /* nothing changed */
        reply_attr_cap(mds, req, &out, cap_rights(m->flags));
    } else {
        uint8_t body[PFS_ATTR_CAP_MAX];
        size_t len;

        if ((req->hdr.opcode == PFS_OP_MDS_CREATE
                 ? encode_attr_cap(mds, &out, cap_rights(m->flags), body,
                                   sizeof(body), &len)
                 : pfs_proto_attr_encode(body, sizeof(body), &out, &len)) !=
            PFS_OK) {
            pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                                "attributes do not fit a reply");
        } else {
            if (req->hdr.opcode == PFS_OP_MDS_UNLINK) {
                mds->srv->pending_removals++; /* recorded in its batch */
            }
            reply_after_commit(mds, req, body, len,
                               req->hdr.opcode == PFS_OP_MDS_UNLINK ? &out
                                                                    : NULL);
        }
    }
out:
    free(m);
}

/* A capability a client presents to the MDS: made by us, for a file that
 * still exists.  expired_ok: for a renewal, which checks the permission
 * afresh instead.  On PFS_OK *attr_p is the file's. */
static pfs_status_t check_cap(mds_t *mds, const pfs_cap_t *c, int expired_ok,
                              pfs_attr_t *attr_p, char *why, size_t why_size)
{
    pfs_status_t st;

    if (pfs_cap_verify(mds->srv->cap_key, c) != PFS_OK) {
        snprintf(why, why_size, "not a capability of this ensemble, or a "
                                "damaged one");
        return PFS_ERR_CAP;
    }
    if (!expired_ok && pfs_cap_now_ms() >= c->expiry_ms) {
        snprintf(why, why_size, "the capability expired");
        return PFS_ERR_CAP_EXPIRED;
    }
    st = mds_store_stat(mds->store, c->fid, attr_p);
    if (st != PFS_OK) {
        snprintf(why, why_size, "%s", pfs_status_string(st));
    }
    return st;
}

/* STAT by capability: the attributes and a fresh capability with the same
 * rights (how libpio renews).  The permission is checked again against
 * the connection's caller, as at open: a renewal after a chmod or by
 * someone else gets only what the file's mode allows now. */
static void handle_stat(mds_t *mds, pfs_srv_req_t *req)
{
    char why[128];
    pfs_attr_t attr;
    pfs_cap_t *c = malloc(sizeof(*c));
    uint32_t access = 0;
    pfs_status_t st;

    if (c == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    if (pfs_proto_cap_decode(req->body, req->hdr.body_len, c) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed stat request");
        goto out;
    }
    st = check_cap(mds, c, 1, &attr, why, sizeof(why));
    if (st == PFS_OK && (c->rights & PFS_CAP_REMOVE) != 0) {
        st = PFS_ERR_ACCESS; /* the MDS's own: never renewed */
        snprintf(why, sizeof(why), "not a client's capability");
    }
    if (st == PFS_OK) {
        access = ((c->rights & PFS_CAP_READ) ? PFS_ACCESS_READ : 0) |
                 ((c->rights & PFS_CAP_WRITE) ? PFS_ACCESS_WRITE : 0);
        st = mds_store_may_open(mds->store, &attr, access);
        snprintf(why, sizeof(why), "%s", pfs_status_string(st));
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "stat: %s", why);
        goto out;
    }
    reply_attr_cap(mds, req, &attr, cap_rights(access));
out:
    free(c);
}

static void handle_readdir(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1];
    pfs_readdir_req_t *m = malloc(sizeof(*m));
    mds_dirent_t *ents = calloc(PFS_READDIR_MAX, sizeof(*ents));
    pfs_dirent_t *d = calloc(PFS_READDIR_MAX, sizeof(*d));
    uint8_t *payload = malloc(PFS_DIRENTS_MAX), body[PFS_READDIR_REP_MAX];
    pfs_readdir_rep_t rep;
    size_t n = 0, len = 0, blen, i;
    pfs_status_t st;
    int more = 0;

    if (m == NULL || ents == NULL || d == NULL || payload == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = pfs_proto_readdir_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed readdir request");
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st == PFS_OK) {
        st = mds_store_readdir(mds->store, path, m->after, ents, m->max, &n,
                               &more);
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "readdir %s: %s", m->path,
                            pfs_status_string(st));
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(d[i].name, sizeof(d[i].name), "%s", ents[i].name);
        d[i].fid = ents[i].fid;
        d[i].type = ents[i].type;
    }
    rep.count = (uint32_t)n;
    rep.more = (uint8_t)(more != 0);
    if (pfs_proto_dirents_encode(payload, PFS_DIRENTS_MAX, d, rep.count,
                                 &len) != PFS_OK ||
        pfs_proto_readdir_rep_encode(body, sizeof(body), &rep, &blen) !=
            PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "readdir %s: cannot encode the entries", path);
        goto out;
    }
    if (len > 0) {
        pfs_srv_reply(mds->srv->tx, req, body, blen, payload, len);
        payload = NULL; /* the transport frees it */
    } else {
        pfs_srv_reply(mds->srv->tx, req, body, blen, NULL, 0);
    }
out:
    free(payload);
    free(d);
    free(ents);
    free(m);
}

static void handle_rename(mds_t *mds, pfs_srv_req_t *req)
{
    pfs_rename_req_t *m = malloc(sizeof(*m));
    char *from = malloc(2 * (PFS_PATH_MAX + 1));
    char *to = from + PFS_PATH_MAX + 1;
    uint8_t body[PFS_RENAME_REP_MAX];
    pfs_rename_rep_t rep;
    size_t len;
    pfs_status_t st;
    int was_replaced = 0;

    if (m == NULL || from == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = req->hdr.body_len == 0
             ? pfs_proto_rename_req_decode(req->data, req->hdr.data_len, m)
             : PFS_ERR_PROTO;
    if (st == PFS_OK) {
        st = pfs_path_normalize(m->from, from);
    }
    if (st == PFS_OK) {
        st = pfs_path_normalize(m->to, to);
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed rename request");
        goto out;
    }
    st = mds_store_rename(mds->store, from, to, &rep.attr, &was_replaced);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "rename %s %s: %s", from,
                            to, pfs_status_string(st));
        goto out;
    }
    rep.replaced = (uint8_t)(was_replaced != 0);
    if (pfs_proto_rename_rep_encode(body, sizeof(body), &rep, &len) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "reply too large");
        goto out;
    }
    mds->srv->pending_removals += was_replaced != 0;
    reply_after_commit(mds, req, body, len, was_replaced ? &rep.attr : NULL);
out:
    free(from);
    free(m);
}

/* FP_FETCH_ADD / FP_SET: the shared file pointer in the file's inode.
 * The event loop runs one handler at a time, so read-modify-write is
 * atomic; the reply waits for the commit like any other change, so a
 * returned range is never handed out again after a crash. */
static void handle_shared_fp(mds_t *mds, pfs_srv_req_t *req)
{
    int set = req->hdr.opcode == PFS_OP_MDS_FP_SET;
    uint8_t body[PFS_FP_REP_MAX];
    char why[128];
    pfs_attr_t attr;
    pfs_fp_req_t m;
    uint64_t old = 0;
    size_t len;
    pfs_status_t st;

    if (pfs_proto_fp_req_decode(req->body, req->hdr.body_len, &m) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed %s request",
                            pfs_proto_op_name(req->hdr.opcode));
        return;
    }
    /* the shared pointer moves with reads and writes: an open file's
     * capability for either */
    st = check_cap(mds, &m.cap, 0, &attr, why, sizeof(why));
    if (st == PFS_OK && (m.cap.rights & (PFS_CAP_READ | PFS_CAP_WRITE)) == 0) {
        st = PFS_ERR_ACCESS;
        snprintf(why, sizeof(why), "the capability grants neither read nor "
                                   "write");
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s: %s",
                            pfs_proto_op_name(req->hdr.opcode), why);
        return;
    }
    st = mds_store_shared_fp(mds->store, m.cap.fid, set, m.value, &old);
    if (st != PFS_OK) {
        const char *why = pfs_status_string(st);

        if (st == PFS_ERR_FBIG) {
            why = "the shared file pointer would pass 2^63 - 1";
        } else if (st == PFS_ERR_INVAL) {
            why = "a shared file pointer above 2^63 - 1";
        } else if (st == PFS_ERR_STALE) {
            why = "the file no longer exists";
        }
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s: %s",
                            pfs_proto_op_name(req->hdr.opcode), why);
        return;
    }
    if (pfs_proto_fp_rep_encode(body, sizeof(body), old, &len) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "cannot encode the reply");
        return;
    }
    reply_after_commit(mds, req, body, len, NULL);
}

/* SETATTR: change the masked fields of one inode.  A change waits for
 * the commit like any other; mask 0 writes nothing and answers at once. */
static void handle_setattr(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1];
    uint8_t body[PFS_ATTR_MAX];
    pfs_setattr_req_t *m;
    pfs_attr_t values, out;
    size_t len;
    pfs_status_t st;

    m = malloc(sizeof(*m));
    if (m == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    st = pfs_proto_setattr_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed setattr request");
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "bad path '%s'", m->path);
        goto out;
    }
    memset(&values, 0, sizeof(values));
    values.mode = m->mode;
    values.uid = m->uid;
    values.gid = m->gid;
    values.mtime_ns = m->mtime_ns;
    st = mds_store_setattr(mds->store, path, m->mask, &values, &out);
    if (st != PFS_OK) {
        if (st == PFS_ERR_INVAL && (m->mask & PFS_SETATTR_MODE) &&
            (m->mode & ~07777u) != 0) {
            pfs_srv_reply_error(mds->srv->tx, req, st,
                                "setattr %s: mode %#o has bits other than "
                                "the permission bits 07777",
                                path, m->mode);
        } else {
            pfs_srv_reply_error(mds->srv->tx, req, st, "setattr %s: %s", path,
                                pfs_status_string(st));
        }
        pfs_log_debug("setattr %s: %s", path, pfs_status_string(st));
        goto out;
    }
    pfs_log_debug("setattr %s: ok (mask %#x)", path, m->mask);
    if (pfs_proto_attr_encode(body, sizeof(body), &out, &len) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "attributes do not fit a reply");
    } else if (m->mask == 0) {
        pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
    } else {
        reply_after_commit(mds, req, body, len, NULL);
    }
out:
    free(m);
}

/* LEASE: take or give back the write lease of a file.  Taking it needs
 * the right to open the file for writing, so that nobody can lock others
 * out of files they could not write anyway.  Leases are not stored:
 * the reply goes at once. */
static void handle_lease(mds_t *mds, pfs_srv_req_t *req)
{
    char why[256] = "";
    pfs_lease_req_t m;
    pfs_attr_t attr;
    pfs_status_t st;

    if (pfs_proto_lease_req_decode(req->body, req->hdr.body_len, &m) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed lease request");
        return;
    }
    if (m.op == PFS_LEASE_RELEASE) {
        mds_lease_release(mds->leases, m.fid, req->conn);
        pfs_srv_reply(mds->srv->tx, req, NULL, 0, NULL, 0);
        return;
    }
    st = mds_store_stat(mds->store, m.fid, &attr);
    if (st == PFS_OK && attr.type != PFS_FILE_TYPE_REG) {
        st = PFS_ERR_ISDIR;
    }
    if (st == PFS_OK) {
        st = mds_store_may_open(mds->store, &attr, PFS_ACCESS_WRITE);
    }
    if (st == PFS_OK) {
        st = mds_lease_acquire(mds->leases, m.fid, req->conn, why,
                               sizeof(why));
    }
    if (st != PFS_OK) {
        pfs_log_debug("lease: %s", why[0] ? why : pfs_status_string(st));
        pfs_srv_reply_error(mds->srv->tx, req, st, "write lease: %s",
                            why[0] ? why : pfs_status_string(st));
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, NULL, 0, NULL, 0);
}

static void mds_handle(void *arg, pfs_srv_req_t *req)
{
    mds_t *mds = arg;

    if (pfs_server_handle_common(mds->srv, req)) {
        return;
    }
    /* every check of this request is against its connection's caller */
    mds_store_set_cred(mds->store, pfs_srv_conn_cred(req->conn));
    switch (req->hdr.opcode) {
    case PFS_OP_MDS_CREATE:
    case PFS_OP_MDS_LOOKUP:
    case PFS_OP_MDS_UNLINK:
    case PFS_OP_MDS_MKDIR:
    case PFS_OP_MDS_RMDIR:
    case PFS_OP_MDS_SET_DIR_LAYOUT:
    case PFS_OP_MDS_GET_DIR_LAYOUT:
        handle_path_op(mds, req);
        break;
    case PFS_OP_MDS_READDIR:
        handle_readdir(mds, req);
        break;
    case PFS_OP_MDS_RENAME:
        handle_rename(mds, req);
        break;
    case PFS_OP_MDS_STAT:
        handle_stat(mds, req);
        break;
    case PFS_OP_MDS_FP_FETCH_ADD:
    case PFS_OP_MDS_FP_SET:
        handle_shared_fp(mds, req);
        break;
    case PFS_OP_MDS_SETATTR:
        handle_setattr(mds, req);
        break;
    case PFS_OP_MDS_LEASE:
        handle_lease(mds, req);
        break;
    default:
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_UNSUPPORTED,
                            "the metadata server does not do '%s'",
                            pfs_proto_op_name(req->hdr.opcode));
        break;
    }
    mds_store_set_cred(mds->store, NULL);
}

int main(int argc, char **argv)
{
    static const pfs_server_ops_t ops = {
        .role = PFS_ROLE_MDS,
        .program = "pfs-mds",
        .usage = mds_usage,
        .parse_option = mds_parse_option,
        .prepare = mds_prepare,
        .join = mds_join,
        .handler = mds_handle,
        .poll = mds_poll,
        .cleanup = mds_cleanup,
    };
    mds_t mds;

    memset(&mds, 0, sizeof(mds));
    mds.held_tail = &mds.held;
    mds.efd = -1;
    pthread_mutex_init(&mds.lock, NULL);
    pthread_cond_init(&mds.cond, NULL);
    mds.stripe_size = MDS_DEFAULT_STRIPE_SIZE;
    mds.stripe_count = MDS_DEFAULT_STRIPE_COUNT;
    mds.cap_lifetime_ms = MDS_DEFAULT_CAP_LIFETIME_MS;
    return pfs_server_main(&ops, &mds, argc, argv);
}
