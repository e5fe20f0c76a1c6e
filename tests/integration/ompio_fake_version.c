/* ompio_fake_version.c - LD_PRELOAD shim for ompio_pfs.sh: an Open MPI
 * that says it is another release.  The pfs OMPIO components read the
 * running release with MPI_Get_library_version; this one answers 4.1.2
 * (OMPIO's file structure changed between 4.1.2 and 4.1.3), or the
 * release in $PFS_FAKE_OMPI_VERSION. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int MPI_Get_library_version(char *version, int *resultlen)
{
    const char *v = getenv("PFS_FAKE_OMPI_VERSION");

    /* MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI */
    snprintf(version, 256,
             "Open MPI v%s, package: faked by pfs's ompio_pfs.sh, ident: %s",
             v ? v : "4.1.2", v ? v : "4.1.2");
    *resultlen = (int)strlen(version);
    return 0;
}
