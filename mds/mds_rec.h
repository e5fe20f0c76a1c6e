/* mds_rec.h - the metadata store's record codecs: the LevelDB values that
 * mds_store.c writes and reads back.
 *
 * Internal to the store: only mds_store.c, its unit tests and the fuzz
 * harnesses (tests/fuzz/) include this header.  The values follow the
 * conventions of wire.h (little-endian, fixed width) and are the store's
 * own: a protocol change never changes the disk format.
 *
 * A decoder takes bytes that may come from a damaged disk: anything it
 * cannot read completely and exactly is PFS_ERR_STORE, never a crash and
 * never a partly filled result that looks valid.
 */
#ifndef PFS_MDS_REC_H
#define PFS_MDS_REC_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "mds_store.h"
#include "pfs_common.h"
#include "proto.h"

/* ---- superblock ("S"): u32 version, fsid[16], u64 epoch, u32 niosrv ----- */

#define MDS_SUPER_VERSION 1u
#define MDS_SUPER_REC_MAX (4u + 16u + 8u + 4u)

typedef struct {
    uint8_t fsid[16];
    uint64_t epoch;  /* grows at every open that creates files */
    uint32_t niosrv; /* 0 until the first ensemble records it */
} mds_super_t;

PFS_MUST_CHECK pfs_status_t mds_rec_super_encode(const mds_super_t *sb,
                                                 uint8_t *buf, size_t cap,
                                                 size_t *len_p);
/* PFS_ERR_STORE for any other length or version; *version_p (may be NULL)
 * gets the version read, for the message. */
PFS_MUST_CHECK pfs_status_t mds_rec_super_decode(const void *buf, size_t len,
                                                 mds_super_t *sb,
                                                 uint32_t *version_p);

/* ---- inode ("I" fid) ------------------------------------------------------
 * u8 version, the attributes (fid, u32 type, mode, uid, gid, u64 ctime,
 * mtime, u32 nlink, u64 stripe_size, u32 stripe_count, stripe_count x u32
 * server), then from version 2 u64 shared_fp, and from version 3 for
 * directories only the default layout spec (u64 stripe_size, u32
 * stripe_count, u32 nservers, nservers x u32 server).  Versions 1 and 2
 * are still read; version 3 is written. */

#define MDS_INODE_VERSION 3u
#define MDS_INODE_REC_MAX (1u + PFS_ATTR_MAX + 8u + PFS_LAYOUT_SPEC_MAX)

typedef struct {
    pfs_attr_t attr;
    uint64_t shared_fp;            /* regular files: shared file pointer */
    pfs_layout_spec_t dir_default; /* directories: all zero if none */
} mds_inode_t;

PFS_MUST_CHECK pfs_status_t mds_rec_inode_encode(const mds_inode_t *ino,
                                                 uint8_t *buf, size_t cap,
                                                 size_t *len_p);
/* Any version; *ino_p is all zero but what the record holds. */
PFS_MUST_CHECK pfs_status_t mds_rec_inode_decode(const void *buf, size_t len,
                                                 mds_inode_t *ino_p);

/* ---- directory entry ("D" parent name): fid, u32 type ------------------- */

#define MDS_DENTRY_REC_SIZE 20u

PFS_MUST_CHECK pfs_status_t mds_rec_dentry_encode(pfs_fid_t fid, uint32_t type,
                                                  uint8_t *buf, size_t cap,
                                                  size_t *len_p);
/* The child's fid and type (PFS_FILE_TYPE_REG or _DIR; any other is
 * PFS_ERR_STORE). */
PFS_MUST_CHECK pfs_status_t mds_rec_dentry_decode(const void *buf, size_t len,
                                                  pfs_fid_t *fid_p,
                                                  uint32_t *type_p);

/* ---- pending removal ("R" fid): u8 version, u32 count, count x u32 ------ */

#define MDS_REMOVAL_VERSION 1u
#define MDS_REMOVAL_REC_MAX (1u + 4u + 4u * PFS_LAYOUT_MAX_STRIPES)

/* rm->fid is the key's, not part of the value. */
PFS_MUST_CHECK pfs_status_t mds_rec_removal_encode(const mds_removal_t *rm,
                                                   uint8_t *buf, size_t cap,
                                                   size_t *len_p);
/* Fills nservers and servers; a count of 0 or above
 * PFS_LAYOUT_MAX_STRIPES is PFS_ERR_STORE. */
PFS_MUST_CHECK pfs_status_t mds_rec_removal_decode(const void *buf, size_t len,
                                                   mds_removal_t *rm);

#endif
