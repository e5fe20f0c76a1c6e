/* pfs_mpiio.h - what the ROMIO driver (adio/ad_pfs/) and the OMPIO
 * components (adio/ompio/) share: the process's libpio client, the
 * collective open, the hints, datatypes as piece lists, and the mapping
 * of pfs statuses to MPI error classes.
 *
 * One source for both MPI libraries.  pfs's Makefile.am compiles it
 * against Open MPI's mpi.h into the OMPIO components: pfs_mpiio_error.c
 * and pfs_mpiio_tiles.c into each of them (libpfs_ompio.la), pfs_mpiio.c
 * into mca_fs_pfs, which opens the files.  adio/build-mpich.sh copies
 * all three next to the driver into ROMIO's tree, where
 * adio/ad_pfs/Makefile.mk compiles them into MPICH's libmpi.  So they use
 * only MPI's and libpio's public APIs: what needs the MPI library's
 * insides (reading an info object, flattening a datatype, making an error
 * code that carries a message) stays with each driver, which hands plain
 * values in and takes a status and a message out.
 *
 * Not thread-safe (the process's one client, the count of open files):
 * ROMIO runs one MPI-IO call of a process at a time, OMPIO one per file
 * (doc/limitations.md, MPI-IO from several threads).
 */
#ifndef PFS_MPIIO_H_INCLUDED
#define PFS_MPIIO_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "mpi.h"

#include <pfs/pio.h>

/* internal to the MPI library the file is compiled into */
#pragma GCC visibility push(hidden)

/* ---- the process's libpio client ---- */

/* The process's client, connected on first use with descriptor (the
 * pfs_ensemble hint), or with $PFS_ENSEMBLE when descriptor is NULL, and
 * disconnected by MPI_Finalize (an attribute on MPI_COMM_SELF).  On
 * failure returns PFS_ERR_CONFIG (no descriptor at all) or PFS_ERR_CONN
 * (pio_init failed) with the explanation in msg; the caller turns it
 * into its MPI error for the operation "connect".  *client_p is the
 * process's, not the caller's: never pio_fini it. */
pfs_status_t pfs_mpiio_client(const char *descriptor, pio_client_t **client_p, char *msg,
                              size_t msg_size);

/* Every open file holds the client: it disconnects at MPI_Finalize, or at
 * the last close after MPI_Finalize began (HDF5 closes its files from its
 * own MPI_COMM_SELF attribute, after pfs's). */
void pfs_mpiio_file_opened(void);
void pfs_mpiio_file_closed(void);

/* ---- open ---- */

/* libpio open flags (PIO_RDONLY ...) for an MPI access mode
 * (MPI_MODE_* and ROMIO's ADIO_* have the same values). */
int pfs_mpiio_pio_flags(int amode);

/* Create (MPI_MODE_CREATE, with MPI_MODE_EXCL) or open path on this
 * process alone.  perm: the permissions MPI_File_open was given, or a
 * negative value for 0666 less the umask.  stripe_size, stripe_count:
 * the layout hints for a create (0: libpio's default; more stripes than
 * I/O servers give all of them).  On failure msg gets libpio's
 * explanation. */
pfs_status_t pfs_mpiio_open_here(pio_client_t *client, const char *path, int amode, int perm,
                                 uint64_t stripe_size, uint32_t stripe_count,
                                 pio_file_t **file_p, char *msg, size_t msg_size);

/* Collective open over comm, one metadata request: rank 0 opens as
 * pfs_mpiio_open_here does, exports the handle and broadcasts it with
 * the status; the other ranks import it without server traffic.  A
 * failure on rank 0 is every rank's.  failed: this rank's own failure
 * before the open (PFS_ERR_CONN: it could not connect, client is then
 * unused), else PFS_OK; such a rank still takes part in the broadcast
 * and returns its failure (rank 0's then fails the open for all).  On
 * failure *what_p is the operation to name ("create" or "open") and msg
 * libpio's explanation (possibly empty); *file_p is set only on
 * success. */
pfs_status_t pfs_mpiio_open_coll(MPI_Comm comm, int rank, pfs_status_t failed,
                                 pio_client_t *client, const char *path, int amode, int perm,
                                 uint64_t stripe_size, uint32_t stripe_count,
                                 pio_file_t **file_p, const char **what_p, char *msg,
                                 size_t msg_size);

/* ---- hints ---- */

/* How a driver reads a hint from its MPI library's info object ctx: 1
 * with the value (size bytes at most, the terminating NUL included) if
 * key is set, else 0. */
typedef int (*pfs_mpiio_info_get_t)(void *ctx, const char *key, char *value, int size);

/* A hint that must be a positive integer: 1 with *out_p when key is set
 * to one in 1..max.  Bad values are never fatal: 0, with the warning the
 * driver prints on rank 0 in warn (as ROMIO does with hints it cannot
 * use); warn is empty when the hint is not set. */
int pfs_mpiio_hint_u64(pfs_mpiio_info_get_t get, void *ctx, const char *key, uint64_t max,
                       uint64_t *out_p, char *warn, size_t warn_size);
/* striping_unit v (already an integer): a multiple of 512, at least 4096 */
int pfs_mpiio_hint_stripe_size(uint64_t v, char *warn, size_t warn_size);

/* What MPI_File_get_info reports after an open: the file's real layout
 * (striping_unit, striping_factor, pfs_first_server) and what the
 * collective engine will use (cb_nodes: the hint, else pio_coll.c's one
 * aggregator per stripe slot, at most one per rank; cb_buffer_size
 * unless 0; pfs_direct_min: the hint, else libpio's default), each given
 * to set(ctx, key, value) in that order.  cb_nodes and direct_min are
 * the hints (0: not given), nprocs the size of the file's communicator.
 * *li_p gets the layout, for the driver's own fields; on failure nothing
 * is set. */
