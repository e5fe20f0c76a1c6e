/* pio_chaos_client.c - a libpio client that dies abruptly at a chosen
 * moment, for the tests that show no client can bring a server down.
 *
 *   pio_chaos_client --mode MODE [-f PATH] [-s SIZE] [--seed N]
 *
 * MODE is where the process kills itself (SIGKILL: no pio_fini, no
 * close, the kernel resets its sockets):
 *   connect  right after pio_init: the servers are still wiring up the
 *            endpoints the client just opened
 *   meta     after one metadata request (stat of "/")
 *   write    with non-blocking writes of SIZE bytes in flight to every
 *            server of PATH (created if missing)
 *   read     with non-blocking reads of SIZE bytes of PATH in flight: the
 *            servers answer a client that is gone
 *   exit     like read, but leaves with _exit(0) instead of SIGKILL
 *   leave    one metadata request, then a clean pio_fini and exit: the
 *            endpoints to the I/O servers it never used close while the
 *            servers may still be wiring them up (a tool like pfs-ls)
 *   random   one of the above, chosen by --seed
 * Before dying it waits 0 to 3 ms (from --seed), so the death lands at
 * different points of the exchange.  Exits 1 only if it could not set
 * up what it was asked to (no ensemble, no file): that is a test error.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pfs/pio.h>

#define NREQ 4

static void die_now(const char *mode, unsigned seed)
{
    struct timespec ts = {0, (long)(seed % 4) * 1000000L};

    nanosleep(&ts, NULL);
    if (strcmp(mode, "exit") == 0) {
        _exit(0);
    }
    kill(getpid(), SIGKILL);
    _exit(0); /* not reached */
}

static int fail(pio_client_t *c, const char *what, pfs_status_t st)
{
    fprintf(stderr, "pio_chaos_client: %s: %s (%s)\n", what,
            pfs_status_string(st), c != NULL ? pio_client_errmsg(c) : "");
    return 1;
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"connect", "meta", "write",
                                        "read",    "exit", "leave"};
    const char *mode = "random", *path = "/chaos.dat";
    uint64_t size = 8u << 20, part;
    unsigned seed = (unsigned)getpid();
    pio_request_t *reqs[NREQ];
    pio_client_t *c = NULL;
    pio_file_t *f = NULL;
    pio_stat_t sb;
    char err[512];
    uint8_t *buf;
    pfs_status_t st;
    int a, i;

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--mode") && a + 1 < argc) {
            mode = argv[++a];
        } else if (!strcmp(argv[a], "-f") && a + 1 < argc) {
            path = argv[++a];
        } else if (!strcmp(argv[a], "-s") && a + 1 < argc) {
            size = strtoull(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
            seed = (unsigned)strtoul(argv[++a], NULL, 0);
        } else {
            fprintf(stderr,
                    "usage: pio_chaos_client --mode "
                    "connect|meta|write|read|exit|leave|random [-f PATH] "
                    "[-s SIZE] [--seed N]\n");
            return a < argc && !strcmp(argv[a], "--help") ? 0 : 2;
        }
    }
    if (strcmp(mode, "random") == 0) {
        mode = modes[(seed / 4) % (sizeof(modes) / sizeof(modes[0]))];
    }
    st = pio_init(NULL, &c, err, sizeof(err));
    if (st != PFS_OK) {
        fprintf(stderr, "pio_chaos_client: pio_init: %s\n", err);
        return 1;
    }
    if (strcmp(mode, "connect") == 0) {
        die_now(mode, seed);
    }
    st = pio_stat(c, "/", &sb);
    if (st != PFS_OK) {
        return fail(c, "stat /", st);
    }
    if (strcmp(mode, "meta") == 0) {
        die_now(mode, seed);
    }
    if (strcmp(mode, "leave") == 0) {
        pio_fini(c);
        return 0;
    }
    buf = malloc(size);
    if (buf == NULL) {
        return fail(c, "malloc", PFS_ERR_NOMEM);
    }
    memset(buf, 0x5a, size);
    if (strcmp(mode, "write") == 0) {
        st = pio_open(c, path, PIO_RDWR, &f);
        if (st == PFS_ERR_NOENT) {
            st = pio_create(c, path, 0666, PIO_RDWR, NULL, &f);
        }
    } else {
        st = pio_open(c, path, PIO_RDONLY, &f);
    }
    if (st != PFS_OK) {
        return fail(c, path, st);
    }
    part = size / NREQ;
    for (i = 0; i < NREQ; i++) {
        if (strcmp(mode, "write") == 0) {
            st = pio_iwrite(f, (uint64_t)i * part, buf + (uint64_t)i * part,
                            part, &reqs[i]);
        } else {
            st = pio_iread(f, (uint64_t)i * part, buf + (uint64_t)i * part,
                           part, &reqs[i]);
        }
        if (st != PFS_OK) {
            return fail(c, "posting I/O", st);
        }
    }
    die_now(mode, seed);
    return 0;
}
