/* proto_int.h - the building blocks the message codecs share (proto.c,
 * proto_md.c): fields that occur in several messages, written and read
 * through the bounded buffers of wire.h.  Internal to the codecs. */
#ifndef PFS_PROTO_INT_H
#define PFS_PROTO_INT_H

#include "proto.h"
#include "wire.h"

/* ---- building blocks --------------------------------------------------- */

static inline void fid_put(pfs_wbuf_t *w, pfs_fid_t fid)
{
    pfs_wbuf_u64(w, fid.hi);
    pfs_wbuf_u64(w, fid.lo);
}

static inline pfs_fid_t fid_get(pfs_rbuf_t *r)
{
    pfs_fid_t fid;

    fid.hi = pfs_rbuf_u64(r);
    fid.lo = pfs_rbuf_u64(r);
    return fid;
}

static inline void layout_put(pfs_wbuf_t *w, const pfs_layout_t *l)
{
    uint32_t i;

    if (l->stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        w->overflow = 1; /* a layout no reader would take */
        return;
    }
    pfs_wbuf_u64(w, l->stripe_size);
    pfs_wbuf_u32(w, l->stripe_count);
    for (i = 0; i < l->stripe_count; i++) {
        pfs_wbuf_u32(w, l->servers[i]);
    }
}

static inline void layout_get(pfs_rbuf_t *r, pfs_layout_t *l)
{
    uint32_t i;

    memset(l, 0, sizeof(*l));
    l->stripe_size = pfs_rbuf_u64(r);
    l->stripe_count = pfs_rbuf_u32(r);
    /* the count decides how many entries follow: check it first */
    if (l->stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        pfs_rbuf_fail(r);
        l->stripe_count = 0;
        return;
    }
    for (i = 0; i < l->stripe_count; i++) {
        l->servers[i] = pfs_rbuf_u32(r);
    }
}

static inline void spec_put(pfs_wbuf_t *w, const pfs_layout_spec_t *m)
{
    uint32_t i;

    if (m->nservers > PFS_LAYOUT_MAX_STRIPES) {
        w->overflow = 1;
        return;
    }
    pfs_wbuf_u64(w, m->stripe_size);
    pfs_wbuf_u32(w, m->stripe_count);
    pfs_wbuf_u32(w, m->nservers);
    for (i = 0; i < m->nservers; i++) {
        pfs_wbuf_u32(w, m->servers[i]);
    }
}

static inline void spec_get(pfs_rbuf_t *r, pfs_layout_spec_t *m)
{
    uint32_t i;

    memset(m, 0, sizeof(*m));
    m->stripe_size = pfs_rbuf_u64(r);
    m->stripe_count = pfs_rbuf_u32(r);
    m->nservers = pfs_rbuf_u32(r);
    if (m->nservers > PFS_LAYOUT_MAX_STRIPES) {
        pfs_rbuf_fail(r);
        m->nservers = 0;
        return;
    }
    for (i = 0; i < m->nservers; i++) {
        m->servers[i] = pfs_rbuf_u32(r);
    }
}

static inline void attr_put(pfs_wbuf_t *w, const pfs_attr_t *m)
{
    fid_put(w, m->fid);
    pfs_wbuf_u32(w, m->type);
    pfs_wbuf_u32(w, m->mode);
    pfs_wbuf_u32(w, m->uid);
    pfs_wbuf_u32(w, m->gid);
    pfs_wbuf_u64(w, m->ctime_ns);
    pfs_wbuf_u64(w, m->mtime_ns);
    pfs_wbuf_u32(w, m->nlink);
    layout_put(w, &m->layout);
}

static inline void attr_get(pfs_rbuf_t *r, pfs_attr_t *m)
{
    m->fid = fid_get(r);
    m->type = pfs_rbuf_u32(r);
    m->mode = pfs_rbuf_u32(r);
    m->uid = pfs_rbuf_u32(r);
    m->gid = pfs_rbuf_u32(r);
    m->ctime_ns = pfs_rbuf_u64(r);
    m->mtime_ns = pfs_rbuf_u64(r);
    m->nlink = pfs_rbuf_u32(r);
    layout_get(r, &m->layout);
    if (m->type != PFS_FILE_TYPE_REG && m->type != PFS_FILE_TYPE_DIR) {
        pfs_rbuf_fail(r);
    }
}

/* What a capability's encoding can carry. */
static inline int cap_ok(const pfs_cap_t *m)
{
    return (m->rights & ~PFS_CAP_ALL) == 0 &&
           m->nservers <= PFS_LAYOUT_MAX_STRIPES;
}

static inline void cap_put(pfs_wbuf_t *w, const pfs_cap_t *m)
{
    uint32_t i;

    fid_put(w, m->fid);
    pfs_wbuf_u32(w, m->rights);
    pfs_wbuf_u64(w, m->issued_ms);
    pfs_wbuf_u64(w, m->expiry_ms);
    pfs_wbuf_u32(w, m->nservers);
    for (i = 0; i < m->nservers; i++) {
        pfs_wbuf_u32(w, m->servers[i]);
    }
    pfs_wbuf_bytes(w, m->mac, sizeof(m->mac));
}

static inline void cap_get(pfs_rbuf_t *r, pfs_cap_t *m)
{
    uint32_t i;

    m->fid = fid_get(r);
    m->rights = pfs_rbuf_u32(r);
    m->issued_ms = pfs_rbuf_u64(r);
    m->expiry_ms = pfs_rbuf_u64(r);
    m->nservers = pfs_rbuf_u32(r);
    if (!cap_ok(m)) {
        pfs_rbuf_fail(r);
        m->nservers = 0;
        m->rights = 0;
    }
    for (i = 0; i < m->nservers; i++) {
        m->servers[i] = pfs_rbuf_u32(r);
    }
    pfs_rbuf_bytes(r, m->mac, sizeof(m->mac));
}

/* The end of every encoder and decoder. */
static inline pfs_status_t put_done(const pfs_wbuf_t *w, size_t *len_p)
{
    return pfs_wbuf_finish(w, len_p);
}

static inline pfs_status_t get_done(const pfs_rbuf_t *r)
{
    return pfs_rbuf_finish(r);
}

#endif /* PFS_PROTO_INT_H */
