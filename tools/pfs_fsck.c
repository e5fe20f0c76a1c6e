/* pfs_fsck.c - pfs-fsck: offline consistency check of a metadata store. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mds_store.h"

#define NAME "pfs-fsck"

/* Exit status */
#define FSCK_CLEAN 0
#define FSCK_PROBLEMS 1
#define FSCK_USAGE 2
#define FSCK_CANNOT 3

static const char usage_text[] =
    "usage: pfs-fsck [-q] (-r ROOT | STORE)\n"
    "Check the metadata store of a stopped ensemble: every directory entry\n"
    "names an existing inode of the type it says, in a directory; every\n"
    "inode but the root is named by exactly one entry and reachable from\n"
    "the root (no orphans, no cycles); every record reads back and every\n"
    "layout is valid.  Each problem is printed on its own line.\n"
    "  -r ROOT   the --root of pfs-mds (the store is ROOT/mds)\n"
    "  STORE     the store directory itself\n"
    "  -q        print only problems, no summary\n"
    "The check changes nothing; it cannot run while pfs-mds has the store\n"
    "open.  Exit status: 0 clean, 1 inconsistencies found, 2 usage error,\n"
    "3 the store could not be read.\n";

static void report(void *arg, const char *problem)
{
    (void)arg;
    printf("%s: %s\n", NAME, problem);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char dir[PATH_MAX], errmsg[512];
    const char *root = NULL;
    mds_fsck_stats_t stats;
    mds_store_t *store;
    pfs_status_t st;
    int c, quiet = 0;

    while ((c = getopt_long(argc, argv, "r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': root = optarg; break;
        case 'q': quiet = 1; break;
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
    mds_store_close(store);
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s: the check failed: %s\n", NAME, dir,
                pfs_status_string(st));
        return FSCK_CANNOT;
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
