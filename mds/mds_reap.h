/* mds_reap.h - the MDS removes the data objects of unlinked files.
 *
 * Unlink (and rename over a file) records in the store which I/O servers
 * may hold the file's objects (mds_store_removals).  The reaper, driven by
 * the MDS progress loop, sends IO_REMOVE for them and forgets a record once
 * every server has confirmed.  A server that is down or hung is retried
 * with a growing delay, for as long as it takes, also across restarts of
 * the MDS: nothing leaks for ever.  One that has not answered for 2 s is
 * passed over (its positions stay in the store) so that it does not hold
 * back the others' removals until its deadline.  Records are only acted on once
 * they are durable (read through a snapshot taken before a sync, or handed over
 * with such a snapshot), so a crash never leaves a name whose data is already
 * gone.  New records are handed over by the MDS as they become durable; the
 * store is looked through only at start and when a server that was down answers
 * again.  (Looking through it after every commit made each unlink cost a pass
 * over the records' key range, tombstones of the removed ones included: unlinks
 * slowed down as files were removed.)
 *
 * Single-threaded: every call from the MDS progress loop.
 */
#ifndef PFS_MDS_REAP_H
#define PFS_MDS_REAP_H

#include <stdint.h>

#include "mds_store.h"
#include "server.h"

typedef struct mds_reaper mds_reaper_t;

/* Connect (lazily) to every I/O server of srv's ensemble. */
pfs_status_t mds_reaper_create(pfs_server_t *srv, mds_store_t *store,
                               mds_reaper_t **reaper_p);

/* Fail what is in flight and close the connections.  The store keeps
 * whatever is not done; the next start goes on with it. */
void mds_reaper_destroy(mds_reaper_t *reaper);

/* A snapshot of the store whose writes are all durable.  The reaper owns
 * it from now on.  fresh (n records, copied; may be NULL) are removals
 * recorded since the last snapshot given, durable with this one: the
 * reaper takes them up without looking through the store.  Non-zero
 * `rescan` says to look through all of the store's records again (at
 * start, after the store was reopened, or when the caller lost count of
 * fresh records). */
void mds_reaper_adopt(mds_reaper_t *reaper, mds_store_snap_t *snap,
                      const mds_removal_t *fresh, size_t n, int rescan);

/* Progress: collect replies, retry servers that were down, send more
 * removals.  Returns the number of events (0 when idle). */
unsigned mds_reaper_poll(mds_reaper_t *reaper);

/* Objects confirmed removed since the start (for the log and tests). */
uint64_t mds_reaper_removed(const mds_reaper_t *reaper);

#endif
