/* fs_pfs_file.c - size and sync, and the OMPIO entry points that pfs
 * replaces for its files.
 *
 * Some behaviour lives above the four frameworks, in the io/ompio module
 * (the table of MPI_File_* back ends that Open MPI keeps per MPI_File):
 *
 *  - Independent reads and writes: OMPIO calls the fbtl and ignores a
 *    negative result (MPI_File_write_at returns MPI_SUCCESS with a short
 *    count when the fbtl failed).  The fbtl records its error on the file
 *    (pfs_ompio_note_error) and the replaced entry points return it.
 *  - MPI_File_preallocate: OMPIO reads the whole file back and rewrites
 *    it, then writes zeros, from rank 0.  pfs has pio_preallocate.
 *  - Atomic mode: OMPIO accepts it and relies on fcntl locks in
 *    fbtl/posix; pfs has no byte-range locks and refuses it, as the ROMIO
 *    driver does.
 *  - MPI_File_set_view with a negative displacement: OMPIO accepts it
 *    (and pfs offsets are unsigned); pfs refuses it with MPI_ERR_ARG, as
 *    ROMIO does for every file.
 *  - MPI_MODE_DELETE_ON_CLOSE: OMPIO deletes the file by its full name,
 *    "cwd/pfs:/x", on every rank, after the fs close.  pfs's close does
 *    the delete itself (rank 0, pio_unlink), so the flag is taken away
 *    from OMPIO just before it closes.
 *
 * The replacement is per file: the MPI_File's copy of the module table
 * (ompi_file_t.f_io_selected_module) gets pfs's functions, which call
 * OMPIO's own for the rest of the work.  Other files are untouched.  The
 * layouts this relies on are those of the Open MPI release the
 * components were built against, which is why they refuse any other.
 */
#include "fs_pfs.h"

#include <stdio.h>
#include <string.h>

/* OMPIO's own entry points: the same for every file (io/ompio's module) */
static pfs_ompio_io_fns_t ompio_fns;

static pfs_ompio_file_t *state_of(struct ompi_file_t *f)
{
    mca_common_ompio_data_t *data =
        (mca_common_ompio_data_t *)f->f_io_selected_data;

    return data != NULL ? pfs_ompio_state(&data->ompio_fh) : NULL;
}

/* OMPIO's return code, or the error the fbtl recorded meanwhile */
static int outcome(pfs_ompio_file_t *pf, int rc)
{
    int err = pfs_ompio_take_error(pf);

    return rc != MPI_SUCCESS ? rc : err;
}

static int pfs_io_read(struct ompi_file_t *f, void *buf, int count,
                       struct ompi_datatype_t *dt,
                       struct ompi_status_public_t *status)
{
    pfs_ompio_file_t *pf = state_of(f);

    pfs_ompio_take_error(pf);
    return outcome(pf, ompio_fns.read(f, buf, count, dt, status));
}

static int pfs_io_read_at(struct ompi_file_t *f, MPI_Offset offset, void *buf,
                          int count, struct ompi_datatype_t *dt,
                          struct ompi_status_public_t *status)
{
    pfs_ompio_file_t *pf = state_of(f);

    pfs_ompio_take_error(pf);
    return outcome(pf, ompio_fns.read_at(f, offset, buf, count, dt, status));
}

static int pfs_io_write(struct ompi_file_t *f, const void *buf, int count,
                        struct ompi_datatype_t *dt,
                        struct ompi_status_public_t *status)
{
    pfs_ompio_file_t *pf = state_of(f);

    pfs_ompio_take_error(pf);
    return outcome(pf, ompio_fns.write(f, buf, count, dt, status));
}

static int pfs_io_write_at(struct ompi_file_t *f, MPI_Offset offset,
                           const void *buf, int count,
                           struct ompi_datatype_t *dt,
                           struct ompi_status_public_t *status)
{
    pfs_ompio_file_t *pf = state_of(f);

    pfs_ompio_take_error(pf);
    return outcome(pf, ompio_fns.write_at(f, offset, buf, count, dt, status));
}

/* Collective: rank 0 reserves the space on every server of the file, the
 * others learn the outcome. */
static int pfs_io_preallocate(struct ompi_file_t *f, MPI_Offset size)
{
    pfs_ompio_file_t *pf = state_of(f);
    mca_common_ompio_data_t *data =
        (mca_common_ompio_data_t *)f->f_io_selected_data;
    int st = PFS_OK;

    if (pf == NULL)
        return ompio_fns.preallocate(f, size);
    /* no rank sees the new size before every rank has called */
    MPI_Barrier(data->ompio_fh.f_comm);
    if (data->ompio_fh.f_rank == 0)
        st = size < 0 ? PFS_ERR_INVAL
                      : pio_preallocate(pf->file, (uint64_t)size);
    MPI_Bcast(&st, 1, MPI_INT, 0, data->ompio_fh.f_comm);
    return pfs_ompio_error((pfs_status_t)st, "preallocate", pf->path, NULL);
}

static int pfs_io_set_atomicity(struct ompi_file_t *f, int flag)
{
    if (flag == 0 || state_of(f) == NULL)
        return ompio_fns.set_atomicity(f, flag);
    return pfs_ompio_error_code(
        MPI_ERR_UNSUPPORTED_OPERATION,
        "pfs does not support atomic mode (no byte-range locks)");
}

