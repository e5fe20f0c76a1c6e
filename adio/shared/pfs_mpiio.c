/* pfs_mpiio.c - the process's libpio client, the collective open, and
 * the hints read at open and reported after it, for the ROMIO driver and
 * the OMPIO components alike (see pfs_mpiio.h). */
#include "pfs_mpiio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pfs/pio_mpi.h>

/* ---- the client ---- */

static pio_client_t *pfs_client;
static int pfs_keyval = MPI_KEYVAL_INVALID;
static int pfs_files;           /* files open on pfs_client */
static int pfs_finalizing;      /* MPI_Finalize has begun: disconnect at the last close */

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

void pfs_mpiio_file_opened(void)
{
    pfs_files++;
}

void pfs_mpiio_file_closed(void)
{
    if (--pfs_files == 0 && pfs_finalizing)
        client_disconnect();
}

pfs_status_t pfs_mpiio_client(const char *descriptor, pio_client_t **client_p, char *msg,
                              size_t msg_size)
{
    pio_config_t config = { 0 };
    pfs_status_t st;

    if (pfs_client != NULL) {
        *client_p = pfs_client;
        return PFS_OK;
    }
    if (descriptor != NULL) {
        config.descriptor = descriptor;
    } else if (getenv("PFS_ENSEMBLE") == NULL) {
        snprintf(msg, msg_size, "%s", "no ensemble: set PFS_ENSEMBLE to the descriptor file "
                 "written by the servers (or give the pfs_ensemble hint)");
        return PFS_ERR_CONFIG;
    }
    st = pio_init(&config, &pfs_client, msg, msg_size);
    if (st != PFS_OK) {
        /* whatever failed (a missing descriptor is NOENT inside libpio), for
         * the program it is the file system that is not reachable */
        pfs_client = NULL;
        return PFS_ERR_CONN;
    }
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, client_delete_fn, &pfs_keyval, NULL);
    MPI_Comm_set_attr(MPI_COMM_SELF, pfs_keyval, NULL);
    *client_p = pfs_client;
    return PFS_OK;
}

/* ---- open ---- */

/* What rank 0 broadcasts after opening. */
typedef struct {
    int32_t status;
    uint32_t handle_len;
    char msg[512];
    unsigned char handle[PIO_HANDLE_MAX];
} open_reply_t;

int pfs_mpiio_pio_flags(int amode)
{
    if (amode & MPI_MODE_RDWR)
        return PIO_RDWR;
    if (amode & MPI_MODE_WRONLY)
        return PIO_WRONLY;
    return PIO_RDONLY;
}

