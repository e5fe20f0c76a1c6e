/* test_main.c - the one CUnit runner: every suite from a table. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

static const unit_suite_t *suites[] = {
    &unit_suite_proto,      &unit_suite_path, &unit_suite_layout,
    &unit_suite_store,      &unit_suite_sio,  &unit_suite_split,
    &unit_suite_rec_golden, &unit_suite_cap,  &unit_suite_abi,
};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    unsigned failures, i;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        return 1;
    }
    for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        CU_pSuite s;
        const CU_TestInfo *t;

        if (only != NULL && strcmp(only, suites[i]->name) != 0) {
            continue;
        }
        s = CU_add_suite(suites[i]->name, suites[i]->init, suites[i]->cleanup);
        if (s == NULL) {
            fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
            return 1;
        }
        for (t = suites[i]->tests; t->pName != NULL; t++) {
            if (CU_add_test(s, t->pName, t->pTestFunc) == NULL) {
                fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
                return 1;
            }
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (CU_get_number_of_tests_run() == 0) {
        fprintf(stderr, "no test ran\n");
        failures = 1;
    }
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
