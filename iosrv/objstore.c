/* objstore.c - the I/O server's objects (iosrv.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iosrv.h"
#include "log.h"

/* ---- objects ----------------------------------------------------------- */

/* ROOT/iosrv.N/objects/XY/<32 hex digits>: 256 subdirectories keep the
 * directories small. */
void object_path(const iosrv_t *io, pfs_fid_t fid, char *out, size_t size)
{
    char hex[PFS_FID_HEX_LEN + 1];

    pfs_fid_format(fid, hex);
    snprintf(out, size, "%s/objects/%s/%s", io->dir, hex + 30, hex);
}

/* Direct-mapped by the id's counter on purpose (not pfs_fid_hash): the
 * files of one job have consecutive ids, which then never share a slot
 * (nor, below, a lock) until there are more of them than slots. */
fd_slot_t *cache_slot(iosrv_t *io, pfs_fid_t fid)
{
    return &io->cache[(fid.lo ^ fid.hi * 31) % FD_CACHE_SIZE];
}

/* Close every cached descriptor that nobody uses now. */
void cache_shed(iosrv_t *io)
{
    unsigned i, n = 0;

    pthread_mutex_lock(&io->cache_lock);
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        if (io->cache[i].fd >= 0 && io->cache[i].refs == 0) {
            close(io->cache[i].fd);
            io->cache[i].fd = -1;
            n++;
        }
    }
    pthread_mutex_unlock(&io->cache_lock);
    pfs_log_warn("out of file descriptors: closed %u cached object files", n);
}

/* An fd for the object (created if asked); -errno on failure.  *slot_p is
 * what to hand back to obj_release (NULL: a private fd). */
int obj_acquire(iosrv_t *io, pfs_fid_t fid, int create, fd_slot_t **slot_p)
{
    fd_slot_t *slot = cache_slot(io, fid);
    char path[PATH_MAX];
    int fd;

    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd >= 0 && !slot->doomed && pfs_fid_equal(slot->fid, fid)) {
        slot->refs++;
        fd = slot->fd;
        pthread_mutex_unlock(&io->cache_lock);
        *slot_p = slot;
        return fd;
    }
    pthread_mutex_unlock(&io->cache_lock);

    object_path(io, fid, path, sizeof(path));
    fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        /* out of descriptors: give back the idle cached ones, once */
        cache_shed(io);
        fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    }
    if (fd < 0 && errno == EROFS && !create) {
        /* read-only storage still serves reads, through a descriptor of
         * their own (a cached one must be able to write) */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            *slot_p = NULL;
            return fd;
        }
    }
    if (fd < 0) {
        return -errno;
    }
    *slot_p = NULL;
    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd < 0 || slot->refs == 0) {
        if (slot->fd >= 0) {
            close(slot->fd); /* evict an idle neighbour */
        }
        slot->fid = fid;
        slot->fd = fd;
        slot->refs = 1;
        slot->doomed = 0;
        *slot_p = slot;
    }
    pthread_mutex_unlock(&io->cache_lock);
    return fd;
}

void obj_release(iosrv_t *io, int fd, fd_slot_t *slot)
{
    if (slot == NULL) {
        close(fd);
        return;
    }
    pthread_mutex_lock(&io->cache_lock);
    if (--slot->refs == 0 && slot->doomed) {
        close(slot->fd);
        slot->fd = -1;
    }
    pthread_mutex_unlock(&io->cache_lock);
}

void obj_forget(iosrv_t *io, pfs_fid_t fid)
{
    fd_slot_t *slot = cache_slot(io, fid);

    pthread_mutex_lock(&io->cache_lock);
    if (slot->fd >= 0 && pfs_fid_equal(slot->fid, fid)) {
        if (slot->refs == 0) {
            close(slot->fd);
            slot->fd = -1;
        } else {
            slot->doomed = 1;
        }
    }
    pthread_mutex_unlock(&io->cache_lock);
}

pthread_rwlock_t *obj_lock(iosrv_t *io, pfs_fid_t fid)
{
    return &io->obj_locks[(fid.lo ^ fid.hi) % OBJ_LOCKS];
}

/* Not pfs_fid_hash either: consecutive ids must not collide here, or
 * the table would forget far more than the oldest removals. */
static size_t removed_slot(pfs_fid_t fid)
{
    uint64_t x = fid.hi * UINT64_C(0x9e3779b97f4a7c15) ^ fid.lo;

    x ^= x >> 29;
    return (size_t)(x % REMOVED_SLOTS);
}

/* Called with the object's lock held exclusively (REMOVE). */
void removed_add(iosrv_t *io, pfs_fid_t fid)
{
    pthread_mutex_lock(&io->removed_lock);
    io->removed[removed_slot(fid)] = fid;
    pthread_mutex_unlock(&io->removed_lock);
}

/* Was fid removed lately?  Called with the object's lock held, so a
 * removal cannot slip in between this check and the write. */
int removed_lately(iosrv_t *io, pfs_fid_t fid)
{
    int hit;

    pthread_mutex_lock(&io->removed_lock);
    hit = pfs_fid_equal(io->removed[removed_slot(fid)], fid);
    pthread_mutex_unlock(&io->removed_lock);
    return hit;
}

/* ---- the data directory -------------------------------------------------- */

pfs_status_t objstore_open(iosrv_t *io, char *errmsg, size_t n)
{
    char path[PATH_MAX + 16], hex[33], found[64];
    pfs_status_t st;
    FILE *f;
    int i;

    st = pfs_make_dir(io->dir, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    pfs_hex_encode(io->srv->ens.fsid, sizeof(io->srv->ens.fsid), hex);
    snprintf(path, sizeof(path), "%s/fsid", io->dir);
    f = fopen(path, "r");
    if (f != NULL) {
        int ok = fscanf(f, "%63s", found) == 1 && strcmp(found, hex) == 0;
        fclose(f);
        if (!ok) {
            snprintf(errmsg, n,
                     "%s belongs to another file system (fsid %s, this "
                     "ensemble is %s)",
                     io->dir, found, hex);
            return PFS_ERR_CONFIG;
        }
    } else {
        f = fopen(path, "w");
        if (f == NULL || fprintf(f, "%s\n", hex) < 0 || fclose(f) != 0) {
            snprintf(errmsg, n, "cannot write %s: %s", path, strerror(errno));
            return PFS_ERR_IO;
        }
    }
    snprintf(path, sizeof(path), "%s/objects", io->dir);
    st = pfs_make_dir(path, errmsg, n);
    for (i = 0; i < 256 && st == PFS_OK; i++) {
        snprintf(path, sizeof(path), "%s/objects/%02x", io->dir, i);
        st = pfs_make_dir(path, errmsg, n);
    }
    if (st != PFS_OK) {
        return st;
    }
    return PFS_OK;
}

void objstore_close(iosrv_t *io)
{
    unsigned i;

    for (i = 0; i < FD_CACHE_SIZE; i++) {
        if (io->cache[i].fd >= 0) {
            close(io->cache[i].fd);
            io->cache[i].fd = -1;
        }
    }
}
