/* ompio_mpi1_compat.h - forced into four of ROMIO's tests by
 * ompio_romio_tests.sh: they use MPI-1's MPI_LB/MPI_UB and
 * MPI_Type_struct, which Debian's Open MPI 4.1 mpi.h hides (it was not
 * configured with --enable-mpi1-compatibility) while libmpi.so.40 still
 * provides them.  Nothing here concerns pfs. */
#include <mpi.h>
OMPI_DECLSPEC extern struct ompi_predefined_datatype_t ompi_mpi_lb;
OMPI_DECLSPEC extern struct ompi_predefined_datatype_t ompi_mpi_ub;
#undef MPI_LB
#undef MPI_UB
#define MPI_LB OMPI_PREDEFINED_GLOBAL(MPI_Datatype, ompi_mpi_lb)
#define MPI_UB OMPI_PREDEFINED_GLOBAL(MPI_Datatype, ompi_mpi_ub)
