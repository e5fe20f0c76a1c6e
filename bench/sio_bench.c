/* sio_bench.c - structured I/O benchmark: the same access patterns through
 * libpio's structured calls and through MPI-IO on the local file system
 * (ROMIO's ufs: driver, data sieving on and off), in one run.
 *
 *   mpiexec -n 4 sio_bench --ufs-dir DIR [--pfs-dir /bench] [--reps N]
 *                          [--blocks N] [--tile-rows N]
 *
 * Patterns (shared file, every rank):
 *   strided  every nranks-th block of 47008 bytes, `blocks` blocks per rank
 *   tiles2d  a 2-D array of 8-byte elements in a grid of tiles 8 elements
 *            wide (64-byte rows) and tile-rows high
 * Output: one CSV line per (pattern, op, method): the best of --reps runs,
 * timed from a barrier to the slowest rank, and its ratio to ufs: with
 * data sieving (ROMIO's default) and without.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio.h>

#include "bench_util.h"

/* pfs-libpio: local access on (the default; these servers are on this
 * host, so large pieces skip them); pfs-libpio-via-servers: off, every
 * byte through the servers, as for clients on other hosts */
enum { M_PIO, M_PIO_SRV, M_UFS_DS, M_UFS_NODS, NMETHODS };
static const char *method_name[] = {"pfs-libpio", "pfs-libpio-via-servers",
                                    "ufs-sieving", "ufs-nosieving"};

static int rank, nranks;

typedef struct {
    const char *name;
    uint64_t offset;    /* this rank's first block */
    uint64_t count;     /* blocks */
    uint64_t blocklen;  /* bytes */
    uint64_t stride;    /* bytes between block starts */
    uint64_t file_size; /* whole file */
} pattern_t;

/* count blocks of blocklen bytes per rank, the ranks' blocks in turn */
static void pattern_interleaved(pattern_t *p, const char *name,
                                uint64_t blocklen, uint64_t count)
{
    p->name = name;
    p->blocklen = blocklen;
    p->count = count;
    p->stride = blocklen * (uint64_t)nranks;
    p->offset = blocklen * (uint64_t)rank;
    p->file_size = p->stride * p->count;
}

static double now(void)
{
    return MPI_Wtime();
}

