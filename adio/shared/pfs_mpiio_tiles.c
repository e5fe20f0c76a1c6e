/* pfs_mpiio_tiles.c - file views and memory datatypes as lists of pieces
 * for libpio, for the ROMIO driver and the OMPIO components alike (see
 * pfs_mpiio.h).  Plain arithmetic on the pieces of one copy, which each
 * driver gets from its MPI library. */
#include "pfs_mpiio.h"

#include <stdlib.h>
#include <string.h>

#define PFS_MPIIO_MIN(a, b) ((a) < (b) ? (a) : (b))

void pfs_mpiio_tiles_contig(pfs_mpiio_tiles_t *t, MPI_Offset base)
{
    memset(t, 0, sizeof(*t));
    t->contig = 1;
    t->base = base;
}

void pfs_mpiio_tiles_init(pfs_mpiio_tiles_t *t, MPI_Offset *off, MPI_Offset *len,
                          MPI_Offset *cum, size_t n, MPI_Offset base, MPI_Offset lb,
                          MPI_Offset extent)
{
    MPI_Offset sum = 0;

    for (size_t i = 0; i < n; i++) {
        cum[i] = sum;
        sum += len[i];
    }
    cum[n] = sum;
    *t = (pfs_mpiio_tiles_t) {
        .off = off,
        .len = len,
        .cum = cum,
        .n = n,
        .base = base,
        .lb = lb,
        .extent = extent,
        .contig = 0,
    };
}

/* The piece holding data byte r (0 <= r < size) of one copy: the last
 * piece with cum[i] <= r, which skips zero-length pieces. */
static size_t piece_of(const pfs_mpiio_tiles_t *t, MPI_Offset r)
{
    size_t lo = 0, hi = t->n - 1;

    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (t->cum[mid] <= r)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int list_push(pfs_mpiio_list_t *l, int64_t off, uint64_t len, size_t max_pieces)
{
    if (len == 0)
        return 1;
    if (l->n > 0 && l->off[l->n - 1] + (int64_t) l->len[l->n - 1] == off) {
        l->len[l->n - 1] += len;
        return 1;
    }
    if (l->n >= max_pieces || l->failed)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        int64_t *o = realloc(l->off, cap * sizeof(*o));
        uint64_t *n;

        if (o == NULL) {
            l->failed = 1;
            return 0;
        }
        l->off = o;
        n = realloc(l->len, cap * sizeof(*n));
        if (n == NULL) {
            l->failed = 1;
            return 0;
        }
        l->len = n;
        l->cap = cap;
    }
    l->off[l->n] = off;
    l->len[l->n] = len;
    l->n++;
    return 1;
}

uint64_t pfs_mpiio_tiles_emit(const pfs_mpiio_tiles_t *t, uint64_t s, uint64_t want,
                              pfs_mpiio_list_t *l, size_t max_pieces)
{
    uint64_t done = 0, size, k;
    MPI_Offset in;
    size_t i;

    if (want == 0)
        return 0;
    if (t->contig)
        return list_push(l, t->base + (int64_t) s, want, max_pieces) ? want : 0;
    size = (uint64_t) t->cum[t->n];
    if (size == 0)
        return 0;
    k = s / size;
    i = piece_of(t, (MPI_Offset) (s % size));
    in = (MPI_Offset) (s % size) - t->cum[i];   /* bytes into piece i */
    while (done < want) {
        if (t->len[i] > in) {
            uint64_t n = PFS_MPIIO_MIN((uint64_t) (t->len[i] - in), want - done);
            int64_t off = t->base + (int64_t) k * t->extent + t->off[i] + in;
            if (!list_push(l, off, n, max_pieces))
                break;
            done += n;
        }
        in = 0;
        if (++i == t->n) {
            i = 0;
            k++;
        }
    }
    return done;
}

uint64_t pfs_mpiio_tiles_batch(const pfs_mpiio_tiles_t *view, uint64_t vs,
                               const pfs_mpiio_tiles_t *mem, uint64_t ms, uint64_t want,
                               pfs_mpiio_list_t *fl, pfs_mpiio_list_t *ml,
                               size_t max_pieces)
{
    uint64_t b, bm;

    fl->n = ml->n = 0;
    b = pfs_mpiio_tiles_emit(view, vs, want, fl, max_pieces);
    bm = pfs_mpiio_tiles_emit(mem, ms, b, ml, max_pieces);
    if (bm < b) {
        pfs_mpiio_list_trim(fl, bm);
        b = bm;
    }
    return b;
}

uint64_t pfs_mpiio_tiles_bytes_before(const pfs_mpiio_tiles_t *t, MPI_Offset pos)
{
    MPI_Offset r, k, origin;
    uint64_t bytes;

    if (t->contig)
        return pos > t->base ? (uint64_t) (pos - t->base) : 0;
    /* copy k spans [base + k * extent + lb, + extent): pieces' offsets
     * are relative to the copy's origin, lb included */
    r = pos - t->base - t->lb;
    if (r <= 0 || t->extent <= 0)
        return 0;
    k = r / t->extent;
    origin = t->base + k * t->extent;
    bytes = (uint64_t) k * (uint64_t) t->cum[t->n];
    for (size_t i = 0; i < t->n; i++) {
        MPI_Offset start = origin + t->off[i];
        if (start >= pos)
            break;
        bytes += (uint64_t) PFS_MPIIO_MIN(t->len[i], pos - start);
    }
    return bytes;
}

MPI_Offset pfs_mpiio_tiles_end_of(const pfs_mpiio_tiles_t *t, uint64_t s)
{
    uint64_t last = s - 1, size, k;
    MPI_Offset r;
    size_t i;

    if (t->contig)
        return t->base + (MPI_Offset) s;
    size = (uint64_t) t->cum[t->n];
    k = last / size;
    r = (MPI_Offset) (last % size);
    i = piece_of(t, r);
    return t->base + (MPI_Offset) k * t->extent + t->off[i] + (r - t->cum[i]) + 1;
}

void pfs_mpiio_list_trim(pfs_mpiio_list_t *l, uint64_t bytes)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (sum + l->len[i] >= bytes) {
            l->len[i] = bytes - sum;
            l->n = l->len[i] ? i + 1 : i;
            return;
        }
        sum += l->len[i];
    }
}

void pfs_mpiio_list_free(pfs_mpiio_list_t *l)
{
    free(l->off);
    free(l->len);
    memset(l, 0, sizeof(*l));
}
