/* unit.h - how test files register their CUnit suites with the runner. */
#ifndef PFS_UNIT_H
#define PFS_UNIT_H

#include <CUnit/CUnit.h>

/* Each test file defines one of these; test_main.c registers them all. */
typedef struct {
    const char *name;
    CU_InitializeFunc init;
    CU_CleanupFunc cleanup;
    const CU_TestInfo *tests; /* terminated by CU_TEST_INFO_NULL */
} unit_suite_t;

extern const unit_suite_t unit_suite_proto;
extern const unit_suite_t unit_suite_path;
extern const unit_suite_t unit_suite_layout;
extern const unit_suite_t unit_suite_store;
extern const unit_suite_t unit_suite_sio;
extern const unit_suite_t unit_suite_split;
extern const unit_suite_t unit_suite_rec_golden;
extern const unit_suite_t unit_suite_cap;
extern const unit_suite_t unit_suite_abi;

#endif
