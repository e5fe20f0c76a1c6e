/* mds_lease.c - write leases held by client connections (mds_lease.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "log.h"
#include "mds_lease.h"

/* Leases are few (files open for writing through the HDF5 driver), so a
 * list with a hash on the fid spread over buckets is plenty. */
#define LEASE_BUCKETS 256u

typedef struct lease {
    LIST_ENTRY(lease) link;
    pfs_fid_t fid;
    const pfs_srv_conn_t *holder;
    uint64_t since_ms;
} lease_t;

LIST_HEAD(lease_list, lease);

struct mds_leases {
    struct lease_list buckets[LEASE_BUCKETS];
    uint64_t count;
};

static struct lease_list *bucket(mds_leases_t *l, pfs_fid_t fid)
{
    return &l->buckets[pfs_fid_hash(fid) % LEASE_BUCKETS];
}

pfs_status_t mds_leases_create(mds_leases_t **leases_p)
{
    mds_leases_t *l = calloc(1, sizeof(*l));
    unsigned i;

    if (l == NULL) {
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < LEASE_BUCKETS; i++) {
        LIST_INIT(&l->buckets[i]);
    }
    *leases_p = l;
    return PFS_OK;
}

void mds_leases_destroy(mds_leases_t *l)
{
    unsigned i;

    if (l == NULL) {
        return;
    }
    for (i = 0; i < LEASE_BUCKETS; i++) {
        lease_t *e;

        while ((e = LIST_FIRST(&l->buckets[i])) != NULL) {
            LIST_REMOVE(e, link);
            free(e);
        }
    }
    free(l);
}

static lease_t *find(mds_leases_t *l, pfs_fid_t fid)
{
    lease_t *e;

    for (e = LIST_FIRST(bucket(l, fid)); e != NULL; e = LIST_NEXT(e, link)) {
        if (pfs_fid_equal(e->fid, fid)) {
            return e;
        }
    }
    return NULL;
}

pfs_status_t mds_lease_acquire(mds_leases_t *l, pfs_fid_t fid,
                               pfs_srv_conn_t *conn, char *why, size_t size)
{
    lease_t *e = find(l, fid);

    if (e != NULL) {
        if (e->holder == conn) {
            return PFS_OK;
        }
        snprintf(why, size,
                 "open for writing by another client (pid %u, uid %u, at "
                 "%s) for %llu s",
                 pfs_srv_conn_pid(e->holder), pfs_srv_conn_cred(e->holder)->uid,
                 pfs_srv_conn_peer(e->holder),
                 (unsigned long long)((pfs_now_ms() - e->since_ms) / 1000));
        return PFS_ERR_LOCKED;
    }
    e = malloc(sizeof(*e));
    if (e == NULL) {
        snprintf(why, size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    e->fid = fid;
    e->holder = conn;
    e->since_ms = pfs_now_ms();
    LIST_INSERT_HEAD(bucket(l, fid), e, link);
    l->count++;
    return PFS_OK;
}

void mds_lease_release(mds_leases_t *l, pfs_fid_t fid,
                       const pfs_srv_conn_t *conn)
{
    lease_t *e = find(l, fid);

    if (e != NULL && e->holder == conn) {
        LIST_REMOVE(e, link);
        free(e);
        l->count--;
    }
}

unsigned mds_lease_drop_conn(mds_leases_t *l, const pfs_srv_conn_t *conn)
{
    unsigned i, n = 0;

    if (l->count == 0) {
        return 0;
    }
    for (i = 0; i < LEASE_BUCKETS; i++) {
        lease_t *e, *next;

        for (e = LIST_FIRST(&l->buckets[i]); e != NULL; e = next) {
            next = LIST_NEXT(e, link);
            if (e->holder == conn) {
                LIST_REMOVE(e, link);
                free(e);
                l->count--;
                n++;
            }
        }
    }
    return n;
}

uint64_t mds_lease_count(const mds_leases_t *l)
{
    return l->count;
}
