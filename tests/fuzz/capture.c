/* capture.c - record the messages of real traffic as fuzz seeds.
 *
 * An LD_PRELOAD library for tests/fuzz/capture.sh: it wraps the calls
 * through which pfs's processes put bytes on the wire or on disk, and
 * writes each message, cut the way the harnesses read it, into
 * $PFS_FUZZ_CAPTURE/<harness>/<hash of the bytes>:
 *   ucp_am_send_nbx        every request and reply (header, body, payload)
 *   sendmsg                local-access messages (Unix SOCK_SEQPACKET)
 *   leveldb_put,
 *   leveldb_writebatch_put the metadata store's records
 * It knows the header layout and the opcodes (proto.h) but no pfs code:
 * it watches unmodified servers, tools and clients.  Not part of any
 * build product; only for refreshing the corpora in tests/fuzz/corpus.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ucp/api/ucp.h>

#include "proto.h"

#define PAYLOAD_MAX 4096u /* run lists and groups come first; data is cut */

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    }
    return h;
}

/* One seed: the concatenation of up to three pieces. */
static void save(const char *harness, const void *a, size_t alen, const void *b,
                 size_t blen, const void *c, size_t clen)
{
    const char *dir = getenv("PFS_FUZZ_CAPTURE");
    char path[4096];
    uint64_t h = UINT64_C(14695981039346656037);
    int fd, saved = errno;

    if (dir == NULL) {
        return;
    }
    h = fnv(a, alen, h);
    h = fnv(b, blen, h);
    h = fnv(c, clen, h);
    snprintf(path, sizeof(path), "%s/%s", dir, harness);
    mkdir(dir, 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/%s/%016llx", dir, harness,
             (unsigned long long)h);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        struct iovec iov[3] = {
            {(void *)a, alen}, {(void *)b, blen}, {(void *)c, clen}};
        if (writev(fd, iov, 3) < 0) {
            unlink(path);
        }
        close(fd);
    }
    errno = saved;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n-- > 0) {
        v = v << 8 | p[n];
    }
    return v;
}

/* The harness that decodes a request's or a reply's body. */
static const char *body_harness(unsigned am_id, unsigned op, int32_t status)
{
    if (am_id == PFS_AM_REPLY && status < 0) {
        return "errmsg";
    }
    switch (op) {
    case PFS_OP_HELLO:
        return am_id == PFS_AM_REQUEST ? NULL : NULL; /* + groups */
    case PFS_OP_CHALLENGE:
        return am_id == PFS_AM_REQUEST ? NULL : "challenge_rep";
    case PFS_OP_STATUS: return am_id == PFS_AM_REQUEST ? NULL : "status_rep";
    case PFS_OP_MDS_CREATE:
    case PFS_OP_MDS_LOOKUP:
    case PFS_OP_MDS_UNLINK:
    case PFS_OP_MDS_MKDIR: return am_id == PFS_AM_REQUEST ? "path_req" : "attr";
    case PFS_OP_MDS_RMDIR:
    case PFS_OP_MDS_SET_DIR_LAYOUT:
        return am_id == PFS_AM_REQUEST ? "path_req" : NULL;
    case PFS_OP_MDS_GET_DIR_LAYOUT:
        return am_id == PFS_AM_REQUEST ? "path_req" : "layout_spec";
    case PFS_OP_MDS_STAT: return am_id == PFS_AM_REQUEST ? "cap" : "attr";
    case PFS_OP_MDS_READDIR:
        return am_id == PFS_AM_REQUEST ? "readdir_req" : "readdir_rep";
    case PFS_OP_MDS_RENAME:
        return am_id == PFS_AM_REQUEST ? "rename_req" : "rename_rep";
    case PFS_OP_MDS_FP_FETCH_ADD:
    case PFS_OP_MDS_FP_SET:
        return am_id == PFS_AM_REQUEST ? "fp_req" : "fp_rep";
    case PFS_OP_MDS_SETATTR:
        return am_id == PFS_AM_REQUEST ? "setattr_req" : "attr";
    case PFS_OP_MDS_LEASE: return am_id == PFS_AM_REQUEST ? "lease_req" : NULL;
    case PFS_OP_IO_REMOVE:
        return am_id == PFS_AM_REQUEST ? "remove_req" : "remove_rep";
    case PFS_OP_IO_SIZE:
    case PFS_OP_IO_FSYNC:
    case PFS_OP_IO_WRITEV:
    case PFS_OP_IO_READV:
        return am_id == PFS_AM_REQUEST ? "cap" : NULL; /* io_rep */
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC: return am_id == PFS_AM_REQUEST ? "io_req" : NULL;
    case PFS_OP_IO_STATFS: return am_id == PFS_AM_REQUEST ? NULL : "statfs_rep";
    }
    return NULL;
}

