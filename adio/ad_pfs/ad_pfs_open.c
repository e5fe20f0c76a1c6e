/* ad_pfs_open.c - open, close, delete and hints.
 *
 * Collective open asks the metadata server once: rank 0 creates or opens
 * the file and broadcasts an exported handle (libpio's
 * pio_file_export), which the other ranks import without any server
 * traffic.  There is no open storm however many ranks open the file.
 */
#include "ad_pfs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* What rank 0 broadcasts after opening. */
typedef struct {
    int32_t status;
    uint32_t handle_len;
    char msg[512];
    unsigned char handle[PIO_HANDLE_MAX];
} open_reply_t;

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

static uint32_t create_mode(ADIO_File fd)
{
    mode_t mask;

    if (fd->perm != ADIO_PERM_NULL)
        return (uint32_t) fd->perm;
    mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

/* Create or open on this process alone; *msg gets libpio's explanation. */
static pfs_status_t open_here(ADIO_File fd, pio_client_t *client, int access_mode,
                              pio_file_t **file_p, char *msg, size_t msg_size)
{
    ADIOI_PFS_file_t *pf = pfs_state(fd);
    int flags = ADIOI_PFS_pio_flags(access_mode);
    pfs_status_t st;

    if (access_mode & ADIO_CREATE) {
        pio_layout_t layout = {
            .stripe_size = pf->stripe_size,
            .stripe_count = pf->stripe_count,
        };
        uint32_t n = pio_client_niosrv(client);
        if (layout.stripe_count > n) {
            /* like Lustre: ask for more servers than exist, get them all */
            layout.stripe_count = n;
        }
        if (access_mode & ADIO_EXCL)
            flags |= PIO_EXCL;
        st = pio_create(client, fd->filename, create_mode(fd), flags, &layout, file_p);
    } else {
        st = pio_open(client, fd->filename, flags, file_p);
    }
    if (st != PFS_OK)
        MPL_snprintf(msg, msg_size, "%s", pio_client_errmsg(client));
    return st;
}

/* After a successful open: the real layout goes to ROMIO's hints and to
 * the info object that MPI_File_get_info returns. */
static void report_layout(ADIO_File fd)
{
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pio_layout_info_t li;
    pio_coll_hints_t defaults;
    char value[64];
    int nprocs, aggr;

    if (pio_file_layout(pf->file, &li) != PFS_OK)
        return;
    MPI_Comm_size(fd->comm, &nprocs);
    fd->blksize = (long) li.stripe_size;
    fd->hints->striping_unit = (int) ADIOI_PFS_MIN(li.stripe_size, (uint64_t) INT_MAX);
    fd->hints->striping_factor = (int) li.stripe_count;
    fd->hints->start_iodevice = (int) li.servers[0];
    MPL_snprintf(value, sizeof(value), "%llu", (unsigned long long) li.stripe_size);
    ADIOI_Info_set(fd->info, "striping_unit", value);
    MPL_snprintf(value, sizeof(value), "%u", li.stripe_count);
    ADIOI_Info_set(fd->info, "striping_factor", value);
    MPL_snprintf(value, sizeof(value), "%u", li.servers[0]);
    ADIOI_Info_set(fd->info, "pfs_first_server", value);
    /* what the collective engine will use (pio_coll.c's rule) */
    aggr = pf->cb_nodes > 0 ? pf->cb_nodes : (int) li.stripe_count;
    aggr = ADIOI_PFS_MIN(aggr, nprocs);
    MPL_snprintf(value, sizeof(value), "%d", aggr);
    ADIOI_Info_set(fd->info, "cb_nodes", value);
    pio_coll_hints_default(&defaults);
    MPL_snprintf(value, sizeof(value), "%llu", (unsigned long long)
                 (pf->direct_min ? pf->direct_min : defaults.direct_min));
    ADIOI_Info_set(fd->info, "pfs_direct_min", value);
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
    st = open_here(fd, client, fd->access_mode, &pf->file, msg, sizeof(msg));
    if (st != PFS_OK) {
        *error_code = ADIOI_PFS_error(myname, __LINE__, st, "open", fd->filename, msg);
        free_state(fd);
        return;
    }
    ADIOI_PFS_file_opened();
    report_layout(fd);
    fd->is_open = 1;
    *error_code = MPI_SUCCESS;
}

void ADIOI_PFS_OpenColl(ADIO_File fd, int rank, int access_mode, int *error_code)
{
    static char myname[] = "ADIOI_PFS_OPENCOLL";
    ADIOI_PFS_file_t *pf = pfs_state(fd);
    pio_client_t *client = NULL;
    open_reply_t *reply = ADIOI_Calloc(1, sizeof(*reply));
    pfs_status_t st;
    size_t len = 0;
    int err;

    /* every rank connects (lazily, once per process) */
    err = ADIOI_PFS_client(&client, fd->info, myname);
    if (rank == 0) {
        if (err != MPI_SUCCESS) {
            reply->status = PFS_ERR_CONN;
            MPL_snprintf(reply->msg, sizeof(reply->msg), "rank 0 could not connect");
        } else {
            pio_file_t *file = NULL;
            st = open_here(fd, client, access_mode, &file, reply->msg, sizeof(reply->msg));
            if (st == PFS_OK)
                st = pio_file_export(file, reply->handle, sizeof(reply->handle), &len);
            reply->status = st;
            reply->handle_len = (uint32_t) len;
            pf->file = file;
        }
    }
    MPI_Bcast(reply, sizeof(*reply), MPI_BYTE, 0, fd->comm);
    if (err != MPI_SUCCESS) {
        /* this rank's own failure to connect is its error */
    } else if (reply->status != PFS_OK) {
        err = ADIOI_PFS_error(myname, __LINE__, reply->status,
                              (access_mode & ADIO_CREATE) ? "create" : "open",
                              fd->filename, reply->msg);
    } else if (rank != 0) {
        st = pio_file_import(client, reply->handle, reply->handle_len,
                             ADIOI_PFS_pio_flags(access_mode), &pf->file);
        if (st != PFS_OK)
            err = ADIOI_PFS_error(myname, __LINE__, st, "open", fd->filename,
                                  pio_client_errmsg(client));
    }
    ADIOI_Free(reply);
    if (err != MPI_SUCCESS) {
        if (pf->file)
            pio_close(pf->file);
        free_state(fd);
        *error_code = err;
        return;
    }
    ADIOI_PFS_file_opened();
    report_layout(fd);
    fd->is_open = 1;
    fd->dirty_write = 0;
    *error_code = MPI_SUCCESS;
}

void ADIOI_PFS_Close(ADIO_File fd, int *error_code)
{
    static char myname[] = "ADIOI_PFS_CLOSE";
    ADIOI_PFS_file_t *pf = fd->fs_ptr;
    pfs_status_t st = PFS_OK;

    if (pf != NULL && pf->file != NULL) {
        st = pio_close(pf->file);
        pf->file = NULL;
        ADIOI_PFS_file_closed();
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

/* A hint that must be a positive integer; anything else is ignored with a
 * warning (rank 0 prints it), as ROMIO does with hints it cannot use. */
static int hint_u64(ADIO_File fd, MPI_Info info, const char *key, uint64_t max, uint64_t *out)
{
    char value[MPI_MAX_INFO_VAL + 1];
    char *end;
    int flag = 0, rank;
    unsigned long long v;

    ADIOI_Info_get(info, key, MPI_MAX_INFO_VAL, value, &flag);
    if (!flag)
        return 0;
    v = strtoull(value, &end, 10);
    if (end != value && *end == '\0' && v > 0 && v <= max && value[0] != '-') {
        *out = v;
        return 1;
    }
    MPI_Comm_rank(fd->comm, &rank);
    if (rank == 0)
        fprintf(stderr, "pfs: ignoring hint %s=\"%s\": not an integer in 1..%llu\n", key,
                value, (unsigned long long) max);
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
            if (v % 512 == 0 && v >= 4096) {
                pf->stripe_size = v;
            } else {
                int rank;
                MPI_Comm_rank(fd->comm, &rank);
                if (rank == 0)
                    fprintf(stderr, "pfs: ignoring hint striping_unit=%llu: pfs stripes "
                            "are multiples of 512 bytes, at least 4096\n",
                            (unsigned long long) v);
            }
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
