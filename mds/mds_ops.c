/* mds_ops.c - the metadata server's requests: one table of operations
 * (opcode, name, handler, flags) and a handler per operation. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mds.h"

/* Spread files over the servers: the first stripe's server comes from a
 * hash of the id, so consecutive creates start on different servers. */
static uint32_t first_server(pfs_fid_t fid, uint32_t nservers)
{
    return (uint32_t)(pfs_fid_hash(fid) % nservers);
}

/* The layout of a new file at path: the request's fields over the
 * parent directory's default over the ensemble's (pfs_layout_resolve).
 * One extra lookup of the parent per create; the store then walks the
 * path again, in the same handler, so nothing changes in between. */
static pfs_status_t choose_layout(mds_t *mds, const char *path,
                                  const pfs_layout_spec_t *asked, pfs_fid_t fid,
                                  pfs_layout_t *layout_p, char *errmsg,
                                  size_t n)
{
    uint32_t nio = mds->srv->ens.niosrv;
    char parent[PFS_PATH_MAX + 1];
    const char *slash = strrchr(path, '/');
    pfs_layout_spec_t dflt;
    pfs_status_t st;

    if (slash == NULL || slash == path) {
        snprintf(parent, sizeof(parent), "/");
    } else {
        snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
    }
    st = mds_store_get_dir_layout(mds->store, parent, &dflt);
    if (st != PFS_OK) {
        return st; /* a missing parent or a file as parent: as create says */
    }
    return pfs_layout_resolve(asked, &dflt, mds->stripe_size, mds->stripe_count,
                              first_server(fid, nio), nio, layout_p, errmsg, n);
}

/* The capability rights an open with PFS_ACCESS_* flags gets: what it
 * asked for (the caller checked it may), and the size of the objects
 * (what any lookup of the path may learn). */
static uint32_t cap_rights(uint32_t access)
{
    return PFS_CAP_STAT | ((access & PFS_ACCESS_READ) ? PFS_CAP_READ : 0) |
           ((access & PFS_ACCESS_WRITE) ? PFS_CAP_WRITE : 0);
}

/* attr and, for a regular file, a capability with rights: the reply of
 * LOOKUP, CREATE and STAT. */
static pfs_status_t encode_attr_cap(mds_t *mds, const pfs_attr_t *attr,
                                    uint32_t rights, uint8_t *body, size_t cap,
                                    size_t *len_p)
{
    pfs_cap_t *c = NULL;
    pfs_status_t st;

    if (attr->type == PFS_FILE_TYPE_REG) {
        c = malloc(sizeof(*c));
        if (c == NULL) {
            return PFS_ERR_NOMEM;
        }
        st = pfs_cap_issue(mds->srv->cap_key, attr->fid, rights, &attr->layout,
                           pfs_cap_now_ms(), mds->cap_lifetime_ms, c);
        if (st != PFS_OK) {
            free(c);
            return st;
        }
    }
    st = pfs_proto_attr_cap_encode(body, cap, attr, c, len_p);
    free(c);
    return st;
}

static void reply_attr_cap(mds_t *mds, pfs_srv_req_t *req,
                           const pfs_attr_t *attr, uint32_t rights)
{
    uint8_t body[PFS_ATTR_CAP_MAX];
    size_t len;

    if (encode_attr_cap(mds, attr, rights, body, sizeof(body), &len) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "cannot make the attributes' reply");
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
}

static void reply_spec(mds_t *mds, pfs_srv_req_t *req,
                       const pfs_layout_spec_t *spec)
{
    uint8_t body[PFS_LAYOUT_SPEC_MAX];
    size_t len;

    if (pfs_proto_layout_spec_encode(body, sizeof(body), spec, &len) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "layout does not fit a reply");
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
}

