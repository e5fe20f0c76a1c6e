/* pio_coll.c - libpio_mpi: two-phase collective I/O whose file domains
 * follow the file's layout, pipelined in rounds of cb_buffer_size (the
 * rounds are in pio_coll_rounds.c); and a direct mode for large pieces.
 * Hints, domains, the mode, start and finish are here.  Uses libpio's public
 * API, MPI, and the layout and description walkers of common/ (compiled into
 * libpio_mpi, hidden). */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "pfs/pio_mpi.h"
#include "pfs_common.h"
#include "pio_abi.h"
#include "pio_coll_int.h"
#include "pio_coll_sync.h"
#include "pio_desc.h"
#include "sio.h"

#define DEFAULT_CB_BUFFER (UINT64_C(4) << 20)
#define DEFAULT_DIRECT_MIN (UINT64_C(16) << 10)
#define MAX_CB_BUFFER (UINT64_C(512) << 20)

static pio_coll_stats_t last_stats;

PFS_EXPORT pfs_status_t pio_coll_last_stats_sz(pio_coll_stats_t *stats,
                                               size_t stats_size)
{
    pfs_status_t st = PIOI_ABI_CHECK(pio_coll_stats_t, stats_size, NULL, 0);

    if (st == PFS_OK) {
        PIOI_ABI_OUT(pio_coll_stats_t, stats, stats_size, &last_stats);
    }
    return st;
}

static void hints_default(pio_coll_hints_t *h)
{
    memset(h, 0, sizeof(*h));
    h->cb_write = PIO_CB_AUTO;
    h->cb_read = PIO_CB_AUTO;
    h->cb_buffer_size = DEFAULT_CB_BUFFER;
    h->direct_min = DEFAULT_DIRECT_MIN;
}

PFS_EXPORT pfs_status_t pio_coll_hints_default_sz(pio_coll_hints_t *hints,
                                                  size_t hints_size)
{
    pio_coll_hints_t h;
    pfs_status_t st = PIOI_ABI_CHECK(pio_coll_hints_t, hints_size, NULL, 0);

    if (st == PFS_OK) {
        hints_default(&h);
        PIOI_ABI_OUT(pio_coll_hints_t, hints, hints_size, &h);
    }
    return st;
}

static int parse_mode(const char *v, pio_cb_mode_t *mode)
{
    if (!strcmp(v, "enable")) {
        *mode = PIO_CB_ENABLE;
    } else if (!strcmp(v, "disable")) {
        *mode = PIO_CB_DISABLE;
    } else if (!strcmp(v, "automatic")) {
        *mode = PIO_CB_AUTO;
    } else {
        return -1;
    }
    return 0;
}

PFS_EXPORT pfs_status_t pio_coll_hints_from_info_sz(MPI_Info info,
                                                    pio_coll_hints_t *hints,
                                                    char *errmsg,
                                                    size_t errmsg_size,
                                                    size_t hints_size)
{
    static const char *keys[] = {"romio_cb_write", "romio_cb_read", "cb_nodes",
                                 "cb_buffer_size", "pfs_direct_min"};
    pio_coll_hints_t h;
    char value[MPI_MAX_INFO_VAL + 1];
    unsigned i;
    pfs_status_t st;

    st = PIOI_ABI_IN(pio_coll_hints_t, &h, hints, hints_size, errmsg,
                     errmsg_size);
    if (st != PFS_OK || info == MPI_INFO_NULL) {
        return st;
    }
    for (i = 0; i < PFS_ARRAY_SIZE(keys); i++) {
        uint64_t v = 0;
        int flag = 0, bad = 0;

        MPI_Info_get(info, keys[i], MPI_MAX_INFO_VAL, value, &flag);
        if (!flag) {
            continue;
        }
        switch (i) {
        case 0: bad = parse_mode(value, &h.cb_write); break;
        case 1: bad = parse_mode(value, &h.cb_read); break;
        case 2:
            bad = pfs_parse_size(value, &v) != PFS_OK || v == 0 || v > INT_MAX;
            h.cb_nodes = (int)v;
            break;
        case 3:
            bad = pfs_parse_size(value, &v) != PFS_OK || v < 4096 ||
                  v > MAX_CB_BUFFER;
            h.cb_buffer_size = v;
            break;
        case 4:
            bad = pfs_parse_size(value, &v) != PFS_OK;
            h.direct_min = v;
            break;
        }
        if (bad) {
            if (errmsg != NULL) {
                snprintf(errmsg, errmsg_size, "hint %s: bad value '%s'%s",
                         keys[i], value,
                         i < 2    ? " (enable, disable or automatic)"
                         : i == 3 ? " (4096 .. 512m)"
                                  : "");
            }
            return PFS_ERR_INVAL;
        }
    }
    PIOI_ABI_UPDATE(pio_coll_hints_t, hints, hints_size, &h);
    return PFS_OK;
}

