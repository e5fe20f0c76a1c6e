/* proto.h - the pfs wire protocol: message header, opcodes, and the one
 * encoder and decoder of every message.
 *
 * Every message is one UCX active message.  The AM header carries a fixed
 * 32-byte message header followed by an opcode-specific body; bulk data
 * (file bytes, run lists, directory entries, a caller's groups) travels as
 * the AM payload, which UCX moves eagerly or by rendezvous.  All integers
 * are little-endian and fixed width.
 *
 * Conventions of the codecs below:
 * - pfs_proto_X_encode(buf, cap, m, &len) writes a whole body into buf.  A
 *   buffer of PFS_X_MAX bytes always fits; a smaller one that does not fit
 *   gives PFS_ERR_INVAL, as does a message that breaks its own limits.
 * - pfs_proto_X_decode(buf, len, m) reads a whole body: every length and
 *   count is checked against the bytes received, and a short, long or
 *   out-of-range body gives PFS_ERR_PROTO (PFS_ERR_FBIG for I/O ranges
 *   past the largest file).
 * - Both results must be checked: the compiler says so (PFS_MUST_CHECK).
 * Nothing outside the codec modules (this one, sio.c, local.c, the
 * metadata store's records) touches bytes of an encoding (wire.h).
 *
 * Any change to an encoding changes PFS_PROTO_VERSION.  doc/protocol.md
 * describes the format for people; this file is the definition.
 */
#ifndef PFS_PROTO_H
#define PFS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "cred.h"
#include "layout.h"
#include "pfs_common.h"

#define PFS_PROTO_MAGIC 0x31534650u /* "PFS1" as little-endian bytes */
#define PFS_PROTO_VERSION 13u
#define PFS_PROTO_HDR_SIZE 32u

#define PFS_PROTO_KEY_SIZE 32u /* cluster key, bytes */
/* Bytes after the header.  UCX aborts a sender whose active-message
 * header does not fit its largest eager fragment (8139 bytes over TCP):
 * bigger inputs travel in the payload (RENAME's two paths). */
#define PFS_PROTO_MAX_BODY 6144u
#define PFS_PATH_MAX 4096u /* bytes of a path, without NUL */
#define PFS_NAME_MAX 255u  /* bytes of one path component */
#define PFS_PROTO_MAX_ERRMSG 1024u

/* Largest AM payload one request may carry or ask for; clients split
 * bigger transfers.  Bounds server memory per request. */
#define PFS_PROTO_MAX_XFER (UINT64_C(64) << 20)

/* UCX active message ids. */
enum {
    PFS_AM_REQUEST = 1, /* client -> server */
    PFS_AM_REPLY = 2    /* server -> client */
};

/* Request opcodes; a reply carries its request's opcode.  Each line says
 * the request body, the reply body and any payloads. */
