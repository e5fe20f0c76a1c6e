/* proto.c - pack and unpack of every pfs message; the bounds checks live here. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

/* ---- bounded writer ---------------------------------------------------- */

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

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < bytes; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void wbuf_int(pfs_wbuf_t *w, uint64_t v, unsigned bytes)
{
    uint8_t *p = wbuf_reserve(w, bytes);

    if (p != NULL) {
        put_le(p, v, bytes);
    }
}

void pfs_wbuf_u8(pfs_wbuf_t *w, uint8_t v)   { wbuf_int(w, v, 1); }
void pfs_wbuf_u16(pfs_wbuf_t *w, uint16_t v) { wbuf_int(w, v, 2); }
void pfs_wbuf_u32(pfs_wbuf_t *w, uint32_t v) { wbuf_int(w, v, 4); }
void pfs_wbuf_u64(pfs_wbuf_t *w, uint64_t v) { wbuf_int(w, v, 8); }

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

pfs_status_t pfs_wbuf_finish(const pfs_wbuf_t *w, size_t *len_p)
{
    if (w->overflow) {
        return PFS_ERR_INVAL;
    }
    *len_p = w->pos;
    return PFS_OK;
}

/* ---- bounded reader ---------------------------------------------------- */

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

    return p == NULL ? 0 : get_le(p, bytes);
}

uint8_t pfs_rbuf_u8(pfs_rbuf_t *r)   { return (uint8_t)rbuf_int(r, 1); }
uint16_t pfs_rbuf_u16(pfs_rbuf_t *r) { return (uint16_t)rbuf_int(r, 2); }
uint32_t pfs_rbuf_u32(pfs_rbuf_t *r) { return (uint32_t)rbuf_int(r, 4); }
uint64_t pfs_rbuf_u64(pfs_rbuf_t *r) { return rbuf_int(r, 8); }

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

pfs_status_t pfs_rbuf_finish(const pfs_rbuf_t *r)
{
    return (r->truncated || r->pos != r->len) ? PFS_ERR_PROTO : PFS_OK;
}

/* ---- header ------------------------------------------------------------ */

void pfs_proto_hdr_pack(const pfs_msg_hdr_t *hdr, void *out)
{
    uint8_t *p = out;

    put_le(p + 0, PFS_PROTO_MAGIC, 4);
    put_le(p + 4, PFS_PROTO_VERSION, 2);
    put_le(p + 6, hdr->opcode, 2);
    put_le(p + 8, hdr->req_id, 8);
    put_le(p + 16, (uint32_t)hdr->status, 4);
    put_le(p + 20, hdr->body_len, 4);
    put_le(p + 24, hdr->data_len, 8);
}

pfs_status_t pfs_proto_hdr_unpack(const void *buf, size_t len,
                                  pfs_msg_hdr_t *hdr_p)
{
    const uint8_t *p = buf;
    pfs_msg_hdr_t hdr;

    if (len < PFS_PROTO_HDR_SIZE) {
        return PFS_ERR_PROTO;
    }
    if (get_le(p, 4) != PFS_PROTO_MAGIC) {
        return PFS_ERR_PROTO;
    }
    if (get_le(p + 4, 2) != PFS_PROTO_VERSION) {
        return PFS_ERR_VERSION;
    }
    hdr.opcode = (uint16_t)get_le(p + 6, 2);
    hdr.req_id = get_le(p + 8, 8);
    hdr.status = (int32_t)(uint32_t)get_le(p + 16, 4);
    hdr.body_len = (uint32_t)get_le(p + 20, 4);
    hdr.data_len = get_le(p + 24, 8);
    if (hdr.opcode == 0 || hdr.opcode >= PFS_OP_MAX_ ||
        hdr.body_len > PFS_PROTO_MAX_BODY ||
        hdr.body_len != len - PFS_PROTO_HDR_SIZE || hdr.status > 0) {
        return PFS_ERR_PROTO;
    }
    *hdr_p = hdr;
    return PFS_OK;
}

/* ---- bodies ------------------------------------------------------------ */

static pfs_status_t wbuf_status(const pfs_wbuf_t *w)
{
    return w->overflow ? PFS_ERR_INVAL : PFS_OK;
}

static pfs_status_t rbuf_status(const pfs_rbuf_t *r)
{
    return r->truncated ? PFS_ERR_PROTO : PFS_OK;
}

