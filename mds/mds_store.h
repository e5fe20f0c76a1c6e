/* mds_store.h - the namespace as a flat key-value schema in LevelDB.
 *
 * Keys (doc/metadata.md has the full description):
 *   "S"                       superblock: fsid, epoch, I/O server count
 *   "I" fid(16, big-endian)   inode: type, mode, owner, times, layout
 *   "D" parent(16) name       directory entry: child fid and type
 * Each namespace operation is one atomic LevelDB write batch.  File ids are
 * (epoch, counter): the epoch grows at every open of the store, so ids are
 * never reused even after a crash.
 *
 * Not thread safe: one caller at a time.
 */
#ifndef PFS_MDS_STORE_H
#define PFS_MDS_STORE_H

#include <stdint.h>

#include "layout.h"
#include "proto.h"

typedef struct mds_store mds_store_t;

#define MDS_ROOT_FID ((pfs_fid_t){0, 1})

/* Open (creating if missing) the store in dir.  sync != 0 makes every
 * operation durable before it returns (fsync of the LevelDB log). */
pfs_status_t mds_store_open(const char *dir, int sync, mds_store_t **store_p,
                            char *errmsg, size_t errmsg_size);
/* Open an existing store to inspect it: no new epoch, nothing written
 * (LevelDB may still replay its log).  Fails if dir holds no store, or
 * while pfs-mds has it open (LevelDB's lock). */
pfs_status_t mds_store_open_existing(const char *dir, mds_store_t **store_p,
                                     char *errmsg, size_t errmsg_size);
void mds_store_close(mds_store_t *store);

/* After a write failed (a full or read-only disk, an I/O error), the
 * store takes no more writes: each fails with the first error
 * (PFS_ERR_NOSPC, PFS_ERR_ROFS, PFS_ERR_STORE) until mds_store_recover
 * succeeds; reads go on.  mds_store_broken says which error (PFS_OK if
 * none) and, in msg, LevelDB's words. */
pfs_status_t mds_store_broken(const mds_store_t *store, char *msg, size_t n);

/* Reopen a broken store once its file system has room for it (twice the
 * size of LevelDB's logs and 1 MiB):
 * LevelDB replays its log (up to the failed write) into a table and
 * starts a new log.  No snapshot may be held.  PFS_OK when writable
 * again; PFS_ERR_BUSY while there is no room; PFS_ERR_STORE if the
 * database could not be reopened (the store is then unusable). */
pfs_status_t mds_store_recover(mds_store_t *store, char *errmsg,
                               size_t errmsg_size);

/* Make every write so far durable (fsync of LevelDB's log).  Safe to call
 * from another thread than the one writing: this is how the MDS commits a
 * whole group of operations with one sync. */
pfs_status_t mds_store_sync(mds_store_t *store);

void mds_store_fsid(const mds_store_t *store, uint8_t fsid_out[16]);
uint64_t mds_store_epoch(const mds_store_t *store);

/* The number of I/O servers the namespace's layouts refer to; 0 until the
 * first ensemble records it with mds_store_set_niosrv(). */
uint32_t mds_store_niosrv(const mds_store_t *store);
pfs_status_t mds_store_set_niosrv(mds_store_t *store, uint32_t niosrv);

/* Check what follows against cred (borrowed: it must stay valid until
 * the next call), like a POSIX kernel: search
 * permission on every directory a path goes through; write and search on
 * the directory that gets or loses an entry (and in a sticky directory,
 * ownership of the entry or the directory); read on a listed directory;
 * ownership for setattr and a directory's default layout, where only
 * uid 0 changes the owner and the owner may change the group only to one
 * of its groups.  Denied: PFS_ERR_ACCESS, and nothing changes.  NULL or
 * uid 0 checks nothing (the default). */
void mds_store_set_cred(mds_store_t *store, const pfs_cred_t *cred);

/* May the current credentials open attr's file with access
 * (PFS_ACCESS_READ | PFS_ACCESS_WRITE)?  PFS_OK, PFS_ERR_ACCESS, or
 * PFS_ERR_ISDIR for writing a directory. */
pfs_status_t mds_store_may_open(const mds_store_t *store,
                                const pfs_attr_t *attr, uint32_t access);

/* A fresh, never used file id. */
pfs_fid_t mds_store_new_fid(mds_store_t *store);

