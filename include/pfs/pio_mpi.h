/* pfs/pio_mpi.h - collective I/O for libpio over an MPI communicator
 * (library libpio_mpi; pkg-config libpio_mpi).
 *
 * Two-phase I/O aware of the servers: the ranks exchange data (MPI) with
 * a set of aggregators whose file domains follow the file's layout (each
 * I/O server is always fed by the same aggregators), and the aggregators
 * send large structured requests to the servers.  The exchange of one
 * round overlaps the server I/O of the previous one, within
 * cb_buffer_size per aggregator.  A rank whose pieces are already large
 * skips the exchange ("direct"): it sends its own structured requests,
 * or reads and writes the objects itself (local access), before the
 * call's one agreement; the others' pieces go two-phase.  A call where
 * every rank goes direct, or where no rank has data, costs one
 * allreduce besides the I/O.
 *
 * Conventions as in <pfs/pio.h>.  In addition: every rank of comm calls
 * every collective function with the same hints, also after an error;
 * every rank returns the same status (a failure on any rank or server is
 * agreed on collectively; no rank is left waiting).  errmsg (may be NULL)
 * gets the first failing rank's explanation.  Each rank passes its own
 * pio_file_t of the same file.  The structs grow as <pfs/pio.h> says
 * (the _sz functions); a struct size that is refused fails a collective
 * call on every rank.
 */
#ifndef PFS_PIO_MPI_H
#define PFS_PIO_MPI_H

#include <mpi.h>
#include <pfs/pio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PIO_CB_AUTO = 0,   /* pick by the rule below */
    PIO_CB_ENABLE = 1, /* always two-phase */
    PIO_CB_DISABLE = 2 /* always direct */
} pio_cb_mode_t;

typedef struct {
    pio_cb_mode_t cb_write;  /* hint romio_cb_write: enable|disable|automatic */
    pio_cb_mode_t cb_read;   /* hint romio_cb_read */
    int cb_nodes;            /* hint cb_nodes: aggregators; 0: one per slot
                                of the file's layout, at most one per rank */
    uint64_t cb_buffer_size; /* hint cb_buffer_size: bytes per aggregator
                                per round; 0: 4 MiB */
    uint64_t direct_min;     /* hint pfs_direct_min: in automatic mode, a
                                rank whose pieces average at least this,
                                or that has fewer than 8 pieces, does its
                                own I/O (direct), the others' go
                                two-phase; 0: 16 KiB */
} pio_coll_hints_t;

/* Defaults: automatic modes, 4 MiB buffers, 16 KiB direct threshold.
 * PFS_ERR_INVAL only for a hints_size below release 0.1's (hints is then
 * untouched). */
pfs_status_t pio_coll_hints_default_sz(pio_coll_hints_t *hints,
                                       size_t hints_size);
#define pio_coll_hints_default(hints)                                          \
    pio_coll_hints_default_sz((hints), sizeof(pio_coll_hints_t))

/* Read the hints above from an MPI_Info (MPI_INFO_NULL allowed; other keys
 * ignored).  A malformed value gives PFS_ERR_INVAL and a message naming
 * the key; hints is then unchanged. */
pfs_status_t pio_coll_hints_from_info_sz(MPI_Info info, pio_coll_hints_t *hints,
                                         char *errmsg, size_t errmsg_size,
                                         size_t hints_size);
#define pio_coll_hints_from_info(info, hints, errmsg, errmsg_size)             \
    pio_coll_hints_from_info_sz((info), (hints), (errmsg), (errmsg_size),      \
                                sizeof(pio_coll_hints_t))

/* Collective write/read: like pio_write_desc/pio_read_desc on every rank,
 * but with the data exchanged so that servers receive few, large
 * requests.  hints NULL: defaults.  *bytes_p (may be NULL): this rank's
 * bytes.  Returns once the data is on the servers (write) or in buf
 * (read) on every rank. */
pfs_status_t pio_write_all_sz(pio_file_t *file, MPI_Comm comm, const void *buf,
                              const pio_desc_t *mem, const pio_desc_t *filed,
                              const pio_coll_hints_t *hints, uint64_t *bytes_p,
                              char *errmsg, size_t errmsg_size,
                              size_t desc_size, size_t hints_size);
