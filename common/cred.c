/* cred.c - caller credentials with every supplementary group (cred.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cred.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

pfs_status_t pfs_cred_set_groups(pfs_cred_t *cred, const uint32_t *groups,
                                 uint32_t ngroups)
{
    uint32_t *copy = NULL, i, n = 0;

    if (ngroups > PFS_CRED_MAX_GROUPS) {
        return PFS_ERR_INVAL;
    }
    if (ngroups > 0) {
        copy = malloc((size_t)ngroups * sizeof(*copy));
        if (copy == NULL) {
            return PFS_ERR_NOMEM;
        }
        memcpy(copy, groups, (size_t)ngroups * sizeof(*copy));
        qsort(copy, ngroups, sizeof(*copy), cmp_u32);
        for (i = 0; i < ngroups; i++) {
            if (n == 0 || copy[n - 1] != copy[i]) {
                copy[n++] = copy[i];
            }
        }
    }
    free(cred->groups);
    cred->groups = copy;
    cred->ngroups = n;
    return PFS_OK;
}

pfs_status_t pfs_cred_self(pfs_cred_t *cred)
{
    gid_t *list = NULL;
    uint32_t *groups = NULL;
    pfs_status_t st;
    int n, i;

    memset(cred, 0, sizeof(*cred));
    cred->uid = (uint32_t)getuid();
    cred->gid = (uint32_t)getgid();
    /* the list can change between the two calls: ask until it fits */
    for (;;) {
        n = getgroups(0, NULL);
        if (n < 0) {
            return pfs_status_from_errno(errno);
        }
        free(list);
        list = malloc(((size_t)n + 1) * sizeof(*list));
        if (list == NULL) {
            return PFS_ERR_NOMEM;
        }
        n = getgroups(n + 1, list);
        if (n >= 0) {
            break;
        }
        if (errno != EINVAL) {
            free(list);
            return pfs_status_from_errno(errno);
        }
    }
    groups = malloc(((size_t)n + 1) * sizeof(*groups));
    if (groups == NULL) {
        free(list);
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        groups[i] = (uint32_t)list[i];
    }
    free(list);
    st = pfs_cred_set_groups(cred, groups, (uint32_t)n);
    free(groups);
    return st;
}

pfs_status_t pfs_cred_copy(pfs_cred_t *dst, const pfs_cred_t *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->uid = src->uid;
    dst->gid = src->gid;
    return pfs_cred_set_groups(dst, src->groups, src->ngroups);
}

void pfs_cred_release(pfs_cred_t *cred)
{
    free(cred->groups);
    cred->groups = NULL;
    cred->ngroups = 0;
}

int pfs_cred_in_group(const pfs_cred_t *cred, uint32_t gid)
{
    if (cred->gid == gid) {
        return 1;
    }
    return cred->ngroups > 0 && bsearch(&gid, cred->groups, cred->ngroups,
                                        sizeof(uint32_t), cmp_u32) != NULL;
}
