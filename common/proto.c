/* proto.c - the one encoder and decoder of every pfs message (proto.h):
 * the header, HELLO and STATUS, the I/O servers' messages, errors, the
 * file handle, names and paths here; the metadata server's messages in
 * proto_md.c; the fields they share in proto_int.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

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
                                        const pfs_hello_req_t *m, size_t *len_p)
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

pfs_status_t pfs_proto_remove_req_encode(void *buf, size_t cap,
                                         const pfs_cap_t *caps, uint32_t n,
                                         size_t *len_p)
{
    pfs_wbuf_t w;
    uint32_t i;

    if (n < 1 || n > PFS_REMOVE_MAX) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32(&w, n);
    for (i = 0; i < n; i++) {
        if (!cap_ok(&caps[i])) {
            return PFS_ERR_INVAL;
        }
        cap_put(&w, &caps[i]);
    }
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_remove_req_decode(const void *buf, size_t len,
                                         pfs_cap_t *caps, uint32_t *n_p)
{
    pfs_rbuf_t r;
    uint32_t i, n;

    pfs_rbuf_init(&r, buf, len);
    n = pfs_rbuf_u32(&r);
    /* the count decides how many caps follow: check it first */
    if (n < 1 || n > PFS_REMOVE_MAX) {
        return PFS_ERR_PROTO;
    }
    for (i = 0; i < n; i++) {
        cap_get(&r, &caps[i]);
    }
    *n_p = n;
    return get_done(&r);
}

pfs_status_t pfs_proto_remove_rep_encode(void *buf, size_t cap,
                                         const pfs_status_t *st, uint32_t n,
                                         size_t *len_p)
{
    uint32_t v[PFS_REMOVE_MAX], i;
    pfs_wbuf_t w;

    if (n > PFS_REMOVE_MAX) {
        return PFS_ERR_INVAL;
    }
    for (i = 0; i < n; i++) {
        v[i] = (uint32_t)(int32_t)st[i];
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32_list(&w, v, n, PFS_REMOVE_MAX);
    return put_done(&w, len_p);
}

pfs_status_t pfs_proto_remove_rep_decode(const void *buf, size_t len,
                                         pfs_status_t *st, uint32_t *n_p)
{
    uint32_t v[PFS_REMOVE_MAX], i, n = 0;
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    pfs_rbuf_u32_list(&r, v, &n, PFS_REMOVE_MAX);
    for (i = 0; i < n; i++) {
        st[i] = (pfs_status_t)(int32_t)v[i];
    }
    *n_p = n;
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
                                     const pfs_attr_t *attr, const pfs_cap_t *c,
                                     size_t *len_p)
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
    case PFS_OP_HELLO: return "hello";
    case PFS_OP_STATUS: return "status";
    case PFS_OP_SHUTDOWN: return "shutdown";
    case PFS_OP_CHALLENGE: return "challenge";
    case PFS_OP_MDS_CREATE: return "create";
    case PFS_OP_MDS_LOOKUP: return "lookup";
    case PFS_OP_MDS_STAT: return "stat";
    case PFS_OP_MDS_UNLINK: return "unlink";
    case PFS_OP_MDS_MKDIR: return "mkdir";
    case PFS_OP_MDS_READDIR: return "readdir";
    case PFS_OP_MDS_RMDIR: return "rmdir";
    case PFS_OP_MDS_RENAME: return "rename";
    case PFS_OP_MDS_FP_FETCH_ADD: return "fp_fetch_add";
    case PFS_OP_MDS_FP_SET: return "fp_set";
    case PFS_OP_MDS_SET_DIR_LAYOUT: return "set_dir_layout";
    case PFS_OP_MDS_GET_DIR_LAYOUT: return "get_dir_layout";
    case PFS_OP_MDS_SETATTR: return "setattr";
    case PFS_OP_MDS_LEASE: return "lease";
    case PFS_OP_IO_SIZE: return "size";
    case PFS_OP_IO_REMOVE: return "remove";
    case PFS_OP_IO_FSYNC: return "fsync";
    case PFS_OP_IO_WRITEV: return "writev";
    case PFS_OP_IO_READV: return "readv";
    case PFS_OP_IO_TRUNCATE: return "truncate";
    case PFS_OP_IO_PREALLOC: return "prealloc";
    case PFS_OP_IO_STATFS: return "statfs";
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
