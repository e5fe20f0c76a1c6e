/* test_split.c - splitting (memory, file) descriptions into per-server parts,
 * against hand values and a byte-by-byte reference. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pfs_common.h"
#include "sio.h"
#include "sio_split.h"
#include "../unit.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)

/* A small deterministic generator (xorshift64*), so failures replay. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return (rng_next(s) >> 11) % n;
}

/* ---- helpers ----------------------------------------------------------- */

static pfs_layout_t make_layout(uint64_t stripe_size, uint32_t count,
                                uint32_t first, uint32_t nservers)
{
    pfs_layout_t l;

    memset(&l, 0, sizeof(l));
    CU_ASSERT_EQUAL_FATAL(
        pfs_layout_round_robin(stripe_size, count, first, nservers, &l),
        PFS_OK);
    return l;
}

static pfs_sio_desc_t strided(uint64_t offset, uint64_t blocklen, int ndims,
                              const uint64_t *counts, const uint64_t *strides)
{
    pfs_sio_desc_t d;
    int i;

    memset(&d, 0, sizeof(d));
    d.offset = offset;
    d.blocklen = blocklen;
    d.ndims = ndims;
    for (i = 0; i < ndims; i++) {
        d.dims[i].count = counts[i];
        d.dims[i].stride = strides[i];
    }
    return d;
}

static pfs_sio_desc_t contiguous(uint64_t offset, uint64_t len)
{
    return strided(offset, len, 0, NULL, NULL);
}

static pfs_sio_desc_t list(const uint64_t *offsets, const uint64_t *lengths,
                           size_t count)
{
    pfs_sio_desc_t d;

    memset(&d, 0, sizeof(d));
    d.is_list = 1;
    d.offsets = offsets;
    d.lengths = lengths;
    d.count = count;
    return d;
}

/* Record the first failed condition of a part. */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond) && ok) {                                                   \
            ok = 0;                                                            \
            line = __LINE__;                                                   \
        }                                                                      \
    } while (0)

/* Is the part at one of the limits that close it? */
static int part_is_full(const pfs_sio_part_t *p, uint64_t max_bytes,
                        size_t max_iov)
{
    return p->bytes >= max_bytes || p->niov >= max_iov ||
           p->nruns >= PFS_SIO_MAX_RUNS - 1 ||
           p->pieces >= PFS_SIO_MAX_PIECES - 1;
}

/* Everything a part must satisfy on its own, and across parts: only the
 * last part of a slot may be below every limit.  Returns the number of
 * violations (each is also a CUnit failure). */
static unsigned check_parts(const pfs_layout_t *layout,
                            const pfs_sio_part_t *parts, size_t nparts,
                            uint64_t max_bytes, size_t max_iov)
{
    long last[PFS_LAYOUT_MAX_STRIPES];
    unsigned bad = 0;
    size_t i;

    for (i = 0; i < PFS_LAYOUT_MAX_STRIPES; i++) {
        last[i] = -1;
    }
    for (i = 0; i < nparts; i++) {
        const pfs_sio_part_t *p = &parts[i];
        uint64_t run_bytes = 0, iov_bytes = 0, blocks = 0, end = 0;
        int ok = 1, line = 0;
        uint32_t r;
        size_t v;

        if (p->slot >= layout->stripe_count) {
            CU_FAIL("part slot out of range");
            bad++;
            continue;
        }
        last[p->slot] = (long)i;
        for (r = 0; r < p->nruns; r++) {
            const pfs_run_t *run = &p->runs[r];

            CHECK(run->len > 0 && run->count >= 1);
            run_bytes += run->len * run->count;
            blocks += run->count;
            end = PFS_MAX(end, run->offset + (run->count - 1) * run->stride +
                                   run->len);
            /* coalescing is greedy: a piece that starts where the
             * previous single-block run ends always grows it (a later run
             * may have grown after its first piece, so this is the only
             * order-independent check on the runs) */
            if (r + 1 < p->nruns && run->count == 1) {
                CHECK(p->runs[r + 1].offset != run->offset + run->len);
            }
        }
        for (v = 1; v < p->niov; v++) {
            CHECK(p->iov[v].len > 0);
            iov_bytes += p->iov[v].len;
            if (v + 1 < p->niov) {
                /* adjacent memory always grows the iov */
                CHECK((uint8_t *)p->iov[v].base + p->iov[v].len !=
                      (uint8_t *)p->iov[v + 1].base);
            }
        }
        CHECK(p->nruns >= 1 && p->niov >= 2 && p->bytes > 0);
        CHECK(p->bytes == run_bytes && p->bytes == iov_bytes);
        CHECK(p->bytes <= max_bytes && p->niov <= max_iov);
        CHECK(p->nruns <= PFS_SIO_MAX_RUNS - 1);
        CHECK(p->pieces == blocks && p->pieces <= PFS_SIO_MAX_PIECES - 1);
        CHECK(p->max_end == end);
        CHECK(p->nruns <= p->cap_runs && p->niov <= p->cap_iov);
        if (!ok) {
            fprintf(stderr, "[part %zu: check at line %d]", i, line);
            CU_FAIL("part invariant violated");
            bad++;
        }
    }
    for (i = 0; i < nparts; i++) {
        if (parts[i].slot < layout->stripe_count &&
            last[parts[i].slot] != (long)i &&
            !part_is_full(&parts[i], max_bytes, max_iov)) {
            CU_FAIL("a part was closed before reaching a limit");
            bad++;
        }
    }
    return bad;
}

