/* mds_lease.h - write leases: which client connection is a file's only
 * writer.  In memory only: a lease lives as long as its holder's
 * connection (doc/hdf5.md says why that is enough). */
#ifndef PFS_MDS_LEASE_H
#define PFS_MDS_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "transport_srv.h"

typedef struct mds_leases mds_leases_t;

pfs_status_t mds_leases_create(mds_leases_t **leases_p);
/* Frees every lease.  NULL is allowed. */
void mds_leases_destroy(mds_leases_t *leases);

/* Give conn the write lease of fid.  PFS_OK if it was free or conn holds
 * it already; PFS_ERR_LOCKED if another connection holds it, and then
 * why (size bytes) names the holder. */
pfs_status_t mds_lease_acquire(mds_leases_t *leases, pfs_fid_t fid,
                               pfs_srv_conn_t *conn, char *why, size_t size);
/* Drop conn's lease of fid, if it holds it. */
void mds_lease_release(mds_leases_t *leases, pfs_fid_t fid,
                       const pfs_srv_conn_t *conn);
/* Drop every lease of conn (its connection is gone); returns how many. */
unsigned mds_lease_drop_conn(mds_leases_t *leases, const pfs_srv_conn_t *conn);
/* Leases held now. */
uint64_t mds_lease_count(const mds_leases_t *leases);

#endif
