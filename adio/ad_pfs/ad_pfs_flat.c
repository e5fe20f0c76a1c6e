/* ad_pfs_flat.c - datatypes (memory types and file views) as lists of
 * pieces for libpio.
 *
 * A datatype repeated in a buffer, or a filetype tiled from the view's
 * displacement, is a stream of data bytes.  The driver works on byte
 * ranges of that stream: it emits the pieces of [s, s + n) in bounded
 * batches, so that an access of any size never needs one list of all of
 * its pieces.  ROMIO's flattened types (ADIOI_Flatten_and_find) give the
 * blocks of one copy; the prefix sums computed here make finding a
 * stream position a binary search.
 */
#include "ad_pfs.h"

static void tiles_of(const ADIOI_Flatlist_node *flat, ADIO_Offset base, ADIO_Offset lb,
                     ADIO_Offset extent, ADIOI_PFS_tiles_t *t, ADIO_Offset **cum_p)
{
    ADIO_Offset *cum = ADIOI_Malloc((flat->count + 1) * sizeof(*cum));
    ADIO_Offset sum = 0;
    for (MPI_Count i = 0; i < flat->count; i++) {
        cum[i] = sum;
        sum += flat->blocklens[i];
    }
    cum[flat->count] = sum;
    *t = (ADIOI_PFS_tiles_t) {
        .off = flat->indices,
        .len = flat->blocklens,
        .n = flat->count,
        .cum = cum,
        .base = base,
        .lb = lb,
        .extent = extent,
        .contig = 0,
    };
    *cum_p = cum;
}

void ADIOI_PFS_mem_tiles(MPI_Datatype type, ADIOI_PFS_tiles_t *t, ADIO_Offset **cum_p)
{
    int contig;
    MPI_Aint lb, extent;

    *cum_p = NULL;
    ADIOI_Datatype_iscontig(type, &contig);
    if (contig) {
        *t = (ADIOI_PFS_tiles_t) {.contig = 1, .base = 0 };
        return;
    }
    MPI_Type_get_extent(type, &lb, &extent);
    tiles_of(ADIOI_Flatten_and_find(type), 0, lb, extent, t, cum_p);
}

void ADIOI_PFS_view_tiles(ADIO_File fd, ADIOI_PFS_tiles_t *t, ADIO_Offset **cum_p)
{
    int contig;
    MPI_Aint lb, extent;

    *cum_p = NULL;
    ADIOI_Datatype_iscontig(fd->filetype, &contig);
    if (contig) {
        *t = (ADIOI_PFS_tiles_t) {.contig = 1, .base = fd->disp };
        return;
    }
    MPI_Type_get_extent(fd->filetype, &lb, &extent);
    tiles_of(ADIOI_Flatten_and_find(fd->filetype), fd->disp, lb, extent, t, cum_p);
}

/* The block holding byte r (0 <= r < size) of one copy: the last block
 * with cum[i] <= r, which skips zero-length blocks. */
static MPI_Count block_of(const ADIOI_PFS_tiles_t *t, ADIO_Offset r)
{
    MPI_Count lo = 0, hi = t->n - 1;
    while (lo < hi) {
        MPI_Count mid = lo + (hi - lo + 1) / 2;
        if (t->cum[mid] <= r)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int list_push(ADIOI_PFS_list_t *l, uint64_t off, uint64_t len, size_t max_pieces)
{
    if (len == 0)
        return 1;
    if (l->n > 0 && l->off[l->n - 1] + l->len[l->n - 1] == off) {
        l->len[l->n - 1] += len;
        return 1;
    }
    if (l->n >= max_pieces)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        l->off = ADIOI_Realloc(l->off, cap * sizeof(*l->off));
        l->len = ADIOI_Realloc(l->len, cap * sizeof(*l->len));
        l->cap = cap;
    }
    l->off[l->n] = off;
    l->len[l->n] = len;
    l->n++;
    return 1;
}

uint64_t ADIOI_PFS_tiles_emit(const ADIOI_PFS_tiles_t *t, uint64_t s, uint64_t want,
                              ADIOI_PFS_list_t *l, size_t max_pieces)
{
    uint64_t done = 0;

    if (want == 0)
        return 0;
    if (t->contig)
        return list_push(l, (uint64_t) t->base + s, want, max_pieces) ? want : 0;

    uint64_t size = (uint64_t) t->cum[t->n];
    uint64_t k = s / size;
    ADIO_Offset r = (ADIO_Offset) (s % size);
    MPI_Count i = block_of(t, r);
    ADIO_Offset in = r - t->cum[i];     /* bytes into block i */

    while (done < want) {
        if (t->len[i] > in) {
            uint64_t n = ADIOI_PFS_MIN((uint64_t) (t->len[i] - in), want - done);
            uint64_t off = (uint64_t) (t->base + (ADIO_Offset) k * t->extent + t->off[i] + in);
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

uint64_t ADIOI_PFS_tiles_bytes_before(const ADIOI_PFS_tiles_t *t, ADIO_Offset pos)
{
    if (t->contig)
        return pos > t->base ? (uint64_t) (pos - t->base) : 0;

    /* copy k spans [base + k * extent + lb, + extent): blocks' offsets
     * are relative to the copy's origin, lb included */
    ADIO_Offset r = pos - t->base - t->lb;
    if (r <= 0)
        return 0;
    uint64_t size = (uint64_t) t->cum[t->n];
    ADIO_Offset k = r / t->extent;
    ADIO_Offset origin = t->base + k * t->extent;
    uint64_t bytes = (uint64_t) k * size;
    for (MPI_Count i = 0; i < t->n; i++) {
        ADIO_Offset start = origin + t->off[i];
        if (start >= pos)
            break;
        bytes += (uint64_t) ADIOI_PFS_MIN(t->len[i], pos - start);
    }
    return bytes;
}

ADIO_Offset ADIOI_PFS_tiles_end_of(const ADIOI_PFS_tiles_t *t, uint64_t s)
{
    uint64_t last = s - 1;

    if (t->contig)
        return t->base + (ADIO_Offset) s;

    uint64_t size = (uint64_t) t->cum[t->n];
    uint64_t k = last / size;
    ADIO_Offset r = (ADIO_Offset) (last % size);
    MPI_Count i = block_of(t, r);
    return t->base + (ADIO_Offset) k * t->extent + t->off[i] + (r - t->cum[i]) + 1;
}

uint64_t ADIOI_PFS_stream_start(ADIO_File fd, const ADIOI_PFS_tiles_t *view,
                                int file_ptr_type, ADIO_Offset offset)
{
    if (file_ptr_type == ADIO_EXPLICIT_OFFSET)
        return (uint64_t) offset * (uint64_t) fd->etype_size;
    /* the individual pointer is a byte offset in the file */
    return ADIOI_PFS_tiles_bytes_before(view, fd->fp_ind);
}

void ADIOI_PFS_list_trim(ADIOI_PFS_list_t *l, uint64_t bytes)
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

void ADIOI_PFS_list_free(ADIOI_PFS_list_t *l)
{
    ADIOI_PFS_FREE(l->off);
    ADIOI_PFS_FREE(l->len);
    *l = (ADIOI_PFS_list_t) { 0 };
}
