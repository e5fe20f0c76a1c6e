/* proto_int.h - the building blocks the message codecs share (proto.c,
 * proto_md.c): fields that occur in several messages, written and read
 * through the bounded buffers of wire.h.  Internal to the codecs. */
#ifndef PFS_PROTO_INT_H
#define PFS_PROTO_INT_H

#include "proto.h"
#include "wire.h"

/* ---- building blocks --------------------------------------------------- */

static inline void layout_put(pfs_wbuf_t *w, const pfs_layout_t *l)
{
    pfs_wbuf_u64(w, l->stripe_size);
    pfs_wbuf_u32_list(w, l->servers, l->stripe_count, PFS_LAYOUT_MAX_STRIPES);
}

static inline void layout_get(pfs_rbuf_t *r, pfs_layout_t *l)
{
    memset(l, 0, sizeof(*l));
    l->stripe_size = pfs_rbuf_u64(r);
    pfs_rbuf_u32_list(r, l->servers, &l->stripe_count, PFS_LAYOUT_MAX_STRIPES);
}

static inline void spec_put(pfs_wbuf_t *w, const pfs_layout_spec_t *m)
{
    pfs_wbuf_u64(w, m->stripe_size);
    pfs_wbuf_u32(w, m->stripe_count);
    pfs_wbuf_u32_list(w, m->servers, m->nservers, PFS_LAYOUT_MAX_STRIPES);
}

static inline void spec_get(pfs_rbuf_t *r, pfs_layout_spec_t *m)
{
    memset(m, 0, sizeof(*m));
    m->stripe_size = pfs_rbuf_u64(r);
    m->stripe_count = pfs_rbuf_u32(r);
    pfs_rbuf_u32_list(r, m->servers, &m->nservers, PFS_LAYOUT_MAX_STRIPES);
}

static inline void attr_put(pfs_wbuf_t *w, const pfs_attr_t *m)
{
    pfs_wbuf_fid(w, m->fid);
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
    m->fid = pfs_rbuf_fid(r);
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
    pfs_wbuf_fid(w, m->fid);
    pfs_wbuf_u32(w, m->rights);
    pfs_wbuf_u64(w, m->issued_ms);
    pfs_wbuf_u64(w, m->expiry_ms);
    pfs_wbuf_u32_list(w, m->servers, m->nservers, PFS_LAYOUT_MAX_STRIPES);
    pfs_wbuf_bytes(w, m->mac, sizeof(m->mac));
}

static inline void cap_get(pfs_rbuf_t *r, pfs_cap_t *m)
{
    m->fid = pfs_rbuf_fid(r);
    m->rights = pfs_rbuf_u32(r);
    m->issued_ms = pfs_rbuf_u64(r);
    m->expiry_ms = pfs_rbuf_u64(r);
    pfs_rbuf_u32_list(r, m->servers, &m->nservers, PFS_LAYOUT_MAX_STRIPES);
    if (!cap_ok(m)) {
        pfs_rbuf_fail(r);
        m->nservers = 0;
        m->rights = 0;
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
