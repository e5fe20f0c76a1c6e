/* mds_rec.c - the metadata store's record codecs (mds_rec.h). */
#include "config.h"

#include <string.h>

#include "mds_rec.h"
#include "wire.h"

/* The record encoding of attributes and layout specs.  It was, and must
 * stay, byte for byte what protocol versions up to 9 sent on the wire
 * (the store's records were written with the wire codec until then); it
 * is the store's own now, so a protocol change cannot change the disk
 * format. */
static void rec_put_attr(pfs_wbuf_t *w, const pfs_attr_t *a)
{
    pfs_wbuf_fid(w, a->fid);
    pfs_wbuf_u32(w, a->type);
    pfs_wbuf_u32(w, a->mode);
    pfs_wbuf_u32(w, a->uid);
    pfs_wbuf_u32(w, a->gid);
    pfs_wbuf_u64(w, a->ctime_ns);
    pfs_wbuf_u64(w, a->mtime_ns);
    pfs_wbuf_u32(w, a->nlink);
    pfs_wbuf_u64(w, a->layout.stripe_size);
    pfs_wbuf_u32_list(w, a->layout.servers, a->layout.stripe_count,
                      PFS_LAYOUT_MAX_STRIPES);
}

static void rec_get_attr(pfs_rbuf_t *r, pfs_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->fid = pfs_rbuf_fid(r);
    a->type = pfs_rbuf_u32(r);
    a->mode = pfs_rbuf_u32(r);
    a->uid = pfs_rbuf_u32(r);
    a->gid = pfs_rbuf_u32(r);
    a->ctime_ns = pfs_rbuf_u64(r);
    a->mtime_ns = pfs_rbuf_u64(r);
    a->nlink = pfs_rbuf_u32(r);
    a->layout.stripe_size = pfs_rbuf_u64(r);
    pfs_rbuf_u32_list(r, a->layout.servers, &a->layout.stripe_count,
                      PFS_LAYOUT_MAX_STRIPES);
    if (a->type != PFS_FILE_TYPE_REG && a->type != PFS_FILE_TYPE_DIR) {
        pfs_rbuf_fail(r);
    }
}

static void rec_put_spec(pfs_wbuf_t *w, const pfs_layout_spec_t *m)
{
    pfs_wbuf_u64(w, m->stripe_size);
    pfs_wbuf_u32(w, m->stripe_count);
    pfs_wbuf_u32_list(w, m->servers, m->nservers, PFS_LAYOUT_MAX_STRIPES);
}

static void rec_get_spec(pfs_rbuf_t *r, pfs_layout_spec_t *m)
{
    memset(m, 0, sizeof(*m));
    m->stripe_size = pfs_rbuf_u64(r);
    m->stripe_count = pfs_rbuf_u32(r);
    pfs_rbuf_u32_list(r, m->servers, &m->nservers, PFS_LAYOUT_MAX_STRIPES);
}

/* ---- superblock ---------------------------------------------------------- */

pfs_status_t mds_rec_super_encode(const mds_super_t *sb, uint8_t *buf,
                                  size_t cap, size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u32(&w, MDS_SUPER_VERSION);
    pfs_wbuf_bytes(&w, sb->fsid, sizeof(sb->fsid));
    pfs_wbuf_u64(&w, sb->epoch);
    pfs_wbuf_u32(&w, sb->niosrv);
    return pfs_wbuf_finish(&w, len_p);
}

pfs_status_t mds_rec_super_decode(const void *buf, size_t len, mds_super_t *sb,
                                  uint32_t *version_p)
{
    uint32_t version;
    pfs_rbuf_t r;

    memset(sb, 0, sizeof(*sb));
    pfs_rbuf_init(&r, buf, len);
    version = pfs_rbuf_u32(&r);
    pfs_rbuf_bytes(&r, sb->fsid, sizeof(sb->fsid));
    sb->epoch = pfs_rbuf_u64(&r);
    sb->niosrv = pfs_rbuf_u32(&r);
    if (version_p != NULL) {
        *version_p = version;
    }
    if (version != MDS_SUPER_VERSION || pfs_rbuf_finish(&r) != PFS_OK) {
        return PFS_ERR_STORE;
    }
    return PFS_OK;
}

