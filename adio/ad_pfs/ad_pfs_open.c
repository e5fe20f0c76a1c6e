/* ad_pfs_open.c - open, close, delete and hints.
 *
 * Collective open asks the metadata server once: rank 0 creates or opens
 * the file and broadcasts an exported handle (libpio's
 * pio_file_export), which the other ranks import without any server
 * traffic.  There is no open storm however many ranks open the file.
 */
#include "ad_pfs.h"

#include <stdlib.h>

static ADIOI_PFS_file_t *pfs_state(ADIO_File fd)
{
    if (fd->fs_ptr == NULL)
        fd->fs_ptr = ADIOI_Calloc(1, sizeof(ADIOI_PFS_file_t));
    return fd->fs_ptr;
}

static void free_state(ADIO_File fd)
{
    ADIOI_PFS_FREE(fd->fs_ptr);
    fd->fs_ptr = NULL;
}

/* Create or open on this process alone; msg gets libpio's explanation. */
static pfs_status_t open_here(ADIO_File fd, pio_client_t *client, pio_file_t **file_p,
                              char *msg, size_t msg_size)
{
    ADIOI_PFS_file_t *pf = pfs_state(fd);

    return pfs_mpiio_open_here(client, fd->filename, fd->access_mode,
                               fd->perm == ADIO_PERM_NULL ? -1 : fd->perm, pf->stripe_size,
                               pf->stripe_count, file_p, msg, msg_size);
}

static void info_set(void *ctx, const char *key, const char *value)
{
    ADIOI_Info_set(*(MPI_Info *) ctx, key, value);
}

/* After a successful open: the real layout goes to ROMIO's hints and to
 * the info object that MPI_File_get_info returns, with what the
 * collective engine will use (ROMIO reports cb_buffer_size itself). */
static void report_layout(ADIO_File fd)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pio_layout_info_t li;
    int nprocs;

    MPI_Comm_size(fd->comm, &nprocs);
    if (pfs_mpiio_report_layout(pf->file, pf->cb_nodes, nprocs, 0, pf->direct_min, info_set,
                                &fd->info, &li) != PFS_OK)
        return;
    fd->blksize = (long) li.stripe_size;
    fd->hints->striping_unit = (int) ADIOI_PFS_MIN(li.stripe_size, (uint64_t) INT_MAX);
    fd->hints->striping_factor = (int) li.stripe_count;
    fd->hints->start_iodevice = (int) li.servers[0];
}

/* The end of an open: on failure (err) the state goes; on success the
 * file holds the client and reports its layout. */
static void open_finish(ADIO_File fd, int err, int *error_code)
{
    if (err != MPI_SUCCESS) {
        free_state(fd);
        *error_code = err;
        return;
    }
    pfs_mpiio_file_opened();
    report_layout(fd);
    fd->is_open = 1;
    *error_code = MPI_SUCCESS;
}

void ADIOI_PFS_Open(ADIO_File fd, int *error_code)
{
    static char myname[] = "ADIOI_PFS_OPEN";
    ADIOI_PFS_file_t *pf = pfs_state(fd);
    pio_client_t *client;
    char msg[512];
    pfs_status_t st;

    *error_code = ADIOI_PFS_client(&client, fd->info, myname);
    if (*error_code != MPI_SUCCESS)
        return;
    st = open_here(fd, client, &pf->file, msg, sizeof(msg));
    open_finish(fd, ADIOI_PFS_error(myname, __LINE__, st, "open", fd->filename, msg),
                error_code);
}

