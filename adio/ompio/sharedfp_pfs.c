/* sharedfp_pfs.c - the sharedfp component for pfs (mca_sharedfp_pfs):
 * shared and ordered file pointers.
 *
 * The shared file pointer is a counter in the file's inode on the
 * metadata server (pio_shared_fp_fetch_add / pio_shared_fp_set), counted
 * in etypes as MPI and the ROMIO driver count it.  Any rank on any node
 * moves it atomically with one request: no lock file, no shared memory
 * segment, so it works across nodes.
 *
 *  - write_shared/read_shared: one fetch-and-add of the access's etypes,
 *    then the access at that offset through OMPIO (and the pfs fbtl).
 *  - write_ordered/read_ordered: a prefix sum over the ranks, one
 *    fetch-and-add of the total by the last rank, then a collective
 *    access at base + prefix through the pfs fcoll.
 *  - seek (collective): rank 0 sets the counter, the others learn the
 *    outcome.  OMPIO seeks to 0 in every MPI_File_set_view, the one at
 *    the end of MPI_File_open included, as MPI requires.
 */
#include "pfs_ompio.h"

#include <stdlib.h>

#include "ompi/mca/sharedfp/sharedfp.h"

static int mca_sharedfp_pfs_priority = PFS_OMPIO_SHAREDFP_PRIORITY;

static int error_fp(pfs_ompio_file_t *pf, pfs_status_t st)
{
    return pfs_ompio_error(st, "shared file pointer", pf->path,
                           st != PFS_OK ? pio_client_errmsg(pf->client) : NULL);
}

/* The access's size in etypes (MPI: a multiple of the etype). */
static uint64_t etypes_of(const ompio_file_t *fh, int count,
                          struct ompi_datatype_t *dt)
{
    MPI_Count size = 0;

    MPI_Type_size_x(dt, &size);
    return fh->f_etype_size
               ? (uint64_t)count * (uint64_t)size / fh->f_etype_size
               : 0;
}

/* Claim [*off_p, *off_p + etypes) of the shared pointer's stream. */
static int claim(pfs_ompio_file_t *pf, uint64_t etypes,
                 OMPI_MPI_OFFSET_TYPE *off_p)
{
    uint64_t old = 0;
    pfs_status_t st = pio_shared_fp_fetch_add(pf->file, etypes, &old);

    if (st == PFS_OK)
        *off_p = (OMPI_MPI_OFFSET_TYPE)old;
    return error_fp(pf, st);
}

static int mca_sharedfp_pfs_seek(ompio_file_t *fh, OMPI_MPI_OFFSET_TYPE offset,
                                 int whence)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    int st = PFS_OK;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "seek", fh->f_filename, NULL);
    if (fh->f_rank == 0) {
        int64_t pos = offset;
        uint64_t v = 0;
        if (whence == MPI_SEEK_CUR) {
            st = pio_shared_fp_fetch_add(pf->file, 0, &v);
            pos += (int64_t)v;
        } else if (whence == MPI_SEEK_END) {
            /* the end of the file, in etypes of the view's data */
            pfs_mpiio_tiles_t view;
            st = pio_get_size(pf->file, &v);
            if (st == PFS_OK &&
                pfs_ompio_view_tiles(fh, &view) == MPI_SUCCESS) {
                pos +=
                    (int64_t)(pfs_mpiio_tiles_bytes_before(&view, (MPI_Offset)v) /
                              fh->f_etype_size);
                pfs_ompio_tiles_free(&view);
            } else if (st == PFS_OK) {
                st = PFS_ERR_NOMEM;
            }
        } else if (whence != MPI_SEEK_SET) {
            st = PFS_ERR_INVAL;
        }
        if (st == PFS_OK)
            st = pos < 0 ? PFS_ERR_INVAL
                         : pio_shared_fp_set(pf->file, (uint64_t)pos);
    }
    /* nobody moves the pointer before rank 0 has set it */
    MPI_Bcast(&st, 1, MPI_INT, 0, fh->f_comm);
    return pfs_ompio_error((pfs_status_t)st, "seek shared", pf->path, NULL);
}

static int mca_sharedfp_pfs_get_position(ompio_file_t *fh,
                                         OMPI_MPI_OFFSET_TYPE *offset)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    return claim(pf, 0, offset);
}

