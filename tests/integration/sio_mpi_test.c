/* sio_mpi_test.c - structured I/O from several MPI ranks into one shared
 * file: interleaved strided blocks, 2-D and 3-D tiles with small rows and
 * noncontiguous memory, non-blocking variants, holes, truncate; every
 * pattern is read back in a different decomposition and checked byte by
 * byte.
 *
 *   mpiexec -n 4 sio_mpi_test            all checks, prints one line each
 *   sio_mpi_test --one-write PATH N      one call writing N strided pieces
 *   sio_mpi_test --one-read PATH N       one call reading them back
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio.h>

static int rank, nranks, failures;
static pio_client_t *client;

/* The byte every test expects at logical file offset off. */
static uint8_t pat(uint64_t off, unsigned salt)
{
    uint64_t x = (off + salt) * UINT64_C(0x9e3779b97f4a7c15);
    return (uint8_t)(x >> 56 ^ off);
}

/* Every rank learns whether all passed; rank 0 prints the verdict. */
static void report(const char *name, int ok, const char *why)
{
    int all;

    if (!ok) {
        fprintf(stderr, "sio_mpi_test: rank %d: %s: %s\n", rank, name, why);
    }
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("%s: %s\n", all ? "ok" : "FAIL", name);
        fflush(stdout);
    }
    if (!all) {
        failures++;
    }
}

static const char *err(pfs_status_t st)
{
    static char text[600];

    snprintf(text, sizeof(text), "%s: %s", pfs_status_string(st),
             pio_client_errmsg(client));
    return text;
}

