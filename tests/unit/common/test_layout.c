/* test_layout.c - striping arithmetic against hand values, naive references and
 * 128-bit math. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pfs_common.h"
#include "../unit.h"

/* 128 bits so the reference arithmetic itself cannot overflow. */
__extension__ typedef unsigned __int128 u128;

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

/* Layouts the large-offset tests sweep: power-of-two and odd stripe
 * sizes, one slot up to the maximum count. */
static const struct {
    uint64_t stripe_size;
    uint32_t count;
} sweep[] = {
    {4 * KIB, 1},
    {4 * KIB, 3},
    {12 * KIB, 7},
    {MIB, 4},
    {64 * MIB + 512, 5},
    {PFS_LAYOUT_MAX_STRIPE_SIZE, 3},
    {PFS_LAYOUT_MAX_STRIPE_SIZE, PFS_LAYOUT_MAX_STRIPES},
};

static pfs_layout_t make_layout(uint64_t stripe_size, uint32_t count)
{
    pfs_layout_t l;
    pfs_status_t st;

    memset(&l, 0, sizeof(l));
    st = pfs_layout_round_robin(stripe_size, count, 0, count, &l);
    CU_ASSERT_EQUAL(st, PFS_OK);
    return l;
}

/* ---- round robin and validate ------------------------------------------ */

static void test_round_robin_wraps(void)
{
    pfs_layout_t l;
    static const uint32_t firsts[] = {0, 3, 6, 7, 8, 1000, UINT32_MAX};
    unsigned i;
    uint32_t slot;

    CU_ASSERT_EQUAL_FATAL(pfs_layout_round_robin(64 * KIB, 4, 6, 8, &l),
                          PFS_OK);
    CU_ASSERT_EQUAL(l.stripe_size, 64 * KIB);
    CU_ASSERT_EQUAL(l.stripe_count, 4);
    CU_ASSERT_EQUAL(l.servers[0], 6);
    CU_ASSERT_EQUAL(l.servers[1], 7);
    CU_ASSERT_EQUAL(l.servers[2], 0);
    CU_ASSERT_EQUAL(l.servers[3], 1);

    /* every server once, whatever the start; first may exceed nservers
     * and first + slot may exceed 32 bits */
    for (i = 0; i < PFS_ARRAY_SIZE(firsts); i++) {
        memset(&l, 0, sizeof(l));
        CU_ASSERT_EQUAL_FATAL(pfs_layout_round_robin(MIB, 8, firsts[i], 8, &l),
                              PFS_OK);
        for (slot = 0; slot < 8; slot++) {
            CU_ASSERT_EQUAL(l.servers[slot],
                            (uint32_t)(((uint64_t)firsts[i] + slot) % 8));
        }
        CU_ASSERT_EQUAL(pfs_layout_validate(&l, 8), PFS_OK);
    }

    CU_ASSERT_EQUAL_FATAL(pfs_layout_round_robin(MIB, 1, 12, 5, &l), PFS_OK);
    CU_ASSERT_EQUAL(l.servers[0], 2);

    CU_ASSERT_EQUAL_FATAL(
        pfs_layout_round_robin(MIB, PFS_LAYOUT_MAX_STRIPES, 10, 1000, &l),
        PFS_OK);
    CU_ASSERT_EQUAL(l.servers[PFS_LAYOUT_MAX_STRIPES - 1],
                    10 + PFS_LAYOUT_MAX_STRIPES - 1);
}

