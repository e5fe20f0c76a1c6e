/* proto_md.c - the metadata server's messages (proto.h): layouts, path
 * requests, attributes and capabilities, directories, rename, the shared
 * file pointer, leases, setattr.  The rest is in proto.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

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
        pfs_wbuf_fid(&w, ents[i].fid);
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
        ents[i].fid = pfs_rbuf_fid(&r);
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
                                        const pfs_lease_req_t *m, size_t *len_p)
{
    pfs_wbuf_t w;

    if (m->op != PFS_LEASE_ACQUIRE && m->op != PFS_LEASE_RELEASE) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_fid(&w, m->fid);
    pfs_wbuf_u32(&w, m->op);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_lease_req_decode(const void *buf, size_t len,
                                        pfs_lease_req_t *m)
{
    pfs_rbuf_t r;
    pfs_status_t st;

    pfs_rbuf_init(&r, buf, len);
    m->fid = pfs_rbuf_fid(&r);
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
