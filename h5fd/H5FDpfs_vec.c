/* H5FDpfs_vec.c - H5FD_pfs, HDF5 1.14's vector and selection I/O: the
 * pieces of one call gathered into one structured libpio request. */
#include "H5FDpfs_int.h"

#if PFS_H5_114
/* ---- 1.14: vector and selection I/O as one structured request ------------ */

/* Pieces of one vector or selection call: file extents and the memory
 * address of each; libpio pairs them in order.  Memory is described
 * relative to the lowest buffer address. */
typedef struct {
    uint64_t *foff, *flen, *moff;
    size_t n, cap;
    uintptr_t base;
    const char *lo;
} pieces_t;

static int pieces_add(pieces_t *p, uint64_t off, uint64_t len, const char *mem)
{
    if (len == 0) {
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        uint64_t *a = realloc(p->foff, cap * sizeof(*a));
        uint64_t *b = a ? realloc(p->flen, cap * sizeof(*b)) : NULL;
        uint64_t *c = b ? realloc(p->moff, cap * sizeof(*c)) : NULL;

        if (a)
            p->foff = a;
        if (b)
            p->flen = b;
        if (c)
            p->moff = c;
        if (c == NULL) {
            return -1;
        }
        p->cap = cap;
    }
    p->foff[p->n] = off;
    p->flen[p->n] = len;
    p->moff[p->n] = (uint64_t)(uintptr_t)mem; /* made relative in run */
    if (p->lo == NULL || mem < p->lo) {
        p->lo = mem;
    }
    p->n++;
    return 0;
}

static void pieces_free(pieces_t *p)
{
    free(p->foff);
    free(p->flen);
    free(p->moff);
}

/* One pio_read_desc/pio_write_desc for all pieces: each I/O server gets
 * one request carrying its share. */
static herr_t pieces_run(pfs_h5file_t *file, pieces_t *p, int write,
                         const char *func)
{
    pio_desc_t fd, md;
    uint64_t end = 0;
    size_t i;
    pfs_status_t st;

    if (p->n == 0) {
        return 0;
    }
    for (i = 0; i < p->n; i++) {
        if (!pfs_h5_range_ok(func, p->foff[i], p->flen[i])) {
            return -1;
        }
        p->moff[i] -= (uint64_t)(uintptr_t)p->lo;
        if (p->foff[i] + p->flen[i] > end) {
            end = p->foff[i] + p->flen[i];
        }
    }
    pio_desc_list(&fd, p->foff, p->flen, p->n);
    pio_desc_list(&md, p->moff, p->flen, p->n);
    if (write) {
        st = pio_write_desc(file->fh, p->lo, &md, &fd, NULL);
    } else {
        /* reads past the end of the file give zeros, as HDF5 expects */
        st = pio_read_desc(file->fh, (void *)(uintptr_t)p->lo, &md, &fd, NULL);
    }
    if (pfs_h5_pio_result(func, __LINE__,
                          write ? H5E_WRITEERROR : H5E_READERROR, file->client,
                          st, write ? "write" : "read") < 0) {
        return -1;
    }
    if (write && end > file->eof) {
        file->eof = end;
    }
    return 0;
}

/* The end of a vector or selection call: run the pieces unless gathering
 * them failed (ok == 0: the error is already pushed), and free them. */
static herr_t pieces_finish(pfs_h5file_t *file, pieces_t *p, int ok, int write,
                            const char *func)
{
    herr_t ret = ok ? pieces_run(file, p, write, func) : -1;

    pieces_free(p);
    return ret;
}

static herr_t vector_io(pfs_h5file_t *file, uint32_t count, haddr_t addrs[],
                        size_t sizes[], const void *bufs[], int write,
                        const char *func)
{
    pieces_t p;
    size_t size = 0;
    uint32_t i;
    int fixed = 0;

    memset(&p, 0, sizeof(p));
    for (i = 0; i < count; i++) {
        /* a size of 0 after the first: the previous size for all the
         * rest (later entries are not even read) */
        if (!fixed && i > 0 && sizes[i] == 0) {
            fixed = 1;
        }
        if (!fixed) {
            size = sizes[i];
        }
        if (pieces_add(&p, addrs[i], size, bufs[i]) < 0) {
            pfs_h5_error(func, __LINE__, H5E_CANTALLOC, "out of memory");
            break;
        }
    }
    return pieces_finish(file, &p, i == count, write, func);
}

herr_t pfs_read_vector(H5FD_t *_file, hid_t dxpl, uint32_t count,
                       H5FD_mem_t types[], haddr_t addrs[], size_t sizes[],
                       void *bufs[])
{
    (void)dxpl;
    (void)types;
    return vector_io((pfs_h5file_t *)_file, count, addrs, sizes,
                     (const void **)bufs, 0, __func__);
}

