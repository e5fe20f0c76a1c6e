/* coll_mpi_test_calls.c - coll_mpi_test's error agreement, many small
 * and mixed calls, the batch interface, and the --loop, --loop-read and
 * --shape runs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

#include "coll_mpi_test.h"

/* One rank passes a bad description: every rank gets the same error. */
void test_error_agreement(void)
{
    pio_file_t *f = shared_file("/coll-error", 4096);
    pio_coll_hints_t h = two_phase(0);
    pio_desc_t w;
    uint8_t buf[4096];
    char err[600] = "";
    pfs_status_t st;
    int sts[2], lo_hi[2];

    memset(buf, 1, sizeof(buf));
    pio_desc_contig(&w, (uint64_t)rank * 4096, 4096);
    if (rank == nranks - 1) {
        pio_desc_contig(&w, UINT64_MAX - 10, 4096); /* beyond any file */
    }
    st = pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &w, &h, NULL, err,
                       sizeof(err));
    sts[0] = st;
    sts[1] = -st;
    MPI_Allreduce(sts, lo_hi, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    {
        char expect[32];
        snprintf(expect, sizeof(expect), "rank %d:", nranks - 1);
        report("an error on one rank: every rank returns the same status "
               "and names that rank",
               st != PFS_OK && lo_hi[0] == -lo_hi[1] &&
                   strncmp(err, expect, strlen(expect)) == 0,
               err);
    }
    pio_close(f);
}

/* One collective call per record, as MPI-IO programs make them: `calls`
 * writes of `k` records of `rec` bytes per rank (record (i * k + j) *
 * nranks + rank), then `calls` reads of the next rank's records, every
 * byte checked.  Also checks that every call ran in `want_direct` mode on
 * every rank (-1: either). */
static void small_calls(const char *name, pio_file_t *f,
                        const pio_coll_hints_t *h, uint64_t rec, uint64_t k,
                        int calls, int want_direct, unsigned salt)
{
    uint8_t *b = malloc(rec * k);
    char err[600] = "", why[300] = "", label[200];
    pio_coll_stats_t stats;
    pfs_status_t st = PFS_OK;
    pio_desc_t d;
    uint64_t got, stride = rec * (uint64_t)nranks;
    int i, pass, bad, any;

    for (pass = 0; pass < 2; pass++) {
        int who = pass == 0 ? rank : (rank + 1) % nranks;

        for (i = 0; i < calls && st == PFS_OK && why[0] == '\0'; i++) {
            pio_desc_vector(
                &d, ((uint64_t)i * k * (uint64_t)nranks + (uint64_t)who) * rec,
                k, rec, stride);
            got = 0;
            if (pass == 0) {
                fill_desc(b, &d, salt);
                st = pio_write_all(f, MPI_COMM_WORLD, b, NULL, &d, h, &got, err,
                                   sizeof(err));
            } else {
                memset(b, 0xee, rec * k);
                st = pio_read_all(f, MPI_COMM_WORLD, b, NULL, &d, h, &got, err,
                                  sizeof(err));
                if (st == PFS_OK) {
                    (void)check_desc(b, &d, salt, why, sizeof(why));
                }
            }
            if (st == PFS_OK && got != rec * k) {
                snprintf(why, sizeof(why), "call %d moved %" PRIu64 " bytes", i,
                         got);
            }
            pio_coll_last_stats(&stats);
            if (want_direct >= 0 && stats.direct != want_direct &&
                why[0] == '\0') {
                snprintf(why, sizeof(why), "call %d ran %s", i,
                         stats.direct ? "direct" : "two-phase");
            }
            /* every rank stops at the same call */
            bad = why[0] != '\0';
            MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
            if (any && !bad) {
                snprintf(why, sizeof(why), "another rank failed");
            }
        }
        snprintf(label, sizeof(label), "%s: %d collective %s", name, calls,
                 pass == 0 ? "writes" : "reads of the next rank's records");
        report(label, st == PFS_OK && why[0] == '\0', st != PFS_OK ? err : why);
    }
    free(b);
}

