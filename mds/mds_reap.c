/* mds_reap.c - remove the data objects of unlinked files, retrying servers
 * that are down (mds_reap.h says what and why). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap.h"
#include "hello.h"
#include "log.h"
#include "mds_reap.h"

#define REAP_BATCH 64         /* records worked on at once */
#define REAP_IN_FLIGHT 64     /* IO_REMOVE requests posted at once */
#define REAP_TIMEOUT_MS 10000 /* per request: a hung server counts as down */
#define REAP_RETRY_MIN_MS 1000
#define REAP_RETRY_MAX_MS 30000
#define REAP_QUEUE_MAX (1u << 16) /* fresh records held; beyond: rescan */
/* a removal's capability is made for one request: it needs to outlive
 * the request's deadline only */
#define REAP_CAP_LIFETIME_MS (6u * REAP_TIMEOUT_MS)

typedef enum {
    SRV_IDLE = 0, /* not said hello yet */
    SRV_HELLO,    /* hello in flight */
    SRV_READY,
    SRV_DOWN /* failed; hello again at retry_at */
} srv_state_t;

typedef struct {
    pfs_tx_conn_t *conn;
    srv_state_t state;
    pfs_hello_t hello;
    uint64_t retry_at;
    uint32_t backoff_ms;
    int warned; /* this outage is in the log already */
} reap_srv_t;

typedef enum {
    POS_TODO = 0,
    POS_POSTED,
    POS_DONE,
    POS_LATER /* its server is down: stays in the record */
} pos_state_t;

typedef struct {
    int used;
    mds_removal_t rm;
    uint8_t pos[PFS_LAYOUT_MAX_STRIPES]; /* pos_state_t per rm.servers[] */
    uint32_t posted, done;
} reap_item_t;

typedef struct {
    pfs_rpc_t rpc;
    int used;
    uint32_t item, pos;
    uint8_t body[PFS_CAP_MAX];
} reap_rpc_t;

struct mds_reaper {
    pfs_server_t *srv;
    mds_store_t *store;
    reap_srv_t *servers;    /* one per I/O server */
    mds_store_snap_t *snap; /* durable view to read records from */
    reap_item_t items[REAP_BATCH];
    reap_rpc_t rpcs[REAP_IN_FLIGHT];
    uint32_t in_flight;
    pfs_fid_t cursor; /* last record loaded in this pass */
    int have_cursor;
    int scanning; /* a pass over the records is under way */
    int rescan;   /* records appeared since the pass began */
    /* fresh records handed over by the MDS, oldest first */
    mds_removal_t *queue;
    size_t qhead, qlen, qcap;
    uint64_t removed;
};

static void server_down(mds_reaper_t *r, uint32_t index, const char *why)
{
    reap_srv_t *s = &r->servers[index];

    if (!s->warned) {
        pfs_log_warn("cannot remove data objects on I/O server %u (%s): %s; "
                     "retrying until it answers",
                     index, r->srv->ens.iosrv[index].addr, why);
        s->warned = 1;
    } else {
        pfs_log_debug("I/O server %u still does not answer: %s; next try in "
                      "%u s",
                      index, why, s->backoff_ms / 1000);
    }
    s->state = SRV_DOWN;
    s->retry_at = pfs_now_ms() + s->backoff_ms;
    s->backoff_ms = PFS_MIN(2 * s->backoff_ms, REAP_RETRY_MAX_MS);
}

/* How many records an earlier run left: the start of the count that
 * STATUS reports (pfs-ctl status). */
static pfs_status_t count_records(mds_reaper_t *r)
{
    mds_removal_t *recs = malloc(REAP_BATCH * sizeof(*recs));
    pfs_fid_t after;
    size_t n = 0;
    int more = 1, have_after = 0;
    pfs_status_t st = PFS_OK;

    if (recs == NULL) {
        return PFS_ERR_NOMEM;
    }
    r->srv->pending_removals = 0;
    while (more && st == PFS_OK) {
        st = mds_store_removals(r->store, NULL, have_after ? &after : NULL,
                                recs, REAP_BATCH, &n, &more);
        if (st == PFS_OK && n > 0) {
            after = recs[n - 1].fid;
            have_after = 1;
        }
        r->srv->pending_removals += n;
    }
    free(recs);
    if (r->srv->pending_removals > 0) {
        pfs_log_info("%llu files' data objects are still to be removed",
                     (unsigned long long)r->srv->pending_removals);
    }
    return st;
}

