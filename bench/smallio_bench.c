/* smallio_bench.c - the cost of one small request: a single client (no
 * MPI) doing many small writes and reads through libpio, one request each,
 * through the I/O servers (local access off) and with local access on.
 * Written to measure what per-request checks (capabilities, doc/security.md)
 * cost on the paths where that cost is least hidden.
 *
 *   smallio_bench [--count N] [--reps R]
 *
 * Output: CSV, one line per (path, op, size): the best of R runs of N
 * operations each, as operations per second and microseconds per op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pfs/pio.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef enum { OP_WRITE, OP_READ, OP_SIZE } op_t;

/* N operations of size bytes on f at offsets spread over 64 MiB: seconds,
 * or a negative value on failure. */
static double run(pio_client_t *c, pio_file_t *f, op_t op, uint64_t size,
                  long n, uint8_t *buf)
{
    uint64_t x = 88172645463325252u, got, off;
    double t0 = now_s();
    long i;

    for (i = 0; i < n; i++) {
        pfs_status_t st;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        off = (x % ((64u << 20) / size)) * size;
        if (op == OP_WRITE) {
            st = pio_write(f, off, buf, size);
        } else if (op == OP_READ) {
            st = pio_read(f, off, buf, size, &got);
        } else {
            st = pio_get_size(f, &got);
        }
        if (st != PFS_OK) {
            fprintf(stderr, "smallio_bench: %s\n", pio_client_errmsg(c));
            return -1;
        }
    }
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    static const struct {
        op_t op;
        const char *name;
        uint64_t size;
    } cases[] = {{OP_WRITE, "write", 64},
                 {OP_READ, "read", 64},
                 {OP_WRITE, "write", 4096},
                 {OP_READ, "read", 4096},
                 {OP_SIZE, "size", 0}};
    long count = 5000;
    int reps = 5, i, r, local;
    uint8_t *buf = calloc(1, 4096);
    char err[512];

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            count = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: smallio_bench [--count N] [--reps R]\n");
            return 2;
        }
    }
    printf("path,op,bytes,count,seconds,ops_s,us_per_op\n");
    for (local = 0; local < 2; local++) {
        pio_config_t cfg = {0};
        pio_layout_t layout = {0};
        pio_client_t *c;
        pio_file_t *f;

        cfg.local_io = local ? 1 : -1;
        if (pio_init(&cfg, &c, err, sizeof(err)) != PFS_OK) {
            fprintf(stderr, "smallio_bench: %s\n", err);
            return 1;
        }
        layout.stripe_size = 1u << 20;
        if (pio_create(c, local ? "/smallio-local" : "/smallio-servers", 0644,
                       PIO_RDWR, &layout, &f) != PFS_OK) {
            fprintf(stderr, "smallio_bench: %s\n", pio_client_errmsg(c));
            return 1;
        }
        for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
            double best = 1e30;
            uint64_t sz = cases[i].size ? cases[i].size : 1;

            for (r = 0; r < reps; r++) {
                double t = run(c, f, cases[i].op, sz, count, buf);

                if (t < 0) {
                    return 1;
                }
                best = t < best ? t : best;
            }
            printf("%s,%s,%llu,%ld,%.6f,%.0f,%.2f\n",
                   local ? "local-access-on" : "via-servers", cases[i].name,
                   (unsigned long long)cases[i].size, count, best,
                   (double)count / best, best * 1e6 / (double)count);
            fflush(stdout);
        }
        pio_close(f);
        pio_fini(c);
    }
    free(buf);
    return 0;
}
