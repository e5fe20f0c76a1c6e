/* ad_pfs_io.c - independent I/O, blocking and non-blocking.
 *
 * Contiguous and strided accesses take the same path: the access is a
 * range of the view's data stream paired with a range of the memory
 * type's stream; both are emitted as piece lists in batches (at most
 * PFS_BATCH_PIECES pieces or PFS_BATCH_BYTES bytes) and each batch is one
 * pio_write_desc/pio_read_desc call, which sends every I/O server one
 * request with all of its pieces.  Batches are issued non-blocking, a few
 * at a time, so the servers work on one while the next is built.  No
 * data sieving, no read-modify-write: the servers take exact pieces.
 *
 * Non-blocking MPI requests are MPICH generalized requests (MPIX classes
 * with poll and wait functions) over libpio's requests; waiting sleeps in
 * libpio, it does not spin.
 */
#include "ad_pfs.h"

#include "../../mpi-io/mpioimpl.h"
#ifdef MPIO_BUILD_PROFILING
#include "../../mpi-io/mpioprof.h"
#endif
#include "mpiu_greq.h"

#define PFS_BATCH_PIECES 65536
#define PFS_BATCH_BYTES (64ULL << 20)
#define PFS_BLOCKING_DEPTH 4    /* batches in flight in a blocking call */

/* A non-blocking access: the libpio requests of its batches. */
typedef struct {
    MPI_Request req;
    pio_request_t **reqs;
    size_t n, cap;
    MPI_Count bytes;
    int error;                  /* MPI error code of the first failure */
    const char *path;
} pfs_aio_t;

static MPIX_Grequest_class pfs_greq_class;

static void aio_add(pfs_aio_t *aio, pio_request_t *r)
{
    if (aio->n == aio->cap) {
        aio->cap = aio->cap ? 2 * aio->cap : 4;
        aio->reqs = ADIOI_Realloc(aio->reqs, aio->cap * sizeof(*aio->reqs));
    }
    aio->reqs[aio->n++] = r;
}

static void aio_note(pfs_aio_t *aio, pfs_status_t st)
{
    if (st != PFS_OK && aio->error == MPI_SUCCESS)
        aio->error = ADIOI_PFS_error("ADIOI_PFS_AIO", __LINE__, st, "I/O", aio->path, NULL);
}

static int aio_query_fn(void *extra_state, MPI_Status * status)
{
    pfs_aio_t *aio = extra_state;
    MPI_Status_set_elements_x(status, MPI_BYTE, aio->error == MPI_SUCCESS ? aio->bytes : 0);
    MPI_Status_set_cancelled(status, 0);
    status->MPI_SOURCE = MPI_UNDEFINED;
    status->MPI_TAG = MPI_UNDEFINED;
    return aio->error;
}

static int aio_free_fn(void *extra_state)
{
    pfs_aio_t *aio = extra_state;
    for (size_t i = 0; i < aio->n; i++) {
        if (aio->reqs[i] != NULL)       /* freed before completion: finish */
            pio_wait(&aio->reqs[i], NULL);
    }
    ADIOI_PFS_FREE(aio->reqs);
    ADIOI_Free(aio);
    return MPI_SUCCESS;
}

static int aio_poll_fn(void *extra_state, MPI_Status * status)
{
    pfs_aio_t *aio = extra_state;
    int pending = 0;

    for (size_t i = 0; i < aio->n; i++) {
        int done = 0;
        if (aio->reqs[i] == NULL)
            continue;
        aio_note(aio, pio_test(&aio->reqs[i], &done, NULL));
        if (!done)
            pending = 1;
    }
    if (!pending)
        MPI_Grequest_complete(aio->req);
    return MPI_SUCCESS;
}

static int aio_wait_fn(int count, void **states, double timeout, MPI_Status * status)
{
    for (int k = 0; k < count; k++) {
        pfs_aio_t *aio = states[k];
        for (size_t i = 0; i < aio->n; i++) {
            if (aio->reqs[i] != NULL)
                aio_note(aio, pio_wait(&aio->reqs[i], NULL));
        }
        MPI_Grequest_complete(aio->req);
    }
    return MPI_SUCCESS;
}

