/* test_sio.c - run-list codec, execution plans and description walks against
 * hand values and naive references. */
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
#include "../unit.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)

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

/* ---- encoding helpers -------------------------------------------------- */

/* Write runs verbatim behind a claimed run count (encode() normalizes
 * strides and always writes the true count; hostile input need not).
 * Returns the bytes written. */
static size_t raw_encode(uint32_t claimed, const pfs_run_t *runs,
                         uint32_t nruns, uint8_t *out, size_t cap)
{
    pfs_wbuf_t w;
    size_t len;
    uint32_t i;

    pfs_wbuf_init(&w, out, cap);
    pfs_wbuf_u32(&w, claimed);
    for (i = 0; i < nruns; i++) {
        pfs_wbuf_u64(&w, runs[i].offset);
        pfs_wbuf_u64(&w, runs[i].len);
        pfs_wbuf_u64(&w, runs[i].count);
        pfs_wbuf_u64(&w, runs[i].stride);
    }
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    return len;
}

/* Decode len bytes from a heap block of exactly len bytes, so a read past
 * the end is an out-of-bounds access that sanitizers and valgrind see.
 * On success the runs are returned in *runs_p (free them). */
static pfs_status_t decode_exact(const uint8_t *enc, size_t len,
                                 pfs_run_t **runs_p, uint32_t *nruns_p,
                                 uint64_t *total_p, size_t *consumed_p)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    pfs_status_t st;

    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, enc, len);
    *runs_p = NULL;
    st = pfs_sio_runs_decode(copy, len, runs_p, nruns_p, total_p, consumed_p);
    free(copy);
    return st;
}

/* Decode that is expected to fail: frees anything a success returned. */
static pfs_status_t decode_status(const uint8_t *enc, size_t len)
{
    pfs_run_t *runs = NULL;
    uint32_t n;
    uint64_t total;
    size_t consumed;
    pfs_status_t st;

    st = decode_exact(enc, len, &runs, &n, &total, &consumed);
    if (st == PFS_OK) {
        free(runs);
    }
    return st;
}

/* Encode runs (valid ones), decode them back and compare field by field:
 * the stride comes back 0 for single blocks, the rest unchanged. */
