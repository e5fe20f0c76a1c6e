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

/* All store directories of the suite live below this one, made in the
 * suite's init and removed in its cleanup, so a failed test leaves
 * nothing behind either. */
static char suite_dir[64];
static unsigned dir_seq;

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int suite_init(void)
{
    strcpy(suite_dir, "/tmp/pfs_unit_store.XXXXXX");
    return mkdtemp(suite_dir) == NULL ? -1 : 0;
}

static int suite_cleanup(void)
{
    return remove_tree(suite_dir) == 0 ? 0 : -1;
}

/* A path for a store no test has used yet; LevelDB creates it. */
static void fresh_dir(char *out, size_t size)
{
    snprintf(out, size, "%s/db%u", suite_dir, dir_seq++);
}

static mds_store_t *open_store(const char *dir, int sync)
{
    mds_store_t *s = NULL;
    char errmsg[256] = "";
    pfs_status_t st;

    st = mds_store_open(dir, sync, &s, errmsg, sizeof(errmsg));
    if (st != PFS_OK) {
        fprintf(stderr, "\nmds_store_open(%s): %s\n", dir, errmsg);
    }
    CU_ASSERT_EQUAL(st, PFS_OK);
    return st == PFS_OK ? s : NULL;
}

static pfs_attr_t dir_attr(mds_store_t *s)
{
    pfs_attr_t a;

    memset(&a, 0, sizeof(a));
    a.fid = mds_store_new_fid(s);
    a.mode = 0755;
    a.uid = 1000;
    a.gid = 100;
    return a;
}

static pfs_attr_t file_attr(mds_store_t *s, uint32_t count, uint32_t first)
{
    pfs_attr_t a;

    memset(&a, 0, sizeof(a));
    a.fid = mds_store_new_fid(s);
    a.mode = 0640;
    a.uid = 4242;
    a.gid = 77;
    CU_ASSERT_EQUAL(
        pfs_layout_round_robin(UINT64_C(1) << 20, count, first, 8, &a.layout),
        PFS_OK);
    return a;
}

static int layouts_equal(const pfs_layout_t *a, const pfs_layout_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count &&
           memcmp(a->servers, b->servers,
                  a->stripe_count * sizeof(a->servers[0])) == 0;
}