pfs_status_t pfs_mpiio_report_layout(pio_file_t *file, int cb_nodes, int nprocs,
                                     uint64_t cb_buffer_size, uint64_t direct_min,
                                     void (*set)(void *ctx, const char *key,
                                                 const char *value), void *ctx,
                                     pio_layout_info_t *li_p);

/* ---- datatypes as piece lists (pfs_mpiio_tiles.c) ----
 *
 * A datatype repeated in a buffer, or a filetype tiled from the view's
 * displacement, is a stream of data bytes.  The drivers work on byte
 * ranges of that stream and emit the pieces of [s, s + n) in bounded
 * batches, so that an access of any size never needs one list of all of
 * its pieces.  Each driver gets the pieces of one copy from its MPI
 * library (ROMIO's flattened types, OMPIO's decoded iovecs); the prefix
 * sums computed here make finding a stream position a binary search. */

/* A type tiled in a stream: copy k starts at base + k * extent; within a
 * copy, pieces (off[i], len[i]) relative to the copy's start, cum[i] data
 * bytes before piece i, cum[n] the data bytes of one copy.  contig: one
 * run from base, no tiling (off, len, cum unused).  The arrays are the
 * driver's (ROMIO's flattened type, or the OMPIO components' own): the
 * tiles only point at them. */
typedef struct {
    MPI_Offset *off;
    MPI_Offset *len;
    MPI_Offset *cum;
    size_t n;
    MPI_Offset base;
    MPI_Offset lb;              /* copy k spans [base + k*extent + lb, ... + extent) */
    MPI_Offset extent;
    int contig;
} pfs_mpiio_tiles_t;

/* Growable piece list: offsets (pio_desc_list takes them as uint64_t;
 * memory offsets may be negative, relative to the user's buffer) and
 * lengths. */
typedef struct {
    int64_t *off;
    uint64_t *len;
    size_t n, cap;
    int failed;                 /* out of memory: the list is incomplete */
} pfs_mpiio_list_t;

/* Contiguous tiles: one run from base. */
void pfs_mpiio_tiles_contig(pfs_mpiio_tiles_t *t, MPI_Offset base);
/* Tiles of the n pieces (off, len) of one copy; cum (n + 1 entries) gets
 * the prefix sums. */
void pfs_mpiio_tiles_init(pfs_mpiio_tiles_t *t, MPI_Offset *off, MPI_Offset *len,
                          MPI_Offset *cum, size_t n, MPI_Offset base, MPI_Offset lb,
                          MPI_Offset extent);

/* Append the pieces of stream bytes [s, s + want), stopping early when the
 * list holds max_pieces pieces or runs out of memory (l->failed); returns
 * the bytes covered. */
uint64_t pfs_mpiio_tiles_emit(const pfs_mpiio_tiles_t *t, uint64_t s, uint64_t want,
                              pfs_mpiio_list_t *l, size_t max_pieces);
/* One batch of an access: the pieces of the view's stream bytes
 * [vs, vs + want) into fl and those of the memory stream from ms into ml,
 * each list at most max_pieces long, both cut to the same byte count,
 * which is returned.  The lists are emptied first. */
uint64_t pfs_mpiio_tiles_batch(const pfs_mpiio_tiles_t *view, uint64_t vs,
                               const pfs_mpiio_tiles_t *mem, uint64_t ms, uint64_t want,
                               pfs_mpiio_list_t *fl, pfs_mpiio_list_t *ml,
                               size_t max_pieces);
/* Data bytes of the tiles located before position pos. */
uint64_t pfs_mpiio_tiles_bytes_before(const pfs_mpiio_tiles_t *t, MPI_Offset pos);
/* Position just after stream byte s - 1 (s > 0). */
MPI_Offset pfs_mpiio_tiles_end_of(const pfs_mpiio_tiles_t *t, uint64_t s);

/* Drop the tail of the list past `bytes` bytes. */
void pfs_mpiio_list_trim(pfs_mpiio_list_t *l, uint64_t bytes);
void pfs_mpiio_list_free(pfs_mpiio_list_t *l);

/* ---- errors (pfs_mpiio_error.c) ---- */

/* The MPI error class of a status, the one mapping for both drivers:
 * NOENT/NOTDIR/STALE -> MPI_ERR_NO_SUCH_FILE, EXIST -> MPI_ERR_FILE_EXISTS,
 * ACCESS/BADF/AUTH/CAP* -> MPI_ERR_ACCESS, NOSPC -> MPI_ERR_NO_SPACE,
 * ROFS -> MPI_ERR_READ_ONLY, ISDIR/NAMETOOLONG -> MPI_ERR_BAD_FILE,
 * UNSUPPORTED -> MPI_ERR_UNSUPPORTED_OPERATION, NOMEM -> MPI_ERR_NO_MEM,
 * INVAL -> MPI_ERR_ARG, the rest (servers, transport, configuration)
 * MPI_ERR_IO. */
int pfs_mpiio_error_class(pfs_status_t st);

/* The message of an error: "pfs: DETAIL" when detail is given (libpio's
 * explanations name the operation and the file), else
 * "pfs WHAT PATH: STATUS" (path may be NULL). */
void pfs_mpiio_error_msg(char *msg, size_t msg_size, pfs_status_t st, const char *what,
                         const char *path, const char *detail);

#pragma GCC visibility pop

#endif
