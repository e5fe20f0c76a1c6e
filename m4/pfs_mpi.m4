# PFS_CHECK_MPI: the MPI library (--with-mpi).  pfs uses MPICH: pkg-config
# module "mpich" (Debian's libmpich-dev), so that an Open MPI installed next
# to it (whose mpi.h is the default alternative) is not picked up.
AC_DEFUN([PFS_CHECK_MPI],
    [_PFS_CHECK_DEP([MPI], [mpi], [mpich], [mpi.h], [MPI_Init],
                    [-lmpich], [libmpich-dev])])