void test_small_calls(void)
{
    pio_file_t *f = shared_file("/coll-calls", 65536);
    pio_coll_hints_t h;

    pio_coll_hints_default(&h);
    small_calls("47008-byte records, automatic mode (direct)", f, &h, 47008, 1,
                60, 1, 11);
    small_calls("100-byte records, automatic mode (direct: one piece)", f, &h,
                100, 1, 30, 1, 12);
    small_calls("64 records of 100 bytes per call, automatic mode "
                "(two-phase: many small pieces)",
                f, &h, 100, 64, 20, 0, 13);
    h = two_phase(0);
    small_calls("47008-byte records, two-phase forced", f, &h, 47008, 1, 30, 0,
                14);
    h.cb_write = h.cb_read = PIO_CB_DISABLE;
    small_calls("64 records of 100 bytes per call, direct forced", f, &h, 100,
                64, 20, 1, 15);
    pio_close(f);
}

/* Rank r's part of call i in the mixed test: `bytes` in `pieces` equal
 * pieces, from nothing to 2 MiB, different on every rank and in every
 * call; every fourth call nobody has anything, and in other calls some
 * ranks have nothing. */
static void mixed_shape(int i, int r, uint64_t *bytes, uint64_t *pieces)
{
    static const uint64_t shapes[][2] = {
        {0, 0},      {100, 1}, {4096, 64},    {47008, 1}, {0, 0},
        {300000, 1}, {17, 1},  {2u << 20, 1}, {16384, 16}};
    const int n = (int)(sizeof(shapes) / sizeof(shapes[0]));
    int k = (i * 2 + r) % n;

    *bytes = i % 4 == 3 ? 0 : shapes[k][0];
    *pieces = i % 4 == 3 ? 0 : shapes[k][1];
}

/* The file span of a part: pieces of bytes/pieces each, spaced at twice
 * their size (holes between them). */
static uint64_t mixed_span(int i, int r)
{
    uint64_t bytes, pieces;

    mixed_shape(i, r, &bytes, &pieces);
    return pieces > 1 ? 2 * bytes : bytes;
}

static uint64_t desc_bytes_of(int i, int r)
{
    uint64_t bytes, pieces;

    mixed_shape(i, r, &bytes, &pieces);
    return bytes;
}

/* Call i's region starts after all earlier calls' parts; rank r's part
 * follows the lower ranks' parts of the same call. */
static void mixed_desc(int i, int r, pio_desc_t *d)
{
    uint64_t off = 0, bytes, pieces;
    int k, q;

    for (k = 0; k < i; k++) {
        for (q = 0; q < nranks; q++) {
            off += mixed_span(k, q);
        }
    }
    for (q = 0; q < r; q++) {
        off += mixed_span(i, q);
    }
    mixed_shape(i, r, &bytes, &pieces);
    if (pieces > 1) {
        pio_desc_vector(d, off, pieces, bytes / pieces, 2 * bytes / pieces);
    } else {
        pio_desc_contig(d, off, bytes);
    }
}

/* Mixed sizes and piece counts across ranks and calls, automatic mode:
 * each rank goes direct or two-phase on its own, and the others still
 * exchange; ranks with nothing take part; calls where nobody has
 * anything succeed and do no I/O.  Read back by the next rank, every
 * byte checked. */
