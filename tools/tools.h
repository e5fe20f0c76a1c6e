/* tools.h - the commands of the pfs tool (tools/pfs.c).  Each takes the
 * arguments of its program, argv[0] being the program's name ("pfs-ls"),
 * and returns its exit status: 0 done, 1 something failed, 2 usage. */
#ifndef PFS_TOOLS_H
#define PFS_TOOLS_H

/* ls, stat, mkdir, rm, mv, df, setstripe, getstripe, chmod, chown
 * (ns_cmds.c), chosen by argv[0] */
int pfs_ns_main(int argc, char **argv);
int pfs_cp_main(int argc, char **argv);
int pfs_ctl_main(int argc, char **argv);
int pfs_fsck_main(int argc, char **argv);

#endif
