/* test_sio_plan.c - the sio suite: execution plans and calls, against
 * hand values and a brute-force reference. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "pfs_common.h"
#include "proto.h"
#include "sio.h"
#include "wire.h"

#include "test_sio.h"

/* ---- plan and calls ---------------------------------------------------- */

static int piece_is(const pfs_sio_piece_t *p, uint64_t off, uint64_t len,
                    uint64_t pos)
{
    return p->off == off && p->len == len && p->pos == pos;
}

void test_plan_merges_adjacent(void)
{
    static const pfs_run_t sorted[] = {
        {100, 10, 1, 0},
        {110, 20, 1, 0},
        {130, 5, 1, 0},
    };
    static const pfs_run_t dense[] = {{64, 16, 50, 16}, {864, 1, 1, 0}};
    static const pfs_run_t gap[] = {{0, 10, 1, 0}, {11, 10, 1, 0}};
    pfs_sio_piece_t *p;
    size_t n;

    p = plan(sorted, 3, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(piece_is(&p[0], 100, 35, 0));
    free(p);

    /* a strided run with stride == len is one contiguous range */
    p = plan(dense, 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(piece_is(&p[0], 64, 801, 0));
    free(p);

    p = plan(gap, 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(piece_is(&p[0], 0, 10, 0));
    CU_ASSERT(piece_is(&p[1], 11, 10, 10));
    free(p);

    /* the largest request, one byte per block, all adjacent */
    {
        pfs_run_t all = {5, 1, PFS_SIO_MAX_PIECES, 1};

        p = plan(&all, 1, &n);
        CU_ASSERT_EQUAL_FATAL(n, 1);
        CU_ASSERT(piece_is(&p[0], 5, PFS_SIO_MAX_PIECES, 0));
        free(p);
    }
}

void test_plan_strided(void)
{
    const uint64_t len = 47008, stride = 4 * 47008, off = 3 * 47008;
    pfs_run_t run = {off, len, 1000, stride};
    pfs_sio_piece_t *p;
    unsigned bad = 0;
    size_t n, i;

    p = plan(&run, 1, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1000);
    for (i = 0; i < n; i++) {
        if (!piece_is(&p[i], off + i * stride, len, i * len)) {
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* no two adjacent in the object: one call each */
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 0, 1024), 1);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 999, 1024), 1000);
    free(p);
}

void test_plan_sorts_unsorted(void)
{
    static const pfs_run_t runs[] = {
        {100, 10, 1, 0}, {0, 10, 1, 0},
        {50, 10, 1, 0},  {200, 4, 3, 100}, /* 200, 300, 400 */
        {250, 4, 1, 0},
    };
    pfs_sio_piece_t *p;
    size_t n;

    p = plan(runs, PFS_ARRAY_SIZE(runs), &n);
    CU_ASSERT_EQUAL_FATAL(n, 7);
    CU_ASSERT(piece_is(&p[0], 0, 10, 10));
    CU_ASSERT(piece_is(&p[1], 50, 10, 20));
    CU_ASSERT(piece_is(&p[2], 100, 10, 0));
    CU_ASSERT(piece_is(&p[3], 200, 4, 30));
    CU_ASSERT(piece_is(&p[4], 250, 4, 42));
    CU_ASSERT(piece_is(&p[5], 300, 4, 34));
    CU_ASSERT(piece_is(&p[6], 400, 4, 38));
    free(p);
}

/* Equal offsets keep request order, however many and wherever they are
 * (qsort is not stable by itself). */
void test_plan_equal_offsets_request_order(void)
{
    static const pfs_run_t pair[] = {{0, 10, 1, 0}, {0, 10, 1, 0}};
    pfs_run_t runs[300];
    pfs_sio_piece_t *p;
    unsigned bad = 0;
    uint64_t pos = 0;
    size_t n, i;

    p = plan(pair, 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(piece_is(&p[0], 0, 10, 0));
    CU_ASSERT(piece_is(&p[1], 0, 10, 10));
    free(p);

    /* 300 runs over 3 offsets, interleaved and with varying lengths */
    for (i = 0; i < PFS_ARRAY_SIZE(runs); i++) {
        runs[i].offset = (uint64_t)(2 - i % 3) * 1000;
        runs[i].len = 1 + i % 7;
        runs[i].count = 1;
        runs[i].stride = 0;
    }
    /* overlapping pieces: the plan keeps request order, so executing it
     * lets the later piece win */
    p = plan(runs, PFS_ARRAY_SIZE(runs), &n);
    CU_ASSERT_EQUAL_FATAL(n, PFS_ARRAY_SIZE(runs));
    for (i = 0; i < n; i++) {
        if (p[i].off != runs[i].offset || p[i].len != runs[i].len ||
            (i > 0 && p[i].pos != p[i - 1].pos + p[i - 1].len)) {
            bad++;
        }
    }
    for (i = 0; i < PFS_ARRAY_SIZE(runs); i++) {
        size_t j;

        /* piece with request index i has pos == sum of earlier lengths */
        for (j = 0; j < n; j++) {
            if (p[j].pos == pos) {
                break;
            }
        }
        if (j == n || p[j].off != runs[i].offset || p[j].len != runs[i].len) {
            bad++;
        }
        pos += runs[i].len;
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(p);
}

/* Adjacent in the object, not in the payload: two pieces, one call. */
void test_plan_object_adjacent_only(void)
{
    static const pfs_run_t swapped[] = {{10, 10, 1, 0}, {0, 10, 1, 0}};
    static const pfs_run_t strided_back[] = {
        {300, 100, 1, 0}, {0, 100, 3, 100}, /* 0..300 then 300 first */
    };
    pfs_sio_piece_t *p;
    size_t n;

    p = plan(swapped, 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(piece_is(&p[0], 0, 10, 10));
    CU_ASSERT(piece_is(&p[1], 10, 10, 0));
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 0, 1024), 2);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 0, 1), 1);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 1, 1024), 2);
    free(p);

    /* the three strided blocks merge among themselves, not with the run
     * before them in the request */
    p = plan(strided_back, 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(piece_is(&p[0], 0, 300, 100));
    CU_ASSERT(piece_is(&p[1], 300, 100, 0));
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 0, 1024), 2);
    free(p);
}