pfs_status_t pfs_proto_hello_req_pack(pfs_wbuf_t *w, const pfs_hello_req_t *m)
{
    uint32_t i;

    if (m->cred.ngroups > PFS_CRED_MAX_GROUPS) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_bytes(w, m->key, sizeof(m->key));
    pfs_wbuf_u8(w, m->role);
    pfs_wbuf_u32(w, m->pid);
    pfs_wbuf_u32(w, m->cred.uid);
    pfs_wbuf_u32(w, m->cred.gid);
    pfs_wbuf_u32(w, m->cred.ngroups);
    for (i = 0; i < m->cred.ngroups; i++) {
        pfs_wbuf_u32(w, m->cred.groups[i]);
    }
    return wbuf_status(w);
}

void pfs_cred_self(pfs_cred_t *cred)
{
    gid_t groups[64];
    int n = getgroups(64, groups), i;

    memset(cred, 0, sizeof(*cred));
    cred->uid = (uint32_t)getuid();
    cred->gid = (uint32_t)getgid();
    for (i = 0; i < n && cred->ngroups < PFS_CRED_MAX_GROUPS; i++) {
        cred->groups[cred->ngroups++] = (uint32_t)groups[i];
    }
}

pfs_status_t pfs_proto_hello_req_unpack(pfs_rbuf_t *r, pfs_hello_req_t *m)
{
    pfs_rbuf_bytes(r, m->key, sizeof(m->key));
    uint32_t i;

    m->role = pfs_rbuf_u8(r);
    m->pid = pfs_rbuf_u32(r);
    m->cred.uid = pfs_rbuf_u32(r);
    m->cred.gid = pfs_rbuf_u32(r);
    m->cred.ngroups = pfs_rbuf_u32(r);
    if (m->role > PFS_ROLE_ADMIN || m->cred.ngroups > PFS_CRED_MAX_GROUPS) {
        return PFS_ERR_PROTO;
    }
    for (i = 0; i < m->cred.ngroups; i++) {
        m->cred.groups[i] = pfs_rbuf_u32(r);
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_hello_rep_pack(pfs_wbuf_t *w, const pfs_hello_rep_t *m)
{
    pfs_wbuf_u8(w, m->role);
    pfs_wbuf_u32(w, m->index);
    pfs_wbuf_bytes(w, m->fsid, sizeof(m->fsid));
    return wbuf_status(w);
}

pfs_status_t pfs_proto_hello_rep_unpack(pfs_rbuf_t *r, pfs_hello_rep_t *m)
{
    m->role = pfs_rbuf_u8(r);
    m->index = pfs_rbuf_u32(r);
    pfs_rbuf_bytes(r, m->fsid, sizeof(m->fsid));
    return rbuf_status(r);
}

pfs_status_t pfs_proto_status_rep_pack(pfs_wbuf_t *w, const pfs_status_rep_t *m)
{
    pfs_wbuf_u8(w, m->role);
    pfs_wbuf_u32(w, m->index);
    pfs_wbuf_u32(w, m->pid);
    pfs_wbuf_u64(w, m->uptime_ms);
    pfs_wbuf_u64(w, m->requests);
    pfs_wbuf_u64(w, m->data_requests);
    pfs_wbuf_u64(w, m->bytes_read);
    pfs_wbuf_u64(w, m->bytes_written);
    pfs_wbuf_u64(w, m->pending_removals);
    pfs_wbuf_str(w, m->host);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_status_rep_unpack(pfs_rbuf_t *r, pfs_status_rep_t *m)
{
    m->role = pfs_rbuf_u8(r);
    m->index = pfs_rbuf_u32(r);
    m->pid = pfs_rbuf_u32(r);
    m->uptime_ms = pfs_rbuf_u64(r);
    m->requests = pfs_rbuf_u64(r);
    m->data_requests = pfs_rbuf_u64(r);
    m->bytes_read = pfs_rbuf_u64(r);
    m->bytes_written = pfs_rbuf_u64(r);
    m->pending_removals = pfs_rbuf_u64(r);
    pfs_rbuf_str(r, m->host, sizeof(m->host) - 1);
    return rbuf_status(r);
}

static void layout_pack(pfs_wbuf_t *w, const pfs_layout_t *l)
{
    uint32_t i, count = l->stripe_count;

    pfs_wbuf_u64(w, l->stripe_size);
    pfs_wbuf_u32(w, count);
    for (i = 0; i < count && i < PFS_LAYOUT_MAX_STRIPES; i++) {
        pfs_wbuf_u32(w, l->servers[i]);
    }
}

static void layout_unpack(pfs_rbuf_t *r, pfs_layout_t *l)
{
    uint32_t i;

    memset(l, 0, sizeof(*l));
    l->stripe_size = pfs_rbuf_u64(r);
    l->stripe_count = pfs_rbuf_u32(r);
    /* the count decides how many entries follow: check it first */
    if (l->stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        r->truncated = 1;
        l->stripe_count = 0;
        return;
    }
    for (i = 0; i < l->stripe_count; i++) {
        l->servers[i] = pfs_rbuf_u32(r);
    }
}

pfs_status_t pfs_proto_layout_spec_pack(pfs_wbuf_t *w,
                                        const pfs_layout_spec_t *m)
{
    uint32_t i;

    if (m->nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_u64(w, m->stripe_size);
    pfs_wbuf_u32(w, m->stripe_count);
    pfs_wbuf_u32(w, m->nservers);
    for (i = 0; i < m->nservers; i++) {
        pfs_wbuf_u32(w, m->servers[i]);
    }
    return wbuf_status(w);
}

pfs_status_t pfs_proto_layout_spec_unpack(pfs_rbuf_t *r, pfs_layout_spec_t *m)
{
    uint32_t i;

    memset(m, 0, sizeof(*m));
    m->stripe_size = pfs_rbuf_u64(r);
    m->stripe_count = pfs_rbuf_u32(r);
    m->nservers = pfs_rbuf_u32(r);
    /* the count decides how many entries follow: check it first */
    if (m->nservers > PFS_LAYOUT_MAX_STRIPES) {
        r->truncated = 1;
        m->nservers = 0;
        return PFS_ERR_PROTO;
    }
    for (i = 0; i < m->nservers; i++) {
        m->servers[i] = pfs_rbuf_u32(r);
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_path_req_pack(pfs_wbuf_t *w, const pfs_path_req_t *m)
{
    if (m->layout.nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_str(w, m->path);
    pfs_wbuf_u32(w, m->mode);
    pfs_wbuf_u32(w, m->flags);
    pfs_wbuf_u32(w, m->uid);
    pfs_wbuf_u32(w, m->gid);
    return pfs_proto_layout_spec_pack(w, &m->layout);
}

pfs_status_t pfs_proto_path_req_unpack(pfs_rbuf_t *r, pfs_path_req_t *m)
{
    pfs_rbuf_str(r, m->path, PFS_PATH_MAX);
    m->mode = pfs_rbuf_u32(r);
    m->flags = pfs_rbuf_u32(r);
    m->uid = pfs_rbuf_u32(r);
    m->gid = pfs_rbuf_u32(r);
    (void)pfs_proto_layout_spec_unpack(r, &m->layout);
    return rbuf_status(r);
}

pfs_status_t pfs_proto_attr_pack(pfs_wbuf_t *w, const pfs_attr_t *m)
{
    if (m->layout.stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_u64(w, m->fid.hi);
    pfs_wbuf_u64(w, m->fid.lo);
    pfs_wbuf_u32(w, m->type);
    pfs_wbuf_u32(w, m->mode);
    pfs_wbuf_u32(w, m->uid);
    pfs_wbuf_u32(w, m->gid);
    pfs_wbuf_u64(w, m->ctime_ns);
    pfs_wbuf_u64(w, m->mtime_ns);
    pfs_wbuf_u32(w, m->nlink);
    layout_pack(w, &m->layout);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_attr_unpack(pfs_rbuf_t *r, pfs_attr_t *m)
{
    m->fid.hi = pfs_rbuf_u64(r);
    m->fid.lo = pfs_rbuf_u64(r);
    m->type = pfs_rbuf_u32(r);
    m->mode = pfs_rbuf_u32(r);
    m->uid = pfs_rbuf_u32(r);
    m->gid = pfs_rbuf_u32(r);
    m->ctime_ns = pfs_rbuf_u64(r);
    m->mtime_ns = pfs_rbuf_u64(r);
    m->nlink = pfs_rbuf_u32(r);
    layout_unpack(r, &m->layout);
    if (!r->truncated && m->type != PFS_FILE_TYPE_REG &&
        m->type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_PROTO;
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_io_req_pack(pfs_wbuf_t *w, const pfs_io_req_t *m)
{
    pfs_wbuf_u64(w, m->fid.hi);
    pfs_wbuf_u64(w, m->fid.lo);
    pfs_wbuf_u64(w, m->offset);
    pfs_wbuf_u64(w, m->length);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_io_req_unpack(pfs_rbuf_t *r, pfs_io_req_t *m)
{
    m->fid.hi = pfs_rbuf_u64(r);
    m->fid.lo = pfs_rbuf_u64(r);
    m->offset = pfs_rbuf_u64(r);
    m->length = pfs_rbuf_u64(r);
    if (r->truncated) {
        return PFS_ERR_PROTO;
    }
    /* offset + length must stay a valid off_t on the server */
    if (m->offset > PFS_MAX_FILE_SIZE ||
        m->length > PFS_MAX_FILE_SIZE - m->offset) {
        return PFS_ERR_FBIG;
    }
    return PFS_OK;
}

pfs_status_t pfs_proto_fid_pack(pfs_wbuf_t *w, pfs_fid_t fid)
{
    pfs_wbuf_u64(w, fid.hi);
    pfs_wbuf_u64(w, fid.lo);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_fid_unpack(pfs_rbuf_t *r, pfs_fid_t *fid_p)
{
    fid_p->hi = pfs_rbuf_u64(r);
    fid_p->lo = pfs_rbuf_u64(r);
    return rbuf_status(r);
}

pfs_status_t pfs_proto_u64_pack(pfs_wbuf_t *w, uint64_t v)
{
    pfs_wbuf_u64(w, v);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_u64_unpack(pfs_rbuf_t *r, uint64_t *v_p)
{
    *v_p = pfs_rbuf_u64(r);
    return rbuf_status(r);
}

pfs_status_t pfs_proto_fp_req_pack(pfs_wbuf_t *w, const pfs_fp_req_t *m)
{
    pfs_wbuf_u64(w, m->fid.hi);
    pfs_wbuf_u64(w, m->fid.lo);
    pfs_wbuf_u64(w, m->value);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_fp_req_unpack(pfs_rbuf_t *r, pfs_fp_req_t *m)
{
    m->fid.hi = pfs_rbuf_u64(r);
    m->fid.lo = pfs_rbuf_u64(r);
    m->value = pfs_rbuf_u64(r);
    return rbuf_status(r);
}

pfs_status_t pfs_proto_setattr_req_pack(pfs_wbuf_t *w,
                                        const pfs_setattr_req_t *m)
{
    if ((m->mask & ~PFS_SETATTR_ALL) != 0) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_str(w, m->path);
    pfs_wbuf_u32(w, m->mask);
    pfs_wbuf_u32(w, m->mode);
    pfs_wbuf_u32(w, m->uid);
    pfs_wbuf_u32(w, m->gid);
    pfs_wbuf_u64(w, m->mtime_ns);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_setattr_req_unpack(pfs_rbuf_t *r,
                                          pfs_setattr_req_t *m)
{
    pfs_rbuf_str(r, m->path, PFS_PATH_MAX);
    m->mask = pfs_rbuf_u32(r);
    m->mode = pfs_rbuf_u32(r);
    m->uid = pfs_rbuf_u32(r);
    m->gid = pfs_rbuf_u32(r);
    m->mtime_ns = pfs_rbuf_u64(r);
    if (!r->truncated && (m->mask & ~PFS_SETATTR_ALL) != 0) {
        return PFS_ERR_PROTO;
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_errmsg_pack(pfs_wbuf_t *w, const char *msg)
{
    char clipped[PFS_PROTO_MAX_ERRMSG + 1];

    snprintf(clipped, sizeof(clipped), "%s", msg);
    pfs_wbuf_str(w, clipped);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_errmsg_unpack(pfs_rbuf_t *r, char *msg, size_t msg_size)
{
    char text[PFS_PROTO_MAX_ERRMSG + 1];

    pfs_rbuf_str(r, text, PFS_PROTO_MAX_ERRMSG);
    if (msg_size > 0) {
        snprintf(msg, msg_size, "%s", text);
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_readdir_req_pack(pfs_wbuf_t *w,
                                        const pfs_readdir_req_t *m)
{
    pfs_wbuf_str(w, m->path);
    pfs_wbuf_str(w, m->after);
    pfs_wbuf_u32(w, m->max);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_readdir_req_unpack(pfs_rbuf_t *r, pfs_readdir_req_t *m)
{
    pfs_rbuf_str(r, m->path, PFS_PATH_MAX);
    pfs_rbuf_str(r, m->after, PFS_NAME_MAX);
    m->max = pfs_rbuf_u32(r);
    if (!r->truncated && (m->max == 0 || m->max > PFS_READDIR_MAX)) {
        return PFS_ERR_PROTO;
    }
    return rbuf_status(r);
}

pfs_status_t pfs_proto_dirent_pack(pfs_wbuf_t *w, const pfs_dirent_t *m)
{
    pfs_wbuf_str(w, m->name);
    pfs_wbuf_u64(w, m->fid.hi);
    pfs_wbuf_u64(w, m->fid.lo);
    pfs_wbuf_u32(w, m->type);
    return wbuf_status(w);
}

pfs_status_t pfs_proto_dirent_unpack(pfs_rbuf_t *r, pfs_dirent_t *m)
{
    pfs_rbuf_str(r, m->name, PFS_NAME_MAX);
    m->fid.hi = pfs_rbuf_u64(r);
    m->fid.lo = pfs_rbuf_u64(r);
    m->type = pfs_rbuf_u32(r);
    if (!r->truncated && ((m->type != PFS_FILE_TYPE_REG &&
                           m->type != PFS_FILE_TYPE_DIR) ||
                          m->name[0] == '\0')) {
        return PFS_ERR_PROTO;
    }
    return rbuf_status(r);
}

const char *pfs_proto_op_name(unsigned opcode)
{
    switch (opcode) {
    case PFS_OP_HELLO:      return "hello";
    case PFS_OP_STATUS:     return "status";
    case PFS_OP_SHUTDOWN:   return "shutdown";
    case PFS_OP_MDS_CREATE: return "create";
    case PFS_OP_MDS_LOOKUP: return "lookup";
    case PFS_OP_MDS_STAT:   return "stat";
    case PFS_OP_MDS_UNLINK: return "unlink";
    case PFS_OP_MDS_MKDIR:  return "mkdir";
    case PFS_OP_MDS_READDIR: return "readdir";
    case PFS_OP_MDS_RMDIR:  return "rmdir";
    case PFS_OP_MDS_RENAME: return "rename";
    case PFS_OP_MDS_FP_FETCH_ADD: return "fp_fetch_add";
    case PFS_OP_MDS_FP_SET: return "fp_set";
    case PFS_OP_MDS_SET_DIR_LAYOUT: return "set_dir_layout";
    case PFS_OP_MDS_GET_DIR_LAYOUT: return "get_dir_layout";
    case PFS_OP_MDS_SETATTR: return "setattr";
    case PFS_OP_IO_SIZE:    return "size";
    case PFS_OP_IO_REMOVE:  return "remove";
    case PFS_OP_IO_FSYNC:   return "fsync";
    case PFS_OP_IO_WRITEV:  return "writev";
    case PFS_OP_IO_READV:   return "readv";
    case PFS_OP_IO_TRUNCATE: return "truncate";
    case PFS_OP_IO_PREALLOC: return "prealloc";
    case PFS_OP_IO_STATFS:  return "statfs";
    }
    return "unknown";
}

/* ---- paths ------------------------------------------------------------- */

pfs_status_t pfs_path_normalize(const char *in, char *out)
{
    size_t len = 0;
    const char *p;

    if (in == NULL) {
        return PFS_ERR_INVAL;
    }
    if (strncmp(in, "pfs:", 4) == 0) {
        in += 4;
    }
    if (in[0] != '/') {
        return PFS_ERR_INVAL;
    }
    p = in;
    while (*p != '\0') {
        const char *start;
        size_t n;

        while (*p == '/') {
            p++;
        }
        start = p;
        while (*p != '\0' && *p != '/') {
            p++;
        }
        n = (size_t)(p - start);
        if (n == 0 || (n == 1 && start[0] == '.')) {
            continue;
        }
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            /* lexical: pfs has no symlinks, so a/b/.. is a */
            while (len > 0 && out[len - 1] != '/') {
                len--;
            }
            if (len > 0) {
                len--; /* the slash before the dropped component */
            }
            continue;
        }
        if (n > PFS_NAME_MAX) {
            return PFS_ERR_NAMETOOLONG;
        }
        if (len + 1 + n > PFS_PATH_MAX) {
            return PFS_ERR_NAMETOOLONG;
        }
        out[len++] = '/';
        memcpy(out + len, start, n);
        len += n;
    }
    if (len == 0) {
        out[len++] = '/';
    }
    out[len] = '\0';
    return PFS_OK;
}

/* Constant time, so the comparison does not leak how much of a guess was
 * right. */
int pfs_key_equal(const uint8_t *a, const uint8_t *b)
{
    uint8_t diff = 0;
    unsigned i;

    for (i = 0; i < PFS_PROTO_KEY_SIZE; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}