static void test_round_robin_errors(void)
{
    pfs_layout_t l, before;

    memset(&before, 0x3c, sizeof(before));
    l = before;
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB, 0, 0, 4, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB, 5, 0, 4, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB, 1, 0, 0, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB, 0, 0, 0, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB, PFS_LAYOUT_MAX_STRIPES + 1, 0,
                                           PFS_LAYOUT_MAX_STRIPES + 10, &l),
                    PFS_ERR_INVAL);
    /* stripe size: too small, not a multiple of 512, too big */
    CU_ASSERT_EQUAL(pfs_layout_round_robin(0, 2, 0, 4, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(2048, 2, 0, 4, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(4095, 2, 0, 4, &l), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(4096 + 256, 2, 0, 4, &l),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(MIB + 1, 2, 0, 4, &l),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(
        pfs_layout_round_robin(PFS_LAYOUT_MAX_STRIPE_SIZE + 512, 2, 0, 4, &l),
        PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(UINT64_MAX - 511, 2, 0, 4, &l),
                    PFS_ERR_INVAL);
    /* a failed call leaves the output alone */
    CU_ASSERT_EQUAL(memcmp(&l, &before, sizeof(l)), 0);

    /* the edges that are valid */
    CU_ASSERT_EQUAL(pfs_layout_round_robin(4096, 2, 0, 4, &l), PFS_OK);
    CU_ASSERT_EQUAL(pfs_layout_round_robin(4096 + 512, 2, 0, 4, &l), PFS_OK);
    CU_ASSERT_EQUAL(
        pfs_layout_round_robin(PFS_LAYOUT_MAX_STRIPE_SIZE, 4, 0, 4, &l),
        PFS_OK);
}

static void test_validate(void)
{
    pfs_layout_t l;

    memset(&l, 0, sizeof(l));
    l.stripe_size = MIB;
    l.stripe_count = 3;
    l.servers[0] = 4;
    l.servers[1] = 0;
    l.servers[2] = 2;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_OK);
    /* server 4 does not exist in an ensemble of 4 */
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 4), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 2), PFS_ERR_INVAL);

    /* the same server twice, adjacent and apart */
    l.servers[1] = 4;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_ERR_INVAL);
    l.servers[1] = 0;
    l.servers[2] = 4;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_ERR_INVAL);
    l.servers[2] = 2;

    l.servers[2] = UINT32_MAX;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_ERR_INVAL);
    l.servers[2] = 2;

    l.stripe_count = 0;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_ERR_INVAL);
    l.stripe_count = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, UINT32_MAX), PFS_ERR_INVAL);
    l.stripe_count = 3;

    l.stripe_size = 1000 * 512; /* a multiple of 512 but not a power of 2 */
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_OK);
    l.stripe_size = 3584;
    CU_ASSERT_EQUAL(pfs_layout_validate(&l, 5), PFS_ERR_INVAL);
}

/* ---- pieces ------------------------------------------------------------ */

static void check_piece(const pfs_layout_t *l, uint64_t off, uint64_t len,
                        uint32_t slot, uint64_t obj, uint64_t plen)
{
    pfs_layout_piece_t p;

    memset(&p, 0xff, sizeof(p));
    pfs_layout_piece(l, off, len, &p);
    CU_ASSERT_EQUAL(p.file_offset, off);
    CU_ASSERT_EQUAL(p.slot, slot);
    CU_ASSERT_EQUAL(p.object_offset, obj);
    CU_ASSERT_EQUAL(p.length, plen);
}

static void test_piece_boundaries(void)
{
    pfs_layout_t l = make_layout(4096, 3);

    check_piece(&l, 0, 10, 0, 0, 10);
    check_piece(&l, 0, 100000, 0, 0, 4096);
    check_piece(&l, 4095, 100, 0, 4095, 1);
    check_piece(&l, 4096, 100, 1, 0, 100);
    check_piece(&l, 4097, 100000, 1, 1, 4095);
    check_piece(&l, 2 * 4096 + 7, 1, 2, 7, 1);
    /* the second round lands after the first stripe in each object */
    check_piece(&l, 3 * 4096, 5000, 0, 4096, 4096);
    check_piece(&l, 3 * 4096 - 1, 2, 2, 4095, 1);
    check_piece(&l, 4 * 4096 + 5, 1, 1, 4096 + 5, 1);
    check_piece(&l, 7 * 4096 + 4095, UINT64_MAX, 1, 2 * 4096 + 4095, 1);

    /* beyond 4 GiB, by hand: stripe 5120 of 1 MiB over 4 slots */
    l = make_layout(MIB, 4);
    check_piece(&l, 5 * GIB + 123, 10, 0, 1280 * MIB + 123, 10);
    check_piece(&l, 5 * GIB + MIB + 5, 2 * MIB, 1, 1280 * MIB + 5, MIB - 5);
    check_piece(&l, 4 * GIB - 1, 2, 3, GIB - 1, 1);
    check_piece(&l, 4 * GIB, 2, 0, GIB, 2);

    /* a single slot maps the file onto the object unchanged */
    l = make_layout(4096, 1);
    check_piece(&l, 123456789, 1 << 20, 0, 123456789, 4096 - 123456789 % 4096);
}

/* Checks one piece against 128-bit arithmetic: it starts where asked, stays
 * inside one stripe, and mapping (slot, object offset) back gives the file
 * offset.  Returns the number of violations. */
