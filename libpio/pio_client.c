/* pio_client.c - libpio's client: the connection to the ensemble (init,
 * fini, settings), servers made ready (connect, HELLO), and one request
 * to one server, waited for. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pio_abi.h"
#include "pio_internal.h"
#include "sio.h"

#define PIO_DEFAULT_MAX_XFER (UINT64_C(8) << 20)
/* A write's payload is the run list plus the data: leave room for the
 * largest run list under the server's payload limit. */
#define PIO_LIMIT_MAX_XFER                                                     \
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
        return pioi_fail(c, PFS_ERR_CONN, "cannot reconnect to %s",
                         s->info->addr);
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

/* pio_internal.h: the one place that allocates, sends, waits for,
 * decodes and frees a request to one server. */
pfs_status_t pioi_call(pio_client_t *c, pioi_server_t *s,
                       const pioi_call_t *req)
{
    pfs_rpc_t *rpc = malloc(sizeof(*rpc)); /* a 4 KiB reply buffer */
    pfs_status_t st;

    if (rpc == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    pioi_rpc_init(c, rpc, req->opcode, req->body, req->body_len);
    rpc->send_data = req->send;
    rpc->send_len = req->send_len;
    rpc->recv_data = req->recv;
    rpc->recv_cap = req->recv_cap;
    st = call(c, s, rpc);
    if (st == PFS_OK && req->decode != NULL) {
        st = req->decode(c, rpc, req->out);
    }
    free(rpc);
    return st;
}

PFS_EXPORT pfs_status_t pio_init_sz(const pio_config_t *config,
                                    pio_client_t **client_p, char *errmsg,
                                    size_t errmsg_size, size_t config_size)
{
    char scratch[512];
    pio_config_t cfg = {0}; /* zero: every default */
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
    if (config != NULL) {
        st = PIOI_ABI_IN(pio_config_t, &cfg, config, config_size, errmsg,
                         errmsg_size);
        if (st != PFS_OK) {
            return st;
        }
    }
    path = pfs_ensemble_path(cfg.descriptor);
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
    if (cfg.timeout_ms > 0) {
        c->timeout_ms = cfg.timeout_ms;
    }
    /* local access: on unless $PFS_LOCAL_IO or the config says off */
    env = getenv("PFS_LOCAL_IO");
    c->local_io =
        env == NULL || (strcmp(env, "0") != 0 && strcmp(env, "off") != 0 &&
                        strcmp(env, "no") != 0);
    if (cfg.local_io != 0) {
        c->local_io = cfg.local_io > 0;
    }
    c->max_xfer = PIO_DEFAULT_MAX_XFER;
    env = getenv("PFS_MAX_TRANSFER");
    if (env != NULL) {
        uint64_t v;
        if (pfs_parse_size(env, &v) == PFS_OK && v >= 4096) {
            c->max_xfer = PFS_MIN(v, PIO_LIMIT_MAX_XFER);
        }
    }
    if (cfg.max_transfer > 0) {
        c->max_xfer = PFS_MIN(cfg.max_transfer, PIO_LIMIT_MAX_XFER);
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

PFS_EXPORT const char *pio_file_errmsg(const pio_file_t *f)
{
    return f != NULL ? pio_client_errmsg(f->client) : "no file";
}

PFS_EXPORT pfs_status_t pio_client_set_timeout(pio_client_t *c, int timeout_ms)
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

static pfs_status_t statfs_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                  void *out)
{
    pio_space_t *space_p = out;
    pfs_statfs_rep_t rep;

    if (pfs_proto_statfs_rep_decode(rpc->reply, rpc->reply_len, &rep) !=
        PFS_OK) {
        return pioi_fail(c, PFS_ERR_PROTO, "malformed statfs reply");
    }
    space_p->total_bytes = rep.total_bytes;
    space_p->free_bytes = rep.free_bytes;
    space_p->avail_bytes = rep.avail_bytes;
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_iosrv_space_sz(pio_client_t *c, uint32_t index,
                                           pio_space_t *space_p,
                                           size_t space_size)
{
    pio_space_t space;
    pioi_call_t req = {
        .opcode = PFS_OP_IO_STATFS, .decode = statfs_decode, .out = &space};
    pfs_status_t st;

    if (c == NULL || space_p == NULL) {
        return PFS_ERR_INVAL;
    }
    c->errmsg[0] = '\0';
    st = PIOI_ABI_CHECK(pio_space_t, space_size, c->errmsg, sizeof(c->errmsg));
    if (st != PFS_OK) {
        return st;
    }
    if (index >= c->ens.niosrv) {
        return pioi_fail(c, PFS_ERR_INVAL, "no I/O server %u", index);
    }
    memset(&space, 0, sizeof(space));
    st = pioi_call(c, &c->ios[index], &req);
    if (st == PFS_OK) {
        PIOI_ABI_OUT(pio_space_t, space_p, space_size, &space);
    }
    return st;
}