void test_next_call_max_iov(void)
{
    pfs_run_t *runs = calloc(2500, sizeof(*runs));
    static const size_t expect[] = {1024, 1024, 452};
    pfs_sio_piece_t *p;
    size_t n, i, first, g;

    CU_ASSERT_FATAL(runs != NULL);
    /* 2500 blocks contiguous in the object, in reverse in the payload */
    for (i = 0; i < 2500; i++) {
        runs[i] = (pfs_run_t){(2499 - i) * 8, 8, 1, 0};
    }
    p = plan(runs, 2500, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2500);
    CU_ASSERT(piece_is(&p[0], 0, 8, 2499 * 8));
    CU_ASSERT(piece_is(&p[2499], 2499 * 8, 8, 0));
    for (first = 0, g = 0; first < n && g < 3; first = i, g++) {
        i = pfs_sio_next_call(p, n, first, 1024);
        CU_ASSERT_EQUAL(i - first, expect[g]);
    }
    CU_ASSERT_EQUAL(first, n);
    CU_ASSERT_EQUAL(g, 3);
    /* max_iov 1 and exactly the count */
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 7, 1), 8);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 0, 2500), 2500);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 100, 2500), 2500);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, n, 2499, 1024), 2500);
    free(p);
    free(runs);
}

void test_next_call_gaps(void)
{
    /* contiguous runs of 3, 1, 2 and 4 pieces separated by gaps (and an
     * overlap, which is not contiguous either) */
    static const pfs_sio_piece_t p[] = {
        {0, 10, 50},  {10, 5, 0},  {15, 5, 200}, {30, 10, 60}, {41, 4, 10},
        {45, 4, 100}, {47, 2, 14}, {49, 1, 90},  {50, 1, 16},  {51, 100, 300},
    };
    static const size_t ends[] = {3, 4, 6, 10};
    size_t first = 0, g;

    for (g = 0; g < PFS_ARRAY_SIZE(ends); g++) {
        first = pfs_sio_next_call(p, PFS_ARRAY_SIZE(p), first, 1024);
        CU_ASSERT_EQUAL(first, ends[g]);
    }
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, PFS_ARRAY_SIZE(p), 6, 3), 9);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, PFS_ARRAY_SIZE(p), 1, 1024), 3);
    CU_ASSERT_EQUAL(pfs_sio_next_call(p, PFS_ARRAY_SIZE(p), 0, 2), 2);
}

