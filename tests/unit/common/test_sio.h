/* test_sio.h - what the files of the sio suite share: the helpers of
 * test_sio_util.c and the tests test_sio.c's table lists. */
#ifndef PFS_TEST_SIO_H
#define PFS_TEST_SIO_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "sio.h"

uint64_t rng_next(uint64_t *s);
uint64_t rng_below(uint64_t *s, uint64_t n);
pfs_status_t decode_exact(const uint8_t *enc, size_t len, pfs_run_t **runs_p,
                          uint32_t *nruns_p, uint64_t *total_p,
                          size_t *consumed_p);
pfs_sio_piece_t *plan(const pfs_run_t *runs, uint32_t nruns, size_t *n_p);

/* the tests of test_sio_plan.c and test_sio_desc.c */
void test_plan_merges_adjacent(void);
void test_plan_strided(void);
void test_plan_sorts_unsorted(void);
void test_plan_equal_offsets_request_order(void);
void test_plan_object_adjacent_only(void);
void test_next_call_max_iov(void);
void test_next_call_gaps(void);
void test_plan_brute_force_disjoint(void);
void test_plan_brute_force_overlap(void);
void test_plan_overlap_later_wins(void);
void test_desc_contiguous(void);
void test_desc_vector(void);
void test_desc_nested(void);
void test_desc_nested_brute_force(void);
void test_desc_zero_count(void);
void test_desc_list(void);
void test_desc_check_errors(void);
void test_sieve_window(void);
void test_sieve_window_linear(void);
void test_sieve_span(void);

#endif