/* write_shared / read_shared */
static int independent(ompio_file_t *fh, void *buf, int count,
                       struct ompi_datatype_t *dt, ompi_status_public_t *status,
                       int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    OMPI_MPI_OFFSET_TYPE off = 0;
    int rc, err;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    rc = claim(pf, etypes_of(fh, count, dt), &off);
    if (rc != MPI_SUCCESS)
        return rc;
    /* OMPIO drops fbtl errors on this path: the fbtl's note tells */
    pfs_ompio_take_error(pf);
    rc = is_write
             ? mca_common_ompio_file_write_at(fh, off, buf, count, dt, status)
             : mca_common_ompio_file_read_at(fh, off, buf, count, dt, status);
    err = pfs_ompio_take_error(pf);
    return rc != MPI_SUCCESS ? rc : err;
}

/* write_ordered / read_ordered: collective */
static int ordered(ompio_file_t *fh, void *buf, int count,
                   struct ompi_datatype_t *dt, ompi_status_public_t *status,
                   int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    uint64_t mine, upto = 0;
    struct {
        int64_t status;
        int64_t base;
    } out = {PFS_OK, 0};
    int last = fh->f_size - 1;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    mine = etypes_of(fh, count, dt);
    /* rank order: each rank's part starts after the lower ranks' */
    MPI_Scan(&mine, &upto, 1, MPI_UINT64_T, MPI_SUM, fh->f_comm);
    if (fh->f_rank == last) {
        uint64_t base = 0;
        out.status = pio_shared_fp_fetch_add(pf->file, upto, &base);
        out.base = (int64_t)base;
    }
    MPI_Bcast(&out, 2, MPI_INT64_T, last, fh->f_comm);
    if (out.status != PFS_OK)
        return pfs_ompio_error((pfs_status_t)out.status, "ordered access",
                               pf->path, NULL);
    if (is_write)
        return mca_common_ompio_file_write_at_all(
            fh, out.base + (int64_t)(upto - mine), buf, count, dt, status);
    return mca_common_ompio_file_read_at_all(
        fh, out.base + (int64_t)(upto - mine), buf, count, dt, status);
}

/* The _begin/_end forms run the ordered access at _begin and hand its
 * outcome to _end (one split operation per file at a time, as MPI says). */
static int ordered_begin(ompio_file_t *fh, void *buf, int count,
                         struct ompi_datatype_t *dt, int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    ompi_status_public_t st;

    st._ucount = 0;
    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    pf->split_error = ordered(fh, buf, count, dt, &st, is_write);
    pf->split_bytes = pf->split_error == MPI_SUCCESS ? st._ucount : 0;
    return MPI_SUCCESS;
}

static int ordered_end(ompio_file_t *fh, ompi_status_public_t *status)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    int rc;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    if (status != MPI_STATUS_IGNORE)
        status->_ucount = pf->split_bytes;
    rc = pf->split_error;
    pf->split_error = MPI_SUCCESS;
    pf->split_bytes = 0;
    return rc;
}

static int nonblocking(ompio_file_t *fh, void *buf, int count,
                       struct ompi_datatype_t *dt, ompi_request_t **request,
                       int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    OMPI_MPI_OFFSET_TYPE off = 0;
    int rc;

    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "shared file pointer",
                               fh->f_filename, NULL);
    rc = claim(pf, etypes_of(fh, count, dt), &off);
    if (rc != MPI_SUCCESS) {
        *request = MPI_REQUEST_NULL;
        return rc;
    }
    /* the fbtl's errors travel in the request's status */
    return is_write ? mca_common_ompio_file_iwrite_at(fh, off, buf, count, dt,
                                                      request)
                    : mca_common_ompio_file_iread_at(fh, off, buf, count, dt,
                                                     request);
}

static int mca_sharedfp_pfs_read(ompio_file_t *fh, void *buf, int count,
                                 struct ompi_datatype_t *dt,
                                 ompi_status_public_t *status)
{
    return independent(fh, buf, count, dt, status, 0);
}

static int mca_sharedfp_pfs_read_ordered(ompio_file_t *fh, void *buf, int count,
                                         struct ompi_datatype_t *dt,
                                         ompi_status_public_t *status)
{
    return ordered(fh, buf, count, dt, status, 0);
}

static int mca_sharedfp_pfs_read_ordered_begin(ompio_file_t *fh, void *buf,
                                               int count,
                                               struct ompi_datatype_t *dt)
{
    return ordered_begin(fh, buf, count, dt, 0);
}

static int mca_sharedfp_pfs_read_ordered_end(ompio_file_t *fh, void *buf,
                                             ompi_status_public_t *status)
{
    return ordered_end(fh, status);
}

