/* proto.c - the one encoder and decoder of every pfs message (proto.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "wire.h"

/* ---- header ------------------------------------------------------------ */

void pfs_proto_hdr_pack(const pfs_msg_hdr_t *hdr, void *out)
{
    uint8_t *p = out;

    pfs_put_le(p + 0, PFS_PROTO_MAGIC, 4);
    pfs_put_le(p + 4, PFS_PROTO_VERSION, 2);
    pfs_put_le(p + 6, hdr->opcode, 2);
    pfs_put_le(p + 8, hdr->req_id, 8);
    pfs_put_le(p + 16, (uint32_t)hdr->status, 4);
    pfs_put_le(p + 20, hdr->body_len, 4);
    pfs_put_le(p + 24, hdr->data_len, 8);
}

pfs_status_t pfs_proto_hdr_unpack(const void *buf, size_t len,
                                  pfs_msg_hdr_t *hdr_p)
{
    const uint8_t *p = buf;
    pfs_msg_hdr_t hdr;

    if (len < PFS_PROTO_HDR_SIZE) {
        return PFS_ERR_PROTO;
    }
    if (pfs_get_le(p, 4) != PFS_PROTO_MAGIC) {
        return PFS_ERR_PROTO;
    }
    if (pfs_get_le(p + 4, 2) != PFS_PROTO_VERSION) {
        return PFS_ERR_VERSION;
    }
    hdr.opcode = (uint16_t)pfs_get_le(p + 6, 2);
    hdr.req_id = pfs_get_le(p + 8, 8);
    hdr.status = (int32_t)(uint32_t)pfs_get_le(p + 16, 4);
    hdr.body_len = (uint32_t)pfs_get_le(p + 20, 4);
    hdr.data_len = pfs_get_le(p + 24, 8);
    if (hdr.opcode == 0 || hdr.opcode >= PFS_OP_MAX_ ||
        hdr.body_len > PFS_PROTO_MAX_BODY ||
        hdr.body_len != len - PFS_PROTO_HDR_SIZE || hdr.status > 0) {
        return PFS_ERR_PROTO;
    }
    *hdr_p = hdr;
    return PFS_OK;
}

/* ---- building blocks --------------------------------------------------- */

static void fid_put(pfs_wbuf_t *w, pfs_fid_t fid)
{
    pfs_wbuf_u64(w, fid.hi);
    pfs_wbuf_u64(w, fid.lo);
}

static pfs_fid_t fid_get(pfs_rbuf_t *r)
{
    pfs_fid_t fid;

    fid.hi = pfs_rbuf_u64(r);
    fid.lo = pfs_rbuf_u64(r);
    return fid;
}

static void layout_put(pfs_wbuf_t *w, const pfs_layout_t *l)
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

static void layout_get(pfs_rbuf_t *r, pfs_layout_t *l)
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

static void spec_put(pfs_wbuf_t *w, const pfs_layout_spec_t *m)
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

static void spec_get(pfs_rbuf_t *r, pfs_layout_spec_t *m)
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

static void attr_put(pfs_wbuf_t *w, const pfs_attr_t *m)
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

static void attr_get(pfs_rbuf_t *r, pfs_attr_t *m)
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
static int cap_ok(const pfs_cap_t *m)
{
    return (m->rights & ~PFS_CAP_ALL) == 0 &&
           m->nservers <= PFS_LAYOUT_MAX_STRIPES;
}

static void cap_put(pfs_wbuf_t *w, const pfs_cap_t *m)
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

static void cap_get(pfs_rbuf_t *r, pfs_cap_t *m)
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
static pfs_status_t put_done(const pfs_wbuf_t *w, size_t *len_p)
{
    return pfs_wbuf_finish(w, len_p);
}

static pfs_status_t get_done(const pfs_rbuf_t *r)
{
    return pfs_rbuf_finish(r);
}

/* ---- hello and status -------------------------------------------------- */

