/* mds_main.c - pfs-mds: the metadata server's process (options, start-up,
 * group commit, removals, shutdown).  The request handlers are in
 * mds_ops.c. */
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
#include "mds.h"

#define MDS_DEFAULT_STRIPE_SIZE (UINT64_C(1) << 20)
#define MDS_DEFAULT_CAP_LIFETIME_MS (UINT64_C(3600) * 1000u)
#define MDS_DEFAULT_STRIPE_COUNT UINT32_MAX        /* all I/O servers */
#define MDS_MAX_PAYLOAD (4u * PFS_CRED_MAX_GROUPS) /* HELLO's groups */
#define MDS_PAYLOAD_BUDGET (UINT64_C(32) << 20)

#define RM_LIST_MAX (1u << 16)

/* Room for twice as many (RM_LIST_MAX at most); -1 and l->lost set if
 * there is none. */
static int rm_list_grow(rm_list_t *l)
{
    size_t cap = l->cap ? 2 * l->cap : 64;
    mds_removal_t *v =
        cap <= RM_LIST_MAX ? realloc(l->v, cap * sizeof(*v)) : NULL;

    if (v == NULL) {
        l->lost = 1;
        return -1;
    }
    l->v = v;
    l->cap = cap;
    return 0;
}

static void rm_list_push(rm_list_t *l, const pfs_attr_t *attr)
{
    mds_removal_t *rm;

    if (l->n == l->cap && rm_list_grow(l) != 0) {
        return;
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
        if (a->n == a->cap && rm_list_grow(a) != 0) {
            break;
        }
        a->v[a->n++] = b->v[i];
    }
    free(b->v);
    memset(b, 0, sizeof(*b));
}

#define PERIODIC_MS 1000

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
    struct held_list done = STAILQ_HEAD_INITIALIZER(done);
    held_reply_t *h;
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
        STAILQ_CONCAT(&done, &mds->committing);
        st = mds->commit_status;
    }
    if (STAILQ_EMPTY(&mds->committing) && !STAILQ_EMPTY(&mds->held) &&
        !mds->commit_requested) {
        /* next group: everything that arrived while the last one synced */
        STAILQ_CONCAT(&mds->committing, &mds->held);
        mds->commit_requested = 1;
        pthread_cond_signal(&mds->cond);
    }
    pthread_mutex_unlock(&mds->lock);
    if (!STAILQ_EMPTY(&done)) {
        mds->commits++;
    }
    while ((h = STAILQ_FIRST(&done)) != NULL) {
        STAILQ_REMOVE_HEAD(&done, link);
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

/* mds.h: at once (periodic) or after the next group commit (durable). */
void mds_reply_after_commit(mds_t *mds, pfs_srv_req_t *req, const void *body,
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
    h->req = req;
    h->len = len;
    if (len > 0) {
        memcpy(h->body, body, len); /* RMDIR, SET_DIR_LAYOUT: no body */
    }
    pthread_mutex_lock(&mds->lock);
    STAILQ_INSERT_TAIL(&mds->held, h, link);
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
    if (known == 0 &&
        mds_store_set_niosrv(mds->store, srv->ens.niosrv) != PFS_OK) {
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
    STAILQ_INIT(&mds.held);
    STAILQ_INIT(&mds.committing);
    mds.efd = -1;
    pthread_mutex_init(&mds.lock, NULL);
    pthread_cond_init(&mds.cond, NULL);
    mds.stripe_size = MDS_DEFAULT_STRIPE_SIZE;
    mds.cap_lifetime_ms = MDS_DEFAULT_CAP_LIFETIME_MS;
    mds.stripe_count = MDS_DEFAULT_STRIPE_COUNT;
    return pfs_server_main(&ops, &mds, argc, argv);
}
