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

#define REAP_BATCH 128 /* records worked on at once */
/* a server's positions wait this long for more to fill a request */
#define REAP_LINGER_MS 20
#define REAP_TIMEOUT_MS 10000 /* per request: a hung server counts as down */
/* a server that has not answered for this long (a hello or a request in
 * flight) no longer holds back the removals on the others */
#define REAP_SLOW_MS 2000
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
    int warned;          /* this outage is in the log already */
    uint64_t busy_since; /* its hello or request was posted */
    int passed_over;     /* positions left in the store while it was slow */
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
    uint64_t since_ms; /* loaded */
} reap_item_t;

/* One IO_REMOVE: up to PFS_REMOVE_MAX objects on one server.  Each
 * server has at most one in flight; what comes meanwhile goes in the next
 * one, so the requests grow with the rate of unlinks (one request and one
 * I/O-thread hand-off per object cost the I/O servers more CPU than the
 * unlinks cost the MDS). */
typedef struct {
    pfs_rpc_t rpc;
    int used;
    uint32_t n;
    uint32_t item[PFS_REMOVE_MAX], pos[PFS_REMOVE_MAX];
    uint8_t body[PFS_REMOVE_REQ_MAX];
} reap_rpc_t;

struct mds_reaper {
    pfs_server_t *srv;
    mds_store_t *store;
    reap_srv_t *servers;            /* one per I/O server */
    reap_rpc_t *rpcs;               /* one per I/O server */
    pfs_cap_t caps[PFS_REMOVE_MAX]; /* post()'s scratch */
    pfs_layout_t one;               /* post()'s scratch: one server */
    mds_removal_t left[REAP_BATCH]; /* retire()'s scratch */
    mds_store_snap_t *snap;         /* durable view to read records from */
    reap_item_t items[REAP_BATCH];
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
    s->passed_over = 0; /* the pass when it is back covers them */
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
    r->rpcs = calloc(srv->ens.niosrv, sizeof(*r->rpcs));
    if (r->servers == NULL || r->rpcs == NULL) {
        free(r->servers);
        free(r->rpcs);
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
    free(r->rpcs);
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
                }
                if (s->warned || s->passed_over) {
                    want_pass(r); /* the records it kept */
                    s->passed_over = 0;
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
            s->busy_since = now;
            (void)pfs_hello_post(r->srv->tx, s->conn, r->srv->ens.key,
                                 PFS_ROLE_MDS, REAP_TIMEOUT_MS,
                                 r->srv->ens.fsid, PFS_ROLE_IOSRV, i,
                                 &s->hello);
            events++;
        }
    }
    return events;
}

/* A request that failed as a whole: a server that did not answer is
 * down; one that refused is logged once for the request.  Its positions
 * stay in the records for a later pass. */
static void request_failed(mds_reaper_t *r, uint32_t index, uint32_t n,
                           pfs_status_t st, const char *why)
{
    if (st == PFS_ERR_TIMEOUT || st == PFS_ERR_CONN ||
        st == PFS_ERR_TRANSPORT) {
        if (r->servers[index].state == SRV_READY) {
            server_down(r, index, why);
        }
        return;
    }
    pfs_log_warn("I/O server %u refused the removal of %u objects: %s; left "
                 "for a later pass",
                 index, n, why);
}

/* Replies to IO_REMOVE: each position is done, or left for later. */
static unsigned collect(mds_reaper_t *r)
{
    pfs_status_t sts[PFS_REMOVE_MAX];
    char hex[PFS_FID_HEX_LEN + 1];
    unsigned events = 0;
    uint32_t index, k, n;

    for (index = 0; index < r->srv->ens.niosrv; index++) {
        reap_rpc_t *q = &r->rpcs[index];
        pfs_status_t st = q->rpc.status;

        if (!q->used || !q->rpc.done) {
            continue;
        }
        if (st == PFS_OK &&
            (pfs_proto_remove_rep_decode(q->rpc.reply, q->rpc.reply_len, sts,
                                         &n) != PFS_OK ||
             n != q->n)) {
            st = PFS_ERR_PROTO;
            snprintf(q->rpc.errmsg, sizeof(q->rpc.errmsg), "malformed reply");
        }
        if (st != PFS_OK) {
            request_failed(r, index, q->n, st, q->rpc.errmsg);
        }
        if (r->servers[index].passed_over) {
            /* it answers again: what was left for it while it was slow */
            pfs_log_info("I/O server %u answers again: removing the data "
                         "objects left for it",
                         index);
            want_pass(r);
            r->servers[index].passed_over = 0;
        }
        for (k = 0; k < q->n; k++) {
            reap_item_t *it = &r->items[q->item[k]];

            it->posted--;
            if (st == PFS_OK && sts[k] == PFS_OK) {
                it->pos[q->pos[k]] = POS_DONE;
                it->done++;
                r->removed++;
                continue;
            }
            it->pos[q->pos[k]] = POS_LATER;
            if (st == PFS_OK) { /* the server could not (a disk error) */
                pfs_fid_format(it->rm.fid, hex);
                pfs_log_warn("I/O server %u could not remove the object of "
                             "%s: %s; left for a later pass",
                             index, hex, pfs_status_string(sts[k]));
            }
        }
        q->used = 0;
        events++;
    }
    return events;
}

/* A server that holds back the others: down, or its hello or request
 * has not been answered for REAP_SLOW_MS. */
