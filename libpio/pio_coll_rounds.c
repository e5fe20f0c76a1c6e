/* pio_coll_rounds.c - libpio_mpi: the rounds of two-phase collective
 * I/O: per round, the metadata and data exchange among the ranks (MPI)
 * and each aggregator's server I/O, two rounds in flight. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pio_coll_int.h"
#include "pio_coll_sync.h"
#include "pio_desc.h"

void pioi_coll_xchg_free(xchg_t *x)
{
    free(x->sinfo);
    free(x->rinfo);
    free(x->scnt);
    free(x->sdsp);
    free(x->rcnt);
    free(x->rdsp);
    free(x->smeta);
    free(x->rmeta);
    free(x->sdata);
}

int pioi_coll_xchg_alloc(xchg_t *x, int n, size_t npieces)
{
    memset(x, 0, sizeof(*x));
    x->sinfo = calloc(2 * (size_t)n, sizeof(uint64_t));
    x->rinfo = calloc(2 * (size_t)n, sizeof(uint64_t));
    x->scnt = calloc((size_t)n, sizeof(int));
    x->sdsp = calloc((size_t)n, sizeof(int));
    x->rcnt = calloc((size_t)n, sizeof(int));
    x->rdsp = calloc((size_t)n, sizeof(int));
    x->smeta = malloc((2 * npieces + 2) * sizeof(uint64_t));
    return x->sinfo && x->rinfo && x->scnt && x->sdsp && x->rcnt && x->rdsp &&
                   x->smeta
               ? 0
               : -1;
}

static int grow_bytes(uint8_t **p, size_t *cap, size_t need)
{
    uint8_t *np;

    if (need <= *cap) {
        return 0;
    }
    np = realloc(*p, need);
    if (np == NULL) {
        return -1;
    }
    *p = np;
    *cap = need;
    return 0;
}

/* Metadata of round r: who sends how many pieces and bytes to whom, and
 * the (offset, length) of each.  [lo, hi) are this rank's pieces of the
 * round.  Returns the pieces this rank receives (aggregators). */
static size_t exchange_meta(pio_coll_op_t *op, xchg_t *x, size_t lo, size_t hi,
                            uint64_t *rbytes_p)
{
    int n = op->nranks, k;
    size_t i, total = 0, m = 0;
    uint64_t rbytes = 0;

    memset(x->sinfo, 0, 2 * (size_t)n * sizeof(uint64_t));
    for (i = lo; i < hi; i++) {
        int dest = op->aggr_rank[op->pieces[i].aggr];

        x->sinfo[2 * dest]++;
        x->sinfo[2 * dest + 1] += op->pieces[i].len;
        /* pieces are sorted by aggregator, aggregator ranks increase */
        x->smeta[m++] = op->pieces[i].off;
        x->smeta[m++] = op->pieces[i].len;
    }
    pioi_coll_alltoall(x->sinfo, 2, MPI_UINT64_T, x->rinfo, 2, MPI_UINT64_T,
                       op->comm);
    for (k = 0; k < n; k++) {
        x->scnt[k] = (int)(2 * x->sinfo[2 * k]);
        x->sdsp[k] = k == 0 ? 0 : x->sdsp[k - 1] + x->scnt[k - 1];
        x->rcnt[k] = (int)(2 * x->rinfo[2 * k]);
        x->rdsp[k] = k == 0 ? 0 : x->rdsp[k - 1] + x->rcnt[k - 1];
        total += x->rinfo[2 * k];
        rbytes += x->rinfo[2 * k + 1];
    }
    if (2 * total + 2 > x->rmeta_cap) {
        free(x->rmeta);
        x->rmeta_cap = 2 * total + 2;
        x->rmeta = malloc(x->rmeta_cap * sizeof(uint64_t));
        if (x->rmeta == NULL) {
            x->rmeta_cap = 0;
            /* cannot fail out of a collective: abort is the honest answer */
            MPI_Abort(op->comm, 1);
        }
    }
    pioi_coll_alltoallv(x->smeta, x->scnt, x->sdsp, MPI_UINT64_T, x->rmeta,
                        x->rcnt, x->rdsp, MPI_UINT64_T, op->comm);
    *rbytes_p = rbytes;
    return total;
}

