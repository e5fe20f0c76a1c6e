/* pio_internal.h - what libpio's files share; never installed. */
#ifndef PIO_INTERNAL_H
#define PIO_INTERNAL_H

#include "cap.h"
#include "ensemble.h"
#include "hello.h"
#include "pfs/pio.h"
#include "pfs_common.h"
#include "proto.h"
#include "sio_split.h"
#include "transport.h"

/* A server's local-access socket (pio_local.c). */
typedef enum {
    PIO_LOCAL_NONE = -1,   /* not on this host, or refused for good */
    PIO_LOCAL_UNTRIED = 0, /* not tried yet (or to try again) */
    PIO_LOCAL_CONNECTED = 1
} pio_local_state_t;

/* f->local_fd[slot]: the object's descriptor (>= 0), or one of these. */
enum {
    PIO_LOCAL_FD_SERVER = -1,  /* through the server */
    PIO_LOCAL_FD_UNASKED = -2, /* not asked for yet */
    PIO_LOCAL_FD_ASKED = -3    /* asked for, the answer not read yet */
};

typedef struct {
    pfs_tx_conn_t *conn;
    const pfs_server_info_t *info;
    int ready; /* hello answered on the current connection */
    pio_local_state_t local_state; /* local access (pio_local.c) */
    int local_sock;
    /* the file and slot whose descriptor request is in flight, if any */
    struct pio_file *local_pending;
    uint32_t local_pending_slot;
} pioi_server_t;

struct pio_client {
    pfs_tx_t *tx;
    pfs_ensemble_t ens;
    pioi_server_t mds;
    pioi_server_t *ios;
    int timeout_ms;
    uint64_t max_xfer;
    int local_io;         /* use local access where a server offers it */
    uint64_t local_bytes; /* moved through local access so far */
    char errmsg[512];
};

struct pio_file {
    pio_client_t *client;
    pfs_attr_t attr;
    int flags;
    int lease; /* holds the file's write lease (pio_lease_acquire) */
    /* the capability every data request carries (pio_cap.c), and when
     * to renew it (pfs_now_ms, this host's monotonic clock) */
    pfs_cap_t cap;
    uint64_t cap_renew_ms;
    /* per layout slot: the object's descriptor (local access), or
     * PIO_LOCAL_FD_SERVER, _UNASKED, _ASKED */
    int *local_fd;
};

pfs_status_t pioi_fail(pio_client_t *c, pfs_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adopt the transport's or the server's explanation of a failed RPC. */
pfs_status_t pioi_fail_rpc(pio_client_t *c, const pfs_rpc_t *rpc);
void pioi_rpc_init(pio_client_t *c, pfs_rpc_t *rpc, uint16_t opcode,
                   const void *body, size_t body_len);
/* Connected and authenticated (reconnects a broken connection). */
pfs_status_t pioi_server_ready(pio_client_t *c, pioi_server_t *s);
/* Logical size from the objects of every server of the file; cap
 * allows it. */
pfs_status_t pioi_logical_size(pio_client_t *c, const pfs_attr_t *attr,
                               const pfs_cap_t *cap, uint64_t *size_p);

/* ---- capabilities (pio_cap.c, common/cap.h) ---- */

/* A LOOKUP, CREATE or STAT reply in rpc: attributes into *attr_p and,
 * when cap_p is not NULL, the capability (a regular file must have one). */
pfs_status_t pio_attr_cap_decode(pio_client_t *c, const pfs_rpc_t *rpc,
                                 pfs_attr_t *attr_p, pfs_cap_t *cap_p);
/* Take cap as f's, and plan its renewal: halfway through its life. */
void pio_cap_adopt(pio_file_t *f, const pfs_cap_t *cap);
/* Renew f's capability if its renewal time has come (a STAT of the MDS
 * with it).  Cheap when not: a clock read. */
pfs_status_t pio_cap_fresh(pio_file_t *f);

/* ---- requests to the metadata server (pio_client.c, pio_ns.c) ---- */

/* Decode a reply into out (the caller's); on failure set the client's
 * message (pioi_fail) and return the status. */
typedef pfs_status_t (*pioi_decode_t)(pio_client_t *c, const pfs_rpc_t *rpc,
                                      void *out);

/* One request to one server: the request body (encoded by the caller)
 * and/or a payload, where a reply payload lands, and how the reply is
 * decoded.  Unset fields are zero: no body, no payload, nothing to
 * decode (only the status counts). */
typedef struct {
    uint16_t opcode;
    const void *body;
    size_t body_len;
    const void *send; /* payload sent with the request, or NULL */
    size_t send_len;
    void *recv; /* where the reply's payload lands, or NULL */
    size_t recv_cap;
    pioi_decode_t decode; /* called on success, before the RPC is freed */
    void *out;            /* decode's argument */
} pioi_call_t;

/* Send req to s (connecting and saying hello first if needed), wait for
 * the reply and decode it; the RPC is allocated and freed here.  On
 * failure the client's message says why. */
pfs_status_t pioi_call(pio_client_t *c, pioi_server_t *s,
                       const pioi_call_t *req);
/* A path request (create, lookup, mkdir, unlink, rmdir) to the metadata
 * server; on success *attr_p (if not NULL) holds the attributes. */
pfs_status_t pioi_path_call(pio_client_t *c, uint16_t opcode, const char *path,
                            uint32_t mode, uint32_t flags,
                            const pio_layout_t *layout, pfs_attr_t *attr_p);
/* The same, and *cap_p the file's capability (LOOKUP, CREATE). */
pfs_status_t pioi_path_call_cap(pio_client_t *c, uint16_t opcode,
                                const char *path, uint32_t mode, uint32_t flags,
                                const pio_layout_t *layout, pfs_attr_t *attr_p,
                                pfs_cap_t *cap_p);

/* ---- local access (pio_local.c, common/local.h) ---- */

/* Pieces of at least this size on average are read and written locally:
 * the server would not sieve them either, only copy them once more.  So
 * are parts with fewer pieces than the server ever sieves
 * (PFS_SIO_SIEVE_MIN_PIECES), whatever their size. */
#define PIO_LOCAL_MIN_PIECE (16u << 10)

/* Ask every server of f for its object's descriptor without waiting for
 * the answers (at open: they arrive while the caller gets ready for I/O). */
void pioi_local_ask(pio_file_t *f);
/* Ask the servers of the slots marked in want[stripe_count] for f's
 * object descriptors, where not asked yet (f->local_fd).  Servers that
 * are not on this host or refuse get -1: go through the server. */
void pioi_local_open(pio_file_t *f, const uint8_t *want);
/* Read or write a part's pieces on a local object descriptor: 0 or an
 * errno.  Reads report the object's size in *objsize_p. */
int pioi_local_exec(int fd, int write, const pfs_sio_part_t *part,
                    uint64_t *objsize_p);
/* f's logical size from its objects' descriptors (fstat), when f holds
 * one for every server already: 0, else -1 (ask the servers; waiting
 * for the descriptors' answers here was slower than asking).  The
 * servers' IO_SIZE stats the same inodes. */
int pioi_local_size(pio_file_t *f, uint64_t *size_p);
/* Close f's object descriptors / the client's local sockets. */
void pioi_local_file_close(pio_file_t *f);
void pioi_local_client_close(pio_client_t *c);

#endif