pfs_status_t mds_reaper_create(pfs_server_t *srv, mds_store_t *store,
                               mds_reaper_t **reaper_p)
{
    mds_reaper_t *r = calloc(1, sizeof(*r));
    uint32_t i;

    if (r == NULL) {
        return PFS_ERR_NOMEM;
    }
    r->srv = srv;
    r->store = store;
    r->servers = calloc(srv->ens.niosrv, sizeof(*r->servers));
    if (r->servers == NULL) {
        free(r);
        return PFS_ERR_NOMEM;
    }
    if (count_records(r) != PFS_OK) {
        mds_reaper_destroy(r);
        return PFS_ERR_STORE;
    }
    for (i = 0; i < srv->ens.niosrv; i++) {
        r->servers[i].backoff_ms = REAP_RETRY_MIN_MS;
        if (pfs_tx_connect(srv->tx, srv->ens.iosrv[i].addr,
                           &r->servers[i].conn) != PFS_OK) {
            mds_reaper_destroy(r);
            return PFS_ERR_CONFIG;
        }
    }
    *reaper_p = r;
    return PFS_OK;
}

void mds_reaper_destroy(mds_reaper_t *r)
{
    uint32_t i;

    if (r == NULL) {
        return;
    }
    /* disconnecting fails the requests still posted: nothing refers to
     * the structs after this */
    for (i = 0; i < r->srv->ens.niosrv; i++) {
        if (r->servers[i].conn != NULL) {
            pfs_tx_disconnect(r->srv->tx, r->servers[i].conn);
        }
        pfs_hello_release(&r->servers[i].hello);
    }
    mds_store_snapshot_release(r->store, r->snap);
    free(r->queue);
    free(r->servers);
    free(r);
}

/* Look through every record again: after the pass under way, if any. */
static void want_pass(mds_reaper_t *r)
{
    if (r->scanning) {
        r->rescan = 1;
    } else {
        r->scanning = 1;
        r->have_cursor = 0;
    }
}

/* Keep fresh records; 0 if there is no room (then the store has them). */
static int queue_push(mds_reaper_t *r, const mds_removal_t *fresh, size_t n)
{
    if (r->qlen + n > REAP_QUEUE_MAX) {
        return 0;
    }
    if (r->qhead + r->qlen + n > r->qcap) {
        if (r->qhead > 0) {
            memmove(r->queue, r->queue + r->qhead, r->qlen * sizeof(*r->queue));
            r->qhead = 0;
        }
        if (r->qlen + n > r->qcap) {
            size_t cap = PFS_MAX(2 * r->qcap, r->qlen + n);
            mds_removal_t *q = realloc(r->queue, cap * sizeof(*q));

            if (q == NULL) {
                return 0;
            }
            r->queue = q;
            r->qcap = cap;
        }
    }
    memcpy(r->queue + r->qhead + r->qlen, fresh, n * sizeof(*fresh));
    r->qlen += n;
    return 1;
}

void mds_reaper_adopt(mds_reaper_t *r, mds_store_snap_t *snap,
                      const mds_removal_t *fresh, size_t n, int rescan)
{
    mds_store_snapshot_release(r->store, r->snap);
    r->snap = snap;
    if (n > 0 && !queue_push(r, fresh, n)) {
        rescan = 1;
    }
    if (rescan) {
        want_pass(r);
    }
}

uint64_t mds_reaper_removed(const mds_reaper_t *r)
{
    return r->removed;
}

static void rpc_init(pfs_rpc_t *rpc, uint16_t opcode, const void *body,
                     size_t len)
{
    memset(rpc, 0, sizeof(*rpc));
    rpc->opcode = opcode;
    rpc->body = body;
    rpc->body_len = len;
    rpc->timeout_ms = REAP_TIMEOUT_MS;
}

/* Say hello to a server we have not talked to, or whose retry time came. */
static unsigned servers_poll(mds_reaper_t *r, uint64_t now)
{
    unsigned events = 0;
    uint32_t i;

    for (i = 0; i < r->srv->ens.niosrv; i++) {
        reap_srv_t *s = &r->servers[i];

        if (s->state == SRV_HELLO && s->hello.rpc.done &&
            pfs_hello_done(&s->hello)) {
            char why[256];

            events++;
            if (pfs_hello_check(&s->hello, why, sizeof(why)) != PFS_OK) {
                server_down(r, i, why);
            } else {
                if (s->warned) {
                    pfs_log_info("I/O server %u is back: removing the data "
                                 "objects left there",
                                 i);
                    want_pass(r); /* the records it kept */
                }
                s->state = SRV_READY;
                s->backoff_ms = REAP_RETRY_MIN_MS;
                s->warned = 0;
            }
            pfs_hello_release(&s->hello);
        }
        if (s->state == SRV_IDLE ||
            (s->state == SRV_DOWN && now >= s->retry_at)) {
            if (pfs_tx_conn_broken(s->conn)) {
                if (pfs_tx_reconnect(r->srv->tx, s->conn) != PFS_OK) {
                    server_down(r, i, "cannot reconnect");
                    continue;
                }
            }
            s->state = SRV_HELLO;
            (void)pfs_hello_post(r->srv->tx, s->conn, r->srv->ens.key,
                                 PFS_ROLE_MDS, REAP_TIMEOUT_MS,
                                 r->srv->ens.fsid, PFS_ROLE_IOSRV, i,
                                 &s->hello);
            events++;
        }
    }
    return events;
}