static void capture_am(unsigned am_id, const uint8_t *hdr, size_t hlen,
                       const uint8_t *data, size_t dlen)
{
    unsigned op;
    int32_t status;
    const uint8_t *body = hdr + PFS_PROTO_HDR_SIZE;
    size_t blen;
    const char *h;

    if (hlen < PFS_PROTO_HDR_SIZE || le(hdr, 4) != PFS_PROTO_MAGIC) {
        return;
    }
    save("hdr", hdr, hlen, NULL, 0, NULL, 0);
    op = (unsigned)le(hdr + 6, 2);
    status = (int32_t)(uint32_t)le(hdr + 16, 4);
    blen = hlen - PFS_PROTO_HDR_SIZE;
    h = body_harness(am_id, op, status);
    if (h != NULL) {
        save(h, body, blen, NULL, 0, NULL, 0);
    }
    if (h != NULL && strcmp(h, "attr") == 0) {
        /* pio_file_export's blob is an attr behind magic, version, fsid */
        static const uint8_t head[24] = {'P', 'F', 'S', 'H', 1, 0, 0, 0};

        save("handle", head, sizeof(head), body, blen, NULL, 0);
    }
    if (am_id == PFS_AM_REQUEST && op == PFS_OP_HELLO) {
        uint8_t n[2] = {(uint8_t)blen, (uint8_t)(blen >> 8)};

        save("hello_req", n, 2, body, blen, data, dlen);
    }
    if (am_id == PFS_AM_REPLY && status >= 0 && op == PFS_OP_MDS_READDIR &&
        blen >= 4) {
        save("dirents", body, 4, data, dlen, NULL, 0); /* u32 count first */
    }
    if (am_id == PFS_AM_REPLY && status >= 0 && op >= PFS_OP_IO_SIZE &&
        op <= PFS_OP_IO_PREALLOC) {
        uint8_t o = (uint8_t)op;

        save("io_rep", &o, 1, body, blen, NULL, 0);
    }
    if (am_id == PFS_AM_REQUEST &&
        (op == PFS_OP_IO_WRITEV || op == PFS_OP_IO_READV)) {
        uint8_t w = op == PFS_OP_IO_WRITEV;

        save("sio_runs", &w, 1, data, dlen, NULL, 0);
        save("sio_exec", &w, 1, data, dlen, NULL, 0);
    }
}

ucs_status_ptr_t ucp_am_send_nbx(ucp_ep_h ep, unsigned id, const void *header,
                                 size_t header_length, const void *buffer,
                                 size_t count, const ucp_request_param_t *param)
{
    static ucs_status_ptr_t (*next)(ucp_ep_h, unsigned, const void *, size_t,
                                    const void *, size_t,
                                    const ucp_request_param_t *);
    uint8_t data[PAYLOAD_MAX];
    size_t dlen = 0;

    if (next == NULL) {
        next = dlsym(RTLD_NEXT, "ucp_am_send_nbx");
    }
    if ((param->op_attr_mask & UCP_OP_ATTR_FIELD_DATATYPE) &&
        param->datatype == ucp_dt_make_iov()) {
        const ucp_dt_iov_t *iov = buffer;
        size_t i;

        for (i = 0; i < count && dlen < sizeof(data); i++) {
            size_t n = iov[i].length < sizeof(data) - dlen
                           ? iov[i].length
                           : sizeof(data) - dlen;

            memcpy(data + dlen, iov[i].buffer, n);
            dlen += n;
        }
    } else if (buffer != NULL) {
        dlen = count < sizeof(data) ? count : sizeof(data);
        memcpy(data, buffer, dlen);
    }
    capture_am(id, header, header_length, data, dlen);
    return next(ep, id, header, header_length, buffer, count, param);
}

ssize_t sendmsg(int sock, const struct msghdr *mh, int flags)
{
    static ssize_t (*next)(int, const struct msghdr *, int);
    int type = 0;
    socklen_t tlen = sizeof(type);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);

    if (next == NULL) {
        next = dlsym(RTLD_NEXT, "sendmsg");
    }
    if (mh->msg_iovlen == 1 &&
        getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
        type == SOCK_SEQPACKET &&
        getsockname(sock, (struct sockaddr *)&sa, &salen) == 0 &&
        sa.ss_family == AF_UNIX) {
        const uint8_t *p = mh->msg_iov[0].iov_base;
        size_t n = mh->msg_iov[0].iov_len;

        save(n >= 4 && le(p, 4) == 0x4c534650u ? "local_req" : "local_rep", p,
             n, NULL, 0, NULL, 0);
    }
    return next(sock, mh, flags);
}

static void capture_record(const char *key, size_t klen, const char *val,
                           size_t vlen)
{
    const char *h = NULL;

    if (klen == 0) {
        return;
    }
    switch (key[0]) {
    case 'S': h = "store_super"; break;
    case 'I': h = "store_inode"; break;
    case 'D': h = "store_dentry"; break;
    case 'R': h = "store_removal"; break;
    }
    if (h != NULL) {
        save(h, val, vlen, NULL, 0, NULL, 0);
    }
}

typedef struct leveldb_t leveldb_t;
typedef struct leveldb_writeoptions_t leveldb_writeoptions_t;
typedef struct leveldb_writebatch_t leveldb_writebatch_t;

void leveldb_put(leveldb_t *db, const leveldb_writeoptions_t *o,
                 const char *key, size_t klen, const char *val, size_t vlen,
                 char **errptr)
{
    static void (*next)(leveldb_t *, const leveldb_writeoptions_t *,
                        const char *, size_t, const char *, size_t, char **);

    if (next == NULL) {
        next = dlsym(RTLD_NEXT, "leveldb_put");
    }
    capture_record(key, klen, val, vlen);
    next(db, o, key, klen, val, vlen, errptr);
}

void leveldb_writebatch_put(leveldb_writebatch_t *b, const char *key,
                            size_t klen, const char *val, size_t vlen)
{
    static void (*next)(leveldb_writebatch_t *, const char *, size_t,
                        const char *, size_t);

    if (next == NULL) {
        next = dlsym(RTLD_NEXT, "leveldb_writebatch_put");
    }
    capture_record(key, klen, val, vlen);
    next(b, key, klen, val, vlen);
}
