/* shared_fp_client.c - drive the shared file pointer for shared_fp.sh.
 *   shared_fp_client add PATH N BASE [import]
 *       N fetch-adds of BASE, BASE+1, ... on PATH (created if missing);
 *       prints "old incr" per call.  import: use a handle exported by
 *       one client and imported into a second one.
 *   shared_fp_client check PATH EXPECT
 *       the counter is EXPECT; set, limits and errors behave; left as
 *       found.
 *   shared_fp_client stale PATH
 *       a handle whose file was unlinked fails with PFS_ERR_STALE. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pfs/pio.h>

static pio_client_t *client;

static int die(const char *what, pfs_status_t st)
{
    fprintf(stderr, "shared_fp_client: %s: %s (%s)\n", what,
            pfs_status_string(st), pio_client_errmsg(client));
    return 1;
}

static int do_add(const char *path, long n, uint64_t base, int import)
{
    pio_client_t *other = NULL;
    pio_file_t *f, *g;
    uint8_t handle[PIO_HANDLE_MAX];
    char err[512];
    size_t len;
    pfs_status_t st;
    long i;

    st = pio_create(client, path, 0644, PIO_RDWR, NULL, &f);
    if (st != PFS_OK) {
        return die("create", st);
    }
    if (import) {
        /* read-only on purpose: the counter needs no write access */
        st = pio_file_export(f, handle, sizeof(handle), &len);
        if (st != PFS_OK) {
            return die("export", st);
        }
        if (pio_init(NULL, &other, err, sizeof(err)) != PFS_OK) {
            fprintf(stderr, "shared_fp_client: %s\n", err);
            return 1;
        }
        st = pio_file_import(other, handle, len, PIO_RDONLY, &g);
        if (st != PFS_OK) {
            return die("import", st);
        }
        pio_close(f);
        f = g;
        client = other;
    }
    for (i = 0; i < n; i++) {
        uint64_t old, incr = base + (uint64_t)i;

        st = pio_shared_fp_fetch_add(f, incr, &old);
        if (st != PFS_OK) {
            return die("fetch_add", st);
        }
        printf("%" PRIu64 " %" PRIu64 "\n", old, incr);
    }
    pio_close(f);
    pio_fini(other);
    return 0;
}

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "shared_fp_client: line %d: %s failed (%s)\n",     \
                    __LINE__, #cond, pio_client_errmsg(client));               \
            return 1;                                                          \
        }                                                                      \
    } while (0)

static int do_check(const char *path, uint64_t expect)
{
    pio_file_t *f;
    uint64_t v = 0;

    CHECK(pio_open(client, path, PIO_RDONLY, &f) == PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 0, &v) == PFS_OK && v == expect);
    CHECK(pio_shared_fp_set(f, 5) == PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 3, &v) == PFS_OK && v == 5);
    CHECK(pio_shared_fp_fetch_add(f, 0, &v) == PFS_OK && v == 8);
    CHECK(pio_shared_fp_set(f, (uint64_t)INT64_MAX) == PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 1, &v) == PFS_ERR_FBIG);
    CHECK(strstr(pio_client_errmsg(client), "2^63") != NULL);
    CHECK(pio_shared_fp_set(f, (uint64_t)INT64_MAX + 1) == PFS_ERR_INVAL);
    CHECK(pio_shared_fp_fetch_add(f, 0, &v) == PFS_OK &&
          v == (uint64_t)INT64_MAX);
    CHECK(pio_shared_fp_fetch_add(f, 0, NULL) == PFS_ERR_INVAL);
    CHECK(pio_shared_fp_set(f, expect) == PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 0, &v) == PFS_OK && v == expect);
    pio_close(f);
    printf("check: counter %" PRIu64 ", set, limits and errors ok\n", expect);
    return 0;
}

static int do_stale(const char *path)
{
    pio_file_t *f;
    uint64_t v;

    CHECK(pio_create(client, path, 0644, PIO_RDWR | PIO_EXCL, NULL, &f) ==
          PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 10, &v) == PFS_OK && v == 0);
    CHECK(pio_unlink(client, path) == PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 1, &v) == PFS_ERR_STALE);
    CHECK(pio_shared_fp_set(f, 1) == PFS_ERR_STALE);
    pio_close(f);
    /* the same name again is a new file whose counter starts at 0 */
    CHECK(pio_create(client, path, 0644, PIO_RDWR | PIO_EXCL, NULL, &f) ==
          PFS_OK);
    CHECK(pio_shared_fp_fetch_add(f, 0, &v) == PFS_OK && v == 0);
    pio_close(f);
    CHECK(pio_unlink(client, path) == PFS_OK);
    printf("stale: ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    char err[512];
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: %s add|check|stale PATH ...\n", argv[0]);
        return 2;
    }
    if (pio_init(NULL, &client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "shared_fp_client: %s\n", err);
        return 1;
    }
    if (strcmp(argv[1], "add") == 0 && (argc == 5 || argc == 6)) {
        pio_client_t *first = client;

        rc = do_add(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 10),
                    argc == 6 && strcmp(argv[5], "import") == 0);
        client = first;
    } else if (strcmp(argv[1], "check") == 0 && argc == 4) {
        rc = do_check(argv[2], strtoull(argv[3], NULL, 10));
    } else if (strcmp(argv[1], "stale") == 0 && argc == 3) {
        rc = do_stale(argv[2]);
    } else {
        fprintf(stderr, "shared_fp_client: bad arguments\n");
        rc = 2;
    }
    pio_fini(client);
    return rc;
}
