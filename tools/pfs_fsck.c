/* pfs_fsck.c - pfs-fsck: offline consistency check of a metadata store. */
#include "config.h"

#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mds_store.h"

#define NAME "pfs-fsck"

/* Exit status */
#define FSCK_CLEAN 0
#define FSCK_PROBLEMS 1
#define FSCK_USAGE 2
#define FSCK_CANNOT 3

static const char usage_text[] =
    "usage: pfs-fsck [-q] [--remove-orphans] (-r ROOT | STORE)\n"
    "Check the metadata store of a stopped ensemble: every directory entry\n"
    "names an existing inode of the type it says, in a directory; every\n"
    "inode but the root is named by exactly one entry and reachable from\n"
    "the root (no orphans, no cycles); every record reads back and every\n"
    "layout is valid.  With -r, also every data object in the I/O servers'\n"
    "directories under ROOT (ROOT/iosrv.N/objects): each must belong to a\n"
    "file whose layout names that server, or to a removal the MDS has still\n"
    "to do; any other is an orphan (a leak).  Each problem is printed on\n"
    "its own line.\n"
    "  -r ROOT   the --root of the servers (the store is ROOT/mds)\n"
    "  STORE     the store directory itself (no object check)\n"
    "  -q        print only problems, no summary\n"
    "  --remove-orphans  delete orphan objects (and say so); they do not\n"
    "            count as problems then\n"
    "The check changes nothing; it cannot run while pfs-mds has the store\n"
    "open.  Exit status: 0 clean, 1 inconsistencies found, 2 usage error,\n"
    "3 the store could not be read.\n";

typedef struct {
    uint64_t objects, orphans, orphan_bytes, removed;
    uint32_t servers;
} objscan_t;

/* A 32-digit object name back to its file id; 0 if it is not one. */
static int parse_fid(const char *name, pfs_fid_t *fid)
{
    char half[17];
    char *end;
    size_t i;

    if (strlen(name) != PFS_FID_HEX_LEN) {
        return 0;
    }
    for (i = 0; i < PFS_FID_HEX_LEN; i++) {
        if (!((name[i] >= '0' && name[i] <= '9') ||
              (name[i] >= 'a' && name[i] <= 'f'))) {
            return 0;
        }
    }
    memcpy(half, name, 16);
    half[16] = '\0';
    fid->hi = strtoull(half, &end, 16);
    memcpy(half, name + 16, 16);
    fid->lo = strtoull(half, &end, 16);
    return 1;
}

