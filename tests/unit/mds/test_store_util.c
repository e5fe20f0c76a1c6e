/* test_store_util.c - the helpers the store suite's files share: the
 * suite's directory, opening stores, attributes to create. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leveldb/c.h>

#include "test_store.h"

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

int store_suite_init(void)
{
    strcpy(suite_dir, "/tmp/pfs_unit_store.XXXXXX");
    return mkdtemp(suite_dir) == NULL ? -1 : 0;
}

int store_suite_cleanup(void)
{
    return remove_tree(suite_dir) == 0 ? 0 : -1;
}

/* A path for a store no test has used yet; LevelDB creates it. */
void fresh_dir(char *out, size_t size)
{
    snprintf(out, size, "%s/db%u", suite_dir, dir_seq++);
}

mds_store_t *open_store(const char *dir, int sync)
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

pfs_attr_t dir_attr(mds_store_t *s)
{
    pfs_attr_t a;

    memset(&a, 0, sizeof(a));
    a.fid = mds_store_new_fid(s);
    a.mode = 0755;
    a.uid = 1000;
    a.gid = 100;
    return a;
}

pfs_attr_t file_attr(mds_store_t *s, uint32_t count, uint32_t first)
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

int layouts_equal(const pfs_layout_t *a, const pfs_layout_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count &&
           memcmp(a->servers, b->servers,
                  a->stripe_count * sizeof(a->servers[0])) == 0;
}

int attrs_equal(const pfs_attr_t *a, const pfs_attr_t *b)
{
    return pfs_fid_equal(a->fid, b->fid) && a->type == b->type &&
           a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
           a->ctime_ns == b->ctime_ns && a->mtime_ns == b->mtime_ns &&
           a->nlink == b->nlink && layouts_equal(&a->layout, &b->layout);
}

uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t inode_count(mds_store_t *s)
{
    uint64_t n = UINT64_MAX;

    CU_ASSERT_EQUAL(mds_store_count_inodes(s, &n), PFS_OK);
    return n;
}
void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}