static int attrs_equal(const pfs_attr_t *a, const pfs_attr_t *b)
{
    return pfs_fid_equal(a->fid, b->fid) && a->type == b->type &&
           a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
           a->ctime_ns == b->ctime_ns && a->mtime_ns == b->mtime_ns &&
           a->nlink == b->nlink && layouts_equal(&a->layout, &b->layout);
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t inode_count(mds_store_t *s)
{
    uint64_t n = UINT64_MAX;

    CU_ASSERT_EQUAL(mds_store_count_inodes(s, &n), PFS_OK);
    return n;
}

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

/* The model of the namespace the walk is compared with. */
#define MODEL_MAX 64

typedef struct {
    pfs_fid_t parent;
    char name[16];
    pfs_fid_t child;
    uint32_t type;
    int live;
    unsigned seen;
} model_entry_t;

typedef struct {
    model_entry_t e[MODEL_MAX];
    unsigned n;
    unsigned unknown; /* visits that match no live entry */
} model_t;

static void model_visit(void *arg, pfs_fid_t parent, const char *name,
                        pfs_fid_t child, uint32_t type)
{
    model_t *m = arg;
    unsigned i;

    for (i = 0; i < m->n; i++) {
        model_entry_t *e = &m->e[i];

        if (e->live && pfs_fid_equal(e->parent, parent) &&
            strcmp(e->name, name) == 0 && pfs_fid_equal(e->child, child) &&
            e->type == type) {
            e->seen++;
            return;
        }
    }
    m->unknown++;
}

static model_entry_t *model_add(model_t *m, pfs_fid_t parent, const char *name,
                                pfs_fid_t child, uint32_t type)
{
    model_entry_t *e = &m->e[m->n++];

    e->parent = parent;
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->child = child;
    e->type = type;
    e->live = 1;
    e->seen = 0;
    return e;
}

static void test_walk_consistency(void)
{
    static const char *dirs[] = {"a", "b", "c"};
    char dir[128], path[64], name[16];
    model_t *m = calloc(1, sizeof(*m));
    pfs_fid_t dir_fids[3];
    mds_store_t *s;
    pfs_attr_t a, out;
    unsigned i, live = 0, bad = 0;
    int created;

    CU_ASSERT_FATAL(m != NULL);
    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);

    for (i = 0; i < 3; i++) {
        a = dir_attr(s);
        snprintf(path, sizeof(path), "/%s", dirs[i]);
        CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, path, &a, &out), PFS_OK);
        dir_fids[i] = a.fid;
        model_add(m, MDS_ROOT_FID, dirs[i], a.fid, PFS_FILE_TYPE_DIR);
    }
    /* a nested directory: entries of a non-root parent */
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/a/sub", &a, &out), PFS_OK);
    model_add(m, dir_fids[0], "sub", a.fid, PFS_FILE_TYPE_DIR);

    for (i = 0; i < 40; i++) {
        a = file_attr(s, 1 + i % 4, i);
        snprintf(name, sizeof(name), "f%02u", i);
        snprintf(path, sizeof(path), "/%s/%s", dirs[i % 3], name);
        CU_ASSERT_EQUAL_FATAL(mds_store_create(s, path, &a, 1, &out, &created),
                              PFS_OK);
        model_add(m, dir_fids[i % 3], name, a.fid, PFS_FILE_TYPE_REG);
    }
    /* unlink every third file, then recreate a few of those names */
    for (i = 0; i < 40; i += 3) {
        snprintf(path, sizeof(path), "/%s/f%02u", dirs[i % 3], i);
        CU_ASSERT_EQUAL(mds_store_unlink(s, path, &out), PFS_OK);
        m->e[4 + i].live = 0;
    }
    for (i = 0; i < 40; i += 9) {
        a = file_attr(s, 2, 1);
        snprintf(name, sizeof(name), "f%02u", i);
        snprintf(path, sizeof(path), "/%s/%s", dirs[i % 3], name);
        CU_ASSERT_EQUAL(mds_store_create(s, path, &a, 1, &out, &created),
                        PFS_OK);
        model_add(m, dir_fids[i % 3], name, a.fid, PFS_FILE_TYPE_REG);
    }

    CU_ASSERT_EQUAL(mds_store_walk_dentries(s, model_visit, m), PFS_OK);
    for (i = 0; i < m->n; i++) {
        if (m->e[i].live) {
            live++;
            if (m->e[i].seen != 1) {
                bad++;
            }
        } else if (m->e[i].seen != 0) {
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(m->unknown, 0);
    CU_ASSERT_EQUAL(live, 4 + 40 - 14 + 5);
    CU_ASSERT_EQUAL(inode_count(s), live + 1);
    mds_store_close(s);
    free(m);
}

/* The store must not accept attributes it cannot write back out: a layout
 * with more stripes than the encoding allows. */
static void test_create_unencodable_layout(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t f, out;
    pfs_status_t st, lst;
    int created = 0;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    f = file_attr(s, 1, 0);
    f.layout.stripe_count = PFS_LAYOUT_MAX_STRIPES + 1;
    st = mds_store_create(s, "/bad", &f, 1, &out, &created);
    lst = mds_store_lookup(s, "/bad", &out);
    /* either refused, or stored so that it reads back */
    CU_ASSERT(st != PFS_OK || lst == PFS_OK);
    if (st != PFS_OK) {
        CU_ASSERT_EQUAL(lst, PFS_ERR_NOENT);
    }
    mds_store_close(s);
}

/* rmdir: only empty directories, never the root or a file. */
static void test_rmdir(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t d, f, out;
    int created;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &d, &out), PFS_OK);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d/e", &d, &out), PFS_OK);
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &f, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/d"), PFS_ERR_NOTEMPTY);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/d/f"), PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/"), PFS_ERR_BUSY);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/missing"), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/d/e"), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/e", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/d/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rmdir(s, "/d"), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d", &out), PFS_ERR_NOENT);
    mds_store_close(s);
}

/* readdir pages in name order, only the directory's own entries, and a
 * listing interleaved with creates and removes lists every entry that
 * existed throughout exactly once. */
