
/* coll_mpi_test.c - collective I/O (libpio_mpi) from any number of ranks:
 * 1-D interleaved blocks, uneven 2-D and 3-D subarrays (some ranks with
 * nothing), read back with other decompositions and checked byte by byte;
 * direct and automatic modes, the split collective write and read, hints,
 * and collective error agreement; many small calls in a loop (one record
 * per rank per call, as MPI-IO programs make them), mixed sizes across
 * ranks and calls with some ranks or all of them empty, and the batch
 * interface.
 *
 *   mpiexec -n N coll_mpi_test            all checks
 *   mpiexec -n N coll_mpi_test --loop S   collective writes for S seconds,
 *                                         then report each rank's status
 *                                         (the test kills a server meanwhile)
 *   mpiexec -n N coll_mpi_test --loop-read S
 *                                         the same with split collective
 *                                         reads (begin, compute, end);
 *                                         not run yet: a killed server can
 *                                         hang reads (doc/collective-io.md)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

#include "coll_mpi_test.h"

int rank, nranks, failures;
pio_client_t *client;

static uint8_t pat(uint64_t off, unsigned salt)
{
    uint64_t x = (off + salt * 7919) * UINT64_C(0x9e3779b97f4a7c15);
    return (uint8_t)(x >> 56 ^ off);
}

void report(const char *name, int ok, const char *why)
{
    int all;

    if (!ok) {
        fprintf(stderr, "coll_mpi_test: rank %d: %s: %s\n", rank, name, why);
    }
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("%s: %s (%d ranks)\n", all ? "ok" : "FAIL", name, nranks);
        fflush(stdout);
    }
    failures += !all;
}

/* Rank 0 creates the file and broadcasts the exported handle: one
 * metadata request for the whole communicator. */