typedef enum {
    /* any server */
    PFS_OP_HELLO = 1,     /* hello_req + groups payload; reply empty */
    PFS_OP_STATUS = 2,    /* no body; reply status_rep */
    PFS_OP_SHUTDOWN = 3,  /* no body; reply empty */
    PFS_OP_CHALLENGE = 4, /* challenge_req; reply challenge_rep (the first
                             half of HELLO) */
    /* metadata server */
    PFS_OP_MDS_CREATE = 16,  /* path_req; reply attr_cap */
    PFS_OP_MDS_LOOKUP = 17,  /* path_req; reply attr_cap */
    PFS_OP_MDS_STAT = 18,    /* cap; reply attr_cap with a fresh
                                capability (renewal) */
    PFS_OP_MDS_UNLINK = 19,  /* path_req; reply attr of the removed file */
    PFS_OP_MDS_MKDIR = 20,   /* path_req; reply attr */
    PFS_OP_MDS_READDIR = 21, /* readdir_req; reply readdir_rep + dirents
                                payload */
    PFS_OP_MDS_RMDIR = 22,   /* path_req; reply empty */
    PFS_OP_MDS_RENAME = 23,  /* no body, payload rename_req; reply
                                rename_rep */
    /* the shared file pointer kept in a regular file's inode */
    PFS_OP_MDS_FP_FETCH_ADD = 24, /* fp_req (value = increment); reply
                                     fp_rep (the counter before) */
    PFS_OP_MDS_FP_SET = 25,       /* fp_req (value = new counter); reply
                                     fp_rep (the counter before) */
    /* a directory's default layout for what is created in it */
    PFS_OP_MDS_SET_DIR_LAYOUT = 26, /* path_req; reply empty */
    PFS_OP_MDS_GET_DIR_LAYOUT = 27, /* path_req; reply layout_spec */
    PFS_OP_MDS_SETATTR = 28,        /* setattr_req; reply attr */
    /* a regular file's write lease, held by a connection (not stored) */
    PFS_OP_MDS_LEASE = 29, /* lease_req; reply empty */
    /* I/O server (32 and 33, v1's contiguous write and read, are retired:
     * every transfer is structured now) */
    PFS_OP_IO_SIZE = 34,   /* cap; reply io_rep (result: object size) */
    PFS_OP_IO_REMOVE = 35, /* remove_req; reply remove_rep */
    PFS_OP_IO_FSYNC = 36,  /* cap; reply io_rep */
    /* structured I/O: the payload starts with a run list (sio.h) */
    PFS_OP_IO_WRITEV = 37,   /* cap + runs and data; reply io_rep
                                (result: bytes written) */
    PFS_OP_IO_READV = 38,    /* cap + runs; reply io_rep (result:
                                bytes, objsize) + data payload, zeros past
                                the object's end */
    PFS_OP_IO_TRUNCATE = 39, /* io_req: offset = new object size; reply
                                io_rep */
    PFS_OP_IO_PREALLOC = 40, /* io_req: offset = object size to reserve;
                                reply io_rep */
    PFS_OP_IO_STATFS = 41,   /* no body; reply statfs_rep */
    PFS_OP_MAX_ = 64         /* opcodes are < this */
} pfs_opcode_t;

typedef struct {
    uint16_t opcode;
    uint64_t req_id;   /* chosen by the client, echoed in the reply */
    int32_t status;    /* replies: PFS_OK or an error; requests: 0 */
    uint32_t body_len; /* bytes following the header */
    uint64_t data_len; /* bytes of AM payload sent with this message */
} pfs_msg_hdr_t;

/* Header: pack writes exactly PFS_PROTO_HDR_SIZE bytes.  unpack checks
 * magic, version, opcode range and that body_len matches len. */
void pfs_proto_hdr_pack(const pfs_msg_hdr_t *hdr, void *out);
PFS_MUST_CHECK pfs_status_t pfs_proto_hdr_unpack(const void *buf, size_t len,
                                                 pfs_msg_hdr_t *hdr_p);

/* Opcode name for logs; "unknown" for anything else. */
const char *pfs_proto_op_name(unsigned opcode);

/* ---- hello and status ---------------------------------------------------- */

typedef enum {
    PFS_ROLE_CLIENT = 0,
    PFS_ROLE_MDS = 1,
    PFS_ROLE_IOSRV = 2,
    PFS_ROLE_ADMIN = 3
} pfs_role_t;

/* HELLO is two requests (auth.h, doc/security.md): CHALLENGE, in which
 * the server proves the key, then HELLO, in which the client does.  The
 * key itself never travels. */
#define PFS_NONCE_SIZE 32u
#define PFS_PROOF_SIZE 32u

/* CHALLENGE: the client's fresh nonce. */
#define PFS_CHALLENGE_REQ_MAX PFS_NONCE_SIZE

