/* test_abi.c - public structs at the caller's size (doc/abi.md): the
 * copy-in/copy-out helpers of libpio/pio_abi.h on a struct that grows
 * from one release to the next, and libpio's and libpio_mpi's _sz
 * functions that need no server, with sizes below the first release's
 * (refused, nothing written), exactly today's (the struct ends where an
 * inaccessible page begins, so any access past it faults), and larger
 * (the bytes past today's struct, set to a sentinel, are zeroed for
 * outputs, kept for updates, and nothing past the size is touched).
 * The calls that need servers are in tests/integration/abi_sizes.sh. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pfs/pio.h"
#include "pfs/pio_mpi.h"
#include "../../guard_page.h"
#include "pio_abi.h"
#include "unit.h"

/* ---- the helpers on a struct that grows -------------------------------- */

/* Release 1 of a struct, and release 2, which appends d after release
 * 1's size (its padding included), as doc/abi.md requires. */
typedef struct {
    uint64_t a;
    uint32_t b;
} v1_t;

typedef struct {
    uint64_t a;
    uint32_t b;
    uint64_t d;
} v2_t;

#define PIOI_ABI_MIN_v1_t PIOI_END_OF(v1_t, b)
#define PIOI_ABI_MIN_v2_t PIOI_END_OF(v2_t, b)

/* An old program's input to a new library: d reads as zero. */
static void test_in_older_caller(void)
{
    guard_t g;
    v1_t *old = guarded(&g, sizeof(v1_t));
    v2_t own;

    memset(old, SENTINEL, sizeof(*old));
    old->a = 7;
    old->b = 8;
    memset(&own, SENTINEL, sizeof(own));
    CU_ASSERT_EQUAL(PIOI_ABI_IN(v2_t, &own, (const v2_t *)(void *)old,
                                sizeof(v1_t), NULL, 0),
                    PFS_OK);
    CU_ASSERT_EQUAL(own.a, 7);
    CU_ASSERT_EQUAL(own.b, 8);
    CU_ASSERT_EQUAL(own.d, 0);
    unguard(&g);
}

/* A new program's input to an old library: only the old library's
 * bytes are taken. */
static void test_in_newer_caller(void)
{
    v2_t fresh = {.a = 1, .b = 2, .d = 3};
    v1_t own;

    CU_ASSERT_EQUAL(PIOI_ABI_IN(v1_t, &own, (const v1_t *)(void *)&fresh,
                                sizeof(fresh), NULL, 0),
                    PFS_OK);
    CU_ASSERT_EQUAL(own.a, 1);
    CU_ASSERT_EQUAL(own.b, 2);
}

static void test_in_too_small(void)
{
    v1_t src = {1, 2}, own;
    char msg[256] = "";

    memset(&own, SENTINEL, sizeof(own));
    CU_ASSERT_EQUAL(
        PIOI_ABI_IN(v1_t, &own, &src, PIOI_ABI_MIN_v1_t - 1, msg, sizeof(msg)),
        PFS_ERR_INVAL);
    CU_ASSERT(all_bytes(&own, sizeof(own), SENTINEL));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "v1_t of 11 bytes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "less than the 12"));
    CU_ASSERT_EQUAL(PIOI_ABI_CHECK(v1_t, 0, NULL, 0), PFS_ERR_INVAL);
}

/* A new library's output to an old program: exactly its bytes. */
static void test_out_older_caller(void)
{
    guard_t g;
    v1_t *old = guarded(&g, sizeof(v1_t));
    v2_t own = {.a = 4, .b = 5, .d = 6};

    PIOI_ABI_OUT(v2_t, (v2_t *)(void *)old, sizeof(v1_t), &own);
    CU_ASSERT_EQUAL(old->a, 4);
    CU_ASSERT_EQUAL(old->b, 5);
    unguard(&g);
}

/* An old library's output to a new program: the new member gets zero,
 * an update leaves it as it was; nothing past the size is written. */
static void test_out_newer_caller(void)
{
    uint8_t buf[sizeof(v2_t) + GUARD];
    v2_t *fresh = (v2_t *)(void *)buf;
    v1_t own = {.a = 9, .b = 10};

    memset(buf, SENTINEL, sizeof(buf));
    PIOI_ABI_OUT(v1_t, (v1_t *)(void *)fresh, sizeof(v2_t), &own);
    CU_ASSERT_EQUAL(fresh->a, 9);
    CU_ASSERT_EQUAL(fresh->b, 10);
    CU_ASSERT_EQUAL(fresh->d, 0);
    CU_ASSERT(all_bytes(buf + sizeof(v2_t), GUARD, SENTINEL));

    memset(buf, SENTINEL, sizeof(buf));
    fresh->d = 11;
    PIOI_ABI_UPDATE(v1_t, (v1_t *)(void *)fresh, sizeof(v2_t), &own);
    CU_ASSERT_EQUAL(fresh->a, 9);
    CU_ASSERT_EQUAL(fresh->d, 11);
    CU_ASSERT(all_bytes(buf + sizeof(v2_t), GUARD, SENTINEL));
}

