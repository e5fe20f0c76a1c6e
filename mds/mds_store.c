/* mds_store.c - namespace records in LevelDB; the one file that includes its
 * header. */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <leveldb/c.h>

#include "mds_rec.h"
#include "mds_store.h"

#define KEY_SUPER  'S'
#define KEY_INODE  'I'
#define KEY_DENTRY 'D'
#define KEY_REMOVAL 'R'


#define INODE_KEY_LEN  17u /* 'I' + fid; 'R' + fid too */
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
    int check;       /* permission checks against cred (not for uid 0) */
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

/* LevelDB reports errors as malloc'd strings: turn one into a status and a
 * message here, and free it.  A full or read-only disk keeps its own
 * status, so that clients see what happened. */
static pfs_status_t take_error(char *err, char *errmsg, size_t errmsg_size)
{
    pfs_status_t st = PFS_ERR_STORE;

    if (err == NULL) {
        return PFS_OK;
    }
    if (strstr(err, "No space left") != NULL ||
        strstr(err, "Disk quota") != NULL) {
        st = PFS_ERR_NOSPC;
    } else if (strstr(err, "Read-only file system") != NULL) {
        st = PFS_ERR_ROFS;
    }
    if (errmsg != NULL && errmsg_size > 0) {
        snprintf(errmsg, errmsg_size, "%s", err);
    }
    leveldb_free(err);
    return st;
}

