/* mpiio_pfs_test.h - what the files of mpiio_pfs_test share: the rank,
 * the error count and the directories, CHECK and MPI_OK, the helpers and
 * the modes main() dispatches to.  Plain MPI: no pfs header. */
#ifndef MPIIO_PFS_TEST_H
#define MPIIO_PFS_TEST_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int rank, nprocs, errors;
extern char pfsdir[512], ufsdir[512];

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            errors++;                                                          \
            fprintf(stderr, "rank %d: %s:%d: ", rank, __FILE__, __LINE__);     \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define MPI_OK(call)                                                           \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != MPI_SUCCESS) {                                              \
            char s_[MPI_MAX_ERROR_STRING];                                     \
            int n_;                                                            \
            MPI_Error_string(rc_, s_, &n_);                                    \
            fprintf(stderr, "rank %d: %s:%d: %s: %s\n", rank, __FILE__,        \
                    __LINE__, #call, s_);                                      \
            errors++;                                                          \
        }                                                                      \
    } while (0)

unsigned char pattern(uint64_t o, unsigned salt);
void path(char *out, size_t n, const char *dir, const char *name);
int error_class(int rc);

/* the modes of mpiio_pfs_test_io.c and mpiio_pfs_test_limits.c */
void shared(void);
void stale(void);
void calls(void);
void misc(void);
void large(void);
void noens(void);
void access_checks(void);
void storage_fault(const char *file, int want_class, const char *what,
                   const char *cause);
void read_only(void);

#endif