void pioi_coll_op_fail(pio_coll_op_t *op, pfs_status_t st, const char *what)
{
    if (op->status == PFS_OK) {
        op->status = st;
        snprintf(op->msg, sizeof(op->msg), "%s: %s", what,
                 pfs_status_string(st));
    }
}

/* ---- domains ----------------------------------------------------------- */

/* Aggregator of the stripe holding off, and off's position in that
 * aggregator's domain (its stripes in file order, back to back).  With
 * naggr <= slots, aggregator a serves slots a, a + naggr, ...; with more,
 * each slot's stripes alternate between per_slot aggregators.  Either way
 * a server is always fed by the same aggregators. */
static void locate(const pio_coll_op_t *op, uint64_t off, uint32_t *aggr_p,
                   uint64_t *dom_p)
{
    uint64_t s = op->layout.stripe_size, c = op->layout.stripe_count;
    uint64_t k = off / s, j = k % c, row = k / c, lindex;
    uint32_t a;

    if (op->per_slot > 1) {
        a = (uint32_t)(j + c * (row % (uint64_t)op->per_slot));
        lindex = row / (uint64_t)op->per_slot;
    } else {
        uint64_t n = (uint64_t)op->naggr;
        uint64_t slots_of_a;

        a = (uint32_t)(j % n);
        slots_of_a = (c - a + n - 1) / n;
        lindex = row * slots_of_a + j / n;
    }
    *aggr_p = a;
    *dom_p = lindex * s + off % s;
}

static int piece_cmp(const void *x, const void *y)
{
    const cpiece_t *a = x, *b = y;

    if (a->window != b->window) {
        return a->window < b->window ? -1 : 1;
    }
    if (a->aggr != b->aggr) {
        return a->aggr < b->aggr ? -1 : 1;
    }
    return a->order < b->order ? -1 : a->order > b->order;
}

static pfs_status_t add_piece(pio_coll_op_t *op, size_t *cap, uint64_t off,
                              uint64_t len, uint8_t *mem)
{
    while (len > 0) {
        pfs_layout_piece_t lp;
        uint64_t dom, n;
        uint32_t aggr;
        cpiece_t *p;

        pfs_layout_piece(&op->layout, off, len, &lp);
        locate(op, off, &aggr, &dom);
        /* also stop at the round's end within the domain */
        n = PFS_MIN(lp.length, op->cb - dom % op->cb);
        if (op->npieces == *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            cpiece_t *np = realloc(op->pieces, ncap * sizeof(*np));
            if (np == NULL) {
                return PFS_ERR_NOMEM;
            }
            op->pieces = np;
            *cap = ncap;
        }
        p = &op->pieces[op->npieces];
        p->off = off;
        p->len = n;
        p->mem = mem;
        p->window = dom / op->cb;
        p->aggr = aggr;
        p->order = op->npieces++;
        off += n;
        mem += n;
        len -= n;
    }
    return PFS_OK;
}

typedef struct {
    pio_coll_op_t *op;
    uint8_t *buf;
    size_t *cap;
} coll_walk_t;

static pfs_status_t coll_pair(void *arg, uint64_t foff, uint64_t moff,
                              uint64_t len)
{
    coll_walk_t *w = arg;

    return add_piece(w->op, w->cap, foff, len, w->buf + moff);
}

/* Everything both phases need: layout, aggregators, this rank's pieces by
 * round and aggregator, the number of rounds (agreed). */
