/* pio_ns.c - libpio's namespace calls: paths sent to the metadata
 * server (mkdir, rmdir, unlink, setattr, directory layouts, readdir,
 * rename). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pio_abi.h"
#include "pio_internal.h"

/* Normalize a caller's path into out (PFS_PATH_MAX + 1 bytes), or fail
 * with a message that says what a path must look like. */
static pfs_status_t normalize(pio_client_t *c, const char *path, char *out)
{
    pfs_status_t st;

    if (path == NULL) {
        return pioi_fail(c, PFS_ERR_INVAL, "path is NULL");
    }
    st = pfs_path_normalize(path, out);
    if (st != PFS_OK) {
        return pioi_fail(c, st, "bad path '%s': %s", path,
                         st == PFS_ERR_NAMETOOLONG
                             ? "too long"
                             : "must be absolute, like pfs:/dir/file");
    }
    return PFS_OK;
}

/* The buffers of one request to the metadata server: its message and
 * the message's encoding. */
typedef struct {
    void *m;
    uint8_t *body;
} ns_buf_t;

/* Start a request: the client's last message cleared, b->m (m_size
 * bytes, zeroed) and b->body (body_max bytes) allocated.  ns_end frees
 * them, also after a failure here. */
static pfs_status_t ns_begin(pio_client_t *c, ns_buf_t *b, size_t m_size,
                             size_t body_max)
{
    c->errmsg[0] = '\0';
    b->m = calloc(1, m_size);
    b->body = malloc(body_max);
    if (b->m == NULL || b->body == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    return PFS_OK;
}

static void ns_end(ns_buf_t *b)
{
    free(b->body);
    free(b->m);
}

/* Send req with b's message, len bytes as encoded (enc: the encoder's
 * status), as the request's body or, payload set, as its payload. */
static pfs_status_t ns_send(pio_client_t *c, pioi_call_t *req,
                            const ns_buf_t *b, pfs_status_t enc, size_t len,
                            int payload)
{
    if (enc != PFS_OK) {
        return pioi_fail(c, enc, "cannot encode the %s request",
                         pfs_proto_op_name(req->opcode));
    }
    if (payload) {
        req->send = b->body;
        req->send_len = len;
    } else {
        req->body = b->body;
        req->body_len = len;
    }
    return pioi_call(c, &c->mds, req);
}

static pfs_status_t spec_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                void *out)
{
    if (pfs_proto_layout_spec_decode(rpc->reply, rpc->reply_len, out) !=
        PFS_OK) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed layout from the MDS");
    }
    return PFS_OK;
}

/* Attributes, with a regular file's layout checked against the ensemble. */
static pfs_status_t attr_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                void *out)
{
    pfs_attr_t *attr_p = out;

    if (pfs_proto_attr_decode(rpc->reply, rpc->reply_len, attr_p) != PFS_OK ||
        (attr_p->type == PFS_FILE_TYPE_REG &&
         pfs_layout_validate(&attr_p->layout, c->ens.niosrv) != PFS_OK)) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed attributes from the MDS");
    }
    return PFS_OK;
}

/* Attributes and a capability (LOOKUP and CREATE replies, pio_cap.c). */
typedef struct {
    pfs_attr_t *attr_p;
    pfs_cap_t *cap_p;
} attr_cap_out_t;

static pfs_status_t attr_cap_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                    void *out)
{
    attr_cap_out_t *o = out;

    return pio_attr_cap_decode(c, rpc, o->attr_p, o->cap_p);
}

/* Send a path request to the MDS; on success *attr_p (or *spec_p) holds
 * the reply, and *cap_p (if not NULL; LOOKUP and CREATE of a regular
 * file) the capability.  All NULL: a reply without a body (rmdir). */
