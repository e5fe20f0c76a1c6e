/* layout.c - the striping arithmetic; no I/O, no allocation. */
#include "config.h"

#include "layout.h"
#include "pfs_common.h"

pfs_status_t pfs_layout_round_robin(uint64_t stripe_size, uint32_t stripe_count,
                                    uint32_t first, uint32_t nservers,
                                    pfs_layout_t *layout_p)
{
    pfs_layout_t layout;
    uint32_t slot;

    if (nservers == 0 || stripe_count == 0 || stripe_count > nservers ||
        stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    layout.stripe_size = stripe_size;
    layout.stripe_count = stripe_count;
    for (slot = 0; slot < stripe_count; slot++) {
        layout.servers[slot] = (uint32_t)(((uint64_t)first + slot) % nservers);
    }
    if (pfs_layout_validate(&layout, nservers) != PFS_OK) {
        return PFS_ERR_INVAL;
    }
    *layout_p = layout;
    return PFS_OK;
}

pfs_status_t pfs_layout_validate(const pfs_layout_t *layout, uint32_t nservers)
{
    uint32_t i, j;

    if (layout->stripe_size < PFS_LAYOUT_MIN_STRIPE_SIZE ||
        layout->stripe_size > PFS_LAYOUT_MAX_STRIPE_SIZE ||
        layout->stripe_size % 512 != 0) {
        return PFS_ERR_INVAL;
    }
    if (layout->stripe_count == 0 || layout->stripe_count > nservers ||
        layout->stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    for (i = 0; i < layout->stripe_count; i++) {
        if (layout->servers[i] >= nservers) {
            return PFS_ERR_INVAL;
        }
        for (j = 0; j < i; j++) {
            if (layout->servers[j] == layout->servers[i]) {
                return PFS_ERR_INVAL;
            }
        }
    }
    return PFS_OK;
}

void pfs_layout_piece(const pfs_layout_t *layout, uint64_t off, uint64_t len,
                      pfs_layout_piece_t *piece_p)
{
    uint64_t size = layout->stripe_size;
    uint64_t stripe = off / size;
    uint64_t within = off % size;

    piece_p->file_offset = off;
    piece_p->slot = (uint32_t)(stripe % layout->stripe_count);
    piece_p->object_offset = (stripe / layout->stripe_count) * size + within;
    piece_p->length = PFS_MIN(len, size - within);
}

uint64_t pfs_layout_logical_size(const pfs_layout_t *layout,
                                 const uint64_t *object_sizes)
{
    uint64_t size = layout->stripe_size;
    uint64_t result = 0;
    uint32_t slot;

    for (slot = 0; slot < layout->stripe_count; slot++) {
        uint64_t last, stripe, end;

        if (object_sizes[slot] == 0) {
            continue;
        }
        last = object_sizes[slot] - 1; /* object offset of the last byte */
        /* logical stripe = (object stripe) * count + slot */
        if (__builtin_mul_overflow(last / size, layout->stripe_count,
                                   &stripe) ||
            __builtin_add_overflow(stripe, slot, &stripe) ||
            __builtin_mul_overflow(stripe, size, &end) ||
            __builtin_add_overflow(end, last % size + 1, &end)) {
            return UINT64_MAX;
        }
        result = PFS_MAX(result, end);
    }
    return result;
}

uint64_t pfs_layout_object_size(const pfs_layout_t *layout, uint32_t slot,
                                uint64_t size)
{
    uint64_t ssize = layout->stripe_size;
    uint64_t count = layout->stripe_count;
    uint64_t full_rounds, rest, obj;

    /* Whole rounds over all slots give each slot one stripe each. */
    full_rounds = size / (ssize * count);
    rest = size - full_rounds * ssize * count;
    obj = full_rounds * ssize;
    /* In the partial round, slots before rest's stripe are full. */
    if (rest > (uint64_t)slot * ssize) {
        obj += PFS_MIN(ssize, rest - (uint64_t)slot * ssize);
    }
    return obj;
}