void test_mixed_calls(void)
{
    const int calls = 24;
    pio_file_t *f = shared_file("/coll-mixed", 65536);
    uint8_t *b = malloc((2u << 20) + 1);
    pio_coll_hints_t h;
    pio_coll_stats_t stats;
    pio_desc_t d;
    char err[600] = "", why[300] = "";
    pfs_status_t st = PFS_OK;
    uint64_t got;
    int i, pass, modes[2] = {0, 0}, all[2], empty_ok = 1, bad, any;

    /* automatic mode with a threshold of its own, so that both modes
     * occur whatever the default */
    pio_coll_hints_default(&h);
    h.direct_min = 32768;
    for (pass = 0; pass < 2 && st == PFS_OK && why[0] == '\0'; pass++) {
        for (i = 0; i < calls && st == PFS_OK && why[0] == '\0'; i++) {
            int who = pass == 0 ? rank : (rank + 1) % nranks;
            uint64_t n = desc_bytes_of(i, who);

            mixed_desc(i, who, &d);
            got = UINT64_MAX;
            if (pass == 0) {
                fill_desc(b, &d, 21);
                st = pio_write_all(f, MPI_COMM_WORLD, b, NULL, &d, &h, &got,
                                   err, sizeof(err));
            } else {
                memset(b, 0xee, n + 1);
                st = pio_read_all(f, MPI_COMM_WORLD, b, NULL, &d, &h, &got, err,
                                  sizeof(err));
                if (st == PFS_OK && b[n] != 0xee) {
                    snprintf(why, sizeof(why), "call %d: past the buffer", i);
                } else if (st == PFS_OK) {
                    (void)check_desc(b, &d, 21, why, sizeof(why));
                }
            }
            if (st == PFS_OK && got != n) {
                snprintf(why, sizeof(why),
                         "call %d moved %" PRIu64 " bytes, not %" PRIu64, i,
                         got, n);
            }
            pio_coll_last_stats(&stats);
            if (i % 4 == 3) {
                empty_ok &= stats.requests == 0 && stats.rounds == 0;
            } else if (n > 0) {
                modes[stats.direct != 0]++;
            }
            bad = why[0] != '\0';
            MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
            if (any && !bad) {
                snprintf(why, sizeof(why), "another rank failed");
            }
        }
    }
    report("mixed sizes (0 B to 2 MiB, 1 to 64 pieces) across ranks and "
           "calls, some ranks and some calls with nothing, automatic mode "
           "(32 KiB threshold): written, read back by the next rank",
           st == PFS_OK && why[0] == '\0', st != PFS_OK ? err : why);
    MPI_Allreduce(modes, all, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &empty_ok, 1, MPI_INT, MPI_LAND,
                  MPI_COMM_WORLD);
    snprintf(why, sizeof(why),
             "%d direct and %d two-phase parts; empty calls %s", all[1], all[0],
             empty_ok ? "did no I/O" : "did I/O");
    report("mixed sizes: both modes chosen, empty calls do nothing",
           all[0] > 0 && all[1] > 0 && empty_ok, why);
    free(b);
    pio_close(f);
}

/* The batch interface: "more" from one rank reaches all; a failure one
 * rank brings is returned by every rank, with its explanation. */
