/* ns_cmds.c - the namespace commands of the pfs tool (ls, stat, mkdir,
 * rm, mv, df, setstripe, getstripe, chmod, chown) over libpio's public
 * API: one table entry each, one option parser for all (tools/pfs.c
 * dispatches to pfs_ns_main). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pfs/pio.h>

#include "tools.h"

typedef struct ns_cmd ns_cmd_t;
struct ns_cmd {
    const char *name; /* program name, as in messages: "pfs-ls" */
    const char *usage;
    const char *help;
    const char *opts; /* getopt letters besides -e and -h */
    int min_paths;    /* operands after the options (and MODE/OWNER) */
    int max_paths;    /* -1: any number */
    int attr_operand; /* 1: the first operand is MODE (chmod) or OWNER */
    int (*one)(const char *path);       /* each operand in turn */
    int (*all)(int n, char **operands); /* or all at once */
};

static const ns_cmd_t *cmd;
static pio_client_t *client;
static int long_format, parents, recursive, force, nargs;
static uint32_t dir_mode = 0755;
static pio_stat_t attr_arg; /* MODE or UID[:GID] */
static unsigned attr_mask;
static pio_layout_t layout_arg; /* -S, -c, -o */
static int layout_given, all_servers, clear_default;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s %s\n%s\n\nPaths are pfs paths: pfs:/a/b or /a/b.  "
            "The ensemble is $PFS_ENSEMBLE\nunless -e names a descriptor.  "
            "Exit status: 0 all done, 1 something\nfailed (each failure is "
            "reported), 2 usage error.\n",
            cmd->name, cmd->usage, cmd->help);
}

static int fail(const char *path, pfs_status_t st)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", cmd->name, path, pfs_status_string(st),
            pio_client_errmsg(client));
    return 1;
}

static void join(char *out, size_t n, const char *dir, const char *name)
{
    size_t len = strlen(dir);

    snprintf(out, n, "%s%s%s", dir, len > 0 && dir[len - 1] == '/' ? "" : "/",
             name);
}

