# PFS_CHECK_PMIX: PMIx client library for launcher wire-up (--with-pmix).
AC_DEFUN([PFS_CHECK_PMIX],
    [_PFS_CHECK_DEP([PMIX], [pmix], [pmix], [pmix.h], [PMIx_Init],
                    [-lpmix], [libpmix-dev])])
