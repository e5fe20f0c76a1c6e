/* coll_bench.c - collective I/O benchmark: the same patterns through
 * libpio_mpi (pio_write_all/pio_read_all) and through ROMIO's collective
 * MPI-IO (MPI_File_write_all/read_all with a file view) on the local file
 * system (ufs:), in one run.
 *
 *   mpiexec -n 4 coll_bench --ufs-dir DIR --label NAME [--reps N]
 *                           [--block BYTES] [--tile-rows N]
 *
 * Patterns: contiguous (each rank one large block), tiles2d (a 2-D array
 * of 8-byte elements, tiles 8 elements wide: 64-byte rows), tiles3d (a
 * 3-D array, x-y tiles with 16-element z rows: 64-byte rows).
 * CSV: best of N, slowest rank, with the two-phase exchange / server-I/O
 * split of the pfs run (rank 0's view).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

#include "bench_util.h"

static int rank, nranks;

typedef struct {
    const char *name;
    pio_desc_t desc;    /* this rank's file pieces */
    MPI_Datatype ftype; /* the same as an MPI file type */
    uint64_t disp;
    uint64_t bytes; /* per rank */
} pattern_t;

static double run_pfs(pio_client_t *c, const char *path, pattern_t *p,
                      uint8_t *buf, int write, pio_coll_stats_t *stats)
{
    pio_layout_t layout = {.stripe_size = 1u << 20};
    pio_file_t *f = NULL;
    char err[600];
    pfs_status_t st = PFS_OK;
    double t;

    if (write && rank == 0) {
        (void)pio_unlink(c, path);
        st = pio_create(c, path, 0644, PIO_RDWR, &layout, &f);
        pio_close(f);
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK || pio_open(c, path, PIO_RDWR, &f) != PFS_OK) {
        fprintf(stderr, "coll_bench: %s: %s\n", path, pio_client_errmsg(c));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    t = MPI_Wtime();
    st = write ? pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &p->desc, NULL,
                               NULL, err, sizeof(err))
               : pio_read_all(f, MPI_COMM_WORLD, buf, NULL, &p->desc, NULL,
                              NULL, err, sizeof(err));
    t = MPI_Wtime() - t;
    pio_coll_last_stats(stats);
    if (st != PFS_OK) {
        fprintf(stderr, "coll_bench: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    pio_close(f);
    return bench_slowest(t);
}

static double run_ufs(const char *path, pattern_t *p, uint8_t *buf, int write)
{
    MPI_File fh;
    MPI_Status status;
    double t;

    if (write && rank == 0) {
        MPI_File_delete(path, MPI_INFO_NULL);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_RDWR,
                      MPI_INFO_NULL, &fh) != MPI_SUCCESS) {
        fprintf(stderr, "coll_bench: cannot open %s\n", path);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_File_set_view(fh, (MPI_Offset)p->disp, MPI_BYTE, p->ftype, "native",
                      MPI_INFO_NULL);
    MPI_Barrier(MPI_COMM_WORLD);
    t = MPI_Wtime();
    if (write) {
        MPI_File_write_all(fh, buf, (int)p->bytes, MPI_BYTE, &status);
    } else {
        MPI_File_read_all(fh, buf, (int)p->bytes, MPI_BYTE, &status);
    }
    t = MPI_Wtime() - t;
    MPI_File_close(&fh);
    return bench_slowest(t);
}

static const char usage_args[] = "--ufs-dir DIR [--label NAME] [--reps N] "
                                 "[--block BYTES] [--tile-rows N]";

int main(int argc, char **argv)
{
    const char *ufs_dir = NULL, *label = "disk";
    uint64_t block = 32u << 20, tile_rows = 16384, k;
    int reps = 5, i, r, op, ok = 1;
    /* local access on (the default), and off: every byte through the
     * servers, as for clients on other hosts */
    pio_config_t via_servers = {.local_io = -1};
    pio_client_t *clients[2];
    pattern_t pats[3];
    char err[512];
    const bench_opt_t opts[] = {
        {"--ufs-dir", BENCH_OPT_STR, &ufs_dir},
        {"--label", BENCH_OPT_STR, &label},
        {"--reps", BENCH_OPT_INT, &reps},
        {"--block", BENCH_OPT_U64, &block},
        {"--tile-rows", BENCH_OPT_U64, &tile_rows},
        {NULL, 0, NULL},
    };

    if (bench_start(&argc, &argv, opts, usage_args, &rank, &nranks) != 0) {
        return 2;
    }
    if (ufs_dir == NULL || reps < 1) {
        MPI_Finalize();
        return 2;
    }
    if (pio_init(NULL, &clients[0], err, sizeof(err)) != PFS_OK ||
        pio_init(&via_servers, &clients[1], err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "coll_bench: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    /* contiguous: rank r writes [r * block, (r + 1) * block) */
    pats[0].name = "contiguous";
    pio_desc_contig(&pats[0].desc, (uint64_t)rank * block, block);
    MPI_Type_contiguous((int)block, MPI_BYTE, &pats[0].ftype);
    pats[0].disp = (uint64_t)rank * block;
    pats[0].bytes = block;
    /* tiles2d: rows of 64 bytes, a row of nranks tiles apart */
    pats[1].name = "tiles2d-64B-rows";
    pio_desc_vector(&pats[1].desc, (uint64_t)rank * 64, tile_rows, 64,
                    64 * (uint64_t)nranks);
    MPI_Type_vector((int)tile_rows, 64, 64 * nranks, MPI_BYTE, &pats[1].ftype);
    pats[1].disp = (uint64_t)rank * 64;
    pats[1].bytes = tile_rows * 64;
    /* tiles3d: X x Y x Z 4-byte elements, Z = 16 * 4: ranks split x and y
     * in a 2 x (nranks/2) grid (1 x nranks if odd); each tile row along z
     * is 16 elements (64 bytes) of one z-quarter */
    {
        int gx = nranks % 2 == 0 ? 2 : 1, gy = nranks / gx;
        uint64_t X = 128, Y = 128 * (uint64_t)gy, Z = 64, es = 4;
        uint64_t nx = X / gx, ny = Y / gy, x0 = (rank % gx) * nx,
                 y0 = (rank / gx) * ny;
        int sizes[3] = {(int)X, (int)Y, (int)(Z * es)};
        int subs[3] = {(int)nx, (int)ny, 64};
        int starts[3] = {(int)x0, (int)y0, 0};

        pats[2].name = "tiles3d-64B-rows";
        pio_desc_contig(&pats[2].desc, (x0 * Y + y0) * Z * es, 64);
        pio_desc_repeat(&pats[2].desc, ny, Z * es);
        pio_desc_repeat(&pats[2].desc, nx, Y * Z * es);
        MPI_Type_create_subarray(3, sizes, subs, starts, MPI_ORDER_C, MPI_BYTE,
                                 &pats[2].ftype);
        pats[2].disp = 0;
        pats[2].bytes = nx * ny * 64;
        (void)tile_rows;
    }
    for (i = 0; i < 3; i++) {
        MPI_Type_commit(&pats[i].ftype);
    }

    if (rank == 0) {
        printf("# coll_bench (%s): %d ranks, best of %d; MiB/s = all ranks' "
               "bytes / slowest rank's time\n",
               label, nranks, reps);
        printf("storage,pattern,op,method,bytes_total,seconds,MiB_s,"
               "ratio_vs_ufs,pfs_mode,pfs_exchange_s,pfs_io_wait_s\n");
    }
    for (i = 0; i < 3; i++) {
        pattern_t *p = &pats[i];
        uint64_t total = p->bytes * (uint64_t)nranks;
        uint8_t *buf = malloc(p->bytes);
        char pfs_path[256], ufs_path[600];

        snprintf(pfs_path, sizeof(pfs_path), "/%s-%s", label, p->name);
        snprintf(ufs_path, sizeof(ufs_path), "ufs:%s/%s", ufs_dir, p->name);
        for (op = 1; op >= 0; op--) {
            double best_pfs[2] = {1e30, 1e30}, best_ufs = 1e30;
            pio_coll_stats_t st, best_st[2];
            int c;

            memset(best_st, 0, sizeof(best_st));
            for (r = 0; r < reps; r++) {
                double t;

                for (c = 0; c < 2; c++) { /* local access on, then off */
                    for (k = 0; k < p->bytes; k++) {
                        buf[k] = op ? (uint8_t)(k * 7 + rank) : 0;
                    }
                    t = run_pfs(clients[c], pfs_path, p, buf, op, &st);
                    if (!op) {
                        for (k = 0; k < p->bytes && ok; k++) {
                            ok = buf[k] == (uint8_t)(k * 7 + rank);
                        }
                    }
                    if (t < best_pfs[c]) {
                        best_pfs[c] = t;
                        best_st[c] = st;
                    }
                }
                for (k = 0; op && k < p->bytes; k++) {
                    buf[k] = (uint8_t)(k * 7 + rank);
                }
                t = run_ufs(ufs_path, p, buf, op);
                best_ufs = t < best_ufs ? t : best_ufs;
            }
            if (rank == 0) {
                for (c = 0; c < 2; c++) {
                    printf("%s,%s,%s,%s,%" PRIu64
                           ",%.6f,%.1f,%.2f,%s,%.6f,%.6f\n",
                           label, p->name, op ? "write" : "read",
                           c == 0 ? "pfs-libpio_mpi"
                                  : "pfs-libpio_mpi-via-servers",
                           total, best_pfs[c], total / best_pfs[c] / 1048576.0,
                           best_ufs / best_pfs[c],
                           best_st[c].direct ? "direct" : "two-phase",
                           best_st[c].exchange_s, best_st[c].io_wait_s);
                }
                printf("%s,%s,%s,ufs-romio,%" PRIu64 ",%.6f,%.1f,1.00,,,\n",
                       label, p->name, op ? "write" : "read", total, best_ufs,
                       total / best_ufs / 1048576.0);
                fflush(stdout);
            }
        }
        free(buf);
    }
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("# pfs data read back verified: %s\n", ok ? "yes" : "NO");
    }
    pio_fini(clients[0]);
    pio_fini(clients[1]);
    MPI_Finalize();
    return ok ? 0 : 1;
}
