/* H5FDpfs.c - H5FD_pfs: HDF5 files in pfs through libpio (pfs/H5FDpfs.h).
 *
 * One source for HDF5 1.10 (Debian 12's serial, mpich and openmpi
 * builds) and 1.14 (a plugin HDF5 loads by name), told apart by the
 * class layout (H5_VERSION_GE(1, 14, 0)).  Design notes: doc/hdf5.md.
 *
 * Like the ROMIO driver, this uses libpio's public API only.
 */
#include "H5FDpfs_int.h"

static hid_t pfs_driver_id = H5I_INVALID_HID;

/* One client per process (a UCX context and connections to every server
 * cost about 0.1 s to set up): for the first ensemble a file names,
 * kept until HDF5 terminates the driver.  Files of another ensemble get
 * a client of their own. */
static pio_client_t *shared_client;
static char shared_key[H5FD_PFS_PATH_MAX];

/* Write leases held by this process, one per (client, file), however
 * many handles of the file HDF5 opens for writing (it opens a file a
 * second time before it sees that it has it open already).  The lease
 * belongs to a handle of its own, so that closing any one of the
 * file's handles does not give it back while others are open. */
typedef struct lease_ent {
    struct lease_ent *next;
    pio_client_t *client;
    uint8_t fid[16];
    pio_file_t *fh; /* holds the lease; pio_close gives it back */
    int count;      /* writable handles of the file */
} lease_ent_t;

static lease_ent_t *leases;

static pfs_status_t client_open(const H5FD_pfs_config_t *config,
                                pio_client_t **client_p, char *err, size_t size)
{
    pio_config_t pc;

    memset(&pc, 0, sizeof(pc));
    pc.descriptor = config->ensemble[0] ? config->ensemble : NULL;
    return pio_init(&pc, client_p, err, size);
}

/* The client for config's ensemble: the shared one if it is that
 * ensemble's (or none exists yet), else a new one (*own_p set). */
static pfs_status_t client_get(const H5FD_pfs_config_t *config,
                               pio_client_t **client_p, int *own_p, char *err,
                               size_t size)
{
    pfs_status_t st;

    *own_p = 0;
    if (shared_client != NULL && strcmp(shared_key, config->ensemble) == 0) {
        *client_p = shared_client;
        return PFS_OK;
    }
    st = client_open(config, client_p, err, size);
    if (st != PFS_OK) {
        return st;
    }
    if (shared_client == NULL) {
        shared_client = *client_p;
        strcpy(shared_key, config->ensemble);
    } else {
        *own_p = 1;
    }
    return PFS_OK;
}