static unsigned piece_violations(const pfs_layout_t *l, uint64_t off,
                                 uint64_t len, pfs_layout_piece_t *p)
{
    u128 size = l->stripe_size, boundary, back;
    unsigned bad = 0;

    pfs_layout_piece(l, off, len, p);
    boundary = ((u128)off / size + 1) * size;
    if (p->file_offset != off || p->slot >= l->stripe_count || p->length == 0 ||
        p->length > len) {
        bad++;
    }
    /* maximal but never across the stripe boundary */
    if ((u128)p->length != (boundary - off < len ? boundary - off : len)) {
        bad++;
    }
    back = ((u128)p->object_offset / size * l->stripe_count + p->slot) * size +
           (u128)p->object_offset % size;
    if (back != off) {
        bad++;
    }
    /* object offsets never exceed the file offset they came from */
    if (p->object_offset > off) {
        bad++;
    }
    return bad;
}

static void test_piece_large_offsets(void)
{
    static const uint64_t offs[] = {
        4 * GIB - 1,
        4 * GIB,
        4 * GIB + 1,
        5 * GIB + 123,
        (UINT64_C(1) << 40) + 17,
        (UINT64_C(1) << 62) + 4095,
        PFS_MAX_FILE_SIZE - (4 * GIB) - 1,
        PFS_MAX_FILE_SIZE - 4096,
        PFS_MAX_FILE_SIZE - 1,
    };
    unsigned i, j, bad = 0;

    for (i = 0; i < PFS_ARRAY_SIZE(sweep); i++) {
        pfs_layout_t l = make_layout(sweep[i].stripe_size, sweep[i].count);

        for (j = 0; j < PFS_ARRAY_SIZE(offs); j++) {
            pfs_layout_piece_t p;
            uint64_t off = offs[j];

            bad += piece_violations(&l, off, 1, &p);
            bad += piece_violations(&l, off, PFS_MAX_FILE_SIZE - off, &p);
            bad += piece_violations(&l, off, UINT64_MAX, &p);
            /* walk a few pieces on from there, up to the end of the file */
            while (off < PFS_MAX_FILE_SIZE && off - offs[j] < 3 * MIB) {
                bad += piece_violations(&l, off, PFS_MAX_FILE_SIZE - off, &p);
                if (p.length == 0) {
                    break;
                }
                off += p.length;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- brute force against a per-byte reference -------------------------- */

#define BF_STRIPE 4096u
#define BF_FILE (64u * 1024u)

/* Per byte of a BF_FILE file: slot, object offset and stripe number, built
 * by counting bytes forward instead of dividing, so it shares no formula
 * with the code under test. */
typedef struct {
    uint32_t slot[BF_FILE];
    uint64_t obj[BF_FILE];
    uint32_t stripe[BF_FILE + 1];
} bf_ref_t;

static void bf_build(bf_ref_t *ref, uint32_t count)
{
    uint32_t b, slot = 0, within = 0, stripe = 0;
    uint64_t base = 0; /* object offset where the current stripe starts */

    for (b = 0; b < BF_FILE; b++) {
        ref->slot[b] = slot;
        ref->obj[b] = base + within;
        ref->stripe[b] = stripe;
        if (++within == BF_STRIPE) {
            within = 0;
            stripe++;
            if (++slot == count) {
                slot = 0;
                base += BF_STRIPE;
            }
        }
    }
    ref->stripe[BF_FILE] = stripe;
}

/* Walks [start, start + len) piece by piece; with per_byte every byte is
 * compared, otherwise the two ends of each piece and the stripe numbers
 * (the reference is affine inside a stripe, so the ends decide). */
static unsigned bf_walk(const pfs_layout_t *l, const bf_ref_t *ref,
                        uint32_t start, uint32_t len, int per_byte)
{
    uint32_t off = start, rem = len;
    unsigned bad = 0;

    while (rem > 0) {
        pfs_layout_piece_t p;
        uint32_t last, b;

        pfs_layout_piece(l, off, rem, &p);
        if (p.file_offset != off || p.length == 0 || p.length > rem) {
            return bad + 1;
        }
        last = off + (uint32_t)p.length - 1;
        if (p.slot != ref->slot[off] || p.object_offset != ref->obj[off] ||
            ref->stripe[last] != ref->stripe[off] ||
            p.slot != ref->slot[last] ||
            p.object_offset + p.length - 1 != ref->obj[last]) {
            bad++;
        }
        /* as long as it can be: the range ends or the next byte is in
         * another stripe */
        if (p.length != rem && ref->stripe[last + 1] == ref->stripe[off]) {
            bad++;
        }
        if (per_byte) {
            for (b = 0; b < p.length; b++) {
                if (ref->slot[off + b] != p.slot ||
                    ref->obj[off + b] != p.object_offset + b) {
                    bad++;
                    break;
                }
            }
        }
        off += (uint32_t)p.length;
        rem -= (uint32_t)p.length;
    }
    return bad;
}

static void test_piece_brute_force(void)
{
    static const uint32_t lens[] = {1,    2,    511,  4095,  4096,
                                    4097, 8191, 8192, 12289, 20000};
    bf_ref_t *ref = malloc(sizeof(*ref));
    uint32_t count, start, i, rng = 12345;

    CU_ASSERT_FATAL(ref != NULL);
    for (count = 1; count <= 4; count++) {
        pfs_layout_t l = make_layout(BF_STRIPE, count);
        unsigned bad = 0;

        bf_build(ref, count);
        for (start = 0; start < BF_FILE; start++) {
            uint32_t rem = BF_FILE - start;
            /* lengths that end just before, at and just after the next
             * stripe boundary are where PFS_MIN decides */
            uint32_t to_edge = BF_STRIPE - start % BF_STRIPE;
            const uint32_t edges[] = {to_edge - 1, to_edge, to_edge + 1,
                                      to_edge + BF_STRIPE};

            for (i = 0; i < PFS_ARRAY_SIZE(lens); i++) {
                if (lens[i] <= rem) {
                    bad += bf_walk(&l, ref, start, lens[i], 0);
                }
            }
            for (i = 0; i < PFS_ARRAY_SIZE(edges); i++) {
                if (edges[i] > 0 && edges[i] <= rem) {
                    bad += bf_walk(&l, ref, start, edges[i], 0);
                }
            }
            /* and a pseudo-random length, so over all starts every length
             * up to the file size gets its chance */
            rng = rng * 1103515245u + 12345u;
            bad += bf_walk(&l, ref, start, 1 + (rng >> 8) % rem, 0);
            bad += bf_walk(&l, ref, start, rem, 0);
            /* every byte, from a spread of starting points */
            if (start % 257 == 0 || start % BF_STRIPE >= BF_STRIPE - 2) {
                bad += bf_walk(&l, ref, start, BF_FILE - start, 1);
            }
        }
        CU_ASSERT_EQUAL(bad, 0);
    }
    free(ref);
}

/* Object sizes of a dense file, from the per-byte reference, for every
 * logical size of the 64 KiB file. */
static void test_object_size_brute_force(void)
{
    bf_ref_t *ref = malloc(sizeof(*ref));
    uint32_t count, len, slot;

    CU_ASSERT_FATAL(ref != NULL);
    for (count = 1; count <= 4; count++) {
        pfs_layout_t l = make_layout(BF_STRIPE, count);
        uint64_t sizes[4] = {0, 0, 0, 0};
        unsigned bad = 0;

        bf_build(ref, count);
        for (len = 0; len <= BF_FILE; len++) {
            if (len > 0) {
                sizes[ref->slot[len - 1]]++;
            }
            for (slot = 0; slot < count; slot++) {
                if (pfs_layout_object_size(&l, slot, len) != sizes[slot]) {
                    bad++;
                }
            }
            if (pfs_layout_logical_size(&l, sizes) != len) {
                bad++;
            }
        }
        CU_ASSERT_EQUAL(bad, 0);
    }
    free(ref);
}

/* ---- logical size ------------------------------------------------------ */

static void test_logical_size_dense(void)
{
    pfs_layout_t l = make_layout(4096, 4);
    uint64_t s[4] = {0, 0, 0, 0};

    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 0);

    /* only slot 1 has bytes: the file ends in the first round */
    s[1] = 10;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 4096 + 10);
    s[1] = 4096;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 2 * 4096);

    /* two rounds, one more full stripe and a partial last stripe */
    l = make_layout(4096, 3);
    s[0] = 3 * 4096;
    s[1] = 2 * 4096 + 100;
    s[2] = 2 * 4096;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 7 * 4096 + 100);

    /* one byte in the last slot of the first round */
    s[0] = 4096;
    s[1] = 4096;
    s[2] = 1;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 2 * 4096 + 1);
}

