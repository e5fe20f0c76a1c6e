/* cred.h - who a caller is: user, group and every supplementary group.
 *
 * Like NFS's AUTH_SYS, a client states its credentials at hello and the
 * servers trust them because the client proved the cluster key.  Unlike
 * AUTH_SYS (16 groups), every supplementary group is sent, up to Linux's
 * limit (NGROUPS_MAX, 65536), so a user in many groups is never refused
 * and never loses access that a group gives.
 */
#ifndef PFS_CRED_H
#define PFS_CRED_H

#include <stdint.h>

#include "pfs_common.h"

#define PFS_CRED_MAX_GROUPS 65536u /* Linux's NGROUPS_MAX */

/* groups: ngroups entries, sorted ascending without duplicates.  Owned
 * by the struct: filled by pfs_cred_self, pfs_cred_copy or a decoder,
 * released with pfs_cred_release.  A zeroed struct is a valid empty
 * cred. */
typedef struct {
    uint32_t uid;
    uint32_t gid;
    uint32_t ngroups;
    uint32_t *groups;
} pfs_cred_t;

/* The calling process: its real uid and gid and all its supplementary
 * groups.  PFS_ERR_NOMEM or an errno-class status on failure. */
PFS_MUST_CHECK pfs_status_t pfs_cred_self(pfs_cred_t *cred);

/* Take ngroups groups in any order (duplicates allowed); they are copied,
 * sorted and deduplicated.  Any earlier groups of cred are released. */
PFS_MUST_CHECK pfs_status_t pfs_cred_set_groups(pfs_cred_t *cred,
                                                const uint32_t *groups,
                                                uint32_t ngroups);

/* A deep copy of src into dst (which holds nothing yet). */
PFS_MUST_CHECK pfs_status_t pfs_cred_copy(pfs_cred_t *dst,
                                          const pfs_cred_t *src);

/* Release the groups; cred is an empty cred afterwards. */
void pfs_cred_release(pfs_cred_t *cred);

/* Whether gid is the cred's group or one of its supplementary groups. */
int pfs_cred_in_group(const pfs_cred_t *cred, uint32_t gid);

#endif
