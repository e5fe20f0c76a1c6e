/* sio.c - run lists, execution plans and lazy description walks. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "layout.h"
#include "pfs_common.h"
#include "proto.h"
#include "sio.h"
#include "wire.h"

pfs_status_t pfs_sio_runs_encode(const pfs_run_t *runs, uint32_t nruns,
                                 void *out)
{
    pfs_wbuf_t w;
    size_t len;
    uint32_t i;

    if (nruns == 0 || nruns > PFS_SIO_MAX_RUNS) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, out, pfs_sio_runs_size(nruns));
    pfs_wbuf_u32(&w, nruns);
    for (i = 0; i < nruns; i++) {
        pfs_wbuf_u64(&w, runs[i].offset);
        pfs_wbuf_u64(&w, runs[i].len);
        pfs_wbuf_u64(&w, runs[i].count);
        pfs_wbuf_u64(&w, runs[i].count > 1 ? runs[i].stride : 0);
    }
    return pfs_wbuf_finish(&w, &len);
}

pfs_status_t pfs_sio_runs_decode(const void *buf, size_t len,
                                 pfs_run_t **runs_p, uint32_t *nruns_p,
                                 uint64_t *total_p, size_t *consumed_p)
{
    uint64_t total = 0, pieces = 0;
    pfs_run_t *runs;
    pfs_rbuf_t r;
    uint32_t n, i;

    pfs_rbuf_init(&r, buf, len);
    n = pfs_rbuf_u32(&r);
    if (r.truncated || n == 0 || n > PFS_SIO_MAX_RUNS ||
        len - 4 < (size_t)n * PFS_SIO_RUN_SIZE) {
        return PFS_ERR_PROTO; /* count checked before any allocation */
    }
    runs = malloc((size_t)n * sizeof(*runs));
    if (runs == NULL) {
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        pfs_run_t *run = &runs[i];
        uint64_t span, bytes;

        run->offset = pfs_rbuf_u64(&r);
        run->len = pfs_rbuf_u64(&r);
        run->count = pfs_rbuf_u64(&r);
        run->stride = pfs_rbuf_u64(&r);
        if (run->len == 0 || run->count == 0 ||
            run->count > PFS_SIO_MAX_PIECES - pieces) {
            goto bad;
        }
        if (run->count == 1) {
            run->stride = 0;
        }
        /* last block: offset + (count - 1) * stride + len <= max size */
        if (__builtin_mul_overflow(run->count - 1, run->stride, &span) ||
            __builtin_add_overflow(span, run->len, &span) ||
            run->offset > PFS_MAX_FILE_SIZE ||
            span > PFS_MAX_FILE_SIZE - run->offset ||
            __builtin_mul_overflow(run->len, run->count, &bytes) ||
            __builtin_add_overflow(total, bytes, &total)) {
            free(runs);
            return PFS_ERR_FBIG;
        }
        pieces += run->count;
    }
    *runs_p = runs;
    *nruns_p = n;
    *total_p = total;
    *consumed_p = pfs_sio_runs_size(n);
    return PFS_OK;

bad:
    free(runs);
    return PFS_ERR_PROTO;
}

