/* pfs_fsck.c - pfs-fsck: offline consistency check of a metadata store,
 * and of the I/O servers' data objects against it (fsck_objects.c). */
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

#include "fsck_objects.h"
#include "mds_store.h"

#define NAME FSCK_NAME

/* Exit status */
#define FSCK_CLEAN 0
#define FSCK_PROBLEMS 1
#define FSCK_USAGE 2
#define FSCK_CANNOT 3

static const char usage_text[] =
    "usage: pfs-fsck [-q] [--remove-orphans] (-r ROOT | STORE)\n"
    "\n"
    "usage: pfs-fsck [-q] --list-objects [-o FILE] STORE\n"
    "\n"
    "usage: pfs-fsck [-q] [--remove-orphans] [--strict] --objects N "
    "--expected FILE DIR\n"
    "\n"
    "Check the metadata store of a stopped ensemble: every directory entry\n"
    "names an existing inode of the type it says, in a directory; every\n"
    "inode but the root is named by exactly one entry and reachable from\n"
    "the root (no orphans, no cycles); every record reads back and every\n"
    "layout is valid.  With -r, also every data object in the I/O servers'\n"
    "directories under ROOT (ROOT/iosrv.N/objects): each must belong to a\n"
    "file whose layout names that server, or to a removal the MDS has still\n"
    "to do; any other is an orphan (a leak).  Each problem is printed on\n"
    "its own line.\n"
    "On a cluster, where each I/O server keeps its objects on its own host,\n"
    "check the store and list the objects on the MDS host with\n"
    "--list-objects, copy the list to each storage host, and check each\n"
    "server's directory there with --objects.\n"
    "  -r ROOT   the --root of the servers (the store is ROOT/mds)\n"
    "  STORE     the store directory itself (no object check)\n"
    "  -q        print only problems, no summary\n"
    "  --remove-orphans  delete orphan objects (and say so); they do not\n"
    "            count as problems then\n"
    "  --list-objects  check STORE, then write, for each I/O server, the\n"
    "            objects of the files whose layout names it and those of\n"
    "            pending removals (nothing if STORE has problems)\n"
    "  -o FILE   write the list to FILE (default: standard output; the\n"
    "            summary then goes to standard error); FILE is replaced\n"
    "            only by a complete list\n"
    "  --objects N  check the objects of I/O server N in DIR (its\n"
    "            ROOT/iosrv.N) against the list of --expected FILE: objects\n"
    "            not in the list are orphans; the summary counts the listed\n"
    "            objects of files that are not there\n"
    "  --expected FILE  the list that --list-objects wrote\n"
    "  --strict  every listed object of a file must be there: an absent one\n"
    "            is a problem (lost data).  Servers create an object at the\n"
    "            first write to it, so without --strict an absent object may\n"
    "            be a file with no data on that server\n"
    "The check changes nothing; it cannot run while pfs-mds has the store\n"
    "open.  Run --objects while that I/O server is stopped, with a list made\n"
    "after the ensemble stopped: objects newer than the list are not\n"
    "checked and are a problem.  Exit status: 0 clean, 1 inconsistencies\n"
    "found, 2 usage error (also a list of another file system or\n"
    "server), 3 the store, the list or DIR could not be read.\n";

typedef struct {
    const char *root, *store_dir, *list_out, *expected, *objdir;
    int quiet, remove, strict, list, objects;
    uint32_t index;
} fsck_opts_t;

/* pfs-fsck -r: the store says which objects each server owns. */
static pfs_status_t store_owned(void *arg, pfs_fid_t fid, uint32_t index,
                                int *owned_p)
{
    return mds_store_object_owned(arg, fid, index, owned_p);
}

/* ROOT/iosrv.N for every N present. */
static pfs_status_t scan_objects(mds_store_t *store, const char *root,
                                 int remove, fsck_objscan_t *sc)
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
        st = fsck_scan_server(dir, (uint32_t)n, store_owned, store, remove, sc);
    }
    closedir(d);
    return st;
}

/* mds_store_fsck's problems, one a line to the stream arg. */
static void report(void *arg, const char *problem)
{
    fprintf(arg, "%s: %s\n", NAME, problem);
}

static pfs_status_t open_store(const char *dir, mds_store_t **store_p)
{
    char errmsg[512];
    pfs_status_t st;

    st = mds_store_open_existing(dir, store_p, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        fprintf(stderr, "%s: cannot open the metadata store in %s: %s%s\n",
                NAME, dir, errmsg,
                strstr(errmsg, "lock") != NULL ? " (is pfs-mds running?)" : "");
    }
    return st;
}

