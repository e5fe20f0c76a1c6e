/* pio_longopen.c - an open file used across several capability lifetimes
 * (security.sh): libpio must renew the file's capability by itself.
 *
 *   pio_longopen PATH SECONDS ROUNDS
 *
 * Creates PATH, then ROUNDS times: sleeps SECONDS, writes 1 MiB at the
 * next offset, syncs, reads everything back and compares, takes the size,
 * fetches-and-adds the shared file pointer; and hands the handle to a
 * second client (export/import) that reads it back after another sleep.
 * Exit 0 if all of it worked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pfs/pio.h>

#define PIECE (1u << 20)

static int check(pio_client_t *c, pfs_status_t st, const char *what, int r)
{
    if (st != PFS_OK) {
        fprintf(stderr, "pio_longopen: round %d: %s: %s\n", r, what,
                pio_client_errmsg(c));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    pio_client_t *c, *c2;
    pio_file_t *f, *g;
    uint8_t handle[PIO_HANDLE_MAX], *buf, *back;
    uint64_t size, fp, nread;
    size_t hlen;
    char err[512];
    int seconds, rounds, r, i;

    if (argc != 4) {
        fprintf(stderr, "usage: pio_longopen PATH SECONDS ROUNDS\n");
        return 2;
    }
    seconds = atoi(argv[2]);
    rounds = atoi(argv[3]);
    buf = malloc((size_t)PIECE * (size_t)rounds);
    back = malloc((size_t)PIECE * (size_t)rounds);
    if (buf == NULL || back == NULL ||
        pio_init(NULL, &c, err, sizeof(err)) != PFS_OK ||
        pio_init(NULL, &c2, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "pio_longopen: %s\n", err);
        return 1;
    }
    for (i = 0; i < (int)PIECE * rounds; i++) {
        buf[i] = (uint8_t)(i * 131 + i / 4099);
    }
    if (check(c, pio_create(c, argv[1], 0600, PIO_RDWR, NULL, &f), "create",
              0) ||
        check(c, pio_file_export(f, handle, sizeof(handle), &hlen), "export",
              0)) {
        return 1;
    }
    for (r = 0; r < rounds; r++) {
        sleep((unsigned)seconds);
        if (check(c,
                  pio_write(f, (uint64_t)r * PIECE, buf + (size_t)r * PIECE,
                            PIECE),
                  "write", r) ||
            check(c, pio_sync(f), "sync", r) ||
            check(c, pio_read(f, 0, back, (uint64_t)(r + 1) * PIECE, &nread),
                  "read", r) ||
            check(c, pio_get_size(f, &size), "size", r) ||
            check(c, pio_shared_fp_fetch_add(f, 1, &fp), "shared pointer", r)) {
            return 1;
        }
        if (memcmp(back, buf, (size_t)(r + 1) * PIECE) != 0 ||
            size != (uint64_t)(r + 1) * PIECE || fp != (uint64_t)r) {
            fprintf(stderr,
                    "pio_longopen: round %d: wrong data, size %llu "
                    "or pointer %llu\n",
                    r, (unsigned long long)size, (unsigned long long)fp);
            return 1;
        }
        printf("round %d: wrote, synced, read back %d MiB, size and shared "
               "pointer right, %d s after the last use\n",
               r, r + 1, seconds);
        fflush(stdout);
    }
    /* the handle exported at the start, its capability long expired */
    if (check(c2, pio_file_import(c2, handle, hlen, PIO_RDONLY, &g), "import",
              r) ||
        check(c2, pio_read(g, 0, back, (uint64_t)rounds * PIECE, &nread),
              "read through the imported handle", r)) {
        return 1;
    }
    if (memcmp(back, buf, (size_t)rounds * PIECE) != 0) {
        fprintf(stderr, "pio_longopen: the imported handle read wrong data\n");
        return 1;
    }
    printf("an old exported handle, imported: read back %d MiB\n", rounds);
    pio_close(g);
    pio_close(f);
    pio_fini(c2);
    pio_fini(c);
    free(buf);
    free(back);
    return 0;
}