/* Byte counts of the data exchange (the metadata counts, in bytes). */
static void data_counts(pio_coll_op_t *op, xchg_t *x, int sending)
{
    int n = op->nranks, k;

    for (k = 0; k < n; k++) {
        uint64_t sb = sending ? x->sinfo[2 * k + 1] : x->rinfo[2 * k + 1];
        uint64_t rb = sending ? x->rinfo[2 * k + 1] : x->sinfo[2 * k + 1];

        x->scnt[k] = (int)sb;
        x->sdsp[k] = k == 0 ? 0 : x->sdsp[k - 1] + x->scnt[k - 1];
        x->rcnt[k] = (int)rb;
        x->rdsp[k] = k == 0 ? 0 : x->rdsp[k - 1] + x->rcnt[k - 1];
    }
}

/* The aggregator's list of received pieces as a description. */
static pfs_status_t issue(pio_coll_op_t *op, xchg_t *x, size_t npieces,
                          uint8_t *buf, pio_request_t **req_p)
{
    uint64_t *offs = malloc((npieces + 1) * sizeof(uint64_t));
    uint64_t *lens = malloc((npieces + 1) * sizeof(uint64_t));
    pio_desc_t fd;
    size_t i;
    pfs_status_t st;

    if (offs == NULL || lens == NULL) {
        free(offs);
        free(lens);
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < npieces; i++) {
        offs[i] = x->rmeta[2 * i];
        lens[i] = x->rmeta[2 * i + 1];
        op->stats.bytes += lens[i];
    }
    pio_desc_list(&fd, offs, lens, npieces);
    op->stats.requests++;
    /* the description is consumed by the call: the arrays can go */
    st = op->write ? pio_write_desc(op->file, buf, NULL, &fd, req_p)
                   : pio_read_desc(op->file, buf, NULL, &fd, req_p);
    free(offs);
    free(lens);
    return st;
}

void pioi_coll_wait_slot(pio_coll_op_t *op, int slot, const char *what)
{
    pfs_status_t st;
    double t;

    if (op->req[slot] != NULL) {
        t = MPI_Wtime();
        st = pio_wait(&op->req[slot], NULL);
        op->stats.io_wait_s += MPI_Wtime() - t;
        if (st != PFS_OK) {
            pioi_coll_op_fail(op, st, what);
        }
    }
}

/* Two-phase write, round by round; returns with at most the last two
 * rounds' server I/O in flight. */
void pioi_coll_write_rounds(pio_coll_op_t *op)
{
    xchg_t x;
    size_t lo = 0, hi;
    uint64_t r;

    if (pioi_coll_xchg_alloc(&x, op->nranks, op->npieces) != 0) {
        MPI_Abort(op->comm, 1);
    }
    for (r = 0; r < op->rounds; r++) {
        int slot = (int)(r % 2), k;
        uint64_t rbytes;
        double t;
        size_t got, i, pos = 0;

        for (hi = lo; hi < op->npieces && op->pieces[hi].window == r; hi++) {
        }
        t = MPI_Wtime();
        got = exchange_meta(op, &x, lo, hi, &rbytes);
        /* pack this round's pieces, destination by destination */
        {
            size_t need = 0;
            for (k = 0; k < op->nranks; k++) {
                need += x.sinfo[2 * k + 1];
            }
            if (grow_bytes(&x.sdata, &x.sdata_cap, need + 1) != 0) {
                MPI_Abort(op->comm, 1);
            }
        }
        for (i = lo; i < hi; i++) {
            memcpy(x.sdata + pos, op->pieces[i].mem, op->pieces[i].len);
            pos += op->pieces[i].len;
        }
        op->stats.exchange_s += MPI_Wtime() - t;
        /* the buffer this round lands in must be free again */
        pioi_coll_wait_slot(op, slot, "aggregator server I/O");
        t = MPI_Wtime();
        if (grow_bytes(&op->buf[slot], &op->cap[slot], rbytes + 1) != 0) {
            MPI_Abort(op->comm, 1);
        }
        data_counts(op, &x, 1);
        pioi_coll_alltoallv(x.sdata, x.scnt, x.sdsp, MPI_BYTE, op->buf[slot],
                            x.rcnt, x.rdsp, MPI_BYTE, op->comm);
        op->stats.exchange_s += MPI_Wtime() - t;
        if (got > 0 && op->status == PFS_OK) {
            pfs_status_t st = issue(op, &x, got, op->buf[slot], &op->req[slot]);
            if (st != PFS_OK) {
                op->req[slot] = NULL;
                pioi_coll_op_fail(op, st, "aggregator write");
            }
        }
        lo = hi;
    }
    pioi_coll_xchg_free(&x);
}

