/* proto.h - the pfs wire protocol: message header, opcodes and codecs.
 *
 * Every message is one UCX active message.  The AM header carries a fixed
 * 32-byte message header followed by an opcode-specific body; bulk data
 * (file bytes) travels as the AM payload, which UCX moves eagerly or by
 * rendezvous.  All integers are little-endian and fixed width.  Every
 * unpack function checks each length and count against the bytes actually
 * received and fails with PFS_ERR_PROTO instead of reading past them.
 *
 * Any change to an encoding changes PFS_PROTO_VERSION.  doc/protocol.md
 * describes the format for people; this file is the definition.
 */
#ifndef PFS_PROTO_H
#define PFS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "pfs_common.h"

#define PFS_PROTO_MAGIC    0x31534650u /* "PFS1" as little-endian bytes */
#define PFS_PROTO_VERSION  9u
#define PFS_PROTO_HDR_SIZE 32u

#define PFS_PROTO_KEY_SIZE   32u    /* cluster key, bytes */
#define PFS_PROTO_MAX_BODY   16384u /* bytes after the header */
#define PFS_PATH_MAX         4096u  /* bytes of a path, without NUL */
#define PFS_NAME_MAX         255u   /* bytes of one path component */
#define PFS_PROTO_MAX_ERRMSG 1024u

/* Largest AM payload one request may carry or ask for; clients split
 * bigger transfers.  Bounds server memory per request. */
#define PFS_PROTO_MAX_XFER (UINT64_C(64) << 20)

/* UCX active message ids. */
enum {
    PFS_AM_REQUEST = 1, /* client -> server */
    PFS_AM_REPLY = 2    /* server -> client */
};

typedef enum {
    /* any server */
    PFS_OP_HELLO = 1,    /* prove the cluster key; learn who the server is */
    PFS_OP_STATUS = 2,   /* server identity and counters */
    PFS_OP_SHUTDOWN = 3, /* stop the server cleanly */
    /* metadata server */
    PFS_OP_MDS_CREATE = 16,
    PFS_OP_MDS_LOOKUP = 17,
    PFS_OP_MDS_STAT = 18, /* by file id */
    PFS_OP_MDS_UNLINK = 19,
    PFS_OP_MDS_MKDIR = 20,
    PFS_OP_MDS_READDIR = 21, /* readdir_req; reply: u32 count, u8 more;
                                payload: count dirents */
    PFS_OP_MDS_RMDIR = 22,   /* path_req; reply: empty */
    PFS_OP_MDS_RENAME = 23,  /* str from, str to; reply: u8 replaced, then
                                the replaced file's attr if 1 */
    /* the shared file pointer kept in a regular file's inode */
    PFS_OP_MDS_FP_FETCH_ADD = 24, /* fp_req (value = increment); reply:
                                     u64 counter before */
    PFS_OP_MDS_FP_SET = 25,       /* fp_req (value = new counter); reply:
                                     u64 counter before */
    /* a directory's default layout for what is created in it */
    PFS_OP_MDS_SET_DIR_LAYOUT = 26, /* path_req: path and layout spec;
                                       reply: empty */
    PFS_OP_MDS_GET_DIR_LAYOUT = 27, /* path_req: path; reply: layout spec */
    PFS_OP_MDS_SETATTR = 28,        /* setattr_req; reply: the new attr */
    /* I/O server (32 and 33, v1's contiguous write and read, are retired:
     * every transfer is structured now) */
    PFS_OP_IO_SIZE = 34,
    PFS_OP_IO_REMOVE = 35,
    PFS_OP_IO_FSYNC = 36,
    /* structured I/O: the payload starts with a run list (sio.h) */
    PFS_OP_IO_WRITEV = 37,   /* payload: runs + data; reply: u64 bytes */
    PFS_OP_IO_READV = 38,    /* payload: runs; reply: u64 bytes, u64 object
                                size; reply payload: data, zeros past the
                                object's end */
    PFS_OP_IO_TRUNCATE = 39, /* io_req: offset = new object size */
    PFS_OP_IO_PREALLOC = 40, /* io_req: offset = object size to reserve */
    PFS_OP_IO_STATFS = 41,   /* no body; reply: u64 total, u64 free,
                                u64 avail bytes of the data directory's
                                file system */
    PFS_OP_MAX_ = 64 /* opcodes are < this */
} pfs_opcode_t;

