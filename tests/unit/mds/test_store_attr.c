/* test_store_attr.c - the store suite: shared file pointers, setattr,
 * records of older versions and directory default layouts. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leveldb/c.h>

#include "test_store.h"

/* ---- shared file pointer ----------------------------------------------- */

void test_shared_fp(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, out, before;
    uint64_t old = 99;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    f = file_attr(s, 2, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &before, &created),
                          PFS_OK);

    /* a new file starts at 0; incr 0 reads */
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 10, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 5, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 10);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 1, 100, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 15);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 1, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 100);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 1, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 101);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);

    /* rewriting the record for the counter leaves the attributes alone */
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 7, &old), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &before));

    /* the limit is 2^63 - 1 (an MPI_Offset): a failed add changes nothing */
    CU_ASSERT_EQUAL(
        mds_store_shared_fp(s, f.fid, 1, PFS_MAX_FILE_SIZE - 1, &old), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 1, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, PFS_MAX_FILE_SIZE - 1);
    old = 99;
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 1, &old), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(old, 99); /* outputs only on success */
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, UINT64_MAX, &old),
                    PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(
        mds_store_shared_fp(s, f.fid, 1, PFS_MAX_FILE_SIZE + 1, &old),
        PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, PFS_MAX_FILE_SIZE);

    /* directories have none; a missing inode is stale */
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, d.fid, 0, 1, &old), PFS_ERR_ISDIR);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, MDS_ROOT_FID, 1, 1, &old),
                    PFS_ERR_ISDIR);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, mds_store_new_fid(s), 0, 1, &old),
                    PFS_ERR_STALE);
    mds_store_close(s);
}

/* setattr changes exactly the fields its mask names, on files and
 * directories, and sets ctime; the shared pointer and a directory's
 * default layout stay. */
void test_setattr(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, out, before, v;
    pfs_layout_spec_t spec = {0}, spec_out;
    uint64_t old = 0;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    f = file_attr(s, 2, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &before, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 1, 123, &old), PFS_OK);

    /* mode alone: the rest stays, ctime moves on */
    memset(&v, 0, sizeof(v));
    v.mode = 04711;
    v.uid = 1; /* not in the mask: ignored */
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/d/f", PFS_SETATTR_MODE, &v, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(out.mode, 04711);
    CU_ASSERT_EQUAL(out.uid, before.uid);
    CU_ASSERT_EQUAL(out.gid, before.gid);
    CU_ASSERT_EQUAL(out.mtime_ns, before.mtime_ns);
    CU_ASSERT(out.ctime_ns > before.ctime_ns);
    CU_ASSERT(pfs_fid_equal(out.fid, before.fid));
    CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_REG);
    CU_ASSERT(layouts_equal(&out.layout, &before.layout));
    /* the reply is what a lookup sees */
    before = out;
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &before));
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 123);

    /* owner and mtime together */
    v.uid = 0;
    v.gid = UINT32_MAX - 1;
    v.mtime_ns = 42;
    v.mode = 0; /* not in the mask */
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/d/f",
                          PFS_SETATTR_UID | PFS_SETATTR_GID | PFS_SETATTR_MTIME,
                          &v, &out),
        PFS_OK);
    CU_ASSERT_EQUAL(out.mode, 04711);
    CU_ASSERT_EQUAL(out.uid, 0);
    CU_ASSERT_EQUAL(out.gid, UINT32_MAX - 1);
    CU_ASSERT_EQUAL(out.mtime_ns, 42);
    CU_ASSERT(out.ctime_ns > before.ctime_ns);
    before = out;

    /* mask 0 reads and writes nothing */
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/d/f", 0, &v, &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &before));

    /* a directory, and the root; the default layout stays */
    spec.stripe_size = 65536;
    spec.stripe_count = 2;
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/d", &spec), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &before), PFS_OK);
    v.mode = 0700;
    v.uid = 5;
    CU_ASSERT_EQUAL(mds_store_setattr(
                        s, "/d", PFS_SETATTR_MODE | PFS_SETATTR_UID, &v, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_DIR);
    CU_ASSERT_EQUAL(out.mode, 0700);
    CU_ASSERT_EQUAL(out.uid, 5);
    CU_ASSERT_EQUAL(out.gid, before.gid);
    CU_ASSERT_EQUAL(out.mtime_ns, before.mtime_ns);
    CU_ASSERT(out.ctime_ns > before.ctime_ns);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d", &spec_out), PFS_OK);
    CU_ASSERT_EQUAL(spec_out.stripe_size, 65536);
    CU_ASSERT_EQUAL(spec_out.stripe_count, 2);
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/", PFS_SETATTR_MODE, &v, &out),
                    PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, MDS_ROOT_FID));
    CU_ASSERT_EQUAL(out.mode, 0700);
    mds_store_close(s);

    /* it is in the store, not only in the reply */
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(out.mode, 04711);
    CU_ASSERT_EQUAL(out.uid, 0);
    CU_ASSERT_EQUAL(out.mtime_ns, 42);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_OK);
    CU_ASSERT_EQUAL(out.mode, 0700);
    mds_store_close(s);
}