pfs_status_t pfs_proto_challenge_req_encode(void *buf, size_t cap,
                                            const uint8_t nonce[PFS_NONCE_SIZE],
                                            size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_bytes(&w, nonce, PFS_NONCE_SIZE);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_challenge_req_decode(const void *buf, size_t len,
                                            uint8_t nonce[PFS_NONCE_SIZE])
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_bytes(&r, nonce, PFS_NONCE_SIZE);
    return get_done(&r);
}

pfs_status_t pfs_proto_challenge_rep_encode(void *buf, size_t cap,
                                            const pfs_challenge_rep_t *m,
                                            size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, m->role);
    pfs_wbuf_u32(&w, m->index);
    pfs_wbuf_bytes(&w, m->fsid, sizeof(m->fsid));
    pfs_wbuf_bytes(&w, m->nonce, sizeof(m->nonce));
    pfs_wbuf_bytes(&w, m->proof, sizeof(m->proof));
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_challenge_rep_decode(const void *buf, size_t len,
                                            pfs_challenge_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    m->role = pfs_rbuf_u8(&r);
    m->index = pfs_rbuf_u32(&r);
    pfs_rbuf_bytes(&r, m->fsid, sizeof(m->fsid));
    pfs_rbuf_bytes(&r, m->nonce, sizeof(m->nonce));
    pfs_rbuf_bytes(&r, m->proof, sizeof(m->proof));
    return get_done(&r);
}

pfs_status_t pfs_proto_hello_req_encode(void *buf, size_t cap,
                                        const pfs_hello_req_t *m,
                                        size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->role > PFS_ROLE_ADMIN || m->cred.ngroups > PFS_CRED_MAX_GROUPS) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, m->role);
    pfs_wbuf_u32(&w, m->pid);
    pfs_wbuf_u32(&w, m->cred.uid);
    pfs_wbuf_u32(&w, m->cred.gid);
    pfs_wbuf_u32(&w, m->cred.ngroups);
    pfs_wbuf_bytes(&w, m->proof, sizeof(m->proof));
    return put_done(&w, len_p);
}

void pfs_proto_hello_groups_encode(const pfs_hello_req_t *m, void *out)
{
    uint8_t *p = out;
    uint32_t i;

    for (i = 0; i < m->cred.ngroups; i++) {
        pfs_put_le(p + 4 * (size_t)i, m->cred.groups[i], 4);
    }
}

pfs_status_t pfs_proto_hello_req_decode(const void *body, size_t body_len,
                                        const void *data, size_t data_len,
                                        pfs_hello_req_t *m)
{
    const uint8_t *p = data;
    uint32_t *groups, ngroups, i;
    pfs_rbuf_t r;
    pfs_status_t st;

    memset(m, 0, sizeof(*m));
    pfs_rbuf_init(&r, body, body_len);
    m->role = pfs_rbuf_u8(&r);
    m->pid = pfs_rbuf_u32(&r);
    m->cred.uid = pfs_rbuf_u32(&r);
    m->cred.gid = pfs_rbuf_u32(&r);
    ngroups = pfs_rbuf_u32(&r);
    pfs_rbuf_bytes(&r, m->proof, sizeof(m->proof));
    if (get_done(&r) != PFS_OK || m->role > PFS_ROLE_ADMIN ||
        ngroups > PFS_CRED_MAX_GROUPS || data_len != 4 * (size_t)ngroups ||
        (ngroups > 0 && data == NULL)) {
        return PFS_ERR_PROTO;
    }
    if (ngroups == 0) {
        return PFS_OK;
    }
    groups = malloc(4 * (size_t)ngroups);
    if (groups == NULL) {
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < ngroups; i++) {
        groups[i] = (uint32_t)pfs_get_le(p + 4 * (size_t)i, 4);
    }
    st = pfs_cred_set_groups(&m->cred, groups, ngroups);
    free(groups);
    return st;
}