typedef struct {
    uint16_t opcode;
    uint64_t req_id;    /* chosen by the client, echoed in the reply */
    int32_t status;     /* replies: PFS_OK or an error; requests: 0 */
    uint32_t body_len;  /* bytes following the header */
    uint64_t data_len;  /* bytes of AM payload sent with this message */
} pfs_msg_hdr_t;

/* A bounded writer and reader.  Errors are sticky: after the first
 * overflow every further call is a no-op and the final check fails. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    int overflow;
} pfs_wbuf_t;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int truncated;
} pfs_rbuf_t;

void pfs_wbuf_init(pfs_wbuf_t *w, void *buf, size_t cap);
void pfs_wbuf_u8(pfs_wbuf_t *w, uint8_t v);
void pfs_wbuf_u16(pfs_wbuf_t *w, uint16_t v);
void pfs_wbuf_u32(pfs_wbuf_t *w, uint32_t v);
void pfs_wbuf_u64(pfs_wbuf_t *w, uint64_t v);
void pfs_wbuf_bytes(pfs_wbuf_t *w, const void *p, size_t len);
void pfs_wbuf_str(pfs_wbuf_t *w, const char *s); /* u16 length + bytes */
/* PFS_OK and the length written, or PFS_ERR_INVAL if it did not fit. */
pfs_status_t pfs_wbuf_finish(const pfs_wbuf_t *w, size_t *len_p);

void pfs_rbuf_init(pfs_rbuf_t *r, const void *buf, size_t len);
uint8_t pfs_rbuf_u8(pfs_rbuf_t *r);
uint16_t pfs_rbuf_u16(pfs_rbuf_t *r);
uint32_t pfs_rbuf_u32(pfs_rbuf_t *r);
uint64_t pfs_rbuf_u64(pfs_rbuf_t *r);
void pfs_rbuf_bytes(pfs_rbuf_t *r, void *p, size_t len);
/* A string of at most max bytes into out (max + 1 bytes); an embedded NUL
 * or a longer string is a protocol error. */
void pfs_rbuf_str(pfs_rbuf_t *r, char *out, size_t max);
/* PFS_OK only if nothing was truncated and every byte was consumed. */
pfs_status_t pfs_rbuf_finish(const pfs_rbuf_t *r);

/* Header: pack writes exactly PFS_PROTO_HDR_SIZE bytes.  unpack checks
 * magic, version, opcode range and that body_len matches len. */
void pfs_proto_hdr_pack(const pfs_msg_hdr_t *hdr, void *out);
pfs_status_t pfs_proto_hdr_unpack(const void *buf, size_t len,
                                  pfs_msg_hdr_t *hdr_p);

/* ---- message bodies ---------------------------------------------------- */

typedef enum {
    PFS_ROLE_CLIENT = 0,
    PFS_ROLE_MDS = 1,
    PFS_ROLE_IOSRV = 2,
    PFS_ROLE_ADMIN = 3
} pfs_role_t;

/* Who the caller is, as its process says (like NFS's AUTH_SYS: trusted
 * because the caller proved the cluster key).  The MDS checks namespace
 * permissions against it; uid 0 passes every check. */
#define PFS_CRED_MAX_GROUPS 16
typedef struct {
    uint32_t uid;
    uint32_t gid;
    uint32_t ngroups; /* supplementary groups, at most PFS_CRED_MAX_GROUPS */
    uint32_t groups[PFS_CRED_MAX_GROUPS];
} pfs_cred_t;

/* The caller's credentials: the real ids of this process and its first
 * PFS_CRED_MAX_GROUPS supplementary groups. */
void pfs_cred_self(pfs_cred_t *cred);

typedef struct {
    uint8_t key[PFS_PROTO_KEY_SIZE];
    uint8_t role;   /* pfs_role_t of the caller */
    uint32_t pid;
    pfs_cred_t cred;
} pfs_hello_req_t;