void test_setattr_errors(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t f, out, before, v;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f", &f, 1, &before, &created),
                          PFS_OK);
    memset(&v, 0, sizeof(v));
    v.mode = 0644;
    memset(&out, 0xa5, sizeof(out));

    CU_ASSERT_EQUAL(mds_store_setattr(s, "/nope", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/nope/f", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f/x", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_NOTDIR);
    /* only permission bits: a file type bit or anything above is refused */
    v.mode = 0100644;
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_INVAL);
    v.mode = 010000;
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_INVAL);
    /* ... but only when mode is to change */
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f", PFS_SETATTR_UID, &v, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(out.mode, 0640);
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f", 0x10, &v, &out), PFS_ERR_INVAL);
    /* a failure changes nothing and leaves the output alone */
    before = out;
    memset(&out, 0xa5, sizeof(out));
    v.mode = 070000;
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/f", PFS_SETATTR_ALL, &v, &out),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(out.mode, 0xa5a5a5a5u);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/f", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &before));
    mds_store_close(s);
}

/* Counters are per file, survive a reopen and a rename, go with unlink,
 * and a re-created name starts again at 0. */
void test_shared_fp_lifetime(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t f, g, out;
    uint64_t old;
    int created, replaced;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 1);
    CU_ASSERT_FATAL(s != NULL);
    f = file_attr(s, 1, 0);
    g = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f", &f, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/g", &g, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 4096, &old), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, g.fid, 0, 17, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);
    mds_store_close(s);

    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 4096);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/g", "/h", &out, &replaced), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, g.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 17);

    CU_ASSERT_EQUAL(mds_store_unlink(s, "/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 1, &old), PFS_ERR_STALE);
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f", &f, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);
    /* and one file replacing another by rename takes its counter along */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/h", "/f", &out, &replaced), PFS_OK);
    CU_ASSERT_EQUAL(replaced, 1);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, out.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 17);
    mds_store_close(s);
}
/* The attributes as every store version so far wrote them, field by
 * field: spelled out here, independently of the store's own encoder, so
 * that a changed encoding fails the tests that read these records. */
static void old_attr_bytes(pfs_wbuf_t *w, const pfs_attr_t *a)
{
    uint32_t i;

    pfs_wbuf_u64(w, a->fid.hi);
    pfs_wbuf_u64(w, a->fid.lo);
    pfs_wbuf_u32(w, a->type);
    pfs_wbuf_u32(w, a->mode);
    pfs_wbuf_u32(w, a->uid);
    pfs_wbuf_u32(w, a->gid);
    pfs_wbuf_u64(w, a->ctime_ns);
    pfs_wbuf_u64(w, a->mtime_ns);
    pfs_wbuf_u32(w, a->nlink);
    pfs_wbuf_u64(w, a->layout.stripe_size);
    pfs_wbuf_u32(w, a->layout.stripe_count);
    for (i = 0; i < a->layout.stripe_count; i++) {
        pfs_wbuf_u32(w, a->layout.servers[i]);
    }
}

/* A store written by older versions (inode record version 1: the
 * attributes alone; version 2: no directory default) still opens; its
 * files read counter 0 and count on, its directories have no default. */