static pfs_status_t prepare(pio_coll_op_t *op, uint8_t *buf,
                            const pio_desc_t *mem, const pio_desc_t *filed,
                            const pio_coll_hints_t *hints, uint64_t *total_p,
                            uint64_t *count_p)
{
    pio_layout_info_t info;
    pfs_sio_desc_t ms, fs;
    pfs_sio_iter_t fi;
    uint64_t foff = 0, flen = 0, mtotal, ftotal;
    uint64_t count = 0;
    coll_walk_t walk;
    size_t cap = 0;
    pio_desc_t contig;
    uint32_t i;
    int a, want;
    pfs_status_t st;

    st = pio_file_layout(op->file, &info);
    if (st != PFS_OK) {
        return st;
    }
    memset(&op->layout, 0, sizeof(op->layout));
    op->layout.stripe_size = info.stripe_size;
    op->layout.stripe_count = info.stripe_count;
    for (i = 0; i < info.stripe_count; i++) {
        op->layout.servers[i] = info.servers[i];
    }
    op->cb = hints->cb_buffer_size ? hints->cb_buffer_size : DEFAULT_CB_BUFFER;
    /* aggregators: one per slot by default; more alternate on a slot */
    want = hints->cb_nodes > 0 ? hints->cb_nodes : (int)info.stripe_count;
    want = PFS_MIN(want, op->nranks);
    if (want > (int)info.stripe_count) {
        op->per_slot = want / (int)info.stripe_count;
        op->naggr = op->per_slot * (int)info.stripe_count;
    } else {
        op->per_slot = 1;
        op->naggr = want;
    }
    /* MPI counts and displacements are ints: a rank sends at most naggr
     * x cb bytes in one round (non-overlapping descriptions), so keep that
     * below INT_MAX by shrinking the rounds */
    if ((uint64_t)op->naggr * op->cb > (uint64_t)INT_MAX / 2) {
        op->cb = PFS_MAX((uint64_t)INT_MAX / 2 / (uint64_t)op->naggr, 4096);
    }
    op->aggr_rank = malloc((size_t)op->naggr * sizeof(int));
    if (op->aggr_rank == NULL) {
        return PFS_ERR_NOMEM;
    }
    op->my_aggr = -1;
    for (a = 0; a < op->naggr; a++) {
        /* spread over the ranks (and so over the nodes) */
        op->aggr_rank[a] = (int)((int64_t)a * op->nranks / op->naggr);
        if (op->aggr_rank[a] == op->rank) {
            op->my_aggr = a;
        }
    }

    if (pioi_desc_to_sio(filed, &fs) != PFS_OK ||
        pfs_sio_desc_check(&fs, PFS_MAX_FILE_SIZE, &ftotal) != PFS_OK) {
        snprintf(op->msg, sizeof(op->msg), "bad file description");
        return PFS_ERR_INVAL;
    }
    if (mem == NULL) {
        pio_desc_contig(&contig, 0, ftotal);
        mem = &contig;
    }
    if (pioi_desc_to_sio(mem, &ms) != PFS_OK ||
        pfs_sio_desc_check(&ms, UINT64_MAX, &mtotal) != PFS_OK ||
        mtotal != ftotal || (buf == NULL && ftotal > 0)) {
        snprintf(op->msg, sizeof(op->msg),
                 "bad memory description (or its size differs from the "
                 "file description's)");
        return PFS_ERR_INVAL;
    }
    walk.op = op;
    walk.buf = buf;
    walk.cap = &cap;
    st = pfs_sio_pair_walk(&ms, &fs, coll_pair, &walk);
    if (st != PFS_OK) {
        return st;
    }
    /* pieces of the description, for the direct-mode rule */
    pfs_sio_iter_init(&fi, &fs);
    while (pfs_sio_iter_next(&fi, &foff, &flen)) {
        count += flen > 0;
    }
    *total_p = ftotal;
    *count_p = count;
    return PFS_OK;
}

/* ---- entry points ------------------------------------------------------ */

static void op_free(pio_coll_op_t *op)
{
    if (op == NULL) {
        return;
    }
    free(op->pieces);
    free(op->aggr_rank);
    free(op->buf[0]);
    free(op->buf[1]);
    if (op->rx != NULL) {
        pioi_coll_xchg_free(op->rx);
        free(op->rx);
    }
    free(op);
}

/* The rank's direct I/O failed: the first failure of the call, with the
 * client's own explanation (which server, what it said). */
static void direct_failed(pio_coll_op_t *op, pfs_status_t st)
{
    const char *why = pio_file_errmsg(op->file);

    if (op->status != PFS_OK) {
        return;
    }
    op->status = st;
    snprintf(op->msg, sizeof(op->msg), "direct %s: %s",
             op->write ? "write" : "read",
             why != NULL && why[0] != '\0' ? why : pfs_status_string(st));
}

/* This rank's own pieces, directly (pio_write_desc/pio_read_desc: one
 * structured request per server, or local access).  Blocking calls
 * complete the I/O here, so that its status travels with the call's
 * agreement; a split read only issues it (finish() waits). */
