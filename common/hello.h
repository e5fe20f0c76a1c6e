/* hello.h - the client's side of HELLO: prove the cluster key to a server
 * without sending it, check the server's proof of it, and say who the
 * caller is (uid, gid, every supplementary group).
 *
 * Two requests (auth.h): CHALLENGE, whose reply carries the server's
 * identity and its proof over both nonces; then, once that proof is
 * right, HELLO with the caller's credentials and its own proof.  The one
 * place that builds a HELLO; libpio, pfs-ctl and the MDS's reaper all go
 * through it.  Non-blocking (post, then pfs_hello_done after each
 * completion of h->rpc until it returns 1) or blocking (pfs_hello_call).
 */
#ifndef PFS_HELLO_H
#define PFS_HELLO_H

#include "auth.h"
#include "proto.h"
#include "transport.h"

/* One HELLO in flight.  The caller owns it; it must stay in place from
 * pfs_hello_post until pfs_hello_done returned 1, then be released. */
typedef struct {
    pfs_rpc_t rpc;
    int step; /* 0: CHALLENGE in flight, 1: HELLO in flight, 2: finished */
    pfs_status_t status;
    char errmsg[256];
    pfs_tx_t *tx;
    pfs_tx_conn_t *conn;
    uint8_t key[PFS_AUTH_KEY_SIZE]; /* the HELLO key (auth.h), not the
                                       cluster key */
    uint8_t nonce[PFS_AUTH_NONCE_SIZE];
    uint8_t fsid[16];
    uint8_t role;        /* the caller's */
    uint8_t server_role; /* expected of the server */
    uint32_t index;      /* expected of the server */
    int timeout_ms;
    uint8_t body[PFS_HELLO_REQ_MAX > PFS_CHALLENGE_REQ_MAX
                     ? PFS_HELLO_REQ_MAX
                     : PFS_CHALLENGE_REQ_MAX];
    uint8_t *groups; /* the HELLO payload: the caller's groups */
} pfs_hello_t;

/* Start HELLO with cluster key `key` as role on conn, to the server that
 * must be (fsid, server_role, index).  On failure the exchange is
 * finished already (pfs_hello_done returns 1) and h must still be
 * released. */
pfs_status_t pfs_hello_post(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role, int timeout_ms,
                            const uint8_t *fsid, pfs_role_t server_role,
                            uint32_t index, pfs_hello_t *h);

/* Call when h->rpc.done: checks the answer and posts the next request.
 * Returns 1 when the exchange is finished (pfs_hello_check tells how),
 * 0 while a request is in flight again. */
int pfs_hello_done(pfs_hello_t *h);

/* Once finished: PFS_OK if the server proved the key, is the one expected
 * and accepted our proof; otherwise the error, explained in errmsg
 * ("another ensemble took its address?" for a different server). */
pfs_status_t pfs_hello_check(const pfs_hello_t *h, char *errmsg,
                             size_t errmsg_size);

/* Release what pfs_hello_post allocated (no request may be in flight). */
void pfs_hello_release(pfs_hello_t *h);

/* Post, wait and check. */
pfs_status_t pfs_hello_call(pfs_tx_t *tx, pfs_tx_conn_t *conn,
                            const uint8_t *key, pfs_role_t role, int timeout_ms,
                            const uint8_t *fsid, pfs_role_t server_role,
                            uint32_t index, char *errmsg, size_t errmsg_size);

#endif