pfs_status_t pfs_proto_status_rep_encode(void *buf, size_t cap,
                                         const pfs_status_rep_t *m,
                                         size_t *len_p)
{
    pfs_wbuf_t w;

    if (strlen(m->host) > 255) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, m->role);
    pfs_wbuf_u32(&w, m->index);
    pfs_wbuf_u32(&w, m->pid);
    pfs_wbuf_u64(&w, m->uptime_ms);
    pfs_wbuf_u64(&w, m->requests);
    pfs_wbuf_u64(&w, m->data_requests);
    pfs_wbuf_u64(&w, m->bytes_read);
    pfs_wbuf_u64(&w, m->bytes_written);
    pfs_wbuf_u64(&w, m->pending_removals);
    pfs_wbuf_str(&w, m->host);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_status_rep_decode(const void *buf, size_t len,
                                         pfs_status_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    m->role = pfs_rbuf_u8(&r);
    m->index = pfs_rbuf_u32(&r);
    m->pid = pfs_rbuf_u32(&r);
    m->uptime_ms = pfs_rbuf_u64(&r);
    m->requests = pfs_rbuf_u64(&r);
    m->data_requests = pfs_rbuf_u64(&r);
    m->bytes_read = pfs_rbuf_u64(&r);
    m->bytes_written = pfs_rbuf_u64(&r);
    m->pending_removals = pfs_rbuf_u64(&r);
    pfs_rbuf_str(&r, m->host, sizeof(m->host) - 1);
    return get_done(&r);
}

/* ---- metadata ------------------------------------------------------------ */

