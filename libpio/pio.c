/* pio.c - libpio's files: create and open (handles), close, write
 * leases, sizes and stat from the servers, the shared file pointer, and
 * handles exported to other processes.  The client is in pio_client.c,
 * the namespace calls in pio_ns.c, the I/O path in pio_io.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pio_abi.h"
#include "pio_internal.h"

/* A handle for an existing or new file.  ask: send the local-access
 * descriptor requests now (opens; a create has no data to read yet, and
 * its close would only throw the answers away). */
static pfs_status_t file_new(pio_client_t *c, const pfs_attr_t *attr,
                             const pfs_cap_t *cap, int flags, int ask,
                             pio_file_t **file_p)
{
    pio_file_t *f;

    if (attr->type == PFS_FILE_TYPE_DIR) {
        return pioi_fail(c, PFS_ERR_ISDIR, "is a directory");
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    f->client = c;
    f->attr = *attr;
    f->flags = flags;
    pio_cap_adopt(f, cap);
    if (c->local_io && attr->type == PFS_FILE_TYPE_REG) {
        uint32_t slot, n = attr->layout.stripe_count;

        f->local_fd = malloc((n > 0 ? n : 1) * sizeof(*f->local_fd));
        for (slot = 0; f->local_fd != NULL && slot < n; slot++) {
            f->local_fd[slot] = PIO_LOCAL_FD_UNASKED;
        }
        if (ask && flags != PIO_RDONLY) {
            /* answers arrive while the caller goes on; a file open for
             * reading only asks at its first read: many such opens read
             * nothing (open, size, close), and the requests cost them
             * more than the round trip costs the first read */
            pioi_local_ask(f);
        }
    }
    *file_p = f;
    return PFS_OK;
}

/* flags: one access mode, and of the other flags only those in extra
 * (PIO_EXCL for a create). */
static pfs_status_t check_flags(pio_client_t *c, int flags, int extra)
{
    if ((flags & ~(0x3 | extra)) != 0 || (flags & 0x3) == 0x3) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad flags 0x%x", (unsigned)flags);
    }
    return PFS_OK;
}

/* The access an open asks for, for the MDS's permission check. */
static uint32_t access_flags(int flags)
{
    switch (flags & 0x3) {
    case PIO_WRONLY: return PFS_ACCESS_WRITE;
    case PIO_RDWR: return PFS_ACCESS_READ | PFS_ACCESS_WRITE;
    default: return PFS_ACCESS_READ;
    }
}

/* A handle from a CREATE or LOOKUP of path (md_flags for the metadata
 * server), whose reply carries the file's capability. */
static pfs_status_t file_by_path(pio_client_t *c, uint16_t opcode,
                                 const char *path, uint32_t mode,
                                 uint32_t md_flags, const pio_layout_t *layout,
                                 int flags, int ask, pio_file_t **file_p)
{
    pfs_attr_t attr;
    pfs_cap_t *cap = malloc(sizeof(*cap));
    pfs_status_t st;

    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st =
        pioi_path_call_cap(c, opcode, path, mode, md_flags, layout, &attr, cap);
    if (st == PFS_OK) {
        st = file_new(c, &attr, cap, flags, ask, file_p);
    }
    free(cap);
    return st;
}

