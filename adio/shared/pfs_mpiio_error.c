/* pfs_mpiio_error.c - pfs statuses as MPI error classes and messages, for
 * the ROMIO driver and the OMPIO components alike (see pfs_mpiio.h).
 * Apart from pfs_mpiio.c because every OMPIO component needs it, and
 * only the fs component the client and the collective engine's
 * defaults. */
#include "pfs_mpiio.h"

#include <stdio.h>

int pfs_mpiio_error_class(pfs_status_t st)
{
    switch (st) {
        case PFS_ERR_NOENT:
        case PFS_ERR_NOTDIR:
        case PFS_ERR_STALE:
            return MPI_ERR_NO_SUCH_FILE;
        case PFS_ERR_EXIST:
            return MPI_ERR_FILE_EXISTS;
        case PFS_ERR_ACCESS:
        case PFS_ERR_BADF:
        case PFS_ERR_AUTH:
        case PFS_ERR_CAP:
        case PFS_ERR_CAP_EXPIRED:
            return MPI_ERR_ACCESS;
        case PFS_ERR_NOSPC:
            return MPI_ERR_NO_SPACE;
        case PFS_ERR_ROFS:
            return MPI_ERR_READ_ONLY;
        case PFS_ERR_ISDIR:
        case PFS_ERR_NAMETOOLONG:
            return MPI_ERR_BAD_FILE;
        case PFS_ERR_UNSUPPORTED:
            return MPI_ERR_UNSUPPORTED_OPERATION;
        case PFS_ERR_NOMEM:
            return MPI_ERR_NO_MEM;
        case PFS_ERR_INVAL:
            return MPI_ERR_ARG;
        default:       /* server, transport and configuration failures */
            return MPI_ERR_IO;
    }
}

void pfs_mpiio_error_msg(char *msg, size_t msg_size, pfs_status_t st, const char *what,
                         const char *path, const char *detail)
{
    if (detail != NULL && detail[0] != '\0')
        snprintf(msg, msg_size, "pfs: %s", detail);
    else
        snprintf(msg, msg_size, "pfs %s%s%s: %s", what, path ? " " : "", path ? path : "",
                 pfs_status_string(st));
}