PFS_MUST_CHECK pfs_status_t pfs_proto_challenge_req_encode(
    void *buf, size_t cap, const uint8_t nonce[PFS_NONCE_SIZE], size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_challenge_req_decode(
    const void *buf, size_t len, uint8_t nonce[PFS_NONCE_SIZE]);

/* CHALLENGE reply: u8 role, u32 index, fsid[16], the server's fresh
 * nonce, the server's proof (auth.h). */
typedef struct {
    uint8_t role;   /* pfs_role_t of the server */
    uint32_t index; /* I/O server index; 0 for the MDS */
    uint8_t fsid[16];
    uint8_t nonce[PFS_NONCE_SIZE];
    uint8_t proof[PFS_PROOF_SIZE];
} pfs_challenge_rep_t;

#define PFS_CHALLENGE_REP_MAX (1u + 4u + 16u + PFS_NONCE_SIZE + PFS_PROOF_SIZE)

PFS_MUST_CHECK pfs_status_t pfs_proto_challenge_rep_encode(
    void *buf, size_t cap, const pfs_challenge_rep_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_challenge_rep_decode(
    const void *buf, size_t len, pfs_challenge_rep_t *m);

/* HELLO: who the caller is, and its proof of the key.  Body: u8 role,
 * u32 pid, u32 uid, u32 gid, u32 ngroups, proof; payload: ngroups x u32
 * supplementary groups (ngroups <= PFS_CRED_MAX_GROUPS).  The proof is
 * the body's last PFS_PROOF_SIZE bytes and covers the bytes before it
 * (PFS_HELLO_SIGNED_LEN) and the payload. */
typedef struct {
    uint8_t role; /* pfs_role_t of the caller */
    uint32_t pid;
    pfs_cred_t cred;
    uint8_t proof[PFS_PROOF_SIZE];
} pfs_hello_req_t;

#define PFS_HELLO_REQ_MAX (1u + 4u * 4u + PFS_PROOF_SIZE)
#define PFS_HELLO_SIGNED_LEN (PFS_HELLO_REQ_MAX - PFS_PROOF_SIZE)

/* The body of m; the groups go separately (groups_encode). */
PFS_MUST_CHECK pfs_status_t pfs_proto_hello_req_encode(void *buf, size_t cap,
                                                       const pfs_hello_req_t *m,
                                                       size_t *len_p);
/* The groups payload of m: 4 * m->cred.ngroups bytes into out. */
void pfs_proto_hello_groups_encode(const pfs_hello_req_t *m, void *out);
/* Body and payload; m->cred receives groups of its own (release them with
 * pfs_cred_release, also after a failure). */
PFS_MUST_CHECK pfs_status_t pfs_proto_hello_req_decode(const void *body,
                                                       size_t body_len,
                                                       const void *data,
                                                       size_t data_len,
                                                       pfs_hello_req_t *m);

/* STATUS reply: u8 role, u32 index, u32 pid, 6 x u64 counters, str host. */
typedef struct {
    uint8_t role;
    uint32_t index;
    uint32_t pid;
    uint64_t uptime_ms;
    uint64_t requests;         /* requests served since start */
    uint64_t data_requests;    /* of them: reads and writes */
    uint64_t bytes_read;       /* I/O servers */
    uint64_t bytes_written;    /* I/O servers */
    uint64_t pending_removals; /* MDS: files whose data objects are still
                                * to be removed (0 elsewhere) */
    char host[256];
} pfs_status_rep_t;

#define PFS_STATUS_REP_MAX (1u + 4u + 4u + 6u * 8u + 2u + 255u)

PFS_MUST_CHECK pfs_status_t pfs_proto_status_rep_encode(
    void *buf, size_t cap, const pfs_status_rep_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_status_rep_decode(const void *buf,
                                                        size_t len,
                                                        pfs_status_rep_t *m);

/* ---- metadata ------------------------------------------------------------ */

#define PFS_FILE_TYPE_REG 1u
#define PFS_FILE_TYPE_DIR 2u

#define PFS_CREATE_EXCL 0x1u /* fail with PFS_ERR_EXIST if it exists */
/* LOOKUP and CREATE: the access the caller will open the file with; the
 * MDS checks it against the file's mode (a file just created is the
 * creator's to open, whatever its mode). */
#define PFS_ACCESS_READ 0x2u
#define PFS_ACCESS_WRITE 0x4u

/* A layout spec (layout.h): u64 stripe_size, u32 stripe_count, u32
 * nservers (<= PFS_LAYOUT_MAX_STRIPES), nservers x u32 server index. */
#define PFS_LAYOUT_SPEC_MAX (8u + 4u + 4u + 4u * PFS_LAYOUT_MAX_STRIPES)

/* GET_DIR_LAYOUT reply. */
PFS_MUST_CHECK pfs_status_t pfs_proto_layout_spec_encode(
    void *buf, size_t cap, const pfs_layout_spec_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_layout_spec_decode(const void *buf,
                                                         size_t len,
                                                         pfs_layout_spec_t *m);

/* CREATE, MKDIR, LOOKUP, UNLINK, RMDIR, SET/GET_DIR_LAYOUT: str path, u32
 * mode, u32 flags, u32 uid, u32 gid, layout spec.  The creating ones
 * create with mode and the layout spec (zero fields take the directory's
 * or the ensemble's default); SET_DIR_LAYOUT stores the spec as the
 * directory's default. */
typedef struct {
    char path[PFS_PATH_MAX + 1];
    uint32_t mode;
    uint32_t flags;
    uint32_t uid; /* the client's ids; the MDS gives new files the ids */
    uint32_t gid; /* of the connection's HELLO credentials instead */
    pfs_layout_spec_t layout;
} pfs_path_req_t;

#define PFS_PATH_REQ_MAX (2u + PFS_PATH_MAX + 4u * 4u + PFS_LAYOUT_SPEC_MAX)

PFS_MUST_CHECK pfs_status_t pfs_proto_path_req_encode(void *buf, size_t cap,
                                                      const pfs_path_req_t *m,
                                                      size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_path_req_decode(const void *buf,
                                                      size_t len,
                                                      pfs_path_req_t *m);

/* A file's or directory's attributes: fid, u32 type, mode, uid, gid, u64
 * ctime_ns, mtime_ns, u32 nlink, layout (u64 stripe_size, u32
 * stripe_count, stripe_count x u32 server). */
typedef struct {
    pfs_fid_t fid;
    uint32_t type; /* PFS_FILE_TYPE_* */
    uint32_t mode; /* permission bits */
    uint32_t uid;
    uint32_t gid;
    uint64_t ctime_ns;
    uint64_t mtime_ns;
    uint32_t nlink;
    pfs_layout_t layout; /* files: the layout; dirs: stripe_count 0 */
} pfs_attr_t;

#define PFS_ATTR_MAX                                                           \
    (16u + 4u * 4u + 2u * 8u + 4u + 8u + 4u + 4u * PFS_LAYOUT_MAX_STRIPES)

PFS_MUST_CHECK pfs_status_t pfs_proto_attr_encode(void *buf, size_t cap,
                                                  const pfs_attr_t *m,
                                                  size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_attr_decode(const void *buf, size_t len,
                                                  pfs_attr_t *m);

/* A capability (doc/security.md, cap.h): what the MDS grants a holder
 * for one file, under a MAC that only servers can make.  fid, u32
 * rights, u64 issued_ms, u64 expiry_ms (the MDS's wall clock, ms since
 * the epoch), u32 nservers, nservers x u32 I/O server index (the
 * layout's; <= PFS_LAYOUT_MAX_STRIPES), mac.  The MAC is the last
 * PFS_PROOF_SIZE bytes and covers the bytes before it.
 *
 * It is also the whole body of MDS STAT and of the I/O servers' SIZE,
 * FSYNC, WRITEV and READV (REMOVE carries a list of them: remove_req). */
#define PFS_CAP_READ 0x1u   /* READV, SIZE, FSYNC */
#define PFS_CAP_WRITE 0x2u  /* WRITEV, TRUNCATE, PREALLOC, SIZE, FSYNC */
#define PFS_CAP_STAT 0x4u   /* SIZE (a stat by path grants this alone) */
#define PFS_CAP_REMOVE 0x8u /* REMOVE: the MDS's own, never a client's */
#define PFS_CAP_ALL 0xfu

typedef struct {
    pfs_fid_t fid;
    uint32_t rights; /* PFS_CAP_*; unknown bits are a protocol error */
    uint64_t issued_ms;
    uint64_t expiry_ms;
    uint32_t nservers;
    uint32_t servers[PFS_LAYOUT_MAX_STRIPES];
    uint8_t mac[PFS_PROOF_SIZE];
} pfs_cap_t;

#define PFS_CAP_MAX                                                            \
    (16u + 4u + 8u + 8u + 4u + 4u * PFS_LAYOUT_MAX_STRIPES + PFS_PROOF_SIZE)

PFS_MUST_CHECK pfs_status_t pfs_proto_cap_encode(void *buf, size_t cap,
                                                 const pfs_cap_t *m,
                                                 size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_cap_decode(const void *buf, size_t len,
                                                 pfs_cap_t *m);

/* LOOKUP, CREATE and STAT replies: attr, u8 has_cap, the cap if 1
 * (regular files). */
#define PFS_ATTR_CAP_MAX (PFS_ATTR_MAX + 1u + PFS_CAP_MAX)

PFS_MUST_CHECK pfs_status_t pfs_proto_attr_cap_encode(void *buf, size_t cap,
                                                      const pfs_attr_t *attr,
                                                      const pfs_cap_t *c,
                                                      size_t *len_p);
/* *has_cap_p is 0 or 1; c is filled only when 1. */
PFS_MUST_CHECK pfs_status_t pfs_proto_attr_cap_decode(const void *buf,
                                                      size_t len,
                                                      pfs_attr_t *attr,
                                                      pfs_cap_t *c,
                                                      int *has_cap_p);

/* READDIR: str path, str after ("" from the start), u32 max. */
#define PFS_READDIR_MAX 256u /* entries per page */

typedef struct {
    char path[PFS_PATH_MAX + 1];
    char after[PFS_NAME_MAX + 1];
    uint32_t max; /* 1 .. PFS_READDIR_MAX */
} pfs_readdir_req_t;

#define PFS_READDIR_REQ_MAX (2u + PFS_PATH_MAX + 2u + PFS_NAME_MAX + 4u)

PFS_MUST_CHECK pfs_status_t pfs_proto_readdir_req_encode(
    void *buf, size_t cap, const pfs_readdir_req_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_readdir_req_decode(const void *buf,
                                                         size_t len,
                                                         pfs_readdir_req_t *m);

/* READDIR reply body: u32 count, u8 more; its payload: count entries of
 * str name, fid, u32 type, in name order. */
typedef struct {
    uint32_t count;
    uint8_t more; /* 1: entries after these */
} pfs_readdir_rep_t;

typedef struct {
    char name[PFS_NAME_MAX + 1];
    pfs_fid_t fid;
    uint32_t type;
} pfs_dirent_t;

#define PFS_READDIR_REP_MAX 5u
#define PFS_DIRENT_MAX (2u + PFS_NAME_MAX + 16u + 4u)
#define PFS_DIRENTS_MAX (PFS_READDIR_MAX * PFS_DIRENT_MAX)

PFS_MUST_CHECK pfs_status_t pfs_proto_readdir_rep_encode(
    void *buf, size_t cap, const pfs_readdir_rep_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_readdir_rep_decode(const void *buf,
                                                         size_t len,
                                                         pfs_readdir_rep_t *m);
/* The payload: n entries (n <= PFS_READDIR_MAX). */
PFS_MUST_CHECK pfs_status_t pfs_proto_dirents_encode(void *buf, size_t cap,
                                                     const pfs_dirent_t *ents,
                                                     uint32_t n, size_t *len_p);
/* Exactly n entries with non-empty names and known types. */
PFS_MUST_CHECK pfs_status_t pfs_proto_dirents_decode(const void *buf,
                                                     size_t len, uint32_t n,
                                                     pfs_dirent_t *ents);

/* RENAME: str from, str to, as the request's payload (two paths may not
 * fit a body).  Reply: u8 replaced, then the replaced file's attr if 1. */
typedef struct {
    char from[PFS_PATH_MAX + 1];
    char to[PFS_PATH_MAX + 1];
} pfs_rename_req_t;

typedef struct {
    uint8_t replaced;
    pfs_attr_t attr; /* the replaced file, if replaced */
} pfs_rename_rep_t;

#define PFS_RENAME_REQ_MAX (2u * (2u + PFS_PATH_MAX))
#define PFS_RENAME_REP_MAX (1u + PFS_ATTR_MAX)

PFS_MUST_CHECK pfs_status_t pfs_proto_rename_req_encode(
    void *buf, size_t cap, const pfs_rename_req_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_rename_req_decode(const void *buf,
                                                        size_t len,
                                                        pfs_rename_req_t *m);
PFS_MUST_CHECK pfs_status_t pfs_proto_rename_rep_encode(
    void *buf, size_t cap, const pfs_rename_rep_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_rename_rep_decode(const void *buf,
                                                        size_t len,
                                                        pfs_rename_rep_t *m);

/* FP_FETCH_ADD and FP_SET: cap, u64 value.  The counter never exceeds
 * PFS_MAX_FILE_SIZE (an MPI_Offset).  Reply: u64 counter before. */
typedef struct {
    pfs_cap_t cap;
    uint64_t value;
} pfs_fp_req_t;

#define PFS_FP_REQ_MAX (PFS_CAP_MAX + 8u)
#define PFS_FP_REP_MAX 8u

PFS_MUST_CHECK pfs_status_t pfs_proto_fp_req_encode(void *buf, size_t cap,
                                                    const pfs_fp_req_t *m,
                                                    size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_fp_req_decode(const void *buf, size_t len,
                                                    pfs_fp_req_t *m);
PFS_MUST_CHECK pfs_status_t pfs_proto_fp_rep_encode(void *buf, size_t cap,
                                                    uint64_t before,
                                                    size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_fp_rep_decode(const void *buf, size_t len,
                                                    uint64_t *before_p);

/* SETATTR: which fields of path's inode change, and their new values:
 * str path, u32 mask, u32 mode, u32 uid, u32 gid, u64 mtime_ns.  Fields
 * not in mask are ignored.  mode is permission bits only (07777); the MDS
 * rejects other bits.  Any change sets ctime to the MDS's now. */
#define PFS_SETATTR_MODE 0x1u
#define PFS_SETATTR_UID 0x2u
#define PFS_SETATTR_GID 0x4u
#define PFS_SETATTR_MTIME 0x8u
#define PFS_SETATTR_ALL 0xfu

typedef struct {
    char path[PFS_PATH_MAX + 1];
    uint32_t mask; /* PFS_SETATTR_*; unknown bits are a protocol error */
    uint32_t mode;
    uint32_t uid;
    uint32_t gid;
    uint64_t mtime_ns;
} pfs_setattr_req_t;

#define PFS_SETATTR_REQ_MAX (2u + PFS_PATH_MAX + 4u * 4u + 8u)

PFS_MUST_CHECK pfs_status_t pfs_proto_setattr_req_encode(
    void *buf, size_t cap, const pfs_setattr_req_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_setattr_req_decode(const void *buf,
                                                         size_t len,
                                                         pfs_setattr_req_t *m);

/* LEASE: fid, u32 op.  A write lease is one client connection's claim
 * to be the file's only writer (the HDF5 driver takes it for a file it
 * opens for writing).  ACQUIRE by another connection while it is held
 * fails with PFS_ERR_LOCKED, naming the holder; the MDS keeps leases in
 * memory only and drops a connection's leases when the connection goes
 * (close, crash of the client, keepalive failure).  RELEASE of a lease
 * the connection does not hold succeeds (nothing to do). */
#define PFS_LEASE_ACQUIRE 1u
#define PFS_LEASE_RELEASE 2u

typedef struct {
    pfs_fid_t fid;
    uint32_t op; /* PFS_LEASE_*; anything else is a protocol error */
} pfs_lease_req_t;

#define PFS_LEASE_REQ_MAX 20u

PFS_MUST_CHECK pfs_status_t pfs_proto_lease_req_encode(void *buf, size_t cap,
                                                       const pfs_lease_req_t *m,
                                                       size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_lease_req_decode(const void *buf,
                                                       size_t len,
                                                       pfs_lease_req_t *m);

/* ---- I/O servers -----------------------------------------------------------
 */

/* TRUNCATE and PREALLOC: cap, u64 offset, u64 length. */
typedef struct {
    pfs_cap_t cap;
    uint64_t offset; /* object offset */
    uint64_t length; /* bytes */
} pfs_io_req_t;

#define PFS_IO_REQ_MAX (PFS_CAP_MAX + 16u)

PFS_MUST_CHECK pfs_status_t pfs_proto_io_req_encode(void *buf, size_t cap,
                                                    const pfs_io_req_t *m,
                                                    size_t *len_p);
/* offset + length must stay a valid off_t: PFS_ERR_FBIG otherwise. */
PFS_MUST_CHECK pfs_status_t pfs_proto_io_req_decode(const void *buf, size_t len,
                                                    pfs_io_req_t *m);

/* Reply of every I/O server data request: u64 result; READV adds u64
 * objsize (the object's size, for the client to tell holes from the
 * end). */
typedef struct {
    uint64_t result;
    uint64_t objsize; /* READV only */
} pfs_io_rep_t;

#define PFS_IO_REP_MAX 16u

/* opcode: the request's; decides whether objsize is in the body. */
PFS_MUST_CHECK pfs_status_t pfs_proto_io_rep_encode(void *buf, size_t cap,
                                                    unsigned opcode,
                                                    const pfs_io_rep_t *m,
                                                    size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_io_rep_decode(const void *buf, size_t len,
                                                    unsigned opcode,
                                                    pfs_io_rep_t *m);

/* REMOVE: the MDS removes up to PFS_REMOVE_MAX objects of unlinked files
 * in one request: u32 n (1..PFS_REMOVE_MAX), then n caps, each the MDS's
 * own (PFS_CAP_REMOVE) for one object, naming only the server it is sent
 * to.  The reply: a u32 list of n statuses (pfs_status_t), one per cap in
 * order; PFS_OK also when the object was not there. */
#define PFS_REMOVE_MAX 64u
/* a capability naming one server */
#define PFS_REMOVE_CAP_MAX (16u + 4u + 8u + 8u + 4u + 4u + PFS_PROOF_SIZE)
#define PFS_REMOVE_REQ_MAX (4u + PFS_REMOVE_MAX * PFS_REMOVE_CAP_MAX)
#define PFS_REMOVE_REP_MAX (4u + 4u * PFS_REMOVE_MAX)

/* Fails (PFS_ERR_INVAL) unless 1 <= n <= PFS_REMOVE_MAX and the caps fit. */
PFS_MUST_CHECK pfs_status_t pfs_proto_remove_req_encode(void *buf, size_t cap,
                                                        const pfs_cap_t *caps,
                                                        uint32_t n,
                                                        size_t *len_p);
/* caps: room for PFS_REMOVE_MAX. */
PFS_MUST_CHECK pfs_status_t pfs_proto_remove_req_decode(const void *buf,
                                                        size_t len,
                                                        pfs_cap_t *caps,
                                                        uint32_t *n_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_remove_rep_encode(void *buf, size_t cap,
                                                        const pfs_status_t *st,
                                                        uint32_t n,
                                                        size_t *len_p);
/* st: room for PFS_REMOVE_MAX. */
PFS_MUST_CHECK pfs_status_t pfs_proto_remove_rep_decode(const void *buf,
                                                        size_t len,
                                                        pfs_status_t *st,
                                                        uint32_t *n_p);

/* STATFS reply: u64 total, u64 free, u64 avail bytes of the data
 * directory's file system. */
typedef struct {
    uint64_t total_bytes;
    uint64_t free_bytes;
    uint64_t avail_bytes;
} pfs_statfs_rep_t;

#define PFS_STATFS_REP_MAX 24u

PFS_MUST_CHECK pfs_status_t pfs_proto_statfs_rep_encode(
    void *buf, size_t cap, const pfs_statfs_rep_t *m, size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_statfs_rep_decode(const void *buf,
                                                        size_t len,
                                                        pfs_statfs_rep_t *m);

/* ---- errors
 * ------------------------------------------------------------------ */

/* An error reply's body: str message (at most PFS_PROTO_MAX_ERRMSG bytes;
 * encode clips a longer one). */
#define PFS_ERRMSG_MAX (2u + PFS_PROTO_MAX_ERRMSG)

PFS_MUST_CHECK pfs_status_t pfs_proto_errmsg_encode(void *buf, size_t cap,
                                                    const char *msg,
                                                    size_t *len_p);
/* msg gets the text, clipped to msg_size. */
PFS_MUST_CHECK pfs_status_t pfs_proto_errmsg_decode(const void *buf, size_t len,
                                                    char *msg, size_t msg_size);

/* ---- a file handle, as one rank hands it to others
 * ---------------------------- */

/* pio_file_export's blob: u32 magic, u32 version, fsid[16], attr, cap
 * (the capability the exporting rank holds: importers use it until they
 * renew their own).  Not a message between clients and servers, but
 * bytes that cross processes, so encoded here too. */
#define PFS_HANDLE_MAGIC 0x48534650u /* "PFSH" */
#define PFS_HANDLE_VERSION 2u
#define PFS_HANDLE_MAX (8u + 16u + PFS_ATTR_MAX + PFS_CAP_MAX)

PFS_MUST_CHECK pfs_status_t pfs_proto_handle_encode(void *buf, size_t cap,
                                                    const uint8_t fsid[16],
                                                    const pfs_attr_t *attr,
                                                    const pfs_cap_t *c,
                                                    size_t *len_p);
PFS_MUST_CHECK pfs_status_t pfs_proto_handle_decode(const void *buf, size_t len,
                                                    uint8_t fsid[16],
                                                    pfs_attr_t *attr,
                                                    pfs_cap_t *c);

/* ---- keys and paths
 * ----------------------------------------------------------- */

/* Canonical form of a pfs path: strips a "pfs:" prefix, requires a leading
 * '/', collapses repeated slashes, drops "." components and a trailing
 * slash, resolves ".." lexically (pfs has no symlinks; "/.." is "/"),
 * rejects empty or relative input and components over PFS_NAME_MAX.
 * out has PFS_PATH_MAX + 1 bytes.  "/" stays "/". */
PFS_MUST_CHECK pfs_status_t pfs_path_normalize(const char *in, char *out);

_Static_assert(PFS_PATH_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_HELLO_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_IO_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_REMOVE_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_FP_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_SETATTR_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_LEASE_REQ_MAX <= PFS_PROTO_MAX_BODY &&
                   PFS_READDIR_REQ_MAX <= PFS_PROTO_MAX_BODY,
               "every request body fits PFS_PROTO_MAX_BODY");

#endif