/* The end of every write: a failure breaks the store (see broken). */
static pfs_status_t write_done(mds_store_t *s, char *err)
{
    char msg[sizeof(s->broken_msg)];
    pfs_status_t st = take_error(err, msg, sizeof(msg));

    if (st != PFS_OK && s->broken == PFS_OK) {
        s->broken = st;
        snprintf(s->broken_msg, sizeof(s->broken_msg), "%s", msg);
    }
    return st;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Big-endian ids make all entries of one directory one key range: readdir
 * is a range scan and the space partitions by parent id. */
static void fid_key(uint8_t *p, pfs_fid_t fid)
{
    put_be64(p, fid.hi);
    put_be64(p + 8, fid.lo);
}

static size_t inode_key(uint8_t *key, pfs_fid_t fid)
{
    key[0] = KEY_INODE;
    fid_key(key + 1, fid);
    return INODE_KEY_LEN;
}

static size_t dentry_key(uint8_t *key, pfs_fid_t parent, const char *name,
                         size_t name_len)
{
    key[0] = KEY_DENTRY;
    fid_key(key + 1, parent);
    memcpy(key + 17, name, name_len);
    return 17 + name_len;
}

static pfs_fid_t fid_from_key(const char *k);

static size_t removal_key(uint8_t *key, pfs_fid_t fid)
{
    key[0] = KEY_REMOVAL;
    fid_key(key + 1, fid);
    return INODE_KEY_LEN;
}

/* Queue the removal of a file's data objects in the batch that removes
 * its inode: whoever sees the file gone also finds the removal. */
static pfs_status_t batch_put_removal(leveldb_writebatch_t *batch,
                                      const pfs_attr_t *attr)
{
    uint8_t key[INODE_KEY_LEN], val[MDS_REMOVAL_REC_MAX];
    mds_removal_t rm;
    size_t vlen;
    pfs_status_t st;

    rm.fid = attr->fid;
    rm.nservers = attr->layout.stripe_count;
    memcpy(rm.servers, attr->layout.servers,
           rm.nservers * sizeof(rm.servers[0]));
    st = mds_rec_removal_encode(&rm, val, sizeof(val), &vlen);
    if (st == PFS_OK) {
        leveldb_writebatch_put(batch, (const char *)key,
                               removal_key(key, attr->fid),
                               (const char *)val, vlen);
    }
    return st;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pfs_status_t super_write(mds_store_t *s, leveldb_writebatch_t *batch,
                                int sync_now, char *errmsg, size_t errmsg_size)
{
    uint8_t buf[MDS_SUPER_REC_MAX], key = KEY_SUPER;
    leveldb_writeoptions_t *wo;
    mds_super_t sb;
    char *err = NULL;
    size_t len;
    pfs_status_t st;

    memcpy(sb.fsid, s->fsid, sizeof(sb.fsid));
    sb.epoch = s->epoch;
    sb.niosrv = s->niosrv;
    if (mds_rec_super_encode(&sb, buf, sizeof(buf), &len) != PFS_OK) {
        return PFS_ERR_INTERNAL; /* cannot happen: the buffer is the max */
    }
    if (batch != NULL) {
        leveldb_writebatch_put(batch, (const char *)&key, 1,
                               (const char *)buf, len);
        return PFS_OK;
    }
    if (s->broken != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", s->broken_msg);
        return s->broken;
    }
    wo = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(wo, sync_now);
    leveldb_put(s->db, wo, (const char *)&key, 1, (const char *)buf, len,
                &err);
    leveldb_writeoptions_destroy(wo);
    st = write_done(s, err);
    if (st != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", s->broken_msg);
    }
    return st;
}

static pfs_status_t write_batch(mds_store_t *s, leveldb_writebatch_t *batch)
{
    char *err = NULL;

    if (s->broken != PFS_OK) {
        leveldb_writebatch_destroy(batch);
        return s->broken;
    }
    leveldb_write(s->db, s->wopts, batch, &err);
    leveldb_writebatch_destroy(batch);
    return write_done(s, err);
}

static pfs_status_t root_attr(pfs_attr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->fid = MDS_ROOT_FID;
    attr->type = PFS_FILE_TYPE_DIR;
    attr->mode = 0777 | 01000; /* like /tmp: everyone may create */
    attr->nlink = 2;
    attr->ctime_ns = attr->mtime_ns = now_ns();
    return PFS_OK;
}

/* A new store: superblock and root directory in one batch. */
static pfs_status_t format(mds_store_t *s, char *errmsg, size_t errmsg_size)
{
    leveldb_writebatch_t *batch = leveldb_writebatch_create();
    leveldb_writeoptions_t *wo;
    uint8_t key[INODE_KEY_LEN], val[2048];
    mds_inode_t root;
    size_t vlen;
    char *err = NULL;
    pfs_status_t st;

    st = pfs_random_bytes(s->fsid, sizeof(s->fsid));
    if (st != PFS_OK) {
        snprintf(errmsg, errmsg_size, "no random bytes for the fsid");
        leveldb_writebatch_destroy(batch);
        return st;
    }
    s->epoch = 0;
    s->niosrv = 0;
    super_write(s, batch, 0, NULL, 0);
    memset(&root, 0, sizeof(root));
    root_attr(&root.attr);
    if (mds_rec_inode_encode(&root, val, sizeof(val), &vlen) != PFS_OK) {
        snprintf(errmsg, errmsg_size, "cannot encode the root inode");
        leveldb_writebatch_destroy(batch);
        return PFS_ERR_INTERNAL;
    }
    leveldb_writebatch_put(batch, (const char *)key,
                           inode_key(key, root.attr.fid),
                           (const char *)val, vlen);
    wo = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(wo, 1);
    leveldb_write(s->db, wo, batch, &err);
    leveldb_writeoptions_destroy(wo);
    leveldb_writebatch_destroy(batch);
    return take_error(err, errmsg, errmsg_size);
}

/* Open the LevelDB in dir and read (or, if create, format) the
 * superblock.  bump: start a new epoch (every open that will create
 * files); a check opens without it and changes nothing of ours. */
static pfs_status_t store_open(const char *dir, int sync, int create,
                               int bump, mds_store_t **store_p, char *errmsg,
                               size_t errmsg_size)
{
    mds_store_t *s = calloc(1, sizeof(*s));
    char *err = NULL, *val;
    size_t vlen;
    char key = KEY_SUPER;
    pfs_status_t st;

    if (s == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    s->sync = sync;
    s->options = leveldb_options_create();
    leveldb_options_set_create_if_missing(s->options, create);
    s->db = leveldb_open(s->options, dir, &err);
    if (err != NULL) {
        /* the usual cause is a second MDS on the same directory */
        st = take_error(err, errmsg, errmsg_size);
        leveldb_options_destroy(s->options);
        free(s);
        return st;
    }
    s->ropts = leveldb_readoptions_create();
    s->wopts = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(s->wopts, sync);

    val = leveldb_get(s->db, s->ropts, &key, 1, &vlen, &err);
    if (err != NULL) {
        st = take_error(err, errmsg, errmsg_size);
        goto err_close;
    }
    if (val == NULL && !create) {
        snprintf(errmsg, errmsg_size, "%s: no superblock: not a pfs metadata "
                 "store", dir);
        st = PFS_ERR_STORE;
        goto err_close;
    }
    if (val == NULL) {
        st = format(s, errmsg, errmsg_size);
        if (st != PFS_OK) {
            goto err_close;
        }
    } else {
        mds_super_t sb;
        uint32_t version;

        st = mds_rec_super_decode(val, vlen, &sb, &version);
        leveldb_free(val);
        memcpy(s->fsid, sb.fsid, sizeof(s->fsid));
        s->epoch = sb.epoch;
        s->niosrv = sb.niosrv;
        if (st != PFS_OK) {
            snprintf(errmsg, errmsg_size,
                     "%s: superblock of an unknown format (version %u)", dir,
                     version);
            st = PFS_ERR_STORE;
            goto err_close;
        }
    }
    if (bump) {
        /* A new epoch per open: ids handed out before a crash are never
         * handed out again, without writing a counter per create. */
        s->epoch++;
        s->next_seq = 1;
        st = super_write(s, NULL, 1, errmsg, errmsg_size);
        if (st != PFS_OK) {
            goto err_close;
        }
    }
    *store_p = s;
    return PFS_OK;

err_close:
    mds_store_close(s);
    return st;
}

pfs_status_t mds_store_open(const char *dir, int sync, mds_store_t **store_p,
                            char *errmsg, size_t errmsg_size)
{
    return store_open(dir, sync, 1, 1, store_p, errmsg, errmsg_size);
}

pfs_status_t mds_store_open_existing(const char *dir, mds_store_t **store_p,
                                     char *errmsg, size_t errmsg_size)
{
    return store_open(dir, 0, 0, 0, store_p, errmsg, errmsg_size);
}

pfs_status_t mds_store_sync(mds_store_t *s)
{
    leveldb_writebatch_t *batch = leveldb_writebatch_create();
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    char *err = NULL;

    /* a synced write, even of nothing, syncs the log and with it every
     * unsynced write before it */
    if (s->broken != PFS_OK) {
        leveldb_writeoptions_destroy(wo);
        leveldb_writebatch_destroy(batch);
        return s->broken;
    }
    leveldb_writeoptions_set_sync(wo, 1);
    leveldb_write(s->db, wo, batch, &err);
    leveldb_writeoptions_destroy(wo);
    leveldb_writebatch_destroy(batch);
    return write_done(s, err);
}

pfs_status_t mds_store_broken(const mds_store_t *s, char *msg, size_t n)
{
    if (s->broken != PFS_OK && msg != NULL) {
        snprintf(msg, n, "%s", s->broken_msg);
    }
    return s->broken;
}

/* Bytes of LevelDB's logs in dir: what a reopen writes into a table. */
static uint64_t log_bytes(const char *dir)
{
    char path[sizeof(((mds_store_t *)0)->dir) + 300];
    struct dirent *d;
    struct stat st;
    uint64_t total = 0;
    DIR *dh = opendir(dir);

    if (dh == NULL) {
        return 0;
    }
    while ((d = readdir(dh)) != NULL) {
        size_t len = strlen(d->d_name);

        if (len > 4 && strcmp(d->d_name + len - 4, ".log") == 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
            if (stat(path, &st) == 0) {
                total += (uint64_t)st.st_size;
            }
        }
    }
    closedir(dh);
    return total;
}

pfs_status_t mds_store_recover(mds_store_t *s, char *errmsg,
                               size_t errmsg_size)
{
    uint64_t need = (UINT64_C(1) << 20) + 2 * log_bytes(s->dir);
    struct statvfs sv;
    char *err = NULL;

    if (s->broken == PFS_OK) {
        return PFS_OK;
    }
    /* reopening replays the log into a new table: it needs room (the
     * log's size, twice, and a margin), and a database that cannot be
     * reopened could not even be read */
    if (statvfs(s->dir, &sv) != 0 ||
        (uint64_t)sv.f_bavail * sv.f_frsize < need) {
        snprintf(errmsg, errmsg_size, "still no room in %s", s->dir);
        return PFS_ERR_BUSY;
    }
    leveldb_close(s->db);
    s->db = leveldb_open(s->options, s->dir, &err);
    if (err != NULL) {
        /* without a database nothing works: the caller must stop */
        s->db = NULL;
        (void)take_error(err, errmsg, errmsg_size);
        return PFS_ERR_STORE;
    }
    s->broken = PFS_OK;
    s->broken_msg[0] = '\0';
    return PFS_OK;
}

void mds_store_close(mds_store_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->db != NULL) {
        leveldb_close(s->db);
    }
    leveldb_readoptions_destroy(s->ropts);
    leveldb_writeoptions_destroy(s->wopts);
    leveldb_options_destroy(s->options);
    free(s);
}

void mds_store_fsid(const mds_store_t *s, uint8_t fsid_out[16])
{
    memcpy(fsid_out, s->fsid, 16);
}

uint64_t mds_store_epoch(const mds_store_t *s)
{
    return s->epoch;
}

uint32_t mds_store_niosrv(const mds_store_t *s)
{
    return s->niosrv;
}

pfs_status_t mds_store_set_niosrv(mds_store_t *s, uint32_t niosrv)
{
    uint32_t old = s->niosrv;
    pfs_status_t st;

    s->niosrv = niosrv;
    st = super_write(s, NULL, 1, NULL, 0);
    if (st != PFS_OK) {
        s->niosrv = old;
    }
    return st;
}

pfs_fid_t mds_store_new_fid(mds_store_t *s)
{
    pfs_fid_t fid = {s->epoch, s->next_seq++};

    return fid;
}

static pfs_status_t inode_get(mds_store_t *s, pfs_fid_t fid, mds_inode_t *ino_p)
{
    uint8_t key[INODE_KEY_LEN];
    char *err = NULL, *val;
    size_t vlen;
    pfs_status_t st;

    val = leveldb_get(s->db, s->ropts, (const char *)key, inode_key(key, fid),
                      &vlen, &err);
    if (err != NULL) {
        return take_error(err, NULL, 0);
    }
    if (val == NULL) {
        return PFS_ERR_STALE;
    }
    st = mds_rec_inode_decode(val, vlen, ino_p);
    leveldb_free(val);
    return st;
}

static void batch_put_inode(leveldb_writebatch_t *batch, const uint8_t *val,
                            size_t vlen, pfs_fid_t fid)
{
    uint8_t key[INODE_KEY_LEN];

    leveldb_writebatch_put(batch, (const char *)key, inode_key(key, fid),
                           (const char *)val, vlen);
}

pfs_status_t mds_store_stat(mds_store_t *s, pfs_fid_t fid, pfs_attr_t *attr_p)
{
    mds_inode_t ino;
    pfs_status_t st = inode_get(s, fid, &ino);

    if (st == PFS_OK) {
        *attr_p = ino.attr;
    }
    return st;
}

/* Look up one name in a directory: the child's id and type. */
static pfs_status_t dentry_get(mds_store_t *s, pfs_fid_t parent,
                               const char *name, size_t name_len,
                               pfs_fid_t *child_p, uint32_t *type_p)
{
    uint8_t key[DENTRY_KEY_MAX];
    char *err = NULL, *val;
    size_t vlen;
    pfs_status_t st;

    val = leveldb_get(s->db, s->ropts, (const char *)key,
                      dentry_key(key, parent, name, name_len), &vlen, &err);
    if (err != NULL) {
        return take_error(err, NULL, 0);
    }
    if (val == NULL) {
        return PFS_ERR_NOENT;
    }
    st = mds_rec_dentry_decode(val, vlen, child_p, type_p);
    leveldb_free(val);
    return st;
}

/* ---- permissions ------------------------------------------------------ */

#define MAY_READ  4u
#define MAY_WRITE 2u
#define MAY_EXEC  1u

void mds_store_set_cred(mds_store_t *s, const pfs_cred_t *cred)
{
    s->check = cred != NULL && cred->uid != 0;
    s->cred = cred;
}

/* The owner's bits for the owner, else the group's for a member, else the
 * others' (POSIX: the first class that matches decides). */
static pfs_status_t need(const mds_store_t *s, const pfs_attr_t *a,
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
    return need(s, attr, want);
}

static pfs_status_t need_owner(const mds_store_t *s, const pfs_attr_t *a)
{
    return !s->check || s->cred->uid == a->uid ? PFS_OK : PFS_ERR_ACCESS;
}

/* Removing or renaming child out of dir: write and search on dir, and in
 * a sticky directory (like /tmp, or pfs's root) only the owner of the
 * child or of the directory may. */
static pfs_status_t need_remove(mds_store_t *s, pfs_fid_t dir,
                                pfs_fid_t child)
{
    pfs_attr_t d, c;
    pfs_status_t st;

    if (!s->check) {
        return PFS_OK;
    }
    st = mds_store_stat(s, dir, &d);
    if (st == PFS_OK) {
        st = need(s, &d, MAY_WRITE | MAY_EXEC);
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
static pfs_status_t need_search(mds_store_t *s, pfs_fid_t dir)
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
    return need(s, &d, MAY_EXEC);
}

/* Walk path down to its last component.  On success *dir_p is the parent
 * directory's id and *name_p, *name_len_p the last component ("" for root). */
static pfs_status_t walk_parent(mds_store_t *s, const char *path,
                                pfs_fid_t *dir_p, const char **name_p,
                                size_t *name_len_p)
{
    pfs_fid_t dir = MDS_ROOT_FID;
    const char *p = path;

    if (path[0] != '/') {
        return PFS_ERR_INVAL;
    }
    for (;;) {
        const char *start, *end;
        pfs_fid_t child;
        uint32_t type;
        pfs_status_t st;

        while (*p == '/') {
            p++;
        }
        start = p;
        end = strchr(start, '/');
        if (*start != '\0' && (st = need_search(s, dir)) != PFS_OK) {
            return st;
        }
        if (end == NULL) {
            *dir_p = dir;
            *name_p = start;
            *name_len_p = strlen(start);
            if (*name_len_p == 0 && start != path + 1) {
                return PFS_ERR_INVAL; /* "/d/": not normalized */
            }
            return *name_len_p > PFS_NAME_MAX ? PFS_ERR_NAMETOOLONG : PFS_OK;
        }
        if ((size_t)(end - start) > PFS_NAME_MAX) {
            return PFS_ERR_NAMETOOLONG;
        }
        st = dentry_get(s, dir, start, (size_t)(end - start), &child, &type);
        if (st != PFS_OK) {
            return st;
        }
        if (type != PFS_FILE_TYPE_DIR) {
            return PFS_ERR_NOTDIR;
        }
        dir = child;
        p = end;
    }
}

pfs_status_t mds_store_lookup(mds_store_t *s, const char *path,
                              pfs_attr_t *attr_p)
{
    const char *name;
    size_t name_len;
    pfs_fid_t dir, child;
    uint32_t type;
    pfs_status_t st;

    st = walk_parent(s, path, &dir, &name, &name_len);
    if (st != PFS_OK) {
        return st;
    }
    if (name_len == 0) {
        return mds_store_stat(s, MDS_ROOT_FID, attr_p);
    }
    st = dentry_get(s, dir, name, name_len, &child, &type);
    if (st != PFS_OK) {
        return st;
    }
    st = mds_store_stat(s, child, attr_p);
    /* an entry without its inode means a damaged store, not a race */
    return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
}

static pfs_status_t insert(mds_store_t *s, const char *path,
                           const pfs_attr_t *attr, int excl,
                           pfs_attr_t *attr_p, int *created_p)
{
    uint8_t dkey[DENTRY_KEY_MAX], dval[20], ival[2048];
    leveldb_writebatch_t *batch;
    const char *name;
    size_t name_len, ilen, dlen;
    pfs_fid_t dir, child;
    uint32_t type;
    mds_inode_t parent, ino;
    pfs_status_t st;

    st = walk_parent(s, path, &dir, &name, &name_len);
    if (st != PFS_OK) {
        return st;
    }
    if (name_len == 0) {
        return PFS_ERR_EXIST; /* "/" */
    }
    st = inode_get(s, dir, &parent);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    if (parent.attr.type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_NOTDIR;
    }
    st = dentry_get(s, dir, name, name_len, &child, &type);
    if (st == PFS_OK) {
        if (excl || attr->type == PFS_FILE_TYPE_DIR) {
            return PFS_ERR_EXIST;
        }
        if (type == PFS_FILE_TYPE_DIR) {
            return PFS_ERR_ISDIR;
        }
        *created_p = 0;
        st = mds_store_stat(s, child, attr_p);
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    if (st != PFS_ERR_NOENT) {
        return st;
    }
    st = need(s, &parent.attr, MAY_WRITE | MAY_EXEC);
    if (st != PFS_OK) {
        return st;
    }

    memset(&ino, 0, sizeof(ino));
    ino.attr = *attr; /* a new file's shared file pointer starts at 0 */
    if (attr->type == PFS_FILE_TYPE_DIR) {
        /* a subdirectory starts with its parent's default layout */
        ino.dir_default = parent.dir_default;
    }
    st = mds_rec_inode_encode(&ino, ival, sizeof(ival), &ilen);
    if (st != PFS_OK) {
        return st;
    }
    st = mds_rec_dentry_encode(attr->fid, attr->type, dval, sizeof(dval), &dlen);
    if (st != PFS_OK) {
        return st;
    }

    batch = leveldb_writebatch_create();
    leveldb_writebatch_put(batch, (const char *)dkey,
                           dentry_key(dkey, dir, name, name_len),
                           (const char *)dval, dlen);
    batch_put_inode(batch, ival, ilen, attr->fid);
    st = write_batch(s, batch);
    if (st != PFS_OK) {
        return st;
    }
    *attr_p = *attr;
    *created_p = 1;
    return PFS_OK;
}

pfs_status_t mds_store_create(mds_store_t *s, const char *path,
                              const pfs_attr_t *attr, int excl,
                              pfs_attr_t *attr_p, int *created_p)
{
    pfs_attr_t a = *attr;

    a.type = PFS_FILE_TYPE_REG;
    a.nlink = 1;
    a.ctime_ns = a.mtime_ns = now_ns();
    return insert(s, path, &a, excl, attr_p, created_p);
}

pfs_status_t mds_store_mkdir(mds_store_t *s, const char *path,
                             const pfs_attr_t *attr, pfs_attr_t *attr_p)
{
    pfs_attr_t a = *attr;
    int created;

    a.type = PFS_FILE_TYPE_DIR;
    a.nlink = 2;
    a.ctime_ns = a.mtime_ns = now_ns();
    return insert(s, path, &a, 1, attr_p, &created);
}

pfs_status_t mds_store_unlink(mds_store_t *s, const char *path,
                              pfs_attr_t *removed_p)
{
    uint8_t dkey[DENTRY_KEY_MAX], ikey[INODE_KEY_LEN];
    leveldb_writebatch_t *batch;
    const char *name;
    size_t name_len;
    pfs_fid_t dir, child;
    pfs_attr_t attr;
    uint32_t type;
    pfs_status_t st;
    int stale;

    st = walk_parent(s, path, &dir, &name, &name_len);
    if (st != PFS_OK) {
        return st;
    }
    if (name_len == 0) {
        return PFS_ERR_ISDIR;
    }
    st = dentry_get(s, dir, name, name_len, &child, &type);
    if (st != PFS_OK) {
        return st;
    }
    if (type == PFS_FILE_TYPE_DIR) {
        return PFS_ERR_ISDIR;
    }
    st = need_remove(s, dir, child);
    if (st != PFS_OK) {
        return st;
    }
    st = mds_store_stat(s, child, &attr);
    if (st != PFS_OK && st != PFS_ERR_STALE) {
        return st;
    }
    stale = st == PFS_ERR_STALE;
    batch = leveldb_writebatch_create();
    leveldb_writebatch_delete(batch, (const char *)dkey,
                              dentry_key(dkey, dir, name, name_len));
    leveldb_writebatch_delete(batch, (const char *)ikey,
                              inode_key(ikey, child));
    if (!stale && attr.layout.stripe_count > 0 &&
        batch_put_removal(batch, &attr) != PFS_OK) {
        leveldb_writebatch_destroy(batch);
        return PFS_ERR_STORE;
    }
    st = write_batch(s, batch);
    if (st != PFS_OK) {
        return st;
    }
    if (stale) {
        /* the entry had no inode (a damaged store): it is gone now, but
         * there is no layout to remove objects by */
        return PFS_ERR_STALE;
    }
    *removed_p = attr;
    return PFS_OK;
}

pfs_status_t mds_store_walk_dentries(mds_store_t *s, mds_store_visit_fn fn,
                                     void *arg)
{
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    char prefix = KEY_DENTRY;
    char *err = NULL;
    pfs_status_t st = PFS_OK;

    for (leveldb_iter_seek(it, &prefix, 1); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);
        char name[PFS_NAME_MAX + 1];
        pfs_fid_t parent, child;
        uint32_t type;
        size_t i;

        if (klen < 17 || k[0] != KEY_DENTRY) {
            break;
        }
        parent.hi = parent.lo = 0;
        for (i = 0; i < 8; i++) {
            parent.hi = parent.hi << 8 | (uint8_t)k[1 + i];
            parent.lo = parent.lo << 8 | (uint8_t)k[9 + i];
        }
        snprintf(name, sizeof(name), "%.*s", (int)(klen - 17), k + 17);
        if (mds_rec_dentry_decode(v, vlen, &child, &type) != PFS_OK) {
            st = PFS_ERR_STORE; /* a damaged entry: say so, visit the rest */
            continue;
        }
        fn(arg, parent, name, child, type);
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    return err != NULL ? take_error(err, NULL, 0) : st;
}

pfs_status_t mds_store_count_inodes(mds_store_t *s, uint64_t *count_p)
{
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    char prefix = KEY_INODE;
    char *err = NULL;
    uint64_t n = 0;

    for (leveldb_iter_seek(it, &prefix, 1); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen;
        const char *k = leveldb_iter_key(it, &klen);

        if (klen < 1 || k[0] != KEY_INODE) {
            break;
        }
        n++;
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    *count_p = n;
    return take_error(err, NULL, 0);
}

/* Does directory fid have any entry? */
static pfs_status_t dir_empty(mds_store_t *s, pfs_fid_t dir, int *empty_p)
{
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    uint8_t prefix[17];
    char *err = NULL;
    size_t klen;

    prefix[0] = KEY_DENTRY;
    fid_key(prefix + 1, dir);
    leveldb_iter_seek(it, (const char *)prefix, sizeof(prefix));
    *empty_p = 1;
    if (leveldb_iter_valid(it)) {
        const char *k = leveldb_iter_key(it, &klen);
        *empty_p = !(klen > sizeof(prefix) &&
                     memcmp(k, prefix, sizeof(prefix)) == 0);
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    return take_error(err, NULL, 0);
}

pfs_status_t mds_store_rmdir(mds_store_t *s, const char *path)
{
    uint8_t dkey[DENTRY_KEY_MAX], ikey[INODE_KEY_LEN];
    leveldb_writebatch_t *batch;
    const char *name;
    size_t name_len;
    pfs_fid_t dir, child;
    uint32_t type;
    pfs_status_t st;
    int empty;

    st = walk_parent(s, path, &dir, &name, &name_len);
    if (st != PFS_OK) {
        return st;
    }
    if (name_len == 0) {
        return PFS_ERR_BUSY; /* the root */
    }
    st = dentry_get(s, dir, name, name_len, &child, &type);
    if (st != PFS_OK) {
        return st;
    }
    if (type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_NOTDIR;
    }
    st = need_remove(s, dir, child);
    if (st != PFS_OK) {
        return st;
    }
    st = dir_empty(s, child, &empty);
    if (st != PFS_OK) {
        return st;
    }
    if (!empty) {
        return PFS_ERR_NOTEMPTY;
    }
    batch = leveldb_writebatch_create();
    leveldb_writebatch_delete(batch, (const char *)dkey,
                              dentry_key(dkey, dir, name, name_len));
    leveldb_writebatch_delete(batch, (const char *)ikey,
                              inode_key(ikey, child));
    return write_batch(s, batch);
}

pfs_status_t mds_store_readdir(mds_store_t *s, const char *path,
                               const char *after, mds_dirent_t *ents,
                               size_t max, size_t *count_p, int *more_p)
{
    uint8_t start[DENTRY_KEY_MAX], prefix[17];
    leveldb_iterator_t *it;
    pfs_attr_t attr;
    size_t after_len = strlen(after), n = 0;
    char *err = NULL;
    pfs_status_t st;

    if (after_len > PFS_NAME_MAX) {
        return PFS_ERR_NAMETOOLONG;
    }
    st = mds_store_lookup(s, path, &attr);
    if (st != PFS_OK) {
        return st;
    }
    if (attr.type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_NOTDIR;
    }
    st = need(s, &attr, MAY_READ);
    if (st != PFS_OK) {
        return st;
    }
    prefix[0] = KEY_DENTRY;
    fid_key(prefix + 1, attr.fid);
    it = leveldb_create_iterator(s->db, s->ropts);
    leveldb_iter_seek(it, (const char *)start,
                      dentry_key(start, attr.fid, after, after_len));
    *more_p = 0;
    for (; leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v;

        if (klen <= sizeof(prefix) ||
            memcmp(k, prefix, sizeof(prefix)) != 0) {
            break; /* past this directory's range */
        }
        if (klen - sizeof(prefix) == after_len &&
            memcmp(k + sizeof(prefix), after, after_len) == 0) {
            continue; /* strictly after */
        }
        if (n == max) {
            *more_p = 1;
            break;
        }
        snprintf(ents[n].name, sizeof(ents[n].name), "%.*s",
                 (int)(klen - sizeof(prefix)), k + sizeof(prefix));
        v = leveldb_iter_value(it, &vlen);
        st = mds_rec_dentry_decode(v, vlen, &ents[n].fid, &ents[n].type);
        if (st != PFS_OK) {
            break; /* a damaged entry: the listing fails, pfs-fsck finds it */
        }
        n++;
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    *count_p = n;
    return err != NULL ? take_error(err, NULL, 0) : st;
}

pfs_status_t mds_store_rename(mds_store_t *s, const char *from, const char *to,
                              pfs_attr_t *replaced_p, int *replaced_set_p)
{
    uint8_t okey[DENTRY_KEY_MAX], nkey[DENTRY_KEY_MAX], ikey[INODE_KEY_LEN];
    uint8_t dval[20];
    leveldb_writebatch_t *batch;
    const char *oname, *nname;
    size_t olen, nlen, flen = strlen(from), dlen;
    pfs_fid_t odir, ndir, child, target;
    uint32_t type, ttype;
    pfs_attr_t tattr, parent;
    pfs_status_t st;
    int have_target = 0, tattr_ok = 0, empty;

    *replaced_set_p = 0;
    if (strcmp(from, to) == 0) {
        return mds_store_lookup(s, from, &tattr); /* exists? then a no-op */
    }
    st = walk_parent(s, from, &odir, &oname, &olen);
    if (st != PFS_OK) {
        return st;
    }
    if (olen == 0) {
        return PFS_ERR_BUSY; /* "/" */
    }
    st = dentry_get(s, odir, oname, olen, &child, &type);
    if (st != PFS_OK) {
        return st;
    }
    st = need_remove(s, odir, child);
    if (st != PFS_OK) {
        return st;
    }
    /* pfs has no links: a path inside `from` is what lies under it */
    if (strncmp(to, from, flen) == 0 && to[flen] == '/') {
        return PFS_ERR_INVAL;
    }
    st = walk_parent(s, to, &ndir, &nname, &nlen);
    if (st != PFS_OK) {
        return st;
    }
    if (nlen == 0) {
        return PFS_ERR_BUSY;
    }
    st = mds_store_stat(s, ndir, &parent);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    if (parent.type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_NOTDIR;
    }
    st = need(s, &parent, MAY_WRITE | MAY_EXEC);
    if (st != PFS_OK) {
        return st;
    }
    st = dentry_get(s, ndir, nname, nlen, &target, &ttype);
    if (st == PFS_OK) {
        have_target = 1;
        st = need_remove(s, ndir, target);
        if (st != PFS_OK) {
            return st;
        }
        if (type == PFS_FILE_TYPE_REG && ttype == PFS_FILE_TYPE_DIR) {
            return PFS_ERR_ISDIR;
        }
        if (type == PFS_FILE_TYPE_DIR && ttype != PFS_FILE_TYPE_DIR) {
            return PFS_ERR_NOTDIR;
        }
        if (ttype == PFS_FILE_TYPE_DIR) {
            st = dir_empty(s, target, &empty);
            if (st != PFS_OK) {
                return st;
            }
            if (!empty) {
                return PFS_ERR_NOTEMPTY;
            }
        }
        st = mds_store_stat(s, target, &tattr);
        if (st != PFS_OK && st != PFS_ERR_STALE) {
            return st;
        }
        tattr_ok = st == PFS_OK;
    } else if (st != PFS_ERR_NOENT) {
        return st;
    }

    st = mds_rec_dentry_encode(child, type, dval, sizeof(dval), &dlen);
    if (st != PFS_OK) {
        return st;
    }
    batch = leveldb_writebatch_create();
    leveldb_writebatch_delete(batch, (const char *)okey,
                              dentry_key(okey, odir, oname, olen));
    leveldb_writebatch_put(batch, (const char *)nkey,
                           dentry_key(nkey, ndir, nname, nlen),
                           (const char *)dval, dlen);
    if (have_target) {
        leveldb_writebatch_delete(batch, (const char *)ikey,
                                  inode_key(ikey, target));
    }
    if (tattr_ok && ttype == PFS_FILE_TYPE_REG &&
        tattr.layout.stripe_count > 0 &&
        batch_put_removal(batch, &tattr) != PFS_OK) {
        leveldb_writebatch_destroy(batch);
        return PFS_ERR_STORE;
    }
    st = write_batch(s, batch);
    if (st == PFS_OK && tattr_ok && ttype == PFS_FILE_TYPE_REG) {
        *replaced_p = tattr;
        *replaced_set_p = 1;
    }
    return st;
}

pfs_status_t mds_store_shared_fp(mds_store_t *s, pfs_fid_t fid, int set,
                                 uint64_t value, uint64_t *old_p)
{
    uint8_t val[2048];
    leveldb_writebatch_t *batch;
    mds_inode_t ino;
    size_t vlen;
    uint64_t next;
    pfs_status_t st;

    st = inode_get(s, fid, &ino);
    if (st != PFS_OK) {
        return st;
    }
    if (ino.attr.type != PFS_FILE_TYPE_REG) {
        return PFS_ERR_ISDIR;
    }
    /* an MPI_Offset must hold it: never past 2^63 - 1 */
    if (set) {
        if (value > PFS_MAX_FILE_SIZE) {
            return PFS_ERR_INVAL;
        }
        next = value;
    } else if (value > PFS_MAX_FILE_SIZE - ino.shared_fp) {
        return PFS_ERR_FBIG;
    } else {
        next = ino.shared_fp + value;
    }
    *old_p = ino.shared_fp;
    if (next == ino.shared_fp) {
        return PFS_OK; /* a read: nothing to write */
    }
    ino.shared_fp = next;
    st = mds_rec_inode_encode(&ino, val, sizeof(val), &vlen);
    if (st != PFS_OK) {
        return st;
    }
    batch = leveldb_writebatch_create();
    batch_put_inode(batch, val, vlen, fid);
    return write_batch(s, batch);
}

pfs_status_t mds_store_setattr(mds_store_t *s, const char *path,
                               uint32_t mask, const pfs_attr_t *values,
                               pfs_attr_t *attr_p)
{
    uint8_t val[2048];
    leveldb_writebatch_t *batch;
    pfs_attr_t found;
    mds_inode_t ino;
    uint64_t now;
    size_t vlen;
    pfs_status_t st;

    if ((mask & ~PFS_SETATTR_ALL) != 0 ||
        ((mask & PFS_SETATTR_MODE) && (values->mode & ~07777u) != 0)) {
        return PFS_ERR_INVAL;
    }
    st = mds_store_lookup(s, path, &found);
    if (st != PFS_OK) {
        return st;
    }
    /* the whole record, so the shared pointer and directory default stay */
    st = inode_get(s, found.fid, &ino);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    if (mask == 0) {
        *attr_p = ino.attr;
        return PFS_OK;
    }
    /* POSIX: the owner changes mode, times and the group (to one of its
     * own groups); only root gives a file away */
    if (s->check &&
        (need_owner(s, &ino.attr) != PFS_OK ||
         ((mask & PFS_SETATTR_UID) && values->uid != ino.attr.uid) ||
         ((mask & PFS_SETATTR_GID) && values->gid != ino.attr.gid &&
          !pfs_cred_in_group(s->cred, values->gid)))) {
        return PFS_ERR_ACCESS;
    }
    if (mask & PFS_SETATTR_MODE) {
        ino.attr.mode = values->mode;
    }
    if (mask & PFS_SETATTR_UID) {
        ino.attr.uid = values->uid;
    }
    if (mask & PFS_SETATTR_GID) {
        ino.attr.gid = values->gid;
    }
    if (mask & PFS_SETATTR_MTIME) {
        ino.attr.mtime_ns = values->mtime_ns;
    }
    /* a change is visible as a newer ctime even within one clock tick or
     * after the clock stepped back */
    now = now_ns();
    ino.attr.ctime_ns = now > ino.attr.ctime_ns ? now : ino.attr.ctime_ns + 1;
    st = mds_rec_inode_encode(&ino, val, sizeof(val), &vlen);
    if (st != PFS_OK) {
        return st;
    }
    batch = leveldb_writebatch_create();
    batch_put_inode(batch, val, vlen, ino.attr.fid);
    st = write_batch(s, batch);
    if (st == PFS_OK) {
        *attr_p = ino.attr;
    }
    return st;
}

/* The inode of the directory at path (normalized). */
static pfs_status_t dir_inode(mds_store_t *s, const char *path,
                              mds_inode_t *ino_p)
{
    pfs_attr_t attr;
    pfs_status_t st;

    st = mds_store_lookup(s, path, &attr);
    if (st != PFS_OK) {
        return st;
    }
    st = inode_get(s, attr.fid, ino_p);
    if (st != PFS_OK) {
        return st == PFS_ERR_STALE ? PFS_ERR_STORE : st;
    }
    return ino_p->attr.type == PFS_FILE_TYPE_DIR ? PFS_OK : PFS_ERR_NOTDIR;
}

pfs_status_t mds_store_get_dir_layout(mds_store_t *s, const char *path,
                                      pfs_layout_spec_t *spec_p)
{
    mds_inode_t ino;
    pfs_status_t st = dir_inode(s, path, &ino);

    if (st == PFS_OK) {
        *spec_p = ino.dir_default;
    }
    return st;
}

pfs_status_t mds_store_set_dir_layout(mds_store_t *s, const char *path,
                                      const pfs_layout_spec_t *spec)
{
    uint8_t val[2048];
    leveldb_writebatch_t *batch;
    mds_inode_t ino;
    size_t vlen;
    pfs_status_t st;

    if (spec->nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    st = dir_inode(s, path, &ino);
    if (st != PFS_OK) {
        return st;
    }
    st = need_owner(s, &ino.attr);
    if (st != PFS_OK) {
        return st;
    }
    memset(&ino.dir_default, 0, sizeof(ino.dir_default));
    ino.dir_default.stripe_size = spec->stripe_size;
    ino.dir_default.stripe_count = spec->stripe_count;
    ino.dir_default.nservers = spec->nservers;
    memcpy(ino.dir_default.servers, spec->servers,
           spec->nservers * sizeof(spec->servers[0]));
    st = mds_rec_inode_encode(&ino, val, sizeof(val), &vlen);
    if (st != PFS_OK) {
        return st;
    }
    batch = leveldb_writebatch_create();
    batch_put_inode(batch, val, vlen, ino.attr.fid);
    return write_batch(s, batch);
}

/* ---- pending removals of data objects ---------------------------------- */

struct mds_store_snap {
    const leveldb_snapshot_t *snap;
};

mds_store_snap_t *mds_store_snapshot(mds_store_t *s)
{
    mds_store_snap_t *snap = malloc(sizeof(*snap));

    if (snap != NULL) {
        snap->snap = leveldb_create_snapshot(s->db);
    }
    return snap;
}

void mds_store_snapshot_release(mds_store_t *s, mds_store_snap_t *snap)
{
    if (snap != NULL) {
        leveldb_release_snapshot(s->db, snap->snap);
        free(snap);
    }
}

pfs_status_t mds_store_removals(mds_store_t *s, const mds_store_snap_t *snap,
                                const pfs_fid_t *after, mds_removal_t *out,
                                size_t max, size_t *count_p, int *more_p)
{
    uint8_t start[INODE_KEY_LEN];
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    leveldb_iterator_t *it;
    size_t n = 0;
    char *err = NULL;
    pfs_status_t st = PFS_OK;

    *more_p = 0;
    if (snap != NULL) {
        leveldb_readoptions_set_snapshot(ro, snap->snap);
    }
    it = leveldb_create_iterator(s->db, ro);
    if (after != NULL) {
        removal_key(start, *after);
        leveldb_iter_seek(it, (const char *)start, sizeof(start));
        if (leveldb_iter_valid(it)) {
            size_t klen;
            const char *k = leveldb_iter_key(it, &klen);

            if (klen == sizeof(start) && memcmp(k, start, klen) == 0) {
                leveldb_iter_next(it); /* strictly after */
            }
        }
    } else {
        start[0] = KEY_REMOVAL;
        leveldb_iter_seek(it, (const char *)start, 1);
    }
    for (; leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen, vlen, live_len;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);
        char *live;

        if (klen < 1 || k[0] != KEY_REMOVAL) {
            break;
        }
        if (n == max) {
            *more_p = 1;
            break;
        }
        if (klen != INODE_KEY_LEN) {
            continue; /* pfs-fsck reports it */
        }
        out[n].fid = fid_from_key(k + 1);
        if (mds_rec_removal_decode(v, vlen, &out[n]) != PFS_OK) {
            continue;
        }
        if (snap != NULL) {
            /* done since the snapshot was taken? */
            live = leveldb_get(s->db, s->ropts, k, klen, &live_len, &err);
            if (err != NULL) {
                break;
            }
            if (live == NULL) {
                continue;
            }
            leveldb_free(live);
        }
        n++;
    }
    if (err == NULL) {
        leveldb_iter_get_error(it, &err);
    }
    leveldb_iter_destroy(it);
    leveldb_readoptions_destroy(ro);
    st = take_error(err, NULL, 0);
    *count_p = n;
    return st;
}

pfs_status_t mds_store_object_owned(mds_store_t *s, pfs_fid_t fid,
                                    uint32_t server, int *owned_p)
{
    uint8_t key[INODE_KEY_LEN];
    mds_removal_t rm;
    mds_inode_t ino;
    char *err = NULL, *val;
    size_t vlen;
    uint32_t i;
    pfs_status_t st;

    *owned_p = 0;
    st = inode_get(s, fid, &ino);
    if (st == PFS_OK) {
        for (i = 0; ino.attr.type == PFS_FILE_TYPE_REG &&
                    i < ino.attr.layout.stripe_count;
             i++) {
            *owned_p |= ino.attr.layout.servers[i] == server;
        }
        return PFS_OK;
    }
    if (st != PFS_ERR_STALE) {
        return st;
    }
    val = leveldb_get(s->db, s->ropts, (const char *)key,
                      removal_key(key, fid), &vlen, &err);
    if (err != NULL) {
        return take_error(err, NULL, 0);
    }
    if (val == NULL) {
        return PFS_OK;
    }
    st = mds_rec_removal_decode(val, vlen, &rm);
    leveldb_free(val);
    for (i = 0; st == PFS_OK && i < rm.nservers; i++) {
        *owned_p |= rm.servers[i] == server;
    }
    return PFS_OK;
}

pfs_status_t mds_store_removal_update(mds_store_t *s,
                                      const mds_removal_t *rm)
{
    uint8_t key[INODE_KEY_LEN], val[MDS_REMOVAL_REC_MAX];
    leveldb_writebatch_t *batch;
    size_t vlen;
    pfs_status_t st;

    if (rm->nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    batch = leveldb_writebatch_create();
    if (rm->nservers == 0) {
        leveldb_writebatch_delete(batch, (const char *)key,
                                  removal_key(key, rm->fid));
    } else {
        st = mds_rec_removal_encode(rm, val, sizeof(val), &vlen);
        if (st != PFS_OK) {
            leveldb_writebatch_destroy(batch);
            return st;
        }
        leveldb_writebatch_put(batch, (const char *)key,
                               removal_key(key, rm->fid), (const char *)val,
                               vlen);
    }
    return write_batch(s, batch);
}

/* ---- consistency check ------------------------------------------------- */

/* Every inode, in an open-addressing table by fid. */
typedef struct {
    pfs_fid_t fid;
    uint32_t type;    /* PFS_FILE_TYPE_*, 0 if the record is unreadable */
    uint32_t refs;    /* entries naming it */
    uint8_t used;
    uint8_t reached;  /* from the root */
} fsck_node_t;

/* One directory entry, in key order: sorted by parent. */
typedef struct {
    pfs_fid_t parent;
    size_t child; /* node index */
} fsck_edge_t;

typedef struct {
    mds_store_t *s;
    fsck_node_t *nodes;
    size_t mask;
    fsck_edge_t *edges;
    size_t nedges, edges_cap;
    mds_fsck_report_fn report;
    void *arg;
    mds_fsck_stats_t stats;
} fsck_t;

static void fsck_problem(fsck_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fsck_problem(fsck_t *c, const char *fmt, ...)
{
    char msg[PFS_NAME_MAX + 512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->stats.problems++;
    if (c->report != NULL) {
        c->report(c->arg, msg);
    }
}

static size_t fid_hash(pfs_fid_t fid)
{
    uint64_t x = fid.hi * UINT64_C(0x9e3779b97f4a7c15) ^ fid.lo;

    x ^= x >> 31;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 29;
    return (size_t)x;
}

/* The node of fid, or the free slot where it would go. */
static size_t fsck_slot(const fsck_t *c, pfs_fid_t fid)
{
    size_t i = fid_hash(fid) & c->mask;

    while (c->nodes[i].used && !pfs_fid_equal(c->nodes[i].fid, fid)) {
        i = (i + 1) & c->mask;
    }
    return i;
}

static pfs_fid_t fid_from_key(const char *k)
{
    pfs_fid_t fid = {0, 0};
    int i;

    for (i = 0; i < 8; i++) {
        fid.hi = fid.hi << 8 | (uint8_t)k[i];
        fid.lo = fid.lo << 8 | (uint8_t)k[8 + i];
    }
    return fid;
}

static const char *type_name(uint32_t type)
{
    return type == PFS_FILE_TYPE_DIR   ? "directory"
           : type == PFS_FILE_TYPE_REG ? "file"
                                       : "unreadable inode";
}

/* Pass 1: every inode record reads back and makes sense on its own. */
static void fsck_inode(fsck_t *c, const char *k, size_t klen, const char *v,
                       size_t vlen)
{
    char hex[PFS_FID_HEX_LEN + 1], why[256];
    pfs_fid_t fid;
    fsck_node_t *n;
    mds_inode_t ino;

    if (klen != INODE_KEY_LEN) {
        fsck_problem(c, "inode key of %zu bytes (want %u)", klen,
                     INODE_KEY_LEN);
        return;
    }
    fid = fid_from_key(k + 1);
    pfs_fid_format(fid, hex);
    n = &c->nodes[fsck_slot(c, fid)];
    n->used = 1;
    n->fid = fid;
    c->stats.inodes++;
    if (mds_rec_inode_decode(v, vlen, &ino) != PFS_OK) {
        fsck_problem(c, "inode %s: unreadable record (version %u, %zu bytes)",
                     hex, vlen > 0 ? (uint8_t)v[0] : 0u, vlen);
        return;
    }
    n->type = ino.attr.type;
    if (!pfs_fid_equal(ino.attr.fid, fid)) {
        fsck_problem(c, "inode %s: its record names another id", hex);
    }
    if (ino.attr.type == PFS_FILE_TYPE_DIR) {
        c->stats.directories++;
        if (pfs_layout_spec_check(&ino.dir_default, c->s->niosrv, why,
                                  sizeof(why)) != PFS_OK) {
            fsck_problem(c, "directory %s: default layout: %s", hex, why);
        }
    } else {
        c->stats.files++;
        if (c->s->niosrv != 0 &&
            pfs_layout_validate(&ino.attr.layout, c->s->niosrv) != PFS_OK) {
            fsck_problem(c, "file %s: layout invalid for %u I/O servers", hex,
                         c->s->niosrv);
        }
        if (ino.shared_fp > PFS_MAX_FILE_SIZE) {
            fsck_problem(c, "file %s: shared file pointer above 2^63 - 1",
                         hex);
        }
    }
}

/* Pass 2: every entry names a live child of its type, in a directory. */
static pfs_status_t fsck_dentry(fsck_t *c, const char *k, size_t klen,
                                const char *v, size_t vlen)
{
    char phex[PFS_FID_HEX_LEN + 1], chex[PFS_FID_HEX_LEN + 1];
    char name[PFS_NAME_MAX + 1];
    pfs_fid_t parent, child;
    fsck_node_t *pn, *cn;
    uint32_t type;
    size_t nlen, ci;

    if (klen < 18 || klen > DENTRY_KEY_MAX) {
        fsck_problem(c, "entry key of %zu bytes", klen);
        return PFS_OK;
    }
    c->stats.entries++;
    parent = fid_from_key(k + 1);
    pfs_fid_format(parent, phex);
    nlen = klen - 17;
    snprintf(name, sizeof(name), "%.*s", (int)nlen, k + 17);
    if (strlen(name) != nlen || strchr(name, '/') != NULL ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        fsck_problem(c, "entry in directory %s: invalid name '%s'", phex,
                     name);
    }
    if (mds_rec_dentry_decode(v, vlen, &child, &type) != PFS_OK) {
        fsck_problem(c, "entry '%s' in directory %s: unreadable value", name,
                     phex);
        return PFS_OK;
    }
    pfs_fid_format(child, chex);
    pn = &c->nodes[fsck_slot(c, parent)];
    if (!pn->used) {
        fsck_problem(c, "entry '%s' is in directory %s, which has no inode",
                     name, phex);
    } else if (pn->type == PFS_FILE_TYPE_REG) {
        fsck_problem(c, "entry '%s' is in %s, which is a file", name, phex);
    }
    if (pfs_fid_equal(child, MDS_ROOT_FID)) {
        fsck_problem(c, "entry '%s' in directory %s names the root", name,
                     phex);
        return PFS_OK;
    }
    ci = fsck_slot(c, child);
    cn = &c->nodes[ci];
    if (!cn->used) {
        fsck_problem(c,
                     "entry '%s' in directory %s names %s %s, which has no "
                     "inode",
                     name, phex, type_name(type), chex);
        return PFS_OK;
    }
    cn->refs++;
    if (cn->type != 0 && cn->type != type) {
        fsck_problem(c,
                     "entry '%s' in directory %s says %s, but inode %s is a "
                     "%s",
                     name, phex, type_name(type), chex, type_name(cn->type));
    }
    if (c->nedges == c->edges_cap) {
        size_t cap = c->edges_cap ? 2 * c->edges_cap : 1024;
        fsck_edge_t *e = realloc(c->edges, cap * sizeof(*e));

        if (e == NULL) {
            return PFS_ERR_NOMEM;
        }
        c->edges = e;
        c->edges_cap = cap;
    }
    c->edges[c->nedges].parent = parent;
    c->edges[c->nedges].child = ci;
    c->nedges++;
    return PFS_OK;
}

/* A pending removal: readable, servers of this ensemble, and no longer
 * a file (its inode went in the same batch). */
static void fsck_removal(fsck_t *c, const char *k, size_t klen,
                         const char *v, size_t vlen)
{
    char hex[PFS_FID_HEX_LEN + 1];
    mds_removal_t rm;
    size_t slot;
    uint32_t i;

    if (klen != INODE_KEY_LEN) {
        fsck_problem(c, "removal key of %zu bytes", klen);
        return;
    }
    c->stats.removals++;
    rm.fid = fid_from_key(k + 1);
    pfs_fid_format(rm.fid, hex);
    if (mds_rec_removal_decode(v, vlen, &rm) != PFS_OK) {
        fsck_problem(c, "pending removal of %s: record does not decode", hex);
        return;
    }
    for (i = 0; i < rm.nservers; i++) {
        if (rm.servers[i] >= c->s->niosrv) {
            fsck_problem(c, "pending removal of %s names I/O server %u of %u",
                         hex, rm.servers[i], c->s->niosrv);
            return;
        }
    }
    slot = fsck_slot(c, rm.fid);
    if (c->nodes[slot].used) {
        fsck_problem(c, "pending removal of %s, which is a live %s", hex,
                     type_name(c->nodes[slot].type));
    }
}

static int fid_less(pfs_fid_t a, pfs_fid_t b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* Pass 3: from the root over the entries; every inode but the root must
 * be named exactly once and be reached. */
static pfs_status_t fsck_reach(fsck_t *c)
{
    size_t *queue, head = 0, tail = 0, i, root = fsck_slot(c, MDS_ROOT_FID);
    char hex[PFS_FID_HEX_LEN + 1];

    if (!c->nodes[root].used || c->nodes[root].type != PFS_FILE_TYPE_DIR) {
        fsck_problem(c, "no root directory (inode %s)",
                     c->nodes[root].used ? "is not a directory" : "missing");
        return PFS_OK;
    }
    queue = malloc((c->stats.inodes + 1) * sizeof(*queue));
    if (queue == NULL) {
        return PFS_ERR_NOMEM;
    }
    c->nodes[root].reached = 1;
    queue[tail++] = root;
    while (head < tail) {
        fsck_node_t *d = &c->nodes[queue[head++]];
        size_t lo = 0, hi = c->nedges;

        /* the edges are sorted by parent: find this directory's run */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (fid_less(c->edges[mid].parent, d->fid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (i = lo; i < c->nedges && pfs_fid_equal(c->edges[i].parent, d->fid);
             i++) {
            fsck_node_t *n = &c->nodes[c->edges[i].child];

            if (!n->reached) {
                n->reached = 1;
                if (n->type == PFS_FILE_TYPE_DIR && tail < c->stats.inodes) {
                    queue[tail++] = c->edges[i].child;
                }
            }
        }
    }
    free(queue);
    for (i = 0; i <= c->mask; i++) {
        fsck_node_t *n = &c->nodes[i];

        if (!n->used || i == root) {
            continue;
        }
        pfs_fid_format(n->fid, hex);
        if (n->refs == 0) {
            fsck_problem(c, "orphan %s %s: no entry names it",
                         type_name(n->type), hex);
        } else if (n->refs > 1) {
            fsck_problem(c, "%s %s is named by %u entries",
                         type_name(n->type), hex, n->refs);
        } else if (!n->reached) {
            fsck_problem(c,
                         "%s %s is not reachable from the root (in a "
                         "detached directory or a cycle)",
                         type_name(n->type), hex);
        }
    }
    return PFS_OK;
}

pfs_status_t mds_store_fsck(mds_store_t *s, mds_fsck_report_fn report,
                            void *arg, mds_fsck_stats_t *stats_p)
{
    leveldb_iterator_t *it;
    fsck_t c;
    uint64_t n = 0;
    size_t cap = 16;
    char *err = NULL;
    char prefix = KEY_INODE;
    pfs_status_t st = PFS_OK;

    memset(&c, 0, sizeof(c));
    c.s = s;
    c.report = report;
    c.arg = arg;
    st = mds_store_count_inodes(s, &n);
    if (st != PFS_OK) {
        return st;
    }
    while (cap < 2 * n + 2) {
        cap *= 2;
    }
    c.nodes = calloc(cap, sizeof(*c.nodes));
    if (c.nodes == NULL) {
        return PFS_ERR_NOMEM;
    }
    c.mask = cap - 1;

    it = leveldb_create_iterator(s->db, s->ropts);
    for (leveldb_iter_seek(it, &prefix, 1); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);

        if (k[0] != KEY_INODE) {
            break;
        }
        if (c.stats.inodes >= n) {
            fsck_problem(&c, "inodes appeared during the check: is pfs-mds "
                         "running?");
            break;
        }
        fsck_inode(&c, k, klen, v, vlen);
    }
    /* all keys in order: entries ('D'), inodes again ('I', done), pending
     * removals ('R'), the superblock ('S'); anything else is not ours */
    for (leveldb_iter_seek_to_first(it); st == PFS_OK && leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);

        if (klen > 0 && k[0] == KEY_DENTRY) {
            st = fsck_dentry(&c, k, klen, v, vlen);
        } else if (klen > 0 && k[0] == KEY_REMOVAL) {
            fsck_removal(&c, k, klen, v, vlen);
        } else if (klen == 0 ||
                   (k[0] != KEY_INODE && !(k[0] == KEY_SUPER && klen == 1))) {
            fsck_problem(&c, "unknown key of %zu bytes (first byte 0x%02x)",
                         klen, klen > 0 ? (uint8_t)k[0] : 0u);
        }
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    if (st == PFS_OK) {
        st = take_error(err, NULL, 0);
    } else if (err != NULL) {
        leveldb_free(err);
    }
    if (st == PFS_OK) {
        st = fsck_reach(&c);
    }
    if (st == PFS_OK) {
        *stats_p = c.stats;
    }
    free(c.edges);
    free(c.nodes);
    return st;
}
