/* sio.h - structured (noncontiguous) I/O: the run encoding that list and
 * strided requests use on the wire, and the server's execution plan.
 *
 * A request names the pieces of one object as *runs*: a run is `count`
 * blocks of `len` bytes, block k at `offset + k * stride`.  A plain list
 * entry is a run with count 1; a regular pattern is one run however many
 * blocks it has, and is expanded lazily (never into a giant list on the
 * wire).  The payload of a write (and the reply of a read) is the blocks'
 * bytes back to back in run order.
 *
 * Wire form, at the start of the request payload:
 *   u32 nruns, then nruns x (u64 offset, u64 len, u64 count, u64 stride)
 * followed, for writes, by the data.
 */
#ifndef PFS_SIO_H
#define PFS_SIO_H

#include <stddef.h>
#include <stdint.h>

#include "pfs_common.h"

#include "pfs/status.h"

#define PFS_SIO_RUN_SIZE 32u
#define PFS_SIO_MAX_RUNS 16384u    /* runs in one request */
#define PFS_SIO_MAX_PIECES 262144u /* blocks in one request, expanded */

typedef struct {
    uint64_t offset;
    uint64_t len;    /* > 0 */
    uint64_t count;  /* >= 1 */
    uint64_t stride; /* bytes between block starts; ignored when count 1 */
} pfs_run_t;

/* Bytes the encoded run list of nruns runs takes. */
static inline size_t pfs_sio_runs_size(uint32_t nruns)
{
    return 4u + (size_t)nruns * PFS_SIO_RUN_SIZE;
}

/* Encode runs into out (pfs_sio_runs_size(nruns) bytes); PFS_ERR_INVAL
 * for 0 or more than PFS_SIO_MAX_RUNS runs. */
PFS_MUST_CHECK pfs_status_t pfs_sio_runs_encode(const pfs_run_t *runs,
                                                uint32_t nruns, void *out);

/* Decode and validate a run list at the start of buf (len bytes):
 * nruns <= PFS_SIO_MAX_RUNS, every len > 0 and count >= 1, no block ends
 * beyond the largest file size, the blocks add up to at most
 * PFS_SIO_MAX_PIECES and their bytes to *total_p without overflow.
 * *runs_p is malloc'd (free it); *consumed_p is the encoded size. */
PFS_MUST_CHECK pfs_status_t pfs_sio_runs_decode(const void *buf, size_t len,
                                                pfs_run_t **runs_p,
                                                uint32_t *nruns_p,
                                                uint64_t *total_p,
                                                size_t *consumed_p);

/* One piece of an execution plan: object offset, length, and where its
 * bytes are in the payload. */
typedef struct {
    uint64_t off;
    uint64_t len;
    uint64_t pos;
} pfs_sio_piece_t;

/* Expand runs into pieces and merge pieces adjacent both in the object and
 * in the payload.  If no two pieces overlap, they come sorted by object
 * offset and *ordered_p is 1.  If some overlap, they stay in request order
 * and *ordered_p is 0: executed in that order, the later piece of the
 * request wins, as if the blocks were written one by one (sorting cannot
 * keep that when a later piece starts before an earlier one).
 * *pieces_p is malloc'd. */
pfs_status_t pfs_sio_plan(const pfs_run_t *runs, uint32_t nruns,
                          pfs_sio_piece_t **pieces_p, size_t *npieces_p,
                          int *ordered_p);

/* Group a plan into system calls: pieces[first .. first + *n_p) are
 * contiguous in the object and go to one preadv/pwritev of at most
 * max_iov vectors.  Returns the index after the group. */
size_t pfs_sio_next_call(const pfs_sio_piece_t *pieces, size_t npieces,
                         size_t first, size_t max_iov);

/* Data sieving, as the I/O server does it: small pieces close together
 * are served with one read (writes: one read and one write back) of the
 * span they lie in instead of a system call each.  Only for a plan whose
 * pieces are sorted and disjoint (*ordered_p of pfs_sio_plan), and only
 * under a lock every writer of the object takes (a read-modify-write: the
 * I/O server's object lock, and an OFD lock shared with local-access
 * clients). */
#define PFS_SIO_SIEVE_MAX (4u << 20)        /* span of one sieve window */
#define PFS_SIO_SIEVE_PIECE_MAX (16u << 10) /* larger pieces go straight */
#define PFS_SIO_SIEVE_GAP_MAX (64u << 10)   /* a larger hole ends a window */
#define PFS_SIO_SIEVE_MIN_PIECES 8

