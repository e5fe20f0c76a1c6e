/* link_bench.c - the server path across hosts: large contiguous transfers
 * and small collective patterns through libpio, timed from a barrier to
 * the slowest rank, every byte verified after the timed reads.
 * bench/run_multihost_bench.sh runs it on a virtual cluster and reports
 * each figure as a ratio to its link ceiling.
 *
 *   mpiexec -n N link_bench --label L [--pattern contig|strided|tiles2d]
 *                           [--mib M] [--xfer-mib T] [--reps R]
 *                           [--mode auto|two-phase|direct]
 *
 * Patterns (one shared file striped over every I/O server, 1 MiB stripes):
 *   contig   rank r writes [r * M MiB, (r + 1) * M MiB) with pio_write
 *            calls of T MiB (default 8), then pio_sync; reads it back
 *            with pio_read calls of T MiB
 *   strided  every N-th block of 47008 bytes, M MiB per rank, one
 *            collective pio_write_all / pio_read_all (libpio_mpi)
 *   tiles2d  rows of 64 bytes, a row of N tiles apart, M MiB per rank,
 *            collective
 * --mode: libpio_mpi's choice (auto, the default: direct when pieces
 * average 1 MiB), or forced.
 * Output, CSV: label,pattern,op,ranks,servers,mode,bytes,seconds,MiB_s
 * (best of R, all ranks' bytes over the slowest rank's time; mode is
 * "independent" for contig).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

#include "bench_util.h"

static int rank, nranks;
static pio_coll_hints_t hints;
static int used_direct; /* the last collective call went direct */

static uint8_t pat(uint64_t off)
{
    return (uint8_t)((off * UINT64_C(0x9e3779b97f4a7c15)) >> 56);
}

static void die(pio_client_t *c, const char *what, const char *err)
{
    fprintf(stderr, "link_bench: rank %d: %s: %s\n", rank, what,
            err != NULL ? err : pio_client_errmsg(c));
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* a fresh file on every server (rank 0 creates, all open) */
static pio_file_t *fresh(pio_client_t *c, const char *path, int create)
{
    pio_layout_t layout = {.stripe_size = 1u << 20}; /* count: all */
    pio_file_t *f = NULL;
    int st = PFS_OK;

    if (create && rank == 0) {
        (void)pio_unlink(c, path);
        st = pio_create(c, path, 0644, PIO_RDWR, &layout, &f);
        if (st == PFS_OK) {
            pio_close(f);
        }
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK || pio_open(c, path, PIO_RDWR, &f) != PFS_OK) {
        die(c, path, NULL);
    }
    return f;
}

/* file offset of byte k of this rank's part */
static uint64_t file_off(const char *pattern, uint64_t per_rank, uint64_t k)
{
    if (!strcmp(pattern, "strided")) {
        return (k / 47008 * (uint64_t)nranks + (uint64_t)rank) * 47008 +
               k % 47008;
    }
    if (!strcmp(pattern, "tiles2d")) {
        return (k / 64 * (uint64_t)nranks + (uint64_t)rank) * 64 + k % 64;
    }
    return (uint64_t)rank * per_rank + k;
}

static double run(pio_client_t *c, const char *path, const char *pattern,
                  uint64_t per_rank, uint64_t xfer, uint8_t *buf, int write)
{
    pio_file_t *f = fresh(c, path, write);
    char err[600];
    double t;
    uint64_t k;
    pfs_status_t st = PFS_OK;

    MPI_Barrier(MPI_COMM_WORLD);
    t = MPI_Wtime();
    if (!strcmp(pattern, "contig")) {
        for (k = 0; k < per_rank && st == PFS_OK; k += xfer) {
            uint64_t n = per_rank - k < xfer ? per_rank - k : xfer, got;

            st = write ? pio_write(f, (uint64_t)rank * per_rank + k, buf + k, n)
                       : pio_read(f, (uint64_t)rank * per_rank + k, buf + k, n,
                                  &got);
        }
        if (st == PFS_OK && write) {
            st = pio_sync(f);
        }
        if (st != PFS_OK) {
            die(c, write ? "write" : "read", NULL);
        }
    } else {
        pio_desc_t d;
        uint64_t blk = !strcmp(pattern, "strided") ? 47008 : 64;

        pio_desc_vector(&d, (uint64_t)rank * blk, per_rank / blk, blk,
                        blk * (uint64_t)nranks);
        pio_coll_stats_t stats;

        st = write ? pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &d, &hints,
                                   NULL, err, sizeof(err))
                   : pio_read_all(f, MPI_COMM_WORLD, buf, NULL, &d, &hints,
                                  NULL, err, sizeof(err));
        pio_coll_last_stats(&stats);
        used_direct = stats.direct;
        if (st == PFS_OK && write) {
            st = pio_sync(f);
        }
        if (st != PFS_OK) {
            die(c, write ? "write_all" : "read_all", err);
        }
    }
    t = MPI_Wtime() - t;
    pio_close(f);
    return bench_slowest(t);
}

