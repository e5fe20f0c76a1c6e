/* pfs/H5FDpfs.h - H5FD_pfs, the HDF5 virtual file driver for pfs.
 *
 * HDF5 files stored in pfs, read and written through libpio without
 * MPI-IO: serial programs and tools, file-per-process output, many
 * readers of one file.  Shared-file parallel writes go through HDF5's
 * mpio driver on a "pfs:" name instead (H5Pset_fapl_mpio): this driver
 * refuses a communicator of more than one rank opening one file for
 * writing, and refuses a second writer of a file (any process) while a
 * first one has it open for writing, because HDF5 keeps metadata in
 * memory and two writers of one file silently lose one's metadata.
 *
 * Conventions:
 *  - One library per HDF5 build: link libh5fd_pfs (Debian's serial HDF5
 *    1.10), libh5fd_pfs_mpich or libh5fd_pfs_openmpi (its parallel
 *    flavours) to the program; with HDF5 1.14 the same library is also a
 *    plugin that HDF5 loads by name (HDF5_DRIVER=pfs, HDF5_PLUGIN_PATH).
 *  - File names are pfs paths: "pfs:/a/b.h5" or "/a/b.h5"; a relative
 *    name is taken relative to the configured directory (default "/").
 *  - Every function returns a negative value on failure and pushes the
 *    cause onto HDF5's error stack.  The library never prints by itself
 *    (HDF5's automatic error printing does, as for any driver).
 *  - Not thread safe beyond what HDF5's own global lock gives.
 */
#ifndef PFS_H5FDPFS_H
#define PFS_H5FDPFS_H

#include <stdint.h>

#include <hdf5.h>
#ifdef H5_HAVE_PARALLEL
#include <mpi.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The driver's name: HDF5_DRIVER=pfs, h5dump --vfd-name=pfs. */
#define H5FD_PFS_NAME "pfs"
/* Its value for HDF5 1.14's H5Pset_driver_by_value (not registered with
 * The HDF Group: a value from the range left to users). */
#define H5FD_PFS_VALUE 601

#define H5FD_PFS_CONFIG_VERSION 1
#define H5FD_PFS_PATH_MAX 1024

/* What H5Pset_fapl_pfs() takes.  Zero or empty fields mean "default".
 * Initialize with H5FD_pfs_config_init(); the struct is copied. */
typedef struct H5FD_pfs_config_t {
    int version; /* H5FD_PFS_CONFIG_VERSION */
    /* The ensemble descriptor; "": $PFS_ENSEMBLE. */
    char ensemble[H5FD_PFS_PATH_MAX];
    /* The pfs directory relative file names are resolved in; "": "/". */
    char dir[H5FD_PFS_PATH_MAX];
    /* Layout of files this driver creates; 0: the directory's default. */
    uint64_t stripe_size;
    uint32_t stripe_count;
#ifdef H5_HAVE_PARALLEL
    /* MPI_COMM_NULL (the default): each process opens by itself.
     * Otherwise every rank of comm opens the file together (H5Fopen and
     * H5Fcreate are then collective over comm): one rank looks the file
     * up on the metadata server and hands the handle to the others.
     * Only for read-only opens by more than one rank: a communicator of
     * more than one rank opening for writing is refused.  comm is used
     * during the open only and is not duplicated. */
    MPI_Comm comm;
#endif
} H5FD_pfs_config_t;

/* Fill config with the defaults. */
void H5FD_pfs_config_init(H5FD_pfs_config_t *config);

/* Register the driver (once; later calls return the same id). */
hid_t H5FD_pfs_init(void);
#define H5FD_PFS (H5FD_pfs_init())

/* Make fapl_id use the pfs driver.  config NULL: the defaults. */
herr_t H5Pset_fapl_pfs(hid_t fapl_id, const H5FD_pfs_config_t *config);

/* The configuration fapl_id holds (the defaults if the pfs driver was
 * chosen by name without a configuration).  Fails if fapl_id does not
 * use the pfs driver. */
herr_t H5Pget_fapl_pfs(hid_t fapl_id, H5FD_pfs_config_t *config_out);

/* Parse a configuration string ("key=value" pairs separated by ',' ';'
 * or blanks: ensemble, dir, stripe_size (k, m, g suffixes),
 * stripe_count), as HDF5 1.14 passes it from HDF5_DRIVER_CONFIG or
 * H5Pset_driver_by_name(), over the defaults.  Returns negative for an
 * unknown key or a bad value. */
herr_t H5FD_pfs_config_parse(const char *str, H5FD_pfs_config_t *config_out);

#ifdef __cplusplus
}
#endif
#endif
