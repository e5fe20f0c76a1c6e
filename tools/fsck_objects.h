/* fsck_objects.h - pfs-fsck's check of data objects (fsck_objects.c): the
 * walk of one I/O server's object directory, and the object list, which
 * says what each I/O server should hold.  pfs-fsck -r walks every server
 * under one root and asks the metadata store; on a cluster the list is
 * made from the store on the MDS host and each storage host walks its own
 * server's directory against it.  Not thread safe. */
#ifndef PFS_FSCK_OBJECTS_H
#define PFS_FSCK_OBJECTS_H

#include <stdint.h>
#include <stdio.h>

#include "mds_store.h"

#define FSCK_NAME "pfs-fsck"

/* What walks found, summed over the servers walked. */
typedef struct {
    uint64_t objects, orphans, orphan_bytes, removed;
    uint64_t listed, absent; /* objects of files in the list, and those of
                                them not found */
    uint32_t servers;
} fsck_objscan_t;

/* Should I/O server `index` hold the object of fid?  *owned_p = 1 if so. */
typedef pfs_status_t (*fsck_owner_fn)(void *arg, pfs_fid_t fid, uint32_t index,
                                      int *owned_p);

/* Walk dir/objects/XX/ of I/O server `index` (dir is its ROOT/iosrv.N; no
 * objects directory is no object).  Each object that owner does not
 * account for is an orphan: printed on its own line and counted, or with
 * remove deleted (and said so).  An error only if owner fails or dir
 * cannot be read. */
pfs_status_t fsck_scan_server(const char *dir, uint32_t index,
                              fsck_owner_fn owner, void *arg, int remove,
                              fsck_objscan_t *sc);

/* ---- the object list ----------------------------------------------------
 *
 * A text file: a comment line, "fsid HEX", "epoch E" (of the store: file
 * ids are (epoch, counter), so an object whose id has a larger epoch was
 * made by an ensemble that ran after the list), "servers N", then one line per
 * object, "INDEX FID file" (the file's layout names server INDEX: the
 * object holds its data there, unless nothing was ever written to its
 * stripes on that server) or "INDEX FID removal" (a removal the MDS has
 * still to do: the object may still be there), in server and id order.
 */
typedef struct fsck_objlist fsck_objlist_t;

/* The list of a store that passed mds_store_fsck: every file reached
 * through its entry, every pending removal.  The caller destroys it. */
pfs_status_t fsck_objlist_from_store(mds_store_t *store,
                                     fsck_objlist_t **list_p);
/* Write list to out (not closed); PFS_ERR_IO if a write failed. */
pfs_status_t fsck_objlist_write(const fsck_objlist_t *list, FILE *out);
/* Read a list written by fsck_objlist_write from path; on failure errmsg
 * says why (PFS_ERR_IO: unreadable, PFS_ERR_INVAL: not such a list). */
pfs_status_t fsck_objlist_read(const char *path, fsck_objlist_t **list_p,
                               char *errmsg, size_t errmsg_size);
void fsck_objlist_destroy(fsck_objlist_t *list);

/* The list's file system id (32 hex digits) and number of I/O servers;
 * its number of objects of files and of pending removals. */
const char *fsck_objlist_fsid(const fsck_objlist_t *list);
uint32_t fsck_objlist_servers(const fsck_objlist_t *list);
/* Objects that walks with fsck_objlist_owned found newer than the list
 * (neither orphans nor checked). */
uint64_t fsck_objlist_newer(const fsck_objlist_t *list);
void fsck_objlist_count(const fsck_objlist_t *list, uint64_t *files_p,
                        uint64_t *removals_p);

/* An fsck_owner_fn over a list (arg): owned if listed (and marked found),
 * or if newer than the list (counted: the list cannot say). */
pfs_status_t fsck_objlist_owned(void *arg, pfs_fid_t fid, uint32_t index,
                                int *owned_p);

/* After a walk of server index with fsck_objlist_owned: count the listed
 * objects of files on it (sc->listed) and those the walk did not find
 * (sc->absent); with report, print each absent one (under dir) on its
 * own line. */
void fsck_objlist_absent(const fsck_objlist_t *list, const char *dir,
                         uint32_t index, int report, fsck_objscan_t *sc);

#endif
