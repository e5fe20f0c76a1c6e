/* test_rec_golden.c - the metadata store's records, byte for byte.
 *
 * Every record version that can exist on a disk is written out here by
 * hand (little-endian, fixed width: mds_rec.h), not produced by the codec
 * under test.  Each must decode to the values it holds, and the versions
 * written today must encode to exactly these bytes.  A change of the
 * encoding, deliberate or not, fails here; a deliberate one needs a new
 * version number and a new golden record, with the old ones kept. */
#include "config.h"

#include <string.h>

#include "mds_rec.h"
#include "unit.h"

#define U8(x) (uint8_t)(x)
#define U32(x) U8(x), U8((x) >> 8), U8((x) >> 16), U8((x) >> 24)
#define U64(x) U32((uint64_t)(x)&0xffffffffu), U32((uint64_t)(x) >> 32)

/* the attributes common to the inode records below */
#define FILE_ATTR                                                              \
    U64(0x0102030405060708u), U64(0x1112131415161718u), /* fid hi, lo */       \
        U32(1),                                         /* regular */          \
        U32(0640), U32(4711), U32(815),                 /* mode uid gid */     \
        U64(1700000000123456789u), U64(1700000001987654321u),                  \
        U32(1),                              /* nlink */                       \
        U64(1048576), U32(2), U32(1), U32(0) /* 2 stripes of 1 MiB: 1,0 */
#define DIR_ATTR                                                               \
    U64(0x2122232425262728u), U64(0x3132333435363738u), U32(2), U32(02750),    \
        U32(0), U32(100), U64(5), U64(6), U32(2), U64(0), U32(0)

static const uint8_t inode_v1_file[] = {U8(1), FILE_ATTR};
static const uint8_t inode_v2_file[] = {U8(2), FILE_ATTR, U64(123456789)};
static const uint8_t inode_v3_file[] = {U8(3), FILE_ATTR, U64(987654321)};
static const uint8_t inode_v2_dir[] = {U8(2), DIR_ATTR, U64(0)};
static const uint8_t inode_v3_dir[] = {U8(3),  DIR_ATTR, U64(0), U64(4194304),
                                       U32(3), U32(3),   U32(2), U32(0),
                                       U32(1)}; /* default layout */
static const uint8_t super_v1[] = {
    U32(1), 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,    0xa7,  0xa8,
    0xa9,   0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, U64(42), U32(4)};
static const uint8_t dentry[] = {U64(0x0102030405060708u),
                                 U64(0x1112131415161718u), U32(1)};
static const uint8_t removal_v1[] = {U8(1), U32(3), U32(2), U32(0), U32(1)};

static void check_file_attr(const pfs_attr_t *a)
{
    CU_ASSERT_EQUAL(a->fid.hi, 0x0102030405060708u);
    CU_ASSERT_EQUAL(a->fid.lo, 0x1112131415161718u);
    CU_ASSERT_EQUAL(a->type, PFS_FILE_TYPE_REG);
    CU_ASSERT_EQUAL(a->mode, 0640);
    CU_ASSERT_EQUAL(a->uid, 4711);
    CU_ASSERT_EQUAL(a->gid, 815);
    CU_ASSERT_EQUAL(a->ctime_ns, 1700000000123456789u);
    CU_ASSERT_EQUAL(a->mtime_ns, 1700000001987654321u);
    CU_ASSERT_EQUAL(a->nlink, 1);
    CU_ASSERT_EQUAL(a->layout.stripe_size, 1048576);
    CU_ASSERT_EQUAL(a->layout.stripe_count, 2);
    CU_ASSERT_EQUAL(a->layout.servers[0], 1);
    CU_ASSERT_EQUAL(a->layout.servers[1], 0);
}

static void check_dir_attr(const pfs_attr_t *a)
{
    CU_ASSERT_EQUAL(a->fid.hi, 0x2122232425262728u);
    CU_ASSERT_EQUAL(a->fid.lo, 0x3132333435363738u);
    CU_ASSERT_EQUAL(a->type, PFS_FILE_TYPE_DIR);
    CU_ASSERT_EQUAL(a->mode, 02750);
    CU_ASSERT_EQUAL(a->uid, 0);
    CU_ASSERT_EQUAL(a->gid, 100);
    CU_ASSERT_EQUAL(a->ctime_ns, 5);
    CU_ASSERT_EQUAL(a->mtime_ns, 6);
    CU_ASSERT_EQUAL(a->nlink, 2);
    CU_ASSERT_EQUAL(a->layout.stripe_count, 0);
}

/* encode must give exactly `golden` */
static void check_encoded(const uint8_t *got, size_t len, const uint8_t *golden,
                          size_t golden_len)
{
    CU_ASSERT_EQUAL_FATAL(len, golden_len);
    CU_ASSERT(memcmp(got, golden, len) == 0);
}

static void test_inode_v1(void)
{
    mds_inode_t ino;

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_inode_decode(inode_v1_file, sizeof(inode_v1_file), &ino),
        PFS_OK);
    check_file_attr(&ino.attr);
    CU_ASSERT_EQUAL(ino.shared_fp, 0);
}

static void test_inode_v2(void)
{
    mds_inode_t ino;

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_inode_decode(inode_v2_file, sizeof(inode_v2_file), &ino),
        PFS_OK);
    check_file_attr(&ino.attr);
    CU_ASSERT_EQUAL(ino.shared_fp, 123456789);
    CU_ASSERT_EQUAL_FATAL(
        mds_rec_inode_decode(inode_v2_dir, sizeof(inode_v2_dir), &ino), PFS_OK);
    check_dir_attr(&ino.attr);
    CU_ASSERT_EQUAL(ino.dir_default.stripe_size, 0); /* none before v3 */
    CU_ASSERT_EQUAL(ino.dir_default.nservers, 0);
}

