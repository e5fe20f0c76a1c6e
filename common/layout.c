/* layout.c - the striping arithmetic; no I/O, no allocation. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

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

static pfs_status_t spec_fail(char *errmsg, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static pfs_status_t spec_fail(char *errmsg, size_t n, const char *fmt, ...)
{
    va_list ap;

    if (errmsg != NULL && n > 0) {
        va_start(ap, fmt);
        vsnprintf(errmsg, n, fmt, ap);
        va_end(ap);
    }
    return PFS_ERR_INVAL;
}

pfs_status_t pfs_layout_spec_check(const pfs_layout_spec_t *spec,
                                   uint32_t niosrv, char *errmsg,
                                   size_t errmsg_size)
{
    uint64_t size = spec->stripe_size;
    uint32_t i, j;

    if (size != 0 && size % 512 != 0) {
        return spec_fail(errmsg, errmsg_size,
                         "stripe size %llu is not a multiple of 512",
                         (unsigned long long)size);
    }
    if (size != 0 && size < PFS_LAYOUT_MIN_STRIPE_SIZE) {
        return spec_fail(errmsg, errmsg_size,
                         "stripe size %llu is below the minimum of %u bytes "
                         "(4 KiB)",
                         (unsigned long long)size, PFS_LAYOUT_MIN_STRIPE_SIZE);
    }
    if (size > PFS_LAYOUT_MAX_STRIPE_SIZE) {
        return spec_fail(errmsg, errmsg_size,
                         "stripe size %llu is above the maximum of %llu bytes "
                         "(4 GiB)",
                         (unsigned long long)size,
                         (unsigned long long)PFS_LAYOUT_MAX_STRIPE_SIZE);
    }
    if (spec->stripe_count > niosrv ||
        spec->stripe_count > PFS_LAYOUT_MAX_STRIPES) {
        return spec_fail(errmsg, errmsg_size,
                         "stripe count %u exceeds the %u I/O servers of this "
                         "ensemble",
                         spec->stripe_count,
                         PFS_MIN(niosrv, PFS_LAYOUT_MAX_STRIPES));
    }
    if (spec->nservers > PFS_LAYOUT_MAX_STRIPES) {
        return spec_fail(errmsg, errmsg_size,
                         "%u servers listed, more than the %u a layout can "
                         "hold",
                         spec->nservers, PFS_LAYOUT_MAX_STRIPES);
    }
    if (spec->nservers != 0 && spec->stripe_count != 0 &&
        spec->stripe_count != spec->nservers) {
        return spec_fail(errmsg, errmsg_size,
                         "stripe count %u does not match the %u servers "
                         "listed",
                         spec->stripe_count, spec->nservers);
    }
    for (i = 0; i < spec->nservers; i++) {
        if (spec->servers[i] >= niosrv) {
            return spec_fail(errmsg, errmsg_size,
                             "server index %u is out of range: the ensemble "
                             "has %u I/O servers (0..%u)",
                             spec->servers[i], niosrv,
                             niosrv > 0 ? niosrv - 1 : 0);
        }
        for (j = 0; j < i; j++) {
            if (spec->servers[j] == spec->servers[i]) {
                return spec_fail(errmsg, errmsg_size,
                                 "server index %u is listed twice",
                                 spec->servers[i]);
            }
        }
    }
    return PFS_OK;
}

pfs_status_t pfs_layout_resolve(const pfs_layout_spec_t *asked,
                                const pfs_layout_spec_t *dir, uint64_t def_size,
                                uint32_t def_count, uint32_t first,
                                uint32_t niosrv, pfs_layout_t *layout_p,
                                char *errmsg, size_t errmsg_size)
{
    const pfs_layout_spec_t *list = NULL;
    pfs_layout_t layout;
    uint64_t size;
    uint32_t count, i;
    pfs_status_t st;

    st = pfs_layout_spec_check(asked, niosrv, errmsg, errmsg_size);
    if (st == PFS_OK) {
        st = pfs_layout_spec_check(dir, niosrv, errmsg, errmsg_size);
        if (st != PFS_OK) {
            char why[200];

            snprintf(why, sizeof(why), "%s", errmsg != NULL ? errmsg : "");
            return spec_fail(errmsg, errmsg_size,
                             "the directory's default layout: %s", why);
        }
    }
    if (st != PFS_OK) {
        return st;
    }
    size = asked->stripe_size != 0 ? asked->stripe_size
           : dir->stripe_size != 0 ? dir->stripe_size
                                   : def_size;
    if (asked->nservers != 0) {
        list = asked;
        count = asked->nservers;
    } else if (asked->stripe_count != 0) {
        count = asked->stripe_count;
    } else if (dir->nservers != 0) {
        list = dir;
        count = dir->nservers;
    } else if (dir->stripe_count != 0) {
        count = dir->stripe_count;
    } else {
        count = PFS_MIN(def_count, niosrv);
    }
    if (list == NULL) {
        if (pfs_layout_round_robin(size, count, first, niosrv, &layout) !=
            PFS_OK) {
            return spec_fail(errmsg, errmsg_size,
                             "no valid layout of %u stripes of %llu bytes "
                             "over %u I/O servers",
                             count, (unsigned long long)size, niosrv);
        }
    } else {
        layout.stripe_size = size;
        layout.stripe_count = count;
        for (i = 0; i < count; i++) {
            layout.servers[i] = list->servers[i];
        }
        if (pfs_layout_validate(&layout, niosrv) != PFS_OK) {
            return spec_fail(errmsg, errmsg_size, "invalid layout");
        }
    }
    *layout_p = layout;
    return PFS_OK;
}
