#include "unit.h"
static CU_TestInfo t[] = {CU_TEST_INFO_NULL};
const unit_suite_t unit_suite_proto = {"proto", NULL, NULL, t};
const unit_suite_t unit_suite_path = {"path", NULL, NULL, t};
