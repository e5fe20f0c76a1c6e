/* mds_store.c - the metadata store's core: namespace records in LevelDB
 * (store_int.h lists the other files of the store). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "store_int.h"

/* LevelDB reports errors as malloc'd strings: turn one into a status and a
 * message here, and free it.  A full or read-only disk keeps its own
 * status, so that clients see what happened. */
pfs_status_t take_error(char *err, char *errmsg, size_t errmsg_size)
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
void fid_key(uint8_t *p, pfs_fid_t fid)
{
    put_be64(p, fid.hi);
    put_be64(p + 8, fid.lo);
}

size_t inode_key(uint8_t *key, pfs_fid_t fid)
{
    key[0] = KEY_INODE;
    fid_key(key + 1, fid);
    return INODE_KEY_LEN;
}

size_t dentry_key(uint8_t *key, pfs_fid_t parent, const char *name,
                  size_t name_len)
{
    key[0] = KEY_DENTRY;
    fid_key(key + 1, parent);
    memcpy(key + 17, name, name_len);
    return 17 + name_len;
}

pfs_fid_t fid_from_key(const char *k)
{
    pfs_fid_t fid = {0, 0};
    int i;

    for (i = 0; i < 8; i++) {
        fid.hi = fid.hi << 8 | (uint8_t)k[i];
        fid.lo = fid.lo << 8 | (uint8_t)k[8 + i];
    }
    return fid;
}

size_t removal_key(uint8_t *key, pfs_fid_t fid)
{
    key[0] = KEY_REMOVAL;
    fid_key(key + 1, fid);
    return INODE_KEY_LEN;
}

/* Queue the removal of a file's data objects in the batch that removes
 * its inode: whoever sees the file gone also finds the removal. */
pfs_status_t batch_put_removal(leveldb_writebatch_t *batch,
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
                               removal_key(key, attr->fid), (const char *)val,
                               vlen);
    }
    return st;
}

uint64_t now_ns(void)
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
        leveldb_writebatch_put(batch, (const char *)&key, 1, (const char *)buf,
                               len);
        return PFS_OK;
    }
    if (s->broken != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", s->broken_msg);
        return s->broken;
    }
    wo = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(wo, sync_now);
    leveldb_put(s->db, wo, (const char *)&key, 1, (const char *)buf, len, &err);
    leveldb_writeoptions_destroy(wo);
    st = write_done(s, err);
    if (st != PFS_OK) {
        snprintf(errmsg, errmsg_size, "%s", s->broken_msg);
    }
    return st;
}

pfs_status_t write_batch(mds_store_t *s, leveldb_writebatch_t *batch)
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
                           inode_key(key, root.attr.fid), (const char *)val,
                           vlen);
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
static pfs_status_t store_open(const char *dir, int sync, int create, int bump,
                               mds_store_t **store_p, char *errmsg,
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
        snprintf(errmsg, errmsg_size,
                 "%s: no superblock: not a pfs metadata "
                 "store",
                 dir);
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

pfs_status_t mds_store_recover(mds_store_t *s, char *errmsg, size_t errmsg_size)
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

pfs_status_t inode_get(mds_store_t *s, pfs_fid_t fid, mds_inode_t *ino_p)
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

void batch_put_inode(leveldb_writebatch_t *batch, const uint8_t *val,
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
pfs_status_t dentry_get(mds_store_t *s, pfs_fid_t parent, const char *name,
                        size_t name_len, pfs_fid_t *child_p, uint32_t *type_p)
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
