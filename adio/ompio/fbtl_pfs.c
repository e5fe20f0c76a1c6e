/* fbtl_pfs.c - the fbtl component for pfs (mca_fbtl_pfs): independent
 * I/O.
 *
 * OMPIO hands an fbtl the pieces of one independent call (or of one
 * cycle of a very large one) as ompio_file_t.f_io_array: (memory address,
 * file offset, length) triples, already through the file view and the
 * memory datatype.  They become one structured request per I/O server:
 * one pio_write_desc/pio_read_desc call with the file offsets as one list
 * and the memory addresses as another.  No data sieving, no locks: the
 * servers take exact pieces.
 *
 * Non-blocking calls keep the libpio request in OMPIO's request and
 * complete it from OMPIO's progress function.
 *
 * Errors: OMPIO ignores a negative result of the blocking calls, so the
 * error is also recorded on the file (pfs_ompio_note_error) for the
 * io-module entry points of fs_pfs_file.c to return.  A non-blocking
 * call's error is its request's status.
 */
#include "pfs_ompio.h"

#include <stdlib.h>
#include <unistd.h>

#include "ompi/mca/fbtl/fbtl.h"
#include "ompi/mca/common/ompio/common_ompio_request.h"

static int mca_fbtl_pfs_priority = PFS_OMPIO_FBTL_PRIORITY;

/* A non-blocking call in flight (mca_ompio_request_t.req_data). */
typedef struct {
    pio_request_t *req; /* NULL once complete (or never issued) */
    pfs_ompio_file_t *pf;
    uint64_t bytes;
    int is_write;
    int error;     /* MPI error code */
    unsigned idle; /* polls that found it still running */
} fbtl_pfs_req_t;

/* The pieces of fh->f_io_array as libpio descriptions.  *base_p is the
 * lowest memory address; memory offsets are relative to it. */
static pfs_status_t build_desc(const ompio_file_t *fh, pio_desc_t *fd,
                               pio_desc_t *md, uint64_t **arrays_p,
                               char **base_p, uint64_t *bytes_p)
{
    const mca_common_ompio_io_array_t *io = fh->f_io_array;
    size_t n = (size_t)fh->f_num_of_io_entries;
    uint64_t *a = malloc(3 * n * sizeof(*a));
    uint64_t *off = a, *len = a + n, *mem = a + 2 * n;
    uint64_t bytes = 0;
    char *base = NULL;

    if (a == NULL)
        return PFS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || (char *)io[i].memory_address < base)
            base = io[i].memory_address;
    }
    for (size_t i = 0; i < n; i++) {
        off[i] = (uint64_t)(intptr_t)io[i].offset;
        len[i] = io[i].length;
        mem[i] = (uint64_t)((char *)io[i].memory_address - base);
        bytes += len[i];
    }
    pio_desc_list(fd, off, len, n);
    pio_desc_list(md, mem, len, n);
    *arrays_p = a;
    *base_p = base;
    *bytes_p = bytes;
    return PFS_OK;
}

/* Issue (req_p non-NULL) or perform the transfer of fh->f_io_array. */
static pfs_status_t transfer(ompio_file_t *fh, pfs_ompio_file_t *pf,
                             int is_write, pio_request_t **req_p,
                             uint64_t *bytes_p)
{
    pio_desc_t fd, md;
    uint64_t *arrays;
    char *base;
    pfs_status_t st;

    st = build_desc(fh, &fd, &md, &arrays, &base, bytes_p);
    if (st != PFS_OK)
        return st;
    /* the descriptions are consumed during the call */
    st = is_write ? pio_write_desc(pf->file, base, &md, &fd, req_p)
                  : pio_read_desc(pf->file, base, &md, &fd, req_p);
    free(arrays);
    return st;
}

static int error_of(pfs_ompio_file_t *pf, pfs_status_t st, int is_write)
{
    return pfs_ompio_error(st, is_write ? "write" : "read", pf->path,
                           pio_client_errmsg(pf->client));
}

static ssize_t blocking(ompio_file_t *fh, int is_write)
{
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    uint64_t bytes = 0;
    pfs_status_t st;

    if (pf == NULL || fh->f_io_array == NULL)
        return OMPI_ERROR;
    if (fh->f_num_of_io_entries <= 0)
        return 0;
    st = transfer(fh, pf, is_write, NULL, &bytes);
    if (st != PFS_OK) {
        pfs_ompio_note_error(pf, error_of(pf, st, is_write));
        return OMPI_ERROR;
    }
    return (ssize_t)bytes;
}

static ssize_t mca_fbtl_pfs_preadv(ompio_file_t *fh)
{
    return blocking(fh, 0);
}

static ssize_t mca_fbtl_pfs_pwritev(ompio_file_t *fh)
{
    return blocking(fh, 1);
}

static bool mca_fbtl_pfs_progress(mca_ompio_request_t *req);
static void mca_fbtl_pfs_request_free(mca_ompio_request_t *req);

/* OMPIO ignores what this returns and waits for the request: the request
 * always gets a progress function, which completes it, with the error
 * if issuing failed. */