/* Move stream bytes [s0, s0 + total) of the view from/to the memory
 * stream [0, total).  aio NULL: blocking.  Returns an MPI error code. */
static int pfs_access(ADIO_File fd, void *buf, const pfs_mpiio_tiles_t * mem,
                      const pfs_mpiio_tiles_t * view, uint64_t s0, uint64_t total,
                      int is_write, pfs_aio_t *aio, const char *myname)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_mpiio_list_t fl = { 0 }, ml = { 0 };
    pio_request_t *queue[PFS_BLOCKING_DEPTH] = { 0 };
    pfs_status_t st = PFS_OK, wst;
    uint64_t done = 0;
    size_t next = 0;

    while (done < total) {
        pio_desc_t fdesc, mdesc;
        pio_request_t *r = NULL;
        uint64_t b;

        b = pfs_mpiio_tiles_batch(view, s0 + done, mem, done,
                                  ADIOI_PFS_MIN(total - done, PFS_BATCH_BYTES), &fl, &ml,
                                  PFS_BATCH_PIECES);
        if (fl.failed || ml.failed) {
            st = PFS_ERR_NOMEM;
            break;
        }
        if (b == 0) {
            /* data to move, and a view or datatype without any */
            st = PFS_ERR_INVAL;
            break;
        }
        pio_desc_list(&fdesc, (const uint64_t *) fl.off, fl.len, fl.n);
        pio_desc_list(&mdesc, (const uint64_t *) ml.off, ml.len, ml.n);
        if (aio == NULL && queue[next] != NULL) {
            wst = pio_wait(&queue[next], NULL);
            if (wst != PFS_OK) {
                st = wst;
                break;
            }
        }
        st = is_write ? pio_write_desc(pf->file, buf, &mdesc, &fdesc, &r)
            : pio_read_desc(pf->file, buf, &mdesc, &fdesc, &r);
        if (st != PFS_OK)
            break;
        if (aio != NULL) {
            aio_add(aio, r);
        } else {
            queue[next] = r;
            next = (next + 1) % PFS_BLOCKING_DEPTH;
        }
        done += b;
    }
    for (size_t i = 0; i < PFS_BLOCKING_DEPTH; i++) {
        if (queue[i] != NULL) {
            wst = pio_wait(&queue[i], NULL);
            if (st == PFS_OK)
                st = wst;
        }
    }
    pfs_mpiio_list_free(&fl);
    pfs_mpiio_list_free(&ml);
    if (st != PFS_OK && aio != NULL) {
        /* what was issued still completes before the error returns */
        for (size_t i = 0; i < aio->n; i++)
            pio_wait(&aio->reqs[i], NULL);
    }
    return ADIOI_PFS_error(myname, __LINE__, st, is_write ? "write" : "read", fd->filename,
                           NULL);
}

