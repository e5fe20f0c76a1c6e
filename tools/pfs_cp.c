/* pfs_cp.c - pfs-cp: copy files between the local file system and pfs, and
 * within pfs, with several large requests in flight (libpio's public API
 * only). */
#include "config.h"

#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pfs/pio.h>

#define NAME "pfs-cp"
#define DEFAULT_CHUNK (UINT64_C(8) << 20)
#define DEFAULT_INFLIGHT 4
#define MAX_INFLIGHT 64
#define PATH_CAP 4200

static const char usage_text[] =
    "usage: pfs-cp [-r] [-q] [-S SIZE] [-c COUNT] [-b CHUNK] [-n N]\n"
    "              [-e DESCRIPTOR] SOURCE... TARGET\n"
    "Copy files between the local file system and pfs, or within pfs.\n"
    "Paths starting with pfs:/ are in pfs; any other path is local.  At\n"
    "least one side of each copy must be in pfs.  A TARGET that is an\n"
    "existing directory receives each SOURCE under its own name; several\n"
    "SOURCEs need such a directory.  Existing target files are replaced.\n"
    "  -r        copy directories and their contents\n"
    "  -q        no progress bar (it is shown only when stderr is a\n"
    "            terminal anyway)\n"
    "  -S SIZE   stripe size of new pfs files (k/m/g suffixes; default:\n"
    "            the target directory's, then the ensemble's)\n"
    "  -c COUNT  stripe count of new pfs files (-1: all I/O servers)\n"
    "  -b CHUNK  bytes per request (default 8m)\n"
    "  -n N      requests in flight per file (default 4, at most 64)\n"
    "A copy that fails is removed (and said so); a target that cannot be\n"
    "removed is reported as incomplete.  The ensemble is $PFS_ENSEMBLE\n"
    "unless -e names a descriptor.  Exit status: 0 all copied, 1 something\n"
    "failed (each failure is reported), 2 usage error.\n";

/* One side of a copy: a local path, or a pfs path ("pfs:/..."). */
typedef struct {
    int pfs;
    const char *path;
} where_t;

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

static pio_client_t *client;
static int recursive, quiet, show_progress;
static uint64_t chunk = DEFAULT_CHUNK;
static unsigned inflight = DEFAULT_INFLIGHT;
static pio_layout_t new_layout;
static int all_servers;
static slot_t slots[MAX_INFLIGHT];
static pio_request_t *reqs[MAX_INFLIGHT];

/* progress of the current file */
static struct {
    const char *name;
    uint64_t done, total, last_ms, start_ms;
    int shown;
} progress;