typedef struct {
    uint8_t role;   /* pfs_role_t of the server */
    uint32_t index; /* I/O server index; 0 for the MDS */
    uint8_t fsid[16];
} pfs_hello_rep_t;

typedef struct {
    uint8_t role;
    uint32_t index;
    uint32_t pid;
    uint64_t uptime_ms;
    uint64_t requests;       /* requests served since start */
    uint64_t data_requests;  /* of them: reads and writes */
    uint64_t bytes_read;     /* I/O servers */
    uint64_t bytes_written;  /* I/O servers */
    uint64_t pending_removals; /* MDS: files whose data objects are still
                                * to be removed (0 elsewhere) */
    char host[256];
} pfs_status_rep_t;

#define PFS_FILE_TYPE_REG 1u
#define PFS_FILE_TYPE_DIR 2u

#define PFS_CREATE_EXCL 0x1u /* fail with PFS_ERR_EXIST if it exists */
/* LOOKUP and CREATE: the access the caller will open the file with; the
 * MDS checks it against the file's mode (a file just created is the
 * creator's to open, whatever its mode). */
#define PFS_ACCESS_READ  0x2u
#define PFS_ACCESS_WRITE 0x4u

/* CREATE, MKDIR, LOOKUP, UNLINK, RMDIR, SET/GET_DIR_LAYOUT: a path and,
 * for the creating ones, the attributes to create with.  The layout is a
 * spec (layout.h): zero fields take the directory's or the ensemble's
 * default.  SET_DIR_LAYOUT stores it as the directory's default. */
typedef struct {
    char path[PFS_PATH_MAX + 1];
    uint32_t mode;
    uint32_t flags;
    uint32_t uid; /* the client's ids; the MDS gives new files the ids */
    uint32_t gid; /* of the connection's HELLO credentials instead */
    pfs_layout_spec_t layout;
} pfs_path_req_t;

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

typedef struct {
    pfs_fid_t fid;
    uint64_t offset; /* object offset */
    uint64_t length; /* bytes; for writes equals the payload length */
} pfs_io_req_t;

pfs_status_t pfs_proto_hello_req_pack(pfs_wbuf_t *w, const pfs_hello_req_t *m);
pfs_status_t pfs_proto_hello_req_unpack(pfs_rbuf_t *r, pfs_hello_req_t *m);
pfs_status_t pfs_proto_hello_rep_pack(pfs_wbuf_t *w, const pfs_hello_rep_t *m);
pfs_status_t pfs_proto_hello_rep_unpack(pfs_rbuf_t *r, pfs_hello_rep_t *m);
pfs_status_t pfs_proto_status_rep_pack(pfs_wbuf_t *w, const pfs_status_rep_t *m);
pfs_status_t pfs_proto_status_rep_unpack(pfs_rbuf_t *r, pfs_status_rep_t *m);
/* layout spec: u64 stripe_size, u32 stripe_count, u32 nservers (<= 256),
 * nservers x u32 server index */
pfs_status_t pfs_proto_layout_spec_pack(pfs_wbuf_t *w,
                                        const pfs_layout_spec_t *m);
pfs_status_t pfs_proto_layout_spec_unpack(pfs_rbuf_t *r, pfs_layout_spec_t *m);
pfs_status_t pfs_proto_path_req_pack(pfs_wbuf_t *w, const pfs_path_req_t *m);
pfs_status_t pfs_proto_path_req_unpack(pfs_rbuf_t *r, pfs_path_req_t *m);
pfs_status_t pfs_proto_attr_pack(pfs_wbuf_t *w, const pfs_attr_t *m);
pfs_status_t pfs_proto_attr_unpack(pfs_rbuf_t *r, pfs_attr_t *m);
pfs_status_t pfs_proto_io_req_pack(pfs_wbuf_t *w, const pfs_io_req_t *m);
pfs_status_t pfs_proto_io_req_unpack(pfs_rbuf_t *r, pfs_io_req_t *m);
/* Constant-time comparison of two cluster keys (PFS_PROTO_KEY_SIZE). */
int pfs_key_equal(const uint8_t *a, const uint8_t *b);