static void check_round_trip(const pfs_run_t *runs, uint32_t nruns)
{
    size_t size = pfs_sio_runs_size(nruns), consumed = 0;
    uint8_t *enc = malloc(size);
    pfs_run_t *out = NULL;
    uint64_t total = 0, want = 0;
    uint32_t n = 0, i;

    CU_ASSERT_FATAL(enc != NULL);
    CU_ASSERT_EQUAL(size, 4 + (size_t)nruns * PFS_SIO_RUN_SIZE);
    CU_ASSERT_EQUAL_FATAL(pfs_sio_runs_encode(runs, nruns, enc), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(decode_exact(enc, size, &out, &n, &total, &consumed),
                          PFS_OK);
    CU_ASSERT_EQUAL(n, nruns);
    CU_ASSERT_EQUAL(consumed, size);
    for (i = 0; i < nruns && i < n; i++) {
        CU_ASSERT_EQUAL(out[i].offset, runs[i].offset);
        CU_ASSERT_EQUAL(out[i].len, runs[i].len);
        CU_ASSERT_EQUAL(out[i].count, runs[i].count);
        CU_ASSERT_EQUAL(out[i].stride, runs[i].count == 1 ? 0 : runs[i].stride);
        want += runs[i].len * runs[i].count;
    }
    CU_ASSERT_EQUAL(total, want);
    free(out);
    free(enc);
}

/* ---- decode: valid input ----------------------------------------------- */

static void test_decode_round_trip(void)
{
    static const pfs_run_t one[] = {{0, 1, 1, 0}};
    static const pfs_run_t mixed[] = {
        {4096, 100, 1, 0},    {0, 47008, 1000, 4 * 47008},
        {12, 8, 1, 999999},   /* stride of a single block is dropped */
        {1 * MIB, 512, 3, 0}, /* stride 0: the same block three times */
        {100, 64, 4, 16},     /* overlapping blocks within a run */
        {7, 1, 2, 1},
    };
    /* blocks ending exactly at the largest file size */
    static const pfs_run_t big[] = {
        {0, 1, 2, PFS_MAX_FILE_SIZE - 1},
        {PFS_MAX_FILE_SIZE - 1, 1, 1, 0},
        {0, PFS_MAX_FILE_SIZE, 1, 0},
    };

    check_round_trip(one, 1);
    check_round_trip(mixed, PFS_ARRAY_SIZE(mixed));
    check_round_trip(big, PFS_ARRAY_SIZE(big));
}

/* A count-1 run with a nonzero stride on the wire decodes with stride 0. */
static void test_decode_normalizes_stride(void)
{
    static const pfs_run_t runs[] = {{10, 20, 1, 12345}, {0, 4, 2, 7}};
    static const pfs_run_t zero = {10, 20, 1, 0};
    uint8_t enc[4 + 2 * PFS_SIO_RUN_SIZE], want[4 + PFS_SIO_RUN_SIZE];
    pfs_run_t *out = NULL;
    uint32_t n = 0;
    uint64_t total = 0;
    size_t consumed = 0, len;

    len = raw_encode(2, runs, 2, enc, sizeof(enc));
    CU_ASSERT_EQUAL(len, sizeof(enc));
    CU_ASSERT_EQUAL_FATAL(decode_exact(enc, len, &out, &n, &total, &consumed),
                          PFS_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(out[0].stride, 0);
    CU_ASSERT_EQUAL(out[1].stride, 7);
    CU_ASSERT_EQUAL(total, 28);
    CU_ASSERT_EQUAL(consumed, sizeof(enc));
    free(out);

    /* and encode never puts a stride on a single block */
    CU_ASSERT_EQUAL_FATAL(pfs_sio_runs_encode(runs, 1, enc), PFS_OK);
    len = raw_encode(1, &zero, 1, want, sizeof(want));
    CU_ASSERT_EQUAL(len, pfs_sio_runs_size(1));
    CU_ASSERT_EQUAL(memcmp(enc, want, len), 0);
}

/* Data after the runs is the write payload: allowed, consumed says where
 * it starts. */
static void test_decode_trailing_data(void)
{
    static const pfs_run_t runs[] = {{0, 3, 1, 0}, {100, 2, 2, 10}};
    uint8_t enc[4 + 2 * PFS_SIO_RUN_SIZE + 7];
    pfs_run_t *out = NULL;
    uint32_t n = 0;
    uint64_t total = 0;
    size_t consumed = 0, extra;

    for (extra = 0; extra <= 7; extra++) {
        CU_ASSERT_EQUAL_FATAL(pfs_sio_runs_encode(runs, 2, enc), PFS_OK);
        memset(enc + pfs_sio_runs_size(2), 0xee, extra);
        CU_ASSERT_EQUAL_FATAL(decode_exact(enc, pfs_sio_runs_size(2) + extra,
                                           &out, &n, &total, &consumed),
                              PFS_OK);
        CU_ASSERT_EQUAL(n, 2);
        CU_ASSERT_EQUAL(total, 7);
        CU_ASSERT_EQUAL(consumed, pfs_sio_runs_size(2));
        CU_ASSERT_EQUAL(out[1].offset, 100);
        CU_ASSERT_EQUAL(out[1].count, 2);
        free(out);
    }
}

/* The limits themselves are accepted. */
static void test_decode_limits_accepted(void)
{
    pfs_run_t *runs = calloc(PFS_SIO_MAX_RUNS, sizeof(*runs));
    pfs_run_t two[2];
    uint32_t i;

    CU_ASSERT_FATAL(runs != NULL);
    for (i = 0; i < PFS_SIO_MAX_RUNS; i++) {
        runs[i].offset = (uint64_t)i * 8;
        runs[i].len = 4;
        runs[i].count = 1;
    }
    check_round_trip(runs, PFS_SIO_MAX_RUNS);
    free(runs);

    /* exactly PFS_SIO_MAX_PIECES blocks, in one run and across two */
    two[0] = (pfs_run_t){0, 1, PFS_SIO_MAX_PIECES, 1};
    check_round_trip(two, 1);
    two[0] = (pfs_run_t){0, 1, PFS_SIO_MAX_PIECES / 2, 2};
    two[1] = (pfs_run_t){1, 1, PFS_SIO_MAX_PIECES / 2, 2};
    check_round_trip(two, 2);
}

/* ---- decode: hostile input --------------------------------------------- */

static void test_decode_short_header(void)
{
    uint8_t enc[4] = {0, 0, 0, 1};
    size_t len;

    for (len = 0; len < 4; len++) {
        CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);
    }
}

static void test_decode_bad_nruns(void)
{
    static const uint32_t claims[] = {
        PFS_SIO_MAX_RUNS + 1,
        UINT32_C(1) << 31,
        UINT32_MAX,
        PFS_SIO_MAX_RUNS,
        1,
    };
    pfs_run_t run = {0, 1, 1, 0};
    uint8_t enc[4 + PFS_SIO_RUN_SIZE];
    uint8_t *huge;
    pfs_run_t *runs;
    size_t len, i;

    /* zero runs, with or without anything after */
    len = raw_encode(0, NULL, 0, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);
    len = raw_encode(0, &run, 1, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);

    /* a bare header claiming many runs: rejected on the count alone (a
     * decoder allocating 2^31 runs first would take 64 GiB) */
    for (i = 0; i < PFS_ARRAY_SIZE(claims); i++) {
        len = raw_encode(claims[i], NULL, 0, enc, sizeof(enc));
        CU_ASSERT_EQUAL(len, 4);
        CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);
    }
    /* claimed 2 runs, only one there */
    len = raw_encode(2, &run, 1, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);

    /* one run too many, all of them present and valid */
    len = pfs_sio_runs_size(PFS_SIO_MAX_RUNS + 1);
    huge = malloc(len);
    runs = calloc(PFS_SIO_MAX_RUNS + 1, sizeof(*runs));
    CU_ASSERT_FATAL(huge != NULL && runs != NULL);
    for (i = 0; i <= PFS_SIO_MAX_RUNS; i++) {
        runs[i] = run;
        runs[i].offset = i;
    }
    CU_ASSERT_EQUAL(
        raw_encode(PFS_SIO_MAX_RUNS + 1, runs, PFS_SIO_MAX_RUNS + 1, huge, len),
        len);
    CU_ASSERT_EQUAL(decode_status(huge, len), PFS_ERR_PROTO);
    free(runs);
    free(huge);
}