static void test_readdir_paging(void)
{
    enum { N = 500, PAGE = 37 };
    static mds_dirent_t ents[PAGE];
    char dir[128], path[64], after[PFS_NAME_MAX + 1] = "";
    unsigned seen[N];
    mds_store_t *s;
    pfs_attr_t d, f, out;
    size_t n, i, total = 0;
    int created, more = 1, k, bad = 0, extra = 0;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/big", &d, &out), PFS_OK);
    d = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/big2", &d, &out), PFS_OK);
    for (k = 0; k < N; k++) {
        snprintf(path, sizeof(path), "/big/f%04d", k);
        f = file_attr(s, 1, 0);
        CU_ASSERT_EQUAL_FATAL(mds_store_create(s, path, &f, 1, &out, &created),
                              PFS_OK);
    }
    f = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(
        mds_store_create(s, "/big2/other", &f, 1, &out, &created), PFS_OK);
    memset(seen, 0, sizeof(seen));
    while (more) {
        CU_ASSERT_EQUAL_FATAL(
            mds_store_readdir(s, "/big", after, ents, PAGE, &n, &more), PFS_OK);
        CU_ASSERT(n <= PAGE);
        for (i = 0; i < n; i++) {
            int idx;

            if (i > 0 && strcmp(ents[i - 1].name, ents[i].name) >= 0) {
                bad++; /* not in name order */
            }
            if (sscanf(ents[i].name, "f%d", &idx) == 1 && idx >= 0 && idx < N &&
                ents[i].type == PFS_FILE_TYPE_REG) {
                seen[idx]++;
            } else {
                extra++; /* created during the listing */
            }
        }
        total += n;
        if (n > 0) {
            snprintf(after, sizeof(after), "%s", ents[n - 1].name);
        }
        /* between pages: new names before and after the cursor, and a
         * removal of one not yet listed */
        snprintf(path, sizeof(path), "/big/a%zu", total);
        f = file_attr(s, 1, 0);
        mds_store_create(s, path, &f, 1, &out, &created);
        snprintf(path, sizeof(path), "/big/z%zu", total);
        f = file_attr(s, 1, 0);
        mds_store_create(s, path, &f, 1, &out, &created);
    }
    for (k = 0; k < N; k++) {
        if (seen[k] != 1) {
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* the z* files created ahead of the cursor show up; a* ones do not */
    CU_ASSERT(extra > 0);
    CU_ASSERT_EQUAL(
        mds_store_readdir(s, "/big/f0001", "", ents, PAGE, &n, &more),
        PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_readdir(s, "/nope", "", ents, PAGE, &n, &more),
                    PFS_ERR_NOENT);
    CU_ASSERT_EQUAL_FATAL(
        mds_store_readdir(s, "/big2", "", ents, PAGE, &n, &more), PFS_OK);
    CU_ASSERT(n == 1 && more == 0 && strcmp(ents[0].name, "other") == 0);
    mds_store_close(s);
}

/* rename: moves, replaces like POSIX, refuses a directory into itself. */
static void test_rename(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t a, f1, f2, out, rep;
    int created, replaced;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/a", &a, &out), PFS_OK);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/a/sub", &a, &out), PFS_OK);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/empty", &a, &out), PFS_OK);
    f1 = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/a/f1", &f1, 1, &out, &created),
                          PFS_OK);
    f2 = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f2", &f2, 1, &out, &created),
                          PFS_OK);

    /* a plain move keeps the id */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a/f1", "/g", &rep, &replaced),
                    PFS_OK);
    CU_ASSERT_EQUAL(replaced, 0);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/a/f1", &out), PFS_ERR_NOENT);
    CU_ASSERT_EQUAL_FATAL(mds_store_lookup(s, "/g", &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, f1.fid));
    /* a file over a file: the target's inode goes, its attrs come back */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/g", "/f2", &rep, &replaced), PFS_OK);
    CU_ASSERT_EQUAL(replaced, 1);
    CU_ASSERT(pfs_fid_equal(rep.fid, f2.fid));
    CU_ASSERT_EQUAL(mds_store_stat(s, f2.fid, &out), PFS_ERR_STALE);
    CU_ASSERT_EQUAL_FATAL(mds_store_lookup(s, "/f2", &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, f1.fid));
    /* directories: into itself refused, onto a file refused, onto an
     * empty directory replaces it, onto a non-empty one refused */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a", "/a/sub/x", &rep, &replaced),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a", "/f2", &rep, &replaced),
                    PFS_ERR_NOTDIR);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/f2", "/empty", &rep, &replaced),
                    PFS_ERR_ISDIR);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/full", &a, &out), PFS_OK);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/full/x", &a, &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a", "/full", &rep, &replaced),
                    PFS_ERR_NOTEMPTY);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a", "/empty", &rep, &replaced),
                    PFS_OK);
    CU_ASSERT_EQUAL(replaced, 0);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/empty/sub", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/a", &out), PFS_ERR_NOENT);
    /* a prefix that is not a path component is not "inside" */
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/ab", &a, &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/ab", "/empty/ab2", &rep, &replaced),
                    PFS_OK);
    /* errors */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/nope", "/x", &rep, &replaced),
                    PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/f2", "/nodir/x", &rep, &replaced),
                    PFS_ERR_NOENT);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/f2", "/f2/x", &rep, &replaced),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/", "/x", &rep, &replaced),
                    PFS_ERR_BUSY);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/f2", "/f2", &rep, &replaced), PFS_OK);
    mds_store_close(s);
}

/* ---- shared file pointer ----------------------------------------------- */

static void test_shared_fp(void)
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
static void test_setattr(void)
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

static void test_setattr_errors(void)
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
static void test_shared_fp_lifetime(void)
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

#define DENTRY_RAW_MAX (17 + PFS_NAME_MAX)

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
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
static void test_shared_fp_old_record(void)
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

static void test_dir_layout(void)
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

/* ---- consistency check ------------------------------------------------- */

