/* meta_bench.c - metadata benchmark: create, stat and unlink of empty
 * files through libpio on pfs and through plain POSIX calls on a local
 * directory, in one run, by every rank at once.
 *
 *   mpiexec -n K meta_bench --local-dir DIR [--pfs-dir DIR] [--files N]
 *                           [--label NAME] [--stripe-count N] [--header]
 *
 * Each rank is one client process.  MPI only starts the ranks together
 * and gathers the timings; every file operation is libpio (pfs) or a
 * system call (local).  Two namespace layouts:
 *   shared     all ranks in one directory:  BASE/shared/f<rank>.<i>
 *   perclient  each rank in its own one:    BASE/r<rank>/f<rank>.<i>
 * (the same depth, so path lookups cost the same).  Phases, each timed
 * from a barrier to the slowest rank: create N files per rank (pfs:
 * pio_create with PIO_EXCL + pio_close; local: open(O_CREAT | O_EXCL) +
 * close), stat them (pio_stat: a lookup on the MDS and a size request to
 * each I/O server of the file; local: stat), unlink them (pio_unlink: the
 * MDS, then each I/O server; local: unlink).  The local calls are plain:
 * no fsync of files or directories.  pfs and local alternate phase by
 * phase so that both see the same background load.
 * CSV: one line per (dirmode, op), rate = all ranks' operations / the
 * slowest rank's time, ratio = pfs rate / local rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpi.h>
#include <pfs/pio.h>

#include "bench_util.h"

static int rank, nranks;

enum { OP_CREATE, OP_STAT, OP_UNLINK, NOPS };
static const char *op_name[NOPS] = {"create", "stat", "unlink"};

enum { DIR_SHARED, DIR_PERCLIENT, NDIRMODES };
static const char *dirmode_name[NDIRMODES] = {"shared", "perclient"};

/* One namespace under test: pfs through libpio, or the local file system. */
typedef struct {
    const char *name;
    pio_client_t *client; /* NULL: local */
    pio_layout_t layout;  /* pfs: asked for at create */
    char base[512];       /* BASE, unique to this run */
} target_t;

/* why: NULL for the failed call's own explanation */
static void die(const target_t *t, const char *what, const char *path,
                const char *why)
{
    if (why == NULL) {
        why =
            t->client != NULL ? pio_client_errmsg(t->client) : strerror(errno);
    }
    fprintf(stderr, "meta_bench: rank %d: %s: %s %s: %s\n", rank, t->name, what,
            path, why);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

static void target_mkdir(const target_t *t, const char *path)
{
    if (t->client != NULL) {
        if (pio_mkdir(t->client, path, 0755) != PFS_OK) {
            die(t, "mkdir", path, NULL);
        }
    } else if (mkdir(path, 0755) != 0) {
        die(t, "mkdir", path, NULL);
    }
}

static void target_rmdir(const target_t *t, const char *path)
{
    if (t->client != NULL) {
        if (pio_rmdir(t->client, path) != PFS_OK) {
            die(t, "rmdir", path, NULL);
        }
    } else if (rmdir(path) != 0) {
        die(t, "rmdir", path, NULL);
    }
}

/* One operation on one path; the timed loop.  Every call is checked:
 * a failure aborts the run rather than count as a fast operation. */
static void target_op(const target_t *t, int op, const char *path)
{
    if (t->client != NULL) {
        pio_file_t *f;
        pio_stat_t sb;

        switch (op) {
        case OP_CREATE:
            if (pio_create(t->client, path, 0644, PIO_RDWR | PIO_EXCL,
                           &t->layout, &f) != PFS_OK) {
                die(t, "create", path, NULL);
            }
            pio_close(f);
            break;
        case OP_STAT:
            if (pio_stat(t->client, path, &sb) != PFS_OK) {
                die(t, "stat", path, NULL);
            }
            if (sb.type != PIO_TYPE_FILE || sb.size != 0) {
                die(t, "stat", path, "not an empty regular file");
            }
            break;
        case OP_UNLINK:
            if (pio_unlink(t->client, path) != PFS_OK) {
                die(t, "unlink", path, NULL);
            }
            break;
        }
    } else {
        struct stat sb;
        int fd;

        switch (op) {
        case OP_CREATE:
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd < 0) {
                die(t, "create", path, NULL);
            }
            if (close(fd) != 0) {
                die(t, "close", path, NULL);
            }
            break;
        case OP_STAT:
            if (stat(path, &sb) != 0) {
                die(t, "stat", path, NULL);
            }
            if (!S_ISREG(sb.st_mode) || sb.st_size != 0) {
                die(t, "stat", path, "not an empty regular file");
            }
            break;
        case OP_UNLINK:
            if (unlink(path) != 0) {
                die(t, "unlink", path, NULL);
            }
            break;
        }
    }
}

static double run_phase(const target_t *t, int op, char **paths, int n)
{
    double t0;
    int i;

    MPI_Barrier(MPI_COMM_WORLD); /* all ranks leave together */
    t0 = MPI_Wtime();
    for (i = 0; i < n; i++) {
        target_op(t, op, paths[i]);
    }
    return bench_slowest(MPI_Wtime() - t0);
}