static void handle_path_op(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1], errmsg[256] = "";
    pfs_path_req_t *m;
    pfs_attr_t attr, out;
    pfs_status_t st;
    int created = 0;

    m = malloc(sizeof(*m));
    if (m == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    st = pfs_proto_path_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed %s request",
                            pfs_proto_op_name(req->hdr.opcode));
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "bad path '%s'", m->path);
        goto out;
    }
    memset(&attr, 0, sizeof(attr));
    attr.mode = m->mode & 07777;
    /* the owner is who the connection says it is, not what the request
     * says (they agree for libpio) */
    attr.uid = pfs_srv_conn_cred(req->conn)->uid;
    attr.gid = pfs_srv_conn_cred(req->conn)->gid;

    switch (req->hdr.opcode) {
    case PFS_OP_MDS_LOOKUP:
        st = mds_store_lookup(mds->store, path, &out);
        if (st == PFS_OK) {
            st = mds_store_may_open(mds->store, &out, m->flags);
        }
        break;
    case PFS_OP_MDS_CREATE:
        attr.fid = mds_store_new_fid(mds->store);
        st = choose_layout(mds, path, &m->layout, attr.fid, &attr.layout,
                           errmsg, sizeof(errmsg));
        if (st == PFS_OK) {
            st = mds_store_create(mds->store, path, &attr,
                                  (m->flags & PFS_CREATE_EXCL) != 0, &out,
                                  &created);
        }
        if (st == PFS_OK && !created) {
            st = mds_store_may_open(mds->store, &out, m->flags);
        }
        break;
    case PFS_OP_MDS_MKDIR:
        attr.fid = mds_store_new_fid(mds->store);
        st = mds_store_mkdir(mds->store, path, &attr, &out);
        break;
    case PFS_OP_MDS_UNLINK:
        st = mds_store_unlink(mds->store, path, &out);
        break;
    case PFS_OP_MDS_RMDIR:
        st = mds_store_rmdir(mds->store, path);
        if (st == PFS_OK) {
            mds_reply_after_commit(mds, req, NULL, 0, NULL);
            goto out;
        }
        break;
    case PFS_OP_MDS_SET_DIR_LAYOUT:
        st = pfs_layout_spec_check(&m->layout, mds->srv->ens.niosrv, errmsg,
                                   sizeof(errmsg));
        if (st == PFS_OK) {
            if (m->layout.nservers != 0) {
                m->layout.stripe_count = m->layout.nservers;
            }
            st = mds_store_set_dir_layout(mds->store, path, &m->layout);
        }
        if (st == PFS_OK) {
            mds_reply_after_commit(mds, req, NULL, 0, NULL);
            goto out;
        }
        break;
    case PFS_OP_MDS_GET_DIR_LAYOUT:
        st = mds_store_get_dir_layout(mds->store, path, &m->layout);
        if (st == PFS_OK) {
            reply_spec(mds, req, &m->layout);
            goto out;
        }
        break;
    default: st = PFS_ERR_INTERNAL; break;
    }
    if (st != PFS_OK) {
        if (errmsg[0] == '\0') {
            snprintf(errmsg, sizeof(errmsg), "%s", pfs_status_string(st));
        }
        pfs_log_debug("%s %s: %s", pfs_proto_op_name(req->hdr.opcode), path,
                      errmsg);
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s %s: %s",
                            pfs_proto_op_name(req->hdr.opcode), path, errmsg);
        goto out;
    }
    pfs_log_debug("%s %s: ok%s", pfs_proto_op_name(req->hdr.opcode), path,
                  created ? " (created)" : "");
    if (req->hdr.opcode == PFS_OP_MDS_LOOKUP ||
        (req->hdr.opcode == PFS_OP_MDS_CREATE && !created)) {
        reply_attr_cap(mds, req, &out,
                       cap_rights(m->flags)); /* nothing changed */
    } else {
        uint8_t body[PFS_ATTR_CAP_MAX];
        size_t len;

        if ((req->hdr.opcode == PFS_OP_MDS_CREATE
                 ? encode_attr_cap(mds, &out, cap_rights(m->flags), body,
                                   sizeof(body), &len)
                 : pfs_proto_attr_encode(body, sizeof(body), &out, &len)) !=
            PFS_OK) {
            pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                                "attributes do not fit a reply");
        } else {
            if (req->hdr.opcode == PFS_OP_MDS_UNLINK) {
                mds->srv->pending_removals++; /* recorded in its batch */
            }
            mds_reply_after_commit(mds, req, body, len,
                                   req->hdr.opcode == PFS_OP_MDS_UNLINK ? &out
                                                                        : NULL);
        }
    }