/* pfs-fsck STORE, pfs-fsck -r ROOT */
static int check_store(const fsck_opts_t *o)
{
    char dir[PATH_MAX];
    mds_fsck_stats_t stats;
    mds_store_t *store;
    fsck_objscan_t sc;
    pfs_status_t st;

    if (o->root != NULL) {
        snprintf(dir, sizeof(dir), "%s/mds", o->root);
    } else {
        snprintf(dir, sizeof(dir), "%s", o->store_dir);
    }
    if (open_store(dir, &store) != PFS_OK) {
        return FSCK_CANNOT;
    }
    st = mds_store_fsck(store, report, stdout, &stats);
    memset(&sc, 0, sizeof(sc));
    if (st == PFS_OK && o->root != NULL) {
        st = scan_objects(store, o->root, o->remove, &sc);
        if (st != PFS_OK) {
            fprintf(stderr,
                    "%s: %s: cannot read the I/O servers' object "
                    "directories\n",
                    NAME, o->root);
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
    if (!o->quiet && o->root != NULL) {
        printf("%s: %s: %" PRIu64 " data objects on %u I/O servers, %" PRIu64
               " orphans (%" PRIu64 " bytes)%s\n",
               NAME, o->root, sc.objects, sc.servers, sc.orphans,
               sc.orphan_bytes, sc.removed > 0 ? ", orphans removed" : "");
    }
    if (!o->quiet) {
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

static int list_fill(FILE *f, const void *list)
{
    return fsck_objlist_write(list, f) == PFS_OK ? 0 : -1;
}

/* pfs-fsck --list-objects [-o FILE] STORE: the store must be clean, else
 * the objects of a damaged file would be missing from the list and look
 * like orphans on the storage hosts. */
static int list_objects(const fsck_opts_t *o)
{
    FILE *msg = o->list_out != NULL ? stdout : stderr;
    char err[PATH_MAX + 128];
    mds_fsck_stats_t stats;
    fsck_objlist_t *list = NULL;
    mds_store_t *store;
    uint64_t files, removals;
    pfs_status_t st;

    if (open_store(o->store_dir, &store) != PFS_OK) {
        return FSCK_CANNOT;
    }
    st = mds_store_fsck(store, report, msg, &stats);
    if (st == PFS_OK && stats.problems > 0) {
        fprintf(msg,
                "%s: %s: %" PRIu64 " problem%s: no object list (objects of "
                "damaged files would look like orphans)\n",
                NAME, o->store_dir, stats.problems,
                stats.problems == 1 ? "" : "s");
        mds_store_close(store);
        return FSCK_PROBLEMS;
    }
    if (st == PFS_OK) {
        st = fsck_objlist_from_store(store, &list);
    }
    mds_store_close(store);
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s: the check failed: %s\n", NAME, o->store_dir,
                pfs_status_string(st));
        return FSCK_CANNOT;
    }
    if (o->list_out != NULL) {
        /* FILE is replaced only by a complete list: a full disk must not
         * leave a truncated one, nor delete the one a previous run wrote.
         * Mode: what fopen would have given it. */
        mode_t mask = umask(0);

        umask(mask);
        st = pfs_write_file_atomic(o->list_out, 0666 & ~mask, list_fill, list,
                                   err, sizeof(err));
    } else {
        st = fsck_objlist_write(list, stdout) == PFS_OK ? PFS_OK : PFS_ERR_IO;
        snprintf(err, sizeof(err), "cannot write to standard output");
    }
    fsck_objlist_count(list, &files, &removals);
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s\n", NAME, err);
    } else if (!o->quiet) {
        fprintf(msg,
                "%s: %s: clean; listed %" PRIu64
                " objects of files and %" PRIu64
                " of pending removals on %u I/O servers%s%s\n",
                NAME, o->store_dir, files, removals, fsck_objlist_servers(list),
                o->list_out != NULL ? " in " : "",
                o->list_out != NULL ? o->list_out : "");
    }
    fsck_objlist_destroy(list);
    return st == PFS_OK ? FSCK_CLEAN : FSCK_CANNOT;
}

/* Is dir the directory of I/O server `index` of the list's file system?
 * FSCK_CLEAN if nothing says otherwise. */
static int check_objdir(const fsck_opts_t *o, const fsck_objlist_t *list)
{
    char path[PATH_MAX], found[80] = "";
    const char *base = strrchr(o->objdir, '/');
    struct stat sb;
    FILE *f;
    int ok;

    if (o->index >= fsck_objlist_servers(list)) {
        fprintf(stderr, "%s: %s lists %u I/O servers: there is no server %u\n",
                NAME, o->expected, fsck_objlist_servers(list), o->index);
        return FSCK_USAGE;
    }
    base = base != NULL ? base + 1 : o->objdir;
    if (strncmp(base, "iosrv.", 6) == 0 &&
        strtoul(base + 6, NULL, 10) != o->index) {
        fprintf(stderr, "%s: %s is the directory of I/O server %s, not %u\n",
                NAME, o->objdir, base + 6, o->index);
        return FSCK_USAGE;
    }
    if (stat(o->objdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: %s: not a directory\n", NAME, o->objdir);
        return FSCK_CANNOT;
    }
    snprintf(path, sizeof(path), "%s/fsid", o->objdir);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr,
                "%s: cannot read %s: %s (DIR is the I/O server's "
                "ROOT/iosrv.N)\n",
                NAME, path, strerror(errno));
        return FSCK_CANNOT;
    }
    ok = fscanf(f, "%79s", found) == 1 &&
         strcmp(found, fsck_objlist_fsid(list)) == 0;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "%s: %s belongs to file system %s, the list %s to %s\n",
                NAME, o->objdir, found, o->expected, fsck_objlist_fsid(list));
        return FSCK_USAGE;
    }
    return FSCK_CLEAN;
}