pio_file_t *shared_file(const char *path, uint64_t stripe)
{
    pio_layout_t layout = {.stripe_size = stripe};
    uint8_t handle[PIO_HANDLE_MAX];
    pio_file_t *f = NULL;
    pfs_status_t st = PFS_OK;
    size_t len = 0;
    uint64_t hlen;

    if (rank == 0) {
        (void)pio_unlink(client, path);
        st = pio_create(client, path, 0644, PIO_RDWR | PIO_EXCL, &layout, &f);
        if (st == PFS_OK) {
            st = pio_file_export(f, handle, sizeof(handle), &len);
        }
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK) {
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    hlen = len;
    MPI_Bcast(&hlen, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    MPI_Bcast(handle, (int)hlen, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank != 0 &&
        pio_file_import(client, handle, hlen, PIO_RDWR, &f) != PFS_OK) {
        fprintf(stderr, "import: %s\n", pio_client_errmsg(client));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return f;
}

/* Split n into parts: part i of k has n/k, the first n%k one more. */
void split(uint64_t n, int k, int i, uint64_t *start, uint64_t *len)
{
    uint64_t base = n / (uint64_t)k, rest = n % (uint64_t)k;

    *start = (uint64_t)i * base + ((uint64_t)i < rest ? (uint64_t)i : rest);
    *len = base + ((uint64_t)i < rest);
}

pio_coll_hints_t two_phase(uint64_t cb)
{
    pio_coll_hints_t h;

    pio_coll_hints_default(&h);
    h.cb_write = h.cb_read = PIO_CB_ENABLE;
    if (cb > 0) {
        h.cb_buffer_size = cb;
    }
    return h;
}

/* Check buf (nbytes laid out as `desc` of the file) against the pattern. */
int check_desc(const uint8_t *buf, const pio_desc_t *d, unsigned salt,
               char *why, size_t n)
{
    uint64_t idx[PIO_MAX_DIMS] = {0}, pos = 0, k;
    int i, more = 1;

    if (d->kind == PIO_DESC_STRIDED && d->ndims > 0) {
        for (i = 0; i < d->ndims; i++) {
            if (d->dims[i].count == 0) {
                return 1;
            }
        }
    }
    while (more) {
        uint64_t off = d->offset;

        for (i = 0; i < d->ndims; i++) {
            off += idx[i] * d->dims[i].stride;
        }
        for (k = 0; k < d->blocklen; k++) {
            if (buf[pos + k] != pat(off + k, salt)) {
                snprintf(why, n, "file byte %" PRIu64 " is 0x%02x, not 0x%02x",
                         off + k, buf[pos + k], pat(off + k, salt));
                return 0;
            }
        }
        pos += d->blocklen;
        for (i = d->ndims - 1; i >= 0; i--) {
            if (++idx[i] < d->dims[i].count) {
                break;
            }
            idx[i] = 0;
        }
        more = i >= 0;
    }
    return 1;
}

void fill_desc(uint8_t *buf, const pio_desc_t *d, unsigned salt)
{
    uint64_t idx[PIO_MAX_DIMS] = {0}, pos = 0, k;
    int i, more = 1;

    for (i = 0; i < d->ndims; i++) {
        if (d->dims[i].count == 0) {
            return;
        }
    }
    while (more) {
        uint64_t off = d->offset;

        for (i = 0; i < d->ndims; i++) {
            off += idx[i] * d->dims[i].stride;
        }
        for (k = 0; k < d->blocklen; k++) {
            buf[pos + k] = pat(off + k, salt);
        }
        pos += d->blocklen;
        for (i = d->ndims - 1; i >= 0; i--) {
            if (++idx[i] < d->dims[i].count) {
                break;
            }
            idx[i] = 0;
        }
        more = i >= 0;
    }
}

uint64_t desc_bytes(const pio_desc_t *d)
{
    uint64_t n = d->blocklen;
    int i;

    for (i = 0; i < d->ndims; i++) {
        n *= d->dims[i].count;
    }
    return n;
}

/* Write with one collective call (desc w), read back collectively with
 * another decomposition (desc r), verify. */
static void round_trip(const char *name, pio_file_t *f, const pio_desc_t *w,
                       const pio_desc_t *r, const pio_coll_hints_t *h,
                       unsigned salt)
{
    uint64_t wn = desc_bytes(w), rn = desc_bytes(r), got = 0;
    uint8_t *wb = malloc(wn + 1), *rb = malloc(rn + 1);
    char err[600] = "", why[300] = "", label[200];
    pfs_status_t st;

    fill_desc(wb, w, salt);
    st = pio_write_all(f, MPI_COMM_WORLD, wb, NULL, w, h, &got, err,
                       sizeof(err));
    snprintf(label, sizeof(label), "%s: collective write", name);
    report(label, st == PFS_OK && got == wn, err);
    memset(rb, 0xee, rn + 1);
    st =
        pio_read_all(f, MPI_COMM_WORLD, rb, NULL, r, h, &got, err, sizeof(err));
    snprintf(label, sizeof(label), "%s: collective read, other decomposition",
             name);
    report(label,
           st == PFS_OK && got == rn &&
               check_desc(rb, r, salt, why, sizeof(why)),
           st != PFS_OK ? err : why);
    free(wb);
    free(rb);
}

static void test_1d(void)
{
    const uint64_t block = 47008, nb = 40;
    pio_file_t *f = shared_file("/coll-1d", 65536);
    pio_coll_hints_t h = two_phase(256 << 10); /* several rounds */
    pio_desc_t w, r;
    uint64_t s, n, total = block * nb * (uint64_t)nranks;

    pio_desc_vector(&w, (uint64_t)rank * block, nb, block,
                    block * (uint64_t)nranks);
    split(total, nranks, rank, &s, &n);
    pio_desc_contig(&r, s, n); /* bands */
    round_trip("1-D interleaved 47008-byte blocks", f, &w, &r, &h, 1);
    pio_close(f);
}

/* 2-D array rows x cols of 8-byte elements on a px x py grid with uneven
 * splits; read back on the transposed grid.  With more ranks than rows in
 * a grid dimension some ranks have nothing. */
static void test_2d(void)
{
    const uint64_t rows = 101, cols = 37, es = 8;
    pio_file_t *f = shared_file("/coll-2d", 4096);
    pio_coll_hints_t h = two_phase(0);
    int px = 1, py;
    uint64_t r0, nr, c0, nc;
    pio_desc_t w, r;

    while ((px + 1) * (px + 1) <= nranks) {
        px++;
    }
    py = nranks / px;
    if (rank < px * py) {
        split(rows, py, rank / px, &r0, &nr);
        split(cols, px, rank % px, &c0, &nc);
    } else {
        r0 = c0 = 0;
        nr = nc = 0; /* a rank outside the grid: nothing to write */
    }
    pio_desc_vector(&w, (r0 * cols + c0) * es, nr, nc * es, cols * es);
    if (rank < px * py) {
        split(rows, px, rank / py, &r0, &nr);
        split(cols, py, rank % py, &c0, &nc);
    }
    pio_desc_vector(&r, (r0 * cols + c0) * es, nr, nc * es, cols * es);
    round_trip("2-D 101 x 37 subarrays, uneven, transposed read", f, &w, &r, &h,
               2);
    pio_close(f);
}

static void test_3d(void)
{
    const uint64_t X = 13, Y = 11, Z = 9, es = 4;
    pio_file_t *f = shared_file("/coll-3d", 4096);
    pio_coll_hints_t h = two_phase(16 << 10);
    uint64_t x0, nx, y0, ny;
    pio_desc_t w, r;

    /* write: slabs along x; read: slabs along y (rows of Z along z) */
    split(X, nranks, rank, &x0, &nx);
    pio_desc_contig(&w, x0 * Y * Z * es, nx * Y * Z * es);
    split(Y, nranks, rank, &y0, &ny);
    pio_desc_contig(&r, y0 * Z * es, ny * Z * es);
    pio_desc_repeat(&r, X, Y * Z * es);
    round_trip("3-D 13 x 11 x 9, x-slabs written, y-slabs read", f, &w, &r, &h,
               3);
    pio_close(f);
}

/* Large contiguous pieces: automatic mode goes direct; forced direct too. */
static void test_modes(void)
{
    const uint64_t per = 2u << 20;
    pio_file_t *f = shared_file("/coll-direct", 1u << 20);
    pio_coll_hints_t h;
    pio_desc_t w, r;
    uint64_t s, n;

    pio_coll_hints_default(&h); /* automatic: 2 MiB pieces >= 1 MiB */
    pio_desc_contig(&w, (uint64_t)rank * per, per);
    split(per * (uint64_t)nranks, nranks, (rank + 1) % nranks, &s, &n);
    pio_desc_contig(&r, s, n);
    round_trip("automatic mode with 2 MiB pieces (direct)", f, &w, &r, &h, 4);
    h.cb_write = h.cb_read = PIO_CB_DISABLE;
    round_trip("forced direct mode", f, &w, &r, &h, 5);
    pio_close(f);
}

static void test_split_and_hints(void)
{
    pio_file_t *f = shared_file("/coll-split", 8192);
    pio_coll_hints_t h;
    pio_coll_op_t *op;
    pio_desc_t w, r;
    MPI_Info info;
    char err[600] = "", why[300] = "";
    uint64_t got = 0, s, n, bytes;
    uint8_t *buf, *back;
    pfs_status_t st;

    {
        uint8_t junk[64];
        pio_file_t *g = NULL;

        memset(junk, 0x5a, sizeof(junk));
        st = pio_file_import(client, junk, sizeof(junk), PIO_RDWR, &g);
        report("importing bytes that are not a handle is refused",
               st == PFS_ERR_INVAL && g == NULL, pio_client_errmsg(client));
    }
    pio_coll_hints_default(&h);
    MPI_Info_create(&info);
    MPI_Info_set(info, "cb_nodes", "1");
    MPI_Info_set(info, "cb_buffer_size", "64k");
    MPI_Info_set(info, "romio_cb_write", "enable");
    MPI_Info_set(info, "romio_cb_read", "enable");
    st = pio_coll_hints_from_info(info, &h, err, sizeof(err));
    report("hints from MPI_Info (cb_nodes=1, cb_buffer_size=64k, enable)",
           st == PFS_OK && h.cb_nodes == 1 && h.cb_buffer_size == 65536 &&
               h.cb_write == PIO_CB_ENABLE,
           err);
    MPI_Info_set(info, "cb_buffer_size", "lots");
    {
        pio_coll_hints_t keep = h;
        st = pio_coll_hints_from_info(info, &h, err, sizeof(err));
        report("malformed hint value is refused and named",
               st == PFS_ERR_INVAL && strstr(err, "cb_buffer_size") != NULL &&
                   memcmp(&keep, &h, sizeof(h)) == 0,
               err);
    }
    MPI_Info_free(&info);

    bytes = 300000;
    buf = malloc(bytes);
    back = malloc(bytes * (uint64_t)nranks);
    pio_desc_vector(&w, (uint64_t)rank * 1000, bytes / 1000, 1000,
                    1000 * (uint64_t)nranks);
    fill_desc(buf, &w, 6);
    st = pio_write_all_begin(f, MPI_COMM_WORLD, buf, NULL, &w, &h, &op);
    /* ... a computation would overlap the last round's server I/O ... */
    if (st == PFS_OK) {
        st = pio_write_all_end(op, &got, err, sizeof(err));
    }
    report("split collective write (begin/end), one aggregator, 64k rounds",
           st == PFS_OK && got == bytes, err);
    split(bytes * (uint64_t)nranks, nranks, nranks - 1 - rank, &s, &n);
    pio_desc_contig(&r, s, n);
    st = pio_read_all(f, MPI_COMM_WORLD, back, NULL, &r, &h, &got, err,
                      sizeof(err));
    report("read back after the split write",
           st == PFS_OK && got == n &&
               check_desc(back, &r, 6, why, sizeof(why)),
           st != PFS_OK ? err : why);
    free(buf);
    free(back);
    pio_close(f);
}

/* A little work between _begin and _end, as a caller would overlap. */
double compute(int n)
{
    volatile double acc = 0;
    int i;

    for (i = 1; i <= n; i++) {
        acc += 1.0 / i;
    }
    return acc;
}

/* Split read of `r` (begin, computation, end), checked byte by byte. */
static void split_read(const char *name, pio_file_t *f, const pio_desc_t *r,
                       const pio_coll_hints_t *h, unsigned salt, int direct)
{
    uint64_t rn = desc_bytes(r), got = 0;
    uint8_t *rb = malloc(rn + 1);
    char err[600] = "", why[300] = "";
    pio_coll_stats_t stats;
    pio_coll_op_t *op = NULL;
    pfs_status_t st;

    memset(rb, 0xee, rn + 1);
    st = pio_read_all_begin(f, MPI_COMM_WORLD, rb, NULL, r, h, &op);
    (void)compute(200000);
    if (st == PFS_OK) {
        st = pio_read_all_end(op, &got, err, sizeof(err));
    }
    pio_coll_last_stats(&stats);
    if (st == PFS_OK && stats.direct != direct) {
        snprintf(why, sizeof(why), "ran %s",
                 stats.direct ? "direct" : "two-phase");
    } else if (st == PFS_OK && rb[rn] != 0xee) {
        snprintf(why, sizeof(why), "wrote past the buffer");
    } else if (st == PFS_OK) {
        (void)check_desc(rb, r, salt, why, sizeof(why));
    }
    report(name, st == PFS_OK && got == rn && why[0] == '\0',
           st != PFS_OK ? err : why);
    free(rb);
}

/* Written in interleaved blocks with pio_write_all, read back with the
 * split read in other decompositions: two-phase in several rounds (and
 * one aggregator), direct; then a bad description on one rank, which
 * _end must report on every rank. */
static void test_split_read(void)
{
    const uint64_t block = 3000, nb = 50;
    pio_file_t *f = shared_file("/coll-split-read", 16384);
    pio_coll_hints_t h = two_phase(32 << 10), one = two_phase(8192), d;
    uint64_t total = block * nb * (uint64_t)nranks, s, n, got = 0;
    uint8_t *wb = malloc(block * nb);
    char err[600] = "";
    pio_coll_op_t *op = NULL;
    pio_desc_t w, r;
    pfs_status_t st;
    int sts[2], lo_hi[2];

    pio_desc_vector(&w, (uint64_t)rank * block, nb, block,
                    block * (uint64_t)nranks);
    fill_desc(wb, &w, 7);
    st = pio_write_all(f, MPI_COMM_WORLD, wb, NULL, &w, &h, &got, err,
                       sizeof(err));
    report("split read: data written with pio_write_all",
           st == PFS_OK && got == block * nb, err);
    free(wb);

    /* bands, shifted by one rank: never the rank's own blocks only */
    split(total, nranks, (rank + 1) % nranks, &s, &n);
    pio_desc_contig(&r, s, n);
    split_read("split collective read (begin/compute/end), two-phase, "
               "32k rounds, bands",
               f, &r, &h, 7, 0);
    /* 1000-byte blocks across the 3000-byte ones, one aggregator */
    one.cb_nodes = 1;
    pio_desc_vector(&r, (uint64_t)(nranks - 1 - rank) * 1000,
                    total / 1000 / (uint64_t)nranks, 1000,
                    1000 * (uint64_t)nranks);
    split_read("split collective read, one aggregator, 8k rounds, "
               "1000-byte blocks",
               f, &r, &one, 7, 0);
    pio_coll_hints_default(&d);
    d.cb_read = PIO_CB_DISABLE;
    split(total, nranks, nranks - 1 - rank, &s, &n);
    pio_desc_contig(&r, s, n);
    split_read("split collective read, direct mode", f, &r, &d, 7, 1);

    /* setup failure on the last rank: begin returns, end agrees */
    pio_desc_contig(&r, s, n);
    if (rank == nranks - 1) {
        pio_desc_contig(&r, UINT64_MAX - 10, 4096); /* beyond any file */
    }
    wb = malloc(n > 4096 ? n : 4096);
    st = pio_read_all_begin(f, MPI_COMM_WORLD, wb, NULL, &r, &h, &op);
    if (st == PFS_OK) {
        st = pio_read_all_end(op, &got, err, sizeof(err));
    }
    sts[0] = st;
    sts[1] = -st;
    MPI_Allreduce(sts, lo_hi, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    {
        char expect[32];
        snprintf(expect, sizeof(expect), "rank %d:", nranks - 1);
        report("split read, bad description on one rank: _end returns the "
               "same status on every rank and names that rank",
               st != PFS_OK && lo_hi[0] == -lo_hi[1] && got == 0 &&
                   strncmp(err, expect, strlen(expect)) == 0,
               err);
    }
    free(wb);
    pio_close(f);
}

int main(int argc, char **argv)
{
    char msg[512];

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (pio_init(NULL, &client, msg, sizeof(msg)) != PFS_OK) {
        fprintf(stderr, "coll_mpi_test: pio_init: %s\n", msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (argc == 2 && !strcmp(argv[1], "--shape")) {
        int rc = shape();
        pio_fini(client);
        MPI_Finalize();
        return rc;
    }
    if (argc == 3 &&
        (!strcmp(argv[1], "--loop") || !strcmp(argv[1], "--loop-read"))) {
        if (!strcmp(argv[1], "--loop")) {
            loop(atoi(argv[2]));
        } else {
            loop_read(atoi(argv[2]));
        }
        pio_fini(client);
        MPI_Finalize();
        return 0;
    }
    test_1d();
    test_2d();
    test_3d();
    test_modes();
    test_split_and_hints();
    test_split_read();
    test_error_agreement();
    test_small_calls();
    test_mixed_calls();
    test_batch();
    pio_fini(client);
    if (rank == 0) {
        printf("%s: %d failed (%d ranks)\n", failures ? "FAIL" : "PASS",
               failures, nranks);
    }
    MPI_Finalize();
    return failures ? 1 : 0;
}
