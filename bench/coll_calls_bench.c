/* coll_calls_bench.c - the cost of small collective calls in libpio_mpi:
 * loops of pio_write_all / pio_read_all with one record per rank per
 * call, in each mode (direct, two-phase, automatic) and for several
 * record sizes, beside the same I/O without the collective (pio_write_desc
 * / pio_read_desc: "independent"), beside the cost of an empty call and of one
 * MPI_Allreduce of 16 bytes on the same communicator.  This is how the
 * automatic mode's threshold (pfs_direct_min) was chosen
 * (doc/collective-io.md).
 *
 *   mpiexec -n 4 coll_calls_bench [--label L] [--calls N] [--reps N]
 *                                 [--sizes B,B,...]
 *
 * Record i of rank r is at (i * nranks + r) * B; reads take the next
 * rank's records.  Local access follows PFS_LOCAL_IO.  CSV, best of N:
 *   label,size,mode,op,us_per_call,MiB_s,exchange_us,io_wait_us
 * (exchange and I/O-wait: rank 0's per-call average from
 * pio_coll_last_stats).  Rows "empty" and "allreduce16" give the fixed
 * costs (size 0).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

#include "bench_util.h"

static int rank, nranks;

static double slowest(double t0)
{
    double t = MPI_Wtime() - t0;

    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return t;
}

static pio_file_t *open_shared(pio_client_t *c, const char *path)
{
    pio_layout_t layout = {.stripe_size = 1u << 20};
    uint8_t handle[PIO_HANDLE_MAX];
    pio_file_t *f = NULL;
    size_t len = 0;
    int st = PFS_OK;

    if (rank == 0) {
        (void)pio_unlink(c, path);
        st = pio_create(c, path, 0644, PIO_RDWR, &layout, &f);
        if (st == PFS_OK) {
            st = pio_file_export(f, handle, sizeof(handle), &len);
        }
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK) {
        fprintf(stderr, "coll_calls_bench: create %s: %s\n", path,
                pio_client_errmsg(c));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Bcast(&len, sizeof(len), MPI_BYTE, 0, MPI_COMM_WORLD);
    MPI_Bcast(handle, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank != 0 && pio_file_import(c, handle, len, PIO_RDWR, &f) != PFS_OK) {
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return f;
}

typedef struct {
    double s;      /* seconds for all calls, slowest rank */
    double xchg_s; /* rank 0's exchange time, summed */
    double wait_s; /* rank 0's I/O wait, summed */
} result_t;

/* `calls` collective calls of one `size`-byte record per rank. */
static result_t loop(pio_file_t *f, uint8_t *buf, uint64_t size, int calls,
                     const pio_coll_hints_t *h, int write, int independent)
{
    int who = write ? rank : (rank + 1) % nranks;
    pio_coll_stats_t stats;
    result_t r = {0, 0, 0};
    char err[600];
    pio_desc_t d;
    double t0;
    int i;

    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (i = 0; i < calls; i++) {
        uint64_t off = ((uint64_t)i * (uint64_t)nranks + (uint64_t)who) * size;
        pfs_status_t st;

        pio_desc_contig(&d, off, size);
        if (independent) {
            /* the same I/O without the collective: the reference */
            st = write ? pio_write_desc(f, buf, NULL, &d, NULL)
                       : pio_read_desc(f, buf, NULL, &d, NULL);
            snprintf(err, sizeof(err), "independent I/O: %s",
                     pfs_status_string(st));
            memset(&stats, 0, sizeof(stats));
        } else {
            st = write ? pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &d, h,
                                       NULL, err, sizeof(err))
                       : pio_read_all(f, MPI_COMM_WORLD, buf, NULL, &d, h, NULL,
                                      err, sizeof(err));
            pio_coll_last_stats(&stats);
        }
        if (st != PFS_OK) {
            fprintf(stderr, "coll_calls_bench: %s\n", err);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        r.xchg_s += stats.exchange_s;
        r.wait_s += stats.io_wait_s;
    }
    r.s = slowest(t0);
    return r;
}