static int slow(const mds_reaper_t *r, uint32_t index, uint64_t now)
{
    const reap_srv_t *s = &r->servers[index];

    if (s->state == SRV_DOWN) {
        return 1;
    }
    return (s->state == SRV_HELLO ||
            (s->state == SRV_READY && r->rpcs[index].used)) &&
           now >= s->busy_since + REAP_SLOW_MS;
}

/* Positions of a slow server that is not down stay in the store; a pass
 * takes them up once it answers (collect, servers_poll). */
static void pass_over(mds_reaper_t *r, uint32_t index, uint64_t now)
{
    reap_srv_t *s = &r->servers[index];

    if (s->state == SRV_DOWN || s->passed_over) {
        return;
    }
    pfs_log_info("I/O server %u has not answered for %llu ms: removing the "
                 "objects on the other servers meanwhile",
                 index, (unsigned long long)(now - s->busy_since));
    s->passed_over = 1;
}

/* An item with nothing in flight and nothing more to send is finished:
 * the record goes, or shrinks to the servers that were down or slow (a
 * slow server would otherwise hold every item slot until it times out,
 * and the other servers' removals with them).  The records finished in
 * one call are written in one batch. */
static unsigned retire(mds_reaper_t *r)
{
    uint64_t now = pfs_now_ms();
    uint32_t i, j, n, gone = 0;
    size_t nleft = 0;

    for (i = 0; i < REAP_BATCH; i++) {
        reap_item_t *it = &r->items[i];
        mds_removal_t *left = &r->left[nleft];
        int todo = 0;

        if (!it->used || it->posted > 0) {
            continue;
        }
        for (j = 0; j < it->rm.nservers; j++) {
            if (it->pos[j] == POS_TODO && !slow(r, it->rm.servers[j], now)) {
                todo = 1;
            }
        }
        if (todo) {
            continue;
        }
        for (j = 0; j < it->rm.nservers; j++) {
            if (it->pos[j] == POS_TODO) {
                pass_over(r, it->rm.servers[j], now);
            }
        }
        if (it->done > 0) {
            left->fid = it->rm.fid;
            for (j = 0, n = 0; j < it->rm.nservers; j++) {
                if (it->pos[j] != POS_DONE) {
                    left->servers[n++] = it->rm.servers[j];
                }
            }
            left->nservers = n;
            gone += n == 0;
            nleft++;
        }
        it->used = 0;
    }
    if (nleft == 0) {
        return 0;
    }
    if (mds_store_removal_update(r->store, r->left, nleft) != PFS_OK) {
        pfs_log_warn("cannot update %zu pending removals in the store; they "
                     "will be redone",
                     nleft);
    } else {
        r->srv->pending_removals -= PFS_MIN(gone, r->srv->pending_removals);
    }
    return (unsigned)nleft;
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
    it->since_ms = pfs_now_ms();
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

/* Post one IO_REMOVE to each ready server with none in flight, for the
 * positions waiting for it: once they fill a request, or the oldest has
 * waited REAP_LINGER_MS (the progress loop is asked to call again by
 * then).  The MDS removes objects with capabilities of its own, with the
 * one right no client is ever given (PFS_CAP_REMOVE), each naming only
 * the server it goes to. */
static unsigned post(mds_reaper_t *r)
{
    uint64_t now = pfs_cap_now_ms(), mono = pfs_now_ms(), oldest;
    unsigned events = 0;
    uint32_t index, i, j, n;
    size_t len;

    for (index = 0; index < r->srv->ens.niosrv; index++) {
        reap_rpc_t *q = &r->rpcs[index];

        if (q->used || r->servers[index].state != SRV_READY) {
            continue;
        }
        oldest = UINT64_MAX;
        for (i = 0, n = 0; i < REAP_BATCH && n < PFS_REMOVE_MAX; i++) {
            reap_item_t *it = &r->items[i];

            for (j = 0; it->used && j < it->rm.nservers && n < PFS_REMOVE_MAX;
                 j++) {
                if (it->rm.servers[j] == index && it->pos[j] == POS_TODO) {
                    q->item[n] = i;
                    q->pos[n++] = j;
                    oldest = PFS_MIN(oldest, it->since_ms);
                }
            }
        }
        if (n == 0) {
            continue;
        }
        if (n < PFS_REMOVE_MAX && mono < oldest + REAP_LINGER_MS) {
            int in = (int)(oldest + REAP_LINGER_MS - mono);

            if (r->srv->poll_within_ms == 0 || in < r->srv->poll_within_ms) {
                r->srv->poll_within_ms = in;
            }
            continue;
        }
        r->one.stripe_count = 1;
        r->one.servers[0] = index;
        for (i = 0; i < n; i++) {
            if (pfs_cap_issue(r->srv->cap_key, r->items[q->item[i]].rm.fid,
                              PFS_CAP_REMOVE, &r->one, now,
                              REAP_CAP_LIFETIME_MS, &r->caps[i]) != PFS_OK) {
                break; /* cannot happen: a one-server layout */
            }
        }
        if (i < n || pfs_proto_remove_req_encode(q->body, sizeof(q->body),
                                                 r->caps, n, &len) != PFS_OK) {
            continue; /* cannot happen: the body has room */
        }
        for (i = 0; i < n; i++) {
            reap_item_t *it = &r->items[q->item[i]];

            it->pos[q->pos[i]] = POS_POSTED;
            it->posted++;
        }
        q->used = 1;
        q->n = n;
        r->servers[index].busy_since = mono;
        rpc_init(&q->rpc, PFS_OP_IO_REMOVE, q->body, len);
        pfs_rpc_post(r->srv->tx, r->servers[index].conn, &q->rpc);
        events++;
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
