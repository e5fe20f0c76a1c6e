/* local_io_test.c - local access (common/local.h): a client on the I/O
 * servers' host reads and writes their objects itself.
 *
 *   local_io_test --basic PATH BYTES
 *       one process: write BYTES (1 MiB stripes over every server), read
 *       them back, extend the file and read the hole; prints how many
 *       bytes went through local access ("local N").
 *   mpiexec -n 2 local_io_test --race PATH ITERATIONS
 *       rank 0 writes 4 KiB pieces that the server sieves (a
 *       read-modify-write of the whole 4 MiB span), rank 1 at the same
 *       time writes the 28 KiB gaps between them through local access,
 *       starting a little later each time (0-3 ms) so that its write
 *       falls into the sieve now and then.  After every iteration rank 0
 *       checks both ranks' bytes: a sieve that wrote back stale gap bytes
 *       over rank 1's would show.
 * Exit status 0 when every byte checked out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>
#include <pfs/pio.h>

#define UNIT (32u << 10) /* rank 0: 4 KiB at the start of each unit */
#define SMALL (4u << 10)
#define UNITS 128u /* 4 MiB: one sieve window of the server */

static pio_client_t *client;

static uint8_t pat(uint64_t off, unsigned salt)
{
    uint64_t x = (off + salt) * UINT64_C(0x9e3779b97f4a7c15);
    return (uint8_t)(x >> 56 ^ off);
}

static int die(const char *what, pfs_status_t st)
{
    fprintf(stderr, "local_io_test: %s: %s: %s\n", what, pfs_status_string(st),
            pio_client_errmsg(client));
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
}

static int basic(const char *path, uint64_t bytes)
{
    pio_layout_t layout = {.stripe_size = 1u << 20};
    uint8_t *buf = malloc(bytes + (1u << 20));
    uint64_t i, got, bad = 0;
    pio_file_t *f;
    pfs_status_t st;

    if (buf == NULL) {
        return die("out of memory", PFS_ERR_NOMEM);
    }
    for (i = 0; i < bytes; i++) {
        buf[i] = pat(i, 1);
    }
    if ((st = pio_create(client, path, 0644, PIO_RDWR, &layout, &f)) != 0 ||
        (st = pio_write(f, 0, buf, bytes)) != 0) {
        return die("write", st);
    }
    memset(buf, 0, bytes);
    if ((st = pio_read(f, 0, buf, bytes, &got)) != 0) {
        return die("read", st);
    }
    for (i = 0; i < bytes; i++) {
        bad += buf[i] != pat(i, 1);
    }
    /* a hole: the file grows by 1 MiB that nobody wrote */
    if ((st = pio_truncate(f, bytes + (1u << 20))) != 0 ||
        (st = pio_read(f, bytes, buf, 1u << 20, &got)) != 0) {
        return die("hole", st);
    }
    for (i = 0; i < (1u << 20); i++) {
        bad += buf[i] != 0;
    }
    printf("basic: wrote and read %" PRIu64 " bytes and a 1 MiB hole: %" PRIu64
           " bad bytes; local %" PRIu64 "\n",
           bytes, bad, pio_client_local_bytes(client));
    pio_close(f);
    free(buf);
    return bad == 0 && got == (1u << 20) ? 0 : 1;
}

static int race(const char *path, int iterations)
{
    pio_layout_t layout = {.stripe_size = 1u << 20, .stripe_count = 1};
    uint64_t offs[UNITS], lens[UNITS], written = 0, before, bad = 0;
    uint8_t *buf = malloc(UNITS * UNIT), *back = malloc(UNITS * UNIT);
    pio_file_t *f = NULL;
    pio_desc_t fd;
    pfs_status_t st = PFS_OK;
    int rank, it, all;
    unsigned k;

    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        st = pio_create(client, path, 0644, PIO_RDWR, &layout, &f);
        if (st == PFS_OK) {
            pio_close(f);
        }
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK || (st = pio_open(client, path, PIO_RDWR, &f)) != 0) {
        return die("create", st);
    }
    for (k = 0; k < UNITS; k++) {
        offs[k] = (uint64_t)k * UNIT + (rank == 0 ? 0 : SMALL);
        lens[k] = rank == 0 ? SMALL : UNIT - SMALL;
    }
    pio_desc_list(&fd, offs, lens, UNITS);
    for (it = 1; it <= iterations; it++) {
        uint64_t n = 0, i;

        for (k = 0; k < UNITS; k++) {
            for (i = 0; i < lens[k]; i++) {
                buf[n++] = pat(offs[k] + i, (unsigned)it);
            }
        }
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 1) {
            usleep((useconds_t)((unsigned)it * 7919u % 3000u));
        }
        before = pio_client_local_bytes(client);
        if ((st = pio_write_desc(f, buf, NULL, &fd, NULL)) != 0) {
            return die("write", st);
        }
        written += pio_client_local_bytes(client) - before;
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0) {
            uint64_t got;

            if ((st = pio_read(f, 0, back, UNITS * UNIT, &got)) != 0) {
                return die("read", st);
            }
            for (i = 0; i < UNITS * UNIT; i++) {
                if (back[i] != pat(i, (unsigned)it) && bad++ == 0) {
                    fprintf(stderr,
                            "iteration %d: byte %" PRIu64 " is "
                            "0x%02x, expected 0x%02x (written by rank %d)\n",
                            it, i, back[i], pat(i, (unsigned)it),
                            i % UNIT < SMALL ? 0 : 1);
                }
            }
        }
    }
    /* rank 1 must really have written locally, rank 0 through the server */
    printf("race: rank %d wrote %" PRIu64 " bytes through local access in "
           "%d iterations\n",
           rank, written, iterations);
    fflush(stdout);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        printf("race: %d iterations, %" PRIu64 " bad bytes\n", iterations, bad);
    }
    all = bad == 0;
    MPI_Bcast(&all, 1, MPI_INT, 0, MPI_COMM_WORLD);
    pio_close(f);
    free(buf);
    free(back);
    return all ? 0 : 1;
}

int main(int argc, char **argv)
{
    char errmsg[512];
    pfs_status_t st;
    int rc;

    MPI_Init(&argc, &argv);
    if (argc != 4 ||
        (strcmp(argv[1], "--basic") != 0 && strcmp(argv[1], "--race") != 0)) {
        fprintf(stderr, "usage: local_io_test --basic PATH BYTES | "
                        "--race PATH ITERATIONS\n");
        MPI_Finalize();
        return 2;
    }
    st = pio_init(NULL, &client, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        fprintf(stderr, "local_io_test: %s\n", errmsg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    rc = strcmp(argv[1], "--basic") == 0
             ? basic(argv[2], strtoull(argv[3], NULL, 0))
             : race(argv[2], atoi(argv[3]));
    pio_fini(client);
    MPI_Finalize();
    return rc;
}