/* ---- the three sizes on an exported output function -------------------- */

/* fill(p, size) writes a struct of type size own (minimum min) at p.
 * Below min: refused, nothing written.  Exactly own, ending at a
 * PROT_NONE page: accepted, no access past it (check(p) looks at the
 * result).  own + EXTRA: the extra bytes zeroed, the GUARD bytes after
 * them untouched. */
static void out_sizes(pfs_status_t (*fill)(void *p, size_t size),
                      int (*check)(const void *p), size_t own, size_t min)
{
    uint8_t buf[4096];
    guard_t g;
    void *p;

    CU_ASSERT_FATAL(own + EXTRA + GUARD <= sizeof(buf));
    memset(buf, SENTINEL, sizeof(buf));
    CU_ASSERT_EQUAL(fill(buf, min - 1), PFS_ERR_INVAL);
    CU_ASSERT(all_bytes(buf, sizeof(buf), SENTINEL));

    p = guarded(&g, own);
    CU_ASSERT_EQUAL(fill(p, own), PFS_OK);
    CU_ASSERT(check(p));
    unguard(&g);

    CU_ASSERT_EQUAL(fill(buf, own + EXTRA), PFS_OK);
    CU_ASSERT(check(buf));
    CU_ASSERT(all_bytes(buf + own, EXTRA, 0));
    CU_ASSERT(all_bytes(buf + own + EXTRA, GUARD, SENTINEL));
}

static pfs_status_t fill_vector(void *p, size_t size)
{
    return pio_desc_vector_sz(p, 100, 3, 10, 40, size);
}

static int check_vector(const void *p)
{
    const pio_desc_t *d = p;

    return d->kind == PIO_DESC_STRIDED && d->offset == 100 &&
           d->blocklen == 10 && d->ndims == 1 && d->dims[0].count == 3 &&
           d->dims[0].stride == 40;
}

static pfs_status_t fill_contig(void *p, size_t size)
{
    return pio_desc_contig_sz(p, 5, 6, size);
}

static int check_contig(const void *p)
{
    const pio_desc_t *d = p;

    return d->kind == PIO_DESC_STRIDED && d->offset == 5 && d->blocklen == 6 &&
           d->ndims == 0;
}

static const uint64_t list_off[2] = {0, 8}, list_len[2] = {4, 4};

static pfs_status_t fill_list(void *p, size_t size)
{
    return pio_desc_list_sz(p, list_off, list_len, 2, size);
}

static int check_list(const void *p)
{
    const pio_desc_t *d = p;

    return d->kind == PIO_DESC_LIST && d->offsets == list_off &&
           d->lengths == list_len && d->count == 2;
}

static void test_desc_fill(void)
{
    out_sizes(fill_contig, check_contig, sizeof(pio_desc_t),
              PIOI_ABI_MIN_pio_desc_t);
    out_sizes(fill_list, check_list, sizeof(pio_desc_t),
              PIOI_ABI_MIN_pio_desc_t);
    out_sizes(fill_vector, check_vector, sizeof(pio_desc_t),
              PIOI_ABI_MIN_pio_desc_t);
}

/* pio_desc_repeat updates the caller's description: members past the
 * library's struct keep their bytes. */