static void test_logical_size_holes(void)
{
    pfs_layout_t l = make_layout(4096, 2);
    uint64_t s[4];

    /* slot 0 wrote stripes 0, 2 and 4; slot 1 nothing: the end of stripe 4 */
    s[0] = 3 * 4096;
    s[1] = 0;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 5 * 4096);
    s[1] = 5;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 5 * 4096);
    /* slot 1 reaches further than slot 0 */
    s[0] = 1;
    s[1] = 2 * 4096;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 4 * 4096);
    s[1] = 2 * 4096 + 1;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 5 * 4096 + 1);
}

static void test_logical_size_large(void)
{
    pfs_layout_t l = make_layout(MIB, 4);
    uint64_t s[PFS_LAYOUT_MAX_STRIPES];

    /* 2 GiB objects on every slot: an 8 GiB file */
    s[0] = s[1] = s[2] = s[3] = 2 * GIB;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 8 * GIB);
    /* only the last slot: ends with its stripe 2047, logical 8191 */
    s[0] = s[1] = s[2] = 0;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 8 * GIB);
    s[3] = 2 * GIB + 1;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 8 * GIB + 3 * MIB + 1);
    /* 5 GiB on one slot */
    s[3] = 0;
    s[0] = 5 * GIB;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), 20 * GIB - 3 * MIB);

    /* the largest file, on one slot */
    l = make_layout(4096, 1);
    s[0] = PFS_MAX_FILE_SIZE;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), PFS_MAX_FILE_SIZE);
}

