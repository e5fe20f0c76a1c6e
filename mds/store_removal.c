/* store_removal.c - pending removals of data objects, snapshots
 * (store_int.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* ---- pending removals of data objects ---------------------------------- */

struct mds_store_snap {
    const leveldb_snapshot_t *snap;
};

mds_store_snap_t *mds_store_snapshot(mds_store_t *s)
{
    mds_store_snap_t *snap = malloc(sizeof(*snap));

    if (snap != NULL) {
        snap->snap = leveldb_create_snapshot(s->db);
    }
    return snap;
}

void mds_store_snapshot_release(mds_store_t *s, mds_store_snap_t *snap)
{
    if (snap != NULL) {
        leveldb_release_snapshot(s->db, snap->snap);
        free(snap);
    }
}

pfs_status_t mds_store_removals(mds_store_t *s, const mds_store_snap_t *snap,
                                const pfs_fid_t *after, mds_removal_t *out,
                                size_t max, size_t *count_p, int *more_p)
{
    uint8_t start[INODE_KEY_LEN];
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    leveldb_iterator_t *it;
    size_t n = 0;
    char *err = NULL;
    pfs_status_t st = PFS_OK;

    *more_p = 0;
    if (snap != NULL) {
        leveldb_readoptions_set_snapshot(ro, snap->snap);
    }
    it = leveldb_create_iterator(s->db, ro);
    if (after != NULL) {
        removal_key(start, *after);
        leveldb_iter_seek(it, (const char *)start, sizeof(start));
        if (leveldb_iter_valid(it)) {
            size_t klen;
            const char *k = leveldb_iter_key(it, &klen);

            if (klen == sizeof(start) && memcmp(k, start, klen) == 0) {
                leveldb_iter_next(it); /* strictly after */
            }
        }
    } else {
        start[0] = KEY_REMOVAL;
        leveldb_iter_seek(it, (const char *)start, 1);
    }
    for (; leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen, vlen, live_len;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);
        char *live;

        if (klen < 1 || k[0] != KEY_REMOVAL) {
            break;
        }
        if (n == max) {
            *more_p = 1;
            break;
        }
        if (klen != INODE_KEY_LEN) {
            continue; /* pfs-fsck reports it */
        }
        out[n].fid = fid_from_key(k + 1);
        if (mds_rec_removal_decode(v, vlen, &out[n]) != PFS_OK) {
            continue;
        }
        if (snap != NULL) {
            /* done since the snapshot was taken? */
            live = leveldb_get(s->db, s->ropts, k, klen, &live_len, &err);
            if (err != NULL) {
                break;
            }
            if (live == NULL) {
                continue;
            }
            leveldb_free(live);
        }
        n++;
    }
    if (err == NULL) {
        leveldb_iter_get_error(it, &err);
    }
    leveldb_iter_destroy(it);
    leveldb_readoptions_destroy(ro);
    st = take_error(err, NULL, 0);
    *count_p = n;
    return st;
}

pfs_status_t mds_store_object_owned(mds_store_t *s, pfs_fid_t fid,
                                    uint32_t server, int *owned_p)
{
    uint8_t key[INODE_KEY_LEN];
    mds_removal_t rm;
    mds_inode_t ino;
    char *err = NULL, *val;
    size_t vlen;
    uint32_t i;
    pfs_status_t st;

    *owned_p = 0;
    st = inode_get(s, fid, &ino);
    if (st == PFS_OK) {
        for (i = 0; ino.attr.type == PFS_FILE_TYPE_REG &&
                    i < ino.attr.layout.stripe_count;
             i++) {
            *owned_p |= ino.attr.layout.servers[i] == server;
        }
        return PFS_OK;
    }
    if (st != PFS_ERR_STALE) {
        return st;
    }
    val = leveldb_get(s->db, s->ropts, (const char *)key, removal_key(key, fid),
                      &vlen, &err);
    if (err != NULL) {
        return take_error(err, NULL, 0);
    }
    if (val == NULL) {
        return PFS_OK;
    }
    st = mds_rec_removal_decode(val, vlen, &rm);
    leveldb_free(val);
    for (i = 0; st == PFS_OK && i < rm.nservers; i++) {
        *owned_p |= rm.servers[i] == server;
    }
    return PFS_OK;
}

pfs_status_t mds_store_removal_update(mds_store_t *s, const mds_removal_t *rms,
                                      size_t n)
{
    uint8_t key[INODE_KEY_LEN], val[MDS_REMOVAL_REC_MAX];
    leveldb_writebatch_t *batch;
    size_t vlen, i;
    pfs_status_t st;

    for (i = 0; i < n; i++) {
        if (rms[i].nservers > PFS_LAYOUT_MAX_STRIPES) {
            return PFS_ERR_INVAL;
        }
    }
    batch = leveldb_writebatch_create();
    for (i = 0; i < n; i++) {
        if (rms[i].nservers == 0) {
            leveldb_writebatch_delete(batch, (const char *)key,
                                      removal_key(key, rms[i].fid));
            continue;
        }
        st = mds_rec_removal_encode(&rms[i], val, sizeof(val), &vlen);
        if (st != PFS_OK) {
            leveldb_writebatch_destroy(batch);
            return st;
        }
        leveldb_writebatch_put(batch, (const char *)key,
                               removal_key(key, rms[i].fid), (const char *)val,
                               vlen);
    }
    return write_batch(s, batch);
}
