/* mpiio_pfs_test_limits.c - mpiio_pfs_test's modes large, noens, access,
 * nospace and readonly: one call over 2^31 bytes, a missing ensemble,
 * permissions and storage faults. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpiio_pfs_test.h"

/* ---- > 2^31 bytes in one call ---------------------------------------------
 */
void large(void)
{
    const MPI_Offset MIB = 1 << 20, nmib = 2100; /* 2100 MiB > 2^31 */
    char name[600];
    MPI_File fh;
    MPI_Datatype mib, big;
    MPI_Status st;
    MPI_Count got;
    unsigned char *buf = NULL;
    int count = rank == 0 ? 1 : 0;

    path(name, sizeof(name), pfsdir, "large.dat");
    MPI_Type_contiguous((int)MIB, MPI_BYTE, &mib);
    MPI_Type_contiguous((int)nmib, mib, &big);
    MPI_Type_commit(&big);
    if (rank == 0) {
        buf = malloc((size_t)(MIB * nmib));
        CHECK(buf != NULL, "no memory for %lld MiB", (long long)nmib);
        for (size_t i = 0; i < (size_t)(MIB * nmib); i++)
            buf[i] = pattern(i, 3);
    }
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    MPI_OK(MPI_File_write_at_all(fh, 0, buf, count, big, &st));
    MPI_Get_elements_x(&st, MPI_BYTE, &got);
    CHECK(got == (rank == 0 ? MIB * nmib : 0), "write_at_all wrote %lld bytes",
          (long long)got);
    if (rank == 0)
        memset(buf, 0, (size_t)(MIB * nmib));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, count, big, &st));
    MPI_Get_elements_x(&st, MPI_BYTE, &got);
    CHECK(got == (rank == 0 ? MIB * nmib : 0), "read_at_all read %lld bytes",
          (long long)got);
    if (rank == 0) {
        for (size_t i = 0; i < (size_t)(MIB * nmib); i++) {
            if (buf[i] != pattern(i, 3)) {
                CHECK(0, "large: byte %zu differs", i);
                break;
            }
        }
        printf("large: %lld bytes in one write_at_all and one read_at_all, "
               "verified\n",
               (long long)(MIB * nmib));
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    MPI_Type_free(&big);
    MPI_Type_free(&mib);
    free(buf);
}

void noens(void)
{
    char name[600];
    MPI_File fh;
    int rc, cls;

    path(name, sizeof(name), pfsdir, "x.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                       MPI_INFO_NULL, &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_IO,
          "open without an ensemble: class %d, want MPI_ERR_IO", cls);
    if (rc != MPI_SUCCESS && rank == 0) {
        char s[MPI_MAX_ERROR_STRING];
        int n;
        MPI_Error_string(rc, s, &n);
        printf("open without an ensemble: %s\n", s);
    }
}

/* ---- permissions (run as an unprivileged user) --------------------------
 * PFSDIR is a sticky 1777 directory holding root's root-only.dat (0600)
 * and read-only.dat (0644, 4096 bytes of 'r'). */
void access_checks(void)
{
    char name[600], buf[4096], s[MPI_MAX_ERROR_STRING];
    MPI_Status status;
    MPI_File fh;
    int rc, cls, n, count, i;

    path(name, sizeof(name), pfsdir, "root-only.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                       &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_ACCESS, "open of root's 0600 file: class %d", cls);
    if (rc != MPI_SUCCESS && rank == 0) {
        MPI_Error_string(rc, s, &n);
        CHECK(strstr(s, "permission denied") != NULL, "message: %s", s);
        printf("access: open of root's 0600 file: %s\n", s);
    }
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);

    path(name, sizeof(name), pfsdir, "read-only.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDWR, MPI_INFO_NULL, &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_ACCESS,
          "read-write open of a 0644 file of root: class %d", cls);
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                         &fh));
    memset(buf, 0, sizeof(buf));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, sizeof(buf), MPI_BYTE, &status));
    MPI_Get_count(&status, MPI_BYTE, &count);
    for (i = 0; i < (int)sizeof(buf) && buf[i] == 'r'; i++)
        ;
    CHECK(count == (int)sizeof(buf) && i == (int)sizeof(buf),
          "read of a 0644 file: %d bytes, %d right", count, i);
    MPI_OK(MPI_File_close(&fh));

    if (rank == 0) {
        path(name, sizeof(name), pfsdir, "root-only.dat");
        rc = MPI_File_delete(name, MPI_INFO_NULL);
        cls = error_class(rc);
        CHECK(cls == MPI_ERR_ACCESS,
              "delete of root's file in a sticky directory: class %d", cls);
    }

    /* one's own file in the shared directory: written, read, removed */
    path(name, sizeof(name), pfsdir, "mine.dat");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    memset(buf, 'a' + rank, sizeof(buf));
    MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)rank * sizeof(buf), buf,
                                 sizeof(buf), MPI_BYTE, &status));
    MPI_OK(MPI_File_sync(fh));
    memset(buf, 0, sizeof(buf));
    MPI_OK(MPI_File_read_at_all(fh,
                                (MPI_Offset)((rank + 1) % nprocs) * sizeof(buf),
                                buf, sizeof(buf), MPI_BYTE, &status));
    for (i = 0; i < (int)sizeof(buf) && buf[i] == 'a' + (rank + 1) % nprocs;
         i++)
        ;
    CHECK(i == (int)sizeof(buf), "own file: %d bytes right of %zu", i,
          sizeof(buf));
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
}

/* ---- storage faults (env_faults.sh) -------------------------------------- */
void storage_fault(const char *file, int want_class, const char *what,
                   const char *cause)
{
    const MPI_Offset per_rank = (MPI_Offset)32 << 20;
    char name[600], s[MPI_MAX_ERROR_STRING];
    MPI_File fh;
    MPI_Status status;
    char *buf = malloc((size_t)per_rank);
    int rc, cls, n;

    CHECK(buf != NULL, "malloc");
    memset(buf, 'n', (size_t)per_rank);
    path(name, sizeof(name), pfsdir, file);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    rc = MPI_File_write_at_all(fh, rank * per_rank, buf, (int)per_rank,
                               MPI_BYTE, &status);
    cls = error_class(rc);
    CHECK(cls == want_class, "%s: collective write: class %d, expected %d",
          what, cls, want_class);
    if (rc != MPI_SUCCESS && rank == 0) {
        MPI_Error_string(rc, s, &n);
        printf("%s: collective write: %s\n", what, s);
        /* the server's own words reach the user (not only the class) */
        CHECK(strstr(s, cause) != NULL, "%s: the message does not say '%s'",
              what, cause);
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    free(buf);
}

void read_only(void)
{
    char name[600];
    MPI_File fh;
    MPI_Status status;
    int count;
    char *buf = malloc(4 << 20);

    CHECK(buf != NULL, "malloc");
    path(name, sizeof(name), pfsdir, "keep");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                         &fh));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, 4 << 20, MPI_BYTE, &status));
    MPI_Get_count(&status, MPI_BYTE, &count);
    CHECK(count == 4 << 20, "readonly: read %d bytes of keep", count);
    MPI_OK(MPI_File_close(&fh));
    free(buf);
    storage_fault("ro.dat", MPI_ERR_READ_ONLY, "readonly",
                  "Read-only file system");
}