static double run_pio(pio_client_t *c, const char *path, const pattern_t *p,
                      uint8_t *buf, int write)
{
    pio_layout_t layout = {.stripe_size = 1u << 20};
    pio_file_t *f = NULL;
    pio_desc_t fd;
    pfs_status_t st = PFS_OK;
    double t0;

    if (write && rank == 0) {
        (void)pio_unlink(c, path);
        st = pio_create(c, path, 0644, PIO_RDWR, &layout, &f);
        pio_close(f);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (st == PFS_OK) {
        st = pio_open(c, path, PIO_RDWR, &f);
    }
    if (st != PFS_OK) {
        fprintf(stderr, "sio_bench: %s: %s\n", path, pio_client_errmsg(c));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    pio_desc_vector(&fd, p->offset, p->count, p->blocklen, p->stride);
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = now();
    st = write ? pio_write_desc(f, buf, NULL, &fd, NULL)
               : pio_read_desc(f, buf, NULL, &fd, NULL);
    t0 = now() - t0;
    if (st != PFS_OK) {
        fprintf(stderr, "sio_bench: %s: %s\n", path, pio_client_errmsg(c));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    pio_close(f);
    return bench_slowest(t0);
}

static double run_mpiio(const char *path, const pattern_t *p, uint8_t *buf,
                        int write, int sieving)
{
    MPI_Datatype ftype;
    MPI_Info info;
    MPI_File fh;
    MPI_Status status;
    double t0;
    int rc;

    MPI_Info_create(&info);
    MPI_Info_set(info, "romio_ds_write", sieving ? "enable" : "disable");
    MPI_Info_set(info, "romio_ds_read", sieving ? "enable" : "disable");
    if (write && rank == 0) {
        MPI_File_delete(path, MPI_INFO_NULL);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    rc = MPI_File_open(MPI_COMM_WORLD, path,
                       write ? MPI_MODE_CREATE | MPI_MODE_RDWR : MPI_MODE_RDWR,
                       info, &fh);
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "sio_bench: cannot open %s\n", path);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Type_vector((int)p->count, (int)p->blocklen, (int)p->stride, MPI_BYTE,
                    &ftype);
    MPI_Type_commit(&ftype);
    MPI_File_set_view(fh, (MPI_Offset)p->offset, MPI_BYTE, ftype, "native",
                      info);
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = now();
    rc = write ? MPI_File_write(fh, buf, (int)(p->count * p->blocklen),
                                MPI_BYTE, &status)
               : MPI_File_read(fh, buf, (int)(p->count * p->blocklen), MPI_BYTE,
                               &status);
    t0 = now() - t0;
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "sio_bench: MPI-IO on %s failed\n", path);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_File_close(&fh);
    MPI_Type_free(&ftype);
    MPI_Info_free(&info);
    return bench_slowest(t0);
}

static uint8_t fill(uint64_t i)
{
    return (uint8_t)(i * 131 + (i >> 12));
}

static int verify(const uint8_t *buf, uint64_t n)
{
    uint64_t i;

    for (i = 0; i < n; i++) {
        if (buf[i] != fill(i + (uint64_t)rank * 7)) {
            return 0;
        }
    }
    return 1;
}

static const char usage_args[] = "--ufs-dir DIR [--pfs-dir DIR] [--reps N] "
                                 "[--blocks N] [--tile-rows N]";

int main(int argc, char **argv)
{
    const char *ufs_dir = NULL, *pfs_dir = "/";
    int reps = 3, blocks = 200, tile_rows = 16384, i, r, m, op, ok = 1;
    pio_client_t *client, *client_srv;
    pio_config_t via_servers = {.local_io = -1};
    pattern_t pats[2];
    char err[512];
    const bench_opt_t opts[] = {
        {"--ufs-dir", BENCH_OPT_STR, &ufs_dir},
        {"--pfs-dir", BENCH_OPT_STR, &pfs_dir},
        {"--reps", BENCH_OPT_INT, &reps},
        {"--blocks", BENCH_OPT_INT, &blocks},
        {"--tile-rows", BENCH_OPT_INT, &tile_rows},
        {NULL, 0, NULL},
    };

    if (bench_start(&argc, &argv, opts, usage_args, &rank, &nranks) != 0) {
        return 2;
    }
    if (ufs_dir == NULL || reps < 1 || blocks < 1 || tile_rows < 1) {
        if (rank == 0) {
            fprintf(stderr, "sio_bench: --ufs-dir is required\n");
        }
        MPI_Finalize();
        return 2;
    }
    if (pio_init(NULL, &client, err, sizeof(err)) != PFS_OK ||
        pio_init(&via_servers, &client_srv, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "sio_bench: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    /* strided: 47008-byte blocks, interleaved by rank */
    pattern_interleaved(&pats[0], "strided-47008", 47008, (uint64_t)blocks);
    /* tiles: array of tile_rows x (8 * nranks) 8-byte elements; rank r owns
     * columns [8r, 8r + 8): rows of 64 bytes, a global row apart */
    pattern_interleaved(&pats[1], "tiles2d-64B-rows", 64, (uint64_t)tile_rows);

    if (rank == 0) {
        printf("# sio_bench: %d ranks, best of %d; MiB/s = all ranks' bytes "
               "/ slowest rank's time\n",
               nranks, reps);
        printf("pattern,op,method,pieces_per_rank,bytes_total,seconds,MiB_s,"
               "ratio_vs_ufs_sieving,ratio_vs_ufs_nosieving\n");
    }
    for (i = 0; i < 2; i++) {
        const pattern_t *p = &pats[i];
        uint64_t n = p->count * p->blocklen, total = n * nranks, k;
        uint8_t *buf = malloc(n);
        char pfs_path[512], ufs_path[512];

        snprintf(pfs_path, sizeof(pfs_path), "%s/%s", pfs_dir, p->name);
        snprintf(ufs_path, sizeof(ufs_path), "ufs:%s/%s", ufs_dir, p->name);
        for (op = 1; op >= 0; op--) { /* write first, then read it back */
            double best[NMETHODS];

            for (m = 0; m < NMETHODS; m++) {
                best[m] = 1e30;
                for (r = 0; r < reps; r++) {
                    double t;

                    if (op == 1) {
                        for (k = 0; k < n; k++) {
                            buf[k] = fill(k + (uint64_t)rank * 7);
                        }
                    } else {
                        memset(buf, 0, n);
                    }
                    t = m == M_PIO ? run_pio(client, pfs_path, p, buf, op)
                        : m == M_PIO_SRV
                            ? run_pio(client_srv, pfs_path, p, buf, op)
                            : run_mpiio(ufs_path, p, buf, op, m == M_UFS_DS);
                    if (op == 0 && !verify(buf, n)) {
                        ok = 0;
                    }
                    if (t < best[m]) {
                        best[m] = t;
                    }
                }
            }
            if (rank == 0) {
                for (m = 0; m < NMETHODS; m++) {
                    printf(
                        "%s,%s,%s,%" PRIu64 ",%" PRIu64
                        ",%.6f,%.1f,%.2f,%.2f\n",
                        p->name, op ? "write" : "read", method_name[m],
                        p->count, total, best[m], total / best[m] / 1048576.0,
                        best[M_UFS_DS] / best[m], best[M_UFS_NODS] / best[m]);
                }
                fflush(stdout);
            }
        }
        free(buf);
    }
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("# data read back verified: %s\n", ok ? "yes" : "NO");
    }
    pio_fini(client);
    pio_fini(client_srv);
    MPI_Finalize();
    return ok ? 0 : 1;
}