static void print_long(const char *name, const pio_stat_t *st)
{
    char when[32];
    time_t t = (time_t)(st->mtime_ns / 1000000000u);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
    if (st->type == PIO_TYPE_DIR) {
        printf("d %04o %5u %5u %14s %-12s %s %s/\n", st->mode, st->uid, st->gid,
               "-", "-", when, name);
    } else {
        char layout[48];
        snprintf(layout, sizeof(layout), "%ux%" PRIu64 "k", st->stripe_count,
                 st->stripe_size / 1024);
        printf("- %04o %5u %5u %14" PRIu64 " %-12s %s %s\n", st->mode, st->uid,
               st->gid, st->size, layout, when, name);
    }
}
static int ls_one(const char *path)
{
    pio_dirent_t *ents = malloc(PIO_READDIR_MAX * sizeof(*ents));
    char after[256] = "", full[4200];
    pio_stat_t st;
    size_t n, i;
    int more = 1, rc = 0;
    pfs_status_t s;

    s = pio_stat(client, path, &st);
    if (s != PFS_OK) {
        free(ents);
        return fail(path, s);
    }
    if (st.type != PIO_TYPE_DIR) {
        if (long_format) {
            print_long(path, &st);
        } else {
            printf("%s\n", path);
        }
        free(ents);
        return 0;
    }
    while (more) {
        s = pio_readdir(client, path, after, ents, PIO_READDIR_MAX, &n, &more);
        if (s != PFS_OK) {
            rc = fail(path, s);
            break;
        }
        for (i = 0; i < n; i++) {
            if (!long_format) {
                printf("%s%s\n", ents[i].name,
                       ents[i].type == PIO_TYPE_DIR ? "/" : "");
                continue;
            }
            join(full, sizeof(full), path, ents[i].name);
            s = pio_stat(client, full, &st);
            if (s != PFS_OK) {
                rc = fail(full, s); /* removed meanwhile, or a server down */
                continue;
            }
            print_long(ents[i].name, &st);
        }
        if (n > 0) {
            snprintf(after, sizeof(after), "%s", ents[n - 1].name);
        }
    }
    free(ents);
    return rc;
}
static int stat_one(const char *path)
{
    pio_stat_t st;
    pfs_status_t s = pio_stat(client, path, &st);
    char when[32];
    time_t t;
    struct tm tm;
    int i;

    if (s != PFS_OK) {
        return fail(path, s);
    }
    printf("  path: %s\n  type: %s\n   fid: ", path,
           st.type == PIO_TYPE_DIR ? "directory" : "file");
    for (i = 0; i < 16; i++) {
        printf("%02x", st.fid[i]);
    }
    printf("\n  mode: %04o  uid: %u  gid: %u\n", st.mode, st.uid, st.gid);
    if (st.type == PIO_TYPE_FILE) {
        uint32_t k;

        printf("  size: %" PRIu64 "\nlayout: %u stripes of %" PRIu64
               " bytes, first on I/O server %u\nservers:",
               st.size, st.stripe_count, st.stripe_size, st.first_server);
        for (k = 0; k < st.stripe_count; k++) {
            printf("%s%u", k == 0 ? " " : ",", st.servers[k]);
        }
        printf("\n");
    }
    t = (time_t)(st.mtime_ns / 1000000000u);
    localtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    printf("modify: %s\n", when);
    return 0;
}
static int mkdir_one(const char *path)
{
    pfs_status_t s;

    if (parents) {
        char part[4200];
        const char *p = path;

        if (strncmp(p, "pfs:", 4) == 0) {
            p += 4;
        }
        while ((p = strchr(p + 1, '/')) != NULL) {
            snprintf(part, sizeof(part), "%.*s", (int)(p - path), path);
            s = pio_mkdir(client, part, dir_mode);
            if (s != PFS_OK && s != PFS_ERR_EXIST) {
                return fail(part, s);
            }
        }
    }
    s = pio_mkdir(client, path, dir_mode);
    if (s == PFS_ERR_EXIST && parents) {
        return 0;
    }
    return s == PFS_OK ? 0 : fail(path, s);
}
static int remove_tree(const char *path)
{
    pio_dirent_t *ents = malloc(PIO_READDIR_MAX * sizeof(*ents));
    char full[4200];
    size_t n, i;
    int more = 1, rc = 0;
    pfs_status_t s;

    /* always restart from the first name: entries go as we remove them */
    while (more && rc == 0) {
        s = pio_readdir(client, path, "", ents, PIO_READDIR_MAX, &n, &more);
        if (s != PFS_OK) {
            rc = fail(path, s);
            break;
        }
        for (i = 0; i < n; i++) {
            join(full, sizeof(full), path, ents[i].name);
            if (ents[i].type == PIO_TYPE_DIR) {
                rc |= remove_tree(full);
            } else if ((s = pio_unlink(client, full)) != PFS_OK) {
                rc |= fail(full, s);
            }
        }
        if (n == 0) {
            break;
        }
    }
    free(ents);
    if (rc == 0 && (s = pio_rmdir(client, path)) != PFS_OK) {
        rc = fail(path, s);
    }
    return rc;
}

/* Unlink first: a file needs nothing else (not even its size, so a down
 * I/O server does not stop its removal); ISDIR says it is a directory. */
static int rm_one(const char *path)
{
    pfs_status_t s = pio_unlink(client, path);

    if (s == PFS_OK || (s == PFS_ERR_NOENT && force)) {
        return 0;
    }
    if (s != PFS_ERR_ISDIR) {
        return fail(path, s);
    }
    if (!recursive) {
        fprintf(stderr, "%s: %s: is a directory (use -r)\n", cmd->name, path);
        return 1;
    }
    return remove_tree(path);
}
static int setattr_one(const char *path)
{
    pfs_status_t s = pio_setattr(client, path, attr_mask, &attr_arg);

    return s == PFS_OK ? 0 : fail(path, s);
}

/* A whole string of digits in base (8 or 10), at most max; 0 or -1. */
static int parse_id(const char *text, size_t len, int base, uint32_t max,
                    uint32_t *v_p)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 10) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] >= '0' + base) {
            return -1;
        }
        v = v * (unsigned)base + (unsigned)(text[i] - '0');
    }
    if (v > max) {
        return -1;
    }
    *v_p = (uint32_t)v;
    return 0;
}

/* The first operand: MODE (chmod) or UID[:GID] / :GID (chown). */
static int parse_mode_arg(const char *text)
{
    attr_mask = PIO_SETATTR_MODE;
    return parse_id(text, strlen(text), 8, 07777, &attr_arg.mode);
}