typedef struct {
    char lines[16][400];
    unsigned n;
} fsck_log_t;

static void fsck_collect(void *arg, const char *problem)
{
    fsck_log_t *log = arg;

    if (log->n < 16) {
        snprintf(log->lines[log->n++], sizeof(log->lines[0]), "%s", problem);
    }
}

/* Check the store in dir; *stats_p and log get the results. */
static void run_fsck(const char *dir, mds_fsck_stats_t *stats_p,
                     fsck_log_t *log)
{
    char errmsg[256] = "";
    mds_store_t *s = NULL;

    memset(log, 0, sizeof(*log));
    memset(stats_p, 0, sizeof(*stats_p));
    CU_ASSERT_EQUAL_FATAL(
        mds_store_open_existing(dir, &s, errmsg, sizeof(errmsg)), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_fsck(s, fsck_collect, log, stats_p), PFS_OK);
    mds_store_close(s);
}

static int log_has(const fsck_log_t *log, const char *want)
{
    unsigned i;

    for (i = 0; i < log->n; i++) {
        if (strstr(log->lines[i], want) != NULL) {
            return 1;
        }
    }
    fprintf(stderr, "\nno problem mentions '%s'; found %u:\n", want, log->n);
    for (i = 0; i < log->n; i++) {
        fprintf(stderr, "  %s\n", log->lines[i]);
    }
    return 0;
}

static void dentry_raw_key(uint8_t *key, pfs_fid_t parent, const char *name,
                           size_t *len_p)
{
    key[0] = 'D';
    put_be64(key + 1, parent.hi);
    put_be64(key + 9, parent.lo);
    memcpy(key + 17, name, strlen(name));
    *len_p = 17 + strlen(name);
}

/* Change the closed store in dir behind its back: put (val != NULL) or
 * delete one key. */
static void raw_edit(const char *dir, const uint8_t *key, size_t klen,
                     const void *val, size_t vlen)
{
    leveldb_options_t *opts = leveldb_options_create();
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    char *err = NULL;
    leveldb_t *db = leveldb_open(opts, dir, &err);

    CU_ASSERT_PTR_NULL_FATAL(err);
    if (val != NULL) {
        leveldb_put(db, wo, (const char *)key, klen, val, vlen, &err);
    } else {
        leveldb_delete(db, wo, (const char *)key, klen, &err);
    }
    CU_ASSERT_PTR_NULL(err);
    leveldb_close(db);
    leveldb_writeoptions_destroy(wo);
    leveldb_options_destroy(opts);
}

static void raw_dentry(const char *dir, pfs_fid_t parent, const char *name,
                       pfs_fid_t child, uint32_t type)
{
    uint8_t key[DENTRY_RAW_MAX], val[20];
    size_t klen;
    pfs_wbuf_t w;

    dentry_raw_key(key, parent, name, &klen);
    pfs_wbuf_init(&w, val, sizeof(val));
    pfs_wbuf_u64(&w, child.hi);
    pfs_wbuf_u64(&w, child.lo);
    pfs_wbuf_u32(&w, type);
    CU_ASSERT_FATAL(w.pos == sizeof(val) && !w.overflow);
    raw_edit(dir, key, klen, val, sizeof(val));
}

static void raw_delete_dentry(const char *dir, pfs_fid_t parent,
                              const char *name)
{
    uint8_t key[DENTRY_RAW_MAX];
    size_t klen;

    dentry_raw_key(key, parent, name, &klen);
    raw_edit(dir, key, klen, NULL, 0);
}

/* Put or delete the record of kind ('I' inode, 'R' pending removal) of
 * fid. */
static void raw_fid_record(const char *dir, char kind, pfs_fid_t fid,
                           const void *val, size_t vlen)
{
    uint8_t key[17];

    key[0] = (uint8_t)kind;
    put_be64(key + 1, fid.hi);
    put_be64(key + 9, fid.lo);
    raw_edit(dir, key, sizeof(key), val, vlen);
}

static void raw_inode(const char *dir, pfs_fid_t fid, const void *val,
                      size_t vlen)
{
    raw_fid_record(dir, 'I', fid, val, vlen);
}

/* The tree every corruption case starts from: /d, /d/e, /d/f, /g. */
typedef struct {
    char dir[128];
    pfs_fid_t d, e, f, g;
} fsck_tree_t;

static void make_tree(fsck_tree_t *t)
{
    mds_store_t *s;
    pfs_attr_t a, out;
    int created;

    fresh_dir(t->dir, sizeof(t->dir));
    s = open_store(t->dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 8), PFS_OK);
    a = dir_attr(s);
    t->d = a.fid;
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d", &a, &out), PFS_OK);
    a = dir_attr(s);
    t->e = a.fid;
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/d/e", &a, &out), PFS_OK);
    a = file_attr(s, 2, 7);
    t->f = a.fid;
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/d/f", &a, 1, &out, &created),
                          PFS_OK);
    a = file_attr(s, 1, 3);
    t->g = a.fid;
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/g", &a, 1, &out, &created),
                          PFS_OK);
    mds_store_close(s);
}

