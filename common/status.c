/* status.c - text for pfs_status_t and the errno -> status edge. */
#include "config.h"

#include <errno.h>

#include "pfs/status.h"
#include "pfs_common.h"

PFS_EXPORT const char *pfs_status_string(pfs_status_t status)
{
    switch (status) {
    case PFS_OK: return "success";
    case PFS_ERR_INVAL: return "invalid argument";
    case PFS_ERR_NOMEM: return "out of memory";
    case PFS_ERR_NOENT: return "no such file or directory";
    case PFS_ERR_EXIST: return "file exists";
    case PFS_ERR_NOTDIR: return "not a directory";
    case PFS_ERR_ISDIR: return "is a directory";
    case PFS_ERR_ACCESS: return "permission denied";
    case PFS_ERR_NOSPC: return "no space left on server device";
    case PFS_ERR_IO: return "I/O error on server";
    case PFS_ERR_PROTO: return "malformed protocol message";
    case PFS_ERR_VERSION: return "protocol version mismatch";
    case PFS_ERR_AUTH: return "cluster key rejected";
    case PFS_ERR_TIMEOUT: return "request timed out";
    case PFS_ERR_CONN: return "connection to server failed";
    case PFS_ERR_NOTEMPTY: return "directory not empty";
    case PFS_ERR_NAMETOOLONG: return "name too long";
    case PFS_ERR_BADF: return "bad file handle";
    case PFS_ERR_UNSUPPORTED: return "operation not supported";
    case PFS_ERR_STORE: return "metadata store error";
    case PFS_ERR_CONFIG: return "bad ensemble descriptor or configuration";
    case PFS_ERR_TRANSPORT: return "transport (UCX) error";
    case PFS_ERR_BUSY: return "server busy or shutting down";
    case PFS_ERR_STALE: return "stale file id";
    case PFS_ERR_FBIG: return "offset or size too large";
    case PFS_ERR_INTERNAL: return "internal error";
    case PFS_ERR_ROFS: return "read-only storage on server";
    case PFS_ERR_LOCKED: return "file is open for writing by another client";
    case PFS_ERR_CAP: return "no valid capability for this file";
    case PFS_ERR_CAP_EXPIRED: return "capability expired";
    }
    return "unknown status";
}

PFS_EXPORT pfs_status_t pfs_status_from_errno(int err)
{
    switch (err) {
    case 0: return PFS_OK;
    case EINVAL: return PFS_ERR_INVAL;
    case ENOMEM: return PFS_ERR_NOMEM;
    case ENOENT: return PFS_ERR_NOENT;
    case EEXIST: return PFS_ERR_EXIST;
    case ENOTDIR: return PFS_ERR_NOTDIR;
    case EISDIR: return PFS_ERR_ISDIR;
    case EACCES:
    case EPERM: return PFS_ERR_ACCESS;
    case ENOSPC:
    case EDQUOT: return PFS_ERR_NOSPC;
    case EROFS: return PFS_ERR_ROFS;
    case ENOTEMPTY: return PFS_ERR_NOTEMPTY;
    case ENAMETOOLONG: return PFS_ERR_NAMETOOLONG;
    case EBADF: return PFS_ERR_BADF;
    case ESTALE: return PFS_ERR_STALE;
    case EFBIG:
    case EOVERFLOW: return PFS_ERR_FBIG;
    case ETIMEDOUT: return PFS_ERR_TIMEOUT;
    case ENOTSUP: return PFS_ERR_UNSUPPORTED;
    default: return PFS_ERR_IO;
    }
}
