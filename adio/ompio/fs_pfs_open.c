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
#include <sys/stat.h>

#include "opal/util/output.h"

#include <pfs/pio_mpi.h>

/* ROMIO's default collective buffer, so that Open MPI and MPICH run the
 * collective engine alike */
#define PFS_OMPIO_CB_BUFFER_DEFAULT (16ULL << 20)

/* ---- the client ---------------------------------------------------------- */

static pio_client_t *pfs_client;
static int pfs_keyval = MPI_KEYVAL_INVALID;
static int pfs_files;      /* files open on pfs_client */
static int pfs_finalizing; /* MPI_Finalize has begun: disconnect at the last close */

static void client_disconnect(void)
{
    pio_fini(pfs_client);
    pfs_client = NULL;
    pfs_finalizing = 0;
}

/* MPI_Finalize deletes MPI_COMM_SELF's attributes first, while MPI still
 * works: that is when the client disconnects, or, if files are still
 * open, when the last of them closes.  Other attributes' callbacks run
 * after this one when they were set before it (the reverse order of
 * setting): HDF5's, set at its initialization, closes the HDF5 files it
 * has open, writing to them first. */
static int client_delete_fn(MPI_Comm comm, int keyval, void *attr, void *extra)
{
    MPI_Comm_free_keyval(&pfs_keyval);
    if (pfs_files > 0)
        pfs_finalizing = 1;
    else
        client_disconnect();
    return MPI_SUCCESS;
}

static void file_closed(void)
{
    if (--pfs_files == 0 && pfs_finalizing)
        client_disconnect();
}

int mca_fs_pfs_client(opal_info_t *info, pio_client_t **client_p)
{
    char descriptor[OPAL_MAX_INFO_VAL + 1];
    char errmsg[512];
    int flag = 0;
    pio_config_t config = {0};
    pfs_status_t st;

    if (pfs_client != NULL) {
        *client_p = pfs_client;
        return MPI_SUCCESS;
    }
    if (info != NULL)
        opal_info_get(info, "pfs_ensemble", OPAL_MAX_INFO_VAL, descriptor,
                      &flag);
    if (flag)
        config.descriptor = descriptor;
    else if (getenv("PFS_ENSEMBLE") == NULL)
        return pfs_ompio_error(
            PFS_ERR_CONFIG, "connect", NULL,
            "no ensemble: set PFS_ENSEMBLE to the descriptor file "
            "written by the servers (or give the pfs_ensemble hint)");
    st = pio_init(&config, &pfs_client, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        /* whatever failed (a missing descriptor is NOENT inside libpio),
         * for the program it is the file system that is not reachable */
        pfs_client = NULL;
        return pfs_ompio_error(PFS_ERR_CONN, "connect", NULL, errmsg);
    }
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, client_delete_fn, &pfs_keyval,
                           NULL);
    MPI_Comm_set_attr(MPI_COMM_SELF, pfs_keyval, NULL);
    *client_p = pfs_client;
    return MPI_SUCCESS;
}

/* ---- hints --------------------------------------------------------------- */

/* A hint that must be a positive integer; anything else is ignored with a
 * warning (rank 0 prints it), as ROMIO does with hints it cannot use. */
