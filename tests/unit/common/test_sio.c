
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

#include "test_sio.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)

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