void test_shared_fp_old_record(void)
{
    char dir[128], *err = NULL;
    uint8_t key[32], val[2048];
    leveldb_options_t *opts;
    leveldb_writeoptions_t *wo;
    leveldb_t *db;
    mds_store_t *s;
    pfs_attr_t f, d, out;
    pfs_layout_spec_t spec;
    pfs_wbuf_t w;
    size_t len;
    uint64_t old = 99;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    f = file_attr(s, 3, 1);
    f.type = PFS_FILE_TYPE_REG;
    f.nlink = 1;
    d = dir_attr(s);
    d.type = PFS_FILE_TYPE_DIR;
    d.nlink = 2;
    mds_store_close(s);

    /* write "/old" the way the version-1 store did */
    opts = leveldb_options_create();
    db = leveldb_open(opts, dir, &err);
    CU_ASSERT_PTR_NULL_FATAL(err);
    wo = leveldb_writeoptions_create();
    key[0] = 'I';
    put_be64(key + 1, f.fid.hi);
    put_be64(key + 9, f.fid.lo);
    pfs_wbuf_init(&w, val, sizeof(val));
    pfs_wbuf_u8(&w, 1);
    old_attr_bytes(&w, &f);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    leveldb_put(db, wo, (const char *)key, 17, (const char *)val, len, &err);
    CU_ASSERT_PTR_NULL(err);
    key[0] = 'D';
    put_be64(key + 1, MDS_ROOT_FID.hi);
    put_be64(key + 9, MDS_ROOT_FID.lo);
    memcpy(key + 17, "old", 3);
    pfs_wbuf_init(&w, val, sizeof(val));
    pfs_wbuf_u64(&w, f.fid.hi);
    pfs_wbuf_u64(&w, f.fid.lo);
    pfs_wbuf_u32(&w, PFS_FILE_TYPE_REG);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    leveldb_put(db, wo, (const char *)key, 20, (const char *)val, len, &err);
    CU_ASSERT_PTR_NULL(err);
    /* and "/olddir" as the version-2 store did: attributes and counter */
    key[0] = 'I';
    put_be64(key + 1, d.fid.hi);
    put_be64(key + 9, d.fid.lo);
    pfs_wbuf_init(&w, val, sizeof(val));
    pfs_wbuf_u8(&w, 2);
    old_attr_bytes(&w, &d);
    pfs_wbuf_u64(&w, 0);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    leveldb_put(db, wo, (const char *)key, 17, (const char *)val, len, &err);
    CU_ASSERT_PTR_NULL(err);
    key[0] = 'D';
    put_be64(key + 1, MDS_ROOT_FID.hi);
    put_be64(key + 9, MDS_ROOT_FID.lo);
    memcpy(key + 17, "olddir", 6);
    pfs_wbuf_init(&w, val, sizeof(val));
    pfs_wbuf_u64(&w, d.fid.hi);
    pfs_wbuf_u64(&w, d.fid.lo);
    pfs_wbuf_u32(&w, PFS_FILE_TYPE_DIR);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    leveldb_put(db, wo, (const char *)key, 23, (const char *)val, len, &err);
    CU_ASSERT_PTR_NULL(err);
    leveldb_writeoptions_destroy(wo);
    leveldb_close(db);
    leveldb_options_destroy(opts);

    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/old", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &f));
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 8, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 0);
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, f.fid, 0, 0, &old), PFS_OK);
    CU_ASSERT_EQUAL(old, 8);
    /* rewritten as the current version, attributes unchanged */
    CU_ASSERT_EQUAL(mds_store_stat(s, f.fid, &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &f));

    /* a version-2 directory has no default layout, and can get one */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/olddir", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &d));
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/olddir", &spec), PFS_OK);
    CU_ASSERT(spec.stripe_size == 0 && spec.stripe_count == 0 &&
              spec.nservers == 0);
    spec.stripe_count = 2;
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/olddir", &spec), PFS_OK);
    memset(&spec, 0, sizeof(spec));
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/olddir", &spec), PFS_OK);
    CU_ASSERT_EQUAL(spec.stripe_count, 2);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/olddir", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &d));
    mds_store_close(s);
}

/* ---- directory default layouts ----------------------------------------- */

static int specs_equal(const pfs_layout_spec_t *a, const pfs_layout_spec_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count && a->nservers == b->nservers &&
           memcmp(a->servers, b->servers,
                  a->nservers * sizeof(a->servers[0])) == 0;
}

void test_dir_layout(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, out, before;
    pfs_layout_spec_t zero, set, other, got;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    memset(&zero, 0, sizeof(zero));
    memset(&set, 0, sizeof(set));
    set.stripe_size = 65536;
    set.stripe_count = 2;
    set.nservers = 2;
    set.servers[0] = 1;
    set.servers[1] = 0;
    memset(&other, 0, sizeof(other));
    other.stripe_count = 3;

    /* nothing set anywhere: all zero, the root included */
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &zero));
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &before), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &zero));

    /* set and read back; the directory's attributes stay as they were */
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/d", &set), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_OK);
    CU_ASSERT(attrs_equal(&out, &before));

    /* a new subdirectory copies it; a later change does not reach it */
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d/sub", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d/sub", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/d", &other), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d/sub", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d/sub/deeper", &d, &out),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d/sub/deeper", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));

    /* the root has one too */
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/", &other), PFS_OK);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/e", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/e", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &other));

    /* files have none; missing paths are missing */
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d/f", &got), PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/d/f", &set), PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/nope", &got), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/nope/x", &set),
                    PFS_ERR_NOENT);
    mds_store_close(s);

    /* persistent; all zero removes a default */
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d/sub", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &other));
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/d", &zero), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/d", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &zero));
    /* a rename moves the directory with its default */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/d/sub", "/moved", &out, &created),
                    PFS_OK);
    CU_ASSERT_EQUAL(mds_store_get_dir_layout(s, "/moved", &got), PFS_OK);
    CU_ASSERT(specs_equal(&got, &set));
    mds_store_close(s);
}