/* pfs-fsck --objects N --expected FILE DIR: the walk of -r, against the
 * list instead of the store. */
static int check_objects(const fsck_opts_t *o)
{
    char errmsg[PATH_MAX + 128];
    fsck_objlist_t *list;
    fsck_objscan_t sc;
    uint64_t problems, newer;
    pfs_status_t st;
    int rc;

    st = fsck_objlist_read(o->expected, &list, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s\n", NAME, errmsg);
        return FSCK_CANNOT;
    }
    rc = check_objdir(o, list);
    if (rc != FSCK_CLEAN) {
        fsck_objlist_destroy(list);
        return rc;
    }
    memset(&sc, 0, sizeof(sc));
    st = fsck_scan_server(o->objdir, o->index, fsck_objlist_owned, list,
                          o->remove, &sc);
    if (st != PFS_OK) {
        fprintf(stderr, "%s: %s: cannot read the object directory\n", NAME,
                o->objdir);
        fsck_objlist_destroy(list);
        return FSCK_CANNOT;
    }
    fsck_objlist_absent(list, o->objdir, o->index, o->strict, &sc);
    newer = fsck_objlist_newer(list);
    fsck_objlist_destroy(list);
    if (newer > 0) {
        printf("%s: %s: %" PRIu64 " object%s newer than the list %s (the "
               "ensemble ran after it was made): not checked\n",
               NAME, o->objdir, newer, newer == 1 ? " is" : "s are",
               o->expected);
    }
    problems = sc.orphans + newer + (o->strict ? sc.absent : 0);
    if (!o->quiet) {
        printf("%s: %s: I/O server %u: %" PRIu64 " data objects, %" PRIu64
               " orphans (%" PRIu64 " bytes)%s, %" PRIu64 " of the %" PRIu64
               " listed objects of files absent%s: ",
               NAME, o->objdir, o->index, sc.objects, sc.orphans,
               sc.orphan_bytes, sc.removed > 0 ? ", orphans removed" : "",
               sc.absent, sc.listed,
               !o->strict && sc.absent > 0 ? " (no problem without --strict)"
                                           : "");
        if (problems == 0) {
            printf("clean\n");
        } else {
            printf("%" PRIu64 " problem%s\n", problems,
                   problems == 1 ? "" : "s");
        }
    }
    return problems == 0 ? FSCK_CLEAN : FSCK_PROBLEMS;
}

/* The options, or FSCK_USAGE for a combination that makes no sense. */
static int parse_args(int argc, char **argv, fsck_opts_t *o)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, 'r'},
        {"remove-orphans", no_argument, NULL, 'O'},
        {"list-objects", no_argument, NULL, 'L'},
        {"objects", required_argument, NULL, 'N'},
        {"expected", required_argument, NULL, 'E'},
        {"strict", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    unsigned long n;
    char *end;
    int c;

    memset(o, 0, sizeof(*o));
    while ((c = getopt_long(argc, argv, "r:qo:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->root = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'O': o->remove = 1; break;
        case 'L': o->list = 1; break;
        case 'o': o->list_out = optarg; break;
        case 'E': o->expected = optarg; break;
        case 'S': o->strict = 1; break;
        case 'N':
            errno = 0;
            n = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' ||
                optarg[0] == '-' || n > UINT32_MAX) {
                fprintf(stderr, "%s: --objects %s: not a server index\n", NAME,
                        optarg);
                return FSCK_USAGE;
            }
            o->index = (uint32_t)n;
            o->objects = 1;
            break;
        case 'h': fputs(usage_text, stdout); return FSCK_CLEAN;
        default: return FSCK_USAGE;
        }
    }
    if (argc - optind > 1 || (o->root != NULL) == (argc - optind == 1) ||
        (o->root != NULL && (o->list || o->objects)) ||
        (o->list && o->objects) || (o->list_out != NULL && !o->list) ||
        (o->objects != (o->expected != NULL)) || (o->strict && !o->objects) ||
        (o->remove && o->list)) {
        return FSCK_USAGE;
    }
    if (o->objects) {
        o->objdir = argv[optind];
    } else if (o->root == NULL) {
        o->store_dir = argv[optind];
    }
    return -1;
}

int pfs_fsck_main(int argc, char **argv)
{
    fsck_opts_t o;
    int rc = parse_args(argc, argv, &o);

    if (rc == FSCK_USAGE) {
        fputs(usage_text, stderr);
    }
    if (rc >= 0) {
        return rc;
    }
    if (o.list) {
        return list_objects(&o);
    }
    if (o.objects) {
        return check_objects(&o);
    }
    return check_store(&o);
}