static int mca_sharedfp_pfs_iread(ompio_file_t *fh, void *buf, int count,
                                  struct ompi_datatype_t *dt,
                                  ompi_request_t **request)
{
    return nonblocking(fh, buf, count, dt, request, 0);
}

static int mca_sharedfp_pfs_write(ompio_file_t *fh, const void *buf, int count,
                                  struct ompi_datatype_t *dt,
                                  ompi_status_public_t *status)
{
    return independent(fh, (void *)buf, count, dt, status, 1);
}

static int mca_sharedfp_pfs_write_ordered(ompio_file_t *fh, const void *buf,
                                          int count, struct ompi_datatype_t *dt,
                                          ompi_status_public_t *status)
{
    return ordered(fh, (void *)buf, count, dt, status, 1);
}

static int mca_sharedfp_pfs_write_ordered_begin(ompio_file_t *fh,
                                                const void *buf, int count,
                                                struct ompi_datatype_t *dt)
{
    return ordered_begin(fh, (void *)buf, count, dt, 1);
}

static int mca_sharedfp_pfs_write_ordered_end(ompio_file_t *fh, const void *buf,
                                              ompi_status_public_t *status)
{
    return ordered_end(fh, status);
}

static int mca_sharedfp_pfs_iwrite(ompio_file_t *fh, const void *buf, int count,
                                   struct ompi_datatype_t *dt,
                                   ompi_request_t **request)
{
    return nonblocking(fh, (void *)buf, count, dt, request, 1);
}

/* Nothing to open or close: the counter lives with the file. */
static int mca_sharedfp_pfs_file_open(struct ompi_communicator_t *comm,
                                      const char *filename, int amode,
                                      struct opal_info_t *info,
                                      ompio_file_t *fh)
{
    return OMPI_SUCCESS;
}

static int mca_sharedfp_pfs_file_close(ompio_file_t *fh)
{
    return OMPI_SUCCESS;
}

/* ---- the component ----------------------------------------------------------
 */

static mca_sharedfp_base_module_1_0_0_t sharedfp_pfs_module = {
    pfs_ompio_module_nothing,
    pfs_ompio_module_nothing,
    mca_sharedfp_pfs_seek,
    mca_sharedfp_pfs_get_position,
    mca_sharedfp_pfs_read,
    mca_sharedfp_pfs_read_ordered,
    mca_sharedfp_pfs_read_ordered_begin,
    mca_sharedfp_pfs_read_ordered_end,
    mca_sharedfp_pfs_iread,
    mca_sharedfp_pfs_write,
    mca_sharedfp_pfs_write_ordered,
    mca_sharedfp_pfs_write_ordered_begin,
    mca_sharedfp_pfs_write_ordered_end,
    mca_sharedfp_pfs_iwrite,
    mca_sharedfp_pfs_file_open,
    mca_sharedfp_pfs_file_close};

static int sharedfp_pfs_register(void);

static struct mca_sharedfp_base_module_1_0_0_t *
sharedfp_pfs_file_query(ompio_file_t *fh, int *priority)
{
    if (!pfs_ompio_is_pfs(fh))
        return NULL;
    *priority = mca_sharedfp_pfs_priority;
    return &sharedfp_pfs_module;
}

PFS_OMPIO_EXPORT mca_sharedfp_base_component_2_0_0_t
    mca_sharedfp_pfs_component = {
        .sharedfpm_version =
            {
                MCA_SHAREDFP_BASE_VERSION_2_0_0,
                .mca_component_name = PFS_OMPIO_NAME,
                MCA_BASE_MAKE_VERSION(component, OMPI_MAJOR_VERSION,
                                      OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION),
                .mca_open_component = pfs_ompio_component_open,
                .mca_register_component_params = sharedfp_pfs_register,
            },
        .sharedfpm_data = {MCA_BASE_METADATA_PARAM_NONE},
        .sharedfpm_init_query = pfs_ompio_init_query,
        .sharedfpm_file_query = sharedfp_pfs_file_query,
        .sharedfpm_file_unquery = pfs_ompio_file_unquery,
};

static int sharedfp_pfs_register(void)
{
    return pfs_ompio_register_priority(
        &mca_sharedfp_pfs_component.sharedfpm_version, &mca_sharedfp_pfs_priority,
        PFS_OMPIO_SHAREDFP_PRIORITY,
        "Priority of the sharedfp pfs component (it bids "
        "only for files of the fs pfs component)");
}