static void test_fsck_clean(void)
{
    char dir[128];
    mds_store_t *s;
    pfs_attr_t a, out;
    pfs_layout_spec_t spec;
    mds_fsck_stats_t st;
    fsck_log_t log;
    uint64_t epoch, old;
    int created, replaced;
    unsigned i;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 8), PFS_OK);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/a", &a, &out), PFS_OK);
    memset(&spec, 0, sizeof(spec));
    spec.stripe_count = 2;
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/a", &spec), PFS_OK);
    a = dir_attr(s);
    CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, "/a/b", &a, &out), PFS_OK);
    for (i = 0; i < 20; i++) {
        char path[32];

        a = file_attr(s, 1 + i % 8, i);
        snprintf(path, sizeof(path), "/a/%sf%u", i % 2 ? "b/" : "", i);
        CU_ASSERT_EQUAL(mds_store_create(s, path, &a, 1, &out, &created),
                        PFS_OK);
    }
    CU_ASSERT_EQUAL(mds_store_shared_fp(s, a.fid, 0, 100, &old), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/a/f0", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a/f2", "/a/b/f1", &out, &replaced),
                    PFS_OK);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/a/b", "/c", &out, &replaced), PFS_OK);
    epoch = mds_store_epoch(s);
    mds_store_close(s);

    run_fsck(dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 0);
    CU_ASSERT_EQUAL(log.n, 0);
    /* root, /a, /c and the 18 files left */
    CU_ASSERT_EQUAL(st.inodes, 21);
    CU_ASSERT_EQUAL(st.directories, 3);
    CU_ASSERT_EQUAL(st.files, 18);
    CU_ASSERT_EQUAL(st.entries, 20);
    CU_ASSERT_EQUAL(st.removals, 2); /* /a/f0 unlinked, /a/b/f1 replaced */
    /* the check did not start an epoch: the next real open is the next */
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_epoch(s), epoch + 1);
    mds_store_close(s);
}

/* Unlink and rename over a file record which servers hold the objects;
 * the records page in fid order, shrink, go, survive a reopen, and a
 * snapshot shows only what was there when it was taken and still is. */
static void test_removals(void)
{
    char dir[128];
    mds_store_t *s;
    mds_store_snap_t *snap;
    mds_removal_t rm[4];
    pfs_attr_t f1, f2, f3, out;
    size_t n = 99;
    int created, replaced = 0, more = -1;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 8), PFS_OK);
    f1 = file_attr(s, 4, 5); /* servers 5 6 7 0 */
    f2 = file_attr(s, 1, 2);
    f3 = file_attr(s, 8, 0);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f1", &f1, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f2", &f2, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL_FATAL(mds_store_create(s, "/f3", &f3, 1, &out, &created),
                          PFS_OK);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(more, 0);

    CU_ASSERT_EQUAL(mds_store_unlink(s, "/f1", &out), PFS_OK);
    /* /f2 replaces /f3: /f3's objects go, /f2's stay (now named /f3) */
    CU_ASSERT_EQUAL(mds_store_rename(s, "/f2", "/f3", &out, &replaced), PFS_OK);
    CU_ASSERT_EQUAL(replaced, 1);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f1.fid)); /* fid order */
    CU_ASSERT_EQUAL(rm[0].nservers, 4);
    CU_ASSERT_EQUAL(rm[0].servers[0], 5);
    CU_ASSERT_EQUAL(rm[0].servers[3], 0);
    CU_ASSERT(pfs_fid_equal(rm[1].fid, f3.fid));
    CU_ASSERT_EQUAL(rm[1].nservers, 8);
    /* which objects the store accounts for (pfs-fsck's orphan check) */
    {
        pfs_fid_t unknown = {9999, 9999};
        int owned = -1;

        CU_ASSERT_EQUAL(mds_store_object_owned(s, f1.fid, 6, &owned), PFS_OK);
        CU_ASSERT_EQUAL(owned, 1); /* pending removal */
        CU_ASSERT_EQUAL(mds_store_object_owned(s, f1.fid, 3, &owned), PFS_OK);
        CU_ASSERT_EQUAL(owned, 0);
        CU_ASSERT_EQUAL(mds_store_object_owned(s, f2.fid, 2, &owned), PFS_OK);
        CU_ASSERT_EQUAL(owned, 1); /* live file, its server */
        CU_ASSERT_EQUAL(mds_store_object_owned(s, f2.fid, 3, &owned), PFS_OK);
        CU_ASSERT_EQUAL(owned, 0);
        CU_ASSERT_EQUAL(mds_store_object_owned(s, unknown, 0, &owned), PFS_OK);
        CU_ASSERT_EQUAL(owned, 0);
    }

    /* paging */
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 1, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(more, 1);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, &f1.fid, rm, 1, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f3.fid));
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, &f3.fid, rm, 1, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 0);

    /* a snapshot, then /f1's record shrinks to one server and /f3's goes:
     * through the snapshot, /f1 as it was (still pending), /f3 not (done) */
    snap = mds_store_snapshot(s);
    CU_ASSERT_FATAL(snap != NULL);
    rm[0].fid = f1.fid;
    rm[0].nservers = 1;
    rm[0].servers[0] = 6;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0]), PFS_OK);
    rm[0].fid = f3.fid;
    rm[0].nservers = 0;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0]), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_removals(s, snap, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f1.fid));
    CU_ASSERT_EQUAL(rm[0].nservers, 4);
    mds_store_snapshot_release(s, snap);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(rm[0].nservers, 1);
    CU_ASSERT_EQUAL(rm[0].servers[0], 6);
    rm[0].nservers = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0]), PFS_ERR_INVAL);
    mds_store_close(s);

    /* what is pending survives a reopen */
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f1.fid));
    rm[0].nservers = 0;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0]), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 0);
    mds_store_close(s);
}