static void test_logical_size_saturates(void)
{
    pfs_layout_t l = make_layout(4096, 2);
    uint64_t s[PFS_LAYOUT_MAX_STRIPES];
    unsigned i;

    /* stripe 2^51 * 2 + 1 ends past 2^64: wrapping would give ~4 KiB */
    s[0] = 0;
    s[1] = (UINT64_C(1) << 63) + 1;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);
    s[0] = UINT64_MAX;
    s[1] = 0;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);
    s[0] = s[1] = UINT64_MAX;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);

    l = make_layout(4096, 1);
    s[0] = UINT64_MAX;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);

    /* exactly 2^64: the end wraps to 0 unless the overflow is caught */
    l = make_layout(PFS_LAYOUT_MAX_STRIPE_SIZE, PFS_LAYOUT_MAX_STRIPES);
    for (i = 0; i < PFS_LAYOUT_MAX_STRIPES; i++) {
        s[i] = 0;
    }
    s[PFS_LAYOUT_MAX_STRIPES - 1] = UINT64_C(1) << 56;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);
    /* one byte smaller ends exactly at UINT64_MAX, no overflow */
    s[PFS_LAYOUT_MAX_STRIPES - 1] = (UINT64_C(1) << 56) - 1;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s), UINT64_MAX);
    /* one stripe smaller gives up a whole round of 256 stripes */
    s[PFS_LAYOUT_MAX_STRIPES - 1] =
        (UINT64_C(1) << 56) - PFS_LAYOUT_MAX_STRIPE_SIZE;
    CU_ASSERT_EQUAL(pfs_layout_logical_size(&l, s),
                    (uint64_t)(((u128)1 << 64) - ((u128)1 << 40)));
}

/* ---- object size is the inverse of logical size ------------------------ */

static void test_object_size_inverse(void)
{
    unsigned i, j, bad = 0;

    for (i = 0; i < PFS_ARRAY_SIZE(sweep); i++) {
        uint64_t ss = sweep[i].stripe_size, round = ss * sweep[i].count;
        const uint64_t sizes[] = {
            0,
            1,
            ss - 1,
            ss,
            ss + 1,
            round - 1,
            round,
            round + 1,
            3 * round + 2 * ss + 17,
            4 * GIB - 1,
            4 * GIB,
            5 * GIB + 7,
            (UINT64_C(1) << 40) + 3,
            PFS_MAX_FILE_SIZE - 1,
            PFS_MAX_FILE_SIZE,
        };
        pfs_layout_t l = make_layout(ss, sweep[i].count);

        for (j = 0; j < PFS_ARRAY_SIZE(sizes); j++) {
            uint64_t obj[PFS_LAYOUT_MAX_STRIPES];
            u128 sum = 0;
            uint32_t slot;

            for (slot = 0; slot < l.stripe_count; slot++) {
                obj[slot] = pfs_layout_object_size(&l, slot, sizes[j]);
                sum += obj[slot];
                /* dense: earlier slots hold at least as much, at most one
                 * stripe more */
                if (slot > 0 && (obj[slot] > obj[slot - 1] ||
                                 obj[slot - 1] - obj[slot] > ss)) {
                    bad++;
                }
            }
            /* every byte is stored exactly once */
            if (sum != sizes[j]) {
                bad++;
            }
            if (pfs_layout_logical_size(&l, obj) != sizes[j]) {
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_object_size_by_hand(void)
{
    pfs_layout_t l = make_layout(4096, 3);
    uint64_t size = 7 * 4096 + 100;

    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 0, size), 3 * 4096);
    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 1, size), 2 * 4096 + 100);
    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 2, size), 2 * 4096);
    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 0, 0), 0);
    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 2, 2 * 4096), 0);
    CU_ASSERT_EQUAL(pfs_layout_object_size(&l, 2, 2 * 4096 + 1), 1);
}