out:
    free(m);
}

/* A capability a client presents to the MDS: made by us, for a file that
 * still exists.  expired_ok: for a renewal, which checks the permission
 * afresh instead.  On PFS_OK *attr_p is the file's. */
static pfs_status_t check_cap(mds_t *mds, const pfs_cap_t *c, int expired_ok,
                              pfs_attr_t *attr_p, char *why, size_t why_size)
{
    pfs_status_t st;

    if (pfs_cap_verify(mds->srv->cap_key, c) != PFS_OK) {
        snprintf(why, why_size,
                 "not a capability of this ensemble, or a "
                 "damaged one");
        return PFS_ERR_CAP;
    }
    if (!expired_ok && pfs_cap_now_ms() >= c->expiry_ms) {
        snprintf(why, why_size, "the capability expired");
        return PFS_ERR_CAP_EXPIRED;
    }
    st = mds_store_stat(mds->store, c->fid, attr_p);
    if (st != PFS_OK) {
        snprintf(why, why_size, "%s", pfs_status_string(st));
    }
    return st;
}

/* STAT by capability: the attributes and a fresh capability with the same
 * rights (how libpio renews).  The permission is checked again against
 * the connection's caller, as at open: a renewal after a chmod or by
 * someone else gets only what the file's mode allows now. */
static void handle_stat(mds_t *mds, pfs_srv_req_t *req)
{
    char why[128];
    pfs_attr_t attr;
    pfs_cap_t *c = malloc(sizeof(*c));
    uint32_t access = 0;
    pfs_status_t st;

    if (c == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    if (pfs_proto_cap_decode(req->body, req->hdr.body_len, c) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed stat request");
        goto out;
    }
    st = check_cap(mds, c, 1, &attr, why, sizeof(why));
    if (st == PFS_OK && (c->rights & PFS_CAP_REMOVE) != 0) {
        st = PFS_ERR_ACCESS; /* the MDS's own: never renewed */
        snprintf(why, sizeof(why), "not a client's capability");
    }
    if (st == PFS_OK) {
        access = ((c->rights & PFS_CAP_READ) ? PFS_ACCESS_READ : 0) |
                 ((c->rights & PFS_CAP_WRITE) ? PFS_ACCESS_WRITE : 0);
        st = mds_store_may_open(mds->store, &attr, access);
        snprintf(why, sizeof(why), "%s", pfs_status_string(st));
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "stat: %s", why);
        goto out;
    }
    reply_attr_cap(mds, req, &attr, cap_rights(access));
out:
    free(c);
}