/* ---- plan brute force -------------------------------------------------- */

#define BF_OBJ 16384u

enum {
    BF_PLAN = 1,  /* a plan invariant is broken */
    BF_CALLS = 2, /* next_call groups are wrong */
    BF_READ = 4,  /* reading through the plan differs from the reference */
    BF_WRITE = 8, /* writing through the plan differs from the reference */
};

static uint8_t bf_payload[BF_OBJ * 8];
static uint8_t bf_ref[BF_OBJ], bf_obj[BF_OBJ];
static uint8_t bf_out_ref[BF_OBJ * 8], bf_out[BF_OBJ * 8];

/* Check groups: contiguous, at most max_iov, and as long as allowed. */
static int bf_calls(const pfs_sio_piece_t *p, size_t n, size_t max_iov)
{
    size_t i = 0, end, k;

    while (i < n) {
        end = pfs_sio_next_call(p, n, i, max_iov);
        if (end <= i || end > n || end - i > max_iov) {
            return BF_CALLS;
        }
        for (k = i + 1; k < end; k++) {
            if (p[k - 1].off + p[k - 1].len != p[k].off) {
                return BF_CALLS;
            }
        }
        if (end < n && end - i < max_iov &&
            p[end - 1].off + p[end - 1].len == p[end].off) {
            return BF_CALLS;
        }
        i = end;
    }
    return 0;
}

/* Round-trip the runs through the wire, plan them, and execute the plan
 * as a write and as a read against one-block-at-a-time references. */
static int bf_case(const pfs_run_t *runs, uint32_t nruns, uint64_t *seed)
{
    size_t size = pfs_sio_runs_size(nruns), consumed, npieces, i;
    uint8_t enc[4 + 64 * PFS_SIO_RUN_SIZE];
    pfs_sio_piece_t *p = NULL;
    pfs_run_t *dec = NULL;
    uint64_t total, sum = 0, pos = 0, k, blocks = 0;
    uint32_t n;
    int bad = 0, ordered;

    CU_ASSERT_FATAL(size <= sizeof(enc));
    CU_ASSERT_EQUAL_FATAL(pfs_sio_runs_encode(runs, nruns, enc), PFS_OK);
    if (decode_exact(enc, size, &dec, &n, &total, &consumed) != PFS_OK ||
        n != nruns || consumed != size || total > sizeof(bf_payload)) {
        free(dec);
        return BF_PLAN;
    }
    if (pfs_sio_plan(dec, n, &p, &npieces, &ordered) != PFS_OK) {
        free(dec);
        return BF_PLAN;
    }
    for (i = 0; i < n; i++) {
        blocks += dec[i].count;
    }
    /* ordered: sorted and disjoint; otherwise in request order (overlaps);
     * lengths add up, payload in range, merges maximal */
    for (i = 0; i < npieces; i++) {
        sum += p[i].len;
        if (p[i].len == 0 || p[i].pos + p[i].len > total ||
            p[i].off + p[i].len > BF_OBJ) {
            bad |= BF_PLAN;
        }
        if (i > 0 && (ordered ? p[i].off < p[i - 1].off + p[i - 1].len
                              : p[i].pos < p[i - 1].pos + p[i - 1].len)) {
            bad |= BF_PLAN;
        }
        if (i > 0 && ((p[i - 1].off + p[i - 1].len == p[i].off &&
                       p[i - 1].pos + p[i - 1].len == p[i].pos))) {
            bad |= BF_PLAN;
        }
    }
    if (sum != total || npieces > blocks || npieces == 0) {
        bad |= BF_PLAN;
    }
    if (bad != 0) {
        free(p);
        free(dec);
        return bad;
    }
    bad |= bf_calls(p, npieces, 1 + rng_below(seed, 5));
    bad |= bf_calls(p, npieces, 1024);

    for (i = 0; i < total; i++) {
        bf_payload[i] = (uint8_t)rng_next(seed);
    }
    for (i = 0; i < BF_OBJ; i++) {
        bf_ref[i] = bf_obj[i] = (uint8_t)(i * 7 + 3);
    }
    /* reference: every block in request order, later ones win */
    for (i = 0; i < nruns; i++) {
        for (k = 0; k < runs[i].count; k++) {
            uint64_t off = runs[i].offset + k * runs[i].stride;

            memcpy(bf_ref + off, bf_payload + pos, runs[i].len);
            pos += runs[i].len;
        }
    }
    /* the plan: pieces in plan order */
    for (i = 0; i < npieces; i++) {
        memcpy(bf_obj + p[i].off, bf_payload + p[i].pos, p[i].len);
    }
    if (memcmp(bf_ref, bf_obj, BF_OBJ) != 0) {
        bad |= BF_WRITE;
    }

    /* read the resulting object back both ways */
    pos = 0;
    for (i = 0; i < nruns; i++) {
        for (k = 0; k < runs[i].count; k++) {
            uint64_t off = runs[i].offset + k * runs[i].stride;

            memcpy(bf_out_ref + pos, bf_ref + off, runs[i].len);
            pos += runs[i].len;
        }
    }
    memset(bf_out, 0xcd, total);
    for (i = 0; i < npieces; i++) {
        memcpy(bf_out + p[i].pos, bf_ref + p[i].off, p[i].len);
    }
    if (memcmp(bf_out_ref, bf_out, total) != 0) {
        bad |= BF_READ;
    }
    free(p);
    free(dec);
    return bad;
}

