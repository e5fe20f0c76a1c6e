/* mds.h - what pfs-mds's files share: the server's state, the group
 * commit's entry point (mds_main.c) and the request handlers
 * (mds_ops.c). */
#ifndef PFS_MDS_H
#define PFS_MDS_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "mds_lease.h"
#include "mds_reap.h"
#include "mds_store.h"
#include "server.h"

/* A reply held back until its operation is durable. */
typedef struct held_reply {
    STAILQ_ENTRY(held_reply) link;
    pfs_srv_req_t *req;
    size_t len;
    uint8_t body[PFS_RPC_MAX_REPLY];
} held_reply_t;

STAILQ_HEAD(held_list, held_reply);

/* Removal records on their way to the reaper; `lost` if some could not
 * be kept (no memory, or too many): the reaper then reads the store. */
typedef struct {
    mds_removal_t *v;
    size_t n, cap;
    int lost;
} rm_list_t;

typedef enum {
    DURABLE = 0, /* reply after the operation is on disk (group commit) */
    PERIODIC = 1 /* reply at once; sync every PERIODIC_MS */
} durability_t;

typedef struct {
    pfs_server_t *srv;
    mds_store_t *store;
    /* group commit: operations write without syncing; their replies wait
     * in `held` until the commit thread has synced the log once for the
     * whole group, while this thread goes on serving */
    durability_t durability;
    struct held_list held;       /* waiting for the next commit */
    struct held_list committing; /* in the commit being synced */
    pthread_t committer;
    int committer_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int commit_requested, commit_done, stopping, dirty;
    int commit_busy; /* the committer uses the store */
    /* a broken store (a write failed): reopened once there is room */
    int store_broken_logged;
    uint64_t next_recover_ms;
    pfs_status_t commit_status;
    int efd; /* commit done -> progress loop */
    uint64_t commits, committed_ops;
    /* removal of data objects: the reaper acts only on unlinks that are
     * durable.  rm_new holds the removals written since the commit thread
     * last looked; rm_snap, those the published snapshot covers, which
     * the reaper takes with it (it reads the store itself only at start
     * and for servers that come back). */
    mds_reaper_t *reaper;
    rm_list_t rm_new, rm_snap;
    mds_store_snap_t *snap_ready; /* published, not yet adopted */
    mds_leases_t *leases;         /* write leases, in memory */
    char descriptor[PATH_MAX];
    int descriptor_set;
    uint64_t stripe_size;
    uint32_t stripe_count;
    uint64_t cap_lifetime_ms; /* of the capabilities issued */
} mds_t;

/* Answer a successful namespace change: at once if the policy allows it,
 * else after the next group commit.  removed (may be NULL): the file
 * whose data objects the change recorded for removal (unlink, rename
 * over a file).  mds_main.c. */
void mds_reply_after_commit(mds_t *mds, pfs_srv_req_t *req, const void *body,
                            size_t len, const pfs_attr_t *removed);

/* The request handler of pfs_server_ops_t (arg: the mds_t): the common
 * requests, then the table of metadata operations.  mds_ops.c. */
void mds_handle(void *arg, pfs_srv_req_t *req);

#endif