static int parse_owner_arg(const char *text)
{
    const char *colon = strchr(text, ':');
    size_t ulen = colon != NULL ? (size_t)(colon - text) : strlen(text);

    attr_mask = 0;
    if (ulen > 0 || colon == NULL) {
        if (parse_id(text, ulen, 10, UINT32_MAX, &attr_arg.uid) != 0) {
            return -1;
        }
        attr_mask |= PIO_SETATTR_UID;
    }
    if (colon != NULL) {
        if (parse_id(colon + 1, strlen(colon + 1), 10, UINT32_MAX,
                     &attr_arg.gid) != 0) {
            return -1;
        }
        attr_mask |= PIO_SETATTR_GID;
    }
    return 0;
}

/* A file exists at path (found, or made meanwhile by someone else). */
static int layout_fixed(const char *path)
{
    fprintf(stderr, "%s: %s: layout of an existing file cannot change\n",
            cmd->name, path);
    return 1;
}

static int setstripe_one(const char *path)
{
    pio_stat_t st;
    pio_file_t *f;
    pio_layout_t layout = layout_arg;
    pfs_status_t s;

    if (all_servers) {
        layout.stripe_count = pio_client_niosrv(client);
    }
    s = pio_stat(client, path, &st);
    if (s == PFS_OK && st.type == PIO_TYPE_DIR) {
        s = pio_dir_set_layout(client, path, &layout);
        return s == PFS_OK ? 0 : fail(path, s);
    }
    if (s == PFS_OK) {
        return layout_fixed(path);
    }
    if (s != PFS_ERR_NOENT) {
        return fail(path, s);
    }
    if (clear_default) {
        fprintf(stderr, "%s: %s: -d applies to directories only\n", cmd->name,
                path);
        return 1;
    }
    /* exclusive: a file made meanwhile by someone else keeps its layout */
    s = pio_create(client, path, 0644, PIO_WRONLY | PIO_EXCL, &layout, &f);
    if (s == PFS_ERR_EXIST) {
        return layout_fixed(path);
    }
    if (s != PFS_OK) {
        return fail(path, s);
    }
    pio_close(f);
    return 0;
}

static void print_layout(uint64_t size, uint32_t count, const uint32_t *servers,
                         uint32_t nservers)
{
    uint32_t i;

    printf("stripe_size: %" PRIu64 "\nstripe_count: %u\nservers:", size, count);
    for (i = 0; i < nservers; i++) {
        printf("%s%u", i == 0 ? " " : ",", servers[i]);
    }
    printf("\n");
}

static int getstripe_one(const char *path)
{
    pio_layout_t *layout;
    pio_stat_t st;
    pfs_status_t s = pio_stat(client, path, &st);

    if (s != PFS_OK) {
        return fail(path, s);
    }
    if (nargs > 1) {
        printf("path: %s\n", path);
    }
    if (st.type == PIO_TYPE_FILE) {
        print_layout(st.stripe_size, st.stripe_count, st.servers,
                     st.stripe_count);
        return 0;
    }
    layout = malloc(sizeof(*layout));
    if (layout == NULL) {
        fprintf(stderr, "%s: out of memory\n", cmd->name);
        return 1;
    }
    s = pio_dir_get_layout(client, path, layout);
    if (s == PFS_OK) {
        print_layout(layout->stripe_size, layout->stripe_count, layout->servers,
                     layout->nservers);
    }
    free(layout);
    return s == PFS_OK ? 0 : fail(path, s);
}
/* "3,0,1" into layout_arg.servers. */
static int parse_servers(const char *text)
{
    const char *p = text;

    layout_arg.nservers = 0;
    for (;;) {
        char *end;
        unsigned long v;

        if (*p < '0' || *p > '9') {
            return -1;
        }
        v = strtoul(p, &end, 10);
        if (v > UINT32_MAX || layout_arg.nservers == PIO_MAX_STRIPES) {
            return -1;
        }
        layout_arg.servers[layout_arg.nservers++] = (uint32_t)v;
        if (*end == '\0') {
            return 0;
        }
        if (*end != ',') {
            return -1;
        }
        p = end + 1;
    }
}
static int df_all(int n, char **operands)
{
    uint64_t total = 0, used = 0, avail = 0;
    uint32_t niosrv = pio_client_niosrv(client), k;
    int rc = 0;

    (void)n;
    (void)operands;
    printf("%-8s %16s %16s %16s %5s\n", "iosrv", "size", "used", "available",
           "use%");
    for (k = 0; k < niosrv; k++) {
        pio_space_t sp;
        pfs_status_t s = pio_iosrv_space(client, k, &sp);

        if (s != PFS_OK) {
            printf("%-8u %s: %s\n", k, pfs_status_string(s),
                   pio_client_errmsg(client));
            rc = 1;
            continue;
        }
        /* use% as df(1) computes it: used / (used + available) */
        printf("%-8u %16" PRIu64 " %16" PRIu64 " %16" PRIu64 " %4.0f%%\n", k,
               sp.total_bytes, sp.total_bytes - sp.free_bytes, sp.avail_bytes,
               sp.total_bytes
                   ? 100.0 * (sp.total_bytes - sp.free_bytes) /
                         (sp.total_bytes - sp.free_bytes + sp.avail_bytes)
                   : 0.0);
        total += sp.total_bytes;
        used += sp.total_bytes - sp.free_bytes;
        avail += sp.avail_bytes;
    }
    printf("%-8s %16" PRIu64 " %16" PRIu64 " %16" PRIu64 " %4.0f%%\n", "total",
           total, used, avail,
           used + avail ? 100.0 * used / (used + avail) : 0.0);
    return rc;
}