static void direct_io(pio_coll_op_t *op, uint8_t *buf, const pio_desc_t *mem,
                      const pio_desc_t *filed, int blocking)
{
    double t = MPI_Wtime();
    pfs_status_t st;

    st = op->write ? pio_write_desc(op->file, buf, mem, filed,
                                    blocking ? NULL : &op->dreq)
                   : pio_read_desc(op->file, buf, mem, filed,
                                   blocking ? NULL : &op->dreq);
    op->stats.io_wait_s = MPI_Wtime() - t;
    op->stats.requests = 1; /* one structured call (per server) */
    op->stats.bytes = op->bytes;
    if (st != PFS_OK) {
        op->dreq = NULL;
        direct_failed(op, st);
    }
}

/* Set up, choose this rank's mode, agree, run the rounds (split reads:
 * issue the first round's server reads only; finish() does the rest).
 * Collective; never returns early on one rank only.
 *
 * The mode is a rank's own: in automatic mode a rank whose pieces
 * average at least direct_min, or that has fewer pieces than the servers
 * ever sieve (PFS_SIO_SIEVE_MIN_PIECES), does its I/O directly, before
 * the agreement, and the others' pieces go two-phase (with every rank in
 * the exchange, the direct ones with nothing).  One agreement then
 * carries everything the call needs to know about the others (err_key
 * with the direct I/O's status, the two-phase bytes and rounds, more,
 * pending), so a call with nothing to exchange is one allreduce in all
 * -- an empty call, one that fails in setting up, and one where every
 * rank went direct alike.  Only a two-phase exchange or a split read's
 * direct reads (whose status is not known yet) need the closing
 * agreement in finish(). */
static pio_coll_op_t *start(pio_file_t *f, MPI_Comm comm, int write,
                            uint8_t *buf, const pio_desc_t *mem,
                            const pio_desc_t *filed,
                            const pio_coll_hints_t *hints,
                            pio_coll_batch_t *batch, int blocking)
{
    pio_coll_hints_t defaults;
    pio_coll_op_t *op = calloc(1, sizeof(*op));
    uint64_t total = 0, count = 0, maxround = 0, direct_min;
    uint64_t in[AG_N], out[AG_N];
    pio_cb_mode_t mode;
    size_t i;
    pfs_status_t st;

    if (op == NULL) {
        MPI_Abort(comm, 1);
    }
    if (hints == NULL) {
        hints_default(&defaults);
        hints = &defaults;
    }
    op->file = f;
    op->comm = comm;
    op->write = write;
    op->t0 = MPI_Wtime();
    MPI_Comm_rank(comm, &op->rank);
    MPI_Comm_size(comm, &op->nranks);
    if (batch != NULL && batch->failed != PFS_OK) {
        /* the caller's own failure: take part with nothing */
        st = batch->failed;
        snprintf(op->msg, sizeof(op->msg), "%s",
                 batch->failed_msg != NULL ? batch->failed_msg : "");
    } else if (f == NULL || filed == NULL) {
        st = PFS_ERR_INVAL;
    } else {
        st = prepare(op, buf, mem, filed, hints, &total, &count);
    }
    if (st != PFS_OK) {
        if (op->msg[0] == '\0') {
            snprintf(op->msg, sizeof(op->msg), "%s", pfs_status_string(st));
        }
        op->status = st;
        total = count = 0;
        op->npieces = 0;
    }
    op->bytes = total;

    mode = write ? hints->cb_write : hints->cb_read;
    direct_min = hints->direct_min ? hints->direct_min : DEFAULT_DIRECT_MIN;
    /* automatic: large pieces, or too few for aggregation to merge much
     * (no more than the servers would take one by one anyway) */
    op->direct = total > 0 &&
                 (mode == PIO_CB_DISABLE ||
                  (mode == PIO_CB_AUTO && (count < PFS_SIO_SIEVE_MIN_PIECES ||
                                           total / count >= direct_min)));
    if (op->direct) {
        direct_io(op, buf, mem, filed, blocking);
        op->npieces = 0; /* nothing of this rank's goes two-phase */
    }
    for (i = 0; i < op->npieces; i++) {
        maxround = PFS_MAX(maxround, op->pieces[i].window + 1);
    }

    in[AG_ERR] = pioi_coll_err_key(op->status, op->rank);
    in[AG_BYTES] = op->direct ? 0 : total;
    in[AG_ROUNDS] = maxround;
    in[AG_MORE] = batch != NULL && batch->more;
    in[AG_PENDING] = op->dreq != NULL;
    pioi_coll_sync_values(comm, in, out);
    if (batch != NULL) {
        batch->any_more = out[AG_MORE] != 0;
    }
    op->agreed = 1; /* unless more I/O follows: then finish() agrees */
    if (out[AG_ERR] != 0) {
        /* a failure in setting up or in a direct write or read, agreed
         * before any exchange; finish() still waits for this rank's
         * pending read */
        op->status = pioi_coll_sync_msg(comm, op->rank, out[AG_ERR], op->msg,
                                        op->msg, sizeof(op->msg));
        return op;
    }
    if (out[AG_BYTES] == 0) {
        /* nothing to exchange; a pending read's status is agreed by
         * finish() */
        op->agreed = out[AG_PENDING] == 0;
        return op;
    }
    op->agreed = 0;
    if (op->npieces > 1) { /* a rank with nothing has no array (UBSan) */
        qsort(op->pieces, op->npieces, sizeof(*op->pieces), piece_cmp);
    }
    op->rounds = out[AG_ROUNDS];
    if (write) {
        pioi_coll_write_rounds(op);
        return op;
    }
    op->rx = malloc(sizeof(*op->rx));
    if (op->rx == NULL ||
        pioi_coll_xchg_alloc(op->rx, op->nranks, op->npieces) != 0) {
        MPI_Abort(op->comm, 1);
    }
    if (op->rounds > 0) {
        pioi_coll_read_round_issue(op, 0);
    }
    return op;
}

