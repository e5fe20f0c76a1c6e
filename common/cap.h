/* cap.h - capabilities: the MDS's grant of rights on one file, which the
 * I/O servers (and the MDS itself) verify without asking anyone.
 *
 * A capability (proto.h's pfs_cap_t) names a file id, rights, the I/O
 * servers of the file's layout and an expiry, under an HMAC-SHA256 made
 * with the capability key.  That key is derived (HKDF) from the cluster
 * key and a server secret that the MDS draws at every launch and hands
 * only to the servers, through the launcher's start-up exchange; it is
 * never in the ensemble descriptor.  Clients hold the cluster key, so a
 * key derived from it alone would let any client mint capabilities.
 * doc/security.md has the whole trust model.
 *
 * Thread safe; nothing here prints.
 */
#ifndef PFS_CAP_H
#define PFS_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "proto.h"

#define PFS_CAP_SECRET_SIZE 32u
#define PFS_CAP_KEY_SIZE PFS_AUTH_KEY_SIZE

/* The capability key from the cluster key and the launch's server
 * secret. */
PFS_MUST_CHECK pfs_status_t pfs_cap_key_derive(
    const uint8_t cluster_key[PFS_PROTO_KEY_SIZE],
    const uint8_t secret[PFS_CAP_SECRET_SIZE], uint8_t key_p[PFS_CAP_KEY_SIZE]);

/* Fill c for fid with rights over the servers of layout, valid from
 * now_ms for lifetime_ms, and sign it. */
PFS_MUST_CHECK pfs_status_t pfs_cap_issue(const uint8_t key[PFS_CAP_KEY_SIZE],
                                          pfs_fid_t fid, uint32_t rights,
                                          const pfs_layout_t *layout,
                                          uint64_t now_ms, uint64_t lifetime_ms,
                                          pfs_cap_t *c);

/* PFS_OK if c's MAC is right (constant-time comparison); PFS_ERR_CAP if
 * not.  Nothing else is checked: see pfs_cap_allows. */
PFS_MUST_CHECK pfs_status_t pfs_cap_verify(const uint8_t key[PFS_CAP_KEY_SIZE],
                                           const pfs_cap_t *c);

/* Whether a capability whose MAC is right allows `need` (any of those
 * rights) on server index at now_ms: PFS_OK, PFS_ERR_CAP_EXPIRED, or
 * PFS_ERR_ACCESS (rights, or a server not in the layout) with why set
 * (why_size bytes). */
pfs_status_t pfs_cap_allows(const pfs_cap_t *c, uint32_t need, int check_server,
                            uint32_t index, uint64_t now_ms, char *why,
                            size_t why_size);

/* The rights an I/O server request needs (any of them); 0 for requests
 * that need no capability. */
uint32_t pfs_cap_rights_for(unsigned opcode);

/* The wall clock in ms since the epoch (capabilities' expiry). */
uint64_t pfs_cap_now_ms(void);

#endif
