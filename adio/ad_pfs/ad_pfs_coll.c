/* ad_pfs_coll.c - collective I/O through libpio's collective engine.
 *
 * ROMIO's generic two-phase code is not used: every rank flattens its
 * own view and memory type into piece lists and hands them to
 * pio_write_all/pio_read_all, whose aggregators follow the file's layout
 * (each I/O server always fed by the same aggregators) and whose mode
 * (two-phase or direct) follows romio_cb_write/romio_cb_read, cb_nodes,
 * cb_buffer_size and pfs_direct_min.  Errors are agreed on by the engine:
 * every rank returns the same status.
 *
 * A rank's list is bounded (PFS_COLL_PIECES pieces); a larger access is
 * done in several collective calls, as many as the rank that needs the
 * most, the others taking part with nothing.
 */
#include "ad_pfs.h"

#include "../../mpi-io/mpioimpl.h"
#ifdef MPIO_BUILD_PROFILING
#include "../../mpi-io/mpioprof.h"
#endif

#define PFS_COLL_PIECES (1 << 20)
#define PFS_COLL_BYTES (1ULL << 40)

static void pfs_coll(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                     int file_ptr_type, ADIO_Offset offset, ADIO_Status * status, int is_write,
                     int *error_code, const char *myname)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_mpiio_tiles_t view, mem;
    ADIO_Offset *view_cum = NULL, *mem_cum = NULL;
    pfs_mpiio_list_t fl = { 0 }, ml = { 0 };
    pio_coll_hints_t hints;
    MPI_Count type_size;
    uint64_t total, s0, done = 0;
    char errmsg[512] = "";
    pfs_status_t st = PFS_OK;
    int more;

    MPI_Type_size_x(datatype, &type_size);
    total = (uint64_t) count * (uint64_t) type_size;
    ADIOI_PFS_view_tiles(fd, &view, &view_cum);
    s0 = ADIOI_PFS_stream_start(fd, &view, file_ptr_type, offset);
    ADIOI_PFS_mem_tiles(datatype, &mem, &mem_cum);

    pio_coll_hints_default(&hints);
    /* ROMIO's ADIOI_HINT_AUTO/ENABLE/DISABLE have libpio's values */
    hints.cb_write = (pio_cb_mode_t) fd->hints->cb_write;
    hints.cb_read = (pio_cb_mode_t) fd->hints->cb_read;
    hints.cb_nodes = pf->cb_nodes;
    /* ROMIO keeps cb_buffer_size (16 MiB unless the user says otherwise) */
    hints.cb_buffer_size = (uint64_t) fd->hints->cb_buffer_size;
    hints.direct_min = pf->direct_min;

    do {
        pio_desc_t fdesc, mdesc;
        pio_coll_batch_t batch = { 0 };
        uint64_t b = 0;

        fl.n = ml.n = 0;
        if (done < total) {
            b = pfs_mpiio_tiles_batch(&view, s0 + done, &mem, done,
                                      ADIOI_PFS_MIN(total - done, PFS_COLL_BYTES), &fl, &ml,
                                      PFS_COLL_PIECES);
            if (fl.failed || ml.failed) {
                /* this rank's failure, which every rank returns */
                batch.failed = PFS_ERR_NOMEM;
                batch.failed_msg = "no memory for the piece lists";
                fl.n = ml.n = 0;
                b = 0;
            } else if (b == 0) {
                /* data to move, and a view or datatype without any: this
                 * rank's failure, which every rank returns */
                batch.failed = PFS_ERR_INVAL;
                batch.failed_msg = "the file view or the datatype holds no data";
                fl.n = ml.n = 0;
            }
        }
        pio_desc_list(&fdesc, (const uint64_t *) fl.off, fl.len, fl.n);
        pio_desc_list(&mdesc, (const uint64_t *) ml.off, ml.len, ml.n);
        /* whether any rank has another batch travels with the call's own
         * agreement: the loop needs no communication of its own */
        batch.more = batch.failed == PFS_OK && done + b < total;
        st = is_write
            ? pio_write_all_batch(pf->file, fd->comm, buf, &mdesc, &fdesc, &hints, &batch,
                                  NULL, errmsg, sizeof(errmsg))
            : pio_read_all_batch(pf->file, fd->comm, buf, &mdesc, &fdesc, &hints, &batch,
                                 NULL, errmsg, sizeof(errmsg));
        done += b;
        /* the status and any_more are the same on every rank: so is this
         * loop's end */
        more = st == PFS_OK && batch.any_more;
    } while (more);

    if (st == PFS_OK && file_ptr_type == ADIO_INDIVIDUAL && total > 0)
        fd->fp_ind = pfs_mpiio_tiles_end_of(&view, s0 + total);
    pfs_mpiio_list_free(&fl);
    pfs_mpiio_list_free(&ml);
    ADIOI_PFS_FREE(view_cum);
    ADIOI_PFS_FREE(mem_cum);
    *error_code = ADIOI_PFS_error(myname, __LINE__, st,
                                  is_write ? "collective write" : "collective read",
                                  fd->filename, errmsg);
