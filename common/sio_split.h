/* sio_split.h - split a pair of (memory, file) descriptions through a
 * file's layout into one structured request per I/O server.
 *
 * Pure arithmetic, shared by libpio and the unit tests: no I/O.  Pieces
 * are appended in the order the descriptions give them; on each server
 * they are coalesced as they arrive (contiguous object ranges grow a run,
 * equal pieces at a constant stride become one strided run, adjacent
 * memory grows an iov).  A part is closed when it reaches max_bytes,
 * PFS_SIO_MAX_RUNS runs, PFS_SIO_MAX_PIECES blocks or max_iov memory
 * pieces, and the server's next pieces start a new part.
 */
#ifndef PFS_SIO_SPLIT_H
#define PFS_SIO_SPLIT_H

#include "layout.h"
#include "pfs_common.h"
#include "sio.h"

/* Everything one request to one server carries. */
typedef struct {
    uint32_t slot;   /* layout slot; the server is layout->servers[slot] */
    pfs_run_t *runs; /* object side */
    uint32_t nruns;
    uint32_t cap_runs;
    uint64_t pieces; /* blocks the runs expand to */
    pfs_iov_t *iov;  /* memory side; iov[0] is left free for the caller */
    size_t niov;     /* including iov[0] */
    size_t cap_iov;
    uint64_t bytes;
    uint64_t max_end; /* largest object offset + 1 */
} pfs_sio_part_t;

/* Split.  buf is the memory base of mem's offsets.  Parts come out in the
 * order they were opened; *parts_p is malloc'd, free it with
 * pfs_sio_parts_free().  The descriptions must describe equal byte
 * totals (pfs_sio_desc_check). */
pfs_status_t pfs_sio_split(const pfs_layout_t *layout, uint64_t max_bytes,
                           size_t max_iov, uint8_t *buf,
                           const pfs_sio_desc_t *mem,
                           const pfs_sio_desc_t *file, pfs_sio_part_t **parts_p,
                           size_t *nparts_p);

void pfs_sio_parts_free(pfs_sio_part_t *parts, size_t nparts);

#endif