static void handle_readdir(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1];
    pfs_readdir_req_t *m = malloc(sizeof(*m));
    mds_dirent_t *ents = calloc(PFS_READDIR_MAX, sizeof(*ents));
    pfs_dirent_t *d = calloc(PFS_READDIR_MAX, sizeof(*d));
    uint8_t *payload = malloc(PFS_DIRENTS_MAX), body[PFS_READDIR_REP_MAX];
    pfs_readdir_rep_t rep;
    size_t n = 0, len = 0, blen, i;
    pfs_status_t st;
    int more = 0;

    if (m == NULL || ents == NULL || d == NULL || payload == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = pfs_proto_readdir_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed readdir request");
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st == PFS_OK) {
        st = mds_store_readdir(mds->store, path, m->after, ents, m->max, &n,
                               &more);
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "readdir %s: %s", m->path,
                            pfs_status_string(st));
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(d[i].name, sizeof(d[i].name), "%s", ents[i].name);
        d[i].fid = ents[i].fid;
        d[i].type = ents[i].type;
    }
    rep.count = (uint32_t)n;
    rep.more = (uint8_t)(more != 0);
    if (pfs_proto_dirents_encode(payload, PFS_DIRENTS_MAX, d, rep.count,
                                 &len) != PFS_OK ||
        pfs_proto_readdir_rep_encode(body, sizeof(body), &rep, &blen) !=
            PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "readdir %s: cannot encode the entries", path);
        goto out;
    }
    if (len > 0) {
        pfs_srv_reply(mds->srv->tx, req, body, blen, payload, len);
        payload = NULL; /* the transport frees it */
    } else {
        pfs_srv_reply(mds->srv->tx, req, body, blen, NULL, 0);
    }
out:
    free(payload);
    free(d);
    free(ents);
    free(m);
}

static void handle_rename(mds_t *mds, pfs_srv_req_t *req)
{
    pfs_rename_req_t *m = malloc(sizeof(*m));
    char *from = malloc(2 * (PFS_PATH_MAX + 1));
    char *to = from + PFS_PATH_MAX + 1;
    uint8_t body[PFS_RENAME_REP_MAX];
    pfs_rename_rep_t rep;
    size_t len;
    pfs_status_t st;
    int was_replaced = 0;

    if (m == NULL || from == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = req->hdr.body_len == 0
             ? pfs_proto_rename_req_decode(req->data, req->hdr.data_len, m)
             : PFS_ERR_PROTO;
    if (st == PFS_OK) {
        st = pfs_path_normalize(m->from, from);
    }
    if (st == PFS_OK) {
        st = pfs_path_normalize(m->to, to);
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed rename request");
        goto out;
    }
    st = mds_store_rename(mds->store, from, to, &rep.attr, &was_replaced);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "rename %s %s: %s", from, to,
                            pfs_status_string(st));
        goto out;
    }
    rep.replaced = (uint8_t)(was_replaced != 0);
    if (pfs_proto_rename_rep_encode(body, sizeof(body), &rep, &len) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "reply too large");
        goto out;
    }
    mds->srv->pending_removals += was_replaced != 0;
    mds_reply_after_commit(mds, req, body, len,
                           was_replaced ? &rep.attr : NULL);
out:
    free(from);
    free(m);
}

/* FP_FETCH_ADD / FP_SET: the shared file pointer in the file's inode.
 * The event loop runs one handler at a time, so read-modify-write is
 * atomic; the reply waits for the commit like any other change, so a
 * returned range is never handed out again after a crash. */
static void handle_shared_fp(mds_t *mds, pfs_srv_req_t *req)
{
    int set = req->hdr.opcode == PFS_OP_MDS_FP_SET;
    uint8_t body[PFS_FP_REP_MAX];
    char why[128];
    pfs_attr_t attr;
    pfs_fp_req_t m;
    uint64_t old = 0;
    size_t len;
    pfs_status_t st;

    if (pfs_proto_fp_req_decode(req->body, req->hdr.body_len, &m) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed %s request",
                            pfs_proto_op_name(req->hdr.opcode));
        return;
    }
    /* the shared pointer moves with reads and writes: an open file's
     * capability for either */
    st = check_cap(mds, &m.cap, 0, &attr, why, sizeof(why));
    if (st == PFS_OK && (m.cap.rights & (PFS_CAP_READ | PFS_CAP_WRITE)) == 0) {
        st = PFS_ERR_ACCESS;
        snprintf(why, sizeof(why),
                 "the capability grants neither read nor "
                 "write");
    }
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s: %s",
                            pfs_proto_op_name(req->hdr.opcode), why);
        return;
    }
    st = mds_store_shared_fp(mds->store, m.cap.fid, set, m.value, &old);
    if (st != PFS_OK) {
        const char *why = pfs_status_string(st);

        if (st == PFS_ERR_FBIG) {
            why = "the shared file pointer would pass 2^63 - 1";
        } else if (st == PFS_ERR_INVAL) {
            why = "a shared file pointer above 2^63 - 1";
        } else if (st == PFS_ERR_STALE) {
            why = "the file no longer exists";
        }
        pfs_srv_reply_error(mds->srv->tx, req, st, "%s: %s",
                            pfs_proto_op_name(req->hdr.opcode), why);
        return;
    }
    if (pfs_proto_fp_rep_encode(body, sizeof(body), old, &len) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "cannot encode the reply");
        return;
    }
    mds_reply_after_commit(mds, req, body, len, NULL);
}