/* Split and check the invariants; FATAL on a bad status. */
static void split(const pfs_layout_t *layout, uint64_t max_bytes,
                  size_t max_iov, uint8_t *buf, const pfs_sio_desc_t *mem,
                  const pfs_sio_desc_t *file, pfs_sio_part_t **parts_p,
                  size_t *nparts_p)
{
    *parts_p = NULL;
    *nparts_p = 0;
    CU_ASSERT_EQUAL_FATAL(pfs_sio_split(layout, max_bytes, max_iov, buf, mem,
                                        file, parts_p, nparts_p),
                          PFS_OK);
    check_parts(layout, *parts_p, *nparts_p, max_bytes, max_iov);
}

static uint64_t parts_bytes(const pfs_sio_part_t *parts, size_t nparts)
{
    uint64_t total = 0;
    size_t i;

    for (i = 0; i < nparts; i++) {
        total += parts[i].bytes;
    }
    return total;
}

/* ---- hand cases -------------------------------------------------------- */

/* A range inside one stripe: one part, one run, one iov. */
static void test_one_stripe(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 4, 1, 4);
    static uint8_t buf[8192];
    pfs_sio_desc_t file = contiguous(2 * 64 * KIB + 1000, 5000);
    pfs_sio_desc_t mem = contiguous(100, 5000);
    pfs_sio_part_t *parts;
    size_t nparts;

    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 1);
    CU_ASSERT_EQUAL(parts[0].slot, 2);
    CU_ASSERT_EQUAL(l.servers[parts[0].slot], 3);
    CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].runs[0].offset, 1000);
    CU_ASSERT_EQUAL(parts[0].runs[0].len, 5000);
    CU_ASSERT_EQUAL(parts[0].runs[0].count, 1);
    CU_ASSERT_EQUAL(parts[0].pieces, 1);
    CU_ASSERT_EQUAL_FATAL(parts[0].niov, 2);
    CU_ASSERT_PTR_EQUAL(parts[0].iov[1].base, buf + 100);
    CU_ASSERT_EQUAL(parts[0].iov[1].len, 5000);
    CU_ASSERT_EQUAL(parts[0].bytes, 5000);
    CU_ASSERT_EQUAL(parts[0].max_end, 6000);
    pfs_sio_parts_free(parts, nparts);

    /* the same range in the third stripe of slot 2: object offset moves */
    file = contiguous((4 * 2 + 2) * 64 * KIB + 1000, 5000);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 1);
    CU_ASSERT_EQUAL(parts[0].slot, 2);
    CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].runs[0].offset, 2 * 64 * KIB + 1000);
    CU_ASSERT_EQUAL(parts[0].max_end, 2 * 64 * KIB + 6000);
    pfs_sio_parts_free(parts, nparts);

    /* a whole stripe exactly */
    file = contiguous(3 * 64 * KIB, 64 * KIB);
    {
        static uint8_t big[64 * 1024];

        mem = contiguous(0, 64 * KIB);
        split(&l, MIB, 64, big, &mem, &file, &parts, &nparts);
        CU_ASSERT_EQUAL_FATAL(nparts, 1);
        CU_ASSERT_EQUAL(parts[0].slot, 3);
        CU_ASSERT_EQUAL(parts[0].runs[0].offset, 0);
        CU_ASSERT_EQUAL(parts[0].runs[0].len, 64 * KIB);
        CU_ASSERT_EQUAL(parts[0].niov, 2);
        CU_ASSERT_EQUAL(parts[0].max_end, 64 * KIB);
        pfs_sio_parts_free(parts, nparts);
    }
}

/* A strided pattern whose stride is a whole stripe row stays on one slot
 * and becomes one strided run. */
static void test_one_server(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 4, 0, 4);
    static uint8_t buf[10 * 4096];
    const uint64_t counts[] = {10}, strides[] = {4 * 64 * KIB};
    pfs_sio_desc_t file = strided(2 * 64 * KIB + 100, 4096, 1, counts, strides);
    pfs_sio_desc_t mem = contiguous(0, 10 * 4096);
    pfs_sio_part_t *parts;
    size_t nparts, i;

    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 1);
    CU_ASSERT_EQUAL(parts[0].slot, 2);
    CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].runs[0].offset, 100);
    CU_ASSERT_EQUAL(parts[0].runs[0].len, 4096);
    CU_ASSERT_EQUAL(parts[0].runs[0].count, 10);
    CU_ASSERT_EQUAL(parts[0].runs[0].stride, 64 * KIB);
    CU_ASSERT_EQUAL(parts[0].pieces, 10);
    CU_ASSERT_EQUAL(parts[0].niov, 2); /* memory is contiguous */
    CU_ASSERT_EQUAL(parts[0].bytes, 10 * 4096);
    CU_ASSERT_EQUAL(parts[0].max_end, 9 * 64 * KIB + 100 + 4096);
    pfs_sio_parts_free(parts, nparts);

    /* small max_bytes: many parts, all on slot 2 */
    split(&l, 3 * 4096, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 4);
    for (i = 0; i < nparts; i++) {
        CU_ASSERT_EQUAL(parts[i].slot, 2);
    }
    CU_ASSERT_EQUAL(parts_bytes(parts, nparts), 10 * 4096);
    pfs_sio_parts_free(parts, nparts);
}