/* Every proper prefix of a valid 3-run encoding fails. */
static void test_decode_truncated(void)
{
    static const pfs_run_t runs[] = {
        {0, 10, 1, 0},
        {100, 5, 3, 20},
        {4096, 4096, 2, 8192},
    };
    uint8_t enc[4 + 3 * PFS_SIO_RUN_SIZE];
    unsigned failures = 0;
    size_t cut;

    CU_ASSERT_EQUAL_FATAL(pfs_sio_runs_encode(runs, 3, enc), PFS_OK);
    CU_ASSERT_EQUAL(decode_status(enc, sizeof(enc)), PFS_OK);
    for (cut = 0; cut < sizeof(enc); cut++) {
        if (decode_status(enc, cut) != PFS_ERR_PROTO) {
            failures++;
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
}

/* Decode one hostile run placed after a valid one (so a decoder that
 * only looks at the first run is caught too). */
static pfs_status_t decode_second(pfs_run_t bad)
{
    pfs_run_t runs[2] = {{0, 8, 1, 0}, bad};
    uint8_t enc[4 + 2 * PFS_SIO_RUN_SIZE];
    size_t len = raw_encode(2, runs, 2, enc, sizeof(enc));

    return decode_status(enc, len);
}

static pfs_status_t decode_first(pfs_run_t bad)
{
    uint8_t enc[4 + PFS_SIO_RUN_SIZE];
    size_t len = raw_encode(1, &bad, 1, enc, sizeof(enc));

    return decode_status(enc, len);
}

static void test_decode_bad_runs(void)
{
    const uint64_t max = PFS_MAX_FILE_SIZE;
    const uint64_t half = PFS_SIO_MAX_PIECES / 2;
    pfs_run_t runs[3];
    uint8_t enc[4 + 3 * PFS_SIO_RUN_SIZE];
    size_t len;

    /* empty blocks, no blocks */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 0, 1, 0}), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_second((pfs_run_t){0, 0, 1, 0}), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 0, 5, 10}), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 8, 0, 8}), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_second((pfs_run_t){0, 8, 0, 0}), PFS_ERR_PROTO);

    /* too many blocks: in one run, and only once added up */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, PFS_SIO_MAX_PIECES + 1, 1}),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, UINT64_MAX, 0}),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(decode_second((pfs_run_t){16, 1, PFS_SIO_MAX_PIECES, 1}),
                    PFS_ERR_PROTO); /* the first run holds one block */
    runs[0] = (pfs_run_t){0, 1, half, 2};
    runs[1] = (pfs_run_t){1, 1, half, 2};
    runs[2] = (pfs_run_t){MIB, 1, 1, 0};
    len = raw_encode(3, runs, 3, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_PROTO);
    len = raw_encode(2, runs, 2, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_OK);

    /* offsets beyond the largest file */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){max + 1, 1, 1, 0}), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){UINT64_MAX, 1, 1, 0}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_second((pfs_run_t){UINT64_MAX - 3, 1, 2, 1}),
                    PFS_ERR_FBIG);
    /* a single block ending past it, or overflowing 64 bits */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){max, 1, 1, 0}), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){max - 10, 11, 1, 0}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){max - 10, 10, 1, 0}), PFS_OK);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, max + 1, 1, 0}), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){10, UINT64_MAX, 1, 0}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){max, UINT64_MAX - max + 1, 1, 0}),
                    PFS_ERR_FBIG); /* wraps to exactly 0 */
    /* the last block of a strided run ending past it */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, 2, max}), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, 2, max - 1}), PFS_OK);
    CU_ASSERT_EQUAL(
        decode_first((pfs_run_t){100, 10, 1001, (max - 110) / 1000 + 1}),
        PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(
        decode_first((pfs_run_t){100, 10, 1001, (max - 110) / 1000}), PFS_OK);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 10, 1000, (max - 10) / 999}),
                    PFS_OK);
    /* (count - 1) * stride overflowing, and span + len overflowing */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, 3, UINT64_C(1) << 63}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, 5, (UINT64_C(1) << 62) + 1}),
                    PFS_ERR_FBIG); /* 4 * stride wraps to 4 */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, 1, 2, UINT64_MAX}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_second((pfs_run_t){0, 2, 2, UINT64_MAX - 1}),
                    PFS_ERR_FBIG);
    /* len * count overflowing although every block is in range (stride
     * 0: the same block 5 times) */
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, UINT64_C(1) << 62, 5, 0}),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(decode_first((pfs_run_t){0, UINT64_C(1) << 62, 3, 0}),
                    PFS_OK);
    /* total over runs overflowing, every run fine alone */
    runs[0] = (pfs_run_t){0, UINT64_C(1) << 62, 3, 0};
    runs[1] = (pfs_run_t){0, UINT64_C(1) << 62, 1, 0};
    runs[2] = (pfs_run_t){0, UINT64_C(1) << 62, 2, 0};
    len = raw_encode(2, runs, 2, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_FBIG); /* 2^64 */
    len = raw_encode(3, runs, 3, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_ERR_FBIG);
    runs[1].len = (UINT64_C(1) << 62) - 1;
    len = raw_encode(2, runs, 2, enc, sizeof(enc));
    CU_ASSERT_EQUAL(decode_status(enc, len), PFS_OK); /* 2^64 - 1 */
}

