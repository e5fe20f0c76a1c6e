/* bench_util.c - what the MPI benchmarks share (bench_util.h). */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

static const bench_opt_t *opt_find(const bench_opt_t *opts, const char *arg)
{
    for (; opts->name != NULL; opts++) {
        if (strcmp(opts->name, arg) == 0) {
            return opts;
        }
    }
    return NULL;
}

static int opts_parse(int argc, char **argv, const bench_opt_t *opts)
{
    int i;

    for (i = 1; i < argc; i++) {
        const bench_opt_t *o = opt_find(opts, argv[i]);
        const char *v;

        if (o == NULL) {
            return -1;
        }
        if (o->kind == BENCH_OPT_FLAG) {
            *(int *)o->value = 1;
            continue;
        }
        if (i + 1 >= argc) {
            return -1;
        }
        v = argv[++i];
        switch (o->kind) {
        case BENCH_OPT_STR: *(const char **)o->value = v; break;
        case BENCH_OPT_INT: *(int *)o->value = atoi(v); break;
        case BENCH_OPT_U64:
            *(uint64_t *)o->value = strtoull(v, NULL, 10);
            break;
        case BENCH_OPT_FLAG: break;
        }
    }
    return 0;
}

void bench_usage(const char *prog, const char *args)
{
    int rank;

    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        fprintf(stderr, "usage: %s %s\n", prog, args);
    }
    MPI_Finalize();
}

int bench_start(int *argc, char ***argv, const bench_opt_t *opts,
                const char *usage_args, int *rank_p, int *nranks_p)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, rank_p);
    MPI_Comm_size(MPI_COMM_WORLD, nranks_p);
    if (opts_parse(*argc, *argv, opts) != 0) {
        bench_usage((*argv)[0], usage_args);
        return -1;
    }
    return 0;
}

double bench_slowest(double t)
{
    MPI_Request req;
    double max;
    int done = 0;

    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    while (!done) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (!done) {
            usleep(100);
        }
    }
    MPI_Allreduce(&t, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return max;
}