/* Replies to IO_REMOVE: a position is done, or its server is down. */
static unsigned collect(mds_reaper_t *r)
{
    unsigned events = 0;
    uint32_t i;

    for (i = 0; i < REAP_IN_FLIGHT; i++) {
        reap_rpc_t *q = &r->rpcs[i];
        reap_item_t *it;

        if (!q->used || !q->rpc.done) {
            continue;
        }
        it = &r->items[q->item];
        if (q->rpc.status == PFS_OK) {
            it->pos[q->pos] = POS_DONE;
            it->done++;
            r->removed++;
        } else {
            uint32_t index = it->rm.servers[q->pos];

            it->pos[q->pos] = POS_LATER;
            if (q->rpc.status != PFS_ERR_TIMEOUT &&
                q->rpc.status != PFS_ERR_CONN &&
                q->rpc.status != PFS_ERR_TRANSPORT) {
                /* the server answered but could not remove (a disk
                 * error): the record stays for the next pass */
                char hex[PFS_FID_HEX_LEN + 1];

                pfs_fid_format(it->rm.fid, hex);
                pfs_log_warn("I/O server %u could not remove the object of "
                             "%s: %s; left for a later pass",
                             index, hex, q->rpc.errmsg);
            } else if (r->servers[index].state == SRV_READY) {
                server_down(r, index, q->rpc.errmsg);
            }
        }
        it->posted--;
        q->used = 0;
        r->in_flight--;
        events++;
    }
    return events;
}

/* An item with nothing in flight and nothing more to send is finished:
 * the record goes, or shrinks to the servers that were down. */
static unsigned retire(mds_reaper_t *r)
{
    unsigned events = 0;
    uint32_t i, j, n;

    for (i = 0; i < REAP_BATCH; i++) {
        reap_item_t *it = &r->items[i];
        mds_removal_t left;
        int todo = 0;

        if (!it->used || it->posted > 0) {
            continue;
        }
        for (j = 0; j < it->rm.nservers; j++) {
            if (it->pos[j] == POS_TODO &&
                r->servers[it->rm.servers[j]].state != SRV_DOWN) {
                todo = 1;
            }
        }
        if (todo) {
            continue;
        }
        if (it->done > 0) {
            left.fid = it->rm.fid;
            for (j = 0, n = 0; j < it->rm.nservers; j++) {
                if (it->pos[j] != POS_DONE) {
                    left.servers[n++] = it->rm.servers[j];
                }
            }
            left.nservers = n;
            if (mds_store_removal_update(r->store, &left) != PFS_OK) {
                pfs_log_warn("cannot update a pending removal in the store; "
                             "it will be redone");
            } else if (n == 0 && r->srv->pending_removals > 0) {
                r->srv->pending_removals--;
            }
            events++;
        }
        it->used = 0;
    }
    return events;
}

static int loaded(const mds_reaper_t *r, pfs_fid_t fid)
{
    uint32_t i;

    for (i = 0; i < REAP_BATCH; i++) {
        if (r->items[i].used && pfs_fid_equal(r->items[i].rm.fid, fid)) {
            return 1;
        }
    }
    return 0;
}

/* Put a record into a free item slot, unless its servers are all down
 * (the store keeps it for when one answers) or it is loaded already;
 * 1 if it took the slot.  A record pfs-fsck would report (a server
 * beyond the ensemble) is left alone. */
static int take(mds_reaper_t *r, const mds_removal_t *rm)
{
    reap_item_t *it = NULL;
    uint32_t i, j;
    int any = 0;

    for (j = 0; j < rm->nservers; j++) {
        if (rm->servers[j] >= r->srv->ens.niosrv) {
            return 0;
        }
        any |= r->servers[rm->servers[j]].state != SRV_DOWN;
    }
    if (!any || loaded(r, rm->fid)) {
        return 0;
    }
    for (i = 0; i < REAP_BATCH && it == NULL; i++) {
        if (!r->items[i].used) {
            it = &r->items[i];
        }
    }
    if (it == NULL) {
        return 0;
    }
    memset(it, 0, sizeof(*it));
    it->used = 1;
    it->rm = *rm;
    return 1;
}