/* Any runs: random offsets, lengths and strides (0, < len, == len, > len),
 * often adjacent to or just before the previous run. */
static uint32_t bf_random_runs(pfs_run_t *runs, uint64_t *s)
{
    uint32_t n = 1 + (uint32_t)rng_below(s, 12), i;

    for (i = 0; i < n; i++) {
        pfs_run_t *r = &runs[i];
        uint64_t len = 1 + rng_below(s, 64);

        switch (rng_below(s, 4)) {
        case 0: /* right after the previous run's first block */
            r->offset = i > 0 ? runs[i - 1].offset + runs[i - 1].len
                              : rng_below(s, 2048);
            break;
        case 1: /* right before it */
            r->offset = i > 0 && runs[i - 1].offset >= len
                            ? runs[i - 1].offset - len
                            : rng_below(s, 2048);
            break;
        default: r->offset = rng_below(s, 2048); break;
        }
        if (r->offset > 8192) {
            r->offset = rng_below(s, 2048);
        }
        r->len = len;
        r->count = rng_below(s, 2) ? 1 : 1 + rng_below(s, 8);
        switch (rng_below(s, 5)) {
        case 0: r->stride = 0; break;
        case 1: r->stride = len; break;
        case 2: r->stride = 1 + rng_below(s, len); break;
        case 3: r->stride = len + rng_below(s, 64); break;
        default: r->stride = rng_below(s, 200); break;
        }
    }
    return n;
}

/* Disjoint pieces the way the client builds them: cells of a partition of
 * the object picked in a random order (often the next or a fixed step
 * away), coalesced into runs by pio_io.c's sub_add rules. */
