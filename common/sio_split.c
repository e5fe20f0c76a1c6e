/* sio_split.c - descriptions -> per-server structured requests. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sio_split.h"

typedef struct {
    const pfs_layout_t *layout;
    uint8_t *buf;
    uint64_t max_bytes;
    size_t max_iov;
    pfs_sio_part_t *parts;
    size_t nparts, cap;
    long open[PFS_LAYOUT_MAX_STRIPES]; /* per slot: part being filled */
} splitter_t;

static int grow(void **array, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    void *p;

    if (need <= *cap) {
        return 0;
    }
    while (n < need) {
        n *= 2;
    }
    p = realloc(*array, n * elem);
    if (p == NULL) {
        return -1;
    }
    *array = p;
    *cap = n;
    return 0;
}

static pfs_sio_part_t *part_open(splitter_t *sp, uint32_t slot)
{
    pfs_sio_part_t *part;

    if (sp->open[slot] >= 0) {
        return &sp->parts[sp->open[slot]];
    }
    if (grow((void **)&sp->parts, &sp->cap, sp->nparts + 1,
             sizeof(*sp->parts)) != 0) {
        return NULL;
    }
    part = &sp->parts[sp->nparts];
    memset(part, 0, sizeof(*part));
    part->slot = slot;
    part->niov = 1;
    part->iov = calloc(16, sizeof(*part->iov));
    if (part->iov == NULL) {
        return NULL;
    }
    part->cap_iov = 16;
    sp->open[slot] = (long)sp->nparts++;
    return part;
}

/* Append a piece, merging with the previous one where possible. */
static pfs_status_t part_add(pfs_sio_part_t *part, uint64_t objoff,
                             uint8_t *mem, uint64_t len)
{
    pfs_run_t *r = part->nruns > 0 ? &part->runs[part->nruns - 1] : NULL;
    pfs_iov_t *v = &part->iov[part->niov - 1];

    if (r != NULL && r->count == 1 && r->offset + r->len == objoff) {
        r->len += len;
    } else if (r != NULL && r->count == 1 && r->len == len &&
               objoff > r->offset) {
        r->count = 2;
        r->stride = objoff - r->offset;
        part->pieces++;
    } else if (r != NULL && r->count > 1 && r->len == len &&
               objoff == r->offset + r->count * r->stride) {
        r->count++;
        part->pieces++;
    } else {
        size_t cap = part->cap_runs;

        if (grow((void **)&part->runs, &cap, part->nruns + 1,
                 sizeof(*part->runs)) != 0) {
            return PFS_ERR_NOMEM;
        }
        part->cap_runs = (uint32_t)cap;
        r = &part->runs[part->nruns++];
        r->offset = objoff;
        r->len = len;
        r->count = 1;
        r->stride = 0;
        part->pieces++;
    }
    if (part->niov > 1 && (uint8_t *)v->base + v->len == mem) {
        v->len += len;
    } else {
        if (grow((void **)&part->iov, &part->cap_iov, part->niov + 1,
                 sizeof(*part->iov)) != 0) {
            return PFS_ERR_NOMEM;
        }
        part->iov[part->niov].base = mem;
        part->iov[part->niov].len = len;
        part->niov++;
    }
    part->bytes += len;
    part->max_end = PFS_MAX(part->max_end, objoff + len);
    return PFS_OK;
}

static int part_full(const splitter_t *sp, const pfs_sio_part_t *part)
{
    return part->bytes >= sp->max_bytes ||
           part->nruns >= PFS_SIO_MAX_RUNS - 1 ||
           part->pieces >= PFS_SIO_MAX_PIECES - 1 || part->niov >= sp->max_iov;
}

/* Route one logical range through the layout. */
static pfs_status_t add_range(splitter_t *sp, uint64_t foff, uint8_t *mem,
                              uint64_t len)
{
    while (len > 0) {
        pfs_layout_piece_t piece;
        pfs_sio_part_t *part;
        uint64_t n;
        pfs_status_t st;

        pfs_layout_piece(sp->layout, foff, len, &piece);
        part = part_open(sp, piece.slot);
        if (part == NULL) {
            return PFS_ERR_NOMEM;
        }
        /* a piece may be larger than what one request carries */
        n = PFS_MIN(piece.length, sp->max_bytes - part->bytes);
        st = part_add(part, piece.object_offset, mem, n);
        if (st != PFS_OK) {
            return st;
        }
        if (part_full(sp, part)) {
            sp->open[piece.slot] = -1;
        }
        foff += n;
        mem += n;
        len -= n;
    }
    return PFS_OK;
}

static pfs_status_t split_pair(void *arg, uint64_t foff, uint64_t moff,
                               uint64_t len)
{
    splitter_t *sp = arg;

    return add_range(sp, foff, sp->buf + moff, len);
}

pfs_status_t pfs_sio_split(const pfs_layout_t *layout, uint64_t max_bytes,
                           size_t max_iov, uint8_t *buf,
                           const pfs_sio_desc_t *mem,
                           const pfs_sio_desc_t *file, pfs_sio_part_t **parts_p,
                           size_t *nparts_p)
{
    splitter_t sp;
    uint32_t slot;
    pfs_status_t st;

    if (max_bytes == 0 || max_iov < 2) {
        return PFS_ERR_INVAL;
    }
    memset(&sp, 0, sizeof(sp));
    sp.layout = layout;
    sp.buf = buf;
    sp.max_bytes = max_bytes;
    sp.max_iov = max_iov;
    for (slot = 0; slot < PFS_LAYOUT_MAX_STRIPES; slot++) {
        sp.open[slot] = -1;
    }
    st = pfs_sio_pair_walk(mem, file, split_pair, &sp);
    if (st != PFS_OK) {
        pfs_sio_parts_free(sp.parts, sp.nparts);
        return st;
    }
    *parts_p = sp.parts;
    *nparts_p = sp.nparts;
    return PFS_OK;
}

void pfs_sio_parts_free(pfs_sio_part_t *parts, size_t nparts)
{
    size_t i;

    for (i = 0; i < nparts; i++) {
        free(parts[i].runs);
        free(parts[i].iov);
    }
    free(parts);
}
