/* abi_client.c - libpio's and libpio_mpi's _sz calls that need servers,
 * each at three sizes of its public struct (abi_sizes.sh; the others
 * are in tests/unit/libpio/test_abi.c; doc/abi.md):
 *  - one byte below the first release's: PFS_ERR_INVAL, a message that
 *    names the struct, nothing written and nothing done;
 *  - exactly today's, the struct ending where an inaccessible page
 *    begins: any access past it would fault;
 *  - today's plus EXTRA bytes (members of a later release): inputs with
 *    garbage there work as without it; outputs get zero there, updates
 *    keep it; the GUARD bytes after the size stay untouched.
 * Rank 0 does the serial calls; then every rank the collective ones.
 * Prints "PASS: 0 failed" at the end on success. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>
#include <pfs/pio.h>
#include <pfs/pio_mpi.h>

#include "../guard_page.h"

#define MAXENT 8

/* The first release's sizes (pio_abi.h in the library): through the
 * last member of release 0.1. */
#define END_OF(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))
#define MIN_STAT END_OF(pio_stat_t, servers)
#define MIN_LAYOUT END_OF(pio_layout_t, servers)
#define MIN_INFO END_OF(pio_layout_info_t, servers)
#define MIN_SPACE END_OF(pio_space_t, avail_bytes)
#define MIN_DIRENT END_OF(pio_dirent_t, fid)
#define MIN_DESC END_OF(pio_desc_t, dims)
#define MIN_HINTS END_OF(pio_coll_hints_t, direct_min)
#define MIN_BATCH END_OF(pio_coll_batch_t, any_more)

static pio_client_t *client;
static const char *what = ""; /* the call out_sizes checks, for CHECK */
static pio_file_t *file;
static int failures;
static const char data[] = "abi sizes: 24 bytes long";

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "abi_client: line %d: %s %s failed (%s)\n",        \
                    __LINE__, what, #cond, pio_client_errmsg(client));         \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* An output call at the three sizes; check() looks at a result. */
static void out_sizes(const char *name,
                      pfs_status_t (*call)(void *p, size_t size),
                      int (*check)(const void *p), size_t own, size_t min)
{
    uint8_t buf[2 * 4096];
    guard_t g;
    void *p;

    what = name;
    memset(buf, SENTINEL, sizeof(buf));
    CHECK(call(buf, min - 1) == PFS_ERR_INVAL);
    CHECK(strstr(pio_client_errmsg(client), name) != NULL);
    CHECK(all_bytes(buf, sizeof(buf), SENTINEL));

    p = guarded(&g, own);
    CHECK(call(p, own) == PFS_OK);
    CHECK(check(p));
    unguard(&g);

    CHECK(call(buf, own + EXTRA) == PFS_OK);
    CHECK(check(buf));
    CHECK(all_bytes(buf + own, EXTRA, 0));
    CHECK(all_bytes(buf + own + EXTRA, GUARD, SENTINEL));
    what = "";
}

static pfs_status_t call_stat(void *p, size_t size)
{
    return pio_stat_sz(client, "/abi/f", p, size);
}

static pfs_status_t call_fstat(void *p, size_t size)
{
    return pio_fstat_sz(file, p, size);
}

/* the handle's attributes are those of its open; its size is asked */
static int check_fstat(const void *p)
{
    const pio_stat_t *st = p;

    return st->type == PIO_TYPE_FILE && st->size == sizeof(data) - 1 &&
           st->stripe_count == 1;
}

static int check_stat(const void *p)
{
    const pio_stat_t *st = p;

    return check_fstat(p) && st->mode == 0600;
}

static pfs_status_t call_info(void *p, size_t size)
{
    return pio_file_layout_sz(file, p, size);
}

static int check_info(const void *p)
{
    const pio_layout_info_t *l = p;

    return l->stripe_count == 1 && l->stripe_size > 0;
}

static pfs_status_t call_space(void *p, size_t size)
{
    return pio_iosrv_space_sz(client, 0, p, size);
}

static int check_space(const void *p)
{
    const pio_space_t *s = p;

    return s->total_bytes > 0 && s->avail_bytes <= s->total_bytes;
}

static pfs_status_t call_dir_layout(void *p, size_t size)
{
    return pio_dir_get_layout_sz(client, "/abi", p, size);
}

static int check_dir_layout(const void *p)
{
    const pio_layout_t *l = p;

    return l->stripe_size == 65536 && l->stripe_count == 0;
}

