/* as_user.c - run a command as another user with a given range of
 * supplementary groups, up to Linux's limit (NGROUPS_MAX, 65536): more
 * than setpriv --groups can take on one command line.  Run as root.
 *
 *   as_user UID GID FIRST COUNT CMD [ARG...]
 *
 * The groups are FIRST, FIRST+1, ..., FIRST+COUNT-1 (none if COUNT is 0).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned long uid, gid, first, count, i;
    gid_t *groups;

    if (argc < 6) {
        fprintf(stderr, "usage: as_user UID GID FIRST COUNT CMD [ARG...]\n");
        return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    uid = strtoul(argv[1], NULL, 10);
    gid = strtoul(argv[2], NULL, 10);
    first = strtoul(argv[3], NULL, 10);
    count = strtoul(argv[4], NULL, 10);
    groups = malloc((count + 1) * sizeof(*groups));
    if (groups == NULL) {
        perror("as_user: malloc");
        return 1;
    }
    for (i = 0; i < count; i++) {
        groups[i] = (gid_t)(first + i);
    }
    if (setgroups(count, groups) != 0) {
        fprintf(stderr, "as_user: setgroups(%lu groups): %s\n", count,
                strerror(errno));
        return 1;
    }
    if (setgid((gid_t)gid) != 0 || setuid((uid_t)uid) != 0) {
        fprintf(stderr, "as_user: setgid/setuid: %s\n", strerror(errno));
        return 1;
    }
    execvp(argv[5], argv + 5);
    fprintf(stderr, "as_user: %s: %s\n", argv[5], strerror(errno));
    return 127;
}
