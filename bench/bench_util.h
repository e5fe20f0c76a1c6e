/* bench_util.h - what the MPI benchmarks over libpio share (bench_util.c):
 * starting MPI, options from a table, the usage line, and the slowest
 * rank's time.  Plain MPI; nothing of pfs. */
#ifndef PFS_BENCH_UTIL_H
#define PFS_BENCH_UTIL_H

#include <stdint.h>

typedef enum {
    BENCH_OPT_STR,  /* const char *: the argument itself */
    BENCH_OPT_INT,  /* int: atoi */
    BENCH_OPT_U64,  /* uint64_t: strtoull, base 10 */
    BENCH_OPT_FLAG, /* int: set to 1; takes no argument */
} bench_opt_kind_t;

/* One option: "--reps", its kind, and where its value goes. */
typedef struct {
    const char *name;
    bench_opt_kind_t kind;
    void *value;
} bench_opt_t;

/* MPI_Init, this process's rank and the number of ranks in
 * MPI_COMM_WORLD, and the options in argv[1..] set by opts, a table ended
 * by a NULL name.  An argument not in the table, or an option without
 * its argument, is a usage error: bench_usage(argv[0], usage_args) and -1
 * (the caller exits with 2).  0 when every argument was taken. */
int bench_start(int *argc, char ***argv, const bench_opt_t *opts,
                const char *usage_args, int *rank_p, int *nranks_p);

/* "usage: PROG ARGS" on stderr from rank 0, then MPI_Finalize.  The
 * caller then exits with 2. */
void bench_usage(const char *prog, const char *args);

/* The largest t of all ranks.  Ranks that are done wait without spinning
 * (MPI_Ibarrier and a short sleep): MPICH's barrier polls a core, which
 * on a small machine would be taken from the ranks and servers still
 * working.  Collective. */
double bench_slowest(double t);

#endif
