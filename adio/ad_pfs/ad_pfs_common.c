/* ad_pfs_common.c - the process's libpio client and the mapping of pfs
 * statuses to MPI error classes. */
#include "ad_pfs.h"

#include <stdlib.h>

static pio_client_t *pfs_client;
static int pfs_keyval = MPI_KEYVAL_INVALID;
static int pfs_files;     /* files open on pfs_client */
static int pfs_finalizing; /* MPI_Finalize has begun: disconnect at the last close */

static void client_disconnect(void)
{
    pio_fini(pfs_client);
    pfs_client = NULL;
    pfs_finalizing = 0;
}

/* MPI_Finalize deletes MPI_COMM_SELF's attributes first, while MPI still
 * works: that is when the client disconnects, or, if files are still
 * open, when the last of them closes.  Other attributes' callbacks run
 * after this one when they were set before it (the reverse order of
 * setting): HDF5's, set at its initialization, closes the HDF5 files it
 * has open, writing to them first. */
static int client_delete_fn(MPI_Comm comm, int keyval, void *attr, void *extra)
{
    MPI_Comm_free_keyval(&pfs_keyval);
    if (pfs_files > 0)
        pfs_finalizing = 1;
    else
        client_disconnect();
    return MPI_SUCCESS;
}

void ADIOI_PFS_file_opened(void)
{
    pfs_files++;
}

void ADIOI_PFS_file_closed(void)
{
    if (--pfs_files == 0 && pfs_finalizing)
        client_disconnect();
}

int ADIOI_PFS_client(pio_client_t **client_p, MPI_Info info, const char *myname)
{
    char descriptor[MPI_MAX_INFO_VAL + 1];
    char errmsg[512];
    int flag = 0;
    pio_config_t config = { 0 };
    pfs_status_t st;

    if (pfs_client != NULL) {
        *client_p = pfs_client;
        return MPI_SUCCESS;
    }
    if (info != MPI_INFO_NULL)
        ADIOI_Info_get(info, "pfs_ensemble", MPI_MAX_INFO_VAL, descriptor, &flag);
    if (flag)
        config.descriptor = descriptor;
    else if (getenv("PFS_ENSEMBLE") == NULL)
        return ADIOI_PFS_error(myname, __LINE__, PFS_ERR_CONFIG, "connect", NULL,
                               "no ensemble: set PFS_ENSEMBLE to the descriptor file "
                               "written by the servers (or give the pfs_ensemble hint)");
    st = pio_init(&config, &pfs_client, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        /* whatever failed (a missing descriptor is NOENT inside libpio), for
         * the program it is the file system that is not reachable */
        pfs_client = NULL;
        return ADIOI_PFS_error(myname, __LINE__, PFS_ERR_CONN, "connect", NULL, errmsg);
    }
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, client_delete_fn, &pfs_keyval, NULL);
    MPI_Comm_set_attr(MPI_COMM_SELF, pfs_keyval, NULL);
    *client_p = pfs_client;
    return MPI_SUCCESS;
}

static int error_class(pfs_status_t st)
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

int ADIOI_PFS_error(const char *myname, int line, pfs_status_t st, const char *what,
                    const char *path, const char *detail)
{
    char msg[1024];

    if (st == PFS_OK)
        return MPI_SUCCESS;
    if (detail && detail[0])    /* libpio's messages name the operation and path */
        MPL_snprintf(msg, sizeof(msg), "pfs: %s", detail);
    else
        MPL_snprintf(msg, sizeof(msg), "pfs %s%s%s: %s", what, path ? " " : "",
                     path ? path : "", pfs_status_string(st));
    return MPIO_Err_create_code(MPI_SUCCESS, MPIR_ERR_RECOVERABLE, myname, line,
                                error_class(st), "**io", "**io %s", msg);
}

int ADIOI_PFS_pio_flags(int access_mode)
{
    if (access_mode & ADIO_RDWR)
        return PIO_RDWR;
    if (access_mode & ADIO_WRONLY)
        return PIO_WRONLY;
    return PIO_RDONLY;
}
