/* cp_file.c - pfs-cp's copy of one file (cp.h): a pipeline of buffers
 * with several libpio requests in flight, the progress bar, and the
 * removal of a copy that failed. */
#include "config.h"

#include "cp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

cp_config_t cp_config = {.chunk = CP_DEFAULT_CHUNK,
                         .inflight = CP_DEFAULT_INFLIGHT};

/* A source or target file while it is open. */
typedef struct {
    int pfs;
    int fd;
    pio_file_t *f;
} handle_t;

typedef enum { SLOT_FREE = 0, SLOT_READ, SLOT_WRITE } slot_state_t;

/* One buffer of the pipeline and the request using it. */
typedef struct {
    slot_state_t state;
    uint64_t off, len;
    uint8_t *buf;
} slot_t;

static slot_t slots[CP_MAX_INFLIGHT];
static pio_request_t *reqs[CP_MAX_INFLIGHT];

/* progress of the current file */
static struct {
    const char *name;
    uint64_t done, total, last_ms, start_ms;
    int shown;
} progress;

int cp_is_pfs(const char *path)
{
    return strncmp(path, "pfs:", 4) == 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *human(uint64_t v, char *out, size_t n)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = (double)v;
    unsigned u = 0;

    while (d >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        d /= 1024;
        u++;
    }
    snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", d, units[u]);
    return out;
}

static void progress_draw(int final)
{
    char a[32], b[32], c[32];
    uint64_t t = now_ms(), elapsed;

    if (!cp_config.show_progress || (!final && t - progress.last_ms < 200)) {
        return;
    }
    progress.last_ms = t;
    elapsed = t - progress.start_ms;
    fprintf(
        stderr, "\r\033[K%.40s  %3u%%  %s / %s  %s/s", progress.name,
        progress.total ? (unsigned)(100 * progress.done / progress.total) : 100,
        human(progress.done, a, sizeof(a)), human(progress.total, b, sizeof(b)),
        human(elapsed ? progress.done * 1000 / elapsed : 0, c, sizeof(c)));
    progress.shown = 1;
}

/* Clear the bar before printing a message or at the end. */
void cp_progress_clear(void)
{
    if (cp_config.show_progress && progress.shown) {
        fprintf(stderr, "\r\033[K");
        progress.shown = 0;
    }
}

int cp_fail_pfs(const char *path, pfs_status_t st)
{
    cp_progress_clear();
    fprintf(stderr, "%s: %s: %s (%s)\n", CP_NAME, path, pfs_status_string(st),
            pio_client_errmsg(cp_config.client));
    return 1;
}

int cp_fail_sys(const char *path, const char *what)
{
    cp_progress_clear();
    fprintf(stderr, "%s: %s: %s: %s\n", CP_NAME, path, what, strerror(errno));
    return 1;
}

/* ---- the copy of one file ---------------------------------------------- */