static const char usage_args[] = "--label L [--pattern contig|strided|tiles2d] "
                                 "[--mib M] [--xfer-mib T] [--reps R] "
                                 "[--mode auto|two-phase|direct]";

int main(int argc, char **argv)
{
    const char *label = "run", *pattern = "contig", *mode = "auto";
    uint64_t mib = 256, xfer_mib = 8, per_rank, k, total, bad = 0;
    int reps = 3, r, op;
    pio_client_t *c;
    char err[512], path[256];
    uint8_t *buf;
    const bench_opt_t opts[] = {
        {"--label", BENCH_OPT_STR, &label},
        {"--pattern", BENCH_OPT_STR, &pattern},
        {"--mib", BENCH_OPT_U64, &mib},
        {"--xfer-mib", BENCH_OPT_U64, &xfer_mib},
        {"--reps", BENCH_OPT_INT, &reps},
        {"--mode", BENCH_OPT_STR, &mode},
        {NULL, 0, NULL},
    };

    if (bench_start(&argc, &argv, opts, usage_args, &rank, &nranks) != 0) {
        return 2;
    }
    pio_coll_hints_default(&hints);
    if (!strcmp(mode, "two-phase")) {
        hints.cb_write = hints.cb_read = PIO_CB_ENABLE;
    } else if (!strcmp(mode, "direct")) {
        hints.cb_write = hints.cb_read = PIO_CB_DISABLE;
    } else if (strcmp(mode, "auto")) {
        reps = 0;
    }
    if (reps < 1 || mib < 1 || xfer_mib < 1 ||
        (strcmp(pattern, "contig") && strcmp(pattern, "strided") &&
         strcmp(pattern, "tiles2d"))) {
        MPI_Finalize();
        return 2;
    }
    per_rank = mib << 20;
    if (!strcmp(pattern, "strided")) {
        per_rank -= per_rank % 47008;
    }
    total = per_rank * (uint64_t)nranks;
    buf = malloc(per_rank);
    if (buf == NULL || pio_init(NULL, &c, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "link_bench: %s\n", buf == NULL ? "no memory" : err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    snprintf(path, sizeof(path), "/link-bench-%s", pattern);
    for (op = 1; op >= 0; op--) {
        double best = 1e30, t;

        for (r = 0; r < reps; r++) {
            for (k = 0; k < per_rank; k++) {
                buf[k] = op ? pat(file_off(pattern, per_rank, k)) : 0;
            }
            t = run(c, path, pattern, per_rank, xfer_mib << 20, buf, op);
            best = t < best ? t : best;
            for (k = 0; !op && k < per_rank; k++) {
                bad += buf[k] != pat(file_off(pattern, per_rank, k));
            }
        }
        if (rank == 0) {
            printf("%s,%s,%s,%d,%u,%s,%" PRIu64 ",%.6f,%.1f\n", label, pattern,
                   op ? "write" : "read", nranks, pio_client_niosrv(c),
                   !strcmp(pattern, "contig") ? "independent"
                   : used_direct              ? "direct"
                                              : "two-phase",
                   total, best, total / best / 1048576.0);
            fflush(stdout);
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (bad != 0 && rank == 0) {
        fprintf(stderr, "link_bench: %" PRIu64 " bytes read back wrong\n", bad);
    }
    pio_fini(c);
    free(buf);
    MPI_Finalize();
    return bad != 0;
}
