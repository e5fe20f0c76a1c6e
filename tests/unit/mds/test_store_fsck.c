/* test_store_fsck.c - the store suite: the consistency check (pfs-fsck),
 * pending removals, permissions and damaged entries. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leveldb/c.h>

#include "test_store.h"

#define DENTRY_RAW_MAX (17 + PFS_NAME_MAX)

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

void test_fsck_clean(void)
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
void test_removals(void)
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
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0], 1), PFS_OK);
    rm[0].fid = f3.fid;
    rm[0].nservers = 0;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0], 1), PFS_OK);
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
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0], 1), PFS_ERR_INVAL);
    mds_store_close(s);

    /* what is pending survives a reopen */
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f1.fid));
    rm[0].nservers = 0;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, &rm[0], 1), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL(n, 0);
    mds_store_close(s);
}

/* The reaper's write of the records finished together: each shrinks or
 * goes, all in one write; one record that cannot be written (too many
 * servers) fails the whole write, which changes nothing. */
void test_removal_update_many(void)
{
    char dir[128];
    mds_store_t *s;
    mds_removal_t rm[4], upd[3];
    pfs_attr_t f[3], out;
    size_t n = 99;
    int created, more = -1;
    char path[8];

    fresh_dir(dir, sizeof(dir));
    s = open_store(dir, 0);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(mds_store_set_niosrv(s, 4), PFS_OK);
    for (int i = 0; i < 3; i++) {
        f[i] = file_attr(s, 4, 0); /* servers 0 1 2 3 */
        snprintf(path, sizeof(path), "/f%d", i);
        CU_ASSERT_EQUAL_FATAL(
            mds_store_create(s, path, &f[i], 1, &out, &created), PFS_OK);
        CU_ASSERT_EQUAL_FATAL(mds_store_unlink(s, path, &out), PFS_OK);
    }
    memset(upd, 0, sizeof(upd));
    for (int i = 0; i < 3; i++) {
        upd[i].fid = f[i].fid;
    }
    upd[0].nservers = 1; /* /f0 keeps server 2 */
    upd[0].servers[0] = 2;
    upd[1].nservers = 0; /* /f1 goes */
    upd[2].nservers = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(mds_store_removal_update(s, upd, 3), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(rm[i].nservers, 4);
    }
    upd[2].nservers = 0; /* /f2 goes too */
    CU_ASSERT_EQUAL(mds_store_removal_update(s, upd, 3), PFS_OK);
    CU_ASSERT_EQUAL(mds_store_removals(s, NULL, NULL, rm, 4, &n, &more),
                    PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(pfs_fid_equal(rm[0].fid, f[0].fid));
    CU_ASSERT_EQUAL(rm[0].nservers, 1);
    CU_ASSERT_EQUAL(rm[0].servers[0], 2);
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
void test_fsck_removals(void)
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
void test_permissions(void)
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

void test_fsck_problems(void)
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
void test_damaged_entries(void)
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