#define pio_write_all(file, comm, buf, mem, filed, hints, bytes_p, errmsg,     \
                      errmsg_size)                                             \
    pio_write_all_sz((file), (comm), (buf), (mem), (filed), (hints),           \
                     (bytes_p), (errmsg), (errmsg_size), sizeof(pio_desc_t),   \
                     sizeof(pio_coll_hints_t))
pfs_status_t pio_read_all_sz(pio_file_t *file, MPI_Comm comm, void *buf,
                             const pio_desc_t *mem, const pio_desc_t *filed,
                             const pio_coll_hints_t *hints, uint64_t *bytes_p,
                             char *errmsg, size_t errmsg_size, size_t desc_size,
                             size_t hints_size);
#define pio_read_all(file, comm, buf, mem, filed, hints, bytes_p, errmsg,      \
                     errmsg_size)                                              \
    pio_read_all_sz((file), (comm), (buf), (mem), (filed), (hints), (bytes_p), \
                    (errmsg), (errmsg_size), sizeof(pio_desc_t),               \
                    sizeof(pio_coll_hints_t))

/* For callers that split one access into several collective calls (a
 * driver bounding its piece lists): what a rank knows before the call
 * and learns from it, carried by the call's own agreement, so that the
 * loop needs no communication of its own. */
typedef struct {
    int more;               /* in: this rank has pieces for a further call
                               of the same access */
    pfs_status_t failed;    /* in: this rank already failed on its own
                               (PFS_OK: no); it takes part with empty
                               descriptions and every rank returns this
                               failure (the first one, if several) */
    const char *failed_msg; /* in: its explanation (may be NULL);
                               borrowed for the call */
    int any_more;           /* out: some rank set more (whatever the
                               status) */
} pio_coll_batch_t;

/* pio_write_all / pio_read_all with a batch (may be NULL: the same as
 * the plain calls).  Collective; same rules. */
pfs_status_t
pio_write_all_batch_sz(pio_file_t *file, MPI_Comm comm, const void *buf,
                       const pio_desc_t *mem, const pio_desc_t *filed,
                       const pio_coll_hints_t *hints, pio_coll_batch_t *batch,
                       uint64_t *bytes_p, char *errmsg, size_t errmsg_size,
                       size_t desc_size, size_t hints_size, size_t batch_size);
#define pio_write_all_batch(file, comm, buf, mem, filed, hints, batch,         \
                            bytes_p, errmsg, errmsg_size)                      \
    pio_write_all_batch_sz((file), (comm), (buf), (mem), (filed), (hints),     \
                           (batch), (bytes_p), (errmsg), (errmsg_size),        \
                           sizeof(pio_desc_t), sizeof(pio_coll_hints_t),       \
                           sizeof(pio_coll_batch_t))
pfs_status_t
pio_read_all_batch_sz(pio_file_t *file, MPI_Comm comm, void *buf,
                      const pio_desc_t *mem, const pio_desc_t *filed,
                      const pio_coll_hints_t *hints, pio_coll_batch_t *batch,
                      uint64_t *bytes_p, char *errmsg, size_t errmsg_size,
                      size_t desc_size, size_t hints_size, size_t batch_size);
#define pio_read_all_batch(file, comm, buf, mem, filed, hints, batch, bytes_p, \
                           errmsg, errmsg_size)                                \
    pio_read_all_batch_sz((file), (comm), (buf), (mem), (filed), (hints),      \
                          (batch), (bytes_p), (errmsg), (errmsg_size),         \
                          sizeof(pio_desc_t), sizeof(pio_coll_hints_t),        \
                          sizeof(pio_coll_batch_t))

/* Split collective write: _begin does the exchange and issues the server
 * I/O; the last round's server I/O is still in flight when it returns, so
 * computation between _begin and _end overlaps it.  _end waits and agrees
 * on the status.  buf must stay untouched in between.  One split
 * operation per file at a time. */
