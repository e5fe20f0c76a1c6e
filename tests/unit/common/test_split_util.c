/* test_split_util.c - helpers the split suite's files share: layouts,
 * descriptions, and a split whose parts are checked. */
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

/* ---- helpers ----------------------------------------------------------- */

pfs_layout_t make_layout(uint64_t stripe_size, uint32_t count, uint32_t first,
                         uint32_t nservers)
{
    pfs_layout_t l;

    memset(&l, 0, sizeof(l));
    CU_ASSERT_EQUAL_FATAL(
        pfs_layout_round_robin(stripe_size, count, first, nservers, &l),
        PFS_OK);
    return l;
}

pfs_sio_desc_t strided(uint64_t offset, uint64_t blocklen, int ndims,
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

pfs_sio_desc_t contiguous(uint64_t offset, uint64_t len)
{
    return strided(offset, len, 0, NULL, NULL);
}

pfs_sio_desc_t list(const uint64_t *offsets, const uint64_t *lengths,
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
unsigned check_parts(const pfs_layout_t *layout, const pfs_sio_part_t *parts,
                     size_t nparts, uint64_t max_bytes, size_t max_iov)
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
void split(const pfs_layout_t *layout, uint64_t max_bytes, size_t max_iov,
           uint8_t *buf, const pfs_sio_desc_t *mem, const pfs_sio_desc_t *file,
           pfs_sio_part_t **parts_p, size_t *nparts_p)
{
    *parts_p = NULL;
    *nparts_p = 0;
    CU_ASSERT_EQUAL_FATAL(pfs_sio_split(layout, max_bytes, max_iov, buf, mem,
                                        file, parts_p, nparts_p),
                          PFS_OK);
    check_parts(layout, *parts_p, *nparts_p, max_bytes, max_iov);
}

uint64_t parts_bytes(const pfs_sio_part_t *parts, size_t nparts)
{
    uint64_t total = 0;
    size_t i;

    for (i = 0; i < nparts; i++) {
        total += parts[i].bytes;
    }
    return total;
}
