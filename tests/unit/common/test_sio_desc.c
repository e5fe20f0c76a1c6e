/* test_sio_desc.c - the sio suite: description walks and the sieve
 * window. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "pfs_common.h"
#include "proto.h"
#include "sio.h"
#include "wire.h"

#include "test_sio.h"
#include "test_split.h" /* strided() */

/* ---- descriptions ------------------------------------------------------ */

#define MAX_EXT 4096

/* Walk a description to the end (and once more) into off/len arrays. */
static size_t walk(const pfs_sio_desc_t *d, uint64_t *off, uint64_t *len)
{
    pfs_sio_iter_t it;
    uint64_t o, l;
    size_t n = 0;

    pfs_sio_iter_init(&it, d);
    while (n < MAX_EXT && pfs_sio_iter_next(&it, &o, &l)) {
        off[n] = o;
        len[n] = l;
        n++;
    }
    /* an exhausted walk stays exhausted */
    CU_ASSERT_EQUAL(pfs_sio_iter_next(&it, &o, &l), 0);
    return n;
}

void test_desc_contiguous(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    pfs_sio_desc_t d = strided(1000, 4096, 0, NULL, NULL);
    uint64_t total = 1;

    CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 1);
    CU_ASSERT_EQUAL(off[0], 1000);
    CU_ASSERT_EQUAL(len[0], 4096);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 4096);

    d.blocklen = 0;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);

    /* blocklen 0 with dimensions: nothing either */
    {
        const uint64_t c[] = {5}, s[] = {10};

        d = strided(0, 0, 1, c, s);
        CU_ASSERT_EQUAL(walk(&d, off, len), 0);
        total = 1;
        CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 100, &total), PFS_OK);
        CU_ASSERT_EQUAL(total, 0);
    }
}

void test_desc_vector(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    const uint64_t c[] = {7}, s[] = {100};
    pfs_sio_desc_t d = strided(5, 10, 1, c, s);
    uint64_t total = 0;
    size_t i, n;

    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 7);
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(off[i], 5 + i * 100);
        CU_ASSERT_EQUAL(len[i], 10);
    }
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 70);

    /* stride 0 and stride < blocklen are walked as given */
    {
        const uint64_t c2[] = {3}, s0[] = {0}, s4[] = {4};

        d = strided(8, 10, 1, c2, s0);
        CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 3);
        CU_ASSERT(off[0] == 8 && off[1] == 8 && off[2] == 8);
        d = strided(8, 10, 1, c2, s4);
        CU_ASSERT_EQUAL_FATAL(walk(&d, off, len), 3);
        CU_ASSERT(off[0] == 8 && off[1] == 12 && off[2] == 16);
    }
}

void test_desc_nested(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    const uint64_t c2[] = {4, 6}, s2[] = {1000, 16};
    const uint64_t c3[] = {3, 5, 2}, s3[] = {100000, 1000, 8};
    pfs_sio_desc_t d;
    uint64_t total = 0, i, j, k;
    size_t n, e;
    unsigned bad = 0;

    /* 2-D: rows of a tile */
    d = strided(64, 12, 2, c2, s2);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 24);
    e = 0;
    for (i = 0; i < 4; i++) {
        for (j = 0; j < 6; j++, e++) {
            if (off[e] != 64 + i * 1000 + j * 16 || len[e] != 12) {
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 24 * 12);

    /* 3-D */
    d = strided(7, 3, 3, c3, s3);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, 30);
    e = 0;
    for (i = 0; i < 3; i++) {
        for (j = 0; j < 5; j++) {
            for (k = 0; k < 2; k++, e++) {
                if (off[e] != 7 + i * 100000 + j * 1000 + k * 8 ||
                    len[e] != 3) {
                    bad++;
                }
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 90);
    /* the highest block ends at the checked limit exactly */
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 7 + 200000 + 4000 + 8 + 3, &total),
                    PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 7 + 200000 + 4000 + 8 + 2, &total),
                    PFS_ERR_FBIG);
}

/* Random nested patterns of 1..8 dimensions against a mixed-radix
 * reference: block b's index in dimension d is a digit of b, the last
 * dimension the least significant. */
