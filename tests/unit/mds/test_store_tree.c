/* test_store_tree.c - the store suite: walks, rmdir, readdir paging and
 * rename. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leveldb/c.h>

#include "test_store.h"

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

void test_walk_consistency(void)
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
void test_create_unencodable_layout(void)
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
void test_rmdir(void)
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
void test_readdir_paging(void)
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
void test_rename(void)
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