static pfs_status_t path_call_spec(pio_client_t *c, uint16_t opcode,
                                   const char *path, uint32_t mode,
                                   uint32_t flags, const pio_layout_t *layout,
                                   pfs_attr_t *attr_p,
                                   pfs_layout_spec_t *spec_p, pfs_cap_t *cap_p)
{
    attr_cap_out_t ac = {attr_p, cap_p};
    pioi_call_t req = {.opcode = opcode};
    ns_buf_t b;
    pfs_path_req_t *m;
    size_t len = 0;
    pfs_status_t st;

    st = ns_begin(c, &b, sizeof(*m), PFS_PATH_REQ_MAX);
    m = b.m;
    if (st != PFS_OK || (st = normalize(c, path, m->path)) != PFS_OK) {
        goto out;
    }
    m->mode = mode;
    m->flags = flags;
    m->uid = (uint32_t)getuid();
    m->gid = (uint32_t)getgid();
    if (layout != NULL) {
        if (layout->nservers > PIO_MAX_STRIPES) {
            st = pioi_fail(c, PFS_ERR_INVAL,
                           "%u servers listed, more than the %d a layout "
                           "can hold",
                           layout->nservers, PIO_MAX_STRIPES);
            goto out;
        }
        m->layout.stripe_size = layout->stripe_size;
        m->layout.stripe_count = layout->stripe_count;
        m->layout.nservers = layout->nservers;
        memcpy(m->layout.servers, layout->servers,
               layout->nservers * sizeof(layout->servers[0]));
    }
    if (spec_p != NULL) {
        req.decode = spec_decode;
        req.out = spec_p;
    } else if (attr_p != NULL &&
               (opcode == PFS_OP_MDS_LOOKUP || opcode == PFS_OP_MDS_CREATE)) {
        req.decode = attr_cap_decode;
        req.out = &ac;
    } else if (attr_p != NULL) {
        req.decode = attr_decode;
        req.out = attr_p;
    } /* else a reply without attributes (rmdir) */
    st = pfs_proto_path_req_encode(b.body, PFS_PATH_REQ_MAX, m, &len);
    st = ns_send(c, &req, &b, st, len, 0);
out:
    ns_end(&b);
    return st;
}

pfs_status_t pioi_path_call(pio_client_t *c, uint16_t opcode, const char *path,
                            uint32_t mode, uint32_t flags,
                            const pio_layout_t *layout, pfs_attr_t *attr_p)
{
    return path_call_spec(c, opcode, path, mode, flags, layout, attr_p, NULL,
                          NULL);
}

pfs_status_t pioi_path_call_cap(pio_client_t *c, uint16_t opcode,
                                const char *path, uint32_t mode, uint32_t flags,
                                const pio_layout_t *layout, pfs_attr_t *attr_p,
                                pfs_cap_t *cap_p)
{
    return path_call_spec(c, opcode, path, mode, flags, layout, attr_p, NULL,
                          cap_p);
}

PFS_EXPORT pfs_status_t pio_mkdir(pio_client_t *c, const char *path,
                                  uint32_t mode)
{
    pfs_attr_t attr;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    return pioi_path_call(c, PFS_OP_MDS_MKDIR, path, mode, 0, NULL, &attr);
}

PFS_EXPORT pfs_status_t pio_unlink(pio_client_t *c, const char *path)
{
    pfs_attr_t attr;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    /* The MDS removes the data objects once the unlink is durable, and
     * retries servers that are down (mds/mds_reap.h). */
    return pioi_path_call(c, PFS_OP_MDS_UNLINK, path, 0, 0, NULL, &attr);
}