void test_desc_nested_brute_force(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    uint64_t seed = 99, counts[PFS_SIO_MAX_DIMS], strides[PFS_SIO_MAX_DIMS];
    unsigned bad = 0, iter;

    for (iter = 0; iter < 500; iter++) {
        int nd = 1 + (int)rng_below(&seed, PFS_SIO_MAX_DIMS), i;
        uint64_t blocks = 1, total = 0, b, bl = 1 + rng_below(&seed, 50);
        uint64_t base = rng_below(&seed, 1000);
        pfs_sio_desc_t d;
        size_t n;

        for (i = 0; i < nd; i++) {
            counts[i] = 1 + rng_below(&seed, nd > 4 ? 2 : 5);
            strides[i] = rng_below(&seed, 10000);
            blocks *= counts[i];
        }
        d = strided(base, bl, nd, counts, strides);
        n = walk(&d, off, len);
        if (n != blocks ||
            pfs_sio_desc_check(&d, UINT64_MAX, &total) != PFS_OK ||
            total != blocks * bl) {
            bad++;
            continue;
        }
        for (b = 0; b < blocks; b++) {
            uint64_t rest = b, want = base;

            for (i = nd - 1; i >= 0; i--) {
                want += (rest % counts[i]) * strides[i];
                rest /= counts[i];
            }
            if (off[b] != want || len[b] != bl) {
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

void test_desc_zero_count(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    uint64_t c[3], s[3] = {1000, 100, 10};
    int z;

    for (z = 0; z < 3; z++) {
        pfs_sio_desc_t d;
        uint64_t total = 1;

        c[0] = 2;
        c[1] = 3;
        c[2] = 4;
        c[z] = 0;
        d = strided(0, 5, 3, c, s);
        CU_ASSERT_EQUAL(walk(&d, off, len), 0);
        CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total),
                        PFS_OK);
        CU_ASSERT_EQUAL(total, 0);
    }
}

void test_desc_list(void)
{
    static uint64_t off[MAX_EXT], len[MAX_EXT];
    /* unsorted, overlapping, zero-length entries first, middle and last */
    static const uint64_t offs[] = {50, 500, 0, 10, 10, 7, 300, 20, 3};
    static const uint64_t lens[] = {0, 5, 20, 0, 30, 1, 0, 5, 0};
    static const size_t keep[] = {1, 2, 4, 5, 7};
    pfs_sio_desc_t d;
    uint64_t total = 0;
    size_t n, i;

    memset(&d, 0, sizeof(d));
    d.is_list = 1;
    d.offsets = offs;
    d.lengths = lens;
    d.count = PFS_ARRAY_SIZE(offs);
    n = walk(&d, off, len);
    CU_ASSERT_EQUAL_FATAL(n, PFS_ARRAY_SIZE(keep));
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(off[i], offs[keep[i]]);
        CU_ASSERT_EQUAL(len[i], lens[keep[i]]);
    }
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 61);
    /* the highest end is 505 */
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 505, &total), PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 504, &total), PFS_ERR_FBIG);

    /* all empty, and no entries (NULL arrays are fine then) */
    d.count = 1;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);
    d.offsets = NULL;
    d.lengths = NULL;
    d.count = 0;
    CU_ASSERT_EQUAL(walk(&d, off, len), 0);
    total = 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 1000, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 0);
}

void test_desc_check_errors(void)
{
    const uint64_t big = UINT64_C(1) << 33, big32 = UINT64_C(1) << 32;
    static const uint64_t loffs[] = {0, 0};
    static const uint64_t llens[] = {UINT64_C(1) << 63, UINT64_C(1) << 63};
    static const uint64_t woffs[] = {10, UINT64_MAX - 3};
    static const uint64_t wlens[] = {1, 4};
    uint64_t c[PFS_SIO_MAX_DIMS + 1], s[PFS_SIO_MAX_DIMS + 1], total;
    pfs_sio_desc_t d;
    int i;

    /* count * stride overflowing */
    c[0] = big;
    s[0] = big32;
    d = strided(0, 1, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* the span overflowing only once added up over dimensions */
    c[0] = 2;
    s[0] = UINT64_C(1) << 63;
    c[1] = 2;
    s[1] = UINT64_C(1) << 63;
    d = strided(0, 1, 2, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* offset + span + blocklen overflowing */
    d = strided(UINT64_MAX - 5, 10, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    c[0] = 2;
    s[0] = 10;
    d = strided(UINT64_MAX - 12, 4, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    /* blocks * blocklen overflowing with every extent in range (stride 0) */
    c[0] = big32;
    s[0] = 0;
    d = strided(0, big32, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d = strided(0, big32 - 1, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, big32 * (big32 - 1));
    /* the block count itself overflowing */
    c[0] = big;
    s[0] = 0;
    c[1] = big;
    s[1] = 0;
    d = strided(0, 1, 2, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);

    /* extents beyond the limit */
    d = strided(0, 10, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 10, &total), PFS_OK);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 9, &total), PFS_ERR_FBIG);
    d = strided(PFS_MAX_FILE_SIZE, 1, 0, NULL, NULL);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, PFS_MAX_FILE_SIZE, &total),
                    PFS_ERR_FBIG);
    c[0] = 3;
    s[0] = 100;
    d = strided(0, 10, 1, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 210, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 30);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 209, &total), PFS_ERR_FBIG);

    /* dimensions: all 8 allowed, 9 and negative not */
    for (i = 0; i <= PFS_SIO_MAX_DIMS; i++) {
        c[i] = 2;
        s[i] = UINT64_C(1) << (20 - i);
    }
    d = strided(0, 3, PFS_SIO_MAX_DIMS, c, s);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 256 * 3);
    d.ndims = PFS_SIO_MAX_DIMS + 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.ndims = 1000;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.ndims = -1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);

    /* lists: NULL arrays, an extent past the limit or past 2^64, a total
     * past 2^64 */
    memset(&d, 0, sizeof(d));
    d.is_list = 1;
    d.count = 1;
    d.lengths = wlens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.offsets = woffs;
    d.lengths = NULL;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_INVAL);
    d.lengths = wlens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 11, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, 1);
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, 10, &total), PFS_ERR_FBIG);
    d.count = 2;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d.offsets = loffs;
    d.lengths = llens;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_ERR_FBIG);
    d.count = 1;
    CU_ASSERT_EQUAL(pfs_sio_desc_check(&d, UINT64_MAX, &total), PFS_OK);
    CU_ASSERT_EQUAL(total, UINT64_C(1) << 63);
}