static uint32_t create_mode(int perm)
{
    mode_t mask;

    if (perm >= 0)
        return (uint32_t) perm;
    mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

pfs_status_t pfs_mpiio_open_here(pio_client_t *client, const char *path, int amode, int perm,
                                 uint64_t stripe_size, uint32_t stripe_count,
                                 pio_file_t **file_p, char *msg, size_t msg_size)
{
    int flags = pfs_mpiio_pio_flags(amode);
    pfs_status_t st;

    if (amode & MPI_MODE_CREATE) {
        pio_layout_t layout = {
            .stripe_size = stripe_size,
            .stripe_count = stripe_count,
        };
        uint32_t n = pio_client_niosrv(client);
        if (layout.stripe_count > n) {
            /* like Lustre: ask for more servers than exist, get them all */
            layout.stripe_count = n;
        }
        if (amode & MPI_MODE_EXCL)
            flags |= PIO_EXCL;
        st = pio_create(client, path, create_mode(perm), flags, &layout, file_p);
    } else {
        st = pio_open(client, path, flags, file_p);
    }
    if (st != PFS_OK)
        snprintf(msg, msg_size, "%s", pio_client_errmsg(client));
    return st;
}

pfs_status_t pfs_mpiio_open_coll(MPI_Comm comm, int rank, pfs_status_t failed,
                                 pio_client_t *client, const char *path, int amode, int perm,
                                 uint64_t stripe_size, uint32_t stripe_count,
                                 pio_file_t **file_p, const char **what_p, char *msg,
                                 size_t msg_size)
{
    open_reply_t reply; /* 2.5 KiB */
    pio_file_t *file = NULL;
    pfs_status_t st;
    size_t len = 0;

    memset(&reply, 0, sizeof(reply));
    *what_p = (amode & MPI_MODE_CREATE) ? "create" : "open";
    if (rank == 0) {
        if (failed != PFS_OK) {
            reply.status = failed;
            if (failed == PFS_ERR_CONN)
                snprintf(reply.msg, sizeof(reply.msg), "rank 0 could not connect");
        } else {
            st = pfs_mpiio_open_here(client, path, amode, perm, stripe_size, stripe_count,
                                     &file, reply.msg, sizeof(reply.msg));
            if (st == PFS_OK)
                st = pio_file_export(file, reply.handle, sizeof(reply.handle), &len);
            reply.status = st;
            reply.handle_len = (uint32_t) len;
        }
    }
    MPI_Bcast(&reply, sizeof(reply), MPI_BYTE, 0, comm);
    if (failed != PFS_OK) {
        /* this rank's own failure is its error */
        st = failed;
    } else if (reply.status != PFS_OK) {
        st = reply.status;
        snprintf(msg, msg_size, "%s", reply.msg);
    } else if (rank != 0) {
        st = pio_file_import(client, reply.handle, reply.handle_len,
                             pfs_mpiio_pio_flags(amode), &file);
        if (st != PFS_OK) {
            *what_p = "open";
            snprintf(msg, msg_size, "%s", pio_client_errmsg(client));
        }
    } else {
        st = PFS_OK;
    }
    if (st != PFS_OK) {
        if (file != NULL)
            pio_close(file);
        return st;
    }
    *file_p = file;
    return PFS_OK;
}

/* ---- hints ---- */

int pfs_mpiio_hint_u64(pfs_mpiio_info_get_t get, void *ctx, const char *key, uint64_t max,
                       uint64_t *out_p, char *warn, size_t warn_size)
{
    char value[MPI_MAX_INFO_VAL + 1];
    char *end;
    unsigned long long v;

    warn[0] = '\0';
    if (!get(ctx, key, value, MPI_MAX_INFO_VAL))
        return 0;
    v = strtoull(value, &end, 10);
    if (end != value && *end == '\0' && v > 0 && v <= max && value[0] != '-') {
        *out_p = v;
        return 1;
    }
    snprintf(warn, warn_size, "pfs: ignoring hint %s=\"%s\": not an integer in 1..%llu", key,
             value, (unsigned long long) max);
    return 0;
}

int pfs_mpiio_hint_stripe_size(uint64_t v, char *warn, size_t warn_size)
{
    if (v % 512 == 0 && v >= 4096)
        return 1;
    snprintf(warn, warn_size, "pfs: ignoring hint striping_unit=%llu: pfs stripes are "
             "multiples of 512 bytes, at least 4096", (unsigned long long) v);
    return 0;
}

pfs_status_t pfs_mpiio_report_layout(pio_file_t *file, int cb_nodes, int nprocs,
                                     uint64_t cb_buffer_size, uint64_t direct_min,
                                     void (*set)(void *ctx, const char *key,
                                                 const char *value), void *ctx,
                                     pio_layout_info_t *li_p)
{
    pio_coll_hints_t defaults;
    char value[64];
    int aggr;
    pfs_status_t st;

    st = pio_file_layout(file, li_p);
    if (st != PFS_OK)
        return st;
    snprintf(value, sizeof(value), "%llu", (unsigned long long) li_p->stripe_size);
    set(ctx, "striping_unit", value);
    snprintf(value, sizeof(value), "%u", li_p->stripe_count);
    set(ctx, "striping_factor", value);
    snprintf(value, sizeof(value), "%u", li_p->servers[0]);
    set(ctx, "pfs_first_server", value);
    /* pio_coll.c's rule: one aggregator per stripe slot, at most one per
     * rank, unless the user says otherwise */
    aggr = cb_nodes > 0 ? cb_nodes : (int) li_p->stripe_count;
    if (aggr > nprocs)
        aggr = nprocs;
    snprintf(value, sizeof(value), "%d", aggr);
    set(ctx, "cb_nodes", value);
    if (cb_buffer_size > 0) {
        snprintf(value, sizeof(value), "%llu", (unsigned long long) cb_buffer_size);
        set(ctx, "cb_buffer_size", value);
    }
    pio_coll_hints_default(&defaults);
    snprintf(value, sizeof(value), "%llu",
             (unsigned long long) (direct_min ? direct_min : defaults.direct_min));
    set(ctx, "pfs_direct_min", value);
    return PFS_OK;
}
