/* cap_check.c - the I/O server's check of capabilities (iosrv.h, cap.h).
 *
 * Verifying a MAC costs an HMAC-SHA256 (a microsecond or two); a client
 * sends the same capability with every request of an open file, so the
 * last verified ones are kept in a direct-mapped cache indexed by their
 * MAC.  A hit must match the presented capability in every field, the
 * MAC compared in constant time: a valid MAC with other rights, servers
 * or expiry is no hit, and goes to the full verification (and fails).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iosrv.h"

#define CAP_CACHE_SLOTS 256u

typedef struct {
    int used;
    pfs_cap_t cap;
} cap_slot_t;

struct cap_cache {
    cap_slot_t slot[CAP_CACHE_SLOTS];
};

static unsigned slot_of(const pfs_cap_t *c)
{
    return (unsigned)(((unsigned)c->mac[0] | (unsigned)c->mac[1] << 8) %
                      CAP_CACHE_SLOTS);
}

/* Same capability in every field; the MAC without a timing leak. */
static int same_cap(const pfs_cap_t *a, const pfs_cap_t *b)
{
    return a->fid.hi == b->fid.hi && a->fid.lo == b->fid.lo &&
           a->rights == b->rights && a->issued_ms == b->issued_ms &&
           a->expiry_ms == b->expiry_ms && a->nservers == b->nservers &&
           memcmp(a->servers, b->servers,
                  a->nservers * sizeof(a->servers[0])) == 0 &&
           pfs_auth_equal(a->mac, b->mac, sizeof(a->mac));
}

/* 1 if c was verified lately. */
static int cache_hit(iosrv_t *io, const pfs_cap_t *c)
{
    cap_slot_t *s;
    int hit = 0;

    pthread_mutex_lock(&io->caps_lock);
    if (io->caps != NULL) {
        s = &io->caps->slot[slot_of(c)];
        hit = s->used && same_cap(&s->cap, c);
    }
    pthread_mutex_unlock(&io->caps_lock);
    return hit;
}

static void cache_add(iosrv_t *io, const pfs_cap_t *c)
{
    cap_slot_t *s;

    pthread_mutex_lock(&io->caps_lock);
    if (io->caps == NULL) {
        io->caps = calloc(1, sizeof(*io->caps)); /* none: no cache */
    }
    if (io->caps != NULL) {
        s = &io->caps->slot[slot_of(c)];
        s->used = 1;
        s->cap = *c;
    }
    pthread_mutex_unlock(&io->caps_lock);
}

pfs_status_t cap_check(iosrv_t *io, const pfs_cap_t *c, uint32_t need,
                       char *why, size_t why_size)
{
    if (!cache_hit(io, c)) {
        if (pfs_cap_verify(io->srv->cap_key, c) != PFS_OK) {
            snprintf(why, why_size,
                     "not a capability the metadata server issued (forged, "
                     "damaged, or for another ensemble)");
            return PFS_ERR_CAP;
        }
        cache_add(io, c);
    }
    return pfs_cap_allows(c, need, 1, io->srv->index, pfs_cap_now_ms(), why,
                          why_size);
}

void cap_cache_destroy(iosrv_t *io)
{
    pthread_mutex_lock(&io->caps_lock);
    free(io->caps);
    io->caps = NULL;
    pthread_mutex_unlock(&io->caps_lock);
}