/* path must be normalized (pfs_path_normalize). */
pfs_status_t mds_store_lookup(mds_store_t *store, const char *path,
                              pfs_attr_t *attr_p);
pfs_status_t mds_store_stat(mds_store_t *store, pfs_fid_t fid,
                            pfs_attr_t *attr_p);

/* Create a regular file with attr (fid, layout, mode, ...) as given.
 * If it exists: PFS_ERR_EXIST with excl, else its attributes and
 * *created_p = 0. */
pfs_status_t mds_store_create(mds_store_t *store, const char *path,
                              const pfs_attr_t *attr, int excl,
                              pfs_attr_t *attr_p, int *created_p);

/* Create a directory with attr (fid, mode, owner) as given.  It starts
 * with its parent's default layout (mds_store_get_dir_layout). */
pfs_status_t mds_store_mkdir(mds_store_t *store, const char *path,
                             const pfs_attr_t *attr, pfs_attr_t *attr_p);

/* Remove a regular file's entry and inode; returns what was removed.  The
 * same batch records a pending removal of its data objects (one per
 * server of its layout; see mds_store_removals).  An entry whose inode is
 * missing (damaged store) is removed too, and PFS_ERR_STALE says so;
 * *removed_p is then not set. */
pfs_status_t mds_store_unlink(mds_store_t *store, const char *path,
                              pfs_attr_t *removed_p);

/* Rename from -> to in one batch (both normalized).  An existing target
 * is replaced when POSIX would: file over file, directory over an empty
 * directory.  A replaced file's attributes come back in *replaced_p with
 * *replaced_set_p = 1; the batch records the removal of its objects.  Moving a
 * directory into itself (or its subtree) is PFS_ERR_INVAL; file over
 * directory PFS_ERR_ISDIR, directory over file PFS_ERR_NOTDIR, directory
 * over a non-empty one PFS_ERR_NOTEMPTY.  Same path: nothing to do. */
pfs_status_t mds_store_rename(mds_store_t *store, const char *from,
                              const char *to, pfs_attr_t *replaced_p,
                              int *replaced_set_p);

/* Remove an empty directory (PFS_ERR_NOTEMPTY otherwise; "/" cannot go). */
pfs_status_t mds_store_rmdir(mds_store_t *store, const char *path);

typedef struct {
    char name[PFS_NAME_MAX + 1];
    pfs_fid_t fid;
    uint32_t type;
} mds_dirent_t;

/* Entries of directory path in name order, starting after name `after`
 * ("" from the first), at most max of them; *more_p says whether more
 * follow.  Paging by name keeps a listing stable under concurrent
 * creates: no entry that exists throughout is skipped or repeated. */
pfs_status_t mds_store_readdir(mds_store_t *store, const char *path,
                               const char *after, mds_dirent_t *ents,
                               size_t max, size_t *count_p, int *more_p);

/* The shared file pointer of regular file fid (MPI_File_*_shared): *old_p
 * gets the counter before; then it becomes old + value (set 0, an atomic
 * fetch-and-add) or value (set 1).  The counter starts at 0 with the file
 * and goes with its inode.  PFS_ERR_FBIG if an add would pass 2^63 - 1
 * (PFS_ERR_INVAL for such a set),
 * PFS_ERR_STALE for a fid without inode, PFS_ERR_ISDIR for a directory.
 * Atomic because the store has one caller at a time; the new value is
 * written like any operation's (durable per the store's sync setting or
 * the next mds_store_sync). */
pfs_status_t mds_store_shared_fp(mds_store_t *store, pfs_fid_t fid, int set,
                                 uint64_t value, uint64_t *old_p);

/* Change the attributes of the file or directory at path (normalized)
 * that mask (PFS_SETATTR_*) selects, taking the values from the same
 * fields of *values; the others stay.  mode keeps permission bits only:
 * any bit outside 07777, or an unknown mask bit, is PFS_ERR_INVAL and
 * nothing changes.  A non-zero mask also sets ctime to now (never
 * backwards); mask 0 writes nothing.  One write batch, durable like any
 * operation's.  *attr_p gets the attributes after the change. */
pfs_status_t mds_store_setattr(mds_store_t *store, const char *path,
                               uint32_t mask, const pfs_attr_t *values,
                               pfs_attr_t *attr_p);