/* From stripe_size - 100 across three stripes of a two-server layout. */
static void test_stripe_boundaries(void)
{
    const uint64_t S = 64 * KIB;
    pfs_layout_t l = make_layout(S, 2, 1, 2);
    static uint8_t buf[2 * 64 * 1024];
    pfs_sio_desc_t file = contiguous(S - 100, 100 + S + 200);
    pfs_sio_desc_t mem = contiguous(0, 100 + S + 200);
    pfs_sio_part_t *parts;
    size_t nparts;

    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 2);
    /* slot 0: the last 100 bytes of stripe 0 and the first 200 of stripe
     * 2, contiguous in the object: one run */
    CU_ASSERT_EQUAL(parts[0].slot, 0);
    CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].runs[0].offset, S - 100);
    CU_ASSERT_EQUAL(parts[0].runs[0].len, 300);
    CU_ASSERT_EQUAL(parts[0].runs[0].count, 1);
    CU_ASSERT_EQUAL(parts[0].pieces, 1);
    CU_ASSERT_EQUAL(parts[0].bytes, 300);
    CU_ASSERT_EQUAL(parts[0].max_end, S + 200);
    /* ... but not contiguous in memory */
    CU_ASSERT_EQUAL_FATAL(parts[0].niov, 3);
    CU_ASSERT_PTR_EQUAL(parts[0].iov[1].base, buf);
    CU_ASSERT_EQUAL(parts[0].iov[1].len, 100);
    CU_ASSERT_PTR_EQUAL(parts[0].iov[2].base, buf + 100 + S);
    CU_ASSERT_EQUAL(parts[0].iov[2].len, 200);
    /* slot 1: all of stripe 1 */
    CU_ASSERT_EQUAL(parts[1].slot, 1);
    CU_ASSERT_EQUAL_FATAL(parts[1].nruns, 1);
    CU_ASSERT_EQUAL(parts[1].runs[0].offset, 0);
    CU_ASSERT_EQUAL(parts[1].runs[0].len, S);
    CU_ASSERT_EQUAL(parts[1].max_end, S);
    CU_ASSERT_EQUAL_FATAL(parts[1].niov, 2);
    CU_ASSERT_PTR_EQUAL(parts[1].iov[1].base, buf + 100);
    CU_ASSERT_EQUAL(parts[1].iov[1].len, S);
    pfs_sio_parts_free(parts, nparts);

    /* four stripes on two servers, starting mid-stripe in stripe 1:
     * slot 1 gets [S/2, S) then stripe 3 = object [S, 2S): one run;
     * slot 0 gets stripe 2 = object [S, 2S) and stripe 4's first byte */
    file = contiguous(S + S / 2, S / 2 + 2 * S + 1);
    mem = contiguous(7, S / 2 + 2 * S + 1);
    {
        static uint8_t big[3 * 64 * 1024];

        split(&l, MIB, 64, big, &mem, &file, &parts, &nparts);
        CU_ASSERT_EQUAL_FATAL(nparts, 2);
        CU_ASSERT_EQUAL(parts[0].slot, 1);
        CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
        CU_ASSERT_EQUAL(parts[0].runs[0].offset, S / 2);
        CU_ASSERT_EQUAL(parts[0].runs[0].len, S / 2 + S);
        CU_ASSERT_EQUAL(parts[0].niov, 3);
        CU_ASSERT_EQUAL(parts[1].slot, 0);
        CU_ASSERT_EQUAL_FATAL(parts[1].nruns, 1);
        CU_ASSERT_EQUAL(parts[1].runs[0].offset, S);
        CU_ASSERT_EQUAL(parts[1].runs[0].len, S + 1);
        CU_ASSERT_EQUAL(parts[1].max_end, 2 * S + 1);
        CU_ASSERT_EQUAL_FATAL(parts[1].niov, 3);
        CU_ASSERT_PTR_EQUAL(parts[1].iov[1].base, big + 7 + S / 2);
        CU_ASSERT_PTR_EQUAL(parts[1].iov[2].base, big + 7 + S / 2 + 2 * S);
        CU_ASSERT_EQUAL(parts[1].iov[2].len, 1);
        pfs_sio_parts_free(parts, nparts);
    }
}

