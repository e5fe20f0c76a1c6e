/* pfs/status.h - the one status enum shared by libpio, the servers and the
 * wire. */
#ifndef PFS_STATUS_H
#define PFS_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every pfs function that can fail returns a pfs_status_t.  PFS_OK is zero,
 * every error is negative.  The numeric values travel on the wire (as a
 * signed 32-bit field), so they are fixed: append new codes, never renumber.
 */
typedef enum {
    PFS_OK = 0,
    PFS_ERR_INVAL = -1,        /* an argument or a field is out of range */
    PFS_ERR_NOMEM = -2,        /* out of memory */
    PFS_ERR_NOENT = -3,        /* no such file or directory */
    PFS_ERR_EXIST = -4,        /* file exists (exclusive create) */
    PFS_ERR_NOTDIR = -5,       /* a path component is not a directory */
    PFS_ERR_ISDIR = -6,        /* is a directory */
    PFS_ERR_ACCESS = -7,       /* permission denied */
    PFS_ERR_NOSPC = -8,        /* no space left on a server's device */
    PFS_ERR_IO = -9,           /* local I/O error on a server */
    PFS_ERR_PROTO = -10,       /* malformed or truncated message */
    PFS_ERR_VERSION = -11,     /* peer speaks another protocol version */
    PFS_ERR_AUTH = -12,        /* cluster key missing or wrong */
    PFS_ERR_TIMEOUT = -13,     /* a request got no reply in time */
    PFS_ERR_CONN = -14,        /* connection to a server failed or broke */
    PFS_ERR_NOTEMPTY = -15,    /* directory not empty */
    PFS_ERR_NAMETOOLONG = -16, /* path or name too long */
    PFS_ERR_BADF = -17,        /* handle is closed or opened without access */
    PFS_ERR_UNSUPPORTED = -18, /* operation not supported */
    PFS_ERR_STORE = -19,       /* the metadata store (LevelDB) failed */
    PFS_ERR_CONFIG = -20,      /* bad ensemble descriptor or configuration */
    PFS_ERR_TRANSPORT = -21,   /* UCX reported an error */
    PFS_ERR_BUSY = -22,        /* server is shutting down or overloaded */
    PFS_ERR_STALE = -23,       /* file id no longer exists */
    PFS_ERR_FBIG = -24,        /* offset + length overflows 64 bits */
    PFS_ERR_INTERNAL = -25,    /* a bug: please report it */
    PFS_ERR_ROFS = -26,        /* a server's storage is read-only */
    PFS_ERR_LOCKED = -27,      /* another client holds the file's write lease */
    PFS_ERR_CAP = -28,         /* no valid capability: missing, forged,
                                  damaged or for another file */
    PFS_ERR_CAP_EXPIRED = -29  /* the capability expired (libpio renews) */
} pfs_status_t;

/* Fixed English text for a status, never NULL; unknown codes give a generic
 * text.  The string is static: do not free it. Thread safe. */
const char *pfs_status_string(pfs_status_t status);

/* Map an errno value to the closest status (ENOENT -> PFS_ERR_NOENT, ...). */
pfs_status_t pfs_status_from_errno(int err);

#ifdef __cplusplus
}
#endif
#endif