/* Inputs: pio_create's and pio_dir_set_layout's layout, pio_setattr's
 * attributes, pio_write_desc's descriptions. */
static void inputs(void)
{
    uint8_t buf[4096];
    pio_layout_t *lay = (pio_layout_t *)(void *)buf;
    pio_stat_t *attr = (pio_stat_t *)(void *)buf;
    char back[sizeof(data)] = "";
    pio_desc_t *d;
    pio_file_t *f = NULL;
    pio_stat_t st;
    guard_t g;

    memset(buf, 0xFF, sizeof(buf));
    memset(lay, 0, sizeof(*lay));
    lay->stripe_count = 1;
    CHECK(pio_create_sz(client, "/abi/f", 0644, PIO_RDWR, lay, &f,
                        MIN_LAYOUT - 1) == PFS_ERR_INVAL);
    CHECK(strstr(pio_client_errmsg(client), "pio_layout_t") != NULL);
    CHECK(f == NULL);
    CHECK(pio_stat(client, "/abi/f", &st) == PFS_ERR_NOENT);
    /* the 0xFF bytes past today's struct are not read */
    CHECK(pio_create_sz(client, "/abi/f", 0644, PIO_RDWR, lay, &file,
                        sizeof(*lay) + EXTRA) == PFS_OK);

    memset(buf, 0xFF, sizeof(buf));
    memset(attr, 0, sizeof(*attr));
    attr->mode = 0600;
    CHECK(pio_setattr_sz(client, "/abi/f", PIO_SETATTR_MODE, attr,
                         MIN_STAT - 1) == PFS_ERR_INVAL);
    CHECK(pio_setattr_sz(client, "/abi/f", PIO_SETATTR_MODE, attr,
                         sizeof(*attr) + EXTRA) == PFS_OK);

    memset(buf, 0xFF, sizeof(buf));
    memset(lay, 0, sizeof(*lay));
    lay->stripe_size = 65536;
    CHECK(pio_dir_set_layout_sz(client, "/abi", lay, MIN_LAYOUT - 1) ==
          PFS_ERR_INVAL);
    CHECK(pio_dir_set_layout_sz(client, "/abi", lay, sizeof(*lay) + EXTRA) ==
          PFS_OK);

    /* a write whose file description is refused writes nothing */
    d = guarded(&g, sizeof(*d));
    CHECK(pio_desc_contig(d, 0, sizeof(data) - 1) == PFS_OK);
    CHECK(pio_write_desc_sz(file, data, NULL, d, NULL, MIN_DESC - 1) ==
          PFS_ERR_INVAL);
    CHECK(strstr(pio_client_errmsg(client), "pio_desc_t") != NULL);
    CHECK(pio_stat(client, "/abi/f", &st) == PFS_OK && st.size == 0);
    /* descriptions ending at an inaccessible page, then with garbage past
     * today's struct */
    CHECK(pio_write_desc(file, data, NULL, d, NULL) == PFS_OK);
    unguard(&g);
    memset(buf, 0xFF, sizeof(buf));
    d = (pio_desc_t *)(void *)buf;
    CHECK(pio_desc_contig(d, 0, sizeof(data) - 1) == PFS_OK);
    CHECK(pio_read_desc_sz(file, back, NULL, d, NULL, sizeof(*d) + EXTRA) ==
          PFS_OK);
    CHECK(memcmp(back, data, sizeof(data) - 1) == 0);
}

/* pio_readdir lays its entries out at the caller's size. */
static void readdir_sizes(void)
{
    static const char *names[] = {"f", "g", "h"};
    size_t stride = sizeof(pio_dirent_t) + EXTRA, count = 0, i;
    uint8_t buf[MAXENT * (sizeof(pio_dirent_t) + EXTRA) + GUARD];
    pio_file_t *f;
    int more = 0;

    for (i = 1; i < 3; i++) {
        char path[64];

        snprintf(path, sizeof(path), "/abi/%s", names[i]);
        CHECK(pio_create(client, path, 0644, PIO_RDWR, NULL, &f) == PFS_OK);
        pio_close(f);
    }
    memset(buf, SENTINEL, sizeof(buf));
    CHECK(pio_readdir_sz(client, "/abi", NULL, (pio_dirent_t *)(void *)buf,
                         MAXENT, &count, &more,
                         MIN_DIRENT - 1) == PFS_ERR_INVAL);
    CHECK(all_bytes(buf, sizeof(buf), SENTINEL));
    CHECK(pio_readdir_sz(client, "/abi", NULL, (pio_dirent_t *)(void *)buf,
                         MAXENT, &count, &more, stride) == PFS_OK);
    CHECK(count == 3 && !more);
    for (i = 0; i < count && i < 3; i++) {
        const pio_dirent_t *e =
            (const pio_dirent_t *)(void *)(buf + i * stride);

        CHECK(strcmp(e->name, names[i]) == 0);
        CHECK(e->type == PIO_TYPE_FILE);
        CHECK(all_bytes(buf + i * stride + sizeof(pio_dirent_t), EXTRA, 0));
    }
    CHECK(all_bytes(buf + count * stride, sizeof(buf) - count * stride,
                    SENTINEL));
}