static int piece_cmp(const void *a, const void *b)
{
    const pfs_sio_piece_t *x = a, *y = b;

    if (x->off != y->off) {
        return x->off < y->off ? -1 : 1;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int pos_cmp(const void *a, const void *b)
{
    const pfs_sio_piece_t *x = a, *y = b;

    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Merge neighbours contiguous in the object and in the payload; returns
 * the new count. */
static size_t merge(pfs_sio_piece_t *p, size_t n)
{
    size_t i, out = 0;

    if (n == 0) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (p[out].off + p[out].len == p[i].off &&
            p[out].pos + p[out].len == p[i].pos) {
            p[out].len += p[i].len;
        } else {
            p[++out] = p[i];
        }
    }
    return out + 1;
}

pfs_status_t pfs_sio_plan(const pfs_run_t *runs, uint32_t nruns,
                          pfs_sio_piece_t **pieces_p, size_t *npieces_p,
                          int *ordered_p)
{
    size_t n = 0, total = 0, i;
    pfs_sio_piece_t *p;
    uint64_t pos = 0, k;
    int sorted = 1, overlap = 0;

    for (i = 0; i < nruns; i++) {
        total += runs[i].count; /* bounded by decode */
    }
    p = malloc((total > 0 ? total : 1) * sizeof(*p));
    if (p == NULL) {
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < nruns; i++) {
        for (k = 0; k < runs[i].count; k++) {
            p[n].off = runs[i].offset + k * runs[i].stride;
            p[n].len = runs[i].len;
            p[n].pos = pos;
            pos += runs[i].len;
            if (n > 0 && p[n].off < p[n - 1].off + p[n - 1].len) {
                sorted = 0;
            }
            n++;
        }
    }
    if (!sorted) {
        qsort(p, n, sizeof(*p), piece_cmp);
        for (i = 1; i < n && !overlap; i++) {
            overlap = p[i].off < p[i - 1].off + p[i - 1].len;
        }
        if (overlap) {
            /* back to request order: the order decides who wins */
            qsort(p, n, sizeof(*p), pos_cmp);
        }
    }
    *npieces_p = merge(p, n);
    *pieces_p = p;
    *ordered_p = !overlap;
    return PFS_OK;
}

size_t pfs_sio_next_call(const pfs_sio_piece_t *pieces, size_t npieces,
                         size_t first, size_t max_iov)
{
    size_t i = first + 1;

    while (i < npieces && i - first < max_iov &&
           pieces[i - 1].off + pieces[i - 1].len == pieces[i].off) {
        i++;
    }
    return i;
}

size_t pfs_sio_sieve_window(const pfs_sio_piece_t *p, size_t n, size_t i,
                            pfs_sio_sieve_scan_t *scan)
{
    pfs_sio_sieve_scan_t fresh = PFS_SIO_SIEVE_SCAN_INIT;
    uint64_t start = p[i].off, end;
    size_t j, k;

    if (scan == NULL) {
        scan = &fresh;
    }
    if (scan->first > i || scan->next <= i) {
        scan->next = i; /* nothing to carry over */
        scan->covered = 0;
    } else {
        /* The pieces found for an earlier start stay within the limits for
         * a later one: the span from a later start is shorter, and the gap
         * and size limits do not depend on the start (sorted, disjoint
         * pieces).  Drop the ones before i and go on from there. */
        for (k = scan->first; k < i; k++) {
            scan->covered -= p[k].len;
        }
    }
    scan->first = i;
    j = scan->next;
    end = j > i ? p[j - 1].off + p[j - 1].len : start;
    for (; j < n; j++) {
        uint64_t pend = p[j].off + p[j].len;

        if (p[j].len > PFS_SIO_SIEVE_PIECE_MAX ||
            pend - start > PFS_SIO_SIEVE_MAX ||
            (p[j].off > end && p[j].off - end > PFS_SIO_SIEVE_GAP_MAX)) {
            break;
        }
        scan->covered += p[j].len;
        end = PFS_MAX(end, pend);
    }
    scan->next = j;
    if (j - i < PFS_SIO_SIEVE_MIN_PIECES || scan->covered * 16 < end - start) {
        return i;
    }
    return j;
}

int pfs_sio_sieve_span(int fd, const pfs_sio_piece_t *p, size_t n,
                       uint8_t *base, int write, uint8_t *sbuf, uint64_t start,
                       uint64_t end)
{
    uint64_t got = 0;
    size_t i;

    while (got < end - start) {
        ssize_t r =
            pread(fd, sbuf + got, end - start - got, (off_t)(start + got));
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        if (r == 0) {
            memset(sbuf + got, 0, end - start - got); /* past the end */
            break;
        }
        got += (uint64_t)r;
    }
    for (i = 0; i < n; i++) { /* in plan order: later pieces win */
        if (write) {
            memcpy(sbuf + (p[i].off - start), base + p[i].pos, p[i].len);
        } else {
            memcpy(base + p[i].pos, sbuf + (p[i].off - start), p[i].len);
        }
    }
    for (got = 0; write && got < end - start;) {
        ssize_t w =
            pwrite(fd, sbuf + got, end - start - got, (off_t)(start + got));
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        got += (uint64_t)w;
    }
    return 0;
}

/* ---- descriptions ------------------------------------------------------ */

pfs_status_t pfs_sio_desc_check(const pfs_sio_desc_t *d, uint64_t limit,
                                uint64_t *total_p)
{
    uint64_t total = 0, end, blocks = 1;
    int i;

    if (d->is_list) {
        size_t k;

        if (d->count > 0 && (d->offsets == NULL || d->lengths == NULL)) {
            return PFS_ERR_INVAL;
        }
        for (k = 0; k < d->count; k++) {
            if (__builtin_add_overflow(d->offsets[k], d->lengths[k], &end) ||
                end > limit ||
                __builtin_add_overflow(total, d->lengths[k], &total)) {
                return PFS_ERR_FBIG;
            }
        }
        *total_p = total;
        return PFS_OK;
    }
    if (d->ndims < 0 || d->ndims > PFS_SIO_MAX_DIMS) {
        return PFS_ERR_INVAL;
    }
    end = d->offset;
    for (i = 0; i < d->ndims; i++) {
        uint64_t span;

        if (d->dims[i].count == 0) {
            *total_p = 0;
            return PFS_OK;
        }
        if (__builtin_mul_overflow(d->dims[i].count - 1, d->dims[i].stride,
                                   &span) ||
            __builtin_add_overflow(end, span, &end) ||
            __builtin_mul_overflow(blocks, d->dims[i].count, &blocks)) {
            return PFS_ERR_FBIG;
        }
    }
    if (__builtin_add_overflow(end, d->blocklen, &end) || end > limit ||
        __builtin_mul_overflow(blocks, d->blocklen, &total)) {
        return PFS_ERR_FBIG;
    }
    *total_p = total;
    return PFS_OK;
}

void pfs_sio_iter_init(pfs_sio_iter_t *it, const pfs_sio_desc_t *desc)
{
    int i;

    memset(it, 0, sizeof(*it));
    it->desc = desc;
    if (!desc->is_list) {
        if (desc->blocklen == 0) {
            it->done = 1;
        }
        for (i = 0; i < desc->ndims; i++) {
            if (desc->dims[i].count == 0) {
                it->done = 1;
            }
        }
    }
}

int pfs_sio_iter_next(pfs_sio_iter_t *it, uint64_t *off_p, uint64_t *len_p)
{
    const pfs_sio_desc_t *d = it->desc;
    uint64_t off;
    int i;

    if (d->is_list) {
        while (it->index < d->count && d->lengths[it->index] == 0) {
            it->index++; /* zero-length pieces are allowed and skipped */
        }
        if (it->index >= d->count) {
            return 0;
        }
        *off_p = d->offsets[it->index];
        *len_p = d->lengths[it->index];
        it->index++;
        return 1;
    }
    if (it->done) {
        return 0;
    }
    off = d->offset;
    for (i = 0; i < d->ndims; i++) {
        off += it->idx[i] * d->dims[i].stride;
    }
    *off_p = off;
    *len_p = d->blocklen;
    /* odometer step, last dimension fastest */
    for (i = d->ndims - 1; i >= 0; i--) {
        if (++it->idx[i] < d->dims[i].count) {
            break;
        }
        it->idx[i] = 0;
    }
    if (i < 0) {
        it->done = 1;
    }
    return 1;
}

pfs_status_t pfs_sio_pair_walk(const pfs_sio_desc_t *mem,
                               const pfs_sio_desc_t *file, pfs_sio_pair_fn fn,
                               void *arg)
{
    uint64_t moff = 0, mlen = 0, foff = 0, flen = 0;
    pfs_sio_iter_t mi, fi;
    pfs_status_t st;

    pfs_sio_iter_init(&mi, mem);
    pfs_sio_iter_init(&fi, file);
    for (;;) {
        uint64_t n;

        if (mlen == 0 && !pfs_sio_iter_next(&mi, &moff, &mlen)) {
            return PFS_OK;
        }
        if (flen == 0 && !pfs_sio_iter_next(&fi, &foff, &flen)) {
            return PFS_OK;
        }
        n = PFS_MIN(mlen, flen);
        st = fn(arg, foff, moff, n);
        if (st != PFS_OK) {
            return st;
        }
        moff += n;
        mlen -= n;
        foff += n;
        flen -= n;
    }
}

int pfs_sio_transfer(int fd, int write, struct iovec *iov, int n, uint64_t off)
{
    int first = 0;

    while (first < n) {
        ssize_t got = write ? pwritev(fd, iov + first, n - first, (off_t)off)
                            : preadv(fd, iov + first, n - first, (off_t)off);

        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        if (got == 0) {
            if (write) {
                return EIO;
            }
            for (; first < n; first++) { /* past the end: zeros */
                memset(iov[first].iov_base, 0, iov[first].iov_len);
            }
            break;
        }
        off += (uint64_t)got;
        while (got > 0 && first < n) {
            if ((size_t)got >= iov[first].iov_len) {
                got -= (ssize_t)iov[first].iov_len;
                first++;
            } else {
                iov[first].iov_base = (uint8_t *)iov[first].iov_base + got;
                iov[first].iov_len -= (size_t)got;
                got = 0;
            }
        }
    }
    return 0;
}