/* ---- plan and calls ---------------------------------------------------- */

static pfs_sio_piece_t *plan(const pfs_run_t *runs, uint32_t nruns, size_t *n_p)
{
    pfs_sio_piece_t *p = NULL;
    int ordered;

    *n_p = 0;
    CU_ASSERT_EQUAL_FATAL(pfs_sio_plan(runs, nruns, &p, n_p, &ordered), PFS_OK);
    CU_ASSERT_FATAL(p != NULL);
    return p;
}

static int piece_is(const pfs_sio_piece_t *p, uint64_t off, uint64_t len,
                    uint64_t pos)
{
    return p->off == off && p->len == len && p->pos == pos;
}

static void test_plan_merges_adjacent(void)
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

static void test_plan_strided(void)
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

static void test_plan_sorts_unsorted(void)
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
static void test_plan_equal_offsets_request_order(void)
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
static void test_plan_object_adjacent_only(void)
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

static void test_next_call_max_iov(void)
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

static void test_next_call_gaps(void)
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

static void test_plan_brute_force_disjoint(void)
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
static void test_plan_brute_force_overlap(void)
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
static void test_plan_overlap_later_wins(void)
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

/* ---- descriptions ------------------------------------------------------ */

#define MAX_EXT 4096

/* Walk a description to the end (and once more) into off/len arrays. */
static size_t walk(const pfs_sio_desc_t *d, uint64_t *off, uint64_t *len)
{
    pfs_sio_iter_t it;
    uint64_t o, l;
    size_t n = 0;

    pfs_sio_iter_init(&it, d);
    while (n < MAX_EXT && pfs_sio_iter_next(&it, &o, &l)) {
        off[n] = o;
        len[n] = l;
        n++;
    }
    /* an exhausted walk stays exhausted */
    CU_ASSERT_EQUAL(pfs_sio_iter_next(&it, &o, &l), 0);
    return n;
}

