/* pfs.c - the pfs tool: one program for every administration and
 * namespace command.  Installed once as `pfs`, with the historical names
 * as links to it (pfs-ls -> pfs); `pfs ls ARGS` and `pfs-ls ARGS` are the
 * same command.  Each command keeps its own --help and exit codes. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools.h"

static const struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"ls", pfs_ns_main, "list directories (or name files)"},
    {"stat", pfs_ns_main, "attributes and layout of files and directories"},
    {"mkdir", pfs_ns_main, "create directories"},
    {"rm", pfs_ns_main, "remove files and directory trees"},
    {"mv", pfs_ns_main, "rename a file or directory, atomically"},
    {"df", pfs_ns_main, "capacity and use of the I/O servers' storage"},
    {"setstripe", pfs_ns_main,
     "set a directory's default layout, or create a file with one"},
    {"getstripe", pfs_ns_main, "show layouts"},
    {"chmod", pfs_ns_main, "set permission bits"},
    {"chown", pfs_ns_main, "set owner and group"},
    {"cp", pfs_cp_main, "copy files and trees into, out of and within pfs"},
    {"ctl", pfs_ctl_main, "wait for, list, ping, inspect and stop an ensemble"},
    {"fsck", pfs_fsck_main, "check (and repair) a stopped MDS's store"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: pfs COMMAND [ARGS...]   (or pfs-COMMAND [ARGS...])\n"
                 "       pfs COMMAND --help\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out,
            "\npfs %s.  Exit status: 0 done, 1 something failed, "
            "2 usage error.\n",
            PACKAGE_VERSION);
}

/* Runs command `name` with argv[0] set to "pfs-NAME". */
static int run(const char *name, int argc, char **argv)
{
    static char prog[32];
    size_t i;

    for (i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            snprintf(prog, sizeof(prog), "pfs-%s", name);
            argv[0] = prog;
            return commands[i].main(argc, argv);
        }
    }
    fprintf(stderr, "pfs: unknown command '%s' (pfs --help lists them)\n",
            name);
    return 2;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');

    base = base != NULL ? base + 1 : argv[0];
    if (strncmp(base, "lt-", 3) == 0) {
        base += 3; /* libtool's name in the build tree */
    }
    if (strncmp(base, "pfs-", 4) == 0) {
        return run(base + 4, argc, argv);
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("pfs %s\n", PACKAGE_VERSION);
        return 0;
    }
    return run(argv[1], argc - 1, argv + 1);
}