typedef struct pio_coll_op pio_coll_op_t;
pfs_status_t pio_write_all_begin_sz(pio_file_t *file, MPI_Comm comm,
                                    const void *buf, const pio_desc_t *mem,
                                    const pio_desc_t *filed,
                                    const pio_coll_hints_t *hints,
                                    pio_coll_op_t **op_p, size_t desc_size,
                                    size_t hints_size);
#define pio_write_all_begin(file, comm, buf, mem, filed, hints, op_p)          \
    pio_write_all_begin_sz((file), (comm), (buf), (mem), (filed), (hints),     \
                           (op_p), sizeof(pio_desc_t),                         \
                           sizeof(pio_coll_hints_t))
pfs_status_t pio_write_all_end(pio_coll_op_t *op, uint64_t *bytes_p,
                               char *errmsg, size_t errmsg_size);

/* Split collective read.  Collective like pio_read_all (same arguments and
 * hints on every rank, also after an error).
 *
 * _begin agrees on the setup and the mode, then issues the server reads
 * and returns without waiting for them:
 *   - direct mode: all of this rank's reads;
 *   - two-phase: round 0's only (the first cb_buffer_size of each
 *     aggregator's domain; its metadata is exchanged in _begin).
 * Computation between _begin and _end overlaps those reads; the later
 * rounds are read and sent in _end, one after the other as in
 * pio_read_all, so with several rounds only the first overlaps.  The
 * servers work meanwhile; libpio makes client-side progress only inside
 * its own calls, so some of the transfer may be left for _end.
 *
 * _end waits for the reads, sends the data to the ranks that asked for it
 * (two-phase), and agrees on the status: every rank returns the same
 * status and errmsg (may be NULL) the first failing rank's explanation;
 * *bytes_p (may be NULL) gets this rank's bytes, 0 on failure.  _end
 * frees op on every path; op NULL gives PFS_ERR_INVAL (not collective).
 * _begin always returns PFS_OK and sets *op_p, also when the setup failed
 * (the failure is reported by _end, on every rank).
 *
 * Ownership and rules: buf is borrowed until _end returns and must not be
 * read or written in between (it may hold partial data; after a failure
 * its contents are undefined).  mem and filed (and their arrays) are
 * consumed by _begin and may be freed when it returns.  No MPI operation
 * of the engine is pending in between, so comm may carry other traffic.
 * One split operation per file at a time, and no other collective call
 * on the file until _end.  Not thread safe. */
pfs_status_t pio_read_all_begin_sz(pio_file_t *file, MPI_Comm comm, void *buf,
                                   const pio_desc_t *mem,
                                   const pio_desc_t *filed,
                                   const pio_coll_hints_t *hints,
                                   pio_coll_op_t **op_p, size_t desc_size,
                                   size_t hints_size);
#define pio_read_all_begin(file, comm, buf, mem, filed, hints, op_p)           \
    pio_read_all_begin_sz((file), (comm), (buf), (mem), (filed), (hints),      \
                          (op_p), sizeof(pio_desc_t),                          \
                          sizeof(pio_coll_hints_t))
pfs_status_t pio_read_all_end(pio_coll_op_t *op, uint64_t *bytes_p,
                              char *errmsg, size_t errmsg_size);

/* What this process did in its last collective call: the shape of the
 * I/O (for tests and benchmarks).  Not thread safe.  PFS_ERR_INVAL only
 * for a stats_size below release 0.1's (stats is then untouched). */
typedef struct {
    int direct;        /* 1: this rank's data went direct, 0: two-phase
                          (or it had none) */
    int aggregators;   /* aggregators of the call */
    int is_aggregator; /* this rank was one */
    uint64_t rounds;   /* exchange rounds */
    uint64_t requests; /* server requests this rank issued */
    uint64_t bytes;    /* bytes this rank sent to or got from servers */
    double exchange_s; /* time in the MPI exchange */
    double io_wait_s;  /* time waiting for server I/O */
    double total_s;    /* the whole call */
} pio_coll_stats_t;

pfs_status_t pio_coll_last_stats_sz(pio_coll_stats_t *stats, size_t stats_size);
#define pio_coll_last_stats(stats)                                             \
    pio_coll_last_stats_sz((stats), sizeof(pio_coll_stats_t))

#ifdef __cplusplus
}
#endif
#endif