static void test_inode_v3(void)
{
    uint8_t buf[MDS_INODE_REC_MAX];
    mds_inode_t ino;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_inode_decode(inode_v3_file, sizeof(inode_v3_file), &ino),
        PFS_OK);
    check_file_attr(&ino.attr);
    CU_ASSERT_EQUAL(ino.shared_fp, 987654321);
    CU_ASSERT_EQUAL_FATAL(mds_rec_inode_encode(&ino, buf, sizeof(buf), &len),
                          PFS_OK);
    check_encoded(buf, len, inode_v3_file, sizeof(inode_v3_file));

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_inode_decode(inode_v3_dir, sizeof(inode_v3_dir), &ino), PFS_OK);
    check_dir_attr(&ino.attr);
    CU_ASSERT_EQUAL(ino.dir_default.stripe_size, 4194304);
    CU_ASSERT_EQUAL(ino.dir_default.stripe_count, 3);
    CU_ASSERT_EQUAL_FATAL(ino.dir_default.nservers, 3);
    CU_ASSERT_EQUAL(ino.dir_default.servers[0], 2);
    CU_ASSERT_EQUAL(ino.dir_default.servers[1], 0);
    CU_ASSERT_EQUAL(ino.dir_default.servers[2], 1);
    CU_ASSERT_EQUAL_FATAL(mds_rec_inode_encode(&ino, buf, sizeof(buf), &len),
                          PFS_OK);
    check_encoded(buf, len, inode_v3_dir, sizeof(inode_v3_dir));
}

/* one byte short or one byte more is a damaged record, in every version */
static void test_inode_lengths(void)
{
    const struct {
        const uint8_t *rec;
        size_t len;
    } all[] = {{inode_v1_file, sizeof(inode_v1_file)},
               {inode_v2_file, sizeof(inode_v2_file)},
               {inode_v3_file, sizeof(inode_v3_file)},
               {inode_v3_dir, sizeof(inode_v3_dir)}};
    uint8_t longer[MDS_INODE_REC_MAX + 1];
    mds_inode_t ino;
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        CU_ASSERT_EQUAL(mds_rec_inode_decode(all[i].rec, all[i].len - 1, &ino),
                        PFS_ERR_STORE);
        memcpy(longer, all[i].rec, all[i].len);
        longer[all[i].len] = 0;
        CU_ASSERT_EQUAL(mds_rec_inode_decode(longer, all[i].len + 1, &ino),
                        PFS_ERR_STORE);
    }
    longer[0] = 4; /* a version from the future */
    memcpy(longer + 1, inode_v3_file + 1, sizeof(inode_v3_file) - 1);
    CU_ASSERT_EQUAL(mds_rec_inode_decode(longer, sizeof(inode_v3_file), &ino),
                    PFS_ERR_STORE);
}

static void test_super_v1(void)
{
    uint8_t buf[MDS_SUPER_REC_MAX];
    mds_super_t sb;
    uint32_t version;
    size_t len;
    int i;

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_super_decode(super_v1, sizeof(super_v1), &sb, &version),
        PFS_OK);
    CU_ASSERT_EQUAL(version, 1);
    for (i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(sb.fsid[i], 0xa0 + i);
    }
    CU_ASSERT_EQUAL(sb.epoch, 42);
    CU_ASSERT_EQUAL(sb.niosrv, 4);
    CU_ASSERT_EQUAL_FATAL(mds_rec_super_encode(&sb, buf, sizeof(buf), &len),
                          PFS_OK);
    check_encoded(buf, len, super_v1, sizeof(super_v1));
}

static void test_dentry(void)
{
    uint8_t buf[MDS_DENTRY_REC_SIZE];
    pfs_fid_t fid;
    uint32_t type;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(
        mds_rec_dentry_decode(dentry, sizeof(dentry), &fid, &type), PFS_OK);
    CU_ASSERT_EQUAL(fid.hi, 0x0102030405060708u);
    CU_ASSERT_EQUAL(fid.lo, 0x1112131415161718u);
    CU_ASSERT_EQUAL(type, PFS_FILE_TYPE_REG);
    CU_ASSERT_EQUAL_FATAL(
        mds_rec_dentry_encode(fid, type, buf, sizeof(buf), &len), PFS_OK);
    check_encoded(buf, len, dentry, sizeof(dentry));
}

static void test_removal_v1(void)
{
    uint8_t buf[MDS_REMOVAL_REC_MAX];
    mds_removal_t rm;
    size_t len;

    memset(&rm, 0, sizeof(rm));
    CU_ASSERT_EQUAL_FATAL(
        mds_rec_removal_decode(removal_v1, sizeof(removal_v1), &rm), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(rm.nservers, 3);
    CU_ASSERT_EQUAL(rm.servers[0], 2);
    CU_ASSERT_EQUAL(rm.servers[1], 0);
    CU_ASSERT_EQUAL(rm.servers[2], 1);
    CU_ASSERT_EQUAL_FATAL(mds_rec_removal_encode(&rm, buf, sizeof(buf), &len),
                          PFS_OK);
    check_encoded(buf, len, removal_v1, sizeof(removal_v1));
}

static const CU_TestInfo tests[] = {
    {"inode v1 (file) decodes", test_inode_v1},
    {"inode v2 (file, directory) decodes", test_inode_v2},
    {"inode v3 (file, directory) decodes and encodes to the same bytes",
     test_inode_v3},
    {"inode records one byte short, one byte long, version 4: damaged",
     test_inode_lengths},
    {"superblock v1, both ways", test_super_v1},
    {"directory entry, both ways", test_dentry},
    {"pending removal v1, both ways", test_removal_v1},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_rec_golden = {"store records (golden bytes)",
                                            NULL, NULL, tests};
