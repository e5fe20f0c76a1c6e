# PFS_CHECK_HDF5: HDF5, for the HDF5 driver H5FD_pfs (h5fd/).
#
# Optional: each HDF5 build found gets its own build of the driver (their
# symbols and, for the parallel ones, their MPI differ).
#  - Debian 12's HDF5 1.10 flavours through pkg-config: hdf5-serial
#    (libhdf5-dev), hdf5-mpich (libhdf5-mpich-dev), hdf5-openmpi
#    (libhdf5-openmpi-dev).  --without-hdf5 skips them; --with-hdf5 makes
#    a missing serial flavour an error.
#  - HDF5 1.14 (h5fd/build-hdf5.sh) for the plugin: --with-hdf5-plugin=DIR
#    (its prefix; default $PFS_HDF5_PREFIX, else /var/tmp/pfs-hdf5/install,
#    used when it holds HDF5 1.14's H5FDdevelop.h); --with-hdf5-plugin=DIR
#    makes a missing one an error, --without-hdf5-plugin skips it.
#
# Sets HDF5_SERIAL_{CPPFLAGS,LIBS}, HDF5_MPICH_{...}, HDF5_OPENMPI_{...},
# HDF5_114_{CPPFLAGS,LIBS,PREFIX}, the conditionals PFS_BUILD_H5FD_SERIAL,
# _MPICH, _OPENMPI, _PLUGIN, and H5FD_BUILT (the list, for the summary).
AC_DEFUN([PFS_CHECK_HDF5], [
    AC_ARG_WITH([hdf5],
        AS_HELP_STRING([--with-hdf5], [Debian's HDF5 1.10 flavours for the HDF5 driver (default: those pkg-config finds)]),
        [], [with_hdf5=check])
    AC_ARG_WITH([hdf5-plugin],
        AS_HELP_STRING([--with-hdf5-plugin=DIR], [HDF5 1.14 prefix for the driver plugin (default: $PFS_HDF5_PREFIX or /var/tmp/pfs-hdf5/install if present)]),
        [], [with_hdf5_plugin=check])
    H5FD_BUILT=""
    pfs_h5_serial=no
    pfs_h5_mpich=no
    pfs_h5_openmpi=no
    AS_IF([test "x$with_hdf5" != xno], [
        PKG_CHECK_MODULES([HDF5_SERIAL], [hdf5-serial],
            [pfs_h5_serial=yes; HDF5_SERIAL_CPPFLAGS="$HDF5_SERIAL_CFLAGS"
             H5FD_BUILT="$H5FD_BUILT 1.10-serial"],
            [AS_IF([test "x$with_hdf5" = xyes],
                [AC_MSG_ERROR([--with-hdf5: no hdf5-serial (Debian: apt-get install libhdf5-dev)])])])
        PKG_CHECK_MODULES([HDF5_MPICH], [hdf5-mpich],
            [pfs_h5_mpich=yes; HDF5_MPICH_CPPFLAGS="$HDF5_MPICH_CFLAGS"
             H5FD_BUILT="$H5FD_BUILT 1.10-mpich"], [:])
        PKG_CHECK_MODULES([HDF5_OPENMPI], [hdf5-openmpi],
            [pfs_h5_openmpi=yes; HDF5_OPENMPI_CPPFLAGS="$HDF5_OPENMPI_CFLAGS"
             H5FD_BUILT="$H5FD_BUILT 1.10-openmpi"], [:])
    ])
    pfs_h5_plugin=no
    HDF5_114_PREFIX=""
    AS_CASE([$with_hdf5_plugin],
        [no], [],
        [check|yes], [HDF5_114_PREFIX="${PFS_HDF5_PREFIX:-/var/tmp/pfs-hdf5/install}"],
        [HDF5_114_PREFIX="$with_hdf5_plugin"])
    AS_IF([test -n "$HDF5_114_PREFIX"], [
        AC_MSG_CHECKING([for HDF5 1.14 in $HDF5_114_PREFIX])
        AS_IF([test -f "$HDF5_114_PREFIX/include/H5FDdevelop.h" &&
               test -f "$HDF5_114_PREFIX/include/H5PLextern.h"],
            [pfs_h5_plugin=yes
             dnl HDF5 1.14 was built parallel against MPICH: its headers include mpi.h
             HDF5_114_CPPFLAGS="-I$HDF5_114_PREFIX/include $MPI_CPPFLAGS"
             HDF5_114_LIBS="-L$HDF5_114_PREFIX/lib -lhdf5"
             H5FD_BUILT="$H5FD_BUILT 1.14-plugin"])
        AC_MSG_RESULT([$pfs_h5_plugin])
        AS_IF([test "x$pfs_h5_plugin" = xno && test "x$with_hdf5_plugin" != xcheck],
            [AC_MSG_ERROR([--with-hdf5-plugin: no HDF5 1.14 in $HDF5_114_PREFIX (run h5fd/build-hdf5.sh)])])
    ])
    AS_IF([test "x$pfs_h5_plugin" = xno], [HDF5_114_PREFIX=""])
    AC_SUBST([HDF5_SERIAL_CPPFLAGS])
    AC_SUBST([HDF5_SERIAL_LIBS])
    AC_SUBST([HDF5_MPICH_CPPFLAGS])
    AC_SUBST([HDF5_MPICH_LIBS])
    AC_SUBST([HDF5_OPENMPI_CPPFLAGS])
    AC_SUBST([HDF5_OPENMPI_LIBS])
    AC_SUBST([HDF5_114_CPPFLAGS])
    AC_SUBST([HDF5_114_LIBS])
    AC_SUBST([HDF5_114_PREFIX])
    AC_SUBST([H5FD_BUILT])
    AM_CONDITIONAL([PFS_BUILD_H5FD_SERIAL], [test "x$pfs_h5_serial" = xyes])
    AM_CONDITIONAL([PFS_BUILD_H5FD_MPICH], [test "x$pfs_h5_mpich" = xyes])
    AM_CONDITIONAL([PFS_BUILD_H5FD_OPENMPI], [test "x$pfs_h5_openmpi" = xyes])
    AM_CONDITIONAL([PFS_BUILD_H5FD_PLUGIN], [test "x$pfs_h5_plugin" = xyes])
])
