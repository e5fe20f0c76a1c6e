/* mkfiles.c - create N files of SIZE bytes in DIR through libpio (for the
 * namespace and crash tests):  mkfiles DIR N SIZE [-v]
 * -v prints each file's name once its creation is acknowledged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pfs/pio.h>

int main(int argc, char **argv)
{
    pio_client_t *c;
    char err[512], path[4200];
    uint8_t *buf;
    long n, size, i;

    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "-v") == 0)) {
        fprintf(stderr, "usage: %s DIR N SIZE [-v]\n", argv[0]);
        return 2;
    }
    n = atol(argv[2]);
    size = atol(argv[3]);
    buf = malloc(size > 0 ? (size_t)size : 1);
    memset(buf, 0x42, size > 0 ? (size_t)size : 1);
    if (pio_init(NULL, &c, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "mkfiles: %s\n", err);
        return 1;
    }
    for (i = 0; i < n; i++) {
        pio_file_t *f = NULL;
        pfs_status_t st;

        snprintf(path, sizeof(path), "%s/file%05ld", argv[1], i);
        st = pio_create(c, path, 0644, PIO_RDWR | PIO_EXCL, NULL, &f);
        if (st == PFS_OK && size > 0) {
            st = pio_write(f, 0, buf, (uint64_t)size);
        }
        if (st != PFS_OK) {
            fprintf(stderr, "mkfiles: %s: %s\n", path, pio_client_errmsg(c));
            pio_close(f); /* NULL if the create failed */
            pio_fini(c);
            free(buf);
            return 1;
        }
        pio_close(f);
        if (argc == 5) {
            printf("file%05ld\n", i);
            fflush(stdout);
        }
    }
    pio_fini(c);
    free(buf);
    return 0;
}
