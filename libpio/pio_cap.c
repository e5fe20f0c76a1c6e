/* pio_cap.c - libpio's side of capabilities: keeping an open file's
 * capability valid (common/cap.h, doc/security.md).
 *
 * The MDS hands out a capability at open and create; every request to an
 * I/O server and every local-access descriptor request carries it.  An
 * open file renews it halfway through its life with a STAT by
 * capability, which checks the permission again, so that a long-running
 * open never presents an expired one.  The halfway point is computed on
 * this host's monotonic clock from the capability's own lifetime, so
 * clock offsets between this host and the MDS do not matter here (the
 * I/O servers compare the expiry with their wall clocks: servers keep
 * their clocks in sync).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pio_internal.h"

pfs_status_t pio_attr_cap_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                 pfs_attr_t *attr_p, pfs_cap_t *cap_p)
{
    pfs_cap_t *cap = cap_p != NULL ? cap_p : malloc(sizeof(*cap));
    int has = 0;
    pfs_status_t st = PFS_OK;

    if (cap == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    if (pfs_proto_attr_cap_decode(rpc->reply, rpc->reply_len, attr_p, cap,
                                  &has) != PFS_OK ||
        (attr_p->type == PFS_FILE_TYPE_REG &&
         (!has || memcmp(&cap->fid, &attr_p->fid, sizeof(cap->fid)) != 0 ||
          pfs_layout_validate(&attr_p->layout, c->ens.niosrv) != PFS_OK))) {
        st = pioi_fail(c, PFS_ERR_PROTO, "malformed attributes from the MDS");
    }
    if (cap != cap_p) {
        free(cap);
    }
    return st;
}

void pio_cap_adopt(pio_file_t *f, const pfs_cap_t *cap)
{
    uint64_t life =
        cap->expiry_ms > cap->issued_ms ? cap->expiry_ms - cap->issued_ms : 0;
    uint64_t wall = pfs_cap_now_ms();
    uint64_t left = cap->expiry_ms > wall ? cap->expiry_ms - wall : 0;

    /* halfway through its life; an imported one may be old already (the
     * wall clock says how old, give or take this host's offset) */
    f->cap = *cap;
    f->cap_renew_ms = pfs_now_ms() + PFS_MIN(life, left) / 2;
}

pfs_status_t pio_cap_fresh(pio_file_t *f)
{
    pio_client_t *c = f->client;
    uint8_t *body;
    pfs_rpc_t *rpc;
    pfs_attr_t *attr;
    pfs_cap_t *cap;
    size_t len;
    pfs_status_t st;

    if (pfs_now_ms() < f->cap_renew_ms) {
        return PFS_OK;
    }
    body = malloc(PFS_CAP_MAX);
    rpc = malloc(sizeof(*rpc));
    attr = malloc(sizeof(*attr));
    cap = malloc(sizeof(*cap));
    if (body == NULL || rpc == NULL || attr == NULL || cap == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = pfs_proto_cap_encode(body, PFS_CAP_MAX, &f->cap, &len);
    if (st != PFS_OK) {
        st = pioi_fail(c, st, "cannot encode a capability");
        goto out;
    }
    st = pioi_server_ready(c, &c->mds);
    if (st != PFS_OK) {
        goto out;
    }
    pioi_rpc_init(c, rpc, PFS_OP_MDS_STAT, body, len);
    pfs_rpc_post(c->tx, c->mds.conn, rpc);
    if (pfs_rpc_wait_all(c->tx, &rpc, 1) != PFS_OK) {
        st = pioi_fail_rpc(c, rpc);
        goto out;
    }
    st = pio_attr_cap_decode(c, rpc, attr, cap);
    if (st == PFS_OK && memcmp(&attr->fid, &f->attr.fid, sizeof(attr->fid))) {
        st = pioi_fail(c, PFS_ERR_PROTO, "the MDS renewed another file");
    }
    if (st == PFS_OK) {
        pio_cap_adopt(f, cap);
    }
out:
    if (st != PFS_OK && st != PFS_ERR_ACCESS && st != PFS_ERR_CAP &&
        st != PFS_ERR_STALE && st != PFS_ERR_NOENT) {
        /* the MDS is out of reach for now: the capability held is good
         * for the second half of its life, so try again in a second */
        uint64_t life = f->cap.expiry_ms - f->cap.issued_ms;

        if (pfs_now_ms() + 1000 < f->cap_renew_ms + life / 2) {
            f->cap_renew_ms = pfs_now_ms() + 1000;
            c->errmsg[0] = '\0';
            st = PFS_OK;
        }
    }
    free(cap);
    free(attr);
    free(rpc);
    free(body);
    return st;
}