/* The collective calls: a refused size fails every rank with the same
 * status and message; a batch of a later release keeps its extra
 * bytes. */
static void collective(int rank, int nranks)
{
    uint8_t hbuf[sizeof(pio_coll_hints_t) + EXTRA];
    uint8_t bbuf[sizeof(pio_coll_batch_t) + EXTRA + GUARD];
    pio_coll_hints_t *h = (pio_coll_hints_t *)(void *)hbuf;
    pio_coll_batch_t *batch = (pio_coll_batch_t *)(void *)bbuf;
    pio_desc_t d;
    char err[512] = "", rec[8];
    uint64_t bytes = 1;
    pfs_status_t st;

    memset(rec, 'a' + rank, sizeof(rec));
    CHECK(pio_desc_contig(&d, 4096 + (uint64_t)rank * sizeof(rec),
                          sizeof(rec)) == PFS_OK);
    memset(hbuf, 0xFF, sizeof(hbuf));
    CHECK(pio_coll_hints_default(h) == PFS_OK);
    /* one rank's refused size fails them all */
    st = pio_write_all_sz(file, MPI_COMM_WORLD, rec, NULL, &d, h, &bytes, err,
                          sizeof(err), sizeof(d),
                          rank == nranks - 1 ? MIN_HINTS - 1 : sizeof(*h));
    CHECK(st == PFS_ERR_INVAL);
    CHECK(strstr(err, "pio_coll_hints_t") != NULL);
    CHECK(bytes == 0);

    memset(bbuf, SENTINEL, sizeof(bbuf));
    memset(batch, 0, sizeof(*batch));
    batch->more = rank == 0;
    st = pio_write_all_batch_sz(file, MPI_COMM_WORLD, rec, NULL, &d, h, batch,
                                &bytes, err, sizeof(err), sizeof(d),
                                sizeof(*h) + EXTRA, sizeof(*batch) + EXTRA);
    CHECK(st == PFS_OK);
    CHECK(bytes == sizeof(rec));
    CHECK(batch->any_more == 1);
    CHECK(all_bytes(bbuf + sizeof(*batch), EXTRA + GUARD, SENTINEL));
}

int main(int argc, char **argv)
{
    char err[512];
    int rank, nranks;

    (void)argc;
    (void)argv;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (pio_init(NULL, &client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "abi_client: pio_init: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank == 0) {
        CHECK(pio_mkdir(client, "/abi", 0755) == PFS_OK);
        inputs();
        out_sizes("pio_stat_t", call_stat, check_stat, sizeof(pio_stat_t),
                  MIN_STAT);
        out_sizes("pio_stat_t", call_fstat, check_fstat, sizeof(pio_stat_t),
                  MIN_STAT);
        out_sizes("pio_layout_info_t", call_info, check_info,
                  sizeof(pio_layout_info_t), MIN_INFO);
        out_sizes("pio_space_t", call_space, check_space, sizeof(pio_space_t),
                  MIN_SPACE);
        out_sizes("pio_layout_t", call_dir_layout, check_dir_layout,
                  sizeof(pio_layout_t), MIN_LAYOUT);
        readdir_sizes();
        pio_close(file);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (pio_open(client, "/abi/f", PIO_RDWR, &file) != PFS_OK) {
        fprintf(stderr, "abi_client: open: %s\n", pio_client_errmsg(client));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    collective(rank, nranks);
    pio_close(file);
    pio_fini(client);
    MPI_Allreduce(MPI_IN_PLACE, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("%s: %d failed\n", failures == 0 ? "PASS" : "FAIL", failures);
    }
    MPI_Finalize();
    return failures == 0 ? 0 : 1;
}
