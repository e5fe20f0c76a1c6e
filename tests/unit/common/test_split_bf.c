/* test_split_bf.c - the split suite's brute force: random descriptions
 * split and compared with a byte-by-byte reference. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pfs_common.h"
#include "sio.h"
#include "sio_split.h"
#include "../unit.h"

#include "test_split.h"

/* A small deterministic generator (xorshift64*), so failures replay. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return (rng_next(s) >> 11) % n;
}

/* ---- brute force against a byte-by-byte reference ---------------------- */

#define BF_MAX_TOTAL (64 * 1024)
#define BF_FILE_SPAN (1024 * 1024)
#define BF_SCRATCH (1024 * 1024)
#define BF_MAX_LIST 24
#define BF_SLOTS 4

static uint8_t bf_scratch[BF_SCRATCH];
/* per slot, the (object offset, memory address) of its bytes in request
 * order */
static uint64_t bf_ref_obj[BF_SLOTS][BF_MAX_TOTAL];
static uint8_t *bf_ref_mem[BF_SLOTS][BF_MAX_TOTAL];

/* A random file description of at most BF_MAX_TOTAL bytes. */
static void bf_file_desc(uint64_t *rng, const pfs_layout_t *l,
                         pfs_sio_desc_t *d, uint64_t *offs, uint64_t *lens)
{
    if (rng_below(rng, 2) == 0) {
        size_t n = rng_below(rng, BF_MAX_LIST + 1), k;
        uint64_t total = 0;

        for (k = 0; k < n; k++) {
            uint64_t len =
                rng_below(rng, 4) == 0 ? 0 : 1 + rng_below(rng, 8192);
            uint64_t mode = rng_below(rng, 4);

            len = PFS_MIN(len, BF_MAX_TOTAL - total);
            if (k > 0 && mode == 0) {
                offs[k] = offs[k - 1] + lens[k - 1]; /* adjacent */
            } else if (k > 1 && mode == 1 && offs[k - 1] >= offs[k - 2]) {
                /* same shape as the previous step: a regular pattern */
                len = PFS_MIN(lens[k - 1], BF_MAX_TOTAL - total);
                offs[k] = offs[k - 1] + (offs[k - 1] - offs[k - 2]);
            } else {
                offs[k] = rng_below(rng, BF_FILE_SPAN);
            }
            lens[k] = len;
            total += len;
        }
        *d = list(offs, lens, n);
    } else {
        int ndims = (int)rng_below(rng, 4), i;
        uint64_t counts[3], strides[3], blocks = 1, blocklen;

        for (i = 0; i < ndims; i++) {
            uint64_t pick = rng_below(rng, 5);

            counts[i] = rng_below(rng, 20) == 0 ? 0 : 1 + rng_below(rng, 6);
            if (pick == 0) {
                strides[i] = l->stripe_size * l->stripe_count; /* one slot */
            } else if (pick == 1) {
                strides[i] = l->stripe_size;
            } else {
                strides[i] = rng_below(rng, 64 * 1024);
            }
            blocks *= counts[i] ? counts[i] : 1;
        }
        blocklen = rng_below(rng, 8) == 0 ? 0 : 1 + rng_below(rng, 16384);
        blocklen = PFS_MIN(blocklen, BF_MAX_TOTAL / blocks);
        *d = strided(rng_below(rng, BF_FILE_SPAN / 2), blocklen, ndims, counts,
                     strides);
    }
}

/* A random memory description of exactly total bytes in bf_scratch. */
static void bf_mem_desc(uint64_t *rng, uint64_t total, pfs_sio_desc_t *d,
                        uint64_t *offs, uint64_t *lens)
{
    uint64_t kind = rng_below(rng, 3);

    if (kind == 0 || total == 0) {
        *d = contiguous(rng_below(rng, BF_SCRATCH - total + 1), total);
    } else if (kind == 1) {
        size_t n = 1 + rng_below(rng, BF_MAX_LIST), k;
        uint64_t left = total;

        for (k = 0; k < n; k++) {
            uint64_t len = k + 1 == n ? left : rng_below(rng, left + 1);

            if (rng_below(rng, 3) == 0) {
                len = 0;
            }
            if (k + 1 == n) {
                len = left;
            }
            if (k > 0 && rng_below(rng, 3) == 0 &&
                offs[k - 1] + lens[k - 1] + len <= BF_SCRATCH) {
                offs[k] = offs[k - 1] + lens[k - 1]; /* adjacent */
            } else {
                offs[k] = rng_below(rng, BF_SCRATCH - len + 1);
            }
            lens[k] = len;
            left -= len;
        }
        *d = list(offs, lens, n);
    } else {
        uint64_t b = 1 + rng_below(rng, PFS_MIN(total, 4096));
        uint64_t count, gap, room, c2, counts[2], strides[2];

        while (total % b != 0) {
            b--;
        }
        count = total / b;
        /* inner dimension a divisor of count */
        c2 = 1 + rng_below(rng, PFS_MIN(count, 8));
        while (count % c2 != 0) {
            c2--;
        }
        room = (BF_SCRATCH - total) / count;
        gap = rng_below(rng, PFS_MIN(room, 64) + 1);
        counts[0] = count / c2;
        counts[1] = c2;
        strides[1] = b + gap;
        strides[0] = c2 * strides[1];
        *d = strided(rng_below(rng, BF_SCRATCH - counts[0] * strides[0] + 1), b,
                     2, counts, strides);
    }
}

