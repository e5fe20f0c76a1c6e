/* ad_pfs.h - ROMIO's ADIO driver for pfs, over libpio.
 *
 * The driver turns ROMIO's calls into libpio calls: the file view and
 * the memory datatype are flattened into lists of pieces and handed to
 * libpio's structured I/O (independent calls) or to libpio's collective
 * engine (collective calls); the I/O servers execute the pieces.  There
 * is no data sieving and no read-modify-write anywhere.
 *
 * It depends on ROMIO and on libpio's public API (<pfs/pio.h>,
 * <pfs/pio_mpi.h>) only.  See adio/README.md for the slot-by-slot map.
 */
#ifndef AD_PFS_H_INCLUDED
#define AD_PFS_H_INCLUDED

#include "adio.h"

#include <pfs/pio.h>
#include <pfs/pio_mpi.h>

#define ADIOI_PFS_MIN(a, b) ((a) < (b) ? (a) : (b))
/* ROMIO's ADIOI_Free aborts on NULL */
#define ADIOI_PFS_FREE(p) do { if (p) ADIOI_Free(p); } while (0)

/* What the driver keeps per open file (fd->fs_ptr).  Created by the first
 * SetInfo (before the open) and freed by Close. */
typedef struct {
    pio_file_t *file;       /* NULL until opened */
    /* hints the user gave (0: not given) */
    uint64_t stripe_size;   /* striping_unit, at create */
    uint32_t stripe_count;  /* striping_factor, at create */
    int cb_nodes;           /* cb_nodes */
    uint64_t direct_min;    /* pfs_direct_min */
} ADIOI_PFS_file_t;

/* ---- ad_pfs_common.c ---- */

/* The process's libpio client, connected on first use (descriptor: the
 * pfs_ensemble hint of the first open, else $PFS_ENSEMBLE) and
 * disconnected by MPI_Finalize.  Returns an MPI error code. */
int ADIOI_PFS_client(pio_client_t **client_p, MPI_Info info, const char *myname);
/* Every open file holds the client: it disconnects at MPI_Finalize, or at
 * the last close after MPI_Finalize began. */
void ADIOI_PFS_file_opened(void);
void ADIOI_PFS_file_closed(void);

/* The one place where pfs statuses become MPI error codes: the class
 * follows the status, the message names the operation, the file and
 * libpio's explanation (detail may be NULL). */
int ADIOI_PFS_error(const char *myname, int line, pfs_status_t st, const char *what,
                    const char *path, const char *detail);

/* libpio open flags (PIO_RDONLY ...) for an ADIO access mode */
int ADIOI_PFS_pio_flags(int access_mode);

/* ---- ad_pfs_flat.c: datatypes as piece lists ---- */

/* A type tiled in a stream: copy k of the type starts at base + k * extent;
 * within one copy, blocks (off[i], len[i]), cum[i] bytes before block i,
 * cum[n] the size of the type. */
typedef struct {
    const ADIO_Offset *off;
    const ADIO_Offset *len;
    MPI_Count n;
    const ADIO_Offset *cum;
    ADIO_Offset base;
    ADIO_Offset lb;             /* the type's lower bound: copy k spans
                                 * [base + k*extent + lb, ... + extent) */
    ADIO_Offset extent;
    int contig;             /* one contiguous run from base (no tiling) */
} ADIOI_PFS_tiles_t;

/* Growable piece list (offsets and lengths for pio_desc_list). */
typedef struct {
    uint64_t *off;
    uint64_t *len;
    size_t n, cap;
} ADIOI_PFS_list_t;

/* Tiles of a memory datatype (buf-relative); *cum_p must be freed with
 * ADIOI_Free when not NULL. */
void ADIOI_PFS_mem_tiles(MPI_Datatype type, ADIOI_PFS_tiles_t *t, ADIO_Offset **cum_p);
/* Tiles of the file view (fd->disp, fd->filetype); same for *cum_p. */
void ADIOI_PFS_view_tiles(ADIO_File fd, ADIOI_PFS_tiles_t *t, ADIO_Offset **cum_p);
/* Append the pieces of stream bytes [s, s + want), stopping early when the
 * list holds max_pieces pieces; returns the bytes covered. */