static pfs_sio_desc_t strided(uint64_t offset, uint64_t blocklen, int ndims,
                              const uint64_t *counts, const uint64_t *strides)
{
    pfs_sio_desc_t d;
    int i;

    memset(&d, 0, sizeof(d));
    d.offset = offset;
    d.blocklen = blocklen;
    d.ndims = ndims;
    for (i = 0; i < ndims; i++) {
        d.dims[i].count = counts[i];
        d.dims[i].stride = strides[i];
    }
    return d;
}

static void test_desc_contiguous(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    pfs_sio_desc_t d = strided(1000, 4096, 0, NULL, NULL);
    uint64_t total = 1;

    CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 1);
    CU_ASSERT_EQUAL(off[0], 1000);
    CU_ASSERT_EQUAL(len[0], 4096);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 4096);

    d.blocklen = 0;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);

    /* blocklen 0 with dimensions: nothing either */
    {
        const uint64_t c[] = {5}, s[] = {10};

        d = strided(0, 0, 1, c, s);
        CU_ASSERT_EQUAL(walk(&d, off, len), 0);
        total = 1;
        CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 100, &total), PFS_OK);
        CU_ASSERT_EQUAL(total, 0);
    }
}

static void test_desc_vector(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    const uint64_t c[] = {7}, s[] = {100};
    pfs_sio_desc_t d = strided(5, 10, 1, c, s);
    uint64_t total = 0;
    size_t i, n;

    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 7);
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(off[i], 5 + i * 100);
        CU_ASSERT_EQUAL(len[i], 10);
    }
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 70);

    /* stride 0 and stride < blocklen are walked as given */
    {
        const uint64_t c2[] = {3}, s0[] = {0}, s4[] = {4};

        d = strided(8, 10, 1, c2, s0);
        CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 3);
        CU_ASSERT(off[0] == 8 && off[1] == 8 && off[2] == 8);
        d = strided(8, 10, 1, c2, s4);
        CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 3);
        CU_ASSERT(off[0] == 8 && off[1] == 12 && off[2] == 16);
    }
}

static void test_desc_nested(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    const uint64_t c2[] = {4, 6}, s2[] = {1000, 16};
    const uint64_t c3[] = {3, 5, 2}, s3[] = {100000, 1000, 8};
    pfs_sio_desc_t d;
    uint64_t total = 0, i, j, k;
    size_t n, e;
    unsigned bad = 0;

    /* 2-D: rows of a tile */
    d = strided(64, 12, 2, c2, s2);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 24);
    e = 0;
    for (i = 0; i < 4; i++) {
        for (j = 0; j < 6; j++, e++) {
            if (off[e] != 64 + i * 1000 + j * 16 || len[e] != 12) {
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 24 * 12);

    /* 3-D */
    d = strided(7, 3, 3, c3, s3);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 30);
    e = 0;
    for (i = 0; i < 3; i++) {
        for (j = 0; j < 5; j++) {
            for (k = 0; k < 2; k++, e++) {
                if (off[e] != 7 + i * 100000 + j * 1000 + k * 8 ||
                    len[e] != 3) {
                    bad++;
                }
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 90);
    /* the highest block ends at the checked limit exactly */
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 7 + 200000 + 4000 + 8 + 3, &total),
                    PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 7 + 200000 + 4000 + 8 + 2, &total),
                    PFS_ERR_FBIG);
}

