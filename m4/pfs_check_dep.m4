# pfs_check_dep.m4 - the shared shape of every dependency check.
#
# _PFS_CHECK_DEP(VAR, name, pkg-module, header, function, default-libs)
#
# Honors --with-NAME[=DIR]: "no" is refused (every dependency is required);
# DIR means DIR/include and DIR/lib; otherwise pkg-config first, then the
# default search path with default-libs.  Sets VAR_CPPFLAGS and VAR_LIBS,
# restores CPPFLAGS/LIBS, and fails with a message naming the Debian
# package when the library cannot be used.
AC_DEFUN([_PFS_CHECK_DEP], [
    AC_ARG_WITH([$2],
        AS_HELP_STRING([--with-$2@<:@=DIR@:>@], [$2 installation prefix (default: pkg-config, then system paths)]),
        [], [with_$2=check])
    AS_IF([test "x$with_$2" = xno],
          [AC_MSG_ERROR([$2 is required by pfs; --without-$2 is not supported])])
    pfs_dep_found=no
    AS_IF([test "x$with_$2" = xcheck || test "x$with_$2" = xyes],
          [m4_ifval([$3], [PKG_CHECK_MODULES([$1], [$3],
               [$1_CPPFLAGS="$$1_CFLAGS"; pfs_dep_found=pkg-config],
               [$1_CPPFLAGS=""; $1_LIBS="$6"])],
               [$1_CPPFLAGS=""; $1_LIBS="$6"])],
          [$1_CPPFLAGS="-I$with_$2/include"
           $1_LIBS="-L$with_$2/lib -Wl,-rpath,$with_$2/lib $6"])
    pfs_save_CPPFLAGS="$CPPFLAGS"
    pfs_save_LIBS="$LIBS"
    CPPFLAGS="$CPPFLAGS $$1_CPPFLAGS"
    LIBS="$$1_LIBS $LIBS"
    AC_CHECK_HEADER([$4], [], [AC_MSG_ERROR([$2: header $4 not found (Debian: apt-get install $7)])])
    AC_MSG_CHECKING([whether $2 links ($5)])
    AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <$4>]], [[(void)$5;]])],
        [AC_MSG_RESULT([yes])],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([$2: cannot link a program calling $5 with '$$1_LIBS' (Debian: apt-get install $7)])])
    CPPFLAGS="$pfs_save_CPPFLAGS"
    LIBS="$pfs_save_LIBS"
    AC_SUBST([$1_CPPFLAGS])
    AC_SUBST([$1_LIBS])
])