/* The common path of the eight independent entry points. */
static void pfs_io(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                   int file_ptr_type, ADIO_Offset offset, int strided, ADIO_Status * status,
                   ADIO_Request * request, int is_write, int *error_code, const char *myname)
{
    pfs_mpiio_tiles_t view, mem;
    ADIO_Offset *view_cum = NULL, *mem_cum = NULL;
    MPI_Count type_size;
    uint64_t total, s0;
    pfs_aio_t *aio = NULL;

    MPI_Type_size_x(datatype, &type_size);
    total = (uint64_t) count * (uint64_t) type_size;

    if (strided) {
        ADIOI_PFS_view_tiles(fd, &view, &view_cum);
        s0 = ADIOI_PFS_stream_start(fd, &view, file_ptr_type, offset);
    } else {
        /* ROMIO passes contiguous accesses as byte offsets */
        pfs_mpiio_tiles_contig(&view, file_ptr_type == ADIO_INDIVIDUAL ? fd->fp_ind : offset);
        s0 = 0;
    }
    ADIOI_PFS_mem_tiles(datatype, &mem, &mem_cum);

    if (request != NULL && total > 0) {
        aio = ADIOI_Calloc(1, sizeof(*aio));
        aio->bytes = (MPI_Count) total;
        aio->path = fd->filename;
    }
    *error_code = total == 0 ? MPI_SUCCESS
        : pfs_access(fd, buf, &mem, &view, s0, total, is_write, aio, myname);

    if (*error_code == MPI_SUCCESS && file_ptr_type == ADIO_INDIVIDUAL && total > 0)
        fd->fp_ind = pfs_mpiio_tiles_end_of(&view, s0 + total);
    ADIOI_PFS_FREE(view_cum);
    ADIOI_PFS_FREE(mem_cum);

    if (request == NULL) {
#ifdef HAVE_STATUS_SET_BYTES
        if (status != NULL && *error_code == MPI_SUCCESS)
            MPIR_Status_set_bytes(status, datatype, (MPI_Count) total);
#endif
        return;
    }
    if (aio == NULL || *error_code != MPI_SUCCESS) {
        if (aio != NULL) {
            ADIOI_PFS_FREE(aio->reqs);
            ADIOI_Free(aio);
        }
        if (*error_code == MPI_SUCCESS)
            MPIO_Completed_request_create(&fd, 0, error_code, request);
        else
            *request = MPI_REQUEST_NULL;
        return;
    }
    if (pfs_greq_class == 0)
        MPIX_Grequest_class_create(aio_query_fn, aio_free_fn, MPIU_Greq_cancel_fn,
                                   aio_poll_fn, aio_wait_fn, &pfs_greq_class);
    MPIX_Grequest_class_allocate(pfs_greq_class, aio, request);
    aio->req = *request;
}

void ADIOI_PFS_ReadContig(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                          int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                          int *error_code)
{
    pfs_io(fd, buf, count, datatype, file_ptr_type, offset, 0, status, NULL, 0, error_code,
           "ADIOI_PFS_READCONTIG");
}

void ADIOI_PFS_WriteContig(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                           int *error_code)
{
    pfs_io(fd, (void *) buf, count, datatype, file_ptr_type, offset, 0, status, NULL, 1,
           error_code, "ADIOI_PFS_WRITECONTIG");
}

void ADIOI_PFS_ReadStrided(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                           int *error_code)
{
    pfs_io(fd, buf, count, datatype, file_ptr_type, offset, 1, status, NULL, 0, error_code,
           "ADIOI_PFS_READSTRIDED");
}

void ADIOI_PFS_WriteStrided(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                            int *error_code)
{
    pfs_io(fd, (void *) buf, count, datatype, file_ptr_type, offset, 1, status, NULL, 1,
           error_code, "ADIOI_PFS_WRITESTRIDED");
}

void ADIOI_PFS_IreadContig(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                           int *error_code)
{
    pfs_io(fd, buf, count, datatype, file_ptr_type, offset, 0, NULL, request, 0, error_code,
           "ADIOI_PFS_IREADCONTIG");
}

void ADIOI_PFS_IwriteContig(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                            int *error_code)
{
    pfs_io(fd, (void *) buf, count, datatype, file_ptr_type, offset, 0, NULL, request, 1,
           error_code, "ADIOI_PFS_IWRITECONTIG");
}

void ADIOI_PFS_IreadStrided(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                            int *error_code)
{
    pfs_io(fd, buf, count, datatype, file_ptr_type, offset, 1, NULL, request, 0, error_code,
           "ADIOI_PFS_IREADSTRIDED");
}

void ADIOI_PFS_IwriteStrided(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                             int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                             int *error_code)
{
    pfs_io(fd, (void *) buf, count, datatype, file_ptr_type, offset, 1, NULL, request, 1,
           error_code, "ADIOI_PFS_IWRITESTRIDED");
}