/* Random nested patterns of 1..8 dimensions against a mixed-radix
 * reference: block b's index in dimension d is a digit of b, the last
 * dimension the least significant. */
static void test_desc_nested_brute_force(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    uint64_t seed = 99, counts[PFS_SIO_MAX_DIMS], strides[PFS_SIO_MAX_DIMS];
    unsigned bad = 0, iter;

    for (iter = 0; iter < 500; iter++) {
        int nd = 1 + (int)rng_below(&seed, PFS_SIO_MAX_DIMS), i;
        uint64_t blocks = 1, total = 0, b, bl = 1 + rng_below(&seed, 50);
        uint64_t base = rng_below(&seed, 1000);
        pfs_sio_desc_t d;
        size_t n;

        for (i = 0; i < nd; i++) {
            counts[i] = 1 + rng_below(&seed, nd > 4 ? 2 : 5);
            strides[i] = rng_below(&seed, 10000);
            blocks *= counts[i];
        }
        d = strided(base, bl, nd, counts, strides);
        n = walk(&d, off, len);
        if (n != blocks ||
            pfs_sio_desc_check(&d, UINT64_MAX, &total) != PFS_OK ||
            total != blocks * bl) {
            bad++;
            continue;
        }
        for (b = 0; b < blocks; b++) {
            uint64_t rest = b, want = base;

            for (i = nd - 1; i >= 0; i--) {
                want += (rest % counts[i]) * strides[i];
                rest /= counts[i];
            }
            if (off[b] != want || len[b] != bl) {
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_desc_zero_count(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    uint64_t c[3], s[3] = {1000, 100, 10};
    int z;

    for (z = 0; z < 3; z++) {
        pfs_sio_desc_t d;
        uint64_t total = 1;

        c[0] = 2;
        c[1] = 3;
        c[2] = 4;
        c[z] = 0;
        d = strided(0, 5, 3, c, s);
        CU_ASSERT_EQUAL(walk(&d, off, len), 0);
        CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total),
                        PFS_OK);
        CU_ASSERT_EQUAL(total, 0);
    }
}

static void test_desc_list(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    /* unsorted, overlapping, zero-length entries first, middle and last */
    static const uint64_t offs[] = {50, 500, 0, 10, 10, 7, 300, 20, 3};
    static const uint64_t lens[] = {0, 5, 20, 0, 30, 1, 0, 5, 0};
    static const size_t keep[] = {1, 2, 4, 5, 7};
    pfs_sio_desc_t d;
    uint64_t total = 0;
    size_t n, i;

    memset(&d, 0, sizeof(d));
    d.is_list = 1;
    d.offsets = offs;
    d.lengths = lens;
    d.count = PFS_ARRAY_SIZE(offs);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, PFS_ARRAY_SIZE(keep));
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(off[i], offs[keep[i]]);
        CU_ASSERT_EQUAL(len[i], lens[keep[i]]);
    }
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 61);
    /* the highest end is 505 */
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 505, &total), PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 504, &total), PFS_ERR_FBIG);

    /* all empty, and no entries (NULL arrays are fine then) */
    d.count = 1;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);
    d.offsets = NULL;
    d.lengths = NULL;
    d.count = 0;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    total = 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);
}

