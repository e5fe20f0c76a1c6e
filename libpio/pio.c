/* pio.c - libpio: connection to the ensemble, namespace calls, opening
 * files (contiguous I/O is in pio_io.c, structured I/O in pio_desc.c). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pio_internal.h"
#include "sio.h"

#define PIO_DEFAULT_MAX_XFER (UINT64_C(8) << 20)
/* A write's payload is the run list plus the data: leave room for the
 * largest run list under the server's payload limit. */
#define PIO_LIMIT_MAX_XFER \
    (PFS_PROTO_MAX_XFER - pfs_sio_runs_size(PFS_SIO_MAX_RUNS))

pfs_status_t pioi_fail(pio_client_t *c, pfs_status_t st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
    va_end(ap);
    return st;
}

pfs_status_t pioi_fail_rpc(pio_client_t *c, const pfs_rpc_t *rpc)
{
    return pioi_fail(c, rpc->status, "%s",
                rpc->errmsg[0] != '\0' ? rpc->errmsg
                                       : pfs_status_string(rpc->status));
}

void pioi_rpc_init(pio_client_t *c, pfs_rpc_t *rpc, uint16_t opcode,
                  const void *body, size_t body_len)
{
    rpc->opcode = opcode;
    rpc->body = body;
    rpc->body_len = body_len;
    rpc->send_data = NULL;
    rpc->send_len = 0;
    rpc->recv_data = NULL;
    rpc->recv_cap = 0;
    rpc->send_iov = NULL;
    rpc->send_iovcnt = 0;
    rpc->recv_iov = NULL;
    rpc->recv_iovcnt = 0;
    rpc->timeout_ms = c->timeout_ms;
}

pfs_status_t pioi_server_ready(pio_client_t *c, pioi_server_t *s)
{
    char err[256];
    pfs_status_t st;

    if (s->ready && !pfs_tx_conn_broken(s->conn)) {
        return PFS_OK;
    }
    s->ready = 0;
    if (s->conn == NULL) {
        /* first use: a client touching few files talks to few servers,
         * and a tool that only asks the MDS opens no other connection */
        st = pfs_tx_connect(c->tx, s->info->addr, &s->conn);
        if (st != PFS_OK) {
            return pioi_fail(c, st, "bad server address %s", s->info->addr);
        }
    } else if (pfs_tx_conn_broken(s->conn) &&
               pfs_tx_reconnect(c->tx, s->conn) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_CONN, "cannot reconnect to %s", s->info->addr);
    }
    st = pfs_hello_call(c->tx, s->conn, c->ens.key, PFS_ROLE_CLIENT,
                        c->timeout_ms, c->ens.fsid, s->info->role,
                        s->info->index, err, sizeof(err));
    if (st != PFS_OK) {
        return st == PFS_ERR_CONFIG || st == PFS_ERR_PROTO
                   ? pioi_fail(c, st, "%s: %s", s->info->addr, err)
                   : pioi_fail(c, st, "%s", err);
    }
    s->ready = 1;
    return PFS_OK;
}

/* One request to one server, waited for.  rpc is the caller's. */
static pfs_status_t call(pio_client_t *c, pioi_server_t *s, pfs_rpc_t *rpc)
{
    pfs_status_t st = pioi_server_ready(c, s);

    if (st != PFS_OK) {
        return st;
    }
    pfs_rpc_post(c->tx, s->conn, rpc);
    if (pfs_rpc_wait_all(c->tx, &rpc, 1) != PFS_OK) {
        return pioi_fail_rpc(c, rpc);
    }
    return PFS_OK;
}

/* One request to the metadata server, waited for: body (len bytes) and
 * an optional reply payload buffer.  On PFS_OK *rpc_p holds the reply
 * (the caller decodes it and frees *rpc_p); on failure the client's
 * message is set and nothing is left to free. */