static ssize_t nonblocking(ompio_file_t *fh, ompi_request_t *request,
                           int is_write)
{
    mca_ompio_request_t *req = (mca_ompio_request_t *)request;
    pfs_ompio_file_t *pf = pfs_ompio_state(fh);
    fbtl_pfs_req_t *r = calloc(1, sizeof(*r));
    pfs_status_t st;

    /* OMPIO leaves this unset; the error handler of a failed request is
     * the file's */
    req->req_ompi.req_mpi_object.file = fh->f_fh;
    req->req_progress_fn = mca_fbtl_pfs_progress;
    req->req_free_fn = mca_fbtl_pfs_request_free;
    if (r == NULL) {
        /* no state to complete from: complete now */
        req->req_ompi.req_status.MPI_ERROR =
            pfs_ompio_error(PFS_ERR_NOMEM, "I/O", NULL, NULL);
        req->req_ompi.req_status._ucount = 0;
        req->req_progress_fn = NULL;
        ompi_request_complete(&req->req_ompi, false);
        return OMPI_ERROR;
    }
    req->req_data = r;
    r->pf = pf;
    r->is_write = is_write;
    if (pf == NULL) {
        r->error = pfs_ompio_error(PFS_ERR_BADF, "I/O", fh->f_filename, NULL);
        return OMPI_ERROR;
    }
    st = transfer(fh, pf, is_write, &r->req, &r->bytes);
    if (st != PFS_OK) {
        r->req = NULL;
        r->error = error_of(pf, st, is_write);
        return OMPI_ERROR;
    }
    return OMPI_SUCCESS;
}

static ssize_t mca_fbtl_pfs_ipreadv(ompio_file_t *fh, ompi_request_t *request)
{
    return nonblocking(fh, request, 0);
}

static ssize_t mca_fbtl_pfs_ipwritev(ompio_file_t *fh, ompi_request_t *request)
{
    return nonblocking(fh, request, 1);
}

/* Called from opal_progress, in a loop while a program waits.  libpio
 * makes progress only inside its calls, so this polls; after a few
 * fruitless polls it naps (up to 0.1 ms), so that a rank waiting for the
 * servers leaves them the core (the servers often share the node). */
static bool mca_fbtl_pfs_progress(mca_ompio_request_t *req)
{
    fbtl_pfs_req_t *r = req->req_data;
    pfs_status_t st;
    int done = 0;

    if (r == NULL)
        return true;
    if (r->req != NULL) {
        st = pio_test(&r->req, &done, NULL);
        if (!done) {
            if (++r->idle > 16)
                usleep(r->idle > 23 ? 100 : 1u << (r->idle - 17));
            return false;
        }
        if (st != PFS_OK)
            r->error = error_of(r->pf, st, r->is_write);
    }
    req->req_ompi.req_status.MPI_ERROR = r->error;
    req->req_ompi.req_status._ucount = r->error == MPI_SUCCESS ? r->bytes : 0;
    return true;
}

static void mca_fbtl_pfs_request_free(mca_ompio_request_t *req)
{
    fbtl_pfs_req_t *r = req->req_data;

    if (r == NULL)
        return;
    if (r->req != NULL) /* freed before completion: finish first */
        pio_wait(&r->req, NULL);
    free(r);
    req->req_data = NULL;
}

/* ---- the component ----------------------------------------------------------
 */

static mca_fbtl_base_module_1_0_0_t fbtl_pfs_module = {
    pfs_ompio_module_nothing, /* init */
    pfs_ompio_module_nothing, /* finalize */
    mca_fbtl_pfs_preadv,   /* one structured read per call */
    mca_fbtl_pfs_ipreadv,  /* the same, non-blocking */
    mca_fbtl_pfs_pwritev,  /* one structured write per call */
    mca_fbtl_pfs_ipwritev, /* the same, non-blocking */
    mca_fbtl_pfs_progress, /* pio_test */
    mca_fbtl_pfs_request_free};

static int fbtl_pfs_register(void);

static struct mca_fbtl_base_module_1_0_0_t *
fbtl_pfs_file_query(ompio_file_t *fh, int *priority)
{
    if (!pfs_ompio_is_pfs(fh))
        return NULL;
    *priority = mca_fbtl_pfs_priority;
    return &fbtl_pfs_module;
}

PFS_OMPIO_EXPORT mca_fbtl_base_component_2_0_0_t mca_fbtl_pfs_component = {
    .fbtlm_version =
        {
            MCA_FBTL_BASE_VERSION_2_0_0,
            .mca_component_name = PFS_OMPIO_NAME,
            MCA_BASE_MAKE_VERSION(component, OMPI_MAJOR_VERSION,
                                  OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION),
            .mca_open_component = pfs_ompio_component_open,
            .mca_register_component_params = fbtl_pfs_register,
        },
    .fbtlm_data = {MCA_BASE_METADATA_PARAM_NONE},
    .fbtlm_init_query = pfs_ompio_init_query,
    .fbtlm_file_query = fbtl_pfs_file_query,
    .fbtlm_file_unquery = pfs_ompio_file_unquery,
};

static int fbtl_pfs_register(void)
{
    return pfs_ompio_register_priority(
        &mca_fbtl_pfs_component.fbtlm_version, &mca_fbtl_pfs_priority,
        PFS_OMPIO_FBTL_PRIORITY,
        "Priority of the fbtl pfs component (it bids only "
        "for files of the fs pfs component)");
}
