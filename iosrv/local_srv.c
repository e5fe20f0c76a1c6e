/* local_srv.c - local access in the I/O server: descriptors of objects
 * for clients on this host, over a Unix socket (local.h, iosrv.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "iosrv.h"
#include "local.h"
#include "log.h"

#define LOCAL_CLIENTS 256 /* connected local clients at once */

/* Answer one descriptor request on sock: 0 to keep the connection, -1 to
 * close it (end of file, or a request not worth another chance). */
static int local_answer(iosrv_t *io, int sock)
{
    static uint8_t buf[PFS_LOCAL_REQ_MAX + 1]; /* the local thread's */
    static pfs_local_req_t req;
    uint8_t rep[PFS_LOCAL_REP_MAX];
    char path[PATH_MAX], msg[200] = "";
    pfs_status_t st = PFS_OK;
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    int fd = -1, passed, rc;
    ssize_t n;
    size_t len;

    n = pfs_local_recv(sock, buf, sizeof(buf), &passed);
    if (passed >= 0) {
        close(passed); /* clients have nothing to pass */
    }
    if (n == -EAGAIN) {
        return 0;
    }
    if (n <= 0) {
        return -1;
    }
    if (pfs_local_req_decode(buf, (size_t)n, &req) != PFS_OK) {
        st = PFS_ERR_PROTO;
        snprintf(msg, sizeof(msg), "malformed local access request");
    } else if ((st = cap_check(io, &req.cap,
                               (req.flags & PFS_LOCAL_WRITE) ? PFS_CAP_WRITE
                                                             : PFS_CAP_READ,
                               msg, sizeof(msg))) != PFS_OK) {
        /* answered with why; the connection stays (a renewal may come) */
    } else if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
               (cred.uid != geteuid() && cred.uid != 0)) {
        /* another user could not open the object files either */
        st = PFS_ERR_ACCESS;
        snprintf(msg, sizeof(msg),
                 "local access is for uid %u (the server's) and root",
                 (unsigned)geteuid());
    } else {
        pthread_rwlock_t *lock = obj_lock(io, req.cap.fid);
        int write = (req.flags & PFS_LOCAL_WRITE) != 0;

        object_path(io, req.cap.fid, path, sizeof(path));
        pthread_rwlock_rdlock(lock);
        if (write && removed_lately(io, req.cap.fid)) {
            st = PFS_ERR_STALE; /* the file was unlinked */
        } else {
            /* a file description of the client's own: its OFD locks
             * must conflict with the server's sieving (local.h) */
            fd = open(path, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC,
                      0600);
            if (fd < 0) {
                st = pfs_status_from_errno(errno);
                snprintf(msg, sizeof(msg), "%s", strerror(errno));
            }
        }
        pthread_rwlock_unlock(lock);
    }
    if (st == PFS_ERR_PROTO || st == PFS_ERR_AUTH) {
        static pfs_log_limit_t limit; /* the local-access thread's */

        pfs_log_limited(
            &limit, PFS_LOG_WARN,
            "local access: %s from pid %d: connection closed", msg,
            getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0
                ? (int)cred.pid
                : -1);
    } else if (st != PFS_OK && st != PFS_ERR_NOENT) {
        pfs_log_debug("local access refused: %s", msg);
    }
    rc = pfs_local_rep_encode(st, msg, rep, &len) == PFS_OK
             ? pfs_local_send(sock, rep, len, fd)
             : EINVAL;
    if (fd >= 0) {
        close(fd);
    }
    /* a client that cannot take its answer at once, or sends garbage or
     * the wrong key, gets no second chance */
    return rc == 0 && st != PFS_ERR_PROTO && st != PFS_ERR_AUTH ? 0 : -1;
}

/* Whether the peer of a new local connection may use local access at all:
 * the servers' user and root only (anybody else could not open the object
 * files either).  Checked at once, so that other users cannot hold the
 * connection slots. */
static int local_peer_allowed(int sock)
{
    struct ucred cred;
    socklen_t clen = sizeof(cred);

    return getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
           (cred.uid == geteuid() || cred.uid == 0);
}

/* Accept local clients and answer their requests until local_stop. */
static void *local_thread(void *arg)
{
    iosrv_t *io = arg;
    struct pollfd pf[2 + LOCAL_CLIENTS];
    nfds_t n = 2, i;
    uint64_t rest_until = 0; /* out of descriptors: not accepting till then */

    pf[0].fd = io->local_stop;
    pf[1].fd = io->local_sock;
    pf[0].events = POLLIN;
    for (;;) {
        int resting = rest_until > now_us();

        pf[1].events = resting ? 0 : POLLIN;
        pf[1].revents = 0;
        if (poll(pf, n, resting ? 100 : -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            pfs_log_error("local access: poll: %s", strerror(errno));
            break;
        }
        if (pf[0].revents != 0) {
            break;
        }
        for (i = 2; i < n;) {
            if (pf[i].revents != 0 && local_answer(io, pf[i].fd) != 0) {
                close(pf[i].fd);
                pf[i] = pf[--n]; /* the last one moves here: look at it */
                continue;
            }
            i++;
        }
        if (pf[1].revents & POLLIN) {
            int s = accept4(io->local_sock, NULL, NULL,
                            SOCK_CLOEXEC | SOCK_NONBLOCK);

            if (s >= 0 && n < 2 + LOCAL_CLIENTS && local_peer_allowed(s)) {
                pf[n].fd = s;
                pf[n].events = POLLIN;
                pf[n].revents = 0;
                n++;
            } else if (s >= 0) {
                /* full, or another user: that client uses the server path */
                close(s);
            } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                       errno == ENOMEM) {
                /* the connection stays queued and poll would report it
                 * again at once: rest instead of spinning */
                pfs_log_warn("local access: accept: %s", strerror(errno));
                rest_until = now_us() + 100000;
            }
        }
    }
    for (i = 2; i < n; i++) {
        close(pf[i].fd);
    }
    return NULL;
}

/* Listen for local clients.  Failing to is not fatal: clients then go
 * through the server for everything. */
void local_start(iosrv_t *io)
{
    struct sockaddr_un sa;
    socklen_t len;

    if (!io->local_on) {
        pfs_log_info("local access off (--local-access off)");
        return;
    }
    pfs_local_sockaddr(io->srv->ens.key, io->srv->index, &sa, &len);
    io->local_sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    io->local_stop = eventfd(0, EFD_CLOEXEC);
    if (io->local_sock < 0 || io->local_stop < 0 ||
        bind(io->local_sock, (struct sockaddr *)&sa, len) != 0 ||
        listen(io->local_sock, 64) != 0 ||
        pthread_create(&io->local_thread, NULL, local_thread, io) != 0) {
        pfs_log_warn("local access off: Unix socket @%s: %s", sa.sun_path + 1,
                     strerror(errno));
        return;
    }
    io->local_started = 1;
    pfs_log_info("local access for clients on this host: @%s (uid %u and "
                 "root)",
                 sa.sun_path + 1, (unsigned)geteuid());
}

void local_stop(iosrv_t *io)
{
    uint64_t one = 1;

    if (io->local_started) {
        (void)!write(io->local_stop, &one, sizeof(one));
        pthread_join(io->local_thread, NULL);
        io->local_started = 0;
    }
    if (io->local_sock >= 0) {
        close(io->local_sock);
        io->local_sock = -1;
    }
    if (io->local_stop >= 0) {
        close(io->local_stop);
        io->local_stop = -1;
    }
}