static lease_ent_t *lease_find(pio_client_t *c, const uint8_t fid[16])
{
    lease_ent_t *e;

    for (e = leases; e != NULL; e = e->next) {
        if (e->client == c && memcmp(e->fid, fid, 16) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Take (or count one more handle under) the write lease of file. */
static pfs_status_t lease_take(pfs_h5file_t *file)
{
    uint8_t blob[PIO_HANDLE_MAX];
    lease_ent_t *e = lease_find(file->client, file->fid);
    size_t len;
    pfs_status_t st;

    if (e != NULL) {
        e->count++;
        return PFS_OK;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return PFS_ERR_NOMEM;
    }
    st = pio_file_export(file->fh, blob, sizeof(blob), &len);
    if (st == PFS_OK) {
        st = pio_file_import(file->client, blob, len, PIO_RDWR, &e->fh);
    }
    if (st == PFS_OK) {
        st = pio_lease_acquire(e->fh);
        if (st != PFS_OK) {
            pio_close(e->fh);
        }
    }
    if (st != PFS_OK) {
        free(e);
        return st;
    }
    e->client = file->client;
    memcpy(e->fid, file->fid, 16);
    e->count = 1;
    e->next = leases;
    leases = e;
    return PFS_OK;
}

/* One writable handle of file fewer: the last gives the lease back. */
static void lease_drop(pfs_h5file_t *file)
{
    lease_ent_t **pp, *e;

    for (pp = &leases; (e = *pp) != NULL; pp = &e->next) {
        if (e->client == file->client && memcmp(e->fid, file->fid, 16) == 0) {
            if (--e->count == 0) {
                *pp = e->next;
                pio_close(e->fh); /* releases the lease */
                free(e);
            }
            return;
        }
    }
}

static void client_put(pfs_h5file_t *file)
{
    if (file->own_client) {
        pio_fini(file->client);
    }
}

/* HDF5 closes the driver: the shared client goes (its files are closed). */
static herr_t pfs_terminate(void)
{
    if (shared_client != NULL && leases == NULL) {
        pio_fini(shared_client);
        shared_client = NULL;
    }
    return 0;
}

/* ---- class callbacks ----------------------------------------------------- */

static void *pfs_fapl_get(H5FD_t *_file)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;
    H5FD_pfs_config_t *config = malloc(sizeof(*config));

    if (config != NULL) {
        *config = file->config;
    }
    return config;
}

static void *pfs_fapl_copy(const void *old)
{
    H5FD_pfs_config_t *config = malloc(sizeof(*config));

    if (config != NULL) {
        memcpy(config, old, sizeof(*config));
    }
    return config;
}

static herr_t pfs_fapl_free(void *config)
{
    free(config);
    return 0;
}

#ifdef H5_HAVE_PARALLEL
static int comm_size(const H5FD_pfs_config_t *config)
{
    int n = 1, inited = 0;

    if (config->comm == MPI_COMM_NULL) {
        return 1;
    }
    MPI_Initialized(&inited);
    if (!inited || MPI_Comm_size(config->comm, &n) != MPI_SUCCESS) {
        return 1;
    }
    return n;
}
#endif

/* Open as this process alone: look the file up (or create it). */
static pfs_status_t open_alone(pfs_h5file_t *file, unsigned flags)
{
    pfs_status_t st;

    if (flags & H5F_ACC_RDWR) {
        if (flags & H5F_ACC_CREAT) {
            pio_layout_t layout;

            memset(&layout, 0, sizeof(layout));
            layout.stripe_size = file->config.stripe_size;
            layout.stripe_count = file->config.stripe_count;
            st = pio_create(file->client, file->path, 0644,
                            PIO_RDWR | ((flags & H5F_ACC_EXCL) ? PIO_EXCL : 0),
                            &layout, &file->fh);
        } else {
            st = pio_open(file->client, file->path, PIO_RDWR, &file->fh);
        }
    } else {
        st = pio_open(file->client, file->path, PIO_RDONLY, &file->fh);
    }
    return st;
}

#ifdef H5_HAVE_PARALLEL
/* Open together over comm: rank 0 looks the file up and hands the
 * handle to the others (one metadata request for all ranks).  Every
 * rank reaches every broadcast, also when the lookup failed. */
static pfs_status_t open_collective(pfs_h5file_t *file, unsigned flags,
                                    char *err, size_t size)
{
    MPI_Comm comm = file->config.comm;
    uint8_t blob[PIO_HANDLE_MAX];
    size_t len = 0;
    long hdr[2] = {0, 0}; /* status, length */
    int rank;
    pfs_status_t st = PFS_OK;

    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        st = open_alone(file, flags);
        if (st == PFS_OK) {
            st = pio_file_export(file->fh, blob, sizeof(blob), &len);
        }
        if (st != PFS_OK) {
            snprintf(err, size, "%s", pio_client_errmsg(file->client));
        }
        hdr[0] = st;
        hdr[1] = (long)len;
    }
    MPI_Bcast(hdr, 2, MPI_LONG, 0, comm);
    if (hdr[0] != PFS_OK) {
        if (rank != 0) {
            snprintf(err, size, "rank 0 could not open the file");
        }
        return (pfs_status_t)hdr[0];
    }
    MPI_Bcast(blob, (int)hdr[1], MPI_BYTE, 0, comm);
    if (rank != 0) {
        st = pio_file_import(file->client, blob, (size_t)hdr[1], PIO_RDONLY,
                             &file->fh);
        if (st != PFS_OK) {
            snprintf(err, size, "%s", pio_client_errmsg(file->client));
        }
    }
    return st;
}

/* Every rank of comm learns whether all of them succeeded: one that did
 * while another did not gets the other's status (so that all ranks go
 * on, or fail, together). */
static pfs_status_t agree(MPI_Comm comm, pfs_status_t st, char *err,
                          size_t size)
{
    int mine = st, all = PFS_OK;

    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
    if (st == PFS_OK && all != PFS_OK) {
        snprintf(err, size, "another rank failed: %s",
                 pfs_status_string((pfs_status_t)all));
        return (pfs_status_t)all;
    }
    return st;
}
#endif

static H5FD_t *pfs_open(const char *name, unsigned flags, hid_t fapl,
                        haddr_t maxaddr)
{
    pfs_h5file_t *file;
    char err[512] = "";
    pio_stat_t sb;
    pfs_status_t st;
    int collective = 0;

    if (name == NULL || name[0] == '\0' || maxaddr == 0 ||
        maxaddr == HADDR_UNDEF || maxaddr > PFS_MAXADDR) {
        pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                     "bad file name or address space");
        return NULL;
    }
    file = calloc(1, sizeof(*file));
    if (file == NULL) {
        pfs_h5_error(__func__, __LINE__, H5E_CANTALLOC, "out of memory");
        return NULL;
    }
    if (pfs_h5_config_of_fapl(fapl, &file->config) < 0) {
        goto err_free;
    }
    if (pfs_h5_path_of(&file->config, name, file->path, sizeof(file->path)) <
        0) {
        pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                     "file name '%s' too long", name);
        goto err_free;
    }
    file->writable = (flags & H5F_ACC_RDWR) != 0;