static void raw_removal(const char *dir, pfs_fid_t fid, const void *val,
                        size_t vlen)
{
    raw_fid_record(dir, 'R', fid, val, vlen);
}

/* pfs-fsck on pending removals: counted when sound; a record that does
 * not decode, names a server beyond the ensemble, or names a live file is
 * a problem. */
static void test_fsck_removals(void)
{
    static const uint8_t bad_server[] = {1, 1, 0, 0, 0, 9, 0, 0, 0};
    static const uint8_t garbage[] = {7, 7};
    static const uint8_t ok[] = {1, 1, 0, 0, 0, 2, 0, 0, 0};
    pfs_fid_t gone = {77, 77};
    fsck_tree_t t;
    mds_fsck_stats_t st;
    fsck_log_t log;

    make_tree(&t);
    raw_removal(t.dir, gone, ok, sizeof(ok));
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 0);
    CU_ASSERT_EQUAL(st.removals, 1);

    make_tree(&t);
    raw_removal(t.dir, gone, garbage, sizeof(garbage));
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "record does not decode"));

    make_tree(&t);
    raw_removal(t.dir, gone, bad_server, sizeof(bad_server));
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "names I/O server 9 of"));

    make_tree(&t);
    raw_removal(t.dir, t.f, ok, sizeof(ok));
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "which is a live file"));
}

/* Permission checks as a POSIX kernel makes them, for a caller with uid
 * 1000, gid 100 and supplementary group 200; uid 0 and no credentials
 * check nothing. */
static void test_permissions(void)
{
    static uint32_t user_groups[] = {200};
    static const pfs_cred_t user = {1000, 100, 1, user_groups};
    static const pfs_cred_t root = {0, 0, 0, NULL};
    char dir[128];
    mds_store_t *s;
    pfs_attr_t a, out, v;
    mds_dirent_t ents[4];
    pfs_layout_spec_t spec;
    size_t n;
    int created, more, replaced;

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 8), PFS_OK);
    /* made by root: /pub 0777, /priv 0700, /grp 0750 group 200, /sticky
     * 01777, each with a root-owned file f (0640, group 200) */
#define MKDIR_AS(path, m, g)                                                   \
    do {                                                                       \
        a = dir_attr(s);                                                       \
        a.mode = (m);                                                          \
        a.uid = 0;                                                             \
        a.gid = (g);                                                           \
        CU_ASSERT_EQUAL_FATAL(mds_store_mkdir(s, path, &a, &out), PFS_OK);     \
        a = file_attr(s, 1, 0);                                                \
        a.mode = 0640;                                                         \
        a.uid = 0;                                                             \
        a.gid = 200;                                                           \
        CU_ASSERT_EQUAL_FATAL(                                                 \
            mds_store_create(s, path "/f", &a, 1, &out, &created), PFS_OK);    \
    } while (0)
    MKDIR_AS("/pub", 0777, 0);
    MKDIR_AS("/priv", 0700, 0);
    MKDIR_AS("/grp", 0750, 200);
    MKDIR_AS("/sticky", 01777, 0);