pfs_status_t pfs_proto_layout_spec_encode(void *buf, size_t cap,
                                          const pfs_layout_spec_t *m,
                                          size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    spec_put(&w, m);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_layout_spec_decode(const void *buf, size_t len,
                                          pfs_layout_spec_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    spec_get(&r, m);
    return get_done(&r);
}

pfs_status_t pfs_proto_path_req_encode(void *buf, size_t cap,
                                       const pfs_path_req_t *m, size_t *len_p)
{
    pfs_wbuf_t w;

    if (strlen(m->path) > PFS_PATH_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_str(&w, m->path);
    pfs_wbuf_u32(&w, m->mode);
    pfs_wbuf_u32(&w, m->flags);
    pfs_wbuf_u32(&w, m->uid);
    pfs_wbuf_u32(&w, m->gid);
    spec_put(&w, &m->layout);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_path_req_decode(const void *buf, size_t len,
                                       pfs_path_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_str(&r, m->path, PFS_PATH_MAX);
    m->mode = pfs_rbuf_u32(&r);
    m->flags = pfs_rbuf_u32(&r);
    m->uid = pfs_rbuf_u32(&r);
    m->gid = pfs_rbuf_u32(&r);
    spec_get(&r, &m->layout);
    return get_done(&r);
}

pfs_status_t pfs_proto_attr_encode(void *buf, size_t cap, const pfs_attr_t *m,
                                   size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    attr_put(&w, m);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_attr_decode(const void *buf, size_t len, pfs_attr_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    attr_get(&r, m);
    return get_done(&r);
}

pfs_status_t pfs_proto_cap_encode(void *buf, size_t cap, const pfs_cap_t *m,
                                  size_t *len_p)
{
    pfs_wbuf_t w;

    if (!cap_ok(m)) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    cap_put(&w, m);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_cap_decode(const void *buf, size_t len, pfs_cap_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    cap_get(&r, m);
    return get_done(&r);
}

pfs_status_t pfs_proto_attr_cap_encode(void *buf, size_t cap,
                                       const pfs_attr_t *attr,
                                       const pfs_cap_t *c, size_t *len_p)
{
    pfs_wbuf_t w;

    if (c != NULL && !cap_ok(c)) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    attr_put(&w, attr);
    pfs_wbuf_u8(&w, c != NULL);
    if (c != NULL) {
        cap_put(&w, c);
    }
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_attr_cap_decode(const void *buf, size_t len,
                                       pfs_attr_t *attr, pfs_cap_t *c,
                                       int *has_cap_p)
{
    pfs_rbuf_t r;
    uint8_t has;

    pfs_rbuf_init(&r, buf, len);
    attr_get(&r, attr);
    has = pfs_rbuf_u8(&r);
    if (has > 1) {
        pfs_rbuf_fail(&r);
    } else if (has == 1) {
        cap_get(&r, c);
    }
    *has_cap_p = has == 1;
    return get_done(&r);
}

pfs_status_t pfs_proto_readdir_req_encode(void *buf, size_t cap,
                                          const pfs_readdir_req_t *m,
                                          size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->max == 0 || m->max > PFS_READDIR_MAX ||
        strlen(m->path) > PFS_PATH_MAX || strlen(m->after) > PFS_NAME_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_str(&w, m->path);
    pfs_wbuf_str(&w, m->after);
    pfs_wbuf_u32(&w, m->max);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_readdir_req_decode(const void *buf, size_t len,
                                          pfs_readdir_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_str(&r, m->path, PFS_PATH_MAX);
    pfs_rbuf_str(&r, m->after, PFS_NAME_MAX);
    m->max = pfs_rbuf_u32(&r);
    if (m->max == 0 || m->max > PFS_READDIR_MAX) {
        pfs_rbuf_fail(&r);
    }
    return get_done(&r);
}

pfs_status_t pfs_proto_readdir_rep_encode(void *buf, size_t cap,
                                          const pfs_readdir_rep_t *m,
                                          size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->count > PFS_READDIR_MAX || m->more > 1) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32(&w, m->count);
    pfs_wbuf_u8(&w, m->more);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_readdir_rep_decode(const void *buf, size_t len,
                                          pfs_readdir_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    m->count = pfs_rbuf_u32(&r);
    m->more = pfs_rbuf_u8(&r);
    if (m->count > PFS_READDIR_MAX || m->more > 1) {
        pfs_rbuf_fail(&r);
    }
    return get_done(&r);
}

pfs_status_t pfs_proto_dirents_encode(void *buf, size_t cap,
                                      const pfs_dirent_t *ents, uint32_t n,
                                      size_t *len_p)
{
    pfs_wbuf_t w;
    uint32_t i;

    if (n > PFS_READDIR_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    for (i = 0; i < n; i++) {
        if (ents[i].name[0] == '\0' || strlen(ents[i].name) > PFS_NAME_MAX) {
            return PFS_ERR_INVAL;
        }
        pfs_wbuf_str(&w, ents[i].name);
        fid_put(&w, ents[i].fid);
        pfs_wbuf_u32(&w, ents[i].type);
    }
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_dirents_decode(const void *buf, size_t len, uint32_t n,
                                      pfs_dirent_t *ents)
{
    pfs_rbuf_t r;
    uint32_t i;

    if (n > PFS_READDIR_MAX) {
        return PFS_ERR_PROTO;
    }
    pfs_rbuf_init(&r, buf, len);
    for (i = 0; i < n; i++) {
        pfs_rbuf_str(&r, ents[i].name, PFS_NAME_MAX);
        ents[i].fid = fid_get(&r);
        ents[i].type = pfs_rbuf_u32(&r);
        if (ents[i].name[0] == '\0' || (ents[i].type != PFS_FILE_TYPE_REG &&
                                        ents[i].type != PFS_FILE_TYPE_DIR)) {
            pfs_rbuf_fail(&r);
        }
    }
    return get_done(&r);
}

pfs_status_t pfs_proto_rename_req_encode(void *buf, size_t cap,
                                         const pfs_rename_req_t *m,
                                         size_t *len_p)
{
    pfs_wbuf_t w;

    if (strlen(m->from) > PFS_PATH_MAX || strlen(m->to) > PFS_PATH_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_str(&w, m->from);
    pfs_wbuf_str(&w, m->to);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_rename_req_decode(const void *buf, size_t len,
                                         pfs_rename_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_str(&r, m->from, PFS_PATH_MAX);
    pfs_rbuf_str(&r, m->to, PFS_PATH_MAX);
    return get_done(&r);
}

pfs_status_t pfs_proto_rename_rep_encode(void *buf, size_t cap,
                                         const pfs_rename_rep_t *m,
                                         size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->replaced > 1) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, m->replaced);
    if (m->replaced) {
        attr_put(&w, &m->attr);
    }
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_rename_rep_decode(const void *buf, size_t len,
                                         pfs_rename_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    memset(&m->attr, 0, sizeof(m->attr));
    m->replaced = pfs_rbuf_u8(&r);
    if (m->replaced == 1) {
        attr_get(&r, &m->attr);
    } else if (m->replaced != 0) {
        pfs_rbuf_fail(&r);
    }
    return get_done(&r);
}

pfs_status_t pfs_proto_fp_req_encode(void *buf, size_t cap,
                                     const pfs_fp_req_t *m, size_t *len_p)
{
    pfs_wbuf_t w;

    if (!cap_ok(&m->cap)) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    cap_put(&w, &m->cap);
    pfs_wbuf_u64(&w, m->value);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_fp_req_decode(const void *buf, size_t len,
                                     pfs_fp_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    cap_get(&r, &m->cap);
    m->value = pfs_rbuf_u64(&r);
    return get_done(&r);
}

pfs_status_t pfs_proto_fp_rep_encode(void *buf, size_t cap, uint64_t before,
                                     size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u64(&w, before);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_fp_rep_decode(const void *buf, size_t len,
                                     uint64_t *before_p)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    *before_p = pfs_rbuf_u64(&r);
    return get_done(&r);
}

pfs_status_t pfs_proto_lease_req_encode(void *buf, size_t cap,
                                        const pfs_lease_req_t *m,
                                        size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->op != PFS_LEASE_ACQUIRE && m->op != PFS_LEASE_RELEASE) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    fid_put(&w, m->fid);
    pfs_wbuf_u32(&w, m->op);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_lease_req_decode(const void *buf, size_t len,
                                        pfs_lease_req_t *m)
{
    pfs_rbuf_t r;
    pfs_status_t st;

    pfs_rbuf_init(&r, buf, len);
    m->fid = fid_get(&r);
    m->op = pfs_rbuf_u32(&r);
    st = get_done(&r);
    if (st == PFS_OK && m->op != PFS_LEASE_ACQUIRE &&
        m->op != PFS_LEASE_RELEASE) {
        st = PFS_ERR_PROTO;
    }
    return st;
}

pfs_status_t pfs_proto_setattr_req_encode(void *buf, size_t cap,
                                          const pfs_setattr_req_t *m,
                                          size_t *len_p)
{
    pfs_wbuf_t w;

    if ((m->mask & ~PFS_SETATTR_ALL) != 0 || strlen(m->path) > PFS_PATH_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_str(&w, m->path);
    pfs_wbuf_u32(&w, m->mask);
    pfs_wbuf_u32(&w, m->mode);
    pfs_wbuf_u32(&w, m->uid);
    pfs_wbuf_u32(&w, m->gid);
    pfs_wbuf_u64(&w, m->mtime_ns);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_setattr_req_decode(const void *buf, size_t len,
                                          pfs_setattr_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_str(&r, m->path, PFS_PATH_MAX);
    m->mask = pfs_rbuf_u32(&r);
    m->mode = pfs_rbuf_u32(&r);
    m->uid = pfs_rbuf_u32(&r);
    m->gid = pfs_rbuf_u32(&r);
    m->mtime_ns = pfs_rbuf_u64(&r);
    if ((m->mask & ~PFS_SETATTR_ALL) != 0) {
        pfs_rbuf_fail(&r);
    }
    return get_done(&r);
}

/* ---- I/O servers --------------------------------------------------------- */

pfs_status_t pfs_proto_io_req_encode(void *buf, size_t cap,
                                     const pfs_io_req_t *m, size_t *len_p)
{
    pfs_wbuf_t w;

    if (!cap_ok(&m->cap)) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    cap_put(&w, &m->cap);
    pfs_wbuf_u64(&w, m->offset);
    pfs_wbuf_u64(&w, m->length);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_io_req_decode(const void *buf, size_t len,
                                     pfs_io_req_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    cap_get(&r, &m->cap);
    m->offset = pfs_rbuf_u64(&r);
    m->length = pfs_rbuf_u64(&r);
    if (get_done(&r) != PFS_OK) {
        return PFS_ERR_PROTO;
    }
    /* offset + length must stay a valid off_t on the server */
    if (m->offset > PFS_MAX_FILE_SIZE ||
        m->length > PFS_MAX_FILE_SIZE - m->offset) {
        return PFS_ERR_FBIG;
    }
    return PFS_OK;
}

pfs_status_t pfs_proto_io_rep_encode(void *buf, size_t cap, unsigned opcode,
                                     const pfs_io_rep_t *m, size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u64(&w, m->result);
    if (opcode == PFS_OP_IO_READV) {
        pfs_wbuf_u64(&w, m->objsize);
    }
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_io_rep_decode(const void *buf, size_t len,
                                     unsigned opcode, pfs_io_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    m->result = pfs_rbuf_u64(&r);
    m->objsize = opcode == PFS_OP_IO_READV ? pfs_rbuf_u64(&r) : 0;
    return get_done(&r);
}

pfs_status_t pfs_proto_statfs_rep_encode(void *buf, size_t cap,
                                         const pfs_statfs_rep_t *m,
                                         size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u64(&w, m->total_bytes);
    pfs_wbuf_u64(&w, m->free_bytes);
    pfs_wbuf_u64(&w, m->avail_bytes);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_statfs_rep_decode(const void *buf, size_t len,
                                         pfs_statfs_rep_t *m)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    m->total_bytes = pfs_rbuf_u64(&r);
    m->free_bytes = pfs_rbuf_u64(&r);
    m->avail_bytes = pfs_rbuf_u64(&r);
    return get_done(&r);
}

/* ---- errors -------------------------------------------------------------- */

pfs_status_t pfs_proto_errmsg_encode(void *buf, size_t cap, const char *msg,
                                     size_t *len_p)
{
    char clipped[PFS_PROTO_MAX_ERRMSG + 1];
    pfs_wbuf_t w;

    snprintf(clipped, sizeof(clipped), "%s", msg);
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_str(&w, clipped);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_errmsg_decode(const void *buf, size_t len, char *msg,
                                     size_t msg_size)
{
    char text[PFS_PROTO_MAX_ERRMSG + 1];
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_str(&r, text, PFS_PROTO_MAX_ERRMSG);
    if (msg_size > 0) {
        snprintf(msg, msg_size, "%s", text);
    }
    return get_done(&r);
}

/* ---- file handle --------------------------------------------------------- */

pfs_status_t pfs_proto_handle_encode(void *buf, size_t cap,
                                     const uint8_t fsid[16],
                                     const pfs_attr_t *attr,
                                     const pfs_cap_t *c, size_t *len_p)
{
    pfs_wbuf_t w;

    if (!cap_ok(c)) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32(&w, PFS_HANDLE_MAGIC);
    pfs_wbuf_u32(&w, PFS_HANDLE_VERSION);
    pfs_wbuf_bytes(&w, fsid, 16);
    attr_put(&w, attr);
    cap_put(&w, c);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_handle_decode(const void *buf, size_t len,
                                     uint8_t fsid[16], pfs_attr_t *attr,
                                     pfs_cap_t *c)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    if (pfs_rbuf_u32(&r) != PFS_HANDLE_MAGIC ||
        pfs_rbuf_u32(&r) != PFS_HANDLE_VERSION) {
        return PFS_ERR_PROTO;
    }
    pfs_rbuf_bytes(&r, fsid, 16);
    attr_get(&r, attr);
    cap_get(&r, c);
    return get_done(&r);
}

/* ---- names --------------------------------------------------------------- */

const char *pfs_proto_op_name(unsigned opcode)
{
    switch (opcode) {
    case PFS_OP_HELLO:      return "hello";
    case PFS_OP_STATUS:     return "status";
    case PFS_OP_SHUTDOWN:   return "shutdown";
    case PFS_OP_CHALLENGE:  return "challenge";
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
    case PFS_OP_MDS_LEASE:  return "lease";
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
