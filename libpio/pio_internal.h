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

typedef struct {
    pfs_tx_conn_t *conn;
    const pfs_server_info_t *info;
    int ready; /* hello answered on the current connection */
    /* local access (pio_local.c): 0 not tried yet, 1 connected,
     * -1 not on this host, or refused for good */
    int local_state;
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
    /* per layout slot: -2 not asked yet, -3 asked, -1 through the server,
     * else the object's descriptor (local access) */
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