static int pfs_io_set_view(struct ompi_file_t *f, MPI_Offset disp,
                           struct ompi_datatype_t *etype,
                           struct ompi_datatype_t *filetype,
                           const char *datarep, struct opal_info_t *info)
{
    char msg[128];

    if (disp >= 0 || disp == MPI_DISPLACEMENT_CURRENT || state_of(f) == NULL)
        return ompio_fns.set_view(f, disp, etype, filetype, datarep, info);
    /* every rank passes the same displacement: every rank refuses */
    snprintf(msg, sizeof(msg),
             "pfs: invalid file view displacement %lld (must be >= 0)",
             (long long)disp);
    return pfs_ompio_error_code(MPI_ERR_ARG, msg);
}

static int pfs_io_close(struct ompi_file_t *f)
{
    mca_common_ompio_data_t *data =
        (mca_common_ompio_data_t *)f->f_io_selected_data;
    pfs_ompio_file_t *pf = state_of(f);

    if (pf != NULL && pf->delete_on_close)
        data->ompio_fh.f_amode &= ~MPI_MODE_DELETE_ON_CLOSE;
    return ompio_fns.close(f);
}

void mca_fs_pfs_io_takeover(ompio_file_t *fh)
{
    struct ompi_file_t *f = fh->f_fh;
    mca_common_ompio_data_t *data;
    mca_io_base_module_2_0_0_t *m;

    /* only the io module's own handle of an MPI_File (OMPIO also opens
     * files for itself, with no MPI_File around them) */
    if (f == NULL || f->f_io_version != MCA_IO_BASE_V_2_0_0)
        return;
    data = (mca_common_ompio_data_t *)f->f_io_selected_data;
    if (data == NULL || &data->ompio_fh != fh)
        return;
    m = &f->f_io_selected_module.v2_0_0;
    if (ompio_fns.close == NULL) {
        ompio_fns.close = m->io_module_file_close;
        ompio_fns.read = m->io_module_file_read;
        ompio_fns.read_at = m->io_module_file_read_at;
        ompio_fns.write = m->io_module_file_write;
        ompio_fns.write_at = m->io_module_file_write_at;
        ompio_fns.preallocate = m->io_module_file_preallocate;
        ompio_fns.set_atomicity = m->io_module_file_set_atomicity;
        ompio_fns.set_view = m->io_module_file_set_view;
    }
    m->io_module_file_close = pfs_io_close;
    m->io_module_file_read = pfs_io_read;
    m->io_module_file_read_at = pfs_io_read_at;
    m->io_module_file_write = pfs_io_write;
    m->io_module_file_write_at = pfs_io_write_at;
    m->io_module_file_preallocate = pfs_io_preallocate;
    m->io_module_file_set_atomicity = pfs_io_set_atomicity;
    m->io_module_file_set_view = pfs_io_set_view;
}

/* ---- the fs module's size and sync ----------------------------------------
 */

/* Collective (OMPIO calls it on every rank): rank 0 truncates or extends
 * every server's object, the others learn the outcome. */
int mca_fs_pfs_file_set_size(ompio_file_t *fh, OMPI_MPI_OFFSET_TYPE size)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    int st = PFS_OK;

    /* no rank sees the new size before every rank has called (OMPIO's
     * broadcast of the size does not wait for the others) */
    MPI_Barrier(fh->f_comm);
    if (fh->f_rank == 0)
        st = pf == NULL ? PFS_ERR_BADF
             : size < 0 ? PFS_ERR_INVAL
                        : pio_truncate(pf->file, (uint64_t)size);
    MPI_Bcast(&st, 1, MPI_INT, 0, fh->f_comm);
    return pfs_ompio_error((pfs_status_t)st, "resize", fh->f_filename, NULL);
}

/* Not collective (MPI_File_get_size): each caller asks the servers. */
int mca_fs_pfs_file_get_size(ompio_file_t *fh, OMPI_MPI_OFFSET_TYPE *size)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    uint64_t n = 0;
    pfs_status_t st;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "get size", fh->f_filename, NULL);
    st = pio_get_size(pf->file, &n);
    if (st == PFS_OK)
        *size = (OMPI_MPI_OFFSET_TYPE)n;
    return pfs_ompio_error(st, "get size", pf->path, NULL);
}

/* Collective (MPI_File_sync; OMPIO calls it on every rank): every rank
 * syncs, and every rank returns the first failure (the lowest status),
 * so that no rank reports its data durable while another's sync failed. */
int mca_fs_pfs_file_sync(ompio_file_t *fh)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    int mine = pf == NULL ? (int)PFS_ERR_BADF : (int)pio_sync(pf->file), agreed = mine;
    char detail[512];

    MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MIN, fh->f_comm);
    if (agreed == mine)
        return pfs_ompio_error((pfs_status_t)mine, "sync",
                               pf != NULL ? pf->path : fh->f_filename, NULL);
    snprintf(detail, sizeof(detail), "sync %s: %s on another rank",
             pf != NULL ? pf->path : fh->f_filename, pfs_status_string((pfs_status_t)agreed));
    return pfs_ompio_error((pfs_status_t)agreed, "sync", pf != NULL ? pf->path : fh->f_filename,
                           detail);
}
