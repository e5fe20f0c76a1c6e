/* ad_pfs_misc.c - size, preallocation, atomicity, sync, and the shared
 * file pointer. */
#include "ad_pfs.h"

void ADIOI_PFS_Fcntl(ADIO_File fd, int flag, ADIO_Fcntl_t * fcntl_struct, int *error_code)
{
    static char myname[] = "ADIOI_PFS_FCNTL";
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    uint64_t size;
    pfs_status_t st;

    switch (flag) {
        case ADIO_FCNTL_GET_FSIZE:
            /* MPI_File_get_size is not collective: each caller asks */
            st = pio_get_size(pf->file, &size);
            if (st == PFS_OK)
                fcntl_struct->fsize = (ADIO_Offset) size;
            *error_code = ADIOI_PFS_error(myname, __LINE__, st, "get size", fd->filename,
                                          NULL);
            return;
        case ADIO_FCNTL_SET_DISKSPACE:
            /* ROMIO calls this on one rank (MPI_File_preallocate) */
            st = pio_preallocate(pf->file, (uint64_t) fcntl_struct->diskspace);
            *error_code = ADIOI_PFS_error(myname, __LINE__, st, "preallocate", fd->filename,
                                          NULL);
            return;
        case ADIO_FCNTL_SET_ATOMICITY:
            if (fcntl_struct->atomicity == 0) {
                fd->atomicity = 0;
                *error_code = MPI_SUCCESS;
                return;
            }
            *error_code = MPIO_Err_create_code(MPI_SUCCESS, MPIR_ERR_RECOVERABLE, myname,
                                               __LINE__, MPI_ERR_UNSUPPORTED_OPERATION,
                                               "**io", "**io %s",
                                               "pfs does not support atomic mode "
                                               "(no byte-range locks)");
            return;
        default:
            *error_code = MPIO_Err_create_code(MPI_SUCCESS, MPIR_ERR_RECOVERABLE, myname,
                                               __LINE__, MPI_ERR_ARG, "**flag", "**flag %d",
                                               flag);
    }
}

/* Collective (only MPI_File_sync calls it): every rank syncs every server
 * of the file, then the ranks agree on the outcome.  A server lost in the
 * middle of the call is otherwise seen only by the ranks that reach it
 * after it went away, and the others return success from the same
 * collective call (multihost_failure.sh saw classes 0 0 0 32).  The
 * lowest status wins: the same error on every rank. */
void ADIOI_PFS_Flush(ADIO_File fd, int *error_code)
{
    static char myname[] = "ADIOI_PFS_FLUSH";
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_status_t st = pio_sync(pf->file);
    int mine = (int) st, agreed = (int) st;
    char detail[512];

    MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MIN, fd->comm);
    if (agreed == mine) {
        *error_code = ADIOI_PFS_error(myname, __LINE__, st, "sync", fd->filename, NULL);
        return;
    }
    MPL_snprintf(detail, sizeof(detail), "sync %s: %s on another rank", fd->filename,
                 pfs_status_string((pfs_status_t) agreed));
    *error_code = ADIOI_PFS_error(myname, __LINE__, (pfs_status_t) agreed, "sync",
                                  fd->filename, detail);
}

/* Collective: rank 0 truncates every server's object, the others learn
 * the outcome. */
void ADIOI_PFS_Resize(ADIO_File fd, ADIO_Offset size, int *error_code)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    int rank, st = PFS_OK;

    MPI_Comm_rank(fd->comm, &rank);
    if (rank == 0)
        st = size < 0 ? PFS_ERR_INVAL : pio_truncate(pf->file, (uint64_t) size);
    MPI_Bcast(&st, 1, MPI_INT, 0, fd->comm);
    *error_code = ADIOI_PFS_error("ADIOI_PFS_RESIZE", __LINE__, (pfs_status_t) st, "resize",
                                  fd->filename, NULL);
}

/* The shared file pointer (in etypes) lives with the file in the metadata
 * server; MPI_File_write_shared & co. fetch-and-add it in one request. */
void ADIOI_PFS_Get_shared_fp(ADIO_File fd, ADIO_Offset incr, ADIO_Offset * shared_fp,
                             int *error_code)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    uint64_t old = 0;
    pfs_status_t st = pio_shared_fp_fetch_add(pf->file, (uint64_t) incr, &old);

    if (st == PFS_OK)
        *shared_fp = (ADIO_Offset) old;
    *error_code = ADIOI_PFS_error("ADIOI_PFS_GET_SHARED_FP", __LINE__, st,
                                  "shared file pointer", fd->filename, NULL);
}

void ADIOI_PFS_Set_shared_fp(ADIO_File fd, ADIO_Offset offset, int *error_code)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_status_t st = pio_shared_fp_set(pf->file, (uint64_t) offset);

    *error_code = ADIOI_PFS_error("ADIOI_PFS_SET_SHARED_FP", __LINE__, st,
                                  "shared file pointer", fd->filename, NULL);
}
