/* iosrv_main.c - pfs-iosrv: stores one local object per file and serves
 * reads and writes of it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

#define FD_CACHE_SIZE 256u /* open objects kept, direct-mapped by id */

typedef struct {
    pfs_fid_t fid;
    int fd; /* -1: empty slot */
} fd_slot_t;

typedef struct {
    pfs_server_t *srv;
    char dir[PATH_MAX];  /* ROOT/iosrv.<index> */
    fd_slot_t cache[FD_CACHE_SIZE];
} iosrv_t;

static const char iosrv_usage[] =
    "\n"
    "I/O servers keep their objects in ROOT/iosrv.<index>/objects; the\n"
    "index is the server's position among the launch's I/O servers, so\n"
    "restart an ensemble with the same number of servers in the same order.\n";

/* ROOT/iosrv.N/objects/XY/<32 hex digits>: 256 subdirectories keep the
 * directories small. */
static void object_path(const iosrv_t *io, pfs_fid_t fid, char *out,
                        size_t size)
{
    char hex[PFS_FID_HEX_LEN + 1];

    pfs_fid_format(fid, hex);
    snprintf(out, size, "%s/objects/%s/%s", io->dir, hex + 30, hex);
}

static fd_slot_t *cache_slot(iosrv_t *io, pfs_fid_t fid)
{
    return &io->cache[(fid.lo ^ fid.hi * 31) % FD_CACHE_SIZE];
}

/* An fd for the object; create it if asked.  -errno on failure. */
static int object_fd(iosrv_t *io, pfs_fid_t fid, int create)
{
    fd_slot_t *slot = cache_slot(io, fid);
    char path[PATH_MAX];
    int fd;

    if (slot->fd >= 0 && pfs_fid_equal(slot->fid, fid)) {
        return slot->fd;
    }
    object_path(io, fid, path, sizeof(path));
    fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0) {
        return -errno;
    }
    if (slot->fd >= 0) {
        close(slot->fd);
    }
    slot->fid = fid;
    slot->fd = fd;
    return fd;
}

static void cache_forget(iosrv_t *io, pfs_fid_t fid)
{
    fd_slot_t *slot = cache_slot(io, fid);

    if (slot->fd >= 0 && pfs_fid_equal(slot->fid, fid)) {
        close(slot->fd);
        slot->fd = -1;
    }
}

static pfs_status_t make_dir(const char *path, char *errmsg, size_t n)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(errmsg, n, "cannot create %s: %s", path, strerror(errno));
        return pfs_status_from_errno(errno);
    }
    return PFS_OK;
}

static pfs_status_t iosrv_prepare(void *arg, pfs_server_t *srv, char *errmsg,
                                  size_t n)
{
    iosrv_t *io = arg;
    unsigned i;

    io->srv = srv;
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        io->cache[i].fd = -1;
    }
    return make_dir(srv->root, errmsg, n);
}

/* Now that the index and file-system id are known: check (or claim) the
 * data directory so two file systems never mix their objects. */
static pfs_status_t iosrv_join(void *arg, pfs_server_t *srv, char *errmsg,
                               size_t n)
{
    iosrv_t *io = arg;
    char path[PATH_MAX + 16], hex[33], found[64];
    pfs_status_t st;
    FILE *f;
    unsigned i;

    snprintf(io->dir, sizeof(io->dir), "%s/iosrv.%u", srv->root, srv->index);
    st = make_dir(io->dir, errmsg, n);
    if (st != PFS_OK) {
        return st;
    }
    pfs_hex_encode(srv->ens.fsid, sizeof(srv->ens.fsid), hex);
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
    st = make_dir(path, errmsg, n);
    for (i = 0; i < 256 && st == PFS_OK; i++) {
        snprintf(path, sizeof(path), "%s/objects/%02x", io->dir, i);
        st = make_dir(path, errmsg, n);
    }
    return st;
}

static void iosrv_cleanup(void *arg, pfs_server_t *srv)
{
    iosrv_t *io = arg;
    unsigned i;

    (void)srv;
    for (i = 0; i < FD_CACHE_SIZE; i++) {
        if (io->cache[i].fd >= 0) {
            close(io->cache[i].fd);
            io->cache[i].fd = -1;
        }
    }
}

static void reply_u64(iosrv_t *io, pfs_srv_req_t *req, uint64_t v,
                      void *data, size_t data_len)
{
    uint8_t body[8];
    pfs_wbuf_t w;
    size_t len;

    pfs_wbuf_init(&w, body, sizeof(body));
    pfs_proto_u64_pack(&w, v);
    (void)pfs_wbuf_finish(&w, &len);
    pfs_srv_reply(io->srv->tx, req, body, len, data, data_len);
}

static void reply_errno(iosrv_t *io, pfs_srv_req_t *req, int err,
                        pfs_fid_t fid)
{
    char hex[PFS_FID_HEX_LEN + 1];

    pfs_fid_format(fid, hex);
    pfs_log_warn("%s of object %s: %s", pfs_proto_op_name(req->hdr.opcode),
                 hex, strerror(err));
    pfs_srv_reply_error(io->srv->tx, req, pfs_status_from_errno(err),
                        "I/O server %u: %s of object %s: %s", io->srv->index,
                        pfs_proto_op_name(req->hdr.opcode), hex,
                        strerror(err));
}