/* SETATTR: change the masked fields of one inode.  A change waits for
 * the commit like any other; mask 0 writes nothing and answers at once. */
static void handle_setattr(mds_t *mds, pfs_srv_req_t *req)
{
    char path[PFS_PATH_MAX + 1];
    uint8_t body[PFS_ATTR_MAX];
    pfs_setattr_req_t *m;
    pfs_attr_t values, out;
    size_t len;
    pfs_status_t st;

    m = malloc(sizeof(*m));
    if (m == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_NOMEM, "out of memory");
        return;
    }
    st = pfs_proto_setattr_req_decode(req->body, req->hdr.body_len, m);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "malformed setattr request");
        goto out;
    }
    st = pfs_path_normalize(m->path, path);
    if (st != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, st, "bad path '%s'", m->path);
        goto out;
    }
    memset(&values, 0, sizeof(values));
    values.mode = m->mode;
    values.uid = m->uid;
    values.gid = m->gid;
    values.mtime_ns = m->mtime_ns;
    st = mds_store_setattr(mds->store, path, m->mask, &values, &out);
    if (st != PFS_OK) {
        if (st == PFS_ERR_INVAL && (m->mask & PFS_SETATTR_MODE) &&
            (m->mode & ~07777u) != 0) {
            pfs_srv_reply_error(mds->srv->tx, req, st,
                                "setattr %s: mode %#o has bits other than "
                                "the permission bits 07777",
                                path, m->mode);
        } else {
            pfs_srv_reply_error(mds->srv->tx, req, st, "setattr %s: %s", path,
                                pfs_status_string(st));
        }
        pfs_log_debug("setattr %s: %s", path, pfs_status_string(st));
        goto out;
    }
    pfs_log_debug("setattr %s: ok (mask %#x)", path, m->mask);
    if (pfs_proto_attr_encode(body, sizeof(body), &out, &len) != PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_INTERNAL,
                            "attributes do not fit a reply");
    } else if (m->mask == 0) {
        pfs_srv_reply(mds->srv->tx, req, body, len, NULL, 0);
    } else {
        mds_reply_after_commit(mds, req, body, len, NULL);
    }
out:
    free(m);
}

/* LEASE: take or give back the write lease of a file.  Taking it needs
 * the right to open the file for writing, so that nobody can lock others
 * out of files they could not write anyway.  Leases are not stored:
 * the reply goes at once. */