/* This rank's directory for the mode: BASE/shared or BASE/r<rank>. */
static void dir_path(const target_t *t, int mode, char *buf, size_t size)
{
    if (mode == DIR_SHARED) {
        snprintf(buf, size, "%s/shared", t->base);
    } else {
        snprintf(buf, size, "%s/r%d", t->base, rank);
    }
}

/* Make the directories of a mode (outside the timing). */
static void dirs_setup(const target_t *t, int mode)
{
    char dir[600];

    dir_path(t, mode, dir, sizeof(dir));
    if (mode == DIR_PERCLIENT || rank == 0) {
        target_mkdir(t, dir);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

static void dirs_teardown(const target_t *t, int mode)
{
    char dir[600];

    MPI_Barrier(MPI_COMM_WORLD); /* every rank's files are gone */
    dir_path(t, mode, dir, sizeof(dir));
    if (mode == DIR_PERCLIENT || rank == 0) {
        target_rmdir(t, dir); /* fails if anything was left behind */
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

static char **paths_make(const target_t *t, int mode, int n)
{
    char **paths = malloc((size_t)n * sizeof(*paths));
    char dir[600];
    int i;

    if (paths == NULL) {
        fprintf(stderr, "meta_bench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    dir_path(t, mode, dir, sizeof(dir));
    for (i = 0; i < n; i++) {
        size_t len = strlen(dir) + 32;

        paths[i] = malloc(len);
        if (paths[i] == NULL) {
            fprintf(stderr, "meta_bench: out of memory\n");
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        snprintf(paths[i], len, "%s/f%d.%d", dir, rank, i);
    }
    return paths;
}

static void paths_free(char **paths, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(paths[i]);
    }
    free(paths);
}

static const char usage_args[] =
    "--local-dir DIR [--pfs-dir DIR] [--files N] [--label NAME] "
    "[--stripe-count N] [--header]";

int main(int argc, char **argv)
{
    const char *local_dir = NULL, *pfs_dir = "", *label = "-";
    int files = 2000, header = 0, stripe_count = 0, mode, op;
    target_t pfs, local;
    char err[512];
    long id;
    const bench_opt_t opts[] = {
        {"--local-dir", BENCH_OPT_STR, &local_dir},
        {"--pfs-dir", BENCH_OPT_STR, &pfs_dir},
        {"--files", BENCH_OPT_INT, &files},
        {"--label", BENCH_OPT_STR, &label},
        {"--stripe-count", BENCH_OPT_INT, &stripe_count},
        {"--header", BENCH_OPT_FLAG, &header},
        {NULL, 0, NULL},
    };

    if (bench_start(&argc, &argv, opts, usage_args, &rank, &nranks) != 0) {
        return 2;
    }
    if (local_dir == NULL || files < 1 || stripe_count < 0) {
        bench_usage(argv[0], usage_args);
        return 2;
    }

    memset(&pfs, 0, sizeof(pfs));
    memset(&local, 0, sizeof(local));
    pfs.name = "pfs";
    pfs.layout.stripe_count = (uint32_t)stripe_count;
    local.name = "local";
    if (pio_init(NULL, &pfs.client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "meta_bench: rank %d: %s\n", rank, err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    /* a base directory of this run's own, named after rank 0's pid, so
     * that runs against the same ensemble and directory do not meet */
    id = (long)getpid();
    MPI_Bcast(&id, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    snprintf(pfs.base, sizeof(pfs.base), "%s/meta-bench.%ld", pfs_dir, id);
    snprintf(local.base, sizeof(local.base), "%s/meta-bench.%ld", local_dir,
             id);
    if (rank == 0) {
        target_mkdir(&pfs, pfs.base);
        target_mkdir(&local, local.base);
        if (header) {
            printf("policy,clients,dirmode,op,files_per_client,pfs_s,"
                   "pfs_ops_s,local_s,local_ops_s,ratio\n");
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);

    for (mode = 0; mode < NDIRMODES; mode++) {
        char **pfs_paths, **local_paths;
        double t_pfs[NOPS], t_local[NOPS];

        dirs_setup(&pfs, mode);
        dirs_setup(&local, mode);
        pfs_paths = paths_make(&pfs, mode, files);
        local_paths = paths_make(&local, mode, files);
        for (op = 0; op < NOPS; op++) {
            t_pfs[op] = run_phase(&pfs, op, pfs_paths, files);
            t_local[op] = run_phase(&local, op, local_paths, files);
        }
        paths_free(pfs_paths, files);
        paths_free(local_paths, files);
        dirs_teardown(&pfs, mode);
        dirs_teardown(&local, mode);
        if (rank == 0) {
            double total = (double)files * nranks;

            for (op = 0; op < NOPS; op++) {
                printf("%s,%d,%s,%s,%d,%.4f,%.0f,%.4f,%.0f,%.3f\n", label,
                       nranks, dirmode_name[mode], op_name[op], files,
                       t_pfs[op], total / t_pfs[op], t_local[op],
                       total / t_local[op], t_local[op] / t_pfs[op]);
            }
            fflush(stdout);
        }
    }

    if (rank == 0) {
        target_rmdir(&pfs, pfs.base);
        target_rmdir(&local, local.base);
    }
    pio_fini(pfs.client);
    MPI_Finalize();
    return 0;
}
