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

#include "pfs_mpiio.h"

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

/* ---- ad_pfs_common.c, over pfs_mpiio.c (shared with the OMPIO
 * components: the client's lifetime, the collective open, the error
 * classes) ---- */

/* The process's libpio client, connected on first use (descriptor: the
 * pfs_ensemble hint of the first open, else $PFS_ENSEMBLE) and
 * disconnected by MPI_Finalize.  Every open file holds it
 * (pfs_mpiio_file_opened/closed).  Returns an MPI error code. */
int ADIOI_PFS_client(pio_client_t **client_p, MPI_Info info, const char *myname);

/* The one place where pfs statuses become MPI error codes: the class
 * follows the status (pfs_mpiio_error_class), the message names the
 * operation, the file and libpio's explanation (detail may be NULL). */
int ADIOI_PFS_error(const char *myname, int line, pfs_status_t st, const char *what,
                    const char *path, const char *detail);

/* ---- ad_pfs_flat.c: datatypes as tiles (pfs_mpiio_tiles_t, and the
 * piece lists emitted from them: pfs_mpiio.h) ---- */

/* Tiles of a memory datatype (buf-relative), pointing into ROMIO's
 * flattened type; *cum_p must be freed with ADIOI_Free when not NULL. */
void ADIOI_PFS_mem_tiles(MPI_Datatype type, pfs_mpiio_tiles_t * t, ADIO_Offset ** cum_p);
/* Tiles of the file view (fd->disp, fd->filetype); same for *cum_p. */
void ADIOI_PFS_view_tiles(ADIO_File fd, pfs_mpiio_tiles_t * t, ADIO_Offset ** cum_p);

/* The stream position (bytes of the view's data) where an access starts:
 * explicit offsets count etypes, the individual pointer is a file offset. */
uint64_t ADIOI_PFS_stream_start(ADIO_File fd, const pfs_mpiio_tiles_t * view,
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
