/* pio_coll_int.h - what the collective engine's files share: the
 * operation's state (pio_coll.c: hints, domains, start and finish;
 * pio_coll_rounds.c: the two-phase rounds). */
#ifndef PIO_COLL_INT_H
#define PIO_COLL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "pfs/pio_mpi.h"

/* One piece of this rank's data, bound for one aggregator in one round. */
typedef struct {
    uint64_t off;
    uint64_t len;
    uint8_t *mem;
    uint64_t window; /* round */
    uint32_t aggr;
    uint64_t order; /* keeps the caller's order within (round, aggr) */
} cpiece_t;

typedef struct xchg {
    uint64_t *sinfo, *rinfo; /* per rank: pieces, bytes */
    int *scnt, *sdsp, *rcnt, *rdsp;
    uint64_t *smeta, *rmeta;
    size_t rmeta_cap;
    uint8_t *sdata;
    size_t sdata_cap;
} xchg_t;

struct pio_coll_op {
    pio_file_t *file;
    MPI_Comm comm;
    int rank, nranks;
    int write;
    pfs_layout_t layout;
    int naggr;      /* aggregators */
    int per_slot;   /* aggregators per layout slot when > 1 */
    int *aggr_rank; /* aggregator -> rank */
    int my_aggr;    /* -1 if this rank is none */
    uint64_t cb;
    cpiece_t *pieces;
    size_t npieces;
    uint64_t rounds;
    uint64_t bytes;
    /* aggregator side: two buffers so that round k+1 is exchanged while
     * round k's server I/O runs */
    uint8_t *buf[2];
    size_t cap[2];
    pio_request_t *req[2];
    pio_request_t *dreq; /* this rank's direct read, split reads only */
    pfs_status_t status;
    char msg[512];
    int agreed; /* status and msg already agreed by all ranks */
    int direct;
    /* two-phase read: the exchange state and the round whose server read
     * is in flight, kept between _begin (round 0) and _end */
    struct xchg *rx;
    size_t rlo, rhi, rgot;
    pio_coll_stats_t stats;
    double t0;
};

/* pio_coll.c: record the first failure of op (what: where). */
void pioi_coll_op_fail(pio_coll_op_t *op, pfs_status_t st, const char *what);

/* pio_coll_rounds.c */
void pioi_coll_xchg_free(xchg_t *x);
int pioi_coll_xchg_alloc(xchg_t *x, int n, size_t npieces);
/* Wait for the aggregator's server I/O in buffer slot (0 or 1). */
void pioi_coll_wait_slot(pio_coll_op_t *op, int slot, const char *what);
/* Two-phase write, round by round; returns with at most the last two
 * rounds' server I/O in flight. */
void pioi_coll_write_rounds(pio_coll_op_t *op);
/* Two-phase read: round r's exchange metadata and server reads. */
void pioi_coll_read_round_issue(pio_coll_op_t *op, uint64_t r);
/* Everything of a two-phase read after round 0's issue. */
void pioi_coll_read_rest(pio_coll_op_t *op);

#endif