#undef MKDIR_AS

    mds_store_set_cred(s, &user);
    /* search */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/priv/f", &out), PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/priv", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/grp/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/", &out), PFS_OK);
    /* read a directory */
    CU_ASSERT_EQUAL(mds_store_readdir(s, "/grp", "", ents, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(mds_store_readdir(s, "/priv", "", ents, 4, &n, &more),
                    PFS_ERR_ACCESS);
    /* open: group may read f, nobody but root may write it */
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/grp/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_may_open(s, &out, PFS_ACCESS_READ), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_may_open(s, &out, PFS_ACCESS_WRITE),
                    PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/grp", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_may_open(s, &out, PFS_ACCESS_WRITE),
                    PFS_ERR_ISDIR);
    /* create and remove need write on the directory */
    a = file_attr(s, 1, 0);
    CU_ASSERT_EQUAL(mds_store_create(s, "/grp/new", &a, 1, &out, &created),
                    PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/grp/d", &a, &out), PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/grp/f", &out), PFS_ERR_ACCESS);
    a = file_attr(s, 1, 0);
    a.uid = 1000;
    a.gid = 100;
    a.mode = 0600;
    CU_ASSERT_EQUAL(mds_store_create(s, "/pub/mine", &a, 1, &out, &created),
                    PFS_OK);
    CU_ASSERT_EQUAL(
        mds_store_may_open(s, &out, PFS_ACCESS_READ | PFS_ACCESS_WRITE),
        PFS_OK);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/pub/f", &out), PFS_OK);
    /* sticky: only the owner of the entry (or the directory) */
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/sticky/f", &out), PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_rename(s, "/sticky/f", "/pub/g", &out, &replaced),
                    PFS_ERR_ACCESS);
    a = file_attr(s, 1, 0);
    a.uid = 1000;
    CU_ASSERT_EQUAL(mds_store_create(s, "/sticky/own", &a, 1, &out, &created),
                    PFS_OK);
    CU_ASSERT_EQUAL(
        mds_store_rename(s, "/sticky/own", "/pub/own", &out, &replaced),
        PFS_OK);
    /* rename into a directory without write permission */
    CU_ASSERT_EQUAL(
        mds_store_rename(s, "/pub/own", "/grp/own", &out, &replaced),
        PFS_ERR_ACCESS);
    /* setattr: owner only; the group only to one's own; never the owner */
    memset(&v, 0, sizeof(v));
    v.mode = 0644;
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/pub/mine", PFS_SETATTR_MODE, &v, &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_setattr(s, "/grp/f", PFS_SETATTR_MODE, &v, &out),
                    PFS_ERR_ACCESS);
    v.gid = 200;
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/pub/mine", PFS_SETATTR_GID, &v, &out), PFS_OK);
    CU_ASSERT_EQUAL(out.gid, 200);
    v.gid = 300;
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/pub/mine", PFS_SETATTR_GID, &v, &out),
        PFS_ERR_ACCESS);
    v.uid = 1000; /* to oneself: no change, allowed */
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/pub/mine", PFS_SETATTR_UID, &v, &out), PFS_OK);
    v.uid = 0;
    CU_ASSERT_EQUAL(
        mds_store_setattr(s, "/pub/mine", PFS_SETATTR_UID, &v, &out),
        PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/pub/mine", &out), PFS_OK);
    CU_ASSERT_EQUAL(out.uid, 1000);
    CU_ASSERT_EQUAL(out.mode, 0644);
    memset(&spec, 0, sizeof(spec));
    spec.stripe_count = 1;
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/pub", &spec), PFS_ERR_ACCESS);

    /* root and no credentials: everything */
    mds_store_set_cred(s, &root);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/priv/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_may_open(s, &out, PFS_ACCESS_WRITE), PFS_OK);
    mds_store_set_cred(s, NULL);
    CU_ASSERT_EQUAL(mds_store_unlink(s, "/sticky/f", &out), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_set_dir_layout(s, "/pub", &spec), PFS_OK);
    mds_store_close(s);
}

