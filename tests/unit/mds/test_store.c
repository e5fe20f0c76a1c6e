
/* test_store.c - the MDS namespace store on a real LevelDB in throw-away
 * directories. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leveldb/c.h>

#include "mds_store.h"
#include "wire.h"
#include "../unit.h"

#include "test_store.h"

/* ---- tests ------------------------------------------------------------- */

static void count_visit(void *arg, pfs_fid_t parent, const char *name,
                        pfs_fid_t child, uint32_t type)
{
    (void)parent;
    (void)name;
    (void)child;
    (void)type;
    (*(unsigned *)arg)++;
}

static void test_open_formats(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t root, by_fid;
    uint8_t fsid[16], zero[16];
    unsigned visits = 0;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);

    CU_ASSERT_EQUAL(mds_store_lookup(s, "/", &root), PFS_OK);
    CU_ASSERT_EQUAL(root.type, PFS_FILE_TYPE_DIR);
    CU_ASSERT(pfs_fid_equal(root.fid, MDS_ROOT_FID));
    CU_ASSERT_EQUAL(root.nlink, 2);
    CU_ASSERT_EQUAL(root.layout.stripe_count, 0);
    CU_ASSERT_EQUAL(mds_store_stat(s, MDS_ROOT_FID, &by_fid), PFS_OK);
    CU_ASSERT(attrs_equal(&root, &by_fid));

    /* the first open is epoch 1 and knows no I/O servers yet */
    CU_ASSERT_EQUAL(mds_store_epoch(s), 1);
    CU_ASSERT_EQUAL(mds_store_niosrv(s), 0);
    mds_store_fsid(s, fsid);
    memset(zero, 0, sizeof(zero));
    CU_ASSERT_NOT_EQUAL(memcmp(fsid, zero, sizeof(fsid)), 0);

    /* only the root inode, no entries */
    CU_ASSERT_EQUAL(inode_count(s), 1);
    CU_ASSERT_EQUAL(mds_store_walk_dentries(s, count_visit, &visits), PFS_OK);
    CU_ASSERT_EQUAL(visits, 0);
    mds_store_close(s);
}

static void test_create_lookup(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, again, got, out;
    uint64_t before, after;
    int created = -1;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);

    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_DIR);
    CU_ASSERT(pfs_fid_equal(out.fid, d.fid));
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &got), PFS_OK);
    CU_ASSERT(attrs_equal(&got, &out));

    f = file_attr(s, 3, 6);
    before = realtime_ns();
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 0, &out, &created),
                          PFS_OK);
    after = realtime_ns();
    CU_ASSERT_EQUAL(created, 1);
    /* the store fills in type, link count and times, keeps the rest */
    CU_ASSERT(pfs_fid_equal(out.fid, f.fid));
    CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_REG);
    CU_ASSERT_EQUAL(out.nlink, 1);
    CU_ASSERT_EQUAL(out.mode, 0640);
    CU_ASSERT_EQUAL(out.uid, 4242);
    CU_ASSERT_EQUAL(out.gid, 77);
    CU_ASSERT(layouts_equal(&out.layout, &f.layout));
    CU_ASSERT(out.ctime_ns >= before && out.ctime_ns <= after);
    CU_ASSERT_EQUAL(out.mtime_ns, out.ctime_ns);

    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &got), PFS_OK);
    CU_ASSERT(attrs_equal(&got, &out));
    CU_ASSERT_EQUAL(got.layout.servers[0], 6);
    CU_ASSERT_EQUAL(got.layout.servers[2], 0);
    CU_ASSERT_EQUAL(mds_store_stat(s, f.fid, &got), PFS_OK);
    CU_ASSERT(attrs_equal(&got, &out));

    /* a second non-exclusive create returns the existing file, not the
     * new attributes it was given */
    again = file_attr(s, 2, 1);
    created = -1;
    CU_ASSERT_EQUAL(mds_store_create(s, "/d/f", &again, 0, &got, &created),
                    PFS_OK);
    CU_ASSERT_EQUAL(created, 0);
    CU_ASSERT(attrs_equal(&got, &out));
    /* ... and stored nothing for the id it did not use */
    CU_ASSERT_EQUAL(mds_store_stat(s, again.fid, &got), PFS_ERR_STALE);

    CU_ASSERT_EQUAL(mds_store_create(s, "/d/f", &again, 1, &got, &created),
                    PFS_ERR_EXIST);
    CU_ASSERT_EQUAL(inode_count(s), 3);
    mds_store_close(s);
}