void ADIOI_PFS_OpenColl(ADIO_File fd, int rank, int access_mode, int *error_code)
{
    static char myname[] = "ADIOI_PFS_OPENCOLL";
    ADIOI_PFS_file_t *pf = pfs_state(fd);
    pio_client_t *client = NULL;
    const char *what;
    char msg[512];
    pfs_status_t st;
    int err;

    /* every rank connects (lazily, once per process) */
    err = ADIOI_PFS_client(&client, fd->info, myname);
    st = pfs_mpiio_open_coll(fd->comm, rank, err == MPI_SUCCESS ? PFS_OK : PFS_ERR_CONN,
                             client, fd->filename, access_mode,
                             fd->perm == ADIO_PERM_NULL ? -1 : fd->perm, pf->stripe_size,
                             pf->stripe_count, &pf->file, &what, msg, sizeof(msg));
    /* a rank that could not connect keeps its own error */
    if (err == MPI_SUCCESS)
        err = ADIOI_PFS_error(myname, __LINE__, st, what, fd->filename, msg);
    open_finish(fd, err, error_code);
    if (*error_code == MPI_SUCCESS)
        fd->dirty_write = 0;
}

void ADIOI_PFS_Close(ADIO_File fd, int *error_code)
{
    static char myname[] = "ADIOI_PFS_CLOSE";
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_status_t st = PFS_OK;

    if (pf != NULL && pf->file != NULL) {
        st = pio_close(pf->file);
        pf->file = NULL;
        pfs_mpiio_file_closed();
    }
    free_state(fd);
    *error_code = ADIOI_PFS_error(myname, __LINE__, st, "close", fd->filename, NULL);
}

void ADIOI_PFS_Delete(const char *filename, int *error_code)
{
    static char myname[] = "ADIOI_PFS_DELETE";
    pio_client_t *client;
    pfs_status_t st;

    *error_code = ADIOI_PFS_client(&client, MPI_INFO_NULL, myname);
    if (*error_code != MPI_SUCCESS)
        return;
    st = pio_unlink(client, filename);
    *error_code = ADIOI_PFS_error(myname, __LINE__, st, "delete", filename,
                                  st != PFS_OK ? pio_client_errmsg(client) : NULL);
}

/* A warning about a hint, printed by rank 0. */
static void hint_warn(ADIO_File fd, const char *warn)
{
    int rank;

    MPI_Comm_rank(fd->comm, &rank);
    if (rank == 0)
        fprintf(stderr, "%s\n", warn);
}

static int info_get(void *ctx, const char *key, char *value, int size)
{
    int flag = 0;

    ADIOI_Info_get(*(MPI_Info *) ctx, key, size, value, &flag);
    return flag;
}

/* A hint that must be a positive integer; anything else is ignored with a
 * warning. */
static int hint_u64(ADIO_File fd, MPI_Info info, const char *key, uint64_t max, uint64_t *out)
{
    char warn[MPI_MAX_INFO_VAL + 128];

    if (pfs_mpiio_hint_u64(info_get, &info, key, max, out, warn, sizeof(warn)))
        return 1;
    if (warn[0] != '\0')
        hint_warn(fd, warn);
    return 0;
}

void ADIOI_PFS_SetInfo(ADIO_File fd, MPI_Info users_info, int *error_code)
{
    ADIOI_PFS_file_t *pf;
    uint64_t v;
    int nprocs;

    ADIOI_GEN_SetInfo(fd, users_info, error_code);
    if (*error_code != MPI_SUCCESS)
        return;
    pf = pfs_state(fd);
    if (users_info == MPI_INFO_NULL)
        return;
    MPI_Comm_size(fd->comm, &nprocs);
    /* the layout is chosen at create: these matter only before the open */
    if (pf->file == NULL) {
        if (hint_u64(fd, users_info, "striping_unit", 4ULL << 30, &v)) {
            char warn[128];

            if (pfs_mpiio_hint_stripe_size(v, warn, sizeof(warn)))
                pf->stripe_size = v;
            else
                hint_warn(fd, warn);
        }
        if (hint_u64(fd, users_info, "striping_factor", PIO_MAX_STRIPES, &v))
            pf->stripe_count = (uint32_t) v;
    }
    if (hint_u64(fd, users_info, "cb_nodes", (uint64_t) nprocs, &v))
        pf->cb_nodes = (int) v;
    if (hint_u64(fd, users_info, "pfs_direct_min", UINT64_MAX / 2, &v))
        pf->direct_min = v;
    if (pf->file != NULL)
        report_layout(fd);
}