#ifdef H5_HAVE_PARALLEL
    {
        int n = comm_size(&file->config);

        if (n > 1 && file->writable) {
            /* every rank gets here alike: no collective call is skipped */
            pfs_h5_error(__func__, __LINE__, H5E_CANTOPENFILE,
                         "%d ranks cannot open pfs:%s for writing through the "
                         "pfs driver (HDF5 would keep one rank's metadata "
                         "and lose the others'): write one shared file with "
                         "H5Pset_fapl_mpio and the name pfs:%s (MPI-IO on "
                         "pfs), or one file per rank",
                         n, file->path, file->path);
            goto err_free;
        }
        collective = n > 1;
    }
#endif
    st = client_get(&file->config, &file->client, &file->own_client, err,
                    sizeof(err));
#ifdef H5_HAVE_PARALLEL
    if (collective &&
        agree(file->config.comm, st, err, sizeof(err)) != PFS_OK &&
        st == PFS_OK) {
        /* connected, but another rank did not: all fail alike */
        pfs_h5_error(__func__, __LINE__, H5E_CANTOPENFILE,
                     "cannot open pfs:%s: %s", file->path, err);
        goto err_fini;
    }
#endif
    if (st != PFS_OK) {
        pfs_h5_error(__func__, __LINE__, H5E_CANTOPENFILE,
                     "cannot connect to the pfs ensemble for pfs:%s: %s",
                     file->path, err);
        goto err_free;
    }
#ifdef H5_HAVE_PARALLEL
    if (collective) {
        pfs_status_t mine = open_collective(file, flags, err, sizeof(err));

        st = agree(file->config.comm, mine, err, sizeof(err));
        if (mine == PFS_OK && st != PFS_OK) {
            pio_close(file->fh);
            file->fh = NULL;
        }
    } else