static void test_desc_check_errors(void)
{
    const uint64_t big = UINT64_C(1) << 33, big32 = UINT64_C(1) << 32;
    static const uint64_t loffs[] = {0, 0};
    static const uint64_t llens[] = {UINT64_C(1) << 63, UINT64_C(1) << 63};
    static const uint64_t woffs[] = {10, UINT64_MAX - 3};
    static const uint64_t wlens[] = {1, 4};
    uint64_t c[PFS_SIO_MAX_DIMS + 1], s[PFS_SIO_MAX_DIMS + 1], total;
    pfs_sio_desc_t d;
    int i;

    /* count * stride overflowing */
    c[0] = big;
    s[0] = big32;
    d = strided(0, 1, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* the span overflowing only once added up over dimensions */
    c[0] = 2;
    s[0] = UINT64_C(1) << 63;
    c[1] = 2;
    s[1] = UINT64_C(1) << 63;
    d = strided(0, 1, 2, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* offset + span + blocklen overflowing */
    d = strided(UINT64_MAX - 5, 10, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    c[0] = 2;
    s[0] = 10;
    d = strided(UINT64_MAX - 12, 4, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* blocks * blocklen overflowing with every extent in range (stride 0) */
    c[0] = big32;
    s[0] = 0;
    d = strided(0, big32, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d = strided(0, big32 - 1, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, big32 * (big32 - 1));
    /* the block count itself overflowing */
    c[0] = big;
    s[0] = 0;
    c[1] = big;
    s[1] = 0;
    d = strided(0, 1, 2, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);

    /* extents beyond the limit */
    d = strided(0, 10, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 10, &total), PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 9, &total), PFS_ERR_FBIG);
    d = strided(PFS_MAX_FILE_SIZE, 1, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total),
                    PFS_ERR_FBIG);
    c[0] = 3;
    s[0] = 100;
    d = strided(0, 10, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 210, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 30);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 209, &total), PFS_ERR_FBIG);

    /* dimensions: all 8 allowed, 9 and negative not */
    for (i = 0; i <= PFS_SIO_MAX_DIMS; i++) {
        c[i] = 2;
        s[i] = UINT64_C(1) << (20 - i);
    }
    d = strided(0, 3, PFS_SIO_MAX_DIMS, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 256 * 3);
    d.ndims = PFS_SIO_MAX_DIMS + 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.ndims = 1000;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.ndims = -1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);

    /* lists: NULL arrays, an extent past the limit or past 2^64, a total
     * past 2^64 */
    memset(&d, 0, sizeof(d));
    d.is_list = 1;
    d.count = 1;
    d.lengths = wlens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.offsets = woffs;
    d.lengths = NULL;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.lengths = wlens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 11, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 1);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 10, &total), PFS_ERR_FBIG);
    d.count = 2;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d.offsets = loffs;
    d.lengths = llens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d.count = 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, UINT64_C(1) << 63);
}

/* Sieve windows: enough small pieces close together, and nothing else. */
static void test_sieve_window(void)
{
    pfs_sio_piece_t p[16];
    size_t i;

    for (i = 0; i < 16; i++) { /* 100 bytes every 110 */
        p[i].off = 1000 + 110 * i;
        p[i].len = 100;
        p[i].pos = 100 * i;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 16);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 8, NULL), 16);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 9, NULL),
                    9);                      /* 7 left: too few */
    p[10].len = PFS_SIO_SIEVE_PIECE_MAX + 1; /* a large piece ends it */
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 10);
    p[10].len = 100;
    p[4].off += PFS_SIO_SIEVE_GAP_MAX + 1; /* so does a large hole */
    for (i = 5; i < 16; i++) {
        p[i].off += PFS_SIO_SIEVE_GAP_MAX + 1;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 0);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 4, NULL), 16);
    for (i = 0; i < 16; i++) { /* 1 byte in 20: too sparse */
        p[i].off = 20 * i;
        p[i].len = 1;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 0);
}

/* Walking a plan the way the I/O server does costs O(pieces): 262144
 * one-byte pieces 17 bytes apart (one READV with a 36-byte run list) fail
 * the density test at every start, and each search used to scan its whole
 * 4 MiB span again: 98 s of an I/O thread on this machine.  The carried
 * scan must also find exactly the windows a search from scratch finds. */
