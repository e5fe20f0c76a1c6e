/* fs_pfs_open.c - open, close and delete, the hints, and the process's
 * libpio client.
 *
 * A collective open asks the metadata server once: rank 0 creates or opens
 * the file and broadcasts an exported handle (pio_file_export), which the
 * other ranks import without any server traffic.  There is no open storm
 * however many ranks open the file.  The same as the ROMIO driver's
 * ADIOI_PFS_OpenColl.
 */
#include "fs_pfs.h"

#include <stdlib.h>
#include <string.h>

#include "opal/util/output.h"

#include <pfs/pio_mpi.h>

/* ROMIO's default collective buffer, so that Open MPI and MPICH run the
 * collective engine alike */
#define PFS_OMPIO_CB_BUFFER_DEFAULT (16ULL << 20)

/* ---- the client ---------------------------------------------------------- */

int mca_fs_pfs_client(opal_info_t *info, pio_client_t **client_p)
{
    char descriptor[OPAL_MAX_INFO_VAL + 1];
    char errmsg[512];
    int flag = 0;
    pfs_status_t st;

    if (info != NULL)
        opal_info_get(info, "pfs_ensemble", OPAL_MAX_INFO_VAL, descriptor,
                      &flag);
    st = pfs_mpiio_client(flag ? descriptor : NULL, client_p, errmsg,
                          sizeof(errmsg));
    return pfs_ompio_error(st, "connect", NULL, errmsg);
}

/* ---- hints --------------------------------------------------------------- */

static int info_get(void *ctx, const char *key, char *value, int size)
{
    int flag = 0;

    opal_info_get(ctx, key, size, value, &flag);
    return flag;
}

/* A hint that must be a positive integer; anything else is ignored with a
 * warning (rank 0 prints it). */
static int hint_u64(const ompio_file_t *fh, opal_info_t *info, const char *key,
                    uint64_t max, uint64_t *out)
{
    char warn[MPI_MAX_INFO_VAL + 128];

    if (pfs_mpiio_hint_u64(info_get, info, key, max, out, warn, sizeof(warn)))
        return 1;
    if (warn[0] != '\0' && fh->f_rank == 0)
        opal_output(0, "%s", warn);
    return 0;
}

static void hint_cb_mode(const ompio_file_t *fh, opal_info_t *info,
                         const char *key, int *out)
{
    char value[OPAL_MAX_INFO_VAL + 1];
    int flag = 0;

    opal_info_get(info, key, OPAL_MAX_INFO_VAL, value, &flag);
    if (!flag)
        return;
    if (strcmp(value, "enable") == 0)
        *out = PIO_CB_ENABLE;
    else if (strcmp(value, "disable") == 0)
        *out = PIO_CB_DISABLE;
    else if (strcmp(value, "automatic") == 0)
        *out = PIO_CB_AUTO;
    else if (fh->f_rank == 0)
        opal_output(
            0, "pfs: ignoring hint %s=\"%s\": not enable, disable or automatic",
            key, value);
}

static void read_hints(const ompio_file_t *fh, opal_info_t *info,
                       pfs_ompio_file_t *pf)
{
    uint64_t v;

    if (info == NULL)
        return;
    /* the layout is chosen at create */
    if (hint_u64(fh, info, "striping_unit", 4ULL << 30, &v)) {
        char warn[128];

        if (pfs_mpiio_hint_stripe_size(v, warn, sizeof(warn)))
            pf->stripe_size = v;
        else if (fh->f_rank == 0)
            opal_output(0, "%s", warn);
    }
    if (hint_u64(fh, info, "striping_factor", PIO_MAX_STRIPES, &v))
        pf->stripe_count = (uint32_t)v;
    if (hint_u64(fh, info, "cb_nodes", (uint64_t)fh->f_size, &v))
        pf->cb_nodes = (int)v;
    if (hint_u64(fh, info, "cb_buffer_size", 1ULL << 40, &v))
        pf->cb_buffer_size = v;
    if (hint_u64(fh, info, "pfs_direct_min", UINT64_MAX / 2, &v))
        pf->direct_min = v;
    hint_cb_mode(fh, info, "romio_cb_write", &pf->cb_write);
    hint_cb_mode(fh, info, "romio_cb_read", &pf->cb_read);
}

static void info_set(void *ctx, const char *key, const char *value)
{
    opal_info_set(ctx, key, value);
}

/* After a successful open: the real layout, and what the collective
 * engine will use, go to the info object MPI_File_get_info returns. */