/* Attributes as they are, unchecked (setattr's reply). */
static pfs_status_t plain_attr_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                      void *out)
{
    if (pfs_proto_attr_decode(rpc->reply, rpc->reply_len, out) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed attributes from the MDS");
    }
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_setattr_sz(pio_client_t *c, const char *path,
                                       unsigned mask, const pio_stat_t *attr,
                                       size_t stat_size)
{
    pfs_attr_t out;
    pioi_call_t req = {
        .opcode = PFS_OP_MDS_SETATTR, .decode = plain_attr_decode, .out = &out};
    pio_stat_t own = {0};
    ns_buf_t b;
    pfs_setattr_req_t *m;
    size_t len = 0;
    pfs_status_t st;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    if ((mask & ~(unsigned)PFS_SETATTR_ALL) != 0) {
        return pioi_fail(c, PFS_ERR_INVAL, "unknown setattr mask bits %#x",
                         mask & ~(unsigned)PFS_SETATTR_ALL);
    }
    if (mask != 0 && attr == NULL) {
        return pioi_fail(c, PFS_ERR_INVAL, "attr is NULL");
    }
    if (attr != NULL) {
        st = PIOI_ABI_IN(pio_stat_t, &own, attr, stat_size, c->errmsg,
                         sizeof(c->errmsg));
        if (st != PFS_OK) {
            return st;
        }
    }
    st = ns_begin(c, &b, sizeof(*m), PFS_SETATTR_REQ_MAX);
    m = b.m;
    if (st != PFS_OK || (st = normalize(c, path, m->path)) != PFS_OK) {
        goto out;
    }
    m->mask = mask;
    m->mode = own.mode;
    m->uid = own.uid;
    m->gid = own.gid;
    m->mtime_ns = own.mtime_ns;
    st = pfs_proto_setattr_req_encode(b.body, PFS_SETATTR_REQ_MAX, m, &len);
    st = ns_send(c, &req, &b, st, len, 0);
out:
    ns_end(&b);
    return st;
}

PFS_EXPORT pfs_status_t pio_dir_set_layout_sz(pio_client_t *c, const char *path,
                                              const pio_layout_t *layout,
                                              size_t layout_size)
{
    pio_layout_t own;
    pfs_status_t st;

    if (c == NULL || layout == NULL) {
        return PFS_ERR_INVAL;
    }
    st = PIOI_ABI_IN(pio_layout_t, &own, layout, layout_size, c->errmsg,
                     sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    return path_call_spec(c, PFS_OP_MDS_SET_DIR_LAYOUT, path, 0, 0, &own, NULL,
                          NULL, NULL);
}

PFS_EXPORT pfs_status_t pio_dir_get_layout_sz(pio_client_t *c, const char *path,
                                              pio_layout_t *layout_p,
                                              size_t layout_size)
{
    pfs_layout_spec_t *spec;
    pio_layout_t own;
    pfs_status_t st;

    if (c == NULL || layout_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st =
        PIOI_ABI_CHECK(pio_layout_t, layout_size, c->errmsg, sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    spec = malloc(sizeof(*spec));
    if (spec == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st = path_call_spec(c, PFS_OP_MDS_GET_DIR_LAYOUT, path, 0, 0, NULL, NULL,
                        spec, NULL);
    if (st == PFS_OK) {
        memset(&own, 0, sizeof(own));
        own.stripe_size = spec->stripe_size;
        own.stripe_count = spec->stripe_count;
        own.nservers = spec->nservers;
        memcpy(own.servers, spec->servers,
               spec->nservers * sizeof(spec->servers[0]));
        PIOI_ABI_OUT(pio_layout_t, layout_p, layout_size, &own);
    }
    free(spec);
    return st;
}

PFS_EXPORT pfs_status_t pio_rmdir(pio_client_t *c, const char *path)
{
    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    return pioi_path_call(c, PFS_OP_MDS_RMDIR, path, 0, 0, NULL, NULL);
}

/* A readdir reply: the counts, and the entries from the payload. */
typedef struct {
    pfs_readdir_rep_t rep;
    uint32_t max;           /* asked for at most */
    const uint8_t *payload; /* the request's recv buffer */
    pfs_dirent_t *d;        /* max entries */
} readdir_out_t;

static pfs_status_t readdir_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                   void *out)
{
    readdir_out_t *o = out;

    if (pfs_proto_readdir_rep_decode(rpc->reply, rpc->reply_len, &o->rep) !=
            PFS_OK ||
        o->rep.count > o->max ||
        pfs_proto_dirents_decode(o->payload, rpc->recv_len, o->rep.count,
                                 o->d) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed readdir reply");
    }
    return PFS_OK;
}

/* Entry i of the caller's array of dirent_size-byte entries. */
static pio_dirent_t *dirent_at(pio_dirent_t *ents, size_t dirent_size, size_t i)
{
    return (pio_dirent_t *)((char *)ents + i * dirent_size);
}

PFS_EXPORT pfs_status_t pio_readdir_sz(pio_client_t *c, const char *path,
                                       const char *after, pio_dirent_t *ents,
                                       size_t max, size_t *count_p, int *more_p,
                                       size_t dirent_size)
{
    pioi_call_t req = {.opcode = PFS_OP_MDS_READDIR};
    readdir_out_t o;
    ns_buf_t b;
    pfs_readdir_req_t *m;
    pfs_dirent_t *d;
    uint8_t *payload;
    size_t len = 0, i;
    pfs_status_t st;

    if (c == NULL || path == NULL || ents == NULL || count_p == NULL ||
        more_p == NULL || max == 0) {
        return PFS_ERR_INVAL;
    }
    st =
        PIOI_ABI_CHECK(pio_dirent_t, dirent_size, c->errmsg, sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    st = ns_begin(c, &b, sizeof(*m), PFS_READDIR_REQ_MAX);
    m = b.m;
    payload = malloc(PFS_DIRENTS_MAX);
    d = malloc(PFS_READDIR_MAX * sizeof(*d));
    if (st == PFS_OK && (payload == NULL || d == NULL)) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    if (st != PFS_OK || (st = normalize(c, path, m->path)) != PFS_OK) {
        goto out;
    }
    if (after != NULL && strlen(after) > PFS_NAME_MAX) {
        st = pioi_fail(c, PFS_ERR_NAMETOOLONG, "name too long");
        goto out;
    }
    snprintf(m->after, sizeof(m->after), "%s", after != NULL ? after : "");
    m->max = (uint32_t)PFS_MIN(max, PFS_READDIR_MAX);
    o.max = m->max;
    o.payload = payload;
    o.d = d;
    req.recv = payload;
    req.recv_cap = PFS_DIRENTS_MAX;
    req.decode = readdir_decode;
    req.out = &o;
    st = pfs_proto_readdir_req_encode(b.body, PFS_READDIR_REQ_MAX, m, &len);
    st = ns_send(c, &req, &b, st, len, 0);
    if (st != PFS_OK) {
        goto out;
    }
    for (i = 0; i < o.rep.count; i++) {
        pio_dirent_t e;
        int k;

        memset(&e, 0, sizeof(e));
        snprintf(e.name, sizeof(e.name), "%s", d[i].name);
        e.type = d[i].type == PFS_FILE_TYPE_DIR ? PIO_TYPE_DIR : PIO_TYPE_FILE;
        for (k = 0; k < 8; k++) {
            e.fid[k] = (uint8_t)(d[i].fid.hi >> (56 - 8 * k));
            e.fid[8 + k] = (uint8_t)(d[i].fid.lo >> (56 - 8 * k));
        }
        PIOI_ABI_OUT(pio_dirent_t, dirent_at(ents, dirent_size, i), dirent_size,
                     &e);
    }
    *count_p = o.rep.count;
    *more_p = o.rep.more != 0;
out:
    free(d);
    free(payload);
    ns_end(&b);
    return st;
}

/* the MDS removes a replaced file's data objects */
static pfs_status_t rename_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                  void *out)
{
    pfs_rename_rep_t *rep = out;

    if (pfs_proto_rename_rep_decode(rpc->reply, rpc->reply_len, rep) !=
            PFS_OK ||
        (rep->replaced &&
         pfs_layout_validate(&rep->attr.layout, c->ens.niosrv) != PFS_OK)) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed rename reply");
    }
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_rename(pio_client_t *c, const char *from,
                                   const char *to)
{
    pfs_rename_rep_t rep;
    pioi_call_t req = {
        .opcode = PFS_OP_MDS_RENAME, .decode = rename_decode, .out = &rep};
    ns_buf_t b;
    pfs_rename_req_t *m;
    size_t len = 0;
    pfs_status_t st;

    if (c == NULL || from == NULL || to == NULL) {
        return PFS_ERR_INVAL;
    }
    st = ns_begin(c, &b, sizeof(*m), PFS_RENAME_REQ_MAX);
    m = b.m;
    if (st != PFS_OK || (st = normalize(c, from, m->from)) != PFS_OK ||
        (st = normalize(c, to, m->to)) != PFS_OK) {
        goto out;
    }
    st = pfs_proto_rename_req_encode(b.body, PFS_RENAME_REQ_MAX, m, &len);
    /* sent as the payload, with no body */
    st = ns_send(c, &req, &b, st, len, 1);
out:
    ns_end(&b);
    return st;
}