static void do_write(iosrv_t *io, pfs_srv_req_t *req, const pfs_io_req_t *m)
{
    const uint8_t *p = req->data;
    uint64_t done = 0;
    int fd;

    if (m->length != req->hdr.data_len) {
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_PROTO,
                            "write of %llu bytes carries %llu",
                            (unsigned long long)m->length,
                            (unsigned long long)req->hdr.data_len);
        return;
    }
    fd = object_fd(io, m->fid, 1);
    if (fd < 0) {
        reply_errno(io, req, -fd, m->fid);
        return;
    }
    while (done < m->length) {
        ssize_t n = pwrite(fd, p + done, m->length - done,
                           (off_t)(m->offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            reply_errno(io, req, errno, m->fid);
            return;
        }
        done += (uint64_t)n;
    }
    io->srv->bytes_written += done;
    reply_u64(io, req, done, NULL, 0);
}

static void do_read(iosrv_t *io, pfs_srv_req_t *req, const pfs_io_req_t *m)
{
    uint64_t done = 0;
    uint8_t *buf = NULL;
    int fd;

    if (m->length > PFS_PROTO_MAX_XFER) {
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_INVAL,
                            "read of %llu bytes exceeds the limit of %llu",
                            (unsigned long long)m->length,
                            (unsigned long long)PFS_PROTO_MAX_XFER);
        return;
    }
    fd = object_fd(io, m->fid, 0);
    if (fd == -ENOENT) {
        reply_u64(io, req, 0, NULL, 0); /* never written: all hole */
        return;
    }
    if (fd < 0) {
        reply_errno(io, req, -fd, m->fid);
        return;
    }
    if (m->length > 0 && posix_memalign((void **)&buf, 4096, m->length) != 0) {
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_NOMEM,
                            "no memory for a %llu-byte read",
                            (unsigned long long)m->length);
        return;
    }
    while (done < m->length) {
        ssize_t n = pread(fd, buf + done, m->length - done,
                          (off_t)(m->offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            free(buf);
            reply_errno(io, req, errno, m->fid);
            return;
        }
        if (n == 0) {
            break; /* end of object: the client fills holes */
        }
        done += (uint64_t)n;
    }
    io->srv->bytes_read += done;
    if (done == 0) {
        free(buf);
        buf = NULL;
    }
    reply_u64(io, req, done, buf, done); /* the transport frees buf */
}

static void iosrv_handle(void *arg, pfs_srv_req_t *req)
{
    iosrv_t *io = arg;
    char path[PATH_MAX];
    struct stat st;
    pfs_io_req_t m;
    pfs_rbuf_t r;
    int fd;

    if (pfs_server_handle_common(io->srv, req)) {
        return;
    }
    pfs_rbuf_init(&r, req->body, req->hdr.body_len);
    switch (req->hdr.opcode) {
    case PFS_OP_IO_WRITE:
    case PFS_OP_IO_READ:
        if (pfs_proto_io_req_unpack(&r, &m) != PFS_OK ||
            pfs_rbuf_finish(&r) != PFS_OK) {
            break;
        }
        if (req->hdr.opcode == PFS_OP_IO_WRITE) {
            do_write(io, req, &m);
        } else {
            do_read(io, req, &m);
        }
        return;
    case PFS_OP_IO_SIZE:
    case PFS_OP_IO_REMOVE:
    case PFS_OP_IO_FSYNC:
        if (pfs_proto_fid_unpack(&r, &m.fid) != PFS_OK ||
            pfs_rbuf_finish(&r) != PFS_OK) {
            break;
        }
        if (req->hdr.opcode == PFS_OP_IO_SIZE) {
            object_path(io, m.fid, path, sizeof(path));
            if (stat(path, &st) != 0) {
                if (errno == ENOENT) {
                    reply_u64(io, req, 0, NULL, 0);
                } else {
                    reply_errno(io, req, errno, m.fid);
                }
                return;
            }
            reply_u64(io, req, (uint64_t)st.st_size, NULL, 0);
        } else if (req->hdr.opcode == PFS_OP_IO_REMOVE) {
            cache_forget(io, m.fid);
            object_path(io, m.fid, path, sizeof(path));
            /* removing what is not there is success: unlink may retry */
            if (unlink(path) != 0 && errno != ENOENT) {
                reply_errno(io, req, errno, m.fid);
                return;
            }
            reply_u64(io, req, 0, NULL, 0);
        } else {
            fd = object_fd(io, m.fid, 0);
            if (fd == -ENOENT) {
                reply_u64(io, req, 0, NULL, 0);
                return;
            }
            if (fd < 0 || fsync(fd) != 0) {
                reply_errno(io, req, fd < 0 ? -fd : errno, m.fid);
                return;
            }
            reply_u64(io, req, 0, NULL, 0);
        }
        return;
    default:
        pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_UNSUPPORTED,
                            "I/O servers do not do '%s'",
                            pfs_proto_op_name(req->hdr.opcode));
        return;
    }
    pfs_srv_reply_error(io->srv->tx, req, PFS_ERR_PROTO,
                        "malformed %s request",
                        pfs_proto_op_name(req->hdr.opcode));
}

int main(int argc, char **argv)
{
    static const pfs_server_ops_t ops = {
        .role = PFS_ROLE_IOSRV,
        .program = "pfs-iosrv",
        .usage = iosrv_usage,
        .prepare = iosrv_prepare,
        .join = iosrv_join,
        .handler = iosrv_handle,
        .cleanup = iosrv_cleanup,
    };
    static iosrv_t io; /* 4 KiB fd cache: keep it off the stack */

    return pfs_server_main(&ops, &io, argc, argv);
}
