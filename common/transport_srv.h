/* transport_srv.h - the server half of the transport (transport_srv.c),
 * in libpfs_server only: listen on a socket address and get whole
 * requests (header, body and payload already received) through a handler
 * called from pfs_tx_progress(), never from inside a UCX callback; reply
 * to them.  libpio never includes this header (libpio/README.md). */
#ifndef PFS_TRANSPORT_SRV_H
#define PFS_TRANSPORT_SRV_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

typedef struct pfs_srv_conn pfs_srv_conn_t;
typedef struct pfs_srv_req pfs_srv_req_t;

/* A complete request as received.  body/data stay valid until the request
 * is answered with pfs_srv_reply*(), which releases it. */
struct pfs_srv_req {
    pfs_msg_hdr_t hdr;
    const uint8_t *body;  /* hdr.body_len bytes */
    void *data;           /* hdr.data_len bytes of payload, or NULL */
    pfs_srv_conn_t *conn; /* the connection it came from */
};

typedef void (*pfs_srv_handler_t)(void *arg, pfs_srv_req_t *req);

/* Listen on host:port (host NULL or "*": all addresses; port 0: let the
 * kernel pick).  addr_out receives "host:port" as clients should dial it:
 * advertise_host if given, else host. */
pfs_status_t pfs_tx_listen(pfs_tx_t *tx, const char *host, uint16_t port,
                           const char *advertise_host,
                           pfs_srv_handler_t handler, void *arg, char *addr_out,
                           size_t addr_size, char *errmsg, size_t errmsg_size);

/* Bound the bytes of received request payloads held at once (0: no
 * bound).  Past it, rendezvous payloads stay with their senders until
 * earlier requests are answered: backpressure instead of a queue that
 * grows without limit.  One payload is always admitted. */
void pfs_tx_set_memory_budget(pfs_tx_t *tx, uint64_t bytes);

/* A client connection is gone (the client closed it, died, or the
 * server cut it off): called from pfs_tx_progress() or pfs_tx_destroy(),
 * once per connection, while conn is still valid; requests of conn may
 * still be answered later (the replies are dropped).  The MDS drops the
 * connection's write leases here. */
typedef void (*pfs_srv_close_handler_t)(void *arg, pfs_srv_conn_t *conn);
void pfs_tx_set_close_handler(pfs_tx_t *tx, pfs_srv_close_handler_t handler,
                              void *arg);

/* Close client connections that have not said hello within ms (0: never,
 * the default); each closure is logged. */
void pfs_tx_set_hello_timeout(pfs_tx_t *tx, int ms);

/* Refuse requests whose payload is larger than bytes (0: only the
 * protocol's PFS_PROTO_MAX_XFER), before receiving it. */
void pfs_tx_set_max_payload(pfs_tx_t *tx, uint64_t bytes);

/* Bytes of reply payloads handed to UCX and not yet taken by their
 * clients: all of them, and one connection's. */
uint64_t pfs_tx_reply_bytes(const pfs_tx_t *tx);
uint64_t pfs_srv_conn_reply_bytes(const pfs_srv_conn_t *conn);

/* Log a refused request of conn: the first few one by one, then one line
 * saying the rest are counted, and the count when the client leaves. */
void pfs_srv_conn_complain(pfs_srv_conn_t *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Per-connection flag a server sets once the peer proved the cluster key.
 * The connection takes over cred's groups (cred is left empty). */
int pfs_srv_conn_authenticated(const pfs_srv_conn_t *conn);
void pfs_srv_conn_set_authenticated(pfs_srv_conn_t *conn, uint8_t role,
                                    uint32_t pid, pfs_cred_t *cred);
/* The client's address ("host:port"), for logs. */
/* HELLO's challenge (auth.h): the nonces of the one CHALLENGE the
 * connection may answer with a HELLO.  take returns 1 and the nonces if
 * there was one, and forgets them either way: a HELLO is checked once. */
#define PFS_SRV_CHALLENGE_SIZE 64u
void pfs_srv_conn_set_challenge(pfs_srv_conn_t *conn,
                                const uint8_t nonces[PFS_SRV_CHALLENGE_SIZE]);
int pfs_srv_conn_take_challenge(pfs_srv_conn_t *conn,
                                uint8_t nonces_p[PFS_SRV_CHALLENGE_SIZE]);
const char *pfs_srv_conn_peer(const pfs_srv_conn_t *conn);
/* The process id the peer gave with its hello, for messages. */
uint32_t pfs_srv_conn_pid(const pfs_srv_conn_t *conn);
/* The credentials the peer gave with its hello. */
const pfs_cred_t *pfs_srv_conn_cred(const pfs_srv_conn_t *conn);
uint8_t pfs_srv_conn_role(const pfs_srv_conn_t *conn);

/* Send the reply and release req.  body (body_len bytes) is copied.  data
 * (data_len bytes, may be NULL) is owned by the transport from now on and
 * released with free() once sent.  If the client is gone the reply is
 * dropped silently: there is nobody to tell. */
void pfs_srv_reply(pfs_tx_t *tx, pfs_srv_req_t *req, const void *body,
                   size_t body_len, void *data, size_t data_len);

/* Reply with an error status and a printf-style message. */
void pfs_srv_reply_error(pfs_tx_t *tx, pfs_srv_req_t *req, pfs_status_t status,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