/* op NULL (an _end without its _begin): PFS_ERR_INVAL, not collective. */
static pfs_status_t finish(pio_coll_op_t *op, uint64_t *bytes_p, char *errmsg,
                           size_t errmsg_size)
{
    pfs_status_t st;

    if (op == NULL) {
        return PFS_ERR_INVAL;
    }
    if (op->rx != NULL) {
        pioi_coll_read_rest(op);
    }
    if (op->dreq != NULL) {
        double t = MPI_Wtime();
        pfs_status_t rst = pio_wait(&op->dreq, NULL);

        op->stats.io_wait_s += MPI_Wtime() - t;
        if (rst != PFS_OK) {
            direct_failed(op, rst);
        }
    }
    pioi_coll_wait_slot(op, 0, "aggregator server I/O");
    pioi_coll_wait_slot(op, 1, "aggregator server I/O");
    /* after this every rank's data is on the servers (write) or in its
     * buffer (read), and all ranks hold the same verdict */
    op->stats.direct = op->direct;
    op->stats.aggregators = op->naggr;
    op->stats.is_aggregator = op->my_aggr >= 0;
    op->stats.rounds = op->rounds;
    op->stats.total_s = MPI_Wtime() - op->t0;
    last_stats = op->stats;
    if (op->agreed) {
        st = op->status;
        if (errmsg != NULL) {
            snprintf(errmsg, errmsg_size, "%s", op->msg);
        }
    } else {
        st = pioi_coll_sync_status(op->comm, op->rank, op->status, op->msg,
                                   errmsg, errmsg_size);
    }
    if (bytes_p != NULL) {
        *bytes_p = st == PFS_OK ? op->bytes : 0;
    }
    op_free(op);
    return st;
}

/* A collective call's structs as the caller passed them, and their
 * sizes (pio_abi.h). */
typedef struct {
    const pio_desc_t *mem, *filed;
    const pio_coll_hints_t *hints;
    pio_coll_batch_t *batch;
    size_t desc_size, hints_size, batch_size;
} coll_args_t;

/* start() with the caller's structs copied into the library's own.  A
 * size that is refused becomes this rank's failure, which start() makes
 * every rank's, as it does the batch's own failure. */