void test_batch(void)
{
    pio_file_t *f = shared_file("/coll-batch", 65536);
    pio_coll_batch_t batch;
    uint8_t buf[4096];
    pio_desc_t d;
    char err[600] = "", expect[64];
    pfs_status_t st;
    int sts[2], lo_hi[2];

    memset(buf, 7, sizeof(buf));
    pio_desc_contig(&d, (uint64_t)rank * 4096, 4096);
    memset(&batch, 0, sizeof(batch));
    batch.more = rank == nranks - 1;
    st = pio_write_all_batch(f, MPI_COMM_WORLD, buf, NULL, &d, NULL, &batch,
                             NULL, err, sizeof(err));
    report("batch: one rank's \"more\" reaches every rank",
           st == PFS_OK && batch.any_more == 1, err);
    memset(&batch, 0, sizeof(batch));
    pio_desc_contig(&d, 0, 0);
    if (rank == nranks - 1) {
        batch.failed = PFS_ERR_NOMEM;
        batch.failed_msg = "no memory for the piece lists";
    }
    st = pio_read_all_batch(f, MPI_COMM_WORLD, buf, NULL, &d, NULL, &batch,
                            NULL, err, sizeof(err));
    sts[0] = st;
    sts[1] = -st;
    MPI_Allreduce(sts, lo_hi, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    snprintf(expect, sizeof(expect), "rank %d: no memory", nranks - 1);
    report("batch: a failure one rank brings is every rank's, with its "
           "explanation",
           st == PFS_ERR_NOMEM && lo_hi[0] == -lo_hi[1] &&
               strncmp(err, expect, strlen(expect)) == 0,
           err);
    pio_close(f);
}

/* Collective writes for `seconds`; the test kills a server meanwhile. */
int loop(int seconds)
{
    pio_file_t *f = shared_file("/coll-loop", 65536);
    pio_coll_hints_t h = two_phase(1 << 20);
    const uint64_t per = 4u << 20;
    uint8_t *buf = malloc(per);
    double end = MPI_Wtime() + seconds;
    pio_desc_t w;
    char err[600] = "";
    pfs_status_t st = PFS_OK;
    int iter = 0, go = 1;

    memset(buf, rank, per);
    pio_desc_vector(&w, (uint64_t)rank * 65536, per / 65536, 65536,
                    65536 * (uint64_t)nranks);
    while (go) {
        st = pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &w, &h, NULL, err,
                           sizeof(err));
        iter++;
        if (rank == 0 && iter == 1) {
            printf("looping\n");
            fflush(stdout);
        }
        go = st == PFS_OK && MPI_Wtime() < end;
        MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    printf("rank %d: status %d after %d collective writes: %s\n", rank, (int)st,
           iter, err);
    fflush(stdout);
    pio_close(f); /* local only: no server is asked */
    free(buf);
    return 0;
}

/* Split collective reads for `seconds` of a file written once; a server
 * killed meanwhile must make _end agree on the I/O failure (today a read
 * from a killed server can hang in the transport: see the doc). */
int loop_read(int seconds)
{
    pio_file_t *f = shared_file("/coll-loop-read", 65536);
    pio_coll_hints_t h = two_phase(1 << 20);
    const uint64_t per = 4u << 20;
    uint8_t *buf = malloc(per);
    double end;
    pio_coll_op_t *op = NULL;
    pio_desc_t w, r;
    uint64_t s, n;
    char err[600] = "";
    pfs_status_t st;
    int iter = 0, go = 1;

    memset(buf, rank, per);
    pio_desc_vector(&w, (uint64_t)rank * 65536, per / 65536, 65536,
                    65536 * (uint64_t)nranks);
    st = pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &w, &h, NULL, err,
                       sizeof(err));
    if (st != PFS_OK) {
        fprintf(stderr, "coll_mpi_test: loop-read setup: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    split(per * (uint64_t)nranks, nranks, (rank + 1) % nranks, &s, &n);
    pio_desc_contig(&r, s, n);
    end = MPI_Wtime() + seconds;
    while (go) {
        st = pio_read_all_begin(f, MPI_COMM_WORLD, buf, NULL, &r, &h, &op);
        (void)compute(100000);
        if (st == PFS_OK) {
            st = pio_read_all_end(op, NULL, err, sizeof(err));
        }
        iter++;
        if (rank == 0 && iter == 1) {
            printf("looping\n");
            fflush(stdout);
        }
        go = st == PFS_OK && MPI_Wtime() < end;
        MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    printf("rank %d: status %d after %d split collective reads: %s\n", rank,
           (int)st, iter, err);
    fflush(stdout);
    pio_close(f); /* local only: no server is asked */
    free(buf);
    return 0;
}

/* One fine-grained interleaved collective write (512-byte blocks, 2 MiB
 * per rank) with default hints; prints what each rank did.  The test
 * compares with the servers' own request counts. */
int shape(void)
{
    const uint64_t block = 512, per = 2u << 20;
    pio_file_t *f = shared_file("/coll-shape", 1u << 20);
    uint8_t *buf = malloc(per);
    pio_coll_stats_t stats;
    pio_desc_t w;
    char err[600] = "";
    pfs_status_t st;

    memset(buf, rank + 1, per);
    pio_desc_vector(&w, (uint64_t)rank * block, per / block, block,
                    block * (uint64_t)nranks);
    st = pio_write_all(f, MPI_COMM_WORLD, buf, NULL, &w, NULL, NULL, err,
                       sizeof(err));
    pio_coll_last_stats(&stats);
    printf("rank %d: status %d, %s, %d aggregators, aggregator %s, %llu "
           "rounds, %llu server requests, %llu bytes\n",
           rank, (int)st, stats.direct ? "direct" : "two-phase",
           stats.aggregators, stats.is_aggregator ? "yes" : "no",
           (unsigned long long)stats.rounds, (unsigned long long)stats.requests,
           (unsigned long long)stats.bytes);
    fflush(stdout);
    pio_close(f);
    free(buf);
    return st == PFS_OK ? 0 : 1;
}