/* Fresh records first (no store access), into free item slots. */
static unsigned load_fresh(mds_reaper_t *r, size_t *free_slots)
{
    unsigned n = 0;

    while (r->qlen > 0 && *free_slots > 0) {
        if (take(r, &r->queue[r->qhead])) {
            (*free_slots)--;
            n++;
        }
        r->qhead++;
        r->qlen--;
    }
    if (r->qlen == 0) {
        r->qhead = 0;
    }
    return n;
}

/* Load records into free item slots: the fresh ones handed over, then,
 * during a pass, from the durable view; skipping those whose servers are
 * all down. */
static unsigned load(mds_reaper_t *r)
{
    mds_removal_t *recs;
    size_t free_slots = 0, n = 0, i;
    unsigned got;
    int more = 0;

    for (i = 0; i < REAP_BATCH; i++) {
        free_slots += !r->items[i].used;
    }
    if (free_slots < REAP_BATCH / 2) {
        return 0; /* load in bunches */
    }
    got = load_fresh(r, &free_slots);
    if (!r->scanning || r->snap == NULL || free_slots == 0) {
        return got;
    }
    recs = malloc(free_slots * sizeof(*recs));
    if (recs == NULL) {
        return 0;
    }
    if (mds_store_removals(r->store, r->snap,
                           r->have_cursor ? &r->cursor : NULL, recs, free_slots,
                           &n, &more) != PFS_OK) {
        pfs_log_warn("cannot read the pending removals from the store");
        free(recs);
        return 0;
    }
    for (i = 0; i < n; i++) {
        r->cursor = recs[i].fid;
        r->have_cursor = 1;
        (void)take(r, &recs[i]);
    }
    free(recs);
    if (!more) {
        /* end of the records: again from the start if asked meanwhile */
        r->have_cursor = 0;
        r->scanning = r->rescan;
        r->rescan = 0;
    }
    return got + (n > 0);
}

/* The MDS removes objects with a capability of its own, with the one
 * right no client is ever given (PFS_CAP_REMOVE). */
static pfs_status_t reap_cap_encode(mds_reaper_t *r, const mds_removal_t *rm,
                                    void *buf, size_t cap, size_t *len_p)
{
    pfs_layout_t *servers = calloc(1, sizeof(*servers));
    pfs_cap_t *c = malloc(sizeof(*c));
    pfs_status_t st = PFS_ERR_NOMEM;

    if (servers != NULL && c != NULL) {
        servers->stripe_count = rm->nservers;
        memcpy(servers->servers, rm->servers,
               rm->nservers * sizeof(servers->servers[0]));
        st = pfs_cap_issue(r->srv->cap_key, rm->fid, PFS_CAP_REMOVE, servers,
                           pfs_cap_now_ms(), REAP_CAP_LIFETIME_MS, c);
    }
    if (st == PFS_OK) {
        st = pfs_proto_cap_encode(buf, cap, c, len_p);
    }
    free(c);
    free(servers);
    return st;
}

/* Post IO_REMOVE for positions whose server is ready. */
static unsigned post(mds_reaper_t *r)
{
    unsigned events = 0;
    uint32_t i, j, q = 0;

    for (i = 0; i < REAP_BATCH && r->in_flight < REAP_IN_FLIGHT; i++) {
        reap_item_t *it = &r->items[i];

        if (!it->used) {
            continue;
        }
        for (j = 0; j < it->rm.nservers && r->in_flight < REAP_IN_FLIGHT; j++) {
            reap_srv_t *s = &r->servers[it->rm.servers[j]];
            reap_rpc_t *rq;
            size_t len;

            if (it->pos[j] != POS_TODO || s->state != SRV_READY) {
                continue;
            }
            while (r->rpcs[q].used) {
                q++;
            }
            rq = &r->rpcs[q];
            if (reap_cap_encode(r, &it->rm, rq->body, sizeof(rq->body), &len) !=
                PFS_OK) {
                continue; /* cannot happen: a removal always fits */
            }
            rq->used = 1;
            rq->item = i;
            rq->pos = j;
            rpc_init(&rq->rpc, PFS_OP_IO_REMOVE, rq->body, len);
            it->pos[j] = POS_POSTED;
            it->posted++;
            r->in_flight++;
            pfs_rpc_post(r->srv->tx, s->conn, &rq->rpc);
            events++;
        }
    }
    return events;
}

unsigned mds_reaper_poll(mds_reaper_t *r)
{
    unsigned events = servers_poll(r, pfs_now_ms());

    events += collect(r);
    events += retire(r);
    events += load(r);
    events += post(r);
    return events;
}
