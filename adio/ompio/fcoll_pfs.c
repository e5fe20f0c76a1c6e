/* fcoll_pfs.c - the fcoll component for pfs (mca_fcoll_pfs): collective
 * I/O through libpio's collective engine.
 *
 * OMPIO's own algorithms are not used: every rank turns its part of the
 * file view and its memory datatype into piece lists and hands them to
 * pio_write_all/pio_read_all (libpio/pio_coll.c, compiled into this
 * component against Open MPI's mpi.h), whose aggregators follow the
 * file's layout and whose mode (two-phase or direct) follows
 * romio_cb_write/romio_cb_read, cb_nodes, cb_buffer_size and
 * pfs_direct_min, as under MPICH with the ROMIO driver.  Errors are agreed
 * on by the engine: every rank returns the same status.
 *
 * A rank's list is bounded (PFS_COLL_PIECES pieces); a larger access is
 * done in several collective calls, as many as the rank that needs the
 * most, the others taking part with nothing.
 *
 * MPI_File_iwrite_all and the split collectives (which OMPIO builds on
 * it) run the collective to completion and return a complete request, as
 * the ROMIO driver does: overlap would need the engine's rounds driven
 * from MPI's progress, and a collective inside a progress function
 * deadlocks when ranks test in different orders.
 */
#include "pfs_ompio.h"

#include <stdlib.h>
#include <string.h>

#include <pfs/pio_mpi.h>

#include "ompi/mca/fcoll/fcoll.h"
#include "ompi/mca/common/ompio/common_ompio_request.h"

#define PFS_COLL_PIECES (1 << 20)
#define PFS_COLL_BYTES (1ULL << 40)
#define PFS_MIN(a, b) ((a) < (b) ? (a) : (b))

static int mca_fcoll_pfs_priority = PFS_OMPIO_FCOLL_PRIORITY;

static void hints_of(const pfs_ompio_file_t *pf, pio_coll_hints_t *h)
{
    pio_coll_hints_default(h);
    h->cb_write = (pio_cb_mode_t)pf->cb_write;
    h->cb_read = (pio_cb_mode_t)pf->cb_read;
    h->cb_nodes = pf->cb_nodes;
    h->cb_buffer_size = pf->cb_buffer_size;
    if (pf->direct_min != 0)
        h->direct_min = pf->direct_min;
}

/* The whole call, from the individual file pointer (OMPIO has set it to
 * the explicit offset for the _at variants and puts it back after). */
static int pfs_coll(ompio_file_t *fh, void *buf, int count,
                    struct ompi_datatype_t *dt, ompi_status_public_t *status,
                    int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    pfs_mpiio_tiles_t view = {0}, mem = {0};
    pfs_mpiio_list_t fl = {0}, ml = {0};
    pio_coll_hints_t hints;
    uint64_t type_size = 0, total = 0, s0, done = 0;
    char errmsg[512] = "";
    pfs_status_t st = PFS_OK; /* this rank's own failure, then the call's */
    pio_coll_batch_t batch;

    /* only files that mca_fs_pfs opened on every rank come here */
    if (pf == NULL)
        return pfs_ompio_error(PFS_ERR_BADF, "collective I/O", fh->f_filename,
                               NULL);
    hints_of(pf, &hints);
    if (pfs_ompio_view_tiles(fh, &view) != MPI_SUCCESS ||
        pfs_ompio_mem_tiles(fh, dt, &mem, &type_size) != MPI_SUCCESS) {
        st = PFS_ERR_NOMEM;
        snprintf(errmsg, sizeof(errmsg),
                 "cannot flatten the file view or the datatype");
    } else {
        total = (uint64_t)count * type_size;
    }
    s0 = pfs_ompio_stream_pos(fh);

    /* A rank that failed on its own still takes part in every collective
     * call, with nothing, and hands its failure to the engine, which
     * agrees on it with the rest of the call: every rank returns it.
     * Whether any rank has another batch travels the same way. */
    do {
        pio_desc_t fdesc, mdesc;
        void *mbase = buf;
        uint64_t b = 0;

        fl.n = ml.n = 0;
        if (st == PFS_OK && done < total) {
            b = pfs_mpiio_tiles_batch(&view, s0 + done, &mem, done,
                                      PFS_MIN(total - done, PFS_COLL_BYTES),
                                      &fl, &ml, PFS_COLL_PIECES);
            if (fl.failed || ml.failed) {
                st = PFS_ERR_NOMEM;
                snprintf(errmsg, sizeof(errmsg),
                         "no memory for the piece lists");
            } else if (b == 0) {
                /* data to move, and a view or datatype without any */
                st = PFS_ERR_INVAL;
                snprintf(errmsg, sizeof(errmsg),
                         "the file view or the datatype holds no data");
            }
            if (st != PFS_OK) {
                fl.n = ml.n = 0;
                b = 0;
            }
            pfs_ompio_list_rebase(&ml, buf, &mbase);
        }
        pio_desc_list(&fdesc, (const uint64_t *)fl.off, fl.len, fl.n);
        pio_desc_list(&mdesc, (const uint64_t *)ml.off, ml.len, ml.n);
        memset(&batch, 0, sizeof(batch));
        batch.failed = st;
        batch.failed_msg = errmsg;
        batch.more = st == PFS_OK && done + b < total;
        /* the engine's status is the same on every rank */
        st = is_write ? pio_write_all_batch(pf->file, fh->f_comm, mbase, &mdesc,
                                            &fdesc, &hints, &batch, NULL,
                                            errmsg, sizeof(errmsg))
                      : pio_read_all_batch(pf->file, fh->f_comm, mbase, &mdesc,
                                           &fdesc, &hints, &batch, NULL, errmsg,
                                           sizeof(errmsg));
        done += b;
    } while (st == PFS_OK && batch.any_more);

    pfs_mpiio_list_free(&fl);
    pfs_mpiio_list_free(&ml);
    pfs_ompio_tiles_free(&view);
    pfs_ompio_tiles_free(&mem);
    if (st == PFS_OK && fh->f_etype_size > 0)
        mca_common_ompio_set_explicit_offset(
            fh, (OMPI_MPI_OFFSET_TYPE)((s0 + total) / fh->f_etype_size));
    if (status != MPI_STATUS_IGNORE)
        status->_ucount = st == PFS_OK ? (size_t)total : 0;
    return pfs_ompio_error(st,
                           is_write ? "collective write" : "collective read",
                           pf->path, errmsg);
}