static void handle_lease(mds_t *mds, pfs_srv_req_t *req)
{
    char why[256] = "";
    pfs_lease_req_t m;
    pfs_attr_t attr;
    pfs_status_t st;

    if (pfs_proto_lease_req_decode(req->body, req->hdr.body_len, &m) !=
        PFS_OK) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_PROTO,
                            "malformed lease request");
        return;
    }
    if (m.op == PFS_LEASE_RELEASE) {
        mds_lease_release(mds->leases, m.fid, req->conn);
        pfs_srv_reply(mds->srv->tx, req, NULL, 0, NULL, 0);
        return;
    }
    st = mds_store_stat(mds->store, m.fid, &attr);
    if (st == PFS_OK && attr.type != PFS_FILE_TYPE_REG) {
        st = PFS_ERR_ISDIR;
    }
    if (st == PFS_OK) {
        st = mds_store_may_open(mds->store, &attr, PFS_ACCESS_WRITE);
    }
    if (st == PFS_OK) {
        st = mds_lease_acquire(mds->leases, m.fid, req->conn, why, sizeof(why));
    }
    if (st != PFS_OK) {
        pfs_log_debug("lease: %s", why[0] ? why : pfs_status_string(st));
        pfs_srv_reply_error(mds->srv->tx, req, st, "write lease: %s",
                            why[0] ? why : pfs_status_string(st));
        return;
    }
    pfs_srv_reply(mds->srv->tx, req, NULL, 0, NULL, 0);
}

/* ---- the table ---------------------------------------------------------- */

/* The handler runs with the caller's credentials (mds_store_set_cred):
 * every check of the request is against its connection's caller. */
#define MDS_OP_AS_CALLER 0x1u
/* The operation may change the store; its reply then waits for the group
 * commit (mds_reply_after_commit).  For the reader: nothing tests it. */
#define MDS_OP_CHANGES 0x2u

typedef struct {
    uint16_t opcode;
    const char *name; /* as pfs_proto_op_name() says it */
    void (*handler)(mds_t *mds, pfs_srv_req_t *req);
    unsigned flags;
} mds_op_t;

static const mds_op_t mds_ops[] = {
    {PFS_OP_MDS_CREATE, "create", handle_path_op,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_LOOKUP, "lookup", handle_path_op, MDS_OP_AS_CALLER},
    {PFS_OP_MDS_UNLINK, "unlink", handle_path_op,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_MKDIR, "mkdir", handle_path_op,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_RMDIR, "rmdir", handle_path_op,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_SET_DIR_LAYOUT, "set_dir_layout", handle_path_op,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_GET_DIR_LAYOUT, "get_dir_layout", handle_path_op,
     MDS_OP_AS_CALLER},
    {PFS_OP_MDS_READDIR, "readdir", handle_readdir, MDS_OP_AS_CALLER},
    {PFS_OP_MDS_RENAME, "rename", handle_rename,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_STAT, "stat", handle_stat, MDS_OP_AS_CALLER},
    {PFS_OP_MDS_FP_FETCH_ADD, "fp_fetch_add", handle_shared_fp,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_FP_SET, "fp_set", handle_shared_fp,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_SETATTR, "setattr", handle_setattr,
     MDS_OP_AS_CALLER | MDS_OP_CHANGES},
    {PFS_OP_MDS_LEASE, "lease", handle_lease, MDS_OP_AS_CALLER},
};

static const mds_op_t *mds_op_find(uint16_t opcode)
{
    size_t i;

    for (i = 0; i < sizeof(mds_ops) / sizeof(mds_ops[0]); i++) {
        if (mds_ops[i].opcode == opcode) {
            return &mds_ops[i];
        }
    }
    return NULL;
}

void mds_handle(void *arg, pfs_srv_req_t *req)
{
    mds_t *mds = arg;
    const mds_op_t *op;

    if (pfs_server_handle_common(mds->srv, req)) {
        return;
    }
    op = mds_op_find(req->hdr.opcode);
    if (op == NULL) {
        pfs_srv_reply_error(mds->srv->tx, req, PFS_ERR_UNSUPPORTED,
                            "the metadata server does not do '%s'",
                            pfs_proto_op_name(req->hdr.opcode));
        return;
    }
    if (op->flags & MDS_OP_AS_CALLER) {
        mds_store_set_cred(mds->store, pfs_srv_conn_cred(req->conn));
    }
    op->handler(mds, req);
    mds_store_set_cred(mds->store, NULL);
}
