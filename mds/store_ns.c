/* store_ns.c - the metadata store's namespace operations (store_int.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

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
        if (*start != '\0' && (st = perm_search(s, dir)) != PFS_OK) {
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
                           const pfs_attr_t *attr, int excl, pfs_attr_t *attr_p,
                           int *created_p)
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
    st = perm_check(s, &parent.attr, MAY_WRITE | MAY_EXEC);
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
    st =
        mds_rec_dentry_encode(attr->fid, attr->type, dval, sizeof(dval), &dlen);
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

/* An entry to remove: its directory and name, and the inode it names. */
typedef struct {
    pfs_fid_t dir, child;
    const char *name;
    size_t name_len;
} victim_t;

/* The entry path names, for unlink (a file) or rmdir (want_dir: a
 * directory), once the caller may remove it from its directory. */
static pfs_status_t victim_find(mds_store_t *s, const char *path, int want_dir,
                                victim_t *v)
{
    uint32_t type;
    pfs_status_t st;

    st = walk_parent(s, path, &v->dir, &v->name, &v->name_len);
    if (st != PFS_OK) {
        return st;
    }
    if (v->name_len == 0) { /* the root */
        return want_dir ? PFS_ERR_BUSY : PFS_ERR_ISDIR;
    }
    st = dentry_get(s, v->dir, v->name, v->name_len, &v->child, &type);
    if (st != PFS_OK) {
        return st;
    }
    if (want_dir && type != PFS_FILE_TYPE_DIR) {
        return PFS_ERR_NOTDIR;
    }
    if (!want_dir && type == PFS_FILE_TYPE_DIR) {
        return PFS_ERR_ISDIR;
    }
    return perm_remove(s, v->dir, v->child);
}

/* A new batch that deletes the entry and its inode (the batch keeps
 * copies of the keys). */
static leveldb_writebatch_t *victim_batch(const victim_t *v)
{
    uint8_t dkey[DENTRY_KEY_MAX], ikey[INODE_KEY_LEN];
    leveldb_writebatch_t *batch = leveldb_writebatch_create();

    leveldb_writebatch_delete(batch, (const char *)dkey,
                              dentry_key(dkey, v->dir, v->name, v->name_len));
    leveldb_writebatch_delete(batch, (const char *)ikey,
                              inode_key(ikey, v->child));
    return batch;
}

pfs_status_t mds_store_unlink(mds_store_t *s, const char *path,
                              pfs_attr_t *removed_p)
{
    leveldb_writebatch_t *batch;
    victim_t v;
    pfs_attr_t attr;
    pfs_status_t st;
    int stale;

    st = victim_find(s, path, 0, &v);
    if (st != PFS_OK) {
        return st;
    }
    st = mds_store_stat(s, v.child, &attr);
    if (st != PFS_OK && st != PFS_ERR_STALE) {
        return st;
    }
    stale = st == PFS_ERR_STALE;
    batch = victim_batch(&v);
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
        *empty_p =
            !(klen > sizeof(prefix) && memcmp(k, prefix, sizeof(prefix)) == 0);
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    return take_error(err, NULL, 0);
}

pfs_status_t mds_store_rmdir(mds_store_t *s, const char *path)
{
    victim_t v;
    pfs_status_t st;
    int empty;

    st = victim_find(s, path, 1, &v);
    if (st != PFS_OK) {
        return st;
    }
    st = dir_empty(s, v.child, &empty);
    if (st != PFS_OK) {
        return st;
    }
    if (!empty) {
        return PFS_ERR_NOTEMPTY;
    }
    return write_batch(s, victim_batch(&v));
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
    st = perm_check(s, &attr, MAY_READ);
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

        if (klen <= sizeof(prefix) || memcmp(k, prefix, sizeof(prefix)) != 0) {
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
    st = perm_remove(s, odir, child);
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
    st = perm_check(s, &parent, MAY_WRITE | MAY_EXEC);
    if (st != PFS_OK) {
        return st;
    }
    st = dentry_get(s, ndir, nname, nlen, &target, &ttype);
    if (st == PFS_OK) {
        have_target = 1;
        st = perm_remove(s, ndir, target);
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

pfs_status_t mds_store_setattr(mds_store_t *s, const char *path, uint32_t mask,
                               const pfs_attr_t *values, pfs_attr_t *attr_p)
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
        (perm_owner(s, &ino.attr) != PFS_OK ||
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
    st = perm_owner(s, &ino.attr);
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