/* Walk both descriptions byte by byte into the per-slot reference. */
static void bf_reference(const pfs_layout_t *l, const pfs_sio_desc_t *mem,
                         const pfs_sio_desc_t *file, size_t *nref)
{
    pfs_sio_iter_t mi, fi;
    uint64_t moff = 0, mlen = 0, foff = 0, flen = 0;
    uint32_t s;

    for (s = 0; s < BF_SLOTS; s++) {
        nref[s] = 0;
    }
    pfs_sio_iter_init(&mi, mem);
    pfs_sio_iter_init(&fi, file);
    for (;;) {
        pfs_layout_piece_t piece;

        if (mlen == 0 && !pfs_sio_iter_next(&mi, &moff, &mlen)) {
            break;
        }
        if (flen == 0 && !pfs_sio_iter_next(&fi, &foff, &flen)) {
            break;
        }
        pfs_layout_piece(l, foff, 1, &piece);
        bf_ref_obj[piece.slot][nref[piece.slot]] = piece.object_offset;
        bf_ref_mem[piece.slot][nref[piece.slot]] = bf_scratch + moff;
        nref[piece.slot]++;
        moff++;
        mlen--;
        foff++;
        flen--;
    }
}

/* Expand every part into bytes and compare with the reference, slot by
 * slot in request order.  Returns 1 when everything matches. */
static int bf_compare(const pfs_sio_part_t *parts, size_t nparts,
                      const size_t *nref)
{
    size_t pos[BF_SLOTS] = {0, 0, 0, 0}, i;
    uint32_t s;

    for (i = 0; i < nparts; i++) {
        const pfs_sio_part_t *p = &parts[i];
        size_t v = 1, vb = 0, *at = &pos[p->slot];
        uint32_t r;

        for (r = 0; r < p->nruns; r++) {
            uint64_t k, b;

            for (k = 0; k < p->runs[r].count; k++) {
                uint64_t base = p->runs[r].offset + k * p->runs[r].stride;

                for (b = 0; b < p->runs[r].len; b++) {
                    while (v < p->niov && vb >= p->iov[v].len) {
                        v++;
                        vb = 0;
                    }
                    if (v >= p->niov || *at >= nref[p->slot] ||
                        bf_ref_obj[p->slot][*at] != base + b ||
                        bf_ref_mem[p->slot][*at] !=
                            (uint8_t *)p->iov[v].base + vb) {
                        return 0;
                    }
                    vb++;
                    (*at)++;
                }
            }
        }
    }
    for (s = 0; s < BF_SLOTS; s++) {
        if (pos[s] != nref[s]) {
            return 0;
        }
    }
    return 1;
}

void test_brute_force(void)
{
    static uint64_t foffs[BF_MAX_LIST], flens[BF_MAX_LIST];
    static uint64_t moffs[BF_MAX_LIST], mlens[BF_MAX_LIST];
    static const uint64_t sizes[] = {4096, 8192, 64 * 1024};
    uint64_t rng = UINT64_C(0x5eed5117c0de);
    unsigned iter, failed = 0, nonempty = 0, multi = 0;

    for (iter = 0; iter < 2000; iter++) {
        uint64_t seed = rng, total = 0, max_bytes;
        size_t max_iov, nparts, nref[BF_SLOTS];
        pfs_layout_t l;
        pfs_sio_desc_t file, mem;
        pfs_sio_part_t *parts = NULL;
        pfs_status_t st;
        int ok;

        l = make_layout(sizes[rng_below(&rng, 3)],
                        1 + (uint32_t)rng_below(&rng, 4),
                        (uint32_t)rng_below(&rng, 4), 4);
        bf_file_desc(&rng, &l, &file, foffs, flens);
        CU_ASSERT_EQUAL_FATAL(
            pfs_sio_desc_check(&file, PFS_MAX_FILE_SIZE, &total), PFS_OK);
        CU_ASSERT_FATAL(total <= BF_MAX_TOTAL);
        bf_mem_desc(&rng, total, &mem, moffs, mlens);
        {
            uint64_t mtotal = UINT64_MAX;

            CU_ASSERT_EQUAL_FATAL(pfs_sio_desc_check(&mem, BF_SCRATCH, &mtotal),
                                  PFS_OK);
            CU_ASSERT_EQUAL_FATAL(mtotal, total);
        }
        if (rng_below(&rng, 8) == 0) {
            max_bytes = 1 + rng_below(&rng, 4096); /* tiny, many parts */
        } else {
            max_bytes = 4096 + rng_below(&rng, 256 * 1024 - 4096 + 1);
        }
        max_iov = 2 + (size_t)rng_below(&rng, 63);

        st = pfs_sio_split(&l, max_bytes, max_iov, bf_scratch, &mem, &file,
                           &parts, &nparts);
        CU_ASSERT_EQUAL_FATAL(st, PFS_OK);
        bf_reference(&l, &mem, &file, nref);
        ok = check_parts(&l, parts, nparts, max_bytes, max_iov) == 0 &&
             bf_compare(parts, nparts, nref) &&
             parts_bytes(parts, nparts) == total;
        CU_ASSERT(ok);
        if (!ok && failed++ < 5) {
            fprintf(stderr,
                    "\nsplit brute force: case %u (rng state %#llx) "
                    "stripe %llu count %u max_bytes %llu max_iov %zu "
                    "total %llu nparts %zu\n",
                    iter, (unsigned long long)seed,
                    (unsigned long long)l.stripe_size, l.stripe_count,
                    (unsigned long long)max_bytes, max_iov,
                    (unsigned long long)total, nparts);
        }
        nonempty += nparts > 0;
        multi += nparts > l.stripe_count;
        pfs_sio_parts_free(parts, nparts);
    }
    /* the generator reaches the interesting cases */
    CU_ASSERT(nonempty > 1500);
    CU_ASSERT(multi > 300);
}