static void row(const char *label, uint64_t size, const char *mode,
                const char *op, const result_t *r, int calls)
{
    if (rank != 0) {
        return;
    }
    printf("%s,%" PRIu64 ",%s,%s,%.1f,%.1f,%.1f,%.1f\n", label, size, mode, op,
           r->s / calls * 1e6,
           size > 0 ? (double)size * nranks * calls / r->s / 1048576.0 : 0.0,
           r->xchg_s / calls * 1e6, r->wait_s / calls * 1e6);
    fflush(stdout);
}

static const char usage_args[] =
    "[--label L] [--calls N] [--reps N] [--sizes B,B,...]";

int main(int argc, char **argv)
{
    const char *label = "run", *sizes = "4096,16384,32768,47008,131072,1048576";
    int calls = 200, reps = 3;
    pio_client_t *c;
    char msg[512], list[256], *tok, *save = NULL;
    const bench_opt_t opts[] = {
        {"--label", BENCH_OPT_STR, &label},
        {"--calls", BENCH_OPT_INT, &calls},
        {"--reps", BENCH_OPT_INT, &reps},
        {"--sizes", BENCH_OPT_STR, &sizes},
        {NULL, 0, NULL},
    };

    if (bench_start(&argc, &argv, opts, usage_args, &rank, &nranks) != 0) {
        return 2;
    }
    if (calls < 1 || reps < 1) {
        MPI_Finalize();
        return 2;
    }
    if (pio_init(NULL, &c, msg, sizeof(msg)) != PFS_OK) {
        fprintf(stderr, "coll_calls_bench: %s\n", msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank == 0) {
        printf("label,size,mode,op,us_per_call,MiB_s,exchange_us,io_wait_us\n");
    }

    /* fixed costs: an empty collective call, and one MPI_Allreduce */
    {
        pio_file_t *f = open_shared(c, "/calls-empty");
        result_t best[2] = {{1e30, 0, 0}, {1e30, 0, 0}};
        uint64_t in[2] = {1, 2}, out[2];
        uint8_t dummy = 0;
        int r;

        for (r = 0; r < reps; r++) {
            result_t e, a = {0, 0, 0};
            double t0;
            int k;

            e = loop(f, &dummy, 0, calls * 5, NULL, 1, 0);
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
            for (k = 0; k < calls * 5; k++) {
                MPI_Allreduce(in, out, 2, MPI_UINT64_T, MPI_SUM,
                              MPI_COMM_WORLD);
            }
            a.s = slowest(t0);
            if (e.s < best[0].s) {
                best[0] = e;
            }
            if (a.s < best[1].s) {
                best[1] = a;
            }
        }
        row(label, 0, "empty", "write", &best[0], calls * 5);
        row(label, 0, "allreduce16", "-", &best[1], calls * 5);
        pio_close(f);
    }

    snprintf(list, sizeof(list), "%s", sizes);
    for (tok = strtok_r(list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        uint64_t size = strtoull(tok, NULL, 10);
        static const char *modes[4] = {"direct", "two-phase", "auto",
                                       "independent"};
        result_t best[4][2];
        uint8_t *buf = malloc(size ? size : 1);
        pio_file_t *f;
        int m, r, op;

        memset(buf, rank + 1, size);
        f = open_shared(c, "/calls");
        for (m = 0; m < 4; m++) {
            best[m][0].s = best[m][1].s = 1e30;
        }
        for (r = 0; r < reps; r++) {
            for (m = 0; m < 4; m++) {
                pio_coll_hints_t h;

                pio_coll_hints_default(&h);
                if (m < 2) {
                    h.cb_write = h.cb_read =
                        m == 0 ? PIO_CB_DISABLE : PIO_CB_ENABLE;
                }
                for (op = 0; op < 2; op++) {
                    result_t x = loop(f, buf, size, calls, &h, op == 0, m == 3);
                    if (x.s < best[m][op].s) {
                        best[m][op] = x;
                    }
                }
            }
        }
        for (m = 0; m < 4; m++) {
            for (op = 0; op < 2; op++) {
                row(label, size, modes[m], op == 0 ? "write" : "read",
                    &best[m][op], calls);
            }
        }
        pio_close(f);
        free(buf);
    }
    pio_fini(c);
    MPI_Finalize();
    return 0;
}
