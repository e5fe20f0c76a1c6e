
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

#include "test_split.h"

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