static void test_lookup_errors(void)
{
    char dir[128], name[PFS_NAME_MAX + 8];
    mds_store_t *s;
    pfs_attr_t d, f, g, out;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &out, &created),
                          PFS_OK);

    CU_ASSERT_EQUAL(mds_store_lookup(s, "/missing", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/missing", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/missing/f", &out), PFS_ERR_NOENT);
    /* names that share a prefix with existing ones are different names */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/dd", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f2", &out), PFS_ERR_NOENT);

    /* a trailing slash is not normalized: refused, not taken for "/" */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/", &out), PFS_ERR_INVAL);
    /* like POSIX: "file/" is ENOTDIR */
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/d/f/", &out), PFS_ERR_NOTDIR);

    /* a file used as a directory */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f/x", &out), PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f/x/y", &out), PFS_ERR_NOTDIR);
    g = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL(mds_store_create(s, "/d/f/x", &g, 0, &out, &created),
                    PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/d/f/x", &g, &out), PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/d/f/x", &out), PFS_ERR_NOTDIR);

    CU_ASSERT_EQUAL(mds_store_lookup(s, "d/f", &out), PFS_ERR_INVAL);

    /* 255 bytes is a name, 256 is not */
    name[0] = '/';
    memset(name + 1, 'n', PFS_NAME_MAX + 1);
    name[PFS_NAME_MAX + 2] = '\0';
    CU_ASSERT_EQUAL(mds_store_lookup(s, name, &out), PFS_ERR_NAMETOOLONG);
    CU_ASSERT_EQUAL(mds_store_create(s, name, &g, 0, &out, &created),
                    PFS_ERR_NAMETOOLONG);
    name[PFS_NAME_MAX + 1] = '\0';
    CU_ASSERT_EQUAL(mds_store_lookup(s, name, &out), PFS_ERR_NOENT);
    created = 0;
    CU_ASSERT_EQUAL(mds_store_create(s, name, &g, 0, &out, &created), PFS_OK);
    CU_ASSERT_EQUAL(created, 1);
    CU_ASSERT_EQUAL(mds_store_lookup(s, name, &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, g.fid));
    mds_store_close(s);
}

static void test_create_over_dir(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, g, out;
    uint64_t n;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    f = file_attr(s, 2, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &out, &created),
                          PFS_OK);
    n = inode_count(s);

    /* a file where a directory is: the non-exclusive create must not hand
     * back the directory as if it were the file */
    g = file_attr(s, 2, 0);
    CU_ASSERT_EQUAL(mds_store_create(s, "/d", &g, 0, &out, &created),
                    PFS_ERR_ISDIR);
    CU_ASSERT_EQUAL(mds_store_create(s, "/d", &g, 1, &out, &created),
                    PFS_ERR_EXIST);
    CU_ASSERT_EQUAL(mds_store_create(s, "/", &g, 0, &out, &created),
                    PFS_ERR_EXIST);
    /* directories: anything existing is EXIST */
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/d", &g, &out), PFS_ERR_EXIST);
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/d/f", &g, &out), PFS_ERR_EXIST);
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/", &g, &out), PFS_ERR_EXIST);

    /* no failed call left an inode behind, and the originals are intact */
    CU_ASSERT_EQUAL(inode_count(s), n);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_OK);
    CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_DIR);
    CU_ASSERT(pfs_fid_equal(out.fid, d.fid));
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, f.fid));
    mds_store_close(s);
}

static void test_unlink(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, f2, created_attr, removed, out;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    f = file_attr(s, 4, 5);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(
        mds_store_create(s, "/d/f", &f, 1, &created_attr, &created), PFS_OK);
    CU_ASSERT_EQUAL(inode_count(s), 3);

    memset(&removed, 0, sizeof(removed));
    CU_ASSERT_EQUAL_FATAL(mds_store_unlink(s, "/d/f", &removed), PFS_OK);
    /* the caller needs the layout to remove the data objects */
    CU_ASSERT(attrs_equal(&removed, &created_attr));
    CU_ASSERT_EQUAL(removed.layout.stripe_count, 4);
    CU_ASSERT_EQUAL(removed.layout.servers[3], 0);

    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_stat(s, f.fid, &out), PFS_ERR_STALE);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/d/f", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(inode_count(s), 2);

    CU_ASSERT_EQUAL(mds_store_unlink(s, "/d", &out), PFS_ERR_ISDIR);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/", &out), PFS_ERR_ISDIR);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/missing", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/missing/f", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_OK);

    /* the name is free again, for a new file with a new id */
    f2 = file_attr(s, 1, 0);
    created = 0;
    CU_ASSERT_EQUAL(mds_store_create(s, "/d/f", &f2, 1, &out, &created),
                    PFS_OK);
    CU_ASSERT_EQUAL(created, 1);
    CU_ASSERT(pfs_fid_equal(out.fid, f2.fid));
    CU_ASSERT(!pfs_fid_equal(out.fid, f.fid));
    mds_store_close(s);
}

#define PERSIST_FILES 8

