/* wire.c - the bounded writer and reader (wire.h). */
#include "config.h"

#include <string.h>

#include "wire.h"

void pfs_put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

uint64_t pfs_get_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < bytes; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* ---- writer ------------------------------------------------------------ */

void pfs_wbuf_init(pfs_wbuf_t *w, void *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->overflow = 0;
}

static uint8_t *wbuf_reserve(pfs_wbuf_t *w, size_t len)
{
    uint8_t *p;

    if (w->overflow || len > w->cap - w->pos) {
        w->overflow = 1;
        return NULL;
    }
    p = w->buf + w->pos;
    w->pos += len;
    return p;
}

static void wbuf_int(pfs_wbuf_t *w, uint64_t v, unsigned bytes)
{
    uint8_t *p = wbuf_reserve(w, bytes);

    if (p != NULL) {
        pfs_put_le(p, v, bytes);
    }
}

void pfs_wbuf_u8(pfs_wbuf_t *w, uint8_t v)
{
    wbuf_int(w, v, 1);
}
void pfs_wbuf_u16(pfs_wbuf_t *w, uint16_t v)
{
    wbuf_int(w, v, 2);
}
void pfs_wbuf_u32(pfs_wbuf_t *w, uint32_t v)
{
    wbuf_int(w, v, 4);
}
void pfs_wbuf_u64(pfs_wbuf_t *w, uint64_t v)
{
    wbuf_int(w, v, 8);
}

void pfs_wbuf_bytes(pfs_wbuf_t *w, const void *src, size_t len)
{
    uint8_t *p = wbuf_reserve(w, len);

    if (p != NULL && len > 0) {
        memcpy(p, src, len);
    }
}

void pfs_wbuf_str(pfs_wbuf_t *w, const char *s)
{
    size_t len = strlen(s);

    if (len > UINT16_MAX) {
        w->overflow = 1;
        return;
    }
    pfs_wbuf_u16(w, (uint16_t)len);
    pfs_wbuf_bytes(w, s, len);
}

void pfs_wbuf_fid(pfs_wbuf_t *w, pfs_fid_t fid)
{
    pfs_wbuf_u64(w, fid.hi);
    pfs_wbuf_u64(w, fid.lo);
}

void pfs_wbuf_u32_list(pfs_wbuf_t *w, const uint32_t *v, uint32_t n,
                       uint32_t max)
{
    uint32_t i;

    if (n > max) {
        w->overflow = 1; /* a list no reader would take */
        return;
    }
    pfs_wbuf_u32(w, n);
    for (i = 0; i < n; i++) {
        pfs_wbuf_u32(w, v[i]);
    }
}

pfs_status_t pfs_wbuf_finish(const pfs_wbuf_t *w, size_t *len_p)
{
    if (w->overflow) {
        return PFS_ERR_INVAL;
    }
    *len_p = w->pos;
    return PFS_OK;
}

/* ---- reader ------------------------------------------------------------ */

void pfs_rbuf_init(pfs_rbuf_t *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->truncated = 0;
}

static const uint8_t *rbuf_take(pfs_rbuf_t *r, size_t len)
{
    const uint8_t *p;

    if (r->truncated || len > r->len - r->pos) {
        r->truncated = 1;
        return NULL;
    }
    p = r->buf + r->pos;
    r->pos += len;
    return p;
}

static uint64_t rbuf_int(pfs_rbuf_t *r, unsigned bytes)
{
    const uint8_t *p = rbuf_take(r, bytes);

    return p == NULL ? 0 : pfs_get_le(p, bytes);
}

uint8_t pfs_rbuf_u8(pfs_rbuf_t *r)
{
    return (uint8_t)rbuf_int(r, 1);
}
uint16_t pfs_rbuf_u16(pfs_rbuf_t *r)
{
    return (uint16_t)rbuf_int(r, 2);
}
uint32_t pfs_rbuf_u32(pfs_rbuf_t *r)
{
    return (uint32_t)rbuf_int(r, 4);
}
uint64_t pfs_rbuf_u64(pfs_rbuf_t *r)
{
    return rbuf_int(r, 8);
}

void pfs_rbuf_bytes(pfs_rbuf_t *r, void *dst, size_t len)
{
    const uint8_t *p = rbuf_take(r, len);

    if (p != NULL) {
        memcpy(dst, p, len);
    } else {
        memset(dst, 0, len);
    }
}

void pfs_rbuf_str(pfs_rbuf_t *r, char *out, size_t max)
{
    uint16_t len = pfs_rbuf_u16(r);
    const uint8_t *p;

    out[0] = '\0';
    if (len > max) {
        r->truncated = 1;
        return;
    }
    p = rbuf_take(r, len);
    if (p == NULL) {
        return;
    }
    if (memchr(p, '\0', len) != NULL) {
        r->truncated = 1;
        return;
    }
    memcpy(out, p, len);
    out[len] = '\0';
}

pfs_fid_t pfs_rbuf_fid(pfs_rbuf_t *r)
{
    pfs_fid_t fid;

    fid.hi = pfs_rbuf_u64(r);
    fid.lo = pfs_rbuf_u64(r);
    return fid;
}

void pfs_rbuf_u32_list(pfs_rbuf_t *r, uint32_t *v, uint32_t *n_p, uint32_t max)
{
    uint32_t i, n = pfs_rbuf_u32(r);

    /* the count decides how many values follow: check it first */
    if (n > max) {
        r->truncated = 1;
        n = 0;
    }
    for (i = 0; i < n; i++) {
        v[i] = pfs_rbuf_u32(r);
    }
    *n_p = n;
}

void pfs_rbuf_fail(pfs_rbuf_t *r)
{
    r->truncated = 1;
}

pfs_status_t pfs_rbuf_finish(const pfs_rbuf_t *r)
{
    return (r->truncated || r->pos != r->len) ? PFS_ERR_PROTO : PFS_OK;
}