static int read_local(int fd, uint8_t *buf, uint64_t off, uint64_t len)
{
    while (len > 0) {
        ssize_t n = pread(fd, buf, len, (off_t)off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO; /* shorter than it was at the start */
            }
            return -1;
        }
        buf += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

static int write_local(int fd, const uint8_t *buf, uint64_t off, uint64_t len)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        buf += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* Wait for every request still in flight (their buffers are in use until
 * then); their outcome no longer matters. */
static void drain(void)
{
    unsigned i;

    for (i = 0; i < cp_config.inflight; i++) {
        if (reqs[i] != NULL) {
            (void)pio_wait(&reqs[i], NULL);
        }
        slots[i].state = SLOT_FREE;
    }
}

/* Start the next step of slot i after its read: the write. */
static int slot_write(unsigned i, handle_t *dst, const char *dpath)
{
    slot_t *sl = &slots[i];

    if (dst->pfs) {
        pfs_status_t s =
            pio_iwrite(dst->f, sl->off, sl->buf, sl->len, &reqs[i]);
        if (s != PFS_OK) {
            return cp_fail_pfs(dpath, s);
        }
        sl->state = SLOT_WRITE;
        return 0;
    }
    if (write_local(dst->fd, sl->buf, sl->off, sl->len) != 0) {
        return cp_fail_sys(dpath, "write failed");
    }
    sl->state = SLOT_FREE;
    progress.done += sl->len;
    return 0;
}

/* Move size bytes from src to dst: up to `inflight` chunks at once, each
 * read into its own buffer and written from it at the same offset, so the
 * order of completions does not matter. */
static int pump(handle_t *src, const char *spath, handle_t *dst,
                const char *dpath, uint64_t size)
{
    uint64_t next = 0;
    unsigned i, busy;

    for (;;) {
        /* fill the free buffers */
        for (i = 0; i < cp_config.inflight && next < size; i++) {
            slot_t *sl = &slots[i];

            if (sl->state != SLOT_FREE) {
                continue;
            }
            sl->off = next;
            sl->len =
                size - next < cp_config.chunk ? size - next : cp_config.chunk;
            next += sl->len;
            if (src->pfs) {
                pfs_status_t s =
                    pio_iread(src->f, sl->off, sl->buf, sl->len, &reqs[i]);
                if (s != PFS_OK) {
                    return cp_fail_pfs(spath, s);
                }
                sl->state = SLOT_READ;
            } else {
                if (read_local(src->fd, sl->buf, sl->off, sl->len) != 0) {
                    return cp_fail_sys(spath, "read failed");
                }
                if (slot_write(i, dst, dpath) != 0) {
                    return 1;
                }
            }
        }
        busy = 0;
        for (i = 0; i < cp_config.inflight; i++) {
            busy += reqs[i] != NULL;
        }
        if (busy == 0) {
            if (next >= size) {
                return 0;
            }
            continue;
        }
        {
            size_t idx;
            pfs_status_t s = pio_waitany(cp_config.inflight, reqs, &idx, NULL);
            slot_t *sl;

            if (idx >= cp_config.inflight) {
                continue;
            }
            sl = &slots[idx];
            if (s != PFS_OK) {
                return cp_fail_pfs(sl->state == SLOT_READ ? spath : dpath, s);
            }
            if (sl->state == SLOT_READ) {
                if (slot_write((unsigned)idx, dst, dpath) != 0) {
                    return 1;
                }
            } else {
                sl->state = SLOT_FREE;
                progress.done += sl->len;
            }
            progress_draw(0);
        }
    }
}

/* After a failure: remove the partly written target, and say so. */
static void discard(const char *dpath)
{
    int ok;

    if (cp_is_pfs(dpath)) {
        ok = pio_unlink(cp_config.client, dpath) == PFS_OK;
    } else {
        ok = unlink(dpath) == 0;
    }
    cp_progress_clear();
    if (ok) {
        fprintf(stderr, "%s: %s: removed the incomplete copy\n", CP_NAME,
                dpath);
    } else {
        fprintf(stderr,
                "%s: %s: the copy is INCOMPLETE and could not be removed "
                "(%s)\n",
                CP_NAME, dpath,
                cp_is_pfs(dpath) ? pio_client_errmsg(cp_config.client)
                                 : strerror(errno));
    }
}

int cp_file_copy(const char *spath, const char *dpath, uint32_t mode)
{
    handle_t src = {0, -1, NULL}, dst = {0, -1, NULL};
    uint64_t size = 0;
    pfs_status_t s;
    int rc = 1, dst_open = 0;

    /* the source */
    src.pfs = cp_is_pfs(spath);
    if (src.pfs) {
        s = pio_open(cp_config.client, spath, PIO_RDONLY, &src.f);
        if (s == PFS_OK) {
            s = pio_get_size(src.f, &size);
        }
        if (s != PFS_OK) {
            rc = cp_fail_pfs(spath, s);
            goto out;
        }
    } else {
        struct stat sb;

        src.fd = open(spath, O_RDONLY | O_CLOEXEC);
        if (src.fd < 0 || fstat(src.fd, &sb) != 0) {
            rc = cp_fail_sys(spath, "cannot open");
            goto out;
        }
        size = (uint64_t)sb.st_size;
    }
    /* the target: created, or replaced from its first byte */
    dst.pfs = cp_is_pfs(dpath);
    if (dst.pfs) {
        pio_layout_t layout = cp_config.layout;

        if (cp_config.all_servers) {
            layout.stripe_count = pio_client_niosrv(cp_config.client);
        }
        s = pio_create(cp_config.client, dpath, mode, PIO_WRONLY, &layout,
                       &dst.f);
        if (s != PFS_OK) {
            rc = cp_fail_pfs(dpath, s);
            goto out;
        }
        dst_open = 1;
        s = pio_truncate(dst.f, 0);
        if (s != PFS_OK) {
            rc = cp_fail_pfs(dpath, s);
            goto out;
        }
    } else {
        dst.fd =
            open(dpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
        if (dst.fd < 0) {
            rc = cp_fail_sys(dpath, "cannot create");
            goto out;
        }
        dst_open = 1;
    }

    progress.name = spath;
    progress.done = 0;
    progress.total = size;
    progress.start_ms = now_ms();
    progress.last_ms = 0;
    rc = pump(&src, spath, &dst, dpath, size);
    drain();
    if (rc == 0 && !dst.pfs && close(dst.fd) != 0) {
        rc = cp_fail_sys(dpath, "write failed (at close)");
    }
    if (!dst.pfs) {
        dst.fd = -1;
    }
    if (rc == 0) {
        progress_draw(1);
    }
out:
    if (dst.f != NULL) {
        pio_close(dst.f);
    }
    if (dst.fd >= 0) {
        close(dst.fd);
    }
    if (src.f != NULL) {
        pio_close(src.f);
    }
    if (src.fd >= 0) {
        close(src.fd);
    }
    if (rc != 0 && dst_open) {
        discard(dpath);
    }
    return rc;
}

int cp_buffers_alloc(void)
{
    unsigned k;

    for (k = 0; k < cp_config.inflight; k++) {
        if (posix_memalign((void **)&slots[k].buf, 4096, cp_config.chunk) !=
            0) {
            fprintf(stderr,
                    "%s: out of memory for %u buffers of %" PRIu64 " bytes\n",
                    CP_NAME, cp_config.inflight, cp_config.chunk);
            return 1;
        }
    }
    return 0;
}

void cp_buffers_free(void)
{
    unsigned k;

    for (k = 0; k < cp_config.inflight; k++) {
        free(slots[k].buf);
        slots[k].buf = NULL;
    }
}
