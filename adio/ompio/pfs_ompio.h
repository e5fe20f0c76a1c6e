/* pfs_ompio.h - what the four OMPIO components for pfs share.
 *
 * Open MPI's MPI-IO layer (OMPIO, the io/ompio component) keeps one
 * ompio_file_t per open file and calls four frameworks on it: fs (open,
 * close, delete, size, sync), fbtl (independent I/O on a list of pieces),
 * fcoll (collective I/O) and sharedfp (shared file pointers).  pfs ships
 * one component for each, loaded at run time from a component path:
 *
 *   mca_fs_pfs        claims names that start with "pfs:" (fs_pfs*.c)
 *   mca_fbtl_pfs      claims the files mca_fs_pfs opened (fbtl_pfs.c)
 *   mca_fcoll_pfs     likewise; libpio's collective engine (fcoll_pfs.c)
 *   mca_sharedfp_pfs  likewise; the MDS fetch-and-add (sharedfp_pfs.c)
 *
 * Each component is its own shared object (Open MPI loads
 * mca_<framework>_<name>.so), so what they share travels with the file:
 * the fs component hangs a pfs_ompio_file_t on ompio_file_t.f_fs_ptr at
 * open, and the others find it there.  The helpers below are compiled
 * into each object (libpfs_ompio.la, nothing exported), with what the
 * components share with the ROMIO driver (adio/shared/pfs_mpiio.c: the
 * process's client, which only mca_fs_pfs uses, the collective open, the
 * error classes).
 *
 * The components depend on libpio's public API, on OMPIO's internal
 * headers and on the release of Open MPI they were built against (OMPIO's
 * structures change between releases: pfs_ompio_version_check refuses
 * any other).  See adio/ompio/README.md.
 */
#ifndef PFS_OMPIO_H
#define PFS_OMPIO_H

#include "ompi_config.h"

#include <stdint.h>

#include "mpi.h"
#include "ompi/file/file.h"
#include "ompi/mca/common/ompio/common_ompio.h"
#include "ompi/mca/io/io.h"

#include <pfs/pio.h>

#include "pfs_mpiio.h"

/* the component structures are the only symbols a component exports */
#define PFS_OMPIO_EXPORT __attribute__((visibility("default")))

/* the name of the fs component: the mark the other three look for */
#define PFS_OMPIO_NAME "pfs"

/* Priorities (MCA parameters <framework>_pfs_priority).  Each component
 * bids only for pfs files, so these only need to beat Open MPI's own:
 * fs/ufs bids 10 on every name, fbtl/posix up to 50, fcoll/individual 100
 * with two ranks or fewer, sharedfp/sm 30. */
#define PFS_OMPIO_FS_PRIORITY 80
#define PFS_OMPIO_FBTL_PRIORITY 80
#define PFS_OMPIO_FCOLL_PRIORITY 150
#define PFS_OMPIO_SHAREDFP_PRIORITY 80

#define PFS_OMPIO_MAGIC 0x70666f6dU /* "pfom" */

/* Per open file, in ompio_file_t.f_fs_ptr.  Created by the fs component's
 * file_open, freed by its file_close.  Used by one thread at a time (OMPIO
 * serializes calls on a file). */
typedef struct {
    uint32_t magic;       /* PFS_OMPIO_MAGIC */
    pio_client_t *client; /* the process's client (not owned) */
    pio_file_t *file;     /* the open libpio handle (owned) */
    char *path;           /* the name given to MPI_File_open (owned) */
    ompio_file_t *fh;     /* back pointer */
    /* hints the user gave at open (0: not given) */
    uint64_t stripe_size;    /* striping_unit */
    uint32_t stripe_count;   /* striping_factor */
    int cb_nodes;            /* cb_nodes */
    uint64_t cb_buffer_size; /* cb_buffer_size */
    uint64_t direct_min;     /* pfs_direct_min */
    int cb_read, cb_write;   /* romio_cb_read/write as pio_cb_mode_t */
    int delete_on_close;     /* MPI_MODE_DELETE_ON_CLOSE: fs unlinks at close */
    /* The first error of independent I/O since it was last taken: the
     * fbtl records it, and whoever called OMPIO's independent path takes
     * it (OMPIO itself drops fbtl errors, see fs_pfs_file.c). */
    int io_error;
    /* a split ordered operation's outcome, between _begin and _end */
    int split_error;
    size_t split_bytes;
} pfs_ompio_file_t;