/* Rank 0 creates, everyone opens. */
static pio_file_t *shared_file(const char *path, uint64_t stripe,
                               uint32_t count)
{
    pio_layout_t layout = {.stripe_size = stripe, .stripe_count = count};
    pio_file_t *f = NULL;
    pfs_status_t st = PFS_OK;

    if (rank == 0) {
        (void)pio_unlink(client, path);
        st = pio_create(client, path, 0644, PIO_RDWR | PIO_EXCL, &layout, &f);
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st != PFS_OK) {
        if (rank == 0) {
            fprintf(stderr, "create %s: %s\n", path, err(st));
        }
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank != 0 && pio_open(client, path, PIO_RDWR, &f) != PFS_OK) {
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return f;
}

/* Compare a contiguous file range read into buf with the pattern. */
static int check_range(const uint8_t *buf, uint64_t off, uint64_t len,
                       unsigned salt, char *why, size_t n)
{
    uint64_t i;

    for (i = 0; i < len; i++) {
        if (buf[i] != pat(off + i, salt)) {
            snprintf(why, n,
                     "byte at file offset %" PRIu64
                     " is 0x%02x, expected 0x%02x",
                     off + i, buf[i], pat(off + i, salt));
            return 0;
        }
    }
    return 1;
}

/* 1. Every rank writes every nranks-th 47008-byte block (one strided
 *    call), blocking and split into non-blocking calls; read back as
 *    contiguous bands. */
static void test_interleaved(int nonblocking)
{
    const uint64_t block = 47008, nblocks = 150;
    const uint64_t total = block * nblocks * (uint64_t)nranks;
    const char *path = nonblocking ? "/sio-interleaved-nb" : "/sio-interleaved";
    uint8_t *buf = malloc(block * nblocks);
    pio_file_t *f = shared_file(path, 65536, 2);
    uint64_t i, k, band, off, got;
    pfs_status_t st = PFS_OK;
    char why[256] = "";
    int ok;

    for (i = 0; i < nblocks; i++) {
        off = (i * nranks + rank) * block;
        for (k = 0; k < block; k++) {
            buf[i * block + k] = pat(off + k, 1);
        }
    }
    if (!nonblocking) {
        pio_desc_t fd;

        pio_desc_vector(&fd, (uint64_t)rank * block, nblocks, block,
                        block * nranks);
        st = pio_write_desc(f, buf, NULL, &fd, NULL);
    } else {
        /* four calls of a quarter each, all in flight at once */
        pio_request_t *reqs[4];
        uint64_t q = nblocks / 4;
        int j;

        for (j = 0; j < 4 && st == PFS_OK; j++) {
            pio_desc_t fd, md;
            uint64_t n = j == 3 ? nblocks - 3 * q : q;

            pio_desc_vector(&fd, ((uint64_t)j * q * nranks + rank) * block, n,
                            block, block * nranks);
            pio_desc_contig(&md, (uint64_t)j * q * block, n * block);
            st = pio_write_desc(f, buf, &md, &fd, &reqs[j]);
        }
        if (st == PFS_OK) {
            st = pio_waitall(4, reqs);
        }
    }
    report(nonblocking
               ? "interleaved 47008-byte blocks, 4 non-blocking calls: write"
               : "interleaved 47008-byte blocks, one strided call: write",
           st == PFS_OK, err(st));
    MPI_Barrier(MPI_COMM_WORLD);

    /* different decomposition: contiguous bands */
    band = (total + nranks - 1) / nranks;
    off = (uint64_t)rank * band;
    band = off >= total ? 0 : (off + band > total ? total - off : band);
    free(buf);
    buf = malloc(band + 1);
    memset(buf, 0xee, band + 1);
    if (nonblocking) {
        pio_request_t *r[1];
        size_t idx;

        st = pio_iread(f, off, buf, band, &r[0]);
        if (st == PFS_OK) {
            st = pio_waitany(1, r, &idx, &got);
        }
    } else {
        st = pio_read(f, off, buf, band, &got);
    }
    ok = st == PFS_OK && got == band &&
         check_range(buf, off, band, 1, why, sizeof(why));
    report(nonblocking ? "interleaved: read back as bands (non-blocking)"
                       : "interleaved: read back as bands",
           ok, st != PFS_OK ? err(st) : why);
    pio_close(f);
    free(buf);
}

/* 2. A 2-D array of 8-byte elements in a px x py grid of tiles; each tile
 *    row is 64 bytes.  Memory holds the tile with a ghost border
 *    (noncontiguous on both sides).  Read back as row bands. */
static void test_tiles_2d(void)
{
    const uint64_t tw = 8, th = 96, es = 8; /* tile: 8 x 96 elements */
    int px = nranks >= 4 ? 2 : 1, py = nranks / px;
    uint64_t cols = tw * px, rows = th * py; /* global elements */
    uint64_t gw = tw + 2, r, c, b, off, got; /* memory tile + ghosts */
    int tx = rank % px, ty = rank / px;
    pio_file_t *f = shared_file("/sio-tiles-2d", 4096, 2);
    uint8_t *mem = calloc((th + 2) * gw * es, 1), *band;
    pio_desc_t fd, md;
    pfs_status_t st;
    char why[256] = "";
    int ok = 1;

    if (rank >= px * py) { /* ranks without a tile write nothing */
        pio_desc_contig(&fd, 0, 0);
        st = pio_write_desc(f, mem, NULL, &fd, NULL);
    } else {
        for (r = 0; r < th; r++) {
            for (c = 0; c < tw; c++) {
                off = ((ty * th + r) * cols + tx * tw + c) * es;
                for (b = 0; b < es; b++) {
                    mem[((r + 1) * gw + c + 1) * es + b] = pat(off + b, 2);
                }
            }
        }
        /* file: th rows of tw elements, a row of cols elements apart */
        pio_desc_vector(&fd, (ty * th * cols + tx * tw) * es, th, tw * es,
                        cols * es);
        /* memory: the same rows inside the ghosted tile */
        pio_desc_vector(&md, (gw + 1) * es, th, tw * es, gw * es);
        st = pio_write_desc(f, mem, &md, &fd, NULL);
    }
    report("2-D tiles with 64-byte rows, ghosted memory: write", st == PFS_OK,
           err(st));
    MPI_Barrier(MPI_COMM_WORLD);

    /* different decomposition: bands of whole rows */
    {
        uint64_t per = (rows + nranks - 1) / nranks;
        uint64_t r0 = (uint64_t)rank * per;
        uint64_t nr = r0 >= rows ? 0 : (r0 + per > rows ? rows - r0 : per);

        band = malloc(nr * cols * es + 1);
        st = pio_read(f, r0 * cols * es, band, nr * cols * es, &got);
        ok = st == PFS_OK && got == nr * cols * es &&
             check_range(band, r0 * cols * es, nr * cols * es, 2, why,
                         sizeof(why));
        report("2-D tiles: read back as row bands", ok,
               st != PFS_OK ? err(st) : why);
        free(band);
    }
    pio_close(f);
    free(mem);
}

/* 3. A 3-D array X x Y x Z of 4-byte elements cut into 2 x 2 x 1 (or
 *    nranks x 1 x 1) tiles with 64-byte rows along z; written with a
 *    2-dimensional strided description, read back in slabs along z
 *    (another decomposition) with a strided read. */
static void test_tiles_3d(void)
{
    const uint64_t es = 4, Z = 16 * 3, X = 24, Y = 20; /* rows of 16 elements */
    int dx = nranks >= 4 ? 2 : nranks, dy = nranks >= 4 ? 2 : 1, dz = 3;
    uint64_t nx = X / dx, ny = Y / dy, nz = Z / dz; /* tile; nz*es = 64 B */
    int ix = rank % dx, iy = (rank / dx) % dy;
    pio_file_t *f = shared_file("/sio-tiles-3d", 8192, 2);
    uint64_t x, y, z, b, i = 0, got;
    uint8_t *mem = malloc(nx * ny * Z * es);
    pio_desc_t fd;
    pfs_status_t st = PFS_OK;
    char why[256] = "";
    int iz, ok = 1;

    /* each rank owns a column of dz tiles along z: one call per tile */
    for (iz = 0; iz < dz && st == PFS_OK; iz++) {
        if (rank >= dx * dy) {
            break;
        }
        i = 0;
        for (x = 0; x < nx; x++) {
            for (y = 0; y < ny; y++) {
                for (z = 0; z < nz; z++) {
                    uint64_t off =
                        (((ix * nx + x) * Y + iy * ny + y) * Z + iz * nz + z) *
                        es;
                    for (b = 0; b < es; b++) {
                        mem[i++] = pat(off + b, 3);
                    }
                }
            }
        }
        pio_desc_contig(&fd, ((ix * nx * Y + iy * ny) * Z + iz * nz) * es,
                        nz * es);
        pio_desc_repeat(&fd, ny, Z * es);     /* y */
        pio_desc_repeat(&fd, nx, Y * Z * es); /* x, outermost */
        st = pio_write_desc(f, mem, NULL, &fd, NULL);
    }
    report("3-D tiles with 64-byte rows: write", st == PFS_OK, err(st));
    MPI_Barrier(MPI_COMM_WORLD);

    /* read: rank r takes z-slab [z0, z1) of the whole x-y plane */
    {
        uint64_t per = (Z + nranks - 1) / nranks, z0 = rank * per;
        uint64_t nzr = z0 >= Z ? 0 : (z0 + per > Z ? Z - z0 : per);

        pio_desc_contig(&fd, z0 * es, nzr * es);
        pio_desc_repeat(&fd, X * Y, Z * es);
        free(mem);
        mem = malloc(X * Y * nzr * es + 1);
        st = pio_read_desc(f, mem, NULL, &fd, NULL);
        i = 0;
        for (x = 0; x < X && ok && st == PFS_OK; x++) {
            for (y = 0; y < Y && ok; y++) {
                uint64_t off = ((x * Y + y) * Z + z0) * es;
                ok = check_range(mem + i, off, nzr * es, 3, why, sizeof(why));
                i += nzr * es;
            }
        }
        (void)got;
        report("3-D tiles: read back as z-slabs (strided read)",
               st == PFS_OK && ok, st != PFS_OK ? err(st) : why);
    }
    pio_close(f);
    free(mem);
}

/* 4. List I/O with unsorted, mixed-size pieces and zero-length entries. */
static void test_list(void)
{
    enum { N = 300 };
    uint64_t offs[N], lens[N], moffs[N], total = 0, i, k, r = 12345 + rank;
    pio_file_t *f = shared_file("/sio-list", 4096, 2);
    uint8_t *buf, *back;
    pio_desc_t fd, md;
    pfs_status_t st;
    char why[256] = "";
    int ok = 1;

    /* rank-private 1 MiB region, pieces in a shuffled order */
    for (i = 0; i < N; i++) {
        offs[i] = (uint64_t)rank * (1u << 20) + ((i * 7919) % N) * 3000;
        r = r * 6364136223846793005u + 1442695040888963407u;
        lens[i] = i % 17 == 0 ? 0 : 1 + (r >> 33) % 2999;
        moffs[i] = total;
        total += lens[i];
    }
    buf = malloc(total + 1);
    for (i = 0; i < N; i++) {
        for (k = 0; k < lens[i]; k++) {
            buf[moffs[i] + k] = pat(offs[i] + k, 4);
        }
    }
    pio_desc_list(&fd, offs, lens, N);
    st = pio_write_desc(f, buf, NULL, &fd, NULL);
    report("list I/O: 300 unsorted pieces, zero-length ones among them",
           st == PFS_OK, err(st));
    /* read back into memory laid out in reverse piece order */
    back = malloc(total + 1);
    {
        uint64_t rm[N], pos = 0;
        for (i = N; i-- > 0;) {
            rm[i] = pos;
            pos += lens[i];
        }
        pio_desc_list(&md, rm, lens, N);
        st = pio_read_desc(f, back, &md, &fd, NULL);
        for (i = 0; i < N && ok && st == PFS_OK; i++) {
            ok = check_range(back + rm[i], offs[i], lens[i], 4, why,
                             sizeof(why));
        }
    }
    report("list I/O: read back into reversed memory pieces",
           st == PFS_OK && ok, st != PFS_OK ? err(st) : why);
    pio_close(f);
    free(buf);
    free(back);
}

/* 5. Holes read as zeros; truncate shrinks and extends; preallocate. */
static void test_holes_truncate(void)
{
    pio_file_t *f = shared_file("/sio-holes", 65536, 2);
    uint64_t size = 0, got = 0, i;
    uint8_t *buf = malloc(3u << 20);
    pfs_status_t st = PFS_OK;
    char why[256] = "";
    int ok = 1;

    if (rank == 0) {
        memset(buf, 0x77, 4096);
        st = pio_write(f, (10u << 20) + 5, buf, 4096);
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    if (st == PFS_OK) {
        st = pio_get_size(f, &size);
    }
    report("sparse write: size is the end of the last byte",
           st == PFS_OK && size == (10u << 20) + 5 + 4096, "wrong size");
    memset(buf, 0xff, 3u << 20);
    st = pio_read(f, (uint64_t)rank * (2u << 20), buf, 2u << 20, &got);
    for (i = 0; i < got && ok; i++) {
        ok = buf[i] == 0;
    }
    report("holes read as zeros", st == PFS_OK && got == (2u << 20) && ok,
           st != PFS_OK ? err(st) : "non-zero byte in a hole");
    st = pio_read(f, (10u << 20) + 4096, buf, 1u << 20, &got);
    report("read across the end is short",
           st == PFS_OK && got == 5 && buf[0] == 0x77 && buf[4] == 0x77,
           st != PFS_OK ? err(st) : "wrong count or bytes");
    MPI_Barrier(MPI_COMM_WORLD);

    if (rank == 0) {
        st = pio_truncate(f, (10u << 20) + 100);
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st == PFS_OK) {
        st = pio_get_size(f, &size);
    }
    report("truncate to a non-stripe-aligned size",
           st == PFS_OK && size == (10u << 20) + 100, err(st));
    st = pio_read(f, 10u << 20, buf, 1u << 20, &got);
    ok = st == PFS_OK && got == 100 && buf[4] == 0 && buf[5] == 0x77 &&
         buf[99] == 0x77;
    report("truncated file reads up to the new end", ok,
           st != PFS_OK ? err(st) : "wrong bytes after truncate");
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        st = pio_truncate(f, 12345678);
    }
    MPI_Bcast(&st, 1, MPI_INT, 0, MPI_COMM_WORLD);
    st =
        st == PFS_OK ? pio_read(f, (10u << 20) + 100, buf, 3u << 20, &got) : st;
    for (i = 0, ok = 1; i < got && ok; i++) {
        ok = buf[i] == 0;
    }
    report("truncate extends with zeros",
           st == PFS_OK && got == 12345678 - ((10u << 20) + 100) && ok,
           st != PFS_OK ? err(st) : why);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        st = pio_preallocate(f, 20u << 20);
        if (st == PFS_OK) {
            st = pio_get_size(f, &size);
        }
        ok = st == PFS_OK && size == (20u << 20);
        if (ok) {
            st = pio_preallocate(f, 1u << 20); /* never shrinks */
            ok = st == PFS_OK && pio_get_size(f, &size) == PFS_OK &&
                 size == (20u << 20);
        }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    report("preallocate grows the file, never shrinks it", ok, err(st));
    pio_close(f);
    free(buf);
}

/* Single-process mode for the request-count check. */
static int one_call(int write, const char *path, uint64_t pieces)
{
    const uint64_t len = 100, stride = 300;
    uint8_t *buf = malloc(pieces * len);
    pio_layout_t layout = {.stripe_size = 1u << 20, .stripe_count = 2};
    pio_file_t *f;
    pio_desc_t fd;
    uint64_t i;
    pfs_status_t st;

    for (i = 0; i < pieces * len; i++) {
        buf[i] = (uint8_t)(i * 13);
    }
    st = write ? pio_create(client, path, 0644, PIO_RDWR, &layout, &f)
               : pio_open(client, path, PIO_RDWR, &f);
    if (st != PFS_OK) {
        fprintf(stderr, "open: %s\n", err(st));
        return 1;
    }
    pio_desc_vector(&fd, 0, pieces, len, stride);
    if (write) {
        st = pio_write_desc(f, buf, NULL, &fd, NULL);
    } else {
        memset(buf, 0, pieces * len);
        st = pio_read_desc(f, buf, NULL, &fd, NULL);
        for (i = 0; i < pieces * len && st == PFS_OK; i++) {
            if (buf[i] != (uint8_t)(i * 13)) {
                fprintf(stderr, "byte %" PRIu64 " differs\n", i);
                return 1;
            }
        }
    }
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s\n", write ? "write" : "read", err(st));
        return 1;
    }
    printf("%s %" PRIu64 " pieces of %" PRIu64 " bytes in one call: ok\n",
           write ? "wrote" : "read and verified", pieces, len);
    pio_close(f);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    char msg[512];
    int rc;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (pio_init(NULL, &client, msg, sizeof(msg)) != PFS_OK) {
        fprintf(stderr, "sio_mpi_test: pio_init: %s\n", msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (argc == 4 &&
        (!strcmp(argv[1], "--one-write") || !strcmp(argv[1], "--one-read"))) {
        rc = one_call(!strcmp(argv[1], "--one-write"), argv[2],
                      strtoull(argv[3], NULL, 10));
        pio_fini(client);
        MPI_Finalize();
        return rc;
    }
    test_interleaved(0);
    test_interleaved(1);
    test_tiles_2d();
    test_tiles_3d();
    test_list();
    test_holes_truncate();
    pio_fini(client);
    if (rank == 0) {
        printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
    }
    MPI_Finalize();
    return failures ? 1 : 0;
}
