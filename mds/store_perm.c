/* store_perm.c - the metadata store's permission checks (store_int.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* ---- permissions ------------------------------------------------------ */

void mds_store_set_cred(mds_store_t *s, const pfs_cred_t *cred)
{
    s->check = cred != NULL && cred->uid != 0;
    s->cred = cred;
}

/* The owner's bits for the owner, else the group's for a member, else the
 * others' (POSIX: the first class that matches decides). */
pfs_status_t perm_check(const mds_store_t *s, const pfs_attr_t *a,
                        unsigned want)
{
    unsigned bits;

    if (!s->check) {
        return PFS_OK;
    }
    if (s->cred->uid == a->uid) {
        bits = a->mode >> 6;
    } else if (pfs_cred_in_group(s->cred, a->gid)) {
        bits = a->mode >> 3;
    } else {
        bits = a->mode;
    }
    return (bits & want) == want ? PFS_OK : PFS_ERR_ACCESS;
}

pfs_status_t mds_store_may_open(const mds_store_t *s, const pfs_attr_t *attr,
                                uint32_t access)
{
    unsigned want = ((access & PFS_ACCESS_READ) ? MAY_READ : 0) |
                    ((access & PFS_ACCESS_WRITE) ? MAY_WRITE : 0);

    if (want == 0) {
        return PFS_OK;
    }
    if ((want & MAY_WRITE) && attr->type == PFS_FILE_TYPE_DIR) {
        return PFS_ERR_ISDIR;
    }
    return perm_check(s, attr, want);
}

pfs_status_t perm_owner(const mds_store_t *s, const pfs_attr_t *a)
{
    return !s->check || s->cred->uid == a->uid ? PFS_OK : PFS_ERR_ACCESS;
}

/* Removing or renaming child out of dir: write and search on dir, and in
 * a sticky directory (like /tmp, or pfs's root) only the owner of the
 * child or of the directory may. */
pfs_status_t perm_remove(mds_store_t *s, pfs_fid_t dir, pfs_fid_t child)
{
    pfs_attr_t d, c;
    pfs_status_t st;

    if (!s->check) {
        return PFS_OK;
    }
    st = mds_store_stat(s, dir, &d);
    if (st == PFS_OK) {
        st = perm_check(s, &d, MAY_WRITE | MAY_EXEC);
    }
    if (st != PFS_OK || !(d.mode & 01000)) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    st = mds_store_stat(s, child, &c);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_OK : st; /* damaged: let it go */
    }
    return s->cred->uid == c.uid || s->cred->uid == d.uid ? PFS_OK
                                                          : PFS_ERR_ACCESS;
}

/* Search permission on a directory the walk goes through. */
pfs_status_t perm_search(mds_store_t *s, pfs_fid_t dir)
{
    pfs_attr_t d;
    pfs_status_t st;

    if (!s->check) {
        return PFS_OK;
    }
    st = mds_store_stat(s, dir, &d);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    return perm_check(s, &d, MAY_EXEC);
}

/* Walk path down to its last component.  On success *dir_p is the parent
 * directory's id and *name_p, *name_len_p the last component ("" for root). */