/* Zero-length list entries are skipped on both sides. */
static void test_zero_length_entries(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 2, 0, 2);
    static uint8_t buf[4096];
    static const uint64_t foff[] = {0, 100, 200, 300, 400};
    static const uint64_t flen[] = {0, 50, 0, 50, 0};
    static const uint64_t moff[] = {5, 10, 999, 60, 77};
    static const uint64_t mlen[] = {0, 50, 0, 50, 0};
    static const uint64_t zoff[] = {0, 10, 70000};
    static const uint64_t zlen[] = {0, 0, 0};
    pfs_sio_desc_t file = list(foff, flen, 5);
    pfs_sio_desc_t mem = list(moff, mlen, 5);
    pfs_sio_part_t *parts;
    size_t nparts;

    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 1);
    CU_ASSERT_EQUAL(parts[0].slot, 0);
    /* two equal pieces 200 apart: one strided run */
    CU_ASSERT_EQUAL_FATAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].runs[0].offset, 100);
    CU_ASSERT_EQUAL(parts[0].runs[0].len, 50);
    CU_ASSERT_EQUAL(parts[0].runs[0].count, 2);
    CU_ASSERT_EQUAL(parts[0].runs[0].stride, 200);
    CU_ASSERT_EQUAL(parts[0].pieces, 2);
    /* memory [10, 60) and [60, 110): one iov */
    CU_ASSERT_EQUAL_FATAL(parts[0].niov, 2);
    CU_ASSERT_PTR_EQUAL(parts[0].iov[1].base, buf + 10);
    CU_ASSERT_EQUAL(parts[0].iov[1].len, 100);
    CU_ASSERT_EQUAL(parts[0].bytes, 100);
    CU_ASSERT_EQUAL(parts[0].max_end, 350);
    pfs_sio_parts_free(parts, nparts);

    /* zeros against a contiguous memory side */
    mem = contiguous(0, 100);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 1);
    CU_ASSERT_EQUAL(parts[0].niov, 2);
    CU_ASSERT_EQUAL(parts[0].nruns, 1);
    CU_ASSERT_EQUAL(parts[0].bytes, 100);
    pfs_sio_parts_free(parts, nparts);

    /* all zero, list against list and against empty strided */
    file = list(zoff, zlen, 3);
    mem = list(zoff, zlen, 2);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 0);
    pfs_sio_parts_free(parts, nparts);
    mem = contiguous(0, 0);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 0);
    pfs_sio_parts_free(parts, nparts);
    file = list(NULL, NULL, 0);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 0);
    pfs_sio_parts_free(parts, nparts);
    {
        const uint64_t c[] = {3, 0}, s[] = {100, 10};

        file = strided(0, 10, 2, c, s);
        split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
        CU_ASSERT_EQUAL(nparts, 0);
        pfs_sio_parts_free(parts, nparts);
    }
}