/* ---- layout specs: checks with messages, and resolution ---------------- */

static pfs_layout_spec_t spec(uint64_t size, uint32_t count, uint32_t n,
                              const uint32_t *servers)
{
    pfs_layout_spec_t sp;

    memset(&sp, 0, sizeof(sp));
    sp.stripe_size = size;
    sp.stripe_count = count;
    sp.nservers = n;
    if (servers != NULL && n <= PFS_LAYOUT_MAX_STRIPES) {
        memcpy(sp.servers, servers, n * sizeof(servers[0]));
    }
    return sp;
}

/* The check fails with PFS_ERR_INVAL and a message containing want. */
static void check_spec_error(pfs_layout_spec_t sp, uint32_t niosrv,
                             const char *want)
{
    char msg[256] = "";

    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, niosrv, msg, sizeof(msg)),
                    PFS_ERR_INVAL);
    if (strstr(msg, want) == NULL) {
        fprintf(stderr, "\nmessage '%s' lacks '%s'\n", msg, want);
        CU_FAIL("message does not name the problem");
    }
}

static void test_spec_check(void)
{
    static const uint32_t ok3[] = {2, 0, 1}, dup[] = {1, 3, 1}, out[] = {0, 4},
                          one[] = {3};
    pfs_layout_spec_t sp;

    /* zero is "the default" and always fine */
    sp = spec(0, 0, 0, NULL);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 4, NULL, 0), PFS_OK);
    sp = spec(4 * KIB, 4, 0, NULL);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 4, NULL, 0), PFS_OK);
    sp = spec(4 * GIB, 0, 3, ok3);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 4, NULL, 0), PFS_OK);
    sp = spec(0, 3, 3, ok3);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 3, NULL, 0), PFS_OK);
    sp = spec(0, 0, 1, one);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 4, NULL, 0), PFS_OK);

    check_spec_error(spec(1000, 0, 0, NULL), 4,
                     "stripe size 1000 is not a multiple of 512");
    check_spec_error(spec(512, 0, 0, NULL), 4,
                     "stripe size 512 is below the minimum of 4096");
    check_spec_error(spec(4 * GIB + 512, 0, 0, NULL), 4,
                     "stripe size 4294967808 is above the maximum");
    check_spec_error(spec(UINT64_MAX - 511, 0, 0, NULL), 4,
                     "above the maximum");
    check_spec_error(spec(0, 5, 0, NULL), 4,
                     "stripe count 5 exceeds the 4 I/O servers");
    check_spec_error(spec(0, 2, 3, ok3), 4,
                     "stripe count 2 does not match the 3 servers listed");
    check_spec_error(spec(0, 0, 3, dup), 4, "server index 1 is listed twice");
    check_spec_error(spec(0, 0, 2, out), 4,
                     "server index 4 is out of range: the ensemble has 4 "
                     "I/O servers (0..3)");
    check_spec_error(spec(0, 0, PFS_LAYOUT_MAX_STRIPES + 1, NULL), 1000,
                     "servers listed");
    /* a NULL message buffer is allowed */
    sp = spec(1000, 0, 0, NULL);
    CU_ASSERT_EQUAL(pfs_layout_spec_check(&sp, 4, NULL, 0), PFS_ERR_INVAL);
}