static int mv_all(int n, char **operands)
{
    pfs_status_t s = pio_rename(client, operands[0], operands[1]);

    (void)n;
    return s == PFS_OK ? 0 : fail(operands[0], s);
}

static const ns_cmd_t ns_cmds[] = {
    {"pfs-ls", "[-l] [-e DESCRIPTOR] PATH...",
     "List directories (or name files).  -l: type, mode, owner, size,\n"
     "stripes and modification time.",
     "l", 1, -1, 0, ls_one, NULL},
    {"pfs-stat", "[-e DESCRIPTOR] PATH...",
     "Show a file's or directory's attributes and layout.", "", 1, -1, 0,
     stat_one, NULL},
    {"pfs-mkdir", "[-p] [-m MODE] [-e DESCRIPTOR] PATH...",
     "Create directories.  -p: create missing parents, no error if\n"
     "it exists.  -m: permission bits in octal (default 755).",
     "pm:", 1, -1, 0, mkdir_one, NULL},
    {"pfs-rm", "[-r] [-f] [-e DESCRIPTOR] PATH...",
     "Remove files (data objects included).  -r: directories and\n"
     "their contents.  -f: no error for missing paths.",
     "rf", 1, -1, 0, rm_one, NULL},
    {"pfs-mv", "[-e DESCRIPTOR] SOURCE TARGET",
     "Rename (move) a file or directory within pfs, atomically.  An\n"
     "existing target file is replaced (its data removed); an existing\n"
     "empty target directory is replaced by a directory.",
     "", 2, 2, 0, NULL, mv_all},
    {"pfs-df", "[-h] [-e DESCRIPTOR]",
     "Capacity and use of the file systems holding the I/O servers'\n"
     "objects, per server and in total (bytes).",
     "", 0, 0, 0, NULL, df_all},
    {"pfs-setstripe",
     "[-S SIZE] [-c COUNT] [-o IDX,IDX,...] [-d] [-e DESCRIPTOR] PATH...",
     "Set the layout of what is created in a directory (its default,\n"
     "inherited by new files and subdirectories), or create an empty\n"
     "file with a layout.  An existing file's layout cannot change.\n"
     "  -S SIZE   stripe size in bytes, k/m/g suffixes (1024-based);\n"
     "            a multiple of 512 from 4k to 4g; 0: the default\n"
     "  -c COUNT  number of I/O servers to stripe over; 0: the\n"
     "            default, -1: all\n"
     "  -o LIST   exactly these I/O servers, by index, in stripe order\n"
     "  -d        remove a directory's default (back to the ensemble's)\n"
     "Options not given take the default (for a new file: its\n"
     "directory's, then the ensemble's).",
     "S:c:o:d", 1, -1, 0, setstripe_one, NULL},
    {"pfs-getstripe", "[-e DESCRIPTOR] PATH...",
     "Show the layout of files and the default layout of directories,\n"
     "one 'key: value' per line:\n"
     "  stripe_size: BYTES\n  stripe_count: N\n  servers: IDX,IDX,...\n"
     "For a directory, 0 and an empty server list mean the ensemble's\n"
     "default (pfs-mds --stripe-size, --stripe-count; servers chosen per\n"
     "file).  With several paths each block starts with 'path: PATH'.",
     "", 1, -1, 0, getstripe_one, NULL},
    {"pfs-chmod", "[-e DESCRIPTOR] MODE PATH...",
     "Set the permission bits of files and directories.  MODE is\n"
     "octal, at most 7777 (for example 644 or 2750).",
     "", 1, -1, 1, setattr_one, NULL},
    {"pfs-chown", "[-e DESCRIPTOR] UID[:GID] PATH...",
     "Set the owner, and with :GID the group, of files and\n"
     "directories.  Numeric ids only; ':GID' alone sets the group.",
     "", 1, -1, 2, setattr_one, NULL},
};