#endif
    {
        st = open_alone(file, flags);
        if (st != PFS_OK) {
            snprintf(err, sizeof(err), "%s", pio_client_errmsg(file->client));
        }
    }
    (void)collective;
    if (st != PFS_OK) {
        pfs_h5_error(__func__, __LINE__, H5E_CANTOPENFILE,
                     "cannot open pfs:%s: %s%s%s", file->path,
                     pfs_status_string(st), err[0] ? ": " : "", err);
        goto err_fini;
    }
    if (pfs_h5_pio_result(__func__, __LINE__, H5E_CANTOPENFILE, file->client,
                          pio_fstat(file->fh, &sb), "stat") < 0) {
        goto err_close;
    }
    memcpy(file->fid, sb.fid, sizeof(file->fid));
    file->eof = (haddr_t)sb.size;
    if (file->writable) {
        /* before anything is changed (truncation included): a second
         * writer must not touch the first one's file */
        st = lease_take(file);
        if (st != PFS_OK) {
            pfs_h5_error(__func__, __LINE__, H5E_CANTLOCKFILE,
                         "cannot open pfs:%s for writing: %s (the pfs driver "
                         "allows one writer per file; several MPI ranks "
                         "write one file with H5Pset_fapl_mpio and a pfs: "
                         "name)",
                         file->path,
                         st == PFS_ERR_LOCKED ? pio_client_errmsg(file->client)
                                              : pfs_status_string(st));
            goto err_close;
        }
        if (flags & H5F_ACC_TRUNC) {
            if (pfs_h5_pio_result(__func__, __LINE__, H5E_CANTOPENFILE,
                                  file->client, pio_truncate(file->fh, 0),
                                  "truncate") < 0) {
                goto err_lease;
            }
            file->eof = 0;
        }
    }
    return &file->pub;

err_lease:
    lease_drop(file);
err_close:
    pio_close(file->fh);
err_fini:
    client_put(file);
err_free:
    free(file);
    return NULL;
}

static herr_t pfs_close(H5FD_t *_file)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;
    herr_t ret;

    ret = pfs_h5_pio_result(__func__, __LINE__, H5E_CANTCLOSEFILE, file->client,
                            pio_close(file->fh), "close");
    if (file->writable) {
        lease_drop(file); /* the last writable handle gives it back */
    }
    client_put(file);
    free(file);
    return ret;
}

/* Same file: same pfs file id (HDF5 then shares one open file). */
static int pfs_cmp(const H5FD_t *_f1, const H5FD_t *_f2)
{
    const pfs_h5file_t *f1 = (const pfs_h5file_t *)_f1;
    const pfs_h5file_t *f2 = (const pfs_h5file_t *)_f2;

    return memcmp(f1->fid, f2->fid, sizeof(f1->fid));
}

static herr_t pfs_query(const H5FD_t *_file, unsigned long *flags)
{
    (void)_file;
    /* as sec2, minus what needs a POSIX descriptor (the handle) or SWMR */
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
             H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
             H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
    return 0;
}

static haddr_t pfs_get_eoa(const H5FD_t *_file, H5FD_mem_t type)
{
    (void)type;
    return ((const pfs_h5file_t *)_file)->eoa;
}

static herr_t pfs_set_eoa(H5FD_t *_file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    ((pfs_h5file_t *)_file)->eoa = addr;
    return 0;
}

static haddr_t pfs_get_eof(const H5FD_t *_file, H5FD_mem_t type)
{
    (void)type;
    return ((const pfs_h5file_t *)_file)->eof;
}

static herr_t pfs_get_handle(H5FD_t *_file, hid_t fapl, void **handle)
{
    (void)fapl;
    /* the libpio handle (no POSIX descriptor exists) */
    *handle = &((pfs_h5file_t *)_file)->fh;
    return 0;
}

int pfs_h5_range_ok(const char *func, haddr_t addr, size_t size)
{
    if (addr == HADDR_UNDEF || addr > PFS_MAXADDR ||
        (haddr_t)size > PFS_MAXADDR - addr) {
        pfs_h5_error(func, __LINE__, H5E_OVERFLOW,
                     "address %llu + %zu out of range",
                     (unsigned long long)addr, size);
        return 0;
    }
    return 1;
}

static herr_t pfs_read(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                       size_t size, void *buf)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;
    uint64_t n = 0;

    (void)type;
    (void)dxpl;
    if (!pfs_h5_range_ok(__func__, addr, size)) {
        return -1;
    }
    if (pfs_h5_pio_result(__func__, __LINE__, H5E_READERROR, file->client,
                          pio_read(file->fh, addr, buf, size, &n),
                          "read") < 0) {
        return -1;
    }
    if (n < size) {
        /* past the end of the file: zeros, as HDF5 expects */
        memset((char *)buf + n, 0, size - n);
    }
    return 0;
}