static int hint_u64(const ompio_file_t *fh, opal_info_t *info, const char *key,
                    uint64_t max, uint64_t *out)
{
    char value[OPAL_MAX_INFO_VAL + 1];
    char *end;
    int flag = 0;
    unsigned long long v;

    opal_info_get(info, key, OPAL_MAX_INFO_VAL, value, &flag);
    if (!flag)
        return 0;
    v = strtoull(value, &end, 10);
    if (end != value && *end == '\0' && v > 0 && v <= max && value[0] != '-') {
        *out = v;
        return 1;
    }
    if (fh->f_rank == 0)
        opal_output(0,
                    "pfs: ignoring hint %s=\"%s\": not an integer in 1..%llu",
                    key, value, (unsigned long long)max);
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
        if (v % 512 == 0 && v >= 4096)
            pf->stripe_size = v;
        else if (fh->f_rank == 0)
            opal_output(
                0,
                "pfs: ignoring hint striping_unit=%llu: pfs stripes are "
                "multiples of 512 bytes, at least 4096",
                (unsigned long long)v);
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

/* After a successful open: the real layout, and what the collective
 * engine will use, go to the info object MPI_File_get_info returns. */
static void report_layout(ompio_file_t *fh, pfs_ompio_file_t *pf)
{
    pio_layout_info_t li;
    pio_coll_hints_t defaults;
    char value[64];
    int aggr;

    if (pio_file_layout(pf->file, &li) != PFS_OK)
        return;
    fh->f_stripe_size = (size_t)li.stripe_size;
    fh->f_stripe_count = (int)li.stripe_count;
    fh->f_fs_block_size =
        (int)(li.stripe_size < (1ULL << 30) ? li.stripe_size : 1ULL << 30);
    if (fh->f_info == NULL)
        return;
    snprintf(value, sizeof(value), "%llu", (unsigned long long)li.stripe_size);
    opal_info_set(fh->f_info, "striping_unit", value);
    snprintf(value, sizeof(value), "%u", li.stripe_count);
    opal_info_set(fh->f_info, "striping_factor", value);
    snprintf(value, sizeof(value), "%u", li.servers[0]);
    opal_info_set(fh->f_info, "pfs_first_server", value);
    /* pio_coll.c's rule: one aggregator per stripe slot, at most one per
     * rank, unless the user says otherwise */
    aggr = pf->cb_nodes > 0 ? pf->cb_nodes : (int)li.stripe_count;
    if (aggr > fh->f_size)
        aggr = fh->f_size;
    snprintf(value, sizeof(value), "%d", aggr);
    opal_info_set(fh->f_info, "cb_nodes", value);
    snprintf(value, sizeof(value), "%llu",
             (unsigned long long)pf->cb_buffer_size);
    opal_info_set(fh->f_info, "cb_buffer_size", value);
    pio_coll_hints_default(&defaults);
    snprintf(value, sizeof(value), "%llu",
             (unsigned long long)(pf->direct_min ? pf->direct_min
                                                 : defaults.direct_min));
    opal_info_set(fh->f_info, "pfs_direct_min", value);
}

/* ---- open and close ------------------------------------------------------ */

/* What rank 0 broadcasts after opening. */
typedef struct {
    int32_t status;
    uint32_t handle_len;
    char msg[512];
    unsigned char handle[PIO_HANDLE_MAX];
} open_reply_t;

static int pio_flags(int amode)
{
    if (amode & MPI_MODE_RDWR)
        return PIO_RDWR;
    if (amode & MPI_MODE_WRONLY)
        return PIO_WRONLY;
    return PIO_RDONLY;
}

static uint32_t create_mode(const ompio_file_t *fh)
{
    mode_t mask;

    if (fh->f_perm != OMPIO_PERM_NULL)
        return (uint32_t)fh->f_perm;
    mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

/* Create or open on this process alone; msg gets libpio's explanation. */
static pfs_status_t open_here(const ompio_file_t *fh, pfs_ompio_file_t *pf,
                              int amode, pio_file_t **file_p, char *msg,
                              size_t msg_size)
{
    int flags = pio_flags(amode);
    pfs_status_t st;

    if (amode & MPI_MODE_CREATE) {
        pio_layout_t layout = {
            .stripe_size = pf->stripe_size,
            .stripe_count = pf->stripe_count,
        };
        uint32_t n = pio_client_niosrv(pf->client);
        if (layout.stripe_count > n) {
            /* like Lustre: ask for more servers than exist, get them all */
            layout.stripe_count = n;
        }
        if (amode & MPI_MODE_EXCL)
            flags |= PIO_EXCL;
        st = pio_create(pf->client, pf->path, create_mode(fh), flags, &layout,
                        file_p);
    } else {
        st = pio_open(pf->client, pf->path, flags, file_p);
    }
    if (st != PFS_OK)
        snprintf(msg, msg_size, "%s", pio_client_errmsg(pf->client));
    return st;
}

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
    static open_reply_t reply; /* 2.5 KiB; OMPIO opens one file at a time */
    pfs_ompio_file_t *pf;
    pfs_status_t st;
    size_t len = 0;
    int err;

    /* the user's access mode: OMPIO's own copy (amode) may have been
     * widened from write-only to read-write for its data sieving, which
     * pfs does not do and which the file's permissions may not allow */
    amode = fh->f_amode;
    memset(&reply, 0, sizeof(reply));
    pf = calloc(1, sizeof(*pf));
    if (pf == NULL || (pf->path = strdup(filename)) == NULL) {
        reply.status = PFS_ERR_NOMEM; /* the others wait in the broadcast */
        MPI_Bcast(&reply, sizeof(reply), MPI_BYTE, 0, comm);
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
    if (fh->f_rank == 0) {
        if (err != MPI_SUCCESS) {
            reply.status = PFS_ERR_CONN;
            snprintf(reply.msg, sizeof(reply.msg), "rank 0 could not connect");
        } else {
            st = open_here(fh, pf, amode, &pf->file, reply.msg,
                           sizeof(reply.msg));
            if (st == PFS_OK)
                st = pio_file_export(pf->file, reply.handle,
                                     sizeof(reply.handle), &len);
            reply.status = st;
            reply.handle_len = (uint32_t)len;
        }
    }
    MPI_Bcast(&reply, sizeof(reply), MPI_BYTE, 0, comm);
    if (err != MPI_SUCCESS) {
        /* this rank's own failure to connect is its error */
    } else if (reply.status != PFS_OK) {
        err = pfs_ompio_error(reply.status,
                              (amode & MPI_MODE_CREATE) ? "create" : "open",
                              filename, reply.msg);
    } else if (fh->f_rank != 0) {
        st = pio_file_import(pf->client, reply.handle, reply.handle_len,
                             pio_flags(amode), &pf->file);
        if (st != PFS_OK)
            err = pfs_ompio_error(st, "open", filename,
                                  pio_client_errmsg(pf->client));
    }
    if (err != MPI_SUCCESS)
        goto out_close;

    pfs_files++;
    report_layout(fh, pf);
    fh->f_fs_ptr = pf;
    mca_fs_pfs_io_takeover(fh);
    return MPI_SUCCESS;

out_close:
    if (pf->file != NULL)
        pio_close(pf->file);
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
    file_closed();
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