pfs_status_t pfs_proto_fid_pack(pfs_wbuf_t *w, pfs_fid_t fid);
pfs_status_t pfs_proto_fid_unpack(pfs_rbuf_t *r, pfs_fid_t *fid_p);
pfs_status_t pfs_proto_u64_pack(pfs_wbuf_t *w, uint64_t v);
pfs_status_t pfs_proto_u64_unpack(pfs_rbuf_t *r, uint64_t *v_p);
/* Error replies carry a human-readable message. */
pfs_status_t pfs_proto_errmsg_pack(pfs_wbuf_t *w, const char *msg);
pfs_status_t pfs_proto_errmsg_unpack(pfs_rbuf_t *r, char *msg,
                                     size_t msg_size);

/* FP_FETCH_ADD and FP_SET: which file, and the increment or new value.
 * The counter never exceeds PFS_MAX_FILE_SIZE (an MPI_Offset). */
typedef struct {
    pfs_fid_t fid;
    uint64_t value;
} pfs_fp_req_t;

pfs_status_t pfs_proto_fp_req_pack(pfs_wbuf_t *w, const pfs_fp_req_t *m);
pfs_status_t pfs_proto_fp_req_unpack(pfs_rbuf_t *r, pfs_fp_req_t *m);

/* SETATTR: which fields of path's inode change, and their new values.
 * Fields not in mask are ignored.  mode is permission bits only (07777);
 * the MDS rejects other bits.  Any change sets ctime to the MDS's now. */
#define PFS_SETATTR_MODE  0x1u
#define PFS_SETATTR_UID   0x2u
#define PFS_SETATTR_GID   0x4u
#define PFS_SETATTR_MTIME 0x8u
#define PFS_SETATTR_ALL   0xfu

typedef struct {
    char path[PFS_PATH_MAX + 1];
    uint32_t mask; /* PFS_SETATTR_*; unknown bits are a protocol error */
    uint32_t mode;
    uint32_t uid;
    uint32_t gid;
    uint64_t mtime_ns;
} pfs_setattr_req_t;

/* str path, u32 mask, u32 mode, u32 uid, u32 gid, u64 mtime_ns */
pfs_status_t pfs_proto_setattr_req_pack(pfs_wbuf_t *w,
                                        const pfs_setattr_req_t *m);
pfs_status_t pfs_proto_setattr_req_unpack(pfs_rbuf_t *r,
                                          pfs_setattr_req_t *m);

#define PFS_READDIR_MAX 256u /* entries per page */

typedef struct {
    char path[PFS_PATH_MAX + 1];
    char after[PFS_NAME_MAX + 1]; /* "" from the start */
    uint32_t max;                 /* 1 .. PFS_READDIR_MAX */
} pfs_readdir_req_t;

/* One directory entry as it travels in a READDIR reply payload. */
typedef struct {
    char name[PFS_NAME_MAX + 1];
    pfs_fid_t fid;
    uint32_t type;
} pfs_dirent_t;

pfs_status_t pfs_proto_readdir_req_pack(pfs_wbuf_t *w,
                                        const pfs_readdir_req_t *m);
pfs_status_t pfs_proto_readdir_req_unpack(pfs_rbuf_t *r,
                                          pfs_readdir_req_t *m);
pfs_status_t pfs_proto_dirent_pack(pfs_wbuf_t *w, const pfs_dirent_t *m);
pfs_status_t pfs_proto_dirent_unpack(pfs_rbuf_t *r, pfs_dirent_t *m);

/* Opcode name for logs; "unknown" for anything else. */
const char *pfs_proto_op_name(unsigned opcode);

/* ---- paths ------------------------------------------------------------- */

/* Canonical form of a pfs path: strips a "pfs:" prefix, requires a leading
 * '/', collapses repeated slashes, drops "." components and a trailing
 * slash, resolves ".." lexically (pfs has no symlinks; "/.." is "/"),
 * rejects empty or relative input and components over PFS_NAME_MAX.
 * out has PFS_PATH_MAX + 1 bytes.  "/" stays "/". */
pfs_status_t pfs_path_normalize(const char *in, char *out);

#endif