static herr_t pfs_write(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl,
                        haddr_t addr, size_t size, const void *buf)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;

    (void)type;
    (void)dxpl;
    if (!pfs_h5_range_ok(__func__, addr, size)) {
        return -1;
    }
    if (pfs_h5_pio_result(__func__, __LINE__, H5E_WRITEERROR, file->client,
                          pio_write(file->fh, addr, buf, size), "write") < 0) {
        return -1;
    }
    if (addr + size > file->eof) {
        file->eof = addr + size;
    }
    return 0;
}

/* flush -> pio_sync: what HDF5 flushed is on the servers' disks. */
static herr_t pfs_flush(H5FD_t *_file, hid_t dxpl, hbool_t closing)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;

    (void)dxpl;
    (void)closing;
    if (!file->writable) {
        return 0;
    }
    return pfs_h5_pio_result(__func__, __LINE__, H5E_CANTFLUSH, file->client,
                             pio_sync(file->fh), "sync");
}

/* The file's size becomes HDF5's end of address (as sec2's ftruncate). */
static herr_t pfs_truncate(H5FD_t *_file, hid_t dxpl, hbool_t closing)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;

    (void)dxpl;
    (void)closing;
    if (!file->writable || file->eoa == file->eof) {
        return 0;
    }
    if (pfs_h5_pio_result(__func__, __LINE__, H5E_SEEKERROR, file->client,
                          pio_truncate(file->fh, file->eoa), "truncate") < 0) {
        return -1;
    }
    file->eof = file->eoa;
    return 0;
}

/* HDF5's file lock.  The write lease taken at open already makes this
 * handle the only writer; a read lock is never refused.  unlock keeps
 * the lease: HDF5 unlocks only to let SWMR readers in, which this driver
 * does not offer, and the lease ends with the handle (pfs_close). */
static herr_t pfs_lock(H5FD_t *_file, hbool_t rw)
{
    pfs_h5file_t *file = (pfs_h5file_t *)_file;

    if (rw && !file->writable) {
        pfs_h5_error(__func__, __LINE__, H5E_CANTLOCKFILE,
                     "a write lock on a file opened read-only");
        return -1;
    }
    return 0; /* a writable handle holds the lease since its open */
}

static herr_t pfs_unlock(H5FD_t *_file)
{
    (void)_file;
    return 0;
}

#if PFS_H5_114
/* H5Fdelete */
static herr_t pfs_del(const char *name, hid_t fapl)
{
    H5FD_pfs_config_t config;
    char path[H5FD_PFS_PATH_MAX + 8], err[512] = "";
    pio_client_t *c;
    pfs_status_t st;
    herr_t ret;

    if (pfs_h5_config_of_fapl(fapl, &config) < 0 ||
        pfs_h5_path_of(&config, name, path, sizeof(path)) < 0) {
        return -1;
    }
    st = client_open(&config, &c, err, sizeof(err));
    if (st != PFS_OK) {
        pfs_h5_error(__func__, __LINE__, H5E_CANTDELETEFILE,
                     "cannot connect to the pfs ensemble: %s", err);
        return -1;
    }
    ret = pfs_h5_pio_result(__func__, __LINE__, H5E_CANTDELETEFILE, c,
                            pio_unlink(c, path), path);
    pio_fini(c);
    return ret;
}

static herr_t pfs_ctl(H5FD_t *_file, uint64_t op, uint64_t flags,
                      const void *input, void **output)
{
    (void)_file;
    (void)input;
    (void)output;
    if (flags & H5FD_CTL_FAIL_IF_UNKNOWN_FLAG) {
        pfs_h5_error(__func__, __LINE__, H5E_FCNTL,
                     "unknown ctl operation %llu", (unsigned long long)op);
        return -1;
    }
    return 0;
}
#endif /* PFS_H5_114 */

