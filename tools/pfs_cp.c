/* pfs_cp.c - pfs-cp: copy files between the local file system and pfs, and
 * within pfs, with several large requests in flight (libpio's public API
 * only). */
#include "config.h"

#include "cp.h"
#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int recursive, quiet;

/* ---- paths ------------------------------------------------------------- */

/* The last component of path, without trailing slashes, into out. */
static void base_name(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    const char *start;

    if (cp_is_pfs(path)) {
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

    snprintf(out, n, "%s", cp_is_pfs(path) ? path + 4 : path);
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
    if (cp_is_pfs(path)) {
        pio_stat_t st;
        pfs_status_t s = pio_stat(cp_config.client, path, &st);

        if (s == PFS_ERR_NOENT) {
            *kind_p = KIND_NONE;
            return 0;
        }
        if (s != PFS_OK) {
            cp_fail_pfs(path, s);
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
            cp_fail_sys(path, "cannot stat");
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
/* ---- directories ------------------------------------------------------- */

static int copy_path(const char *spath, const char *dpath);

static int make_dir(const char *path, uint32_t mode)
{
    if (cp_is_pfs(path)) {
        pfs_status_t s = pio_mkdir(cp_config.client, path, mode);
        pio_stat_t st;

        if (s == PFS_ERR_EXIST &&
            pio_stat(cp_config.client, path, &st) == PFS_OK &&
            st.type == PIO_TYPE_DIR) {
            return 0;
        }
        return s == PFS_OK ? 0 : cp_fail_pfs(path, s);
    } else {
        struct stat sb;

        if (mkdir(path, (mode & 0777) | 0700) == 0) {
            return 0;
        }
        if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            return 0;
        }
        return cp_fail_sys(path, "cannot create directory");
    }
}

static int copy_entry(const char *sdir, const char *ddir, const char *name)
{
    char s[PATH_CAP], d[PATH_CAP];

    if (join(s, sizeof(s), sdir, name) != 0 ||
        join(d, sizeof(d), ddir, name) != 0) {
        fprintf(stderr, "%s: %s/%s: path too long\n", CP_NAME, sdir, name);
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
    if (cp_is_pfs(spath)) {
        pio_dirent_t *ents = malloc(PIO_READDIR_MAX * sizeof(*ents));
        char after[256] = "";
        size_t n, i;
        int more = 1;

        if (ents == NULL) {
            fprintf(stderr, "%s: out of memory\n", CP_NAME);
            return 1;
        }
        while (more) {
            pfs_status_t s = pio_readdir(cp_config.client, spath, after, ents,
                                         PIO_READDIR_MAX, &n, &more);
            if (s != PFS_OK) {
                rc |= cp_fail_pfs(spath, s);
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
            return cp_fail_sys(spath, "cannot list");
        }
        for (;;) {
            errno = 0;
            e = readdir(d);
            if (e == NULL) {
                if (errno != 0) {
                    rc |= cp_fail_sys(spath, "cannot list");
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
        cp_progress_clear();
        fprintf(stderr, "%s: %s: no such file or directory\n", CP_NAME, spath);
        return 1;
    case KIND_OTHER:
        cp_progress_clear();
        fprintf(stderr, "%s: %s: not a regular file or directory, skipped\n",
                CP_NAME, spath);
        return 1;
    case KIND_DIR:
        if (!recursive) {
            cp_progress_clear();
            fprintf(stderr, "%s: %s: is a directory (use -r)\n", CP_NAME,
                    spath);
            return 1;
        }
        if (cp_is_pfs(spath) == cp_is_pfs(dpath)) {
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
                        CP_NAME, spath, dpath);
                return 1;
            }
        }
        return copy_tree(spath, dpath, mode);
    case KIND_FILE: break;
    }
    if (cp_is_pfs(spath) && cp_is_pfs(dpath)) {
        int same = same_pfs_file(spath, dpath);

        if (same != 0) {
            if (same > 0) {
                fprintf(stderr, "%s: %s and %s are the same file\n", CP_NAME,
                        spath, dpath);
            }
            return 1;
        }
    }
    return cp_file_copy(spath, dpath, mode);
}

/* ---- options ----------------------------------------------------------- */

static int usage_error(const char *msg, const char *arg)
{
    if (msg != NULL) {
        fprintf(stderr, "%s: %s%s%s\n", CP_NAME, msg, arg ? " " : "",
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

    while ((c = getopt_long(argc, argv, "rqS:c:b:n:e:h", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'r': recursive = 1; break;
        case 'q': quiet = 1; break;
        case 'e': config.descriptor = optarg; break;
        case 'S':
            if (pio_parse_size(optarg, &cp_config.layout.stripe_size) !=
                PFS_OK) {
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
            cp_config.all_servers = n == -1;
            cp_config.layout.stripe_count = n < 0 ? 0 : (uint32_t)n;
            break;
        }
        case 'b':
            if (pio_parse_size(optarg, &cp_config.chunk) != PFS_OK ||
                cp_config.chunk < 4096 ||
                cp_config.chunk > (UINT64_C(1) << 30)) {
                return usage_error("bad chunk size (4k .. 1g)", optarg);
            }
            break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*end != '\0' || n < 1 || n > CP_MAX_INFLIGHT) {
                return usage_error("bad number of requests (1 .. 64)", optarg);
            }
            cp_config.inflight = (unsigned)n;
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
        if (!cp_is_pfs(argv[i]) && !cp_is_pfs(target)) {
            return usage_error("neither side is in pfs (pfs:/...):", argv[i]);
        }
        need_pfs = 1;
    }
    cp_config.show_progress = !quiet && isatty(STDERR_FILENO);

    if (need_pfs &&
        pio_init(&config, &cp_config.client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "%s: %s\n", CP_NAME, err);
        return 1;
    }
    if (cp_buffers_alloc() != 0) {
        rc = 1;
        goto out;
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
                fprintf(stderr, "%s: %s: path too long\n", CP_NAME, target);
                rc = 1;
                continue;
            }
            dst = dpath;
        }
        rc |= copy_path(argv[i], dst);
    }
out:
    cp_progress_clear();
    cp_buffers_free();
    pio_fini(cp_config.client);
    return rc;
}