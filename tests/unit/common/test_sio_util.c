/* test_sio_util.c - helpers the sio suite's files share: a deterministic
 * generator and a checked plan. */
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

/* A small deterministic generator (xorshift64*), so failures replay. */
uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return (rng_next(s) >> 11) % n;
}

/* Decode len bytes from a heap block of exactly len bytes, so a read past
 * the end is an out-of-bounds access that sanitizers and valgrind see.
 * On success the runs are returned in *runs_p (free them). */
pfs_status_t decode_exact(const uint8_t *enc, size_t len, pfs_run_t **runs_p,
                          uint32_t *nruns_p, uint64_t *total_p,
                          size_t *consumed_p)
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

pfs_sio_piece_t *plan(const pfs_run_t *runs, uint32_t nruns, size_t *n_p)
{
    pfs_sio_piece_t *p = NULL;
    int ordered;

    *n_p = 0;
    CU_ASSERT_EQUAL_FATAL(pfs_sio_plan(runs, nruns, &p, n_p, &ordered), PFS_OK);
    CU_ASSERT_FATAL(p != NULL);
    return p;
}