static void test_spec_resolve(void)
{
    static const uint32_t list_a[] = {3, 1}, list_d[] = {0, 2, 1};
    pfs_layout_spec_t none = spec(0, 0, 0, NULL), asked, dir;
    pfs_layout_t l;
    char msg[256];

    /* nothing asked, nothing set: the ensemble's defaults, round robin
     * from first; the default count is capped at the servers there are */
    CU_ASSERT_EQUAL(pfs_layout_resolve(&none, &none, MIB, UINT32_MAX, 2, 4, &l,
                                       msg, sizeof(msg)),
                    PFS_OK);
    CU_ASSERT(l.stripe_size == MIB && l.stripe_count == 4 &&
              l.servers[0] == 2 && l.servers[1] == 3 && l.servers[2] == 0 &&
              l.servers[3] == 1);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&none, &none, MIB, 2, 3, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_count == 2 && l.servers[0] == 3 && l.servers[1] == 0);

    /* the directory's default, field by field */
    dir = spec(64 * KIB, 0, 0, NULL);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&none, &dir, MIB, 3, 0, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_size == 64 * KIB && l.stripe_count == 3);
    dir = spec(0, 0, 3, list_d);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&none, &dir, MIB, 1, 1, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_size == MIB && l.stripe_count == 3 &&
              l.servers[0] == 0 && l.servers[1] == 2 && l.servers[2] == 1);

    /* the request over the directory: its size, its list */
    asked = spec(128 * KIB, 0, 2, list_a);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&asked, &dir, MIB, 1, 1, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_size == 128 * KIB && l.stripe_count == 2 &&
              l.servers[0] == 3 && l.servers[1] == 1);
    /* a count asked for overrides the directory's list as well */
    asked = spec(0, 2, 0, NULL);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&asked, &dir, MIB, 1, 1, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_count == 2 && l.servers[0] == 1 && l.servers[1] == 2);
    /* only a size asked: the directory's list stays */
    asked = spec(8 * KIB, 0, 0, NULL);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&asked, &dir, MIB, 1, 1, 4, &l, msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(l.stripe_size == 8 * KIB && l.stripe_count == 3 &&
              l.servers[0] == 0);

    /* errors: the request's, or the directory's, named as such */
    asked = spec(0, 5, 0, NULL);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&asked, &none, MIB, 1, 0, 4, &l, msg, sizeof(msg)),
        PFS_ERR_INVAL);
    CU_ASSERT(strstr(msg, "stripe count 5 exceeds") != NULL);
    dir = spec(100, 0, 0, NULL);
    CU_ASSERT_EQUAL(
        pfs_layout_resolve(&none, &dir, MIB, 1, 0, 4, &l, msg, sizeof(msg)),
        PFS_ERR_INVAL);
    CU_ASSERT(strstr(msg, "directory's default layout: stripe size 100") !=
              NULL);
}

/* pfs_fid_hash places new files (the MDS's first_server): pinned, so
 * that a change of it, which would move where files start, fails here.
 * Values of the formula first_server used before the helper existed. */
static void test_fid_hash_pinned(void)
{
    pfs_fid_t a = {0, 0}, b = {1, 1}, c = {UINT64_C(0x0123456789abcdef), 42};

    CU_ASSERT_EQUAL(pfs_fid_hash(a), UINT64_C(0));
    CU_ASSERT_EQUAL(pfs_fid_hash(b), UINT64_C(0xe4d971771b652c20));
    CU_ASSERT_EQUAL(pfs_fid_hash(c), UINT64_C(0x23f7b5ffb402d957));
}

static CU_TestInfo layout_tests[] = {
    {"fid_hash_pinned", test_fid_hash_pinned},
    {"round_robin_wraps", test_round_robin_wraps},
    {"round_robin_errors", test_round_robin_errors},
    {"validate", test_validate},
    {"piece_boundaries", test_piece_boundaries},
    {"piece_large_offsets", test_piece_large_offsets},
    {"piece_brute_force", test_piece_brute_force},
    {"object_size_brute_force", test_object_size_brute_force},
    {"logical_size_dense", test_logical_size_dense},
    {"logical_size_holes", test_logical_size_holes},
    {"logical_size_large", test_logical_size_large},
    {"logical_size_saturates", test_logical_size_saturates},
    {"object_size_inverse", test_object_size_inverse},
    {"object_size_by_hand", test_object_size_by_hand},
    {"spec_check", test_spec_check},
    {"spec_resolve", test_spec_resolve},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_layout = {"layout", NULL, NULL, layout_tests};