static pio_coll_op_t *start_sz(pio_file_t *f, MPI_Comm comm, int write,
                               uint8_t *buf, const coll_args_t *a, int blocking)
{
    pio_desc_t mem, filed;
    pio_coll_hints_t hints;
    pio_coll_batch_t batch = {0}; /* as good as none */
    char msg[256] = "";
    pio_coll_op_t *op;
    pfs_status_t st = PFS_OK;
    int batch_in = 0; /* the caller's batch, taken: update it */

    if (a->batch != NULL) {
        st = PIOI_ABI_IN(pio_coll_batch_t, &batch, a->batch, a->batch_size, msg,
                         sizeof(msg));
        batch_in = st == PFS_OK;
    }
    if (st == PFS_OK && a->filed != NULL) {
        st = PIOI_ABI_IN(pio_desc_t, &filed, a->filed, a->desc_size, msg,
                         sizeof(msg));
    }
    if (st == PFS_OK && a->mem != NULL) {
        st = PIOI_ABI_IN(pio_desc_t, &mem, a->mem, a->desc_size, msg,
                         sizeof(msg));
    }
    if (st == PFS_OK && a->hints != NULL) {
        st = PIOI_ABI_IN(pio_coll_hints_t, &hints, a->hints, a->hints_size, msg,
                         sizeof(msg));
    }
    if (st != PFS_OK) {
        if (batch.failed == PFS_OK) {
            batch.failed = st;
            batch.failed_msg = msg;
        }
        op = start(f, comm, write, buf, NULL, NULL, NULL, &batch, blocking);
    } else {
        op = start(f, comm, write, buf, a->mem != NULL ? &mem : NULL,
                   a->filed != NULL ? &filed : NULL,
                   a->hints != NULL ? &hints : NULL, &batch, blocking);
    }
    if (batch_in) {
        PIOI_ABI_UPDATE(pio_coll_batch_t, a->batch, a->batch_size, &batch);
    }
    return op;
}

PFS_EXPORT pfs_status_t pio_write_all_batch_sz(
    pio_file_t *f, MPI_Comm comm, const void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints,
    pio_coll_batch_t *batch, uint64_t *bytes_p, char *errmsg,
    size_t errmsg_size, size_t desc_size, size_t hints_size, size_t batch_size)
{
    coll_args_t a = {mem,       filed,      hints,     batch,
                     desc_size, hints_size, batch_size};

    return finish(start_sz(f, comm, 1, (uint8_t *)buf, &a, 1), bytes_p, errmsg,
                  errmsg_size);
}

PFS_EXPORT pfs_status_t pio_read_all_batch_sz(
    pio_file_t *f, MPI_Comm comm, void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints,
    pio_coll_batch_t *batch, uint64_t *bytes_p, char *errmsg,
    size_t errmsg_size, size_t desc_size, size_t hints_size, size_t batch_size)
{
    coll_args_t a = {mem,       filed,      hints,     batch,
                     desc_size, hints_size, batch_size};

    return finish(start_sz(f, comm, 0, buf, &a, 1), bytes_p, errmsg,
                  errmsg_size);
}

PFS_EXPORT pfs_status_t pio_write_all_sz(
    pio_file_t *f, MPI_Comm comm, const void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints, uint64_t *bytes_p,
    char *errmsg, size_t errmsg_size, size_t desc_size, size_t hints_size)
{
    return pio_write_all_batch_sz(f, comm, buf, mem, filed, hints, NULL,
                                  bytes_p, errmsg, errmsg_size, desc_size,
                                  hints_size, 0);
}

PFS_EXPORT pfs_status_t pio_read_all_sz(
    pio_file_t *f, MPI_Comm comm, void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints, uint64_t *bytes_p,
    char *errmsg, size_t errmsg_size, size_t desc_size, size_t hints_size)
{
    return pio_read_all_batch_sz(f, comm, buf, mem, filed, hints, NULL, bytes_p,
                                 errmsg, errmsg_size, desc_size, hints_size, 0);
}

PFS_EXPORT pfs_status_t pio_write_all_begin_sz(
    pio_file_t *f, MPI_Comm comm, const void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints,
    pio_coll_op_t **op_p, size_t desc_size, size_t hints_size)
{
    coll_args_t a = {mem, filed, hints, NULL, desc_size, hints_size, 0};

    *op_p = start_sz(f, comm, 1, (uint8_t *)buf, &a, 1);
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_read_all_begin_sz(
    pio_file_t *f, MPI_Comm comm, void *buf, const pio_desc_t *mem,
    const pio_desc_t *filed, const pio_coll_hints_t *hints,
    pio_coll_op_t **op_p, size_t desc_size, size_t hints_size)
{
    coll_args_t a = {mem, filed, hints, NULL, desc_size, hints_size, 0};

    *op_p = start_sz(f, comm, 0, buf, &a, 0);
    return PFS_OK;
}

PFS_EXPORT pfs_status_t pio_write_all_end(pio_coll_op_t *op, uint64_t *bytes_p,
                                          char *errmsg, size_t errmsg_size)
{
    return finish(op, bytes_p, errmsg, errmsg_size);
}

PFS_EXPORT pfs_status_t pio_read_all_end(pio_coll_op_t *op, uint64_t *bytes_p,
                                         char *errmsg, size_t errmsg_size)
{
    return finish(op, bytes_p, errmsg, errmsg_size);
}