herr_t pfs_write_vector(H5FD_t *_file, hid_t dxpl, uint32_t count,
                        H5FD_mem_t types[], haddr_t addrs[], size_t sizes[],
                        const void *bufs[])
{
    (void)dxpl;
    (void)types;
    return vector_io((pfs_h5file_t *)_file, count, addrs, sizes, bufs, 1,
                     __func__);
}

#define SEQ_BATCH 1024

/* The (offset, length) runs of a selection, in bytes. */
typedef struct {
    hid_t iter;
    size_t n, i;
    hsize_t off[SEQ_BATCH];
    size_t len[SEQ_BATCH];
} seq_t;

static int seq_next(seq_t *s, hsize_t *off_p, size_t *len_p)
{
    if (s->i == s->n) {
        size_t nelem;

        if (H5Ssel_iter_get_seq_list(s->iter, SEQ_BATCH, SIZE_MAX, &s->n,
                                     &nelem, s->off, s->len) < 0) {
            return -1;
        }
        s->i = 0;
        if (s->n == 0) {
            return 0;
        }
    }
    *off_p = s->off[s->i];
    *len_p = s->len[s->i];
    s->i++;
    return 1;
}

/* Walk a memory and a file selection together, cutting runs where
 * either one ends. */
static herr_t selection_pieces(pieces_t *p, hid_t mspace, hid_t fspace,
                               haddr_t base, size_t esize, const char *buf)
{
    seq_t *m = calloc(2, sizeof(*m)), *f = m + 1;
    hsize_t moff = 0, foff = 0;
    size_t mlen = 0, flen = 0;
    herr_t ret = -1;

    if (m == NULL) {
        return -1;
    }
    m->iter =
        H5Ssel_iter_create(mspace, esize, H5S_SEL_ITER_GET_SEQ_LIST_SORTED);
    f->iter =
        H5Ssel_iter_create(fspace, esize, H5S_SEL_ITER_GET_SEQ_LIST_SORTED);
    if (m->iter < 0 || f->iter < 0) {
        goto out;
    }
    for (;;) {
        size_t n;

        if (mlen == 0) {
            int r = seq_next(m, &moff, &mlen);
            if (r < 0)
                goto out;
            if (r == 0)
                break;
        }
        if (flen == 0) {
            int r = seq_next(f, &foff, &flen);
            if (r < 0)
                goto out;
            if (r == 0)
                break;
        }
        n = mlen < flen ? mlen : flen;
        if (pieces_add(p, base + foff, n, buf + moff) < 0) {
            goto out;
        }
        moff += n;
        mlen -= n;
        foff += n;
        flen -= n;
    }
    ret = 0;
out:
    if (m->iter >= 0)
        H5Ssel_iter_close(m->iter);
    if (f->iter >= 0)
        H5Ssel_iter_close(f->iter);
    free(m);
    return ret;
}

static herr_t selection_io(pfs_h5file_t *file, size_t count, hid_t mem_spaces[],
                           hid_t file_spaces[], haddr_t offsets[],
                           size_t element_sizes[], const void *bufs[],
                           int write, const char *func)
{
    pieces_t p;
    size_t i, esize = 0;
    const void *buf = NULL;
    int fixed_size = 0, fixed_buf = 0;

    memset(&p, 0, sizeof(p));
    for (i = 0; i < count; i++) {
        /* a 0 size or NULL buffer after the first: the previous one for
         * all the rest (later entries are not read) */
        if (!fixed_size && i > 0 && element_sizes[i] == 0) {
            fixed_size = 1;
        }
        if (!fixed_size) {
            esize = element_sizes[i];
        }
        if (!fixed_buf && i > 0 && bufs[i] == NULL) {
            fixed_buf = 1;
        }
        if (!fixed_buf) {
            buf = bufs[i];
        }
        if (selection_pieces(&p, mem_spaces[i], file_spaces[i], offsets[i],
                             esize, buf) < 0) {
            pfs_h5_error(func, __LINE__, H5E_CANTGET,
                         "cannot walk selection %zu", i);
            break;
        }
    }
    return pieces_finish(file, &p, i == count, write, func);
}

herr_t pfs_read_selection(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl,
                          size_t count, hid_t mem_spaces[], hid_t file_spaces[],
                          haddr_t offsets[], size_t element_sizes[],
                          void *bufs[])
{
    (void)type;
    (void)dxpl;
    return selection_io((pfs_h5file_t *)_file, count, mem_spaces, file_spaces,
                        offsets, element_sizes, (const void **)bufs, 0,
                        __func__);
}

herr_t pfs_write_selection(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl,
                           size_t count, hid_t mem_spaces[],
                           hid_t file_spaces[], haddr_t offsets[],
                           size_t element_sizes[], const void *bufs[])
{
    (void)type;
    (void)dxpl;
    return selection_io((pfs_h5file_t *)_file, count, mem_spaces, file_spaces,
                        offsets, element_sizes, bufs, 1, __func__);
}

#endif /* PFS_H5_114 */