static const H5FD_class_t H5FD_pfs_g = {
#if PFS_H5_114
    .version = H5FD_CLASS_VERSION,
    .value = H5FD_PFS_VALUE,
#endif
    .name = H5FD_PFS_NAME,
    .maxaddr = PFS_MAXADDR,
    .fc_degree = H5F_CLOSE_WEAK,
    .terminate = pfs_terminate,
    .fapl_size = sizeof(H5FD_pfs_config_t),
    .fapl_get = pfs_fapl_get,
    .fapl_copy = pfs_fapl_copy,
    .fapl_free = pfs_fapl_free,
    .open = pfs_open,
    .close = pfs_close,
    .cmp = pfs_cmp,
    .query = pfs_query,
    .get_eoa = pfs_get_eoa,
    .set_eoa = pfs_set_eoa,
    .get_eof = pfs_get_eof,
    .get_handle = pfs_get_handle,
    .read = pfs_read,
    .write = pfs_write,
#if PFS_H5_114
    .read_vector = pfs_read_vector,
    .write_vector = pfs_write_vector,
    .read_selection = pfs_read_selection,
    .write_selection = pfs_write_selection,
    .del = pfs_del,
    .ctl = pfs_ctl,
#endif
    .flush = pfs_flush,
    .truncate = pfs_truncate,
    .lock = pfs_lock,
    .unlock = pfs_unlock,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

/* ---- public API ---------------------------------------------------------- */

H5FD_PFS_EXPORT hid_t H5FD_pfs_init(void)
{
    if (pfs_driver_id >= 0 && H5Iget_type(pfs_driver_id) == H5I_VFL) {
        return pfs_driver_id;
    }
#if PFS_H5_114
    /* loaded as a plugin already (HDF5_DRIVER=pfs): the same class */
    if (H5FDis_driver_registered_by_name(H5FD_PFS_NAME) > 0) {
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

        if (fapl >= 0 &&
            H5Pset_driver_by_name(fapl, H5FD_PFS_NAME, NULL) >= 0) {
            pfs_driver_id = H5Pget_driver(fapl);
            if (pfs_driver_id >= 0) {
                H5Iinc_ref(pfs_driver_id);
            }
        }
        if (fapl >= 0) {
            H5Pclose(fapl);
        }
        if (pfs_driver_id >= 0) {
            return pfs_driver_id;
        }
    }
#endif
    pfs_driver_id = H5FDregister(&H5FD_pfs_g);
    return pfs_driver_id;
}

H5FD_PFS_EXPORT herr_t H5Pset_fapl_pfs(hid_t fapl_id,
                                       const H5FD_pfs_config_t *config)
{
    H5FD_pfs_config_t dflt;
    hid_t id = H5FD_pfs_init();

    if (id < 0) {
        return -1;
    }
    if (config == NULL) {
        H5FD_pfs_config_init(&dflt);
        config = &dflt;
    }
    if (config->version != H5FD_PFS_CONFIG_VERSION) {
        pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                     "configuration version %d, this driver has %d (use "
                     "H5FD_pfs_config_init)",
                     config->version, H5FD_PFS_CONFIG_VERSION);
        return -1;
    }
    return H5Pset_driver(fapl_id, id, config);
}

H5FD_PFS_EXPORT herr_t H5Pget_fapl_pfs(hid_t fapl_id,
                                       H5FD_pfs_config_t *config_out)
{
    hid_t drv = H5Pget_driver(fapl_id);

    if (drv < 0) {
        return -1;
    }
    if (drv != H5FD_pfs_init()) {
        pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                     "the file access property list does not use the pfs "
                     "driver");
        return -1;
    }
    return pfs_h5_config_of_fapl(fapl_id, config_out);
}

#if PFS_H5_114
/* ---- plugin entry points (HDF5 1.14's loader) ---------------------------- */

H5FD_PFS_EXPORT H5PL_type_t H5PLget_plugin_type(void)
{
    return H5PL_TYPE_VFD;
}

H5FD_PFS_EXPORT const void *H5PLget_plugin_info(void)
{
    return &H5FD_pfs_g;
}
#endif
