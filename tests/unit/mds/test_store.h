/* test_store.h - what the files of the store suite share: the helpers in
 * test_store_util.c and the tests test_store.c's table lists. */
#ifndef PFS_TEST_STORE_H
#define PFS_TEST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "mds_store.h"
#include "wire.h"
#include "../unit.h"

/* test_store_util.c: the suite's directory (made by init, removed by
 * cleanup), stores, attributes */
int store_suite_init(void);
int store_suite_cleanup(void);
void fresh_dir(char *out, size_t size);
mds_store_t *open_store(const char *dir, int sync);
pfs_attr_t dir_attr(mds_store_t *s);
pfs_attr_t file_attr(mds_store_t *s, uint32_t count, uint32_t first);
int layouts_equal(const pfs_layout_t *a, const pfs_layout_t *b);
int attrs_equal(const pfs_attr_t *a, const pfs_attr_t *b);
uint64_t realtime_ns(void);
uint64_t inode_count(mds_store_t *s);
void put_be64(uint8_t *p, uint64_t v);

/* the tests of the other files */
void test_walk_consistency(void);
void test_create_unencodable_layout(void);
void test_rmdir(void);
void test_readdir_paging(void);
void test_rename(void);
void test_shared_fp(void);
void test_setattr(void);
void test_setattr_errors(void);
void test_shared_fp_lifetime(void);
void test_shared_fp_old_record(void);
void test_dir_layout(void);
void test_fsck_clean(void);
void test_removals(void);
void test_removal_update_many(void);
void test_fsck_removals(void);
void test_permissions(void);
void test_fsck_problems(void);
void test_damaged_entries(void);

#endif
