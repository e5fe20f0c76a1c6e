/* pfs_ompio_tiles.c - file views and memory datatypes as lists of pieces
 * for libpio.
 *
 * A datatype repeated in a buffer, or a filetype tiled from the view's
 * displacement, is a stream of data bytes.  The collective and shared
 * pointer paths work on byte ranges of that stream and emit the pieces of
 * [s, s + n) in bounded batches, so that an access of any size never needs
 * one list of all of its pieces.  OMPIO gives the pieces of one copy (its
 * decoded file view, and opal's convertor for memory types); the prefix
 * sums computed here make finding a stream position a binary search.
 *
 * The same scheme as the ROMIO driver's ad_pfs_flat.c, over OMPIO's
 * structures instead of ROMIO's flattened types.
 */
#include "pfs_ompio.h"

#include <stdlib.h>
#include <string.h>

#define PFS_MIN(a, b) ((a) < (b) ? (a) : (b))

void pfs_ompio_tiles_free(pfs_ompio_tiles_t *t)
{
    free(t->off);
    free(t->len);
    free(t->cum);
    memset(t, 0, sizeof(*t));
}

/* Pieces of one copy from an iovec whose bases are offsets; zero-length
 * pieces dropped, adjacent ones merged.  One contiguous piece as long as
 * the extent makes the tiles contiguous. */
static int tiles_build(const struct iovec *iov, size_t n, int64_t base,
                       int64_t extent, pfs_ompio_tiles_t *t)
{
    size_t m = 0;

    memset(t, 0, sizeof(*t));
    t->base = base;
    t->extent = extent;
    if (n > 0) {
        t->off = malloc(n * sizeof(*t->off));
        t->len = malloc(n * sizeof(*t->len));
        t->cum = malloc((n + 1) * sizeof(*t->cum));
        if (t->off == NULL || t->len == NULL || t->cum == NULL) {
            pfs_ompio_tiles_free(t);
            return MPI_ERR_NO_MEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int64_t off = (int64_t)(intptr_t)iov[i].iov_base;
        uint64_t len = iov[i].iov_len;
        if (len == 0)
            continue;
        if (m > 0 && t->off[m - 1] + (int64_t)t->len[m - 1] == off) {
            t->len[m - 1] += len;
            continue;
        }
        t->off[m] = off;
        t->len[m] = len;
        m++;
    }
    t->n = m;
    if (m == 0 || (m == 1 && (int64_t)t->len[0] == extent)) {
        /* one run: copies follow each other without gaps */
        t->base = base + (m ? t->off[0] : 0);
        t->contig = 1;
        t->n = 0;
        return MPI_SUCCESS;
    }
    t->lb = t->off[0];
    t->cum[0] = 0;
    for (size_t i = 0; i < m; i++) {
        t->cum[i + 1] = t->cum[i] + t->len[i];
        if (t->off[i] < t->lb)
            t->lb = t->off[i];
    }
    return MPI_SUCCESS;
}

int pfs_ompio_view_tiles(const ompio_file_t *fh, pfs_ompio_tiles_t *t)
{
    return tiles_build(fh->f_decoded_iov, fh->f_iov_count, (int64_t)fh->f_disp,
                       (int64_t)fh->f_view_extent, t);
}

int pfs_ompio_mem_tiles(ompio_file_t *fh, struct ompi_datatype_t *dt,
                        pfs_ompio_tiles_t *t, uint64_t *size_p)
{
    struct iovec *iov = NULL;
    uint32_t n = 0;
    size_t max_data = 0;
    MPI_Count lb, extent, size;
    int rc;

    MPI_Type_get_extent_x(dt, &lb, &extent);
    MPI_Type_size_x(dt, &size);
    *size_p = (uint64_t)size;
    if (size == 0) {
        memset(t, 0, sizeof(*t));
        t->contig = 1;
        return MPI_SUCCESS;
    }
    /* one copy, relative to address 0: the bases are displacements */
    rc = mca_common_ompio_decode_datatype(fh, dt, 1, NULL, &max_data,
                                          fh->f_mem_convertor, &iov, &n);
    if (rc != OMPI_SUCCESS) {
        free(iov);
        return MPI_ERR_TYPE;
    }
    rc = tiles_build(iov, n, 0, (int64_t)extent, t);
    free(iov);
    return rc;
}

/* The piece holding data byte r (0 <= r < size) of one copy: the last
 * piece with cum[i] <= r. */
static size_t piece_of(const pfs_ompio_tiles_t *t, uint64_t r)
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

static int list_push(pfs_ompio_list_t *l, int64_t off, uint64_t len,
                     size_t max_pieces)
{
    if (len == 0)
        return 1;
    if (l->n > 0 && l->off[l->n - 1] + (int64_t)l->len[l->n - 1] == off) {
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

uint64_t pfs_ompio_tiles_emit(const pfs_ompio_tiles_t *t, uint64_t s,
                              uint64_t want, pfs_ompio_list_t *l,
                              size_t max_pieces)
{
    uint64_t done = 0, size, k, in;
    size_t i;

    if (want == 0)
        return 0;
    if (t->contig)
        return list_push(l, t->base + (int64_t)s, want, max_pieces) ? want : 0;
    size = t->cum[t->n];
    if (size == 0)
        return 0;
    k = s / size;
    i = piece_of(t, s % size);
    in = s % size - t->cum[i]; /* bytes into piece i */
    while (done < want) {
        if (t->len[i] > in) {
            uint64_t n = PFS_MIN(t->len[i] - in, want - done);
            int64_t off =
                t->base + (int64_t)k * t->extent + t->off[i] + (int64_t)in;
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

uint64_t pfs_ompio_tiles_bytes_before(const pfs_ompio_tiles_t *t, int64_t pos)
{
    int64_t r, k, origin;
    uint64_t bytes;

    if (t->contig)
        return pos > t->base ? (uint64_t)(pos - t->base) : 0;
    /* copy k covers [base + k * extent + lb, ... + extent) */
    r = pos - t->base - t->lb;
    if (r <= 0 || t->extent <= 0)
        return 0;
    k = r / t->extent;
    origin = t->base + k * t->extent;
    bytes = (uint64_t)k * t->cum[t->n];
    for (size_t i = 0; i < t->n; i++) {
        int64_t start = origin + t->off[i];
        if (start >= pos)
            break;
        bytes += PFS_MIN(t->len[i], (uint64_t)(pos - start));
    }
    return bytes;
}

uint64_t pfs_ompio_stream_pos(const ompio_file_t *fh)
{
    uint64_t copies = 0;

    /* OMPIO keeps the pointer as (start of the current copy of the view,
     * data bytes used in it); for a contiguous view the second can grow
     * past one copy, which this sum allows */
    if (fh->f_view_extent > 0)
        copies = (uint64_t)((fh->f_offset - fh->f_disp) / fh->f_view_extent);
    return copies * fh->f_view_size + fh->f_total_bytes;
}

void pfs_ompio_list_trim(pfs_ompio_list_t *l, uint64_t bytes)
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

void pfs_ompio_list_free(pfs_ompio_list_t *l)
{
    free(l->off);
    free(l->len);
    memset(l, 0, sizeof(*l));
}

void pfs_ompio_list_rebase(pfs_ompio_list_t *l, void *buf, void **base_p)
{
    int64_t lo = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (i == 0 || l->off[i] < lo)
            lo = l->off[i];
    }
    for (size_t i = 0; i < l->n; i++)
        l->off[i] -= lo;
    *base_p = (char *)buf + lo;
}