static void test_sieve_window_linear(void)
{
    pfs_run_t runs[3] = {{0, 1, 262144, 17},
                         {17 * 262144 + 100000, 100, 5000, 110},
                         {17 * 262144 + 1000000, 1, 4000, 17}};
    pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
    pfs_sio_piece_t *p;
    size_t np, i, end, windows = 0, checked = 0;
    struct timespec t0, t1;
    int ordered;

    CU_ASSERT_EQUAL_FATAL(pfs_sio_plan(runs, 3, &p, &np, &ordered), PFS_OK);
    CU_ASSERT_FATAL(ordered);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i<np; i = end> i ? end : i + 1) {
        end = pfs_sio_sieve_window(p, np, i, &scan);
        windows += end > i;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* generous: the linear walk takes milliseconds, the old one minutes */
    CU_ASSERT(t1.tv_sec - t0.tv_sec < 10);
    CU_ASSERT(windows >= 1);
    /* the same answers as from scratch, at the starts the walk visits
     * (every 997th of the sparse part, to keep the check itself short) */
    scan = (pfs_sio_sieve_scan_t)PFS_SIO_SIEVE_SCAN_INIT;
    for (i = 0; i<np; i = end> i ? end : i + 1) {
        end = pfs_sio_sieve_window(p, np, i, &scan);
        if (i >= 262144 || i % 997 == 0) {
            CU_ASSERT_EQUAL(end, pfs_sio_sieve_window(p, np, i, NULL));
            checked++;
        }
    }
    CU_ASSERT(checked > 250);
    free(p);
}

/* A sieved write changes the pieces' bytes only; a sieved read past the
 * end gets zeros. */
static void test_sieve_span(void)
{
    pfs_sio_piece_t p[3] = {{10, 2, 0}, {20, 3, 2}, {30, 1, 5}};
    uint8_t data[6] = {'a', 'b', 'c', 'd', 'e', 'f'}, sbuf[64], out[6];
    uint8_t file[40];
    FILE *f = tmpfile();
    int fd;

    CU_ASSERT_FATAL(f != NULL);
    fd = fileno(f);
    memset(file, 'x', 25);
    CU_ASSERT_EQUAL_FATAL(pwrite(fd, file, 25, 0), 25);
    CU_ASSERT_EQUAL(pfs_sio_sieve_span(fd, p, 3, data, 1, sbuf, 10, 31), 0);
    CU_ASSERT_EQUAL_FATAL(pread(fd, file, sizeof(file), 0), 31);
    CU_ASSERT(memcmp(file, "xxxxxxxxxxabxxxxxxxxcdexx", 25) == 0);
    CU_ASSERT(memcmp(file + 25, "\0\0\0\0\0f", 6) == 0);
    CU_ASSERT_EQUAL(ftruncate(fd, 21), 0);
    memset(out, '?', sizeof(out));
    CU_ASSERT_EQUAL(pfs_sio_sieve_span(fd, p, 3, out, 0, sbuf, 10, 31), 0);
    CU_ASSERT(memcmp(out, "abc\0\0\0", 6) == 0);
    fclose(f);
}

static CU_TestInfo sio_tests[] = {
    {"decode_round_trip", test_decode_round_trip},
    {"decode_normalizes_stride", test_decode_normalizes_stride},
    {"decode_trailing_data", test_decode_trailing_data},
    {"decode_limits_accepted", test_decode_limits_accepted},
    {"decode_short_header", test_decode_short_header},
    {"decode_bad_nruns", test_decode_bad_nruns},
    {"decode_truncated", test_decode_truncated},
    {"decode_bad_runs", test_decode_bad_runs},
    {"plan_merges_adjacent", test_plan_merges_adjacent},
    {"plan_strided", test_plan_strided},
    {"plan_sorts_unsorted", test_plan_sorts_unsorted},
    {"plan_equal_offsets_request_order", test_plan_equal_offsets_request_order},
    {"plan_object_adjacent_only", test_plan_object_adjacent_only},
    {"next_call_max_iov", test_next_call_max_iov},
    {"next_call_gaps", test_next_call_gaps},
    {"plan_brute_force_disjoint", test_plan_brute_force_disjoint},
    {"plan_brute_force_overlap", test_plan_brute_force_overlap},
    {"plan_overlap_later_wins", test_plan_overlap_later_wins},
    {"sieve_window", test_sieve_window},
    {"sieve_window_linear", test_sieve_window_linear},
    {"sieve_span", test_sieve_span},
    {"desc_contiguous", test_desc_contiguous},
    {"desc_vector", test_desc_vector},
    {"desc_nested", test_desc_nested},
    {"desc_nested_brute_force", test_desc_nested_brute_force},
    {"desc_zero_count", test_desc_zero_count},
    {"desc_list", test_desc_list},
    {"desc_check_errors", test_desc_check_errors},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_sio = {"sio", NULL, NULL, sio_tests};