static void test_desc_repeat(void)
{
    uint8_t buf[sizeof(pio_desc_t) + EXTRA + GUARD];
    pio_desc_t *d = (pio_desc_t *)(void *)buf;
    guard_t g;
    pio_desc_t *e;

    memset(buf, SENTINEL, sizeof(buf));
    CU_ASSERT_EQUAL(pio_desc_vector(d, 0, 2, 8, 16), PFS_OK);
    memset(buf + sizeof(pio_desc_t), SENTINEL, EXTRA);
    CU_ASSERT_EQUAL(pio_desc_repeat_sz(d, 4, 64, PIOI_ABI_MIN_pio_desc_t - 1),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(d->ndims, 1);
    CU_ASSERT_EQUAL(pio_desc_repeat_sz(d, 4, 64, sizeof(pio_desc_t) + EXTRA),
                    PFS_OK);
    CU_ASSERT_EQUAL(d->ndims, 2);
    CU_ASSERT_EQUAL(d->dims[0].count, 4);
    CU_ASSERT_EQUAL(d->dims[0].stride, 64);
    CU_ASSERT_EQUAL(d->dims[1].count, 2);
    CU_ASSERT(all_bytes(buf + sizeof(pio_desc_t), EXTRA + GUARD, SENTINEL));

    e = guarded(&g, sizeof(pio_desc_t));
    CU_ASSERT_EQUAL(pio_desc_contig(e, 0, 8), PFS_OK);
    CU_ASSERT_EQUAL(pio_desc_repeat(e, 3, 32), PFS_OK);
    CU_ASSERT_EQUAL(e->ndims, 1);
    unguard(&g);
}

/* pio_init reads its config at the caller's size: refused below the
 * first release's; at exactly today's, ending at a PROT_NONE page, the
 * descriptor it names is used; garbage past the library's struct is
 * ignored.  (No server: the descriptor names a file that is missing.) */
static void test_init_config(void)
{
    static const char missing[] = "/nonexistent/pfs-abi-test/ensemble";
    uint8_t buf[sizeof(pio_config_t) + EXTRA];
    pio_config_t *cfg;
    pio_client_t *c = NULL;
    char err[512] = "";
    guard_t g;

    cfg = (pio_config_t *)(void *)buf;
    memset(buf, 0xFF, sizeof(buf));
    cfg->descriptor = missing;
    CU_ASSERT_EQUAL(
        pio_init_sz(cfg, &c, err, sizeof(err), PIOI_ABI_MIN_pio_config_t - 1),
        PFS_ERR_INVAL);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "pio_config_t of"));

    memset(buf, 0, sizeof(pio_config_t));
    cfg->descriptor = missing;
    CU_ASSERT_EQUAL(pio_init_sz(cfg, &c, err, sizeof(err), sizeof(buf)),
                    PFS_ERR_NOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));

    cfg = guarded(&g, sizeof(pio_config_t));
    memset(cfg, 0, sizeof(*cfg));
    cfg->descriptor = missing;
    CU_ASSERT_EQUAL(pio_init(cfg, &c, err, sizeof(err)), PFS_ERR_NOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
    CU_ASSERT_PTR_NULL(c);
    unguard(&g);
}

/* ---- libpio_mpi's calls that need no communicator ---------------------- */

static pfs_status_t fill_hints(void *p, size_t size)
{
    return pio_coll_hints_default_sz(p, size);
}

static int check_hints(const void *p)
{
    const pio_coll_hints_t *h = p;

    return h->cb_write == PIO_CB_AUTO && h->cb_nodes == 0 &&
           h->cb_buffer_size == (4u << 20) && h->direct_min == (16u << 10);
}

static pfs_status_t fill_stats(void *p, size_t size)
{
    return pio_coll_last_stats_sz(p, size);
}

static int check_stats(const void *p)
{
    const pio_coll_stats_t *s = p;

    /* no collective call yet */
    return s->direct == 0 && s->rounds == 0 && s->total_s == 0.0;
}

static void test_coll(void)
{
    pio_coll_hints_t h, before;
    char err[512] = "";

    out_sizes(fill_hints, check_hints, sizeof(pio_coll_hints_t),
              PIOI_ABI_MIN_pio_coll_hints_t);
    out_sizes(fill_stats, check_stats, sizeof(pio_coll_stats_t),
              PIOI_ABI_MIN_pio_coll_stats_t);

    pio_coll_hints_default(&h);
    h.cb_nodes = 3;
    before = h;
    CU_ASSERT_EQUAL(
        pio_coll_hints_from_info_sz(MPI_INFO_NULL, &h, err, sizeof(err),
                                    PIOI_ABI_MIN_pio_coll_hints_t - 1),
        PFS_ERR_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "pio_coll_hints_t of"));
    CU_ASSERT_EQUAL(
        pio_coll_hints_from_info(MPI_INFO_NULL, &h, err, sizeof(err)), PFS_OK);
    CU_ASSERT_EQUAL(memcmp(&h, &before, sizeof(h)), 0);
}

static const CU_TestInfo tests[] = {
    {"input from an older caller", test_in_older_caller},
    {"input from a newer caller", test_in_newer_caller},
    {"input below the first release", test_in_too_small},
    {"output to an older caller", test_out_older_caller},
    {"output to a newer caller", test_out_newer_caller},
    {"description fillers", test_desc_fill},
    {"description repeat", test_desc_repeat},
    {"pio_init config", test_init_config},
    {"collective hints and stats", test_coll},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_abi = {"abi", NULL, NULL, tests};