/* A directory's default layout for what is created in it: a spec whose
 * zero fields mean "the ensemble's default"; all zero if none was set.
 * PFS_ERR_NOTDIR for a file.  Set stores spec as given (the caller
 * validates it against the ensemble); all zero removes the default.  New
 * subdirectories copy their parent's; existing ones keep theirs. */
pfs_status_t mds_store_get_dir_layout(mds_store_t *store, const char *path,
                                      pfs_layout_spec_t *spec_p);
pfs_status_t mds_store_set_dir_layout(mds_store_t *store, const char *path,
                                      const pfs_layout_spec_t *spec);

/* ---- pending removals of data objects -----------------------------------
 *
 * Unlink and a rename over a file record, in their own batch, which I/O
 * servers may still hold the file's objects.  The MDS works through these
 * records (mds/mds_reap.c), shrinks a record as servers confirm, and
 * deletes it when none is left, so no object is forgotten across a crash
 * or a server that is down.  File ids are never reused, so removing an
 * object twice removes nothing else.
 */
typedef struct {
    pfs_fid_t fid;
    uint32_t nservers;                        /* > 0 in a stored record */
    uint32_t servers[PFS_LAYOUT_MAX_STRIPES]; /* I/O server indices */
} mds_removal_t;

/* A consistent read view of the store.  Safe to take from another thread
 * than the one writing (the commit thread takes one before each sync, so
 * that what the view shows is known to be durable once the sync returns). */
typedef struct mds_store_snap mds_store_snap_t;
mds_store_snap_t *mds_store_snapshot(mds_store_t *store);
void mds_store_snapshot_release(mds_store_t *store, mds_store_snap_t *snap);

/* Pending removals in fid order, after *after (NULL: from the first), at
 * most max; *more_p says whether more follow.  With snap, the records of
 * that view that are still in the store now (snap NULL: the store now). */
pfs_status_t mds_store_removals(mds_store_t *store,
                                const mds_store_snap_t *snap,
                                const pfs_fid_t *after, mds_removal_t *out,
                                size_t max, size_t *count_p, int *more_p);

/* For each of the n records rms, in one write: replace the record of its
 * fid by it (the servers still to do), or delete it when its nservers is
 * 0.  Unsynced: redoing a removal after a crash is harmless. */
pfs_status_t mds_store_removal_update(mds_store_t *store,
                                      const mds_removal_t *rms, size_t n);

/* Should I/O server `server` hold an object of file id fid?  *owned_p = 1
 * if fid is a regular file whose layout names that server, or a pending
 * removal names it (the MDS will remove it); 0 for an object nothing
 * accounts for (an orphan). */
pfs_status_t mds_store_object_owned(mds_store_t *store, pfs_fid_t fid,
                                    uint32_t server, int *owned_p);

/* Visit every inode / directory entry: for checkers and tests. */
typedef void (*mds_store_visit_fn)(void *arg, pfs_fid_t parent,
                                   const char *name, pfs_fid_t child,
                                   uint32_t type);
pfs_status_t mds_store_walk_dentries(mds_store_t *store, mds_store_visit_fn fn,
                                     void *arg);
pfs_status_t mds_store_count_inodes(mds_store_t *store, uint64_t *count_p);

/* ---- consistency check (pfs-fsck) ---------------------------------------
 *
 * Every inode record reads back, names its own id, and has a valid layout
 * (files) or default layout (directories); every entry is in a directory
 * and names an existing inode of the type it says; every inode except the
 * root is named by exactly one entry and reachable from the root; every
 * pending removal decodes, names servers of the ensemble and no live
 * inode; no unknown keys.  Each problem found is passed to report (may be NULL)
 * as one line of text.  Returns PFS_OK when the check ran (stats_p->problems
 * says whether it found anything), an error when it could not read the
 * store.  Run it on a store no MDS is changing. */
typedef struct {
    uint64_t inodes, directories, files, entries;
    uint64_t removals; /* pending removals of data objects */
    uint64_t problems;
} mds_fsck_stats_t;

typedef void (*mds_fsck_report_fn)(void *arg, const char *problem);

pfs_status_t mds_store_fsck(mds_store_t *store, mds_fsck_report_fn report,
                            void *arg, mds_fsck_stats_t *stats_p);
#endif
