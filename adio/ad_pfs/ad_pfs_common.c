/* ad_pfs_common.c - the process's libpio client and pfs statuses as MPI
 * error codes, over what the driver shares with the OMPIO components
 * (pfs_mpiio.c, copied in from adio/shared/ by build-mpich.sh). */
#include "ad_pfs.h"

int ADIOI_PFS_client(pio_client_t **client_p, MPI_Info info, const char *myname)
{
    char descriptor[MPI_MAX_INFO_VAL + 1];
    char errmsg[512];
    int flag = 0;
    pfs_status_t st;

    if (info != MPI_INFO_NULL)
        ADIOI_Info_get(info, "pfs_ensemble", MPI_MAX_INFO_VAL, descriptor, &flag);
    st = pfs_mpiio_client(flag ? descriptor : NULL, client_p, errmsg, sizeof(errmsg));
    return ADIOI_PFS_error(myname, __LINE__, st, "connect", NULL, errmsg);
}

int ADIOI_PFS_error(const char *myname, int line, pfs_status_t st, const char *what,
                    const char *path, const char *detail)
{
    char msg[1024];

    if (st == PFS_OK)
        return MPI_SUCCESS;
    pfs_mpiio_error_msg(msg, sizeof(msg), st, what, path, detail);
    return MPIO_Err_create_code(MPI_SUCCESS, MPIR_ERR_RECOVERABLE, myname, line,
                                pfs_mpiio_error_class(st), "**io", "**io %s", msg);
}