/* Two-phase read, first half of round r: the metadata exchange, then the
 * aggregators' server reads into buf[0], issued and not waited for.  The
 * split read returns from _begin here after round 0. */
void pioi_coll_read_round_issue(pio_coll_op_t *op, uint64_t r)
{
    uint64_t rbytes;
    size_t hi;
    double t;

    for (hi = op->rlo; hi < op->npieces && op->pieces[hi].window == r; hi++) {
    }
    op->rhi = hi;
    t = MPI_Wtime();
    op->rgot = exchange_meta(op, op->rx, op->rlo, op->rhi, &rbytes);
    op->stats.exchange_s += MPI_Wtime() - t;
    if (grow_bytes(&op->buf[0], &op->cap[0], rbytes + 1) != 0) {
        MPI_Abort(op->comm, 1);
    }
    if (op->rgot > 0 && op->status == PFS_OK) {
        pfs_status_t st;

        t = MPI_Wtime();
        st = issue(op, op->rx, op->rgot, op->buf[0], &op->req[0]);
        op->stats.io_wait_s += MPI_Wtime() - t;
        if (st != PFS_OK) {
            op->req[0] = NULL;
            pioi_coll_op_fail(op, st, "aggregator read");
        }
    }
}

/* Second half: wait for the server reads, send the data back, unpack.
 * After a failure the aggregators send whatever the buffer holds: every
 * rank still takes part, and the status agreed at the end says the data
 * is not to be used. */
static void read_round_finish(pio_coll_op_t *op)
{
    xchg_t *x = op->rx;
    uint64_t need = 0;
    size_t i, pos = 0;
    double t;
    int k;

    pioi_coll_wait_slot(op, 0, "aggregator read");
    t = MPI_Wtime();
    for (k = 0; k < op->nranks; k++) {
        need += x->sinfo[2 * k + 1];
    }
    if (grow_bytes(&x->sdata, &x->sdata_cap, need + 1) != 0) {
        MPI_Abort(op->comm, 1);
    }
    data_counts(op, x, 0);
    pioi_coll_alltoallv(op->buf[0], x->scnt, x->sdsp, MPI_BYTE, x->sdata,
                        x->rcnt, x->rdsp, MPI_BYTE, op->comm);
    op->stats.exchange_s += MPI_Wtime() - t;
    for (i = op->rlo; i < op->rhi; i++) {
        memcpy(op->pieces[i].mem, x->sdata + pos, op->pieces[i].len);
        pos += op->pieces[i].len;
    }
    op->rlo = op->rhi;
}

/* Everything of a two-phase read after round 0's issue: each round is
 * read, then sent back. */
void pioi_coll_read_rest(pio_coll_op_t *op)
{
    uint64_t r;

    for (r = 0; r < op->rounds; r++) {
        if (r > 0) {
            pioi_coll_read_round_issue(op, r);
        }
        read_round_finish(op);
    }
}
