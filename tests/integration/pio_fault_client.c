/* pio_fault_client.c - a libpio client for failure tests: writes a file,
 * reads it back, then waits at a gate so the test can stop or kill a
 * server, and reports how the next request ended and how long it took.
 *
 *   pio_fault_client -f PATH -s SIZE [--gate FILE] [--timeout-ms N]
 *                    [--mkdir DIR] [--reads N] [--read-timeout-ms N]
 *                    [--stripe BYTES] [--reopen]
 *
 * --reads N: after writing, read the file back N times and count reads
 * that succeeded, failed, and succeeded with wrong bytes (must be none);
 * exit 3 if any read returned PFS_OK with wrong data.
 * --reopen: past the gate, close the file and open it again before the
 * request (a new open asks the servers for local-access descriptors).
 *
 * Output lines: "ready" when at the gate, then
 *   "result status=<code> name=<text> elapsed_ms=<n> msg=<explanation>".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pfs/pio.h>

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int die(pio_client_t *c, const char *what, pfs_status_t st)
{
    fprintf(stderr, "pio_fault_client: %s: %s (%s)\n", what,
            pfs_status_string(st), c != NULL ? pio_client_errmsg(c) : "");
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = "/fault.dat", *gate = NULL, *dir = NULL;
    long reads = 0;
    int read_timeout = 0, poll = 0, reopen = 0;
    uint64_t size = 4u << 20, n, i, t0;
    pio_config_t config = {0};
    pio_layout_t layout = {.stripe_size = 65536};
    pio_client_t *c = NULL;
    pio_file_t *f = NULL;
    char err[512];
    pfs_status_t st;
    uint8_t *buf;
    int a;

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-f") && a + 1 < argc) {
            path = argv[++a];
        } else if (!strcmp(argv[a], "-s") && a + 1 < argc) {
            size = strtoull(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "--gate") && a + 1 < argc) {
            gate = argv[++a];
        } else if (!strcmp(argv[a], "--timeout-ms") && a + 1 < argc) {
            config.timeout_ms = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--mkdir") && a + 1 < argc) {
            dir = argv[++a];
        } else if (!strcmp(argv[a], "--read-timeout-ms") && a + 1 < argc) {
            read_timeout = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--poll")) {
            poll = 1;
        } else if (!strcmp(argv[a], "--reopen")) {
            reopen = 1;
        } else if (!strcmp(argv[a], "--reads") && a + 1 < argc) {
            reads = atol(argv[++a]);
        } else if (!strcmp(argv[a], "--stripe") && a + 1 < argc) {
            layout.stripe_size = strtoull(argv[++a], NULL, 10);
        } else {
            fprintf(stderr,
                    "usage: %s -f PATH -s SIZE [--gate FILE] "
                    "[--timeout-ms N] [--mkdir DIR] [--poll] "
                    "[--reopen]\n",
                    argv[0]);
            return 2;
        }
    }
    st = pio_init(&config, &c, err, sizeof(err));
    if (st != PFS_OK) {
        fprintf(stderr, "pio_fault_client: pio_init: %s\n", err);
        return 1;
    }
    if (dir != NULL && (st = pio_mkdir(c, dir, 0755)) != PFS_OK) {
        return die(c, "mkdir", st);
    }
    buf = malloc(size);
    for (i = 0; i < size; i++) {
        buf[i] = (uint8_t)(i * 7 + i / 4096);
    }
    st = pio_create(c, path, 0644, PIO_RDWR, &layout, &f);
    if (st != PFS_OK) {
        return die(c, "create", st);
    }
    if ((st = pio_write(f, 0, buf, size)) != PFS_OK) {
        return die(c, "write", st);
    }
    memset(buf, 0, size);
    if ((st = pio_read(f, 0, buf, size, &n)) != PFS_OK) {
        return die(c, "read", st);
    }
    for (i = 0; i < size; i++) {
        if (buf[i] != (uint8_t)(i * 7 + i / 4096)) {
            fprintf(stderr, "pio_fault_client: byte %" PRIu64 " differs\n", i);
            return 1;
        }
    }
    if (reads > 0) {
        long ok = 0, failed = 0, wrong = 0, r;
        uint8_t *back = malloc(size);

        if (read_timeout > 0) {
            pio_client_set_timeout(c, read_timeout);
        }
        for (r = 0; r < reads; r++) {
            memset(back, 0xee, size);
            st = pio_read(f, 0, back, size, &n);
            if (st != PFS_OK) {
                failed++;
            } else if (n != size || memcmp(back, buf, size) != 0) {
                wrong++;
            } else {
                ok++;
            }
        }
        printf("reads: %ld ok, %ld failed, %ld ok with wrong data\n", ok,
               failed, wrong);
        free(back);
        pio_close(f);
        pio_fini(c);
        free(buf);
        return wrong > 0 ? 3 : 0;
    }
    if (gate != NULL) {
        printf("ready\n");
        fflush(stdout);
        for (i = 0; access(gate, F_OK) != 0; i++) {
            if (i > 1200) {
                fprintf(stderr, "pio_fault_client: gate never opened\n");
                return 1;
            }
            usleep(100 * 1000);
        }
    }
    /* the request the test is about: every server of the file is needed.
     * --poll: non-blocking, completed by pio_test alone (never a wait), as
     * MPI_Test does with an MPI-IO request */
    t0 = now_ms();
    if (reopen) {
        pio_close(f);
        f = NULL;
        if ((st = pio_open(c, path, PIO_RDWR, &f)) != PFS_OK) {
            return die(c, "reopen", st);
        }
    }
    if (poll) {
        pio_request_t *req = NULL;
        int done = 0;

        st = pio_iread(f, 0, buf, size, &req);
        while (st == PFS_OK && !done) {
            st = pio_test(&req, &done, &n);
            if (st == PFS_OK && !done) {
                usleep(10 * 1000);
            }
        }
    } else {
        st = pio_read(f, 0, buf, size, &n);
    }
    printf("result status=%d name=%s elapsed_ms=%" PRIu64 " msg=%s\n", (int)st,
           pfs_status_string(st), now_ms() - t0,
           st == PFS_OK ? "" : pio_client_errmsg(c));
    pio_close(f);
    pio_fini(c);
    free(buf);
    return 0;
}
