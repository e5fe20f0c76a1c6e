# PFS_CHECK_CUNIT: CUnit for the unit tests (--with-cunit).
AC_DEFUN([PFS_CHECK_CUNIT],
    [_PFS_CHECK_DEP([CUNIT], [cunit], [cunit], [CUnit/Basic.h],
                    [CU_initialize_registry], [-lcunit], [libcunit1-dev])])
