/* local.h - local access: a client on an I/O server's host reads and
 * writes that server's objects itself.
 *
 * Through the server, every byte is copied twice on one host: between the
 * client and the server process (over TCP on loopback: pfs connections
 * use no shared memory, doc/transport.md), and between the server and the
 * page cache (pread/pwrite).  A local file system copies once.  So a client
 * that finds the server on its own host asks it, over a Unix socket, for an
 * open descriptor of the object (SCM_RIGHTS), and then calls
 * preadv/pwritev on it: one copy, and no server wake-up per request.  The
 * same idea as HDFS short-circuit reads, or a GPFS node with direct access
 * to an NSD's disk.
 *
 * The server stays in charge of its objects: it checks the file's
 * capability (cap.h: a descriptor for writing needs the write right, one
 * for reading the read right) and the caller's uid (SO_PEERCRED: the
 * servers' own user, or root), refuses
 * to re-create a removed object (PFS_ERR_STALE), and opens a file
 * description of its own for each client.  Server-side data sieving is a
 * read-modify-write of a span that may hold other clients' bytes: it takes
 * an OFD write lock on the span, and a local writer takes an OFD read lock
 * on what it writes, so neither can lose the other's bytes.
 *
 * The socket is in the abstract namespace (no file to clean up); its name
 * is derived from a hash of the cluster key and the server index, so only
 * clients of this ensemble find it, and only on the same host (and network
 * namespace).
 *
 * Request (one SOCK_SEQPACKET message): u32 magic, u32 version, u32 flags,
 * the file's capability (proto.h).  Reply: u32 status, u16 message
 * length, the message; with an open descriptor attached when the status
 * is PFS_OK.
 */
#ifndef PFS_LOCAL_H
#define PFS_LOCAL_H

#include <sys/socket.h>
#include <sys/un.h>

#include "pfs_common.h"
#include "proto.h"

#define PFS_LOCAL_MAGIC 0x4c534650u /* "PFSL" */
#define PFS_LOCAL_VERSION 2u
#define PFS_LOCAL_REQ_MAX (12u + PFS_CAP_MAX)
#define PFS_LOCAL_REP_MAX 256u

#define PFS_LOCAL_WRITE 0x1u /* open for writing; create the object */

typedef struct {
    uint32_t flags;
    pfs_cap_t cap; /* names the file */
} pfs_local_req_t;

/* The abstract socket address of I/O server index of the ensemble with
 * this key. */
void pfs_local_sockaddr(const uint8_t *key, uint32_t index,
                        struct sockaddr_un *sa, socklen_t *len_p);

/* Request encoding (at most PFS_LOCAL_REQ_MAX bytes); decode checks the
 * length, magic, version and flags. */
PFS_MUST_CHECK pfs_status_t pfs_local_req_encode(const pfs_local_req_t *req,
                                                 uint8_t out[PFS_LOCAL_REQ_MAX],
                                                 size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_local_req_decode(const void *buf, size_t len,
                                                 pfs_local_req_t *req);

/* Reply encoding: a status (PFS_OK or an error) and a message of which
 * the first 200 bytes are kept (msg may be NULL); at most
 * PFS_LOCAL_REP_MAX bytes. */
PFS_MUST_CHECK pfs_status_t pfs_local_rep_encode(pfs_status_t st,
                                                 const char *msg,
                                                 uint8_t out[PFS_LOCAL_REP_MAX],
                                                 size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_local_rep_decode(const void *buf, size_t len,
                                                 pfs_status_t *st_p, char *msg,
                                                 size_t msg_size);

/* One message with a descriptor attached (fd < 0: none).  0 or errno. */
int pfs_local_send(int sock, const void *buf, size_t len, int fd);
/* One message; *fd_p gets an attached descriptor or -1.  Returns the
 * message length, or -errno. */
ssize_t pfs_local_recv(int sock, void *buf, size_t len, int *fd_p);

/* Blocking OFD byte-range lock (F_RDLCK, F_WRLCK or F_UNLCK) of
 * [off, off + len); 0 or errno. */
int pfs_local_lock(int fd, short type, uint64_t off, uint64_t len);

#endif
