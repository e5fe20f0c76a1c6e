/* fs_pfs.h - the fs component for pfs (mca_fs_pfs): internal interface
 * between its files. */
#ifndef FS_PFS_H
#define FS_PFS_H

#include "pfs_ompio.h"

#include "ompi/mca/fs/fs.h"

/* The OMPIO io-module entry points the fs component replaces for pfs
 * files (fs_pfs_file.c), kept to call through. */
typedef struct {
    mca_io_base_module_file_close_fn_t close;
    mca_io_base_module_file_read_fn_t read;
    mca_io_base_module_file_read_at_fn_t read_at;
    mca_io_base_module_file_write_fn_t write;
    mca_io_base_module_file_write_at_fn_t write_at;
    mca_io_base_module_file_preallocate_fn_t preallocate;
    mca_io_base_module_file_set_atomicity_fn_t set_atomicity;
    mca_io_base_module_file_set_view_fn_t set_view;
} pfs_ompio_io_fns_t;

extern int mca_fs_pfs_priority;

PFS_OMPIO_EXPORT extern mca_fs_base_component_2_0_0_t mca_fs_pfs_component;

/* ---- fs_pfs_open.c: the module's open, close and delete ---- */
int mca_fs_pfs_file_open(struct ompi_communicator_t *comm, const char *filename,
                         int amode, struct opal_info_t *info, ompio_file_t *fh);
int mca_fs_pfs_file_close(ompio_file_t *fh);
int mca_fs_pfs_file_delete(char *filename, struct opal_info_t *info);

/* The process's libpio client, connected on first use (descriptor: the
 * pfs_ensemble hint of info, else $PFS_ENSEMBLE) and disconnected by
 * MPI_Finalize.  Returns an MPI error code. */
int mca_fs_pfs_client(opal_info_t *info, pio_client_t **client_p);

/* ---- fs_pfs_file.c: size, sync, and the io-module entry points ---- */
int mca_fs_pfs_file_set_size(ompio_file_t *fh, OMPI_MPI_OFFSET_TYPE size);
int mca_fs_pfs_file_get_size(ompio_file_t *fh, OMPI_MPI_OFFSET_TYPE *size);
int mca_fs_pfs_file_sync(ompio_file_t *fh);

/* Replace, for this file only, the OMPIO entry points whose behaviour pfs
 * must change (independent I/O errors, preallocate, atomic mode,
 * delete-on-close).  Does nothing when fh is not the io module's own
 * handle of an MPI_File. */
void mca_fs_pfs_io_takeover(ompio_file_t *fh);

#endif
