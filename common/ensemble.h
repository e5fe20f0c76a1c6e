/* ensemble.h - the ensemble descriptor: how clients find the servers.
 *
 * pfs-mds writes it (temporary name, fsync, rename; mode 0600) once every
 * server of the launch is listening, and removes it on a clean stop.  It is
 * a small text file, one item per line; doc/launch.md shows an example.
 * It holds the cluster key, so it is readable by its owner only.
 */
#ifndef PFS_ENSEMBLE_H
#define PFS_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PFS_ENSEMBLE_VERSION 1
#define PFS_ADDR_MAX 300 /* "host:port" */

typedef struct {
    uint8_t role; /* PFS_ROLE_MDS or PFS_ROLE_IOSRV */
    uint32_t index;
    uint32_t pid;
    char addr[PFS_ADDR_MAX];
    char host[256];
} pfs_server_info_t;

typedef struct {
    uint8_t fsid[16];
    uint8_t key[PFS_PROTO_KEY_SIZE];
    pfs_server_info_t mds;
    uint32_t niosrv;
    pfs_server_info_t *iosrv; /* niosrv entries, index order; malloc'd */
} pfs_ensemble_t;

/* Write atomically with mode 0600. */
pfs_status_t pfs_ensemble_write(const char *path, const pfs_ensemble_t *e,
                                char *errmsg, size_t errmsg_size);

/* Parse; every field is checked.  Free with pfs_ensemble_free(). */
pfs_status_t pfs_ensemble_read(const char *path, pfs_ensemble_t *e,
                               char *errmsg, size_t errmsg_size);
void pfs_ensemble_free(pfs_ensemble_t *e);

/* The descriptor path to use: explicit if not NULL, else $PFS_ENSEMBLE.
 * NULL when neither is set. */
const char *pfs_ensemble_path(const char *explicit_path);

#endif