PFS_EXPORT pfs_status_t pio_create_sz(pio_client_t *c, const char *path,
                                      uint32_t mode, int flags,
                                      const pio_layout_t *layout,
                                      pio_file_t **file_p, size_t layout_size)
{
    pio_layout_t own;
    pfs_status_t st;

    if (c == NULL || file_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st = check_flags(c, flags, PIO_EXCL);
    if (st == PFS_OK && layout != NULL) {
        st = PIOI_ABI_IN(pio_layout_t, &own, layout, layout_size, c->errmsg,
                         sizeof(c->errmsg));
    }
    if (st != PFS_OK) {
        return st;
    }
    return file_by_path(c, PFS_OP_MDS_CREATE, path, mode,
                        ((flags & PIO_EXCL) ? PFS_CREATE_EXCL : 0) |
                            access_flags(flags),
                        layout != NULL ? &own : NULL, flags & 0x3, 0, file_p);
}

PFS_EXPORT pfs_status_t pio_open(pio_client_t *c, const char *path, int flags,
                                 pio_file_t **file_p)
{
    pfs_status_t st;

    if (c == NULL || file_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st = check_flags(c, flags, 0);
    if (st != PFS_OK) {
        return st;
    }
    return file_by_path(c, PFS_OP_MDS_LOOKUP, path, 0, access_flags(flags),
                        NULL, flags, 1, file_p);
}

static pfs_status_t lease_call(pio_file_t *f, uint32_t op)
{
    pio_client_t *c = f->client;
    uint8_t body[PFS_LEASE_REQ_MAX];
    pioi_call_t req = {.opcode = PFS_OP_MDS_LEASE, .body = body};
    pfs_lease_req_t m;
    pfs_status_t st;

    c->errmsg[0] = '\0';
    m.fid = f->attr.fid;
    m.op = op;
    st = pfs_proto_lease_req_encode(body, sizeof(body), &m, &req.body_len);
    if (st != PFS_OK) {
        return pioi_fail(c, st, "cannot encode a lease request");
    }
    return pioi_call(c, &c->mds, &req);
}

PFS_EXPORT pfs_status_t pio_lease_acquire(pio_file_t *f)
{
    pfs_status_t st;

    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    if ((f->flags & (PIO_WRONLY | PIO_RDWR)) == 0) {
        return pioi_fail(f->client, PFS_ERR_BADF,
                         "a write lease needs a handle opened for writing");
    }
    st = lease_call(f, PFS_LEASE_ACQUIRE);
    if (st == PFS_OK) {
        f->lease = 1;
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_lease_release(pio_file_t *f)
{
    pfs_status_t st;

    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    st = lease_call(f, PFS_LEASE_RELEASE);
    if (st == PFS_OK) {
        f->lease = 0;
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_close(pio_file_t *f)
{
    if (f != NULL) {
        if (f->lease) {
            /* best effort: should the metadata server not hear it, the
             * lease goes with this client's connection */
            (void)lease_call(f, PFS_LEASE_RELEASE);
        }
        pioi_local_file_close(f);
    }
    free(f);
    return PFS_OK;
}

/* ---- requests to all servers of a file -------------------------------- */

/* Send the same fid-only request to every server holding part of the
 * file, concurrently.  sizes_p (stripe_count entries) gets each reply's
 * u64 if not NULL. */
static pfs_status_t fid_call_all(pio_client_t *c, const pfs_attr_t *attr,
                                 const pfs_cap_t *cap, uint16_t opcode,
                                 uint64_t *sizes_p)
{
    uint32_t n = attr->layout.stripe_count, i;
    pfs_rpc_t *rpcs, **ptrs;
    uint8_t body[PFS_CAP_MAX];
    size_t len;
    pfs_status_t st = PFS_OK;

    for (i = 0; i < n; i++) {
        st = pioi_server_ready(c, &c->ios[attr->layout.servers[i]]);
        if (st != PFS_OK) {
            return st;
        }
    }
    rpcs = calloc(n, sizeof(*rpcs));
    ptrs = calloc(n, sizeof(*ptrs));
    if (rpcs == NULL || ptrs == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = pfs_proto_cap_encode(body, sizeof(body), cap, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode a capability");
        goto out;
    }
    for (i = 0; i < n; i++) {
        pioi_rpc_init(c, &rpcs[i], opcode, body, len);
        ptrs[i] = &rpcs[i];
        pfs_rpc_post(c->tx, c->ios[attr->layout.servers[i]].conn, &rpcs[i]);
    }
    pfs_rpc_wait_all(c->tx, ptrs, n);
    for (i = 0; i < n; i++) {
        pfs_io_rep_t rep;

        if (rpcs[i].status != PFS_OK) {
            st = pioi_fail_rpc(c, &rpcs[i]);
            goto out;
        }
        if (pfs_proto_io_rep_decode(rpcs[i].reply, rpcs[i].reply_len, opcode,
                                    &rep) != PFS_OK) {
            st = pioi_fail(c, PFS_ERR_PROTO, "malformed reply from %s",
                           pfs_tx_conn_addr(rpcs[i].conn));
            goto out;
        }
        if (sizes_p != NULL) {
            sizes_p[i] = rep.result;
        }
    }
out:
    free(ptrs);
    free(rpcs);
    return st;
}

pfs_status_t pioi_logical_size(pio_client_t *c, const pfs_attr_t *attr,
                               const pfs_cap_t *cap, uint64_t *size_p)
{
    uint64_t sizes[PFS_LAYOUT_MAX_STRIPES];
    pfs_status_t st;

    st = fid_call_all(c, attr, cap, PFS_OP_IO_SIZE, sizes);
    if (st == PFS_OK) {
        *size_p = pfs_layout_logical_size(&attr->layout, sizes);
    }
    return st;
}

/* An open file's size: from its objects' descriptors when it has them
 * for every server (local access; the open asked for them), else from
 * the servers.  Asking the servers costs a request to each, through its
 * I/O threads; the descriptors' answers are waited for anyway (at the
 * first I/O, or at close). */
static pfs_status_t file_size(pio_file_t *f, uint64_t *size_p)
{
    pfs_status_t st;

    if (pioi_local_size(f, size_p) == 0) {
        return PFS_OK;
    }
    st = pio_cap_fresh(f);
    if (st != PFS_OK) {
        return st;
    }
    return pioi_logical_size(f->client, &f->attr, &f->cap, size_p);
}

PFS_EXPORT pfs_status_t pio_get_size(pio_file_t *f, uint64_t *size_p)
{
    if (f == NULL || size_p == NULL) {
        return PFS_ERR_INVAL;
    }
    f->client->errmsg[0] = '\0';
    return file_size(f, size_p);
}

PFS_EXPORT pfs_status_t pio_sync(pio_file_t *f)
{
    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    f->client->errmsg[0] = '\0';
    if (pio_cap_fresh(f) != PFS_OK) {
        return PFS_ERR_CAP_EXPIRED;
    }
    return fid_call_all(f->client, &f->attr, &f->cap, PFS_OP_IO_FSYNC, NULL);
}

static void fill_stat(const pfs_attr_t *attr, uint64_t size, pio_stat_t *st)
{
    int i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 8; i++) { /* big-endian, as printed by the tools */
        st->fid[i] = (uint8_t)(attr->fid.hi >> (56 - 8 * i));
        st->fid[8 + i] = (uint8_t)(attr->fid.lo >> (56 - 8 * i));
    }
    st->type = attr->type == PFS_FILE_TYPE_DIR ? PIO_TYPE_DIR : PIO_TYPE_FILE;
    st->mode = attr->mode;
    st->uid = attr->uid;
    st->gid = attr->gid;
    st->size = size;
    st->ctime_ns = attr->ctime_ns;
    st->mtime_ns = attr->mtime_ns;
    if (attr->type == PFS_FILE_TYPE_REG) {
        st->stripe_size = attr->layout.stripe_size;
        st->stripe_count = attr->layout.stripe_count;
        st->first_server = attr->layout.servers[0];
        memcpy(st->servers, attr->layout.servers,
               attr->layout.stripe_count * sizeof(st->servers[0]));
    }
}

/* The attributes into the caller's pio_stat_t of stat_size bytes (the
 * size checked already). */
static void stat_out(const pfs_attr_t *attr, uint64_t size, pio_stat_t *stat_p,
                     size_t stat_size)
{
    pio_stat_t own;

    fill_stat(attr, size, &own);
    PIOI_ABI_OUT(pio_stat_t, stat_p, stat_size, &own);
}

PFS_EXPORT pfs_status_t pio_fstat_sz(pio_file_t *f, pio_stat_t *stat_p,
                                     size_t stat_size)
{
    pio_client_t *c;
    uint64_t size;
    pfs_status_t st;

    if (f == NULL || stat_p == NULL) {
        return PFS_ERR_INVAL;
    }
    c = f->client;
    c->errmsg[0] = '\0';
    st = PIOI_ABI_CHECK(pio_stat_t, stat_size, c->errmsg, sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    st = file_size(f, &size);
    if (st == PFS_OK) {
        stat_out(&f->attr, size, stat_p, stat_size);
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_stat_sz(pio_client_t *c, const char *path,
                                    pio_stat_t *stat_p, size_t stat_size)
{
    pfs_attr_t attr;
    pfs_cap_t *cap;
    uint64_t size = 0;
    pfs_status_t st;

    if (c == NULL || stat_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st = PIOI_ABI_CHECK(pio_stat_t, stat_size, c->errmsg, sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    cap = malloc(sizeof(*cap));
    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    /* a lookup without access gets a capability for the sizes alone */
    st = pioi_path_call_cap(c, PFS_OP_MDS_LOOKUP, path, 0, 0, NULL, &attr, cap);
    if (st == PFS_OK && attr.type == PFS_FILE_TYPE_REG) {
        st = pioi_logical_size(c, &attr, cap, &size);
    }
    free(cap);
    if (st == PFS_OK) {
        stat_out(&attr, size, stat_p, stat_size);
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_file_layout_sz(const pio_file_t *f,
                                           pio_layout_info_t *out,
                                           size_t info_size)
{
    pio_client_t *c;
    pio_layout_info_t own;
    uint32_t i;
    pfs_status_t st;

    if (f == NULL || out == NULL) {
        return PFS_ERR_INVAL;
    }
    c = f->client;
    st = PIOI_ABI_CHECK(pio_layout_info_t, info_size, c->errmsg,
                        sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    memset(&own, 0, sizeof(own));
    own.stripe_size = f->attr.layout.stripe_size;
    own.stripe_count = f->attr.layout.stripe_count;
    for (i = 0; i < own.stripe_count; i++) {
        own.servers[i] = f->attr.layout.servers[i];
    }
    PIOI_ABI_OUT(pio_layout_info_t, out, info_size, &own);
    return PFS_OK;
}

static pfs_status_t fp_decode(pio_client_t *c, const pfs_rpc_t *rpc, void *out)
{
    if (pfs_proto_fp_rep_decode(rpc->reply, rpc->reply_len, out) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_PROTO,
                         "malformed shared file pointer reply");
    }
    return PFS_OK;
}

/* FP_FETCH_ADD or FP_SET on the MDS: *old_p gets the counter before. */
static pfs_status_t shared_fp_call(pio_file_t *f, uint16_t opcode,
                                   uint64_t value, uint64_t *old_p)
{
    pio_client_t *c = f->client;
    uint8_t body[PFS_FP_REQ_MAX];
    uint64_t old;
    pioi_call_t req = {
        .opcode = opcode, .body = body, .decode = fp_decode, .out = &old};
    pfs_fp_req_t m;
    pfs_status_t st;

    c->errmsg[0] = '\0';
    st = pio_cap_fresh(f);
    if (st != PFS_OK) {
        return st;
    }
    m.cap = f->cap;
    m.value = value;
    st = pfs_proto_fp_req_encode(body, sizeof(body), &m, &req.body_len);
    if (st != PFS_OK) {
        return pioi_fail(c, st, "cannot encode a shared file pointer request");
    }
    st = pioi_call(c, &c->mds, &req);
    if (st == PFS_OK && old_p != NULL) {
        *old_p = old;
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_shared_fp_fetch_add(pio_file_t *f, uint64_t incr,
                                                uint64_t *old_p)
{
    if (f == NULL || old_p == NULL) {
        return PFS_ERR_INVAL;
    }
    return shared_fp_call(f, PFS_OP_MDS_FP_FETCH_ADD, incr, old_p);
}

PFS_EXPORT pfs_status_t pio_shared_fp_set(pio_file_t *f, uint64_t value)
{
    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    return shared_fp_call(f, PFS_OP_MDS_FP_SET, value, NULL);
}

PFS_EXPORT pfs_status_t pio_file_export(const pio_file_t *f, void *buf,
                                        size_t size, size_t *len_p)
{
    if (f == NULL || buf == NULL || len_p == NULL) {
        return PFS_ERR_INVAL;
    }
    return pfs_proto_handle_encode(buf, size, f->client->ens.fsid, &f->attr,
                                   &f->cap, len_p);
}

static pfs_status_t import_check(pio_client_t *c, const void *buf, size_t len,
                                 uint8_t fsid[16], pfs_attr_t *attr_p,
                                 pfs_cap_t *cap_p);

PFS_EXPORT pfs_status_t pio_file_import(pio_client_t *c, const void *buf,
                                        size_t len, int flags,
                                        pio_file_t **file_p)
{
    uint8_t fsid[16];
    pfs_attr_t attr;
    pfs_cap_t *cap;
    pfs_status_t st;

    if (c == NULL || buf == NULL || file_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st = check_flags(c, flags, 0);
    if (st != PFS_OK) {
        return st;
    }
    cap = malloc(sizeof(*cap));
    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st = import_check(c, buf, len, fsid, &attr, cap);
    if (st == PFS_OK) {
        st = file_new(c, &attr, cap, flags, 1, file_p);
    }
    free(cap);
    return st;
}

/* Decode and check an exported handle. */
static pfs_status_t import_check(pio_client_t *c, const void *buf, size_t len,
                                 uint8_t fsid[16], pfs_attr_t *attr_p,
                                 pfs_cap_t *cap_p)
{
    pfs_attr_t attr;

    if (pfs_proto_handle_decode(buf, len, fsid, &attr, cap_p) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_INVAL,
                         "not an exported pfs file handle, or a damaged one");
    }
    if (memcmp(fsid, c->ens.fsid, sizeof(c->ens.fsid)) != 0) {
        return pioi_fail(c, PFS_ERR_INVAL,
                         "file handle from another file system");
    }
    if (attr.type == PFS_FILE_TYPE_REG &&
        pfs_layout_validate(&attr.layout, c->ens.niosrv) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_INVAL, "file handle with a bad layout");
    }
    if (attr.type != PFS_FILE_TYPE_REG ||
        memcmp(&cap_p->fid, &attr.fid, sizeof(attr.fid)) != 0) {
        return pioi_fail(c, PFS_ERR_INVAL,
                         "file handle whose capability is for another file");
    }
    *attr_p = attr;
    return PFS_OK;
}