static pfs_status_t mds_call(pio_client_t *c, uint16_t opcode,
                             const void *body, size_t len, void *payload,
                             size_t payload_cap, pfs_rpc_t **rpc_p)
{
    pfs_rpc_t *rpc = malloc(sizeof(*rpc));
    pfs_status_t st;

    *rpc_p = NULL;
    if (rpc == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    pioi_rpc_init(c, rpc, opcode, body, len);
    rpc->recv_data = payload;
    rpc->recv_cap = payload_cap;
    st = call(c, &c->mds, rpc);
    if (st != PFS_OK) {
        free(rpc);
        return st;
    }
    *rpc_p = rpc;
    return PFS_OK;
}

/* The same with an encoded request sent as the payload (no body). */
static pfs_status_t mds_call_payload(pio_client_t *c, uint16_t opcode,
                                     const void *data, size_t len,
                                     pfs_rpc_t **rpc_p)
{
    pfs_rpc_t *rpc = malloc(sizeof(*rpc));
    pfs_status_t st;

    *rpc_p = NULL;
    if (rpc == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    pioi_rpc_init(c, rpc, opcode, NULL, 0);
    rpc->send_data = data;
    rpc->send_len = len;
    st = call(c, &c->mds, rpc);
    if (st != PFS_OK) {
        free(rpc);
        return st;
    }
    *rpc_p = rpc;
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_init(const pio_config_t *config,
                                 pio_client_t **client_p, char *errmsg,
                                 size_t errmsg_size)
{
    char scratch[512];
    const char *path, *env;
    pio_client_t *c;
    pfs_status_t st;
    uint32_t i;

    if (errmsg == NULL) {
        errmsg = scratch;
        errmsg_size = sizeof(scratch);
    }
    errmsg[0] = '\0';
    if (client_p == NULL) {
        snprintf(errmsg, errmsg_size, "client_p is NULL");
        return PFS_ERR_INVAL;
    }
    path = pfs_ensemble_path(config != NULL ? config->descriptor : NULL);
    if (path == NULL) {
        snprintf(errmsg, errmsg_size,
                 "no ensemble descriptor: set PFS_ENSEMBLE to the file "
                 "pfs-mds wrote (default ROOT/ensemble)");
        return PFS_ERR_CONFIG;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    c->timeout_ms = PIO_DEFAULT_TIMEOUT_MS;
    env = getenv("PFS_TIMEOUT_MS");
    if (env != NULL && atoi(env) > 0) {
        c->timeout_ms = atoi(env);
    }
    if (config != NULL && config->timeout_ms > 0) {
        c->timeout_ms = config->timeout_ms;
    }
    /* local access: on unless $PFS_LOCAL_IO or the config says off */
    env = getenv("PFS_LOCAL_IO");
    c->local_io = env == NULL || (strcmp(env, "0") != 0 &&
                                  strcmp(env, "off") != 0 &&
                                  strcmp(env, "no") != 0);
    if (config != NULL && config->local_io != 0) {
        c->local_io = config->local_io > 0;
    }
    c->max_xfer = PIO_DEFAULT_MAX_XFER;
    env = getenv("PFS_MAX_TRANSFER");
    if (env != NULL) {
        uint64_t v;
        if (pfs_parse_size(env, &v) == PFS_OK && v >= 4096) {
            c->max_xfer = PFS_MIN(v, PIO_LIMIT_MAX_XFER);
        }
    }
    if (config != NULL && config->max_transfer > 0) {
        c->max_xfer = PFS_MIN(config->max_transfer, PIO_LIMIT_MAX_XFER);
    }

    st = pfs_ensemble_read(path, &c->ens, errmsg, errmsg_size);
    if (st != PFS_OK) {
        goto err_free;
    }
    st = pfs_tx_create(0, &c->tx, errmsg, errmsg_size);
    if (st != PFS_OK) {
        goto err_ensemble;
    }
    c->ios = calloc(c->ens.niosrv, sizeof(*c->ios));
    if (c->ios == NULL) {
        st = PFS_ERR_NOMEM;
        snprintf(errmsg, errmsg_size, "out of memory");
        goto err_tx;
    }
    c->mds.info = &c->ens.mds;
    for (i = 0; i < c->ens.niosrv; i++) {
        c->ios[i].info = &c->ens.iosrv[i];
        c->ios[i].local_sock = -1; /* connected when first used */
    }
    /* The metadata server must answer now */
    st = pioi_server_ready(c, &c->mds);
    if (st != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", c->errmsg);
        goto err_conns;
    }
    *client_p = c;
    return PFS_OK;

err_conns:
    for (i = 0; i < c->ens.niosrv; i++) {
        pfs_tx_disconnect(c->tx, c->ios[i].conn);
    }
    pfs_tx_disconnect(c->tx, c->mds.conn);
    free(c->ios);
err_tx:
    pfs_tx_destroy(c->tx);
err_ensemble:
    pfs_ensemble_free(&c->ens);
err_free:
    free(c);
    return st;
}

PFS_EXPORT void pio_fini(pio_client_t *c)
{
    uint32_t i;

    if (c == NULL) {
        return;
    }
    pioi_local_client_close(c);
    for (i = 0; i < c->ens.niosrv; i++) {
        pfs_tx_disconnect(c->tx, c->ios[i].conn);
    }
    pfs_tx_disconnect(c->tx, c->mds.conn);
    free(c->ios);
    pfs_tx_destroy(c->tx);
    pfs_ensemble_free(&c->ens);
    free(c);
}

PFS_EXPORT uint64_t pio_client_local_bytes(const pio_client_t *c)
{
    return c != NULL ? c->local_bytes : 0;
}

PFS_EXPORT const char *pio_client_errmsg(const pio_client_t *c)
{
    return c != NULL ? c->errmsg : "no client";
}

PFS_EXPORT pfs_status_t pio_client_set_timeout(pio_client_t *c,
                                               int timeout_ms)
{
    if (c == NULL || timeout_ms <= 0) {
        return PFS_ERR_INVAL;
    }
    c->timeout_ms = timeout_ms;
    return PFS_OK;
}

PFS_EXPORT uint32_t pio_client_niosrv(const pio_client_t *c)
{
    return c->ens.niosrv;
}

PFS_EXPORT const char *pio_version(void)
{
    return PACKAGE_VERSION;
}

PFS_EXPORT pfs_status_t pio_parse_size(const char *text, uint64_t *value_p)
{
    return pfs_parse_size(text, value_p);
}

/* ---- namespace --------------------------------------------------------- */

/* Send a path request to the MDS; on success *attr_p (or *spec_p) holds
 * the reply.  Both NULL: a reply without a body (rmdir). */
/* Normalize a caller's path into out (PFS_PATH_MAX + 1 bytes), or fail
 * with a message that says what a path must look like. */
static pfs_status_t normalize(pio_client_t *c, const char *path, char *out)
{
    pfs_status_t st = pfs_path_normalize(path, out);

    if (st != PFS_OK) {
        return pioi_fail(c, st, "bad path '%s': %s", path,
                        st == PFS_ERR_NAMETOOLONG
                            ? "too long"
                            : "must be absolute, like pfs:/dir/file");
    }
    return PFS_OK;
}

/* A namespace call by path.  attr_p, spec_p, cap_p (may be NULL): the
 * reply's attributes, layout spec, capability (LOOKUP and CREATE of a
 * regular file). */
static pfs_status_t path_call_spec(pio_client_t *c, uint16_t opcode,
                                   const char *path, uint32_t mode,
                                   uint32_t flags, const pio_layout_t *layout,
                                   pfs_attr_t *attr_p,
                                   pfs_layout_spec_t *spec_p,
                                   pfs_cap_t *cap_p)
{
    pfs_path_req_t *m;
    pfs_rpc_t *rpc = NULL;
    uint8_t *body;
    size_t len;
    pfs_status_t st;

    c->errmsg[0] = '\0';
    if (path == NULL) {
        return pioi_fail(c, PFS_ERR_INVAL, "path is NULL");
    }
    m = calloc(1, sizeof(*m));
    body = malloc(PFS_PATH_REQ_MAX);
    if (m == NULL || body == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = normalize(c, path, m->path);
    if (st != PFS_OK) {
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
    st = pfs_proto_path_req_encode(body, PFS_PATH_REQ_MAX, m, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode the %s request",
                      pfs_proto_op_name(opcode));
        goto out;
    }
    st = mds_call(c, opcode, body, len, NULL, 0, &rpc);
    if (st != PFS_OK) {
        goto out;
    }
    if (spec_p != NULL) {
        if (pfs_proto_layout_spec_decode(rpc->reply, rpc->reply_len,
                                         spec_p) != PFS_OK) {
            st = pioi_fail(c, PFS_ERR_PROTO, "malformed layout from the MDS");
        }
    } else if (attr_p != NULL &&
               (opcode == PFS_OP_MDS_LOOKUP || opcode == PFS_OP_MDS_CREATE)) {
        st = pio_attr_cap_decode(c, rpc, attr_p, cap_p);
    } else if (attr_p != NULL &&
               (pfs_proto_attr_decode(rpc->reply, rpc->reply_len, attr_p) !=
                    PFS_OK ||
                (attr_p->type == PFS_FILE_TYPE_REG &&
                 pfs_layout_validate(&attr_p->layout, c->ens.niosrv) !=
                     PFS_OK))) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed attributes from the MDS");
    } /* else a reply without attributes (rmdir) */
out:
    free(rpc);
    free(body);
    free(m);
    return st;
}

static pfs_status_t path_call(pio_client_t *c, uint16_t opcode,
                              const char *path, uint32_t mode, uint32_t flags,
                              const pio_layout_t *layout, pfs_attr_t *attr_p)
{
    return path_call_spec(c, opcode, path, mode, flags, layout, attr_p, NULL,
                          NULL);
}

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
            f->local_fd[slot] = -2; /* not asked yet */
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

static int valid_flags(int flags)
{
    int acc = flags & 0x3;

    return (flags & ~(0x3 | PIO_EXCL)) == 0 && acc != 0x3;
}

/* The access an open asks for, for the MDS's permission check. */
static uint32_t access_flags(int flags)
{
    switch (flags & 0x3) {
    case PIO_WRONLY:
        return PFS_ACCESS_WRITE;
    case PIO_RDWR:
        return PFS_ACCESS_READ | PFS_ACCESS_WRITE;
    default:
        return PFS_ACCESS_READ;
    }
}

PFS_EXPORT pfs_status_t pio_create(pio_client_t *c, const char *path,
                                   uint32_t mode, int flags,
                                   const pio_layout_t *layout,
                                   pio_file_t **file_p)
{
    pfs_attr_t attr;
    pfs_cap_t *cap;
    pfs_status_t st;

    if (c == NULL || file_p == NULL) {
        return PFS_ERR_INVAL;
    }
    if (!valid_flags(flags)) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad flags 0x%x", (unsigned)flags);
    }
    cap = malloc(sizeof(*cap));
    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st = path_call_spec(c, PFS_OP_MDS_CREATE, path, mode,
                        ((flags & PIO_EXCL) ? PFS_CREATE_EXCL : 0) |
                            access_flags(flags),
                        layout, &attr, NULL, cap);
    if (st == PFS_OK) {
        st = file_new(c, &attr, cap, flags & 0x3, 0, file_p);
    }
    free(cap);
    return st;
}

PFS_EXPORT pfs_status_t pio_open(pio_client_t *c, const char *path, int flags,
                                 pio_file_t **file_p)
{
    pfs_attr_t attr;
    pfs_cap_t *cap;
    pfs_status_t st;

    if (c == NULL || file_p == NULL) {
        return PFS_ERR_INVAL;
    }
    if (!valid_flags(flags) || (flags & PIO_EXCL)) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad flags 0x%x", (unsigned)flags);
    }
    cap = malloc(sizeof(*cap));
    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st = path_call_spec(c, PFS_OP_MDS_LOOKUP, path, 0, access_flags(flags),
                        NULL, &attr, NULL, cap);
    if (st == PFS_OK) {
        st = file_new(c, &attr, cap, flags, 1, file_p);
    }
    free(cap);
    return st;
}

static pfs_status_t lease_call(pio_file_t *f, uint32_t op)
{
    pio_client_t *c = f->client;
    uint8_t body[PFS_LEASE_REQ_MAX];
    pfs_lease_req_t m;
    pfs_rpc_t *rpc;
    size_t len;
    pfs_status_t st;

    c->errmsg[0] = '\0';
    m.fid = f->attr.fid;
    m.op = op;
    st = pfs_proto_lease_req_encode(body, sizeof(body), &m, &len);
    if (st != PFS_OK) {
        return pioi_fail(c, st, "cannot encode a lease request");
    }
    st = mds_call(c, PFS_OP_MDS_LEASE, body, len, NULL, 0, &rpc);
    if (st != PFS_OK) {
        return st;
    }
    free(rpc);
    return PFS_OK;
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

PFS_EXPORT pfs_status_t pio_mkdir(pio_client_t *c, const char *path,
                                  uint32_t mode)
{
    pfs_attr_t attr;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    return path_call(c, PFS_OP_MDS_MKDIR, path, mode, 0, NULL, &attr);
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

PFS_EXPORT pfs_status_t pio_fstat(pio_file_t *f, pio_stat_t *stat_p)
{
    uint64_t size;
    pfs_status_t st;

    if (f == NULL || stat_p == NULL) {
        return PFS_ERR_INVAL;
    }
    f->client->errmsg[0] = '\0';
    st = file_size(f, &size);
    if (st == PFS_OK) {
        fill_stat(&f->attr, size, stat_p);
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_stat(pio_client_t *c, const char *path,
                                 pio_stat_t *stat_p)
{
    pfs_attr_t attr;
    pfs_cap_t *cap;
    uint64_t size = 0;
    pfs_status_t st;

    if (c == NULL || stat_p == NULL) {
        return PFS_ERR_INVAL;
    }
    cap = malloc(sizeof(*cap));
    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    /* a lookup without access gets a capability for the sizes alone */
    st = path_call_spec(c, PFS_OP_MDS_LOOKUP, path, 0, 0, NULL, &attr, NULL,
                        cap);
    if (st == PFS_OK && attr.type == PFS_FILE_TYPE_REG) {
        st = pioi_logical_size(c, &attr, cap, &size);
    }
    free(cap);
    if (st == PFS_OK) {
        fill_stat(&attr, size, stat_p);
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_unlink(pio_client_t *c, const char *path)
{
    pfs_attr_t attr;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    /* The MDS removes the data objects once the unlink is durable, and
     * retries servers that are down (mds/mds_reap.h). */
    return path_call(c, PFS_OP_MDS_UNLINK, path, 0, 0, NULL, &attr);
}


PFS_EXPORT pfs_status_t pio_file_layout(const pio_file_t *f,
                                        pio_layout_info_t *out)
{
    uint32_t i;

    if (f == NULL || out == NULL) {
        return PFS_ERR_INVAL;
    }
    memset(out, 0, sizeof(*out));
    out->stripe_size = f->attr.layout.stripe_size;
    out->stripe_count = f->attr.layout.stripe_count;
    for (i = 0; i < out->stripe_count; i++) {
        out->servers[i] = f->attr.layout.servers[i];
    }
    return PFS_OK;
}

/* FP_FETCH_ADD or FP_SET on the MDS: *old_p gets the counter before. */
static pfs_status_t shared_fp_call(pio_file_t *f, uint16_t opcode,
                                   uint64_t value, uint64_t *old_p)
{
    pio_client_t *c = f->client;
    uint8_t body[PFS_FP_REQ_MAX];
    pfs_fp_req_t m;
    pfs_rpc_t *rpc;
    uint64_t old;
    size_t len;
    pfs_status_t st;

    c->errmsg[0] = '\0';
    st = pio_cap_fresh(f);
    if (st != PFS_OK) {
        return st;
    }
    m.cap = f->cap;
    m.value = value;
    st = pfs_proto_fp_req_encode(body, sizeof(body), &m, &len);
    if (st != PFS_OK) {
        return pioi_fail(c, st, "cannot encode a shared file pointer request");
    }
    st = mds_call(c, opcode, body, len, NULL, 0, &rpc);
    if (st != PFS_OK) {
        return st;
    }
    if (pfs_proto_fp_rep_decode(rpc->reply, rpc->reply_len, &old) != PFS_OK) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed shared file pointer reply");
    } else if (old_p != NULL) {
        *old_p = old;
    }
    free(rpc);
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

PFS_EXPORT pfs_status_t pio_setattr(pio_client_t *c, const char *path,
                                    unsigned mask, const pio_stat_t *attr)
{
    pfs_setattr_req_t *m;
    pfs_rpc_t *rpc = NULL;
    uint8_t *body;
    pfs_attr_t out;
    size_t len;
    pfs_status_t st;

    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    if (path == NULL) {
        return pioi_fail(c, PFS_ERR_INVAL, "path is NULL");
    }
    if ((mask & ~(unsigned)PFS_SETATTR_ALL) != 0) {
        return pioi_fail(c, PFS_ERR_INVAL, "unknown setattr mask bits %#x",
                        mask & ~(unsigned)PFS_SETATTR_ALL);
    }
    if (mask != 0 && attr == NULL) {
        return pioi_fail(c, PFS_ERR_INVAL, "attr is NULL");
    }
    m = calloc(1, sizeof(*m));
    body = malloc(PFS_SETATTR_REQ_MAX);
    if (m == NULL || body == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = normalize(c, path, m->path);
    if (st != PFS_OK) {
        goto out;
    }
    m->mask = mask;
    if (attr != NULL) {
        m->mode = attr->mode;
        m->uid = attr->uid;
        m->gid = attr->gid;
        m->mtime_ns = attr->mtime_ns;
    }
    st = pfs_proto_setattr_req_encode(body, PFS_SETATTR_REQ_MAX, m, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode the setattr request");
        goto out;
    }
    st = mds_call(c, PFS_OP_MDS_SETATTR, body, len, NULL, 0, &rpc);
    if (st != PFS_OK) {
        goto out;
    }
    if (pfs_proto_attr_decode(rpc->reply, rpc->reply_len, &out) != PFS_OK) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed attributes from the MDS");
    }
out:
    free(body);
    free(rpc);
    free(m);
    return st;
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
    if (!valid_flags(flags) || (flags & PIO_EXCL)) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad flags 0x%x", (unsigned)flags);
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

PFS_EXPORT pfs_status_t pio_dir_set_layout(pio_client_t *c, const char *path,
                                           const pio_layout_t *layout)
{
    if (c == NULL || layout == NULL) {
        return PFS_ERR_INVAL;
    }
    return path_call_spec(c, PFS_OP_MDS_SET_DIR_LAYOUT, path, 0, 0, layout,
                          NULL, NULL, NULL);
}

PFS_EXPORT pfs_status_t pio_dir_get_layout(pio_client_t *c, const char *path,
                                           pio_layout_t *layout_p)
{
    pfs_layout_spec_t *spec;
    pfs_status_t st;

    if (c == NULL || layout_p == NULL) {
        return PFS_ERR_INVAL;
    }
    spec = malloc(sizeof(*spec));
    if (spec == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    st = path_call_spec(c, PFS_OP_MDS_GET_DIR_LAYOUT, path, 0, 0, NULL, NULL,
                        spec, NULL);
    if (st == PFS_OK) {
        memset(layout_p, 0, sizeof(*layout_p));
        layout_p->stripe_size = spec->stripe_size;
        layout_p->stripe_count = spec->stripe_count;
        layout_p->nservers = spec->nservers;
        memcpy(layout_p->servers, spec->servers,
               spec->nservers * sizeof(spec->servers[0]));
    }
    free(spec);
    return st;
}

PFS_EXPORT pfs_status_t pio_rmdir(pio_client_t *c, const char *path)
{
    if (c == NULL) {
        return PFS_ERR_INVAL;
    }
    return path_call(c, PFS_OP_MDS_RMDIR, path, 0, 0, NULL, NULL);
}

PFS_EXPORT pfs_status_t pio_readdir(pio_client_t *c, const char *path,
                                    const char *after, pio_dirent_t *ents,
                                    size_t max, size_t *count_p, int *more_p)
{
    pfs_readdir_req_t *m;
    pfs_readdir_rep_t rep;
    pfs_dirent_t *d;
    pfs_rpc_t *rpc = NULL;
    uint8_t *body, *payload;
    size_t len, i;
    pfs_status_t st;

    if (c == NULL || path == NULL || ents == NULL || count_p == NULL ||
        more_p == NULL || max == 0) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    m = calloc(1, sizeof(*m));
    body = malloc(PFS_READDIR_REQ_MAX);
    payload = malloc(PFS_DIRENTS_MAX);
    d = malloc(PFS_READDIR_MAX * sizeof(*d));
    if (m == NULL || body == NULL || payload == NULL || d == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = normalize(c, path, m->path);
    if (st != PFS_OK) {
        goto out;
    }
    if (after != NULL && strlen(after) > PFS_NAME_MAX) {
        st = pioi_fail(c, PFS_ERR_NAMETOOLONG, "name too long");
        goto out;
    }
    snprintf(m->after, sizeof(m->after), "%s", after != NULL ? after : "");
    m->max = (uint32_t)PFS_MIN(max, PFS_READDIR_MAX);
    st = pfs_proto_readdir_req_encode(body, PFS_READDIR_REQ_MAX, m, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode the readdir request");
        goto out;
    }
    st = mds_call(c, PFS_OP_MDS_READDIR, body, len, payload, PFS_DIRENTS_MAX,
                  &rpc);
    if (st != PFS_OK) {
        goto out;
    }
    if (pfs_proto_readdir_rep_decode(rpc->reply, rpc->reply_len, &rep) !=
            PFS_OK ||
        rep.count > m->max ||
        pfs_proto_dirents_decode(payload, rpc->recv_len, rep.count, d) !=
            PFS_OK) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed readdir reply");
        goto out;
    }
    for (i = 0; i < rep.count; i++) {
        int k;

        snprintf(ents[i].name, sizeof(ents[i].name), "%s", d[i].name);
        ents[i].type = d[i].type == PFS_FILE_TYPE_DIR ? PIO_TYPE_DIR
                                                      : PIO_TYPE_FILE;
        for (k = 0; k < 8; k++) {
            ents[i].fid[k] = (uint8_t)(d[i].fid.hi >> (56 - 8 * k));
            ents[i].fid[8 + k] = (uint8_t)(d[i].fid.lo >> (56 - 8 * k));
        }
    }
    *count_p = rep.count;
    *more_p = rep.more != 0;
out:
    free(rpc);
    free(d);
    free(payload);
    free(body);
    free(m);
    return st;
}

PFS_EXPORT pfs_status_t pio_rename(pio_client_t *c, const char *from,
                                   const char *to)
{
    pfs_rename_req_t *m;
    pfs_rename_rep_t rep;
    pfs_rpc_t *rpc = NULL;
    uint8_t *body;
    size_t len;
    pfs_status_t st;

    if (c == NULL || from == NULL || to == NULL) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    m = malloc(sizeof(*m));
    body = malloc(PFS_RENAME_REQ_MAX);
    if (m == NULL || body == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = normalize(c, from, m->from)) != PFS_OK ||
        (st = normalize(c, to, m->to)) != PFS_OK) {
        goto out;
    }
    st = pfs_proto_rename_req_encode(body, PFS_RENAME_REQ_MAX, m, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode the rename request");
        goto out;
    }
    st = mds_call_payload(c, PFS_OP_MDS_RENAME, body, len, &rpc);
    if (st != PFS_OK) {
        goto out;
    }
    /* the MDS removes a replaced file's data objects */
    if (pfs_proto_rename_rep_decode(rpc->reply, rpc->reply_len, &rep) !=
            PFS_OK ||
        (rep.replaced &&
         pfs_layout_validate(&rep.attr.layout, c->ens.niosrv) != PFS_OK)) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed rename reply");
    }
out:
    free(rpc);
    free(body);
    free(m);
    return st;
}

PFS_EXPORT pfs_status_t pio_iosrv_space(pio_client_t *c, uint32_t index,
                                        pio_space_t *space_p)
{
    pfs_rpc_t *rpc;
    pfs_status_t st;

    if (c == NULL || space_p == NULL) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    if (index >= c->ens.niosrv) {
        return pioi_fail(c, PFS_ERR_INVAL, "no I/O server %u", index);
    }
    rpc = malloc(sizeof(*rpc));
    if (rpc == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    pioi_rpc_init(c, rpc, PFS_OP_IO_STATFS, NULL, 0);
    st = call(c, &c->ios[index], rpc);
    if (st == PFS_OK) {
        pfs_statfs_rep_t rep;

        if (pfs_proto_statfs_rep_decode(rpc->reply, rpc->reply_len, &rep) !=
            PFS_OK) {
            st = pioi_fail(c, PFS_ERR_PROTO, "malformed statfs reply");
        } else {
            space_p->total_bytes = rep.total_bytes;
            space_p->free_bytes = rep.free_bytes;
            space_p->avail_bytes = rep.avail_bytes;
        }
    }
    free(rpc);
    return st;
}