/* ---- inode --------------------------------------------------------------- */

pfs_status_t mds_rec_inode_encode(const mds_inode_t *ino, uint8_t *buf,
                                  size_t cap, size_t *len_p)
{
    pfs_wbuf_t w;

    /* an attr that cannot be read back must not be written */
    if (ino->attr.layout.stripe_count > PFS_LAYOUT_MAX_STRIPES ||
        ino->dir_default.nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, MDS_INODE_VERSION);
    rec_put_attr(&w, &ino->attr);
    pfs_wbuf_u64(&w, ino->shared_fp);
    if (ino->attr.type == PFS_FILE_TYPE_DIR) {
        rec_put_spec(&w, &ino->dir_default);
    }
    return pfs_wbuf_finish(&w, len_p);
}

pfs_status_t mds_rec_inode_decode(const void *buf, size_t len,
                                  mds_inode_t *ino_p)
{
    pfs_rbuf_t r;
    uint8_t version;

    memset(ino_p, 0, sizeof(*ino_p));
    pfs_rbuf_init(&r, buf, len);
    version = pfs_rbuf_u8(&r);
    if (version < 1 || version > MDS_INODE_VERSION) {
        return PFS_ERR_STORE;
    }
    rec_get_attr(&r, &ino_p->attr);
    if (version >= 2) {
        ino_p->shared_fp = pfs_rbuf_u64(&r);
    }
    if (version >= 3 && ino_p->attr.type == PFS_FILE_TYPE_DIR) {
        rec_get_spec(&r, &ino_p->dir_default);
    }
    return pfs_rbuf_finish(&r) == PFS_OK ? PFS_OK : PFS_ERR_STORE;
}

/* ---- directory entry ----------------------------------------------------- */

pfs_status_t mds_rec_dentry_encode(pfs_fid_t fid, uint32_t type, uint8_t *buf,
                                   size_t cap, size_t *len_p)
{
    pfs_wbuf_t w;

    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_fid(&w, fid);
    pfs_wbuf_u32(&w, type);
    return pfs_wbuf_finish(&w, len_p);
}

pfs_status_t mds_rec_dentry_decode(const void *buf, size_t len,
                                   pfs_fid_t *fid_p, uint32_t *type_p)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    *fid_p = pfs_rbuf_fid(&r);
    *type_p = pfs_rbuf_u32(&r);
    if (pfs_rbuf_finish(&r) != PFS_OK ||
        (*type_p != PFS_FILE_TYPE_REG && *type_p != PFS_FILE_TYPE_DIR)) {
        return PFS_ERR_STORE;
    }
    return PFS_OK;
}

/* ---- pending removal ----------------------------------------------------- */

pfs_status_t mds_rec_removal_encode(const mds_removal_t *rm, uint8_t *buf,
                                    size_t cap, size_t *len_p)
{
    pfs_wbuf_t w;

    if (rm->nservers > PFS_LAYOUT_MAX_STRIPES) {
        return PFS_ERR_INVAL;
    }
    pfs_wbuf_init(&w, buf, cap);
    pfs_wbuf_u8(&w, MDS_REMOVAL_VERSION);
    pfs_wbuf_u32_list(&w, rm->servers, rm->nservers, PFS_LAYOUT_MAX_STRIPES);
    return pfs_wbuf_finish(&w, len_p);
}

pfs_status_t mds_rec_removal_decode(const void *buf, size_t len,
                                    mds_removal_t *rm)
{
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    if (pfs_rbuf_u8(&r) != MDS_REMOVAL_VERSION) {
        return PFS_ERR_STORE;
    }
    pfs_rbuf_u32_list(&r, rm->servers, &rm->nservers, PFS_LAYOUT_MAX_STRIPES);
    if (rm->nservers == 0 || pfs_rbuf_finish(&r) != PFS_OK) {
        return PFS_ERR_STORE;
    }
    return PFS_OK;
}