/* Every object of I/O server `index` in dir/objects/XX/. */
static pfs_status_t scan_server(mds_store_t *store, const char *dir,
                                uint32_t index, int remove, objscan_t *sc)
{
    char sub[PATH_MAX], obj[PATH_MAX];
    DIR *top, *d;
    struct dirent *e, *f;
    pfs_status_t st = PFS_OK;

    snprintf(sub, sizeof(sub), "%s/objects", dir);
    top = opendir(sub);
    if (top == NULL) {
        return errno == ENOENT ? PFS_OK : PFS_ERR_IO;
    }
    while (st == PFS_OK && (e = readdir(top)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(sub, sizeof(sub), "%s/objects/%s", dir, e->d_name);
        d = opendir(sub);
        if (d == NULL) {
            continue;
        }
        while (st == PFS_OK && (f = readdir(d)) != NULL) {
            struct stat sb;
            pfs_fid_t fid;
            int owned = 0;

            if (f->d_name[0] == '.') {
                continue;
            }
            snprintf(obj, sizeof(obj), "%s/%s", sub, f->d_name);
            sc->objects++;
            if (parse_fid(f->d_name, &fid)) {
                st = mds_store_object_owned(store, fid, index, &owned);
            }
            if (st != PFS_OK || owned) {
                continue;
            }
            if (stat(obj, &sb) != 0) {
                sb.st_size = 0;
            }
            if (remove && unlink(obj) == 0) {
                printf("%s: removed orphan object %s (%lld bytes)\n", NAME, obj,
                       (long long)sb.st_size);
                sc->removed++;
                continue;
            }
            printf("%s: orphan object %s (%lld bytes): no file or pending "
                   "removal owns it on I/O server %u\n",
                   NAME, obj, (long long)sb.st_size, index);
            sc->orphans++;
            sc->orphan_bytes += (uint64_t)sb.st_size;
        }
        closedir(d);
    }
    closedir(top);
    return st;
}

/* ROOT/iosrv.N for every N present. */
static pfs_status_t scan_objects(mds_store_t *store, const char *root,
                                 int remove, objscan_t *sc)
{
    char dir[PATH_MAX];
    DIR *d = opendir(root);
    struct dirent *e;
    pfs_status_t st = PFS_OK;

    if (d == NULL) {
        return PFS_ERR_IO;
    }
    while (st == PFS_OK && (e = readdir(d)) != NULL) {
        char *end;
        unsigned long n;

        if (strncmp(e->d_name, "iosrv.", 6) != 0 || e->d_name[6] == '\0') {
            continue;
        }
        n = strtoul(e->d_name + 6, &end, 10);
        if (*end != '\0') {
            continue;
        }
        snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
        sc->servers++;
        st = scan_server(store, dir, (uint32_t)n, remove, sc);
    }
    closedir(d);
    return st;
}

static void report(void *arg, const char *problem)
{
    (void)arg;
    printf("%s: %s\n", NAME, problem);
}

int pfs_fsck_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, 'r'},
        {"remove-orphans", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char dir[PATH_MAX], errmsg[512];
    const char *root = NULL;
    mds_fsck_stats_t stats;
    mds_store_t *store;
    objscan_t sc;
    pfs_status_t st;
    int c, quiet = 0, remove = 0;

    while ((c = getopt_long(argc, argv, "r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': root = optarg; break;
        case 'q': quiet = 1; break;
        case 'O': remove = 1; break;
        case 'h': fputs(usage_text, stdout); return FSCK_CLEAN;
        default: fputs(usage_text, stderr); return FSCK_USAGE;
        }
    }
    if ((root != NULL) == (optind < argc) || argc - optind > 1) {
        fputs(usage_text, stderr);
        return FSCK_USAGE;
    }
    if (root != NULL) {
        snprintf(dir, sizeof(dir), "%s/mds", root);
    } else {
        snprintf(dir, sizeof(dir), "%s", argv[optind]);
    }
    st = mds_store_open_existing(dir, &store, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        fprintf(stderr, "%s: cannot open the metadata store in %s: %s%s\n",
                NAME, dir, errmsg,
                strstr(errmsg, "lock") != NULL ? " (is pfs-mds running?)" : "");
        return FSCK_CANNOT;
    }
    st = mds_store_fsck(store, report, NULL, &stats);
    memset(&sc, 0, sizeof(sc));
    if (st == PFS_OK && root != NULL) {
        st = scan_objects(store, root, remove, &sc);
        if (st != PFS_OK) {
            fprintf(stderr,
                    "%s: %s: cannot read the I/O servers' object "
                    "directories\n",
                    NAME, root);
            mds_store_close(store);
            return FSCK_CANNOT;
        }
        stats.problems += sc.orphans;
    }
    mds_store_close(store);
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s: the check failed: %s\n", NAME, dir,
                pfs_status_string(st));
        return FSCK_CANNOT;
    }
    if (!quiet && root != NULL) {
        printf("%s: %s: %" PRIu64 " data objects on %u I/O servers, %" PRIu64
               " orphans (%" PRIu64 " bytes)%s\n",
               NAME, root, sc.objects, sc.servers, sc.orphans, sc.orphan_bytes,
               sc.removed > 0 ? ", orphans removed" : "");
    }
    if (!quiet) {
        printf("%s: %s: %" PRIu64 " inodes (%" PRIu64 " directories, %" PRIu64
               " files), %" PRIu64 " entries, %" PRIu64
               " files whose data objects are still to be removed: ",
               NAME, dir, stats.inodes, stats.directories, stats.files,
               stats.entries, stats.removals);
        if (stats.problems == 0) {
            printf("clean\n");
        } else {
            printf("%" PRIu64 " problem%s\n", stats.problems,
                   stats.problems == 1 ? "" : "s");
        }
    }
    return stats.problems == 0 ? FSCK_CLEAN : FSCK_PROBLEMS;
}