static void test_fsck_problems(void)
{
    static const uint8_t garbage[] = {9, 'x', 'y'};
    uint8_t key[8] = {'Z', 'o', 'o'};
    fsck_tree_t t;
    mds_fsck_stats_t st;
    fsck_log_t log;
    mds_store_t *s;
    pfs_attr_t a, out;
    char errmsg[256];

    /* an entry whose inode is gone */
    make_tree(&t);
    raw_inode(t.dir, t.f, NULL, 0);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "entry 'f' in directory"));
    CU_ASSERT(log_has(&log, "which has no inode"));

    /* an inode no entry names */
    make_tree(&t);
    raw_delete_dentry(t.dir, MDS_ROOT_FID, "g");
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "orphan file"));

    /* an inode named twice */
    make_tree(&t);
    raw_dentry(t.dir, t.d, "again", t.g, PFS_FILE_TYPE_REG);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 1);
    CU_ASSERT(log_has(&log, "is named by 2 entries"));

    /* an entry of the wrong type */
    make_tree(&t);
    raw_dentry(t.dir, t.d, "f", t.f, PFS_FILE_TYPE_DIR);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(st.problems >= 1);
    CU_ASSERT(log_has(&log, "says directory, but inode"));

    /* a directory cut off from the root, in a cycle with its child */
    make_tree(&t);
    raw_delete_dentry(t.dir, MDS_ROOT_FID, "d");
    raw_dentry(t.dir, t.e, "loop", t.d, PFS_FILE_TYPE_DIR);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 3); /* d, e and f are unreachable */
    CU_ASSERT(log_has(&log, "not reachable from the root"));

    /* an entry in a file */
    make_tree(&t);
    raw_delete_dentry(t.dir, t.d, "e");
    raw_dentry(t.dir, t.g, "e", t.e, PFS_FILE_TYPE_DIR);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(log_has(&log, "which is a file"));

    /* a record that does not decode; a key that is not ours */
    make_tree(&t);
    raw_inode(t.dir, t.g, garbage, sizeof(garbage));
    raw_edit(t.dir, key, 3, "v", 1);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 2);
    CU_ASSERT(log_has(&log, "unreadable record (version 9"));
    CU_ASSERT(log_has(&log, "unknown key of 3 bytes"));

    /* layouts that do not fit the ensemble the store records */
    make_tree(&t);
    s = open_store(t.dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 1), PFS_OK);
    mds_store_close(s);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT_EQUAL(st.problems, 2); /* /d/f (2 stripes) and /g (on 3) */
    CU_ASSERT(log_has(&log, "layout invalid for 1 I/O servers"));

    /* no root */
    make_tree(&t);
    raw_inode(t.dir, MDS_ROOT_FID, NULL, 0);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(log_has(&log, "no root directory"));
    CU_ASSERT(log_has(&log, "which has no inode"));

    /* an entry with a slash in its name */
    make_tree(&t);
    raw_dentry(t.dir, t.e, "a/b", t.g, PFS_FILE_TYPE_REG);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(log_has(&log, "invalid name 'a/b'"));

    /* a store in use cannot be checked; a directory without one neither */
    make_tree(&t);
    s = open_store(t.dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    a = dir_attr(s);
    CU_ASSERT_EQUAL(mds_store_mkdir(s, "/busy", &a, &out), PFS_OK);
    {
        mds_store_t *s2 = NULL;

        CU_ASSERT_EQUAL(
            mds_store_open_existing(t.dir, &s2, errmsg, sizeof(errmsg)),
            PFS_ERR_STORE);
        CU_ASSERT_PTR_NULL(s2);
    }
    mds_store_close(s);
    fresh_dir(t.dir, sizeof(t.dir));
    s = NULL;
    CU_ASSERT_EQUAL(mds_store_open_existing(t.dir, &s, errmsg, sizeof(errmsg)),
                    PFS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s);
}

static void walk_none(void *arg, pfs_fid_t parent, const char *name,
                      pfs_fid_t child, uint32_t type)
{
    (void)arg, (void)parent, (void)name, (void)child, (void)type;
}

/* A damaged directory entry value (short, or of an unknown type) is an
 * error wherever it is read, never zeros or a type nobody knows handed on
 * to a client (a listing used to return it). */
static void test_damaged_entries(void)
{
    static const uint8_t shortval[] = {1, 2, 3};
    mds_dirent_t ents[8];
    fsck_tree_t t;
    mds_fsck_stats_t st;
    fsck_log_t log;
    mds_store_t *s;
    pfs_attr_t out;
    uint8_t key[DENTRY_RAW_MAX];
    size_t klen, n;
    int more;

    make_tree(&t);
    dentry_raw_key(key, t.d, "e", &klen);
    raw_edit(t.dir, key, klen, shortval, sizeof(shortval));
    s = open_store(t.dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_readdir(s, "/d", "", ents, 8, &n, &more),
                    PFS_ERR_STORE);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/e", &out), PFS_ERR_STORE);
    CU_ASSERT_EQUAL(mds_store_walk_dentries(s, walk_none, NULL), PFS_ERR_STORE);
    mds_store_close(s);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(log_has(&log, "entry 'e' in directory"));
    CU_ASSERT(log_has(&log, "unreadable value"));

    make_tree(&t);
    raw_dentry(t.dir, MDS_ROOT_FID, "g", t.g, 7);
    s = open_store(t.dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_readdir(s, "/", "", ents, 8, &n, &more),
                    PFS_ERR_STORE);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/g", &out), PFS_ERR_STORE);
    CU_ASSERT_EQUAL(mds_store_lookup(s, "/d/f", &out), PFS_OK);
    mds_store_close(s);
    run_fsck(t.dir, &st, &log);
    CU_ASSERT(log_has(&log, "entry 'g' in directory"));
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

const unit_suite_t unit_suite_store = {"store", suite_init, suite_cleanup,
                                       store_tests};
