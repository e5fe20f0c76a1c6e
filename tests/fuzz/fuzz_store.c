/* fuzz_store.c - libFuzzer targets for the metadata store's record
 * decoders (mds/mds_rec.h): the values pfs-mds and pfs-fsck read back from
 * LevelDB, which a damaged disk can turn into anything.  A record that
 * decodes must re-encode to exactly its bytes (inode records of the older
 * versions 1 and 2 re-encode as version 3 and must read back the same).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "mds_rec.h"

static int fuzz_store_super(const uint8_t *data, size_t size)
{
    uint8_t out[MDS_SUPER_REC_MAX];
    mds_super_t sb;
    uint32_t version;
    size_t len;

    if (mds_rec_super_decode(data, size, &sb, &version) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(version == MDS_SUPER_VERSION);
    FUZZ_CHECK(mds_rec_super_encode(&sb, out, sizeof(out), &len) == PFS_OK);
    FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    return 0;
}

static int fuzz_store_inode(const uint8_t *data, size_t size)
{
    static uint8_t out[MDS_INODE_REC_MAX];
    static mds_inode_t ino, again;
    size_t len;

    if (mds_rec_inode_decode(data, size, &ino) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(ino.attr.type == PFS_FILE_TYPE_REG ||
               ino.attr.type == PFS_FILE_TYPE_DIR);
    FUZZ_CHECK(ino.attr.layout.stripe_count <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(ino.dir_default.nservers <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(mds_rec_inode_encode(&ino, out, sizeof(out), &len) == PFS_OK);
    if (data[0] == MDS_INODE_VERSION) {
        FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    }
    FUZZ_CHECK(mds_rec_inode_decode(out, len, &again) == PFS_OK);
    FUZZ_CHECK(memcmp(&again, &ino, sizeof(ino)) == 0);
    return 0;
}

static int fuzz_store_dentry(const uint8_t *data, size_t size)
{
    uint8_t out[MDS_DENTRY_REC_SIZE];
    pfs_fid_t fid;
    uint32_t type;
    size_t len;

    if (mds_rec_dentry_decode(data, size, &fid, &type) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(type == PFS_FILE_TYPE_REG || type == PFS_FILE_TYPE_DIR);
    FUZZ_CHECK(mds_rec_dentry_encode(fid, type, out, sizeof(out), &len) ==
               PFS_OK);
    FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    return 0;
}

static int fuzz_store_removal(const uint8_t *data, size_t size)
{
    uint8_t out[MDS_REMOVAL_REC_MAX];
    mds_removal_t rm;
    size_t len;

    memset(&rm, 0, sizeof(rm));
    if (mds_rec_removal_decode(data, size, &rm) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(rm.nservers >= 1 && rm.nservers <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(mds_rec_removal_encode(&rm, out, sizeof(out), &len) == PFS_OK);
    FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    return 0;
}

FUZZ_ENTRY_POINT