/* 47008-byte blocks every 4 * 47008 bytes, 200 of them, on two servers. */
static void check_strided_47008(uint64_t stripe_size, uint32_t max_runs,
                                unsigned *pieces_p, unsigned *runs_p)
{
    const uint64_t blk = 47008, counts[] = {200}, strides[] = {4 * 47008};
    pfs_layout_t l = make_layout(stripe_size, 2, 0, 2);
    pfs_sio_desc_t file = strided(0, blk, 1, counts, strides);
    pfs_sio_desc_t mem = contiguous(0, 200 * blk);
    uint8_t *buf = malloc(200 * blk);
    uint64_t want_pieces = 0;
    pfs_sio_part_t *parts;
    size_t nparts, i;

    CU_ASSERT_FATAL(buf != NULL);
    /* the pieces the layout cuts the blocks into */
    for (i = 0; i < 200; i++) {
        uint64_t first = i * 4 * blk / stripe_size;
        uint64_t last = (i * 4 * blk + blk - 1) / stripe_size;

        want_pieces += last - first + 1;
    }
    split(&l, 1024 * MIB, 4096, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 2);
    CU_ASSERT_EQUAL(parts[0].slot, 0);
    CU_ASSERT_EQUAL(parts[1].slot, 1);
    CU_ASSERT_EQUAL(parts[0].pieces + parts[1].pieces, want_pieces);
    CU_ASSERT_EQUAL(parts_bytes(parts, nparts), 200 * blk);
    *pieces_p = (unsigned)want_pieces;
    *runs_p = 0;
    for (i = 0; i < nparts; i++) {
        CU_ASSERT(parts[i].nruns <= max_runs);
        CU_ASSERT(parts[i].nruns <= parts[i].pieces);
        *runs_p += parts[i].nruns;
    }
    pfs_sio_parts_free(parts, nparts);

    /* with memory per part bounded, each slot splits but nothing is lost */
    split(&l, 1024 * MIB, 8, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT(nparts > 2);
    CU_ASSERT_EQUAL(parts_bytes(parts, nparts), 200 * blk);
    pfs_sio_parts_free(parts, nparts);
    free(buf);
}

static void test_strided_coalesce(void)
{
    unsigned pieces, runs;

    /* 1 MiB stripes: the blocks inside a stripe are regular in the object;
     * each of the 36 stripes (18 per slot) adds at most a strided run and
     * two partial blocks at its edges */
    check_strided_47008(MIB, 3 * 18, &pieces, &runs);
    CU_ASSERT(runs * 2 <= pieces);
    /* 64 KiB stripes: blocks shorter than a stripe, every block in one or
     * two pieces; still never more runs than pieces */
    check_strided_47008(64 * KIB, 400, &pieces, &runs);
    CU_ASSERT(runs <= pieces);
}

/* A 10 MiB contiguous write cut at 1 MiB per request. */
static void test_max_bytes(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 4, 0, 4);
    uint8_t *buf = malloc(10 * MIB);
    pfs_sio_desc_t file = contiguous(0, 10 * MIB);
    pfs_sio_desc_t mem = contiguous(0, 10 * MIB);
    unsigned per_slot[4] = {0, 0, 0, 0};
    uint64_t slot_bytes[4] = {0, 0, 0, 0};
    pfs_sio_part_t *parts;
    size_t nparts, i;
    uint32_t s;

    CU_ASSERT_FATAL(buf != NULL);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    /* 2.5 MiB per slot: 1 MiB + 1 MiB + 512 KiB */
    CU_ASSERT_EQUAL(nparts, 12);
    for (i = 0; i < nparts; i++) {
        uint64_t want = per_slot[parts[i].slot] < 2 ? MIB : MIB / 2;

        CU_ASSERT(parts[i].bytes <= MIB);
        CU_ASSERT_EQUAL(parts[i].bytes, want);
        /* the slot's stripes are back to back in the object */
        CU_ASSERT_EQUAL(parts[i].nruns, 1);
        CU_ASSERT_EQUAL(parts[i].runs[0].offset, per_slot[parts[i].slot] * MIB);
        /* one memory piece per stripe */
        CU_ASSERT_EQUAL(parts[i].niov, 1 + want / (64 * KIB));
        CU_ASSERT_PTR_EQUAL(
            parts[i].iov[1].base,
            buf + (per_slot[parts[i].slot] * 16 * (uint64_t)4 + parts[i].slot) *
                      64 * KIB);
        per_slot[parts[i].slot]++;
        slot_bytes[parts[i].slot] += parts[i].bytes;
    }
    for (s = 0; s < 4; s++) {
        CU_ASSERT_EQUAL(per_slot[s], 3);
        CU_ASSERT_EQUAL(slot_bytes[s], 5 * MIB / 2);
    }
    CU_ASSERT_EQUAL(parts_bytes(parts, nparts), 10 * MIB);
    pfs_sio_parts_free(parts, nparts);

    /* stripes of 8 MiB: one piece of 8 MiB cut into eight requests */
    l = make_layout(8 * MIB, 2, 0, 2);
    split(&l, MIB, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 10);
    for (i = 0; i < nparts; i++) {
        uint64_t k = i < 8 ? i : i - 8;

        CU_ASSERT_EQUAL(parts[i].slot, i < 8 ? 0 : 1);
        CU_ASSERT_EQUAL(parts[i].bytes, MIB);
        CU_ASSERT_EQUAL_FATAL(parts[i].nruns, 1);
        CU_ASSERT_EQUAL(parts[i].runs[0].offset, k * MIB);
        CU_ASSERT_EQUAL(parts[i].runs[0].len, MIB);
        CU_ASSERT_EQUAL(parts[i].runs[0].count, 1);
        CU_ASSERT_EQUAL(parts[i].max_end, (k + 1) * MIB);
        CU_ASSERT_EQUAL_FATAL(parts[i].niov, 2);
        CU_ASSERT_PTR_EQUAL(parts[i].iov[1].base, buf + i * MIB);
        CU_ASSERT_EQUAL(parts[i].iov[1].len, MIB);
    }
    pfs_sio_parts_free(parts, nparts);

    /* max_bytes not dividing the stripe, and not a multiple of anything */
    file = contiguous(12345, 3 * MIB);
    mem = contiguous(0, 3 * MIB);
    split(&l, 1000000, 64, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 4);
    CU_ASSERT_EQUAL(parts_bytes(parts, nparts), 3 * MIB);
    pfs_sio_parts_free(parts, nparts);
    free(buf);
}

/* More memory pieces than max_iov: parts close at niov == max_iov. */
static void test_max_iov(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 1, 0, 1);
    static uint8_t buf[100 * 128];
    const uint64_t counts[] = {100}, strides[] = {128};
    pfs_sio_desc_t mem = strided(0, 64, 1, counts, strides);
    pfs_sio_desc_t file = contiguous(1000, 100 * 64);
    pfs_sio_part_t *parts;
    size_t nparts, i, v;

    split(&l, MIB, 8, buf, &mem, &file, &parts, &nparts);
    /* 7 memory pieces per part: 14 full parts and one of 2 */
    CU_ASSERT_EQUAL_FATAL(nparts, 15);
    for (i = 0; i < nparts; i++) {
        size_t want = i < 14 ? 7 : 2;

        CU_ASSERT_EQUAL(parts[i].slot, 0);
        CU_ASSERT_EQUAL(parts[i].niov, want + 1);
        CU_ASSERT_EQUAL(parts[i].bytes, want * 64);
        CU_ASSERT_EQUAL_FATAL(parts[i].nruns, 1);
        CU_ASSERT_EQUAL(parts[i].runs[0].offset, 1000 + i * 7 * 64);
        CU_ASSERT_EQUAL(parts[i].runs[0].len, want * 64);
        for (v = 1; v < parts[i].niov; v++) {
            CU_ASSERT_PTR_EQUAL(parts[i].iov[v].base,
                                buf + (i * 7 + v - 1) * 128);
            CU_ASSERT_EQUAL(parts[i].iov[v].len, 64);
        }
    }
    pfs_sio_parts_free(parts, nparts);

    /* max_iov 2: one memory piece per part */
    split(&l, MIB, 2, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 100);
    for (i = 0; i < nparts; i++) {
        CU_ASSERT_EQUAL(parts[i].niov, 2);
    }
    pfs_sio_parts_free(parts, nparts);

    /* contiguous memory never counts against max_iov */
    mem = contiguous(0, 100 * 64);
    split(&l, MIB, 2, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 1);
    pfs_sio_parts_free(parts, nparts);
}