#ifdef HAVE_STATUS_SET_BYTES
    if (status != NULL && *error_code == MPI_SUCCESS)
        MPIR_Status_set_bytes(status, datatype, (MPI_Count) total);
#endif
}

void ADIOI_PFS_ReadStridedColl(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                               int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                               int *error_code)
{
    pfs_coll(fd, buf, count, datatype, file_ptr_type, offset, status, 0, error_code,
             "ADIOI_PFS_READSTRIDEDCOLL");
}

void ADIOI_PFS_WriteStridedColl(ADIO_File fd, const void *buf, int count,
                                MPI_Datatype datatype, int file_ptr_type, ADIO_Offset offset,
                                ADIO_Status * status, int *error_code)
{
    pfs_coll(fd, (void *) buf, count, datatype, file_ptr_type, offset, status, 1, error_code,
             "ADIOI_PFS_WRITESTRIDEDCOLL");
}

/* MPI_File_iread_all / iwrite_all: the collective runs to completion here
 * and the request is born complete.  Overlap for these calls would need
 * the engine's rounds driven from MPI's progress (a collective inside a
 * generalized request's poll function can deadlock when ranks test in
 * different orders), so this is deliberate.  Split collectives
 * (MPI_File_write_all_begin) are handled by ROMIO through the blocking
 * entry points above. */
void ADIOI_PFS_IreadStridedColl(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                                int file_ptr_type, ADIO_Offset offset,
                                ADIO_Request * request, int *error_code)
{
    MPI_Count type_size;
    MPI_Type_size_x(datatype, &type_size);
    pfs_coll(fd, buf, count, datatype, file_ptr_type, offset, NULL, 0, error_code,
             "ADIOI_PFS_IREADSTRIDEDCOLL");
    if (*error_code == MPI_SUCCESS)
        MPIO_Completed_request_create(&fd, (MPI_Offset) count * type_size, error_code, request);
    else
        *request = MPI_REQUEST_NULL;
}

void ADIOI_PFS_IwriteStridedColl(ADIO_File fd, const void *buf, int count,
                                 MPI_Datatype datatype, int file_ptr_type, ADIO_Offset offset,
                                 ADIO_Request * request, int *error_code)
{
    MPI_Count type_size;
    MPI_Type_size_x(datatype, &type_size);
    pfs_coll(fd, (void *) buf, count, datatype, file_ptr_type, offset, NULL, 1, error_code,
             "ADIOI_PFS_IWRITESTRIDEDCOLL");
    if (*error_code == MPI_SUCCESS)
        MPIO_Completed_request_create(&fd, (MPI_Offset) count * type_size, error_code, request);
    else
        *request = MPI_REQUEST_NULL;
}