static uint32_t bf_client_runs(pfs_run_t *runs, uint64_t *s)
{
    static const uint64_t sizes[] = {4, 8, 8, 8, 13, 16, 16, 32};
    uint64_t cell_off[512], cell_len[512], end = 0;
    uint8_t used[512];
    size_t ncells = 0, cur = 0, step = 1 + rng_below(s, 4), k, npick;
    uint32_t n = 0;

    while (ncells < PFS_ARRAY_SIZE(cell_off)) {
        uint64_t len = sizes[rng_below(s, PFS_ARRAY_SIZE(sizes))];

        if (end + len > BF_OBJ / 2) {
            break;
        }
        cell_off[ncells] = end;
        cell_len[ncells] = len;
        used[ncells] = 0;
        ncells++;
        end += len + (rng_below(s, 4) == 0 ? rng_below(s, 8) : 0);
    }
    npick = 1 + rng_below(s, 60);
    for (k = 0; k < npick && n < 64; k++) {
        uint64_t objoff, len;
        pfs_run_t *r;
        size_t next;

        switch (rng_below(s, 4)) {
        case 0:
        case 1: next = cur + 1; break;
        case 2: next = cur + step; break;
        default: next = rng_below(s, ncells); break;
        }
        if (next >= ncells || used[next]) {
            next = rng_below(s, ncells);
            if (used[next]) {
                continue;
            }
        }
        used[next] = 1;
        cur = next;
        objoff = cell_off[next];
        len = cell_len[next];
        r = n > 0 ? &runs[n - 1] : NULL;
        if (r != NULL && r->count == 1 && r->offset + r->len == objoff) {
            r->len += len;
        } else if (r != NULL && r->count == 1 && r->len == len &&
                   objoff > r->offset) {
            r->count = 2;
            r->stride = objoff - r->offset;
        } else if (r != NULL && r->count > 1 && r->len == len &&
                   objoff == r->offset + r->count * r->stride) {
            r->count++;
        } else {
            runs[n++] = (pfs_run_t){objoff, len, 1, 0};
        }
    }
    return n;
}

void test_plan_brute_force_disjoint(void)
{
    pfs_run_t runs[64];
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    unsigned plan_bad = 0, calls_bad = 0, read_bad = 0, write_bad = 0;
    unsigned iter;

    for (iter = 0; iter < 3000; iter++) {
        uint32_t n = bf_client_runs(runs, &seed);
        int bad;

        if (n == 0) {
            continue;
        }
        bad = bf_case(runs, n, &seed);
        plan_bad += (bad & BF_PLAN) != 0;
        calls_bad += (bad & BF_CALLS) != 0;
        read_bad += (bad & BF_READ) != 0;
        write_bad += (bad & BF_WRITE) != 0;
    }
    CU_ASSERT_EQUAL(plan_bad, 0);
    CU_ASSERT_EQUAL(calls_bad, 0);
    CU_ASSERT_EQUAL(read_bad, 0);
    CU_ASSERT_EQUAL(write_bad, 0);
}

/* Overlapping writes included: the plan must give what writing block by
 * block in request order gives (pio.h: "the later one wins"). */
void test_plan_brute_force_overlap(void)
{
    pfs_run_t runs[64];
    uint64_t seed = 42;
    unsigned plan_bad = 0, calls_bad = 0, read_bad = 0, write_bad = 0;
    unsigned iter;

    for (iter = 0; iter < 5000; iter++) {
        uint32_t n = bf_random_runs(runs, &seed);
        int bad = bf_case(runs, n, &seed);

        plan_bad += (bad & BF_PLAN) != 0;
        calls_bad += (bad & BF_CALLS) != 0;
        read_bad += (bad & BF_READ) != 0;
        write_bad += (bad & BF_WRITE) != 0;
    }
    CU_ASSERT_EQUAL(plan_bad, 0);
    CU_ASSERT_EQUAL(calls_bad, 0);
    CU_ASSERT_EQUAL(read_bad, 0);
    CU_ASSERT_EQUAL(write_bad, 0);
}

/* The smallest overlap cases by hand: a later piece starting at the same
 * offset, after it, and before it. */
void test_plan_overlap_later_wins(void)
{
    static const pfs_run_t same[] = {{0, 10, 1, 0}, {0, 4, 1, 0}};
    static const pfs_run_t after[] = {{0, 10, 1, 0}, {5, 10, 1, 0}};
    static const pfs_run_t before[] = {{10, 10, 1, 0}, {0, 15, 1, 0}};
    uint64_t seed = 7;

    CU_ASSERT_EQUAL(bf_case(same, 2, &seed), 0);
    CU_ASSERT_EQUAL(bf_case(after, 2, &seed), 0);
    /* object bytes 10..14 must come from the second run (payload 20..24),
     * not from the first (payload 0..4) */
    CU_ASSERT_EQUAL(bf_case(before, 2, &seed), 0);
}