static int is_pfs(const char *path)
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

    if (!show_progress || (!final && t - progress.last_ms < 200)) {
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
static void progress_clear(void)
{
    if (show_progress && progress.shown) {
        fprintf(stderr, "\r\033[K");
        progress.shown = 0;
    }
}

static int fail_pfs(const char *path, pfs_status_t st)
{
    progress_clear();
    fprintf(stderr, "%s: %s: %s (%s)\n", NAME, path, pfs_status_string(st),
            pio_client_errmsg(client));
    return 1;
}

static int fail_sys(const char *path, const char *what)
{
    progress_clear();
    fprintf(stderr, "%s: %s: %s: %s\n", NAME, path, what, strerror(errno));
    return 1;
}

/* ---- paths ------------------------------------------------------------- */

/* The last component of path, without trailing slashes, into out. */
static void base_name(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    const char *start;

    if (is_pfs(path)) {
        path += 4;
        len -= 4;
    }
    while (len > 1 && path[len - 1] == '/') {
        len--;
    }
    start = path + len;
    while (start > path && start[-1] != '/') {
        start--;
    }
    snprintf(out, n, "%.*s", (int)(path + len - start), start);
    if (strcmp(out, "/") == 0) {
        out[0] = '\0';
    }
}

static int join(char *out, size_t n, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int w;

    if (name[0] == '\0') {
        w = snprintf(out, n, "%s", dir);
    } else {
        w = snprintf(out, n, "%s%s%s", dir,
                     len > 0 && dir[len - 1] == '/' ? "" : "/", name);
    }
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* Path without "pfs:" and trailing slashes, for the into-itself test. */
static void plain(const char *path, char *out, size_t n)
{
    size_t len;

    snprintf(out, n, "%s", is_pfs(path) ? path + 4 : path);
    len = strlen(out);
    while (len > 1 && out[len - 1] == '/') {
        out[--len] = '\0';
    }
}

/* ---- type of a path ---------------------------------------------------- */

typedef enum { KIND_NONE, KIND_FILE, KIND_DIR, KIND_OTHER } kind_t;

/* What path is; *mode_p its permission bits, *size_p its size, fid_p
 * (pfs only, may be NULL) its id.  KIND_NONE if missing; -1 on error
 * (reported). */
static int kind_of(const char *path, kind_t *kind_p, uint32_t *mode_p,
                   uint64_t *size_p, uint8_t *fid_p)
{
    if (is_pfs(path)) {
        pio_stat_t st;
        pfs_status_t s = pio_stat(client, path, &st);

        if (s == PFS_ERR_NOENT) {
            *kind_p = KIND_NONE;
            return 0;
        }
        if (s != PFS_OK) {
            fail_pfs(path, s);
            return -1;
        }
        *kind_p = st.type == PIO_TYPE_DIR ? KIND_DIR : KIND_FILE;
        *mode_p = st.mode;
        *size_p = st.size;
        if (fid_p != NULL) {
            memcpy(fid_p, st.fid, 16);
        }
        return 0;
    } else {
        struct stat sb;

        if (stat(path, &sb) != 0) {
            if (errno == ENOENT) {
                *kind_p = KIND_NONE;
                return 0;
            }
            fail_sys(path, "cannot stat");
            return -1;
        }
        *kind_p = S_ISDIR(sb.st_mode)   ? KIND_DIR
                  : S_ISREG(sb.st_mode) ? KIND_FILE
                                        : KIND_OTHER;
        *mode_p = sb.st_mode & 07777;
        *size_p = (uint64_t)sb.st_size;
        return 0;
    }
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

    for (i = 0; i < inflight; i++) {
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
            return fail_pfs(dpath, s);
        }
        sl->state = SLOT_WRITE;
        return 0;
    }
    if (write_local(dst->fd, sl->buf, sl->off, sl->len) != 0) {
        return fail_sys(dpath, "write failed");
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
        for (i = 0; i < inflight && next < size; i++) {
            slot_t *sl = &slots[i];

            if (sl->state != SLOT_FREE) {
                continue;
            }
            sl->off = next;
            sl->len = size - next < chunk ? size - next : chunk;
            next += sl->len;
            if (src->pfs) {
                pfs_status_t s =
                    pio_iread(src->f, sl->off, sl->buf, sl->len, &reqs[i]);
                if (s != PFS_OK) {
                    return fail_pfs(spath, s);
                }
                sl->state = SLOT_READ;
            } else {
                if (read_local(src->fd, sl->buf, sl->off, sl->len) != 0) {
                    return fail_sys(spath, "read failed");
                }
                if (slot_write(i, dst, dpath) != 0) {
                    return 1;
                }
            }
        }
        busy = 0;
        for (i = 0; i < inflight; i++) {
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
            pfs_status_t s = pio_waitany(inflight, reqs, &idx, NULL);
            slot_t *sl;

            if (idx >= inflight) {
                continue;
            }
            sl = &slots[idx];
            if (s != PFS_OK) {
                return fail_pfs(sl->state == SLOT_READ ? spath : dpath, s);
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

static int same_pfs_file(const char *src, const char *dst)
{
    uint8_t a[16], b[16];
    uint32_t mode;
    uint64_t size;
    kind_t ka, kb;

    if (kind_of(src, &ka, &mode, &size, a) != 0 ||
        kind_of(dst, &kb, &mode, &size, b) != 0) {
        return -1;
    }
    return ka == KIND_FILE && kb == KIND_FILE && memcmp(a, b, 16) == 0;
}

/* After a failure: remove the partly written target, and say so. */
static void discard(const char *dpath)
{
    int ok;

    if (is_pfs(dpath)) {
        ok = pio_unlink(client, dpath) == PFS_OK;
    } else {
        ok = unlink(dpath) == 0;
    }
    progress_clear();
    if (ok) {
        fprintf(stderr, "%s: %s: removed the incomplete copy\n", NAME, dpath);
    } else {
        fprintf(stderr,
                "%s: %s: the copy is INCOMPLETE and could not be removed "
                "(%s)\n",
                NAME, dpath,
                is_pfs(dpath) ? pio_client_errmsg(client) : strerror(errno));
    }
}

static int copy_file(const char *spath, const char *dpath, uint32_t mode)
{
    handle_t src = {0, -1, NULL}, dst = {0, -1, NULL};
    uint64_t size = 0;
    pfs_status_t s;
    int rc = 1, dst_open = 0;

    if (is_pfs(spath) && is_pfs(dpath)) {
        int same = same_pfs_file(spath, dpath);

        if (same != 0) {
            if (same > 0) {
                fprintf(stderr, "%s: %s and %s are the same file\n", NAME,
                        spath, dpath);
            }
            return 1;
        }
    }
    /* the source */
    src.pfs = is_pfs(spath);
    if (src.pfs) {
        s = pio_open(client, spath, PIO_RDONLY, &src.f);
        if (s == PFS_OK) {
            s = pio_get_size(src.f, &size);
        }
        if (s != PFS_OK) {
            rc = fail_pfs(spath, s);
            goto out;
        }
    } else {
        struct stat sb;

        src.fd = open(spath, O_RDONLY | O_CLOEXEC);
        if (src.fd < 0 || fstat(src.fd, &sb) != 0) {
            rc = fail_sys(spath, "cannot open");
            goto out;
        }
        size = (uint64_t)sb.st_size;
    }
    /* the target: created, or replaced from its first byte */
    dst.pfs = is_pfs(dpath);
    if (dst.pfs) {
        pio_layout_t layout = new_layout;

        if (all_servers) {
            layout.stripe_count = pio_client_niosrv(client);
        }
        s = pio_create(client, dpath, mode, PIO_WRONLY, &layout, &dst.f);
        if (s != PFS_OK) {
            rc = fail_pfs(dpath, s);
            goto out;
        }
        dst_open = 1;
        s = pio_truncate(dst.f, 0);
        if (s != PFS_OK) {
            rc = fail_pfs(dpath, s);
            goto out;
        }
    } else {
        dst.fd =
            open(dpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
        if (dst.fd < 0) {
            rc = fail_sys(dpath, "cannot create");
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
        rc = fail_sys(dpath, "write failed (at close)");
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

/* ---- directories ------------------------------------------------------- */

static int copy_path(const char *spath, const char *dpath);

static int make_dir(const char *path, uint32_t mode)
{
    if (is_pfs(path)) {
        pfs_status_t s = pio_mkdir(client, path, mode);
        pio_stat_t st;

        if (s == PFS_ERR_EXIST && pio_stat(client, path, &st) == PFS_OK &&
            st.type == PIO_TYPE_DIR) {
            return 0;
        }
        return s == PFS_OK ? 0 : fail_pfs(path, s);
    } else {
        struct stat sb;

        if (mkdir(path, (mode & 0777) | 0700) == 0) {
            return 0;
        }
        if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            return 0;
        }
        return fail_sys(path, "cannot create directory");
    }
}

static int copy_entry(const char *sdir, const char *ddir, const char *name)
{
    char s[PATH_CAP], d[PATH_CAP];

    if (join(s, sizeof(s), sdir, name) != 0 ||
        join(d, sizeof(d), ddir, name) != 0) {
        fprintf(stderr, "%s: %s/%s: path too long\n", NAME, sdir, name);
        return 1;
    }
    return copy_path(s, d);
}

static int copy_tree(const char *spath, const char *dpath, uint32_t mode)
{
    int rc;

    rc = make_dir(dpath, mode);
    if (rc != 0) {
        return rc;
    }
    if (is_pfs(spath)) {
        pio_dirent_t *ents = malloc(PIO_READDIR_MAX * sizeof(*ents));
        char after[256] = "";
        size_t n, i;
        int more = 1;

        if (ents == NULL) {
            fprintf(stderr, "%s: out of memory\n", NAME);
            return 1;
        }
        while (more) {
            pfs_status_t s = pio_readdir(client, spath, after, ents,
                                         PIO_READDIR_MAX, &n, &more);
            if (s != PFS_OK) {
                rc |= fail_pfs(spath, s);
                break;
            }
            for (i = 0; i < n; i++) {
                rc |= copy_entry(spath, dpath, ents[i].name);
            }
            if (n > 0) {
                snprintf(after, sizeof(after), "%s", ents[n - 1].name);
            }
        }
        free(ents);
    } else {
        DIR *d = opendir(spath);
        struct dirent *e;

        if (d == NULL) {
            return fail_sys(spath, "cannot list");
        }
        for (;;) {
            errno = 0;
            e = readdir(d);
            if (e == NULL) {
                if (errno != 0) {
                    rc |= fail_sys(spath, "cannot list");
                }
                break;
            }
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            rc |= copy_entry(spath, dpath, e->d_name);
        }
        closedir(d);
    }
    return rc;
}

static int copy_path(const char *spath, const char *dpath)
{
    uint32_t mode = 0644;
    uint64_t size;
    kind_t kind;

    if (kind_of(spath, &kind, &mode, &size, NULL) != 0) {
        return 1;
    }
    switch (kind) {
    case KIND_NONE:
        progress_clear();
        fprintf(stderr, "%s: %s: no such file or directory\n", NAME, spath);
        return 1;
    case KIND_OTHER:
        progress_clear();
        fprintf(stderr, "%s: %s: not a regular file or directory, skipped\n",
                NAME, spath);
        return 1;
    case KIND_DIR:
        if (!recursive) {
            progress_clear();
            fprintf(stderr, "%s: %s: is a directory (use -r)\n", NAME, spath);
            return 1;
        }
        if (is_pfs(spath) == is_pfs(dpath)) {
            char a[PATH_CAP], b[PATH_CAP];
            size_t la;

            plain(spath, a, sizeof(a));
            plain(dpath, b, sizeof(b));
            la = strlen(a);
            if (strcmp(a, b) == 0 ||
                (strncmp(a, b, la) == 0 && (b[la] == '/' || la == 1))) {
                fprintf(stderr,
                        "%s: cannot copy directory %s into itself "
                        "(%s)\n",
                        NAME, spath, dpath);
                return 1;
            }
        }
        return copy_tree(spath, dpath, mode);
    case KIND_FILE: break;
    }
    return copy_file(spath, dpath, mode);
}

/* ---- options ----------------------------------------------------------- */

static int usage_error(const char *msg, const char *arg)
{
    if (msg != NULL) {
        fprintf(stderr, "%s: %s%s%s\n", NAME, msg, arg ? " " : "",
                arg ? arg : "");
    }
    /* the first two lines: the synopsis */
    fprintf(stderr, "%.*s(pfs-cp --help for more)\n",
            (int)(strchr(strchr(usage_text, '\n') + 1, '\n') + 1 - usage_text),
            usage_text);
    return 2;
}

int pfs_cp_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    pio_config_t config = {0};
    const char *target;
    char err[512], name[PATH_CAP], dpath[PATH_CAP];
    uint32_t mode;
    uint64_t size;
    kind_t tkind = KIND_NONE;
    int c, i, nsrc, need_pfs = 0, rc = 0;
    unsigned k;

    while ((c = getopt_long(argc, argv, "rqS:c:b:n:e:h", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'r': recursive = 1; break;
        case 'q': quiet = 1; break;
        case 'e': config.descriptor = optarg; break;
        case 'S':
            if (pio_parse_size(optarg, &new_layout.stripe_size) != PFS_OK) {
                return usage_error("bad stripe size", optarg);
            }
            break;
        case 'c': {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*end != '\0' || end == optarg || n < -1 ||
                n > PIO_MAX_STRIPES) {
                return usage_error("bad stripe count", optarg);
            }
            all_servers = n == -1;
            new_layout.stripe_count = n < 0 ? 0 : (uint32_t)n;
            break;
        }
        case 'b':
            if (pio_parse_size(optarg, &chunk) != PFS_OK || chunk < 4096 ||
                chunk > (UINT64_C(1) << 30)) {
                return usage_error("bad chunk size (4k .. 1g)", optarg);
            }
            break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*end != '\0' || n < 1 || n > MAX_INFLIGHT) {
                return usage_error("bad number of requests (1 .. 64)", optarg);
            }
            inflight = (unsigned)n;
            break;
        }
        case 'h': fputs(usage_text, stdout); return 0;
        default: return usage_error(NULL, NULL);
        }
    }
    nsrc = argc - optind - 1;
    if (nsrc < 1) {
        return usage_error("need a SOURCE and a TARGET", NULL);
    }
    target = argv[argc - 1];
    for (i = optind; i < argc - 1; i++) {
        if (!is_pfs(argv[i]) && !is_pfs(target)) {
            return usage_error("neither side is in pfs (pfs:/...):", argv[i]);
        }
        need_pfs = 1;
    }
    show_progress = !quiet && isatty(STDERR_FILENO);

    if (need_pfs && pio_init(&config, &client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "%s: %s\n", NAME, err);
        return 1;
    }
    for (k = 0; k < inflight; k++) {
        if (posix_memalign((void **)&slots[k].buf, 4096, chunk) != 0) {
            fprintf(stderr,
                    "%s: out of memory for %u buffers of %" PRIu64 " bytes\n",
                    NAME, inflight, chunk);
            rc = 1;
            goto out;
        }
    }
    if (kind_of(target, &tkind, &mode, &size, NULL) != 0) {
        rc = 1;
        goto out;
    }
    if (nsrc > 1 && tkind != KIND_DIR) {
        rc = usage_error("several sources need an existing target directory:",
                         target);
        goto out;
    }
    for (i = optind; i < argc - 1; i++) {
        const char *dst = target;

        if (tkind == KIND_DIR) {
            base_name(argv[i], name, sizeof(name));
            if (join(dpath, sizeof(dpath), target, name) != 0) {
                fprintf(stderr, "%s: %s: path too long\n", NAME, target);
                rc = 1;
                continue;
            }
            dst = dpath;
        }
        rc |= copy_path(argv[i], dst);
    }
out:
    progress_clear();
    for (k = 0; k < inflight; k++) {
        free(slots[k].buf);
    }
    pio_fini(client);
    return rc;
}
