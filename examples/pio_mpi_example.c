/* pio_mpi_example.c - several MPI ranks write a striped pfs file, each its
 * own region, then read back another rank's region and check every byte.
 *
 *   mpiexec -n 4 ./pio_mpi_example [-f pfs:/path] [-s bytes-per-rank]
 *                                  [-c stripe-count] [-S stripe-size]
 *                                  [--keep] [--verify-only]
 *
 * The ensemble is found through $PFS_ENSEMBLE.  The example starts nothing:
 * it connects to servers that are already running.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio.h>

/* The byte at file offset off: a function of the offset only, so any rank
 * can check any region. */
static uint8_t pattern(uint64_t off)
{
    uint64_t x = off * UINT64_C(0x9e3779b97f4a7c15);
    return (uint8_t)(x >> 56 ^ off);
}

/* -s and -S: a size with k/m/g suffixes (pio_parse_size); 0 if bad */
static uint64_t parse_size(const char *s)
{
    uint64_t v;

    return pio_parse_size(s, &v) == PFS_OK ? v : 0;
}

/* Every rank learns whether all succeeded; the first failing rank's text is
 * printed once, by rank 0. */
static int agree(int ok, const char *what, const char *why, int rank)
{
    int all_ok;

    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!ok) {
        fprintf(stderr, "pio_mpi_example: rank %d: %s failed: %s\n", rank, what,
                why);
    }
    return all_ok;
}

int main(int argc, char **argv)
{
    const char *path = "pfs:/pio_mpi_example.dat";
    uint64_t per_rank = (4u << 20) + 12345; /* odd size: crosses stripes */
    pio_layout_t layout = {.stripe_size = 0, .stripe_count = 0};
    int keep = 0, verify_only = 0, rank, size, i, ok, rc = 1;
    pio_client_t *client = NULL;
    pio_file_t *file = NULL;
    pfs_status_t st = PFS_OK;
    char err[512] = "";
    uint8_t *buf;
    uint64_t off, n, fsize = 0, k;
    double t0, t_write = 0, t_read;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            per_rank = parse_size(argv[++i]);
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            layout.stripe_count = (uint32_t)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-S") && i + 1 < argc) {
            layout.stripe_size = parse_size(argv[++i]);
        } else if (!strcmp(argv[i], "--keep")) {
            keep = 1;
        } else if (!strcmp(argv[i], "--verify-only")) {
            verify_only = keep = 1;
        } else {
            if (rank == 0) {
                fprintf(stderr,
                        "usage: %s [-f pfs:/path] [-s bytes-per-rank] "
                        "[-c stripe-count] [-S stripe-size] [--keep] "
                        "[--verify-only]\n",
                        argv[0]);
            }
            MPI_Finalize();
            return 2;
        }
    }

    st = pio_init(NULL, &client, err, sizeof(err));
    if (!agree(st == PFS_OK, "pio_init", err, rank)) {
        goto out;
    }
    /* one rank creates, the others open once it exists */
    if (rank == 0) {
        st = verify_only
                 ? pio_open(client, path, PIO_RDWR, &file)
                 : pio_create(client, path, 0644, PIO_RDWR, &layout, &file);
    }
    if (!agree(st == PFS_OK, "create", pio_client_errmsg(client), rank)) {
        goto out;
    }
    if (rank != 0) {
        st = pio_open(client, path, PIO_RDWR, &file);
    }
    if (!agree(st == PFS_OK, "open", pio_client_errmsg(client), rank)) {
        goto out;
    }

    buf = malloc(per_rank);
    if (buf == NULL) {
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (!verify_only) {
        off = (uint64_t)rank * per_rank;
        for (k = 0; k < per_rank; k++) {
            buf[k] = pattern(off + k);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        st = pio_write(file, off, buf, per_rank);
        ok = agree(st == PFS_OK, "write", pio_client_errmsg(client), rank);
        t_write = MPI_Wtime() - t0;
        if (!ok) {
            goto out_free;
        }
        if (rank == 0) {
            st = pio_sync(file);
        }
        if (!agree(st == PFS_OK, "sync", pio_client_errmsg(client), rank)) {
            goto out_free;
        }
    }

    /* read a neighbour's region: data written by another process */
    off = (uint64_t)((rank + 1) % size) * per_rank;
    memset(buf, 0, per_rank);
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    st = pio_read(file, off, buf, per_rank, &n);
    t_read = MPI_Wtime() - t0;
    if (st == PFS_OK && n != per_rank) {
        snprintf(err, sizeof(err), "short read: %" PRIu64 " of %" PRIu64, n,
                 per_rank);
        st = PFS_ERR_IO;
    } else {
        snprintf(err, sizeof(err), "%s", pio_client_errmsg(client));
    }
    if (!agree(st == PFS_OK, "read", err, rank)) {
        goto out_free;
    }
    for (k = 0; k < per_rank; k++) {
        if (buf[k] != pattern(off + k)) {
            snprintf(err, sizeof(err),
                     "byte at offset %" PRIu64 " is 0x%02x, expected 0x%02x",
                     off + k, buf[k], pattern(off + k));
            break;
        }
    }
    if (!agree(k == per_rank, "verify", err, rank)) {
        goto out_free;
    }
    if (rank == 0) {
        st = pio_get_size(file, &fsize);
    }
    if (!agree(st == PFS_OK && (rank != 0 || fsize == per_rank * size),
               "size check",
               st == PFS_OK ? "wrong file size" : pio_client_errmsg(client),
               rank)) {
        goto out_free;
    }
    if (rank == 0) {
        pio_stat_t sb;
        double wmax = t_write, rmax = t_read;

        pio_fstat(file, &sb);
        MPI_Reduce(MPI_IN_PLACE, &wmax, 1, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD);
        MPI_Reduce(MPI_IN_PLACE, &rmax, 1, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD);
        printf("pio_mpi_example: %d ranks %s %" PRIu64 " bytes of %s "
               "(striped %u x %" PRIu64 " bytes over %u I/O servers): "
               "every byte verified: OK\n",
               size, verify_only ? "re-read" : "wrote and read back", fsize,
               path, sb.stripe_count, sb.stripe_size,
               pio_client_niosrv(client));
        if (!verify_only) {
            printf("pio_mpi_example: timing of this small, cold run: "
                   "write %.1f MiB/s, read %.1f MiB/s (for measurements "
                   "see bench/README.md)\n",
                   fsize / wmax / 1048576.0, fsize / rmax / 1048576.0);
        }
    } else {
        MPI_Reduce(&t_write, NULL, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        MPI_Reduce(&t_read, NULL, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    }
    ok = 1;
    MPI_Barrier(MPI_COMM_WORLD);
    if (!keep && rank == 0) {
        ok = pio_unlink(client, path) == PFS_OK;
    }
    if (agree(ok, "unlink", pio_client_errmsg(client), rank)) {
        rc = 0; /* every step succeeded on every rank */
    }
out_free:
    free(buf);
out:
    pio_close(file);
    pio_fini(client);
    MPI_Finalize();
    return rc;
}
