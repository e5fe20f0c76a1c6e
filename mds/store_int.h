/* store_int.h - what the metadata store's files share (libmds_store):
 *   mds_store.c    the store core: errors, keys, superblock, open, sync,
 *                  recovery after a failed write, inode and entry reads
 *   store_perm.c   permission checks against the caller's credentials
 *   store_ns.c     namespace operations (lookup, create, mkdir, unlink,
 *                  rmdir, readdir, rename, setattr, layouts, shared_fp)
 *   store_removal.c pending removals of data objects, snapshots
 *   store_fsck.c   the offline consistency check
 *   mds_rec.c      the record codecs (mds_rec.h)
 * Nothing outside mds/ includes it. */
#ifndef PFS_MDS_STORE_INT_H
#define PFS_MDS_STORE_INT_H

#include <leveldb/c.h>

#include "mds_rec.h"
#include "mds_store.h"

#define KEY_SUPER 'S'
#define KEY_INODE 'I'
#define KEY_DENTRY 'D'
#define KEY_REMOVAL 'R'

#define INODE_KEY_LEN 17u /* 'I' + fid; 'R' + fid too */
#define DENTRY_KEY_MAX (17u + PFS_NAME_MAX)

struct mds_store {
    leveldb_t *db;
    leveldb_options_t *options;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts;
    uint8_t fsid[16];
    uint64_t epoch;
    uint64_t next_seq;
    uint32_t niosrv;
    int check;              /* permission checks against cred (not for uid 0) */
    const pfs_cred_t *cred; /* the caller's, borrowed (mds_store_set_cred) */
    /* A write that failed (disk full, read-only, I/O error) may have left
     * a torn record at the end of LevelDB's log; on recovery LevelDB
     * drops everything after it.  So no further write goes into that
     * log: writes fail with the first error until mds_store_recover has
     * reopened the database, which starts a new log. */
    pfs_status_t broken;
    char broken_msg[256];
    char dir[1024];
    int sync;
};

/* the bits of perm_check's want */
#define MAY_READ 4u
#define MAY_WRITE 2u
#define MAY_EXEC 1u

/* wall-clock time in ns, for ctime and mtime */
uint64_t now_ns(void);
void batch_put_inode(leveldb_writebatch_t *batch, const uint8_t *val,
                     size_t vlen, pfs_fid_t fid);
pfs_status_t batch_put_removal(leveldb_writebatch_t *batch,
                               const pfs_attr_t *attr);
pfs_status_t dentry_get(mds_store_t *s, pfs_fid_t parent, const char *name,
                        size_t name_len, pfs_fid_t *child_p, uint32_t *type_p);
size_t dentry_key(uint8_t *key, pfs_fid_t parent, const char *name,
                  size_t name_len);
pfs_fid_t fid_from_key(const char *k);
void fid_key(uint8_t *p, pfs_fid_t fid);
pfs_status_t inode_get(mds_store_t *s, pfs_fid_t fid, mds_inode_t *ino_p);
size_t inode_key(uint8_t *key, pfs_fid_t fid);
pfs_status_t perm_check(const mds_store_t *s, const pfs_attr_t *a,
                        unsigned want);
pfs_status_t perm_owner(const mds_store_t *s, const pfs_attr_t *a);
pfs_status_t perm_remove(mds_store_t *s, pfs_fid_t dir, pfs_fid_t child);
pfs_status_t perm_search(mds_store_t *s, pfs_fid_t dir);
size_t removal_key(uint8_t *key, pfs_fid_t fid);
pfs_status_t take_error(char *err, char *errmsg, size_t errmsg_size);
pfs_status_t write_batch(mds_store_t *s, leveldb_writebatch_t *batch);

#endif