uint64_t ADIOI_PFS_tiles_emit(const ADIOI_PFS_tiles_t *t, uint64_t s, uint64_t want,
                              ADIOI_PFS_list_t *l, size_t max_pieces);
/* Number of data bytes of the tiles located before position pos. */
uint64_t ADIOI_PFS_tiles_bytes_before(const ADIOI_PFS_tiles_t *t, ADIO_Offset pos);
/* Position just after stream byte s - 1 (s > 0). */
ADIO_Offset ADIOI_PFS_tiles_end_of(const ADIOI_PFS_tiles_t *t, uint64_t s);
void ADIOI_PFS_list_free(ADIOI_PFS_list_t *l);
/* Drop the tail of the list past `bytes` bytes. */
void ADIOI_PFS_list_trim(ADIOI_PFS_list_t *l, uint64_t bytes);

/* The stream position (bytes of the view's data) where an access starts:
 * explicit offsets count etypes, the individual pointer is a file offset. */
uint64_t ADIOI_PFS_stream_start(ADIO_File fd, const ADIOI_PFS_tiles_t *view,
                                int file_ptr_type, ADIO_Offset offset);

/* ---- the function table (ad_pfs_*.c) ---- */
void ADIOI_PFS_Open(ADIO_File fd, int *error_code);
void ADIOI_PFS_OpenColl(ADIO_File fd, int rank, int access_mode, int *error_code);
void ADIOI_PFS_Close(ADIO_File fd, int *error_code);
void ADIOI_PFS_Delete(const char *filename, int *error_code);
void ADIOI_PFS_SetInfo(ADIO_File fd, MPI_Info users_info, int *error_code);
void ADIOI_PFS_ReadContig(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                          int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                          int *error_code);
void ADIOI_PFS_WriteContig(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                           int *error_code);
void ADIOI_PFS_ReadStrided(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                           int *error_code);
void ADIOI_PFS_WriteStrided(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                            int *error_code);
void ADIOI_PFS_ReadStridedColl(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                               int file_ptr_type, ADIO_Offset offset, ADIO_Status * status,
                               int *error_code);
void ADIOI_PFS_WriteStridedColl(ADIO_File fd, const void *buf, int count,
                                MPI_Datatype datatype, int file_ptr_type, ADIO_Offset offset,
                                ADIO_Status * status, int *error_code);
void ADIOI_PFS_IreadContig(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                           int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                           int *error_code);
void ADIOI_PFS_IwriteContig(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                            int *error_code);
void ADIOI_PFS_IreadStrided(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                            int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                            int *error_code);
void ADIOI_PFS_IwriteStrided(ADIO_File fd, const void *buf, int count, MPI_Datatype datatype,
                             int file_ptr_type, ADIO_Offset offset, ADIO_Request * request,
                             int *error_code);
void ADIOI_PFS_IreadStridedColl(ADIO_File fd, void *buf, int count, MPI_Datatype datatype,
                                int file_ptr_type, ADIO_Offset offset,
                                ADIO_Request * request, int *error_code);
void ADIOI_PFS_IwriteStridedColl(ADIO_File fd, const void *buf, int count,
                                 MPI_Datatype datatype, int file_ptr_type, ADIO_Offset offset,
                                 ADIO_Request * request, int *error_code);
void ADIOI_PFS_Fcntl(ADIO_File fd, int flag, ADIO_Fcntl_t * fcntl_struct, int *error_code);
void ADIOI_PFS_Flush(ADIO_File fd, int *error_code);
void ADIOI_PFS_Resize(ADIO_File fd, ADIO_Offset size, int *error_code);
int ADIOI_PFS_Feature(ADIO_File fd, int flag);
int ADIOI_PFS_SetLock(ADIO_File fd, int cmd, int type, ADIO_Offset offset, int whence,
                      ADIO_Offset len);
/* called from ROMIO's ADIO_Get/Set_shared_fp (romio-pfs.patch) */
void ADIOI_PFS_Get_shared_fp(ADIO_File fd, ADIO_Offset incr, ADIO_Offset * shared_fp,
                             int *error_code);
void ADIOI_PFS_Set_shared_fp(ADIO_File fd, ADIO_Offset offset, int *error_code);

#endif
