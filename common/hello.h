/* hello.h - the client's side of HELLO: prove the cluster key to a server
 * and say who the caller is (uid, gid, every supplementary group).
 *
 * The one place that builds a HELLO; libpio, pfs-ctl and the MDS's reaper
 * all go through it.  Non-blocking (post, then check once the RPC is
 * done) or blocking (pfs_hello_call).
 */
#ifndef PFS_HELLO_H
#define PFS_HELLO_H

#include "proto.h"
#include "transport.h"

/* One HELLO in flight.  The caller owns it; it must stay in place from
 * pfs_hello_post until its rpc is done, then be released. */
typedef struct {
    pfs_rpc_t rpc;
    uint8_t body[PFS_HELLO_REQ_MAX];
    uint8_t *groups; /* the payload: the caller's groups */
} pfs_hello_t;

/* Post a HELLO with key as role on conn.  On failure h->rpc is done with
 * the error already (as pfs_rpc_post), and h must still be released. */
pfs_status_t pfs_hello_post(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role,
                            int timeout_ms, pfs_hello_t *h);

/* Once h->rpc.done: PFS_OK if the server answered and is the one
 * expected (fsid, role, index); otherwise the error, explained in errmsg
 * ("another ensemble took its address?" for a different server). */
pfs_status_t pfs_hello_check(const pfs_hello_t *h, const uint8_t *fsid,
                             pfs_role_t role, uint32_t index, char *errmsg,
                             size_t errmsg_size);

/* Release what pfs_hello_post allocated (h->rpc must be done). */
void pfs_hello_release(pfs_hello_t *h);

/* Post, wait and check. */
pfs_status_t pfs_hello_call(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role,
                            int timeout_ms, const uint8_t *fsid,
                            pfs_role_t server_role, uint32_t index,
                            char *errmsg, size_t errmsg_size);

#endif