/* The run and block limits of one request. */
static void test_run_piece_limits(void)
{
    const uint64_t n = PFS_SIO_MAX_RUNS + 100;
    pfs_layout_t l = make_layout(MIB, 1, 0, 1);
    uint64_t *offs = malloc(n * sizeof(*offs));
    uint64_t *lens = malloc(n * sizeof(*lens));
    uint8_t *buf = malloc(PFS_SIO_MAX_PIECES + 1000);
    pfs_sio_desc_t file, mem;
    pfs_sio_part_t *parts;
    size_t nparts;
    uint64_t i;

    CU_ASSERT_FATAL(offs != NULL && lens != NULL && buf != NULL);
    /* descending one-byte pieces never coalesce: one run each */
    for (i = 0; i < n; i++) {
        offs[i] = 2 * (n - i);
        lens[i] = 1;
    }
    file = list(offs, lens, n);
    mem = contiguous(0, n);
    split(&l, 1024 * MIB, 1024, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL_FATAL(nparts, 2);
    CU_ASSERT_EQUAL(parts[0].nruns, PFS_SIO_MAX_RUNS - 1);
    CU_ASSERT_EQUAL(parts[1].nruns, n - (PFS_SIO_MAX_RUNS - 1));
    CU_ASSERT_EQUAL(parts[0].niov, 2);
    CU_ASSERT_EQUAL(parts[1].niov, 2);
    CU_ASSERT_PTR_EQUAL(parts[1].iov[1].base, buf + PFS_SIO_MAX_RUNS - 1);
    pfs_sio_parts_free(parts, nparts);

    /* one-byte blocks every two bytes: one strided run, cut at the block
     * limit */
    {
        const uint64_t c[] = {PFS_SIO_MAX_PIECES + 1000}, s[] = {2};

        file = strided(0, 1, 1, c, s);
        mem = contiguous(0, c[0]);
        split(&l, 1024 * MIB, 1024, buf, &mem, &file, &parts, &nparts);
        CU_ASSERT_EQUAL_FATAL(nparts, 2);
        CU_ASSERT_EQUAL(parts[0].pieces, PFS_SIO_MAX_PIECES - 1);
        CU_ASSERT_EQUAL(parts[0].nruns, 1);
        CU_ASSERT_EQUAL(parts[0].runs[0].count, PFS_SIO_MAX_PIECES - 1);
        CU_ASSERT_EQUAL(parts[0].runs[0].stride, 2);
        CU_ASSERT_EQUAL(parts[1].pieces, 1001);
        CU_ASSERT_EQUAL(parts[1].runs[0].offset,
                        2 * (uint64_t)(PFS_SIO_MAX_PIECES - 1));
        pfs_sio_parts_free(parts, nparts);
    }
    free(offs);
    free(lens);
    free(buf);
}

static void test_invalid_args(void)
{
    pfs_layout_t l = make_layout(64 * KIB, 2, 0, 2);
    static uint8_t buf[100];
    pfs_sio_desc_t file = contiguous(0, 100), mem = contiguous(0, 100);
    pfs_sio_part_t *parts = NULL;
    size_t nparts = 12345;

    CU_ASSERT_EQUAL(pfs_sio_split(&l, 0, 64, buf, &mem, &file, &parts, &nparts),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(
        pfs_sio_split(&l, MIB, 1, buf, &mem, &file, &parts, &nparts),
        PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(
        pfs_sio_split(&l, MIB, 0, buf, &mem, &file, &parts, &nparts),
        PFS_ERR_INVAL);
    /* nothing returned on failure */
    CU_ASSERT_PTR_NULL(parts);
    CU_ASSERT_EQUAL(nparts, 12345);
    /* the smallest accepted values */
    split(&l, 1, 2, buf, &mem, &file, &parts, &nparts);
    CU_ASSERT_EQUAL(nparts, 100);
    pfs_sio_parts_free(parts, nparts);
}

/* ---- brute force against a byte-by-byte reference ---------------------- */

#define BF_MAX_TOTAL (64 * 1024)
#define BF_FILE_SPAN (1024 * 1024)
#define BF_SCRATCH (1024 * 1024)
#define BF_MAX_LIST 24
#define BF_SLOTS 4

static uint8_t bf_scratch[BF_SCRATCH];
/* per slot, the (object offset, memory address) of its bytes in request
 * order */
static uint64_t bf_ref_obj[BF_SLOTS][BF_MAX_TOTAL];
static uint8_t *bf_ref_mem[BF_SLOTS][BF_MAX_TOTAL];

/* A random file description of at most BF_MAX_TOTAL bytes. */
static void bf_file_desc(uint64_t *rng, const pfs_layout_t *l,
                         pfs_sio_desc_t *d, uint64_t *offs, uint64_t *lens)
{
    if (rng_below(rng, 2) == 0) {
        size_t n = rng_below(rng, BF_MAX_LIST + 1), k;
        uint64_t total = 0;

        for (k = 0; k < n; k++) {
            uint64_t len =
                rng_below(rng, 4) == 0 ? 0 : 1 + rng_below(rng, 8192);
            uint64_t mode = rng_below(rng, 4);

            len = PFS_MIN(len, BF_MAX_TOTAL - total);
            if (k > 0 && mode == 0) {
                offs[k] = offs[k - 1] + lens[k - 1]; /* adjacent */
            } else if (k > 1 && mode == 1 && offs[k - 1] >= offs[k - 2]) {
                /* same shape as the previous step: a regular pattern */
                len = PFS_MIN(lens[k - 1], BF_MAX_TOTAL - total);
                offs[k] = offs[k - 1] + (offs[k - 1] - offs[k - 2]);
            } else {
                offs[k] = rng_below(rng, BF_FILE_SPAN);
            }
            lens[k] = len;
            total += len;
        }
        *d = list(offs, lens, n);
    } else {
        int ndims = (int)rng_below(rng, 4), i;
        uint64_t counts[3], strides[3], blocks = 1, blocklen;

        for (i = 0; i < ndims; i++) {
            uint64_t pick = rng_below(rng, 5);

            counts[i] = rng_below(rng, 20) == 0 ? 0 : 1 + rng_below(rng, 6);
            if (pick == 0) {
                strides[i] = l->stripe_size * l->stripe_count; /* one slot */
            } else if (pick == 1) {
                strides[i] = l->stripe_size;
            } else {
                strides[i] = rng_below(rng, 64 * 1024);
            }
            blocks *= counts[i] ? counts[i] : 1;
        }
        blocklen = rng_below(rng, 8) == 0 ? 0 : 1 + rng_below(rng, 16384);
        blocklen = PFS_MIN(blocklen, BF_MAX_TOTAL / blocks);
        *d = strided(rng_below(rng, BF_FILE_SPAN / 2), blocklen, ndims, counts,
                     strides);
    }
}

/* A random memory description of exactly total bytes in bf_scratch. */
static void bf_mem_desc(uint64_t *rng, uint64_t total, pfs_sio_desc_t *d,
                        uint64_t *offs, uint64_t *lens)
{
    uint64_t kind = rng_below(rng, 3);

    if (kind == 0 || total == 0) {
        *d = contiguous(rng_below(rng, BF_SCRATCH - total + 1), total);
    } else if (kind == 1) {
        size_t n = 1 + rng_below(rng, BF_MAX_LIST), k;
        uint64_t left = total;

        for (k = 0; k < n; k++) {
            uint64_t len = k + 1 == n ? left : rng_below(rng, left + 1);

            if (rng_below(rng, 3) == 0) {
                len = 0;
            }
            if (k + 1 == n) {
                len = left;
            }
            if (k > 0 && rng_below(rng, 3) == 0 &&
                offs[k - 1] + lens[k - 1] + len <= BF_SCRATCH) {
                offs[k] = offs[k - 1] + lens[k - 1]; /* adjacent */
            } else {
                offs[k] = rng_below(rng, BF_SCRATCH - len + 1);
            }
            lens[k] = len;
            left -= len;
        }
        *d = list(offs, lens, n);
    } else {
        uint64_t b = 1 + rng_below(rng, PFS_MIN(total, 4096));
        uint64_t count, gap, room, c2, counts[2], strides[2];

        while (total % b != 0) {
            b--;
        }
        count = total / b;
        /* inner dimension a divisor of count */
        c2 = 1 + rng_below(rng, PFS_MIN(count, 8));
        while (count % c2 != 0) {
            c2--;
        }
        room = (BF_SCRATCH - total) / count;
        gap = rng_below(rng, PFS_MIN(room, 64) + 1);
        counts[0] = count / c2;
        counts[1] = c2;
        strides[1] = b + gap;
        strides[0] = c2 * strides[1];
        *d = strided(rng_below(rng, BF_SCRATCH - counts[0] * strides[0] + 1), b,
                     2, counts, strides);
    }
}

/* Walk both descriptions byte by byte into the per-slot reference. */
static void bf_reference(const pfs_layout_t *l, const pfs_sio_desc_t *mem,
                         const pfs_sio_desc_t *file, size_t *nref)
{
    pfs_sio_iter_t mi, fi;
    uint64_t moff = 0, mlen = 0, foff = 0, flen = 0;
    uint32_t s;

    for (s = 0; s < BF_SLOTS; s++) {
        nref[s] = 0;
    }
    pfs_sio_iter_init(&mi, mem);
    pfs_sio_iter_init(&fi, file);
    for (;;) {
        pfs_layout_piece_t piece;

        if (mlen == 0 && !pfs_sio_iter_next(&mi, &moff, &mlen)) {
            break;
        }
        if (flen == 0 && !pfs_sio_iter_next(&fi, &foff, &flen)) {
            break;
        }
        pfs_layout_piece(l, foff, 1, &piece);
        bf_ref_obj[piece.slot][nref[piece.slot]] = piece.object_offset;
        bf_ref_mem[piece.slot][nref[piece.slot]] = bf_scratch + moff;
        nref[piece.slot]++;
        moff++;
        mlen--;
        foff++;
        flen--;
    }
}

/* Expand every part into bytes and compare with the reference, slot by
 * slot in request order.  Returns 1 when everything matches. */
static int bf_compare(const pfs_sio_part_t *parts, size_t nparts,
                      const size_t *nref)
{
    size_t pos[BF_SLOTS] = {0, 0, 0, 0}, i;
    uint32_t s;

    for (i = 0; i < nparts; i++) {
        const pfs_sio_part_t *p = &parts[i];
        size_t v = 1, vb = 0, *at = &pos[p->slot];
        uint32_t r;

        for (r = 0; r < p->nruns; r++) {
            uint64_t k, b;

            for (k = 0; k < p->runs[r].count; k++) {
                uint64_t base = p->runs[r].offset + k * p->runs[r].stride;

                for (b = 0; b < p->runs[r].len; b++) {
                    while (v < p->niov && vb >= p->iov[v].len) {
                        v++;
                        vb = 0;
                    }
                    if (v >= p->niov || *at >= nref[p->slot] ||
                        bf_ref_obj[p->slot][*at] != base + b ||
                        bf_ref_mem[p->slot][*at] !=
                            (uint8_t *)p->iov[v].base + vb) {
                        return 0;
                    }
                    vb++;
                    (*at)++;
                }
            }
        }
    }
    for (s = 0; s < BF_SLOTS; s++) {
        if (pos[s] != nref[s]) {
            return 0;
        }
    }
    return 1;
}

static void test_brute_force(void)
{
    static uint64_t foffs[BF_MAX_LIST], flens[BF_MAX_LIST];
    static uint64_t moffs[BF_MAX_LIST], mlens[BF_MAX_LIST];
    static const uint64_t sizes[] = {4096, 8192, 64 * 1024};
    uint64_t rng = UINT64_C(0x5eed5117c0de);
    unsigned iter, failed = 0, nonempty = 0, multi = 0;

    for (iter = 0; iter < 2000; iter++) {
        uint64_t seed = rng, total = 0, max_bytes;
        size_t max_iov, nparts, nref[BF_SLOTS];
        pfs_layout_t l;
        pfs_sio_desc_t file, mem;
        pfs_sio_part_t *parts = NULL;
        pfs_status_t st;
        int ok;

        l = make_layout(sizes[rng_below(&rng, 3)],
                        1 + (uint32_t)rng_below(&rng, 4),
                        (uint32_t)rng_below(&rng, 4), 4);
        bf_file_desc(&rng, &l, &file, foffs, flens);
        CU_ASSERT_EQUAL_FATAL(
            pfs_sio_desc_check(&file, PFS_MAX_FILE_SIZE, &total), PFS_OK);
        CU_ASSERT_FATAL(total <= BF_MAX_TOTAL);
        bf_mem_desc(&rng, total, &mem, moffs, mlens);
        {
            uint64_t mtotal = UINT64_MAX;

            CU_ASSERT_EQUAL_FATAL(pfs_sio_desc_check(&mem, BF_SCRATCH, &mtotal),
                                  PFS_OK);
            CU_ASSERT_EQUAL_FATAL(mtotal, total);
        }
        if (rng_below(&rng, 8) == 0) {
            max_bytes = 1 + rng_below(&rng, 4096); /* tiny, many parts */
        } else {
            max_bytes = 4096 + rng_below(&rng, 256 * 1024 - 4096 + 1);
        }
        max_iov = 2 + (size_t)rng_below(&rng, 63);

        st = pfs_sio_split(&l, max_bytes, max_iov, bf_scratch, &mem, &file,
                           &parts, &nparts);
        CU_ASSERT_EQUAL_FATAL(st, PFS_OK);
        bf_reference(&l, &mem, &file, nref);
        ok = check_parts(&l, parts, nparts, max_bytes, max_iov) == 0 &&
             bf_compare(parts, nparts, nref) &&
             parts_bytes(parts, nparts) == total;
        CU_ASSERT(ok);
        if (!ok && failed++ < 5) {
            fprintf(stderr,
                    "\nsplit brute force: case %u (rng state %#llx) "
                    "stripe %llu count %u max_bytes %llu max_iov %zu "
                    "total %llu nparts %zu\n",
                    iter, (unsigned long long)seed,
                    (unsigned long long)l.stripe_size, l.stripe_count,
                    (unsigned long long)max_bytes, max_iov,
                    (unsigned long long)total, nparts);
        }
        nonempty += nparts > 0;
        multi += nparts > l.stripe_count;
        pfs_sio_parts_free(parts, nparts);
    }
    /* the generator reaches the interesting cases */
    CU_ASSERT(nonempty > 1500);
    CU_ASSERT(multi > 300);
}

static CU_TestInfo split_tests[] = {
    {"one_stripe", test_one_stripe},
    {"one_server", test_one_server},
    {"stripe_boundaries", test_stripe_boundaries},
    {"zero_length_entries", test_zero_length_entries},
    {"strided_coalesce", test_strided_coalesce},
    {"max_bytes", test_max_bytes},
    {"max_iov", test_max_iov},
    {"run_piece_limits", test_run_piece_limits},
    {"invalid_args", test_invalid_args},
    {"brute_force", test_brute_force},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_split = {"split", NULL, NULL, split_tests};