static void report_layout(ompio_file_t *fh, pfs_ompio_file_t *pf)
{
    pio_layout_info_t li;

    if (fh->f_info == NULL) {
        if (pio_file_layout(pf->file, &li) != PFS_OK)
            return;
    } else if (pfs_mpiio_report_layout(pf->file, pf->cb_nodes, fh->f_size,
                                       pf->cb_buffer_size, pf->direct_min,
                                       info_set, fh->f_info, &li) != PFS_OK) {
        return;
    }
    fh->f_stripe_size = (size_t)li.stripe_size;
    fh->f_stripe_count = (int)li.stripe_count;
    fh->f_fs_block_size =
        (int)(li.stripe_size < (1ULL << 30) ? li.stripe_size : 1ULL << 30);
}

/* ---- open and close ------------------------------------------------------ */

static void state_free(pfs_ompio_file_t *pf)
{
    if (pf == NULL)
        return;
    pf->magic = 0;
    free(pf->path);
    free(pf);
}

int mca_fs_pfs_file_open(struct ompi_communicator_t *comm, const char *filename,
                         int amode, struct opal_info_t *info, ompio_file_t *fh)
{
    pfs_ompio_file_t *pf;
    const char *what;
    char msg[512];
    pfs_status_t st;
    int err;

    /* the user's access mode: OMPIO's own copy (amode) may have been
     * widened from write-only to read-write for its data sieving, which
     * pfs does not do and which the file's permissions may not allow */
    amode = fh->f_amode;
    pf = calloc(1, sizeof(*pf));
    if (pf == NULL || (pf->path = strdup(filename)) == NULL) {
        /* the others wait in the broadcast */
        pfs_mpiio_open_coll(comm, fh->f_rank, PFS_ERR_NOMEM, NULL, filename,
                            amode, -1, 0, 0, NULL, &what, msg, sizeof(msg));
        err = pfs_ompio_error(PFS_ERR_NOMEM, "open", filename, NULL);
        goto out_free;
    }
    pf->magic = PFS_OMPIO_MAGIC;
    pf->fh = fh;
    pf->cb_buffer_size = PFS_OMPIO_CB_BUFFER_DEFAULT;
    pf->delete_on_close = (amode & MPI_MODE_DELETE_ON_CLOSE) != 0;
    read_hints(fh, info, pf);

    /* every rank connects (lazily, once per process) */
    err = mca_fs_pfs_client(info, &pf->client);
    st = pfs_mpiio_open_coll(comm, fh->f_rank,
                             err == MPI_SUCCESS ? PFS_OK : PFS_ERR_CONN,
                             pf->client, pf->path, amode, fh->f_perm == OMPIO_PERM_NULL ? -1 : fh->f_perm,
                             pf->stripe_size, pf->stripe_count, &pf->file,
                             &what, msg, sizeof(msg));
    /* a rank that could not connect keeps its own error */
    if (err == MPI_SUCCESS)
        err = pfs_ompio_error(st, what, filename, msg);
    if (err != MPI_SUCCESS)
        goto out_free;

    pfs_mpiio_file_opened();
    report_layout(fh, pf);
    fh->f_fs_ptr = pf;
    mca_fs_pfs_io_takeover(fh);
    return MPI_SUCCESS;

out_free:
    state_free(pf);
    return err;
}

int mca_fs_pfs_file_close(ompio_file_t *fh)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    pfs_status_t st;
    int err = MPI_SUCCESS;

    if (pf == NULL) /* a failed open: nothing was kept */
        return MPI_SUCCESS;
    st = pio_close(pf->file);
    pf->file = NULL;
    err = pfs_ompio_error(st, "close", pf->path, NULL);
    if (pf->delete_on_close) {
        /* OMPIO would delete "cwd/pfs:/x" on every rank: the io-module
         * close (fs_pfs_file.c) took that from it, and rank 0 removes the
         * file here once every rank has closed it */
        MPI_Barrier(fh->f_comm);
        if (fh->f_rank == 0) {
            st = pio_unlink(pf->client, pf->path);
            if (err == MPI_SUCCESS)
                err = pfs_ompio_error(
                    st, "delete on close", pf->path,
                    st != PFS_OK ? pio_client_errmsg(pf->client) : NULL);
        }
    }
    fh->f_fs_ptr = NULL;
    state_free(pf);
    pfs_mpiio_file_closed();
    return err;
}

int mca_fs_pfs_file_delete(char *filename, struct opal_info_t *info)
{
    pio_client_t *client;
    pfs_status_t st;
    int err;

    err = mca_fs_pfs_client(info, &client);
    if (err != MPI_SUCCESS)
        return err;
    st = pio_unlink(client, filename);
    return pfs_ompio_error(st, "delete", filename,
                           st != PFS_OK ? pio_client_errmsg(client) : NULL);
}
