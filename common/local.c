/* local.c - local access to an I/O server's objects (local.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "wire.h"

#define REP_MSG_MAX (PFS_LOCAL_REP_MAX - 6u)

void pfs_local_sockaddr(const uint8_t *key, uint32_t index,
                        struct sockaddr_un *sa, socklen_t *len_p)
{
    uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
    unsigned i;
    int n;

    for (i = 0; i < PFS_PROTO_KEY_SIZE; i++) {
        h = (h ^ key[i]) * UINT64_C(1099511628211);
    }
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    /* sun_path[0] = '\0': the abstract namespace; the name is not
     * NUL-terminated, its length is in the address length */
    n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
                 "pfs-iosrv-%016llx-%u", (unsigned long long)h, index);
    *len_p =
        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

pfs_status_t pfs_local_req_encode(const pfs_local_req_t *req,
                                  uint8_t out[PFS_LOCAL_REQ_MAX], size_t *len_p)
{
    size_t len;
    pfs_status_t st;

    pfs_put_le(out, PFS_LOCAL_MAGIC, 4);
    pfs_put_le(out + 4, PFS_LOCAL_VERSION, 4);
    pfs_put_le(out + 8, req->flags, 4);
    st =
        pfs_proto_cap_encode(out + 12, PFS_LOCAL_REQ_MAX - 12, &req->cap, &len);
    if (st == PFS_OK) {
        *len_p = 12 + len;
    }
    return st;
}

pfs_status_t pfs_local_req_decode(const void *buf, size_t len,
                                  pfs_local_req_t *req)
{
    const uint8_t *p = buf;

    if (len < 12 || pfs_get_le(p, 4) != PFS_LOCAL_MAGIC ||
        pfs_get_le(p + 4, 4) != PFS_LOCAL_VERSION) {
        return PFS_ERR_PROTO;
    }
    req->flags = (uint32_t)pfs_get_le(p + 8, 4);
    if ((req->flags & ~PFS_LOCAL_WRITE) != 0 ||
        pfs_proto_cap_decode(p + 12, len - 12, &req->cap) != PFS_OK) {
        return PFS_ERR_PROTO;
    }
    return PFS_OK;
}

pfs_status_t pfs_local_rep_encode(pfs_status_t st, const char *msg,
                                  uint8_t out[PFS_LOCAL_REP_MAX], size_t *len_p)
{
    char text[REP_MSG_MAX + 1];
    pfs_wbuf_t w;

    snprintf(text, sizeof(text), "%s", msg != NULL ? msg : "");
    pfs_wbuf_init(&w, out, PFS_LOCAL_REP_MAX);
    pfs_wbuf_u32(&w, (uint32_t)st);
    pfs_wbuf_str(&w, text);
    return pfs_wbuf_finish(&w, len_p);
}

pfs_status_t pfs_local_rep_decode(const void *buf, size_t len,
                                  pfs_status_t *st_p, char *msg,
                                  size_t msg_size)
{
    char text[REP_MSG_MAX + 1];
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, buf, len);
    *st_p = (pfs_status_t)(int32_t)pfs_rbuf_u32(&r);
    pfs_rbuf_str(&r, text, REP_MSG_MAX);
    if (pfs_rbuf_finish(&r) != PFS_OK || *st_p > 0) {
        return PFS_ERR_PROTO;
    }
    if (msg_size > 0) {
        snprintf(msg, msg_size, "%s", text);
    }
    return PFS_OK;
}

int pfs_local_send(int sock, const void *buf, size_t len, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {(void *)buf, len};
    struct msghdr mh;

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (fd >= 0) {
        struct cmsghdr *cm;

        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof(ctl.buf);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    for (;;) {
        ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);

        if (n == (ssize_t)len) {
            return 0;
        }
        if (n >= 0) {
            return EMSGSIZE; /* SOCK_SEQPACKET: all or nothing */
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

ssize_t pfs_local_recv(int sock, void *buf, size_t len, int *fd_p)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {buf, len};
    struct msghdr mh;
    struct cmsghdr *cm;
    ssize_t n;

    *fd_p = -1;
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof(ctl.buf);
    do {
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -errno;
    }
    for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
            cm->cmsg_len == CMSG_LEN(sizeof(int))) {
            memcpy(fd_p, CMSG_DATA(cm), sizeof(int));
        }
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (*fd_p >= 0) {
            close(*fd_p);
            *fd_p = -1;
        }
        return -EMSGSIZE;
    }
    return n;
}

int pfs_local_lock(int fd, short type, uint64_t off, uint64_t len)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)off;
    fl.l_len = (off_t)len; /* 0 would mean "to the end of the file" */
    if (len == 0) {
        return 0;
    }
    while (fcntl(fd, F_OFD_SETLKW, &fl) != 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}