static int mca_fcoll_pfs_file_read_all(ompio_file_t *fh, void *buf, int count,
                                       struct ompi_datatype_t *dt,
                                       ompi_status_public_t *status)
{
    return pfs_coll(fh, buf, count, dt, status, 0);
}

static int mca_fcoll_pfs_file_write_all(ompio_file_t *fh, const void *buf,
                                        int count, struct ompi_datatype_t *dt,
                                        ompi_status_public_t *status)
{
    return pfs_coll(fh, (void *)buf, count, dt, status, 1);
}

/* The collective runs now; the request is born complete and carries the
 * outcome (MPI_Wait returns the error, through the file's handler). */
static int born_complete(ompio_file_t *fh, void *buf, int count,
                         struct ompi_datatype_t *dt, ompi_request_t **request,
                         int is_write)
{
    mca_ompio_request_t *req = NULL;
    ompi_status_public_t st;
    int rc;

    memset(&st, 0, sizeof(st));
    rc = pfs_coll(fh, buf, count, dt, &st, is_write);
    mca_common_ompio_request_alloc(&req, is_write ? MCA_OMPIO_REQUEST_WRITE_ALL
                                                  : MCA_OMPIO_REQUEST_READ_ALL);
    req->req_ompi.req_mpi_object.file = fh->f_fh;
    req->req_ompi.req_status.MPI_ERROR = rc;
    req->req_ompi.req_status._ucount = rc == MPI_SUCCESS ? st._ucount : 0;
    ompi_request_complete(&req->req_ompi, false);
    *request = &req->req_ompi;
    return MPI_SUCCESS;
}

static int mca_fcoll_pfs_file_iread_all(ompio_file_t *fh, void *buf, int count,
                                        struct ompi_datatype_t *dt,
                                        ompi_request_t **request)
{
    return born_complete(fh, buf, count, dt, request, 0);
}

static int mca_fcoll_pfs_file_iwrite_all(ompio_file_t *fh, const void *buf,
                                         int count, struct ompi_datatype_t *dt,
                                         ompi_request_t **request)
{
    return born_complete(fh, (void *)buf, count, dt, request, 1);
}

/* ---- the component ----------------------------------------------------------
 */

static mca_fcoll_base_module_1_0_0_t fcoll_pfs_module = {
    pfs_ompio_module_nothing,
    pfs_ompio_module_nothing,
    mca_fcoll_pfs_file_read_all,   /* pio_read_all */
    mca_fcoll_pfs_file_iread_all,  /* pio_read_all, request born complete */
    mca_fcoll_pfs_file_write_all,  /* pio_write_all */
    mca_fcoll_pfs_file_iwrite_all, /* pio_write_all, request born complete */
    NULL,                          /* progress: nothing is ever pending */
    NULL                           /* request_free */
};

static int fcoll_pfs_register(void);

static struct mca_fcoll_base_module_1_0_0_t *
fcoll_pfs_file_query(ompio_file_t *fh, int *priority)
{
    if (!pfs_ompio_is_pfs(fh))
        return NULL;
    *priority = mca_fcoll_pfs_priority;
    return &fcoll_pfs_module;
}

PFS_OMPIO_EXPORT mca_fcoll_base_component_2_0_0_t mca_fcoll_pfs_component = {
    .fcollm_version =
        {
            MCA_FCOLL_BASE_VERSION_2_0_0,
            .mca_component_name = PFS_OMPIO_NAME,
            MCA_BASE_MAKE_VERSION(component, OMPI_MAJOR_VERSION,
                                  OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION),
            .mca_open_component = pfs_ompio_component_open,
            .mca_register_component_params = fcoll_pfs_register,
        },
    .fcollm_data = {MCA_BASE_METADATA_PARAM_NONE},
    .fcollm_init_query = pfs_ompio_init_query,
    .fcollm_file_query = fcoll_pfs_file_query,
    .fcollm_file_unquery = pfs_ompio_file_unquery,
};

static int fcoll_pfs_register(void)
{
    return pfs_ompio_register_priority(
        &mca_fcoll_pfs_component.fcollm_version, &mca_fcoll_pfs_priority,
        PFS_OMPIO_FCOLL_PRIORITY,
        "Priority of the fcoll pfs component (it bids only "
        "for files of the fs pfs component; "
        "fcoll/individual bids 100 with two ranks or fewer)");
}