/* Sieve windows: enough small pieces close together, and nothing else. */
void test_sieve_window(void)
{
    pfs_sio_piece_t p[16];
    size_t i;

    for (i = 0; i < 16; i++) { /* 100 bytes every 110 */
        p[i].off = 1000 + 110 * i;
        p[i].len = 100;
        p[i].pos = 100 * i;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 16);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 8, NULL), 16);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 9, NULL),
                    9);                      /* 7 left: too few */
    p[10].len = PFS_SIO_SIEVE_PIECE_MAX + 1; /* a large piece ends it */
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 10);
    p[10].len = 100;
    p[4].off += PFS_SIO_SIEVE_GAP_MAX + 1; /* so does a large hole */
    for (i = 5; i < 16; i++) {
        p[i].off += PFS_SIO_SIEVE_GAP_MAX + 1;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 0);
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 4, NULL), 16);
    for (i = 0; i < 16; i++) { /* 1 byte in 20: too sparse */
        p[i].off = 20 * i;
        p[i].len = 1;
    }
    CU_ASSERT_EQUAL(pfs_sio_sieve_window(p, 16, 0, NULL), 0);
}

/* Walking a plan the way the I/O server does costs O(pieces): 262144
 * one-byte pieces 17 bytes apart (one READV with a 36-byte run list) fail
 * the density test at every start, and each search used to scan its whole
 * 4 MiB span again: 98 s of an I/O thread on this machine.  The carried
 * scan must also find exactly the windows a search from scratch finds. */
void test_sieve_window_linear(void)
{
    pfs_run_t runs[3] = {{0, 1, 262144, 17},
                         {17 * 262144 + 100000, 100, 5000, 110},
                         {17 * 262144 + 1000000, 1, 4000, 17}};
    pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
    pfs_sio_piece_t *p;
    size_t np, i, end, windows = 0, checked = 0;
    struct timespec t0, t1;
    int ordered;

    CU_ASSERT_EQUAL_FATAL(pfs_sio_plan(runs, 3, &p, &np, &ordered), PFS_OK);
    CU_ASSERT_FATAL(ordered);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i<np; i = end> i ? end : i + 1) {
        end = pfs_sio_sieve_window(p, np, i, &scan);
        windows += end > i;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* generous: the linear walk takes milliseconds, the old one minutes */
    CU_ASSERT(t1.tv_sec - t0.tv_sec < 10);
    CU_ASSERT(windows >= 1);
    /* the same answers as from scratch, at the starts the walk visits
     * (every 997th of the sparse part, to keep the check itself short) */
    scan = (pfs_sio_sieve_scan_t)PFS_SIO_SIEVE_SCAN_INIT;
    for (i = 0; i<np; i = end> i ? end : i + 1) {
        end = pfs_sio_sieve_window(p, np, i, &scan);
        if (i >= 262144 || i % 997 == 0) {
            CU_ASSERT_EQUAL(end, pfs_sio_sieve_window(p, np, i, NULL));
            checked++;
        }
    }
    CU_ASSERT(checked > 250);
    free(p);
}

/* A sieved write changes the pieces' bytes only; a sieved read past the
 * end gets zeros. */
void test_sieve_span(void)
{
    pfs_sio_piece_t p[3] = {{10, 2, 0}, {20, 3, 2}, {30, 1, 5}};
    uint8_t data[6] = {'a', 'b', 'c', 'd', 'e', 'f'}, sbuf[64], out[6];
    uint8_t file[40];
    FILE *f = tmpfile();
    int fd;

    CU_ASSERT_FATAL(f != NULL);
    fd = fileno(f);
    memset(file, 'x', 25);
    CU_ASSERT_EQUAL_FATAL(pwrite(fd, file, 25, 0), 25);
    CU_ASSERT_EQUAL(pfs_sio_sieve_span(fd, p, 3, data, 1, sbuf, 10, 31), 0);
    CU_ASSERT_EQUAL_FATAL(pread(fd, file, sizeof(file), 0), 31);
    CU_ASSERT(memcmp(file, "xxxxxxxxxxabxxxxxxxxcdexx", 25) == 0);
    CU_ASSERT(memcmp(file + 25, "\0\0\0\0\0f", 6) == 0);
    CU_ASSERT_EQUAL(ftruncate(fd, 21), 0);
    memset(out, '?', sizeof(out));
    CU_ASSERT_EQUAL(pfs_sio_sieve_span(fd, p, 3, out, 0, sbuf, 10, 31), 0);
    CU_ASSERT(memcmp(out, "abc\0\0\0", 6) == 0);
    fclose(f);
}