/* ---- pfs_ompio_common.c ---- */

/* Whether the Open MPI running this process is the release the components
 * were built against (major.minor.release of mpi.h at build time against
 * MPI_Get_library_version now).  When it is not and `say` is set, prints
 * once per process why the components refuse to load.  Called from each
 * component's open function, which then returns OPAL_ERR_NOT_AVAILABLE. */
int pfs_ompio_version_check(int say);

/* The component slots pfs has nothing to do in, the same for the four
 * frameworks: init_query, file_unquery, a module's init or finalize.  They
 * return OMPI_SUCCESS. */
int pfs_ompio_init_query(bool enable_progress_threads, bool enable_mpi_threads);
int pfs_ompio_file_unquery(ompio_file_t *fh);
int pfs_ompio_module_nothing(ompio_file_t *fh);

/* The open function of the fbtl, fcoll and sharedfp components: the
 * release check, silent (the fs component says why). */
int pfs_ompio_component_open(void);

/* Register the component's MCA parameter "priority" (help: its
 * description), starting at priority. */
int pfs_ompio_register_priority(const mca_base_component_t *component,
                                int *priority_p, int priority,
                                const char *help);

/* Whether the fs component of this file is pfs's: what the fbtl, fcoll
 * and sharedfp components bid on. */
int pfs_ompio_is_pfs(const ompio_file_t *fh);

/* The file's pfs state, NULL if the file is not an open pfs file. */
pfs_ompio_file_t *pfs_ompio_state(const ompio_file_t *fh);

/* The one place where pfs statuses become MPI error codes.  The class
 * follows the status as in the ROMIO driver (pfs_mpiio_error_class).  The
 * code returned is a code of that class whose MPI_Error_string is the message:
 * "pfs: DETAIL" when detail is given (libpio's explanation names the
 * operation and file), else "pfs WHAT PATH: STATUS".  PFS_OK gives
 * MPI_SUCCESS. */
int pfs_ompio_error(pfs_status_t st, const char *what, const char *path,
                    const char *detail);

/* An error code of class cls with message msg (see pfs_ompio_error).  One
 * code per class and process, created with MPI_Add_error_code on first use;
 * its string is the last message given for that class. */
int pfs_ompio_error_code(int cls, const char *msg);

/* Record the first independent-I/O error of the file (fbtl). */
void pfs_ompio_note_error(pfs_ompio_file_t *pf, int err);

/* Take (return and clear) the recorded error; MPI_SUCCESS if none. */
int pfs_ompio_take_error(pfs_ompio_file_t *pf);

/* ---- pfs_ompio_tiles.c: file views and memory datatypes as tiles ----
 * (pfs_mpiio_tiles_t, pfs_mpiio_list_t and what works on them:
 * adio/shared/pfs_mpiio.h).  Here the tiles own their arrays:
 * pfs_ompio_tiles_free. */

/* The file view of fh: copy k of fh->f_decoded_iov at f_disp + k *
 * f_view_extent, lb the smallest piece offset.  Returns an MPI error
 * code. */
int pfs_ompio_view_tiles(const ompio_file_t *fh, pfs_mpiio_tiles_t *t);

/* The memory stream of count copies of dt (offsets relative to the user's
 * buffer, negative for a negative lower bound).  Returns an MPI error
 * code; *size_p gets the data bytes of one copy. */
int pfs_ompio_mem_tiles(ompio_file_t *fh, struct ompi_datatype_t *dt,
                        pfs_mpiio_tiles_t *t, uint64_t *size_p);

void pfs_ompio_tiles_free(pfs_mpiio_tiles_t *t);

/* The stream position of fh's individual file pointer (bytes of view
 * data before it). */
uint64_t pfs_ompio_stream_pos(const ompio_file_t *fh);

/* Make l's offsets fit a pio_desc_t relative to a new base: *base_p gets
 * buf plus the smallest offset, and the offsets (reinterpreted in place
 * as uint64_t) become relative to it.  For memory lists, whose offsets
 * may be negative. */
void pfs_ompio_list_rebase(pfs_mpiio_list_t *l, void *buf, void **base_p);

#endif
