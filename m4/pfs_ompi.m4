# PFS_CHECK_OMPI: Open MPI's development headers (--with-ompi), for the
# OMPIO components in adio/ompio/ (fs, fbtl, fcoll, sharedfp for pfs:).
#
# Optional, unlike the other dependencies: the components are built when
# the headers are found.  --with-ompi (or =DIR) makes a missing or
# unusable Open MPI an error; --without-ompi skips the check.  Order:
# DIR (DIR/include, DIR/include/openmpi, DIR/lib), else pkg-config
# "ompi-c" (Debian's libopenmpi-dev), else nothing.
#
# The components use OMPIO's internal headers (ompi/mca/...,
# opal/...), which libopenmpi-dev installs under include/openmpi.  Those
# headers are Open MPI's, not ours: they are included with -isystem so
# that -Wextra -Werror judges only pfs's code.
#
# Sets OMPI_CPPFLAGS, OMPI_LIBS (libmpi, libopen-pal and OMPIO's
# libmca_common_ompio: what a component links), OMPI_VERSION_BUILT
# (major.minor.release of the headers), OMPI_INFO (Open MPI's ompi_info,
# for tests), and the conditional PFS_BUILD_OMPIO.
AC_DEFUN([PFS_CHECK_OMPI], [
    AC_ARG_WITH([ompi],
        AS_HELP_STRING([--with-ompi@<:@=DIR@:>@],
            [Open MPI installation for the OMPIO components (default: pkg-config ompi-c, built if found)]),
        [], [with_ompi=check])
    pfs_ompi_found=no
    pfs_ompi_why=""
    OMPI_CPPFLAGS=""
    OMPI_LIBS=""
    OMPI_VERSION_BUILT=""
    AS_CASE([$with_ompi],
        [no], [pfs_ompi_why="--without-ompi"],
        [check|yes],
            [PKG_CHECK_MODULES([OMPI_PC], [ompi-c],
                [pfs_ompi_found=maybe
                 OMPI_CPPFLAGS="$OMPI_PC_CFLAGS"
                 OMPI_LIBS="$OMPI_PC_LIBS"
                 pfs_ompi_libdir=`$PKG_CONFIG --variable=libdir ompi-c`],
                [pfs_ompi_why="pkg-config finds no ompi-c (Debian: apt-get install libopenmpi-dev)"])],
        [pfs_ompi_found=maybe
         OMPI_CPPFLAGS="-I$with_ompi/include -I$with_ompi/include/openmpi"
         OMPI_LIBS="-L$with_ompi/lib -Wl,-rpath,$with_ompi/lib -lmpi"
         pfs_ompi_libdir="$with_ompi/lib"])
    AS_IF([test "x$pfs_ompi_found" = xmaybe], [
        dnl Open MPI's headers are system headers to us
        OMPI_CPPFLAGS=`echo " $OMPI_CPPFLAGS" | sed 's/ -I/ -isystem /g'`
        OMPI_LIBS="$OMPI_LIBS -L$pfs_ompi_libdir -lmca_common_ompio -lopen-pal"
        pfs_save_CPPFLAGS="$CPPFLAGS"
        pfs_save_LIBS="$LIBS"
        CPPFLAGS="$CPPFLAGS $OMPI_CPPFLAGS"
        LIBS="$OMPI_LIBS $LIBS"
        AC_CHECK_HEADER([ompi/mca/common/ompio/common_ompio.h], [],
            [pfs_ompi_found=no
             pfs_ompi_why="OMPIO's internal headers (ompi/mca/common/ompio/common_ompio.h) not found"],
            [#include <ompi_config.h>])
        AS_IF([test "x$pfs_ompi_found" = xmaybe], [
            AC_COMPUTE_INT([pfs_ompi_major], [OMPI_MAJOR_VERSION], [#include <mpi.h>], [pfs_ompi_major=""])
            AC_COMPUTE_INT([pfs_ompi_minor], [OMPI_MINOR_VERSION], [#include <mpi.h>], [pfs_ompi_minor=""])
            AC_COMPUTE_INT([pfs_ompi_release], [OMPI_RELEASE_VERSION], [#include <mpi.h>], [pfs_ompi_release=""])
            AS_IF([test -z "$pfs_ompi_major$pfs_ompi_minor$pfs_ompi_release"],
                [pfs_ompi_found=no
                 pfs_ompi_why="mpi.h of these flags is not Open MPI's"],
                [OMPI_VERSION_BUILT="$pfs_ompi_major.$pfs_ompi_minor.$pfs_ompi_release"])
        ])
        AS_IF([test "x$pfs_ompi_found" = xmaybe], [
            AC_MSG_CHECKING([whether OMPIO's common library links (mca_common_ompio_set_explicit_offset)])
            AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <ompi_config.h>
#include <ompi/mca/common/ompio/common_ompio.h>]],
                    [[(void)mca_common_ompio_set_explicit_offset;]])],
                [AC_MSG_RESULT([yes]); pfs_ompi_found=yes],
                [AC_MSG_RESULT([no])
                 pfs_ompi_found=no
                 pfs_ompi_why="cannot link with '$OMPI_LIBS'"])
        ])
        CPPFLAGS="$pfs_save_CPPFLAGS"
        LIBS="$pfs_save_LIBS"
    ])
    AS_IF([test "x$pfs_ompi_found" != xyes], [
        OMPI_CPPFLAGS=""
        OMPI_LIBS=""
        AS_CASE([$with_ompi],
            [check|no], [AC_MSG_NOTICE([OMPIO components for Open MPI not built: $pfs_ompi_why])],
            [AC_MSG_ERROR([--with-ompi=$with_ompi: $pfs_ompi_why])])
    ])
    AS_IF([test "x$pfs_ompi_found" = xyes],
        [AC_PATH_PROGS([OMPI_INFO], [ompi_info], [], [$PATH:$pfs_ompi_libdir/../bin])])
    AC_SUBST([OMPI_CPPFLAGS])
    AC_SUBST([OMPI_LIBS])
    AC_SUBST([OMPI_VERSION_BUILT])
    AC_ARG_VAR([OMPI_INFO], [Open MPI's ompi_info (for tests)])
    AM_CONDITIONAL([PFS_BUILD_OMPIO], [test "x$pfs_ompi_found" = xyes])
])