static void test_persistence(void)
{
    char dir[128], path[64];
    mds_store_t *s;
    pfs_attr_t d, f[PERSIST_FILES], out;
    pfs_fid_t old_fids[PERSIST_FILES + 8];
    uint8_t fsid[16], fsid2[16];
    unsigned nold = 0, i, j, round;
    uint64_t epoch;
    int created;

    fresh_dir(dir, sizeof(dir));
    /* this one durable: the path the MDS runs in production */
    s = open_store(dir, 1);
    CU_ASSERT_FATAL(s != NULL);
    epoch = mds_store_epoch(s);
    mds_store_fsid(s, fsid);
    d = dir_attr(s);
    old_fids[nold++] = d.fid;
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    for (i = 0; i < PERSIST_FILES; i++) {
        f[i] = file_attr(s, 1 + i % 8, i);
        old_fids[nold++] = f[i].fid;
        snprintf(path, sizeof(path), "/d/f%u", i);
        CU_ASSERT_EQUAL_FATAL(
            mds_store_create(s, path, &f[i], 1, &f[i], &created), PFS_OK);
    }
    /* handed out but never stored: must not come back either */
    old_fids[nold++] = mds_store_new_fid(s);
    mds_store_close(s);

    for (round = 1; round <= 2; round++) {
        s = open_store(dir, round == 1 ? 1 : 0);
        CU_ASSERT_FATAL(s != NULL);
        CU_ASSERT_EQUAL(mds_store_epoch(s), epoch + round);
        mds_store_fsid(s, fsid2);
        CU_ASSERT_EQUAL(memcmp(fsid, fsid2, sizeof(fsid)), 0);

        for (i = 0; i < PERSIST_FILES; i++) {
            snprintf(path, sizeof(path), "/d/f%u", i);
            CU_ASSERT_EQUAL(mds_store_lookup(s, path, &out), PFS_OK);
            CU_ASSERT(attrs_equal(&out, &f[i]));
        }
        CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_OK);
        CU_ASSERT_EQUAL(out.type, PFS_FILE_TYPE_DIR);

        for (i = 0; i < 3; i++) {
            pfs_fid_t fid = mds_store_new_fid(s);

            for (j = 0; j < nold; j++) {
                CU_ASSERT(!pfs_fid_equal(fid, old_fids[j]));
            }
            if (nold < PFS_ARRAY_SIZE(old_fids)) {
                old_fids[nold++] = fid;
            }
        }
        mds_store_close(s);
    }
}

static void test_niosrv_persists(void)
{
    char dir[128];
    mds_store_t *s;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 5), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_niosrv(s), 5);
    mds_store_close(s);

    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_niosrv(s), 5);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 7), PFS_OK);
    mds_store_close(s);

    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_niosrv(s), 7);
    /* the epoch bump at open must not have clobbered it either */
    CU_ASSERT_EQUAL(mds_store_epoch(s), 3);
    mds_store_close(s);
}

static void test_double_open(void)
{
    char dir[128], errmsg[256];
    mds_store_t *s, *s2 = NULL;
    pfs_status_t st;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);

    errmsg[0] = '\0';
    st = mds_store_open(dir, 0, &s2, errmsg, sizeof(errmsg));
    CU_ASSERT_NOT_EQUAL(st, PFS_OK);
    CU_ASSERT_EQUAL(st, PFS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s2);
    CU_ASSERT(errmsg[0] != '\0');
    if (st == PFS_OK) {
        mds_store_close(s2);
    }
    /* the first handle is unharmed, and the lock goes with it */
    CU_ASSERT_EQUAL(mds_store_epoch(s), 1);
    mds_store_close(s);
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_epoch(s), 2);
    mds_store_close(s);
}
static CU_TestInfo store_tests[] = {
    {"shared_fp", test_shared_fp},
    {"shared_fp_lifetime", test_shared_fp_lifetime},
    {"shared_fp_old_record", test_shared_fp_old_record},
    {"dir_layout", test_dir_layout},
    {"setattr", test_setattr},
    {"setattr_errors", test_setattr_errors},
    {"fsck_clean", test_fsck_clean},
    {"fsck_problems", test_fsck_problems},
    {"damaged_entries", test_damaged_entries},
    {"fsck_removals", test_fsck_removals},
    {"removals", test_removals},
    {"removal_update_many", test_removal_update_many},
    {"permissions", test_permissions},
    {"rename", test_rename},
    {"rmdir", test_rmdir},
    {"readdir_paging", test_readdir_paging},
    {"open_formats", test_open_formats},
    {"create_lookup", test_create_lookup},
    {"lookup_errors", test_lookup_errors},
    {"create_over_dir", test_create_over_dir},
    {"unlink", test_unlink},
    {"persistence", test_persistence},
    {"niosrv_persists", test_niosrv_persists},
    {"double_open", test_double_open},
    {"walk_consistency", test_walk_consistency},
    {"create_unencodable_layout", test_create_unencodable_layout},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_store = {"store", store_suite_init,
                                       store_suite_cleanup, store_tests};