/* Options common to the table; each command accepts only its own
 * letters (cmd->opts) besides -e and -h.  0 or a usage exit status. */
static int parse_option(int c, pio_config_t *config)
{
    char *end;

    switch (c) {
    case 'l': long_format = 1; return 0;
    case 'p': parents = 1; return 0;
    case 'r': recursive = 1; return 0;
    case 'f': force = 1; return 0;
    case 'e': config->descriptor = optarg; return 0;
    case 'm': {
        unsigned long m = strtoul(optarg, &end, 8);

        if (*end != '\0' || end == optarg || m > 07777) {
            fprintf(stderr, "%s: bad mode '%s'\n", cmd->name, optarg);
            return 2;
        }
        dir_mode = (uint32_t)m;
        return 0;
    }
    case 'S':
        if (pio_parse_size(optarg, &layout_arg.stripe_size) != PFS_OK) {
            fprintf(stderr, "%s: bad stripe size '%s'\n", cmd->name, optarg);
            return 2;
        }
        layout_given = 1;
        return 0;
    case 'c': {
        long n = strtol(optarg, &end, 10);

        if (*end != '\0' || end == optarg || n < -1 || n > PIO_MAX_STRIPES) {
            fprintf(stderr, "%s: bad stripe count '%s'\n", cmd->name, optarg);
            return 2;
        }
        all_servers = n == -1;
        layout_arg.stripe_count = n < 0 ? 0 : (uint32_t)n;
        layout_given = 1;
        return 0;
    }
    case 'o':
        if (parse_servers(optarg) != 0) {
            fprintf(stderr,
                    "%s: bad server list '%s' (want indices like 0,2,3)\n",
                    cmd->name, optarg);
            return 2;
        }
        layout_given = 1;
        return 0;
    case 'd': clear_default = 1; return 0;
    default: usage(stderr); return 2;
    }
}

int pfs_ns_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    pio_config_t config = {0};
    char opts[32], err[512];
    size_t k;
    int c, i, rc = 0;

    cmd = NULL;
    for (k = 0; k < sizeof(ns_cmds) / sizeof(ns_cmds[0]); k++) {
        if (strcmp(argv[0], ns_cmds[k].name) == 0) {
            cmd = &ns_cmds[k];
        }
    }
    if (cmd == NULL) {
        fprintf(stderr, "pfs: no namespace command '%s'\n", argv[0]);
        return 2;
    }
    snprintf(opts, sizeof(opts), "%se:h", cmd->opts);
    while ((c = getopt_long(argc, argv, opts, longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if ((rc = parse_option(c, &config)) != 0) {
            return rc;
        }
    }
    if (strchr(cmd->opts, 'S') != NULL && layout_given == clear_default) {
        fprintf(stderr, "%s: give -S, -c or -o, or -d alone\n", cmd->name);
        usage(stderr);
        return 2;
    }
    if (cmd->attr_operand != 0) {
        if (optind == argc) {
            usage(stderr);
            return 2;
        }
        if ((cmd->attr_operand == 1 ? parse_mode_arg(argv[optind])
                                    : parse_owner_arg(argv[optind])) != 0) {
            fprintf(stderr, "%s: bad %s '%s'\n", cmd->name,
                    cmd->attr_operand == 1 ? "mode (octal, at most 7777)"
                                           : "owner (numeric UID[:GID])",
                    argv[optind]);
            return 2;
        }
        optind++;
    }
    nargs = argc - optind;
    if (nargs < cmd->min_paths ||
        (cmd->max_paths >= 0 && nargs > cmd->max_paths)) {
        usage(stderr);
        return 2;
    }
    if (pio_init(&config, &client, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "%s: %s\n", cmd->name, err);
        return 1;
    }
    if (cmd->all != NULL) {
        rc = cmd->all(nargs, argv + optind);
    } else {
        for (i = optind; i < argc; i++) {
            rc |= cmd->one(argv[i]);
        }
    }
    pio_fini(client);
    return rc;
}