/* What one window search hands to the next, so that walking a plan
 * costs O(npieces) and not O(npieces^2): a sparse plan of many small
 * pieces fails the density test at every start, and each search scanned
 * to the end of its 4 MiB span again. */
typedef struct {
    size_t first;     /* the start of the last search */
    size_t next;      /* pieces[first .. next) pass the window's limits */
    uint64_t covered; /* and hold this many bytes */
} pfs_sio_sieve_scan_t;

#define PFS_SIO_SIEVE_SCAN_INIT                                                \
    {                                                                          \
        0, 0, 0                                                                \
    }

/* The end of a sieve window starting at piece i: pieces[i .. end) span at
 * most PFS_SIO_SIEVE_MAX bytes and are worth sieving; i when sieving does
 * not pay there (too few pieces, too large, too sparse).  The pieces must
 * be sorted and disjoint.  scan (PFS_SIO_SIEVE_SCAN_INIT at first) carries
 * the search between calls with growing i over one plan; NULL searches
 * from scratch (same result, for tests). */
size_t pfs_sio_sieve_window(const pfs_sio_piece_t *pieces, size_t npieces,
                            size_t i, pfs_sio_sieve_scan_t *scan);

/* Serve pieces[0 .. n) of a window through sbuf (at least end - start
 * bytes): read [start, end) of fd once (zeros past its end), then copy
 * each piece out to base + pos (reads) or in from there and write the
 * span back (writes), in plan order.  0 or an errno. */
int pfs_sio_sieve_span(int fd, const pfs_sio_piece_t *pieces, size_t n,
                       uint8_t *base, int write, uint8_t *sbuf, uint64_t start,
                       uint64_t end);

/* One preadv (write: pwritev) of iov[0 .. n) at object offset off,
 * retried until complete.  Reads past the end of the file fill the rest
 * with zeros (holes and the end look alike here; the reply carries the
 * object's size to tell them apart).  0 or an errno; iov is consumed. */
struct iovec;
int pfs_sio_transfer(int fd, int write, struct iovec *iov, int n, uint64_t off);

/* ---- client-side descriptions ------------------------------------------ */

#define PFS_SIO_MAX_DIMS 8

typedef struct {
    uint64_t count;
    uint64_t stride;
} pfs_dim_t;

/* Either a list of extents or a nested strided pattern: blocks of blocklen
 * bytes at offset + sum(i_d * dims[d].stride), the last dimension varying
 * fastest.  A contiguous range is a strided pattern with no dimension. */
typedef struct {
    int is_list;
    /* list */
    const uint64_t *offsets;
    const uint64_t *lengths;
    size_t count;
    /* strided */
    uint64_t offset;
    uint64_t blocklen;
    int ndims;
    pfs_dim_t dims[PFS_SIO_MAX_DIMS];
} pfs_sio_desc_t;

/* Lazy walk over a description's extents, in order. */
typedef struct {
    const pfs_sio_desc_t *desc;
    size_t index;                   /* list: next entry */
    uint64_t idx[PFS_SIO_MAX_DIMS]; /* strided: current block */
    int done;
} pfs_sio_iter_t;

/* Total bytes, checking overflow and that every extent stays within
 * [0, limit).  PFS_ERR_INVAL / PFS_ERR_FBIG otherwise. */
pfs_status_t pfs_sio_desc_check(const pfs_sio_desc_t *desc, uint64_t limit,
                                uint64_t *total_p);

void pfs_sio_iter_init(pfs_sio_iter_t *it, const pfs_sio_desc_t *desc);
/* Next non-empty extent; 0 when there is none left. */
int pfs_sio_iter_next(pfs_sio_iter_t *it, uint64_t *off_p, uint64_t *len_p);

/* Walk a memory and a file description together, pairing their bytes in
 * order: fn gets each range that is contiguous on both sides (file offset,
 * memory offset, length).  Stops at the first status fn returns that is
 * not PFS_OK and returns it. */
typedef pfs_status_t (*pfs_sio_pair_fn)(void *arg, uint64_t file_off,
                                        uint64_t mem_off, uint64_t len);
pfs_status_t pfs_sio_pair_walk(const pfs_sio_desc_t *mem,
                               const pfs_sio_desc_t *file, pfs_sio_pair_fn fn,
                               void *arg);

#endif
