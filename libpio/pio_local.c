/* pio_local.c - local access: reading and writing the objects of I/O
 * servers on this host through descriptors they hand out (common/local.h).
 *
 * Everything here is an optimization with a fallback: whenever a server
 * is not on this host, refuses, is slow to answer or the object does not
 * exist yet, the caller goes through the server as usual. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "local.h"
#include "pio_internal.h"
#include "sio.h"

#define LOCAL_MAX_WAIT_MS 1000 /* a descriptor request past this: no */
#define LOCAL_IOV 1024         /* Linux UIO_MAXIOV */

static void drop_connection(pioi_server_t *s)
{
    if (s->local_sock >= 0) {
        close(s->local_sock);
    }
    s->local_sock = -1;
    s->local_state = PIO_LOCAL_UNTRIED; /* try again next time */
    if (s->local_pending != NULL) {
        /* its answer is lost with the connection: through the server */
        s->local_pending->local_fd[s->local_pending_slot] = PIO_LOCAL_FD_SERVER;
        s->local_pending = NULL;
    }
}

static int connect_server(pio_client_t *c, uint32_t index)
{
    pioi_server_t *s = &c->ios[index];
    int ms =
        c->timeout_ms < LOCAL_MAX_WAIT_MS ? c->timeout_ms : LOCAL_MAX_WAIT_MS;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    struct sockaddr_un sa;
    socklen_t len;
    int sock;

    if (s->local_state != PIO_LOCAL_UNTRIED) {
        return s->local_state == PIO_LOCAL_CONNECTED ? 0 : -1;
    }
    pfs_local_sockaddr(c->ens.key, index, &sa, &len);
    sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (sock < 0 ||
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(sock, (struct sockaddr *)&sa, len) != 0) {
        if (sock >= 0) {
            close(sock);
        }
        s->local_state = PIO_LOCAL_NONE; /* not on this host (or off) */
        return -1;
    }
    s->local_sock = sock;
    s->local_state = PIO_LOCAL_CONNECTED;
    return 0;
}

/* The answer to the request in flight on s: the descriptor, or -1
 * (*again_p: ask next time). */
static int answer(pioi_server_t *s, int *again_p)
{
    uint8_t rep[PFS_LOCAL_REP_MAX];
    pfs_status_t st;
    ssize_t n;
    int fd = -1;

    *again_p = 0;
    n = pfs_local_recv(s->local_sock, rep, sizeof(rep), &fd);
    if (n <= 0 ||
        pfs_local_rep_decode(rep, (size_t)n, &st, NULL, 0) != PFS_OK ||
        (st == PFS_OK) != (fd >= 0)) {
        /* a server too busy to answer in time, or gone: through the
         * server for this open, a new connection for the next */
        if (fd >= 0) {
            close(fd);
        }
        drop_connection(s);
        return -1;
    }
    if (st == PFS_ERR_NOENT) {
        *again_p = 1; /* no object yet (read-only): ask again next time */
    } else if (st == PFS_ERR_ACCESS || st == PFS_ERR_AUTH) {
        s->local_state = PIO_LOCAL_NONE; /* not this user's servers */
    }
    return st == PFS_OK ? fd : -1;
}

/* Give the answer to the request in flight on s (if any) to the file that
 * asked.  One request is in flight per server at a time, so answers never
 * need matching to requests. */
static void settle(pioi_server_t *s)
{
    pio_file_t *f = s->local_pending;
    uint32_t slot = s->local_pending_slot;
    int again, fd;

    if (f == NULL) {
        return;
    }
    s->local_pending = NULL;
    fd = answer(s, &again);
    f->local_fd[slot] = again ? PIO_LOCAL_FD_UNASKED : fd;
}

/* Send the descriptor request for f's object on slot's server; 0 if
 * sent (its answer is settled later). */
static int ask(pio_file_t *f, uint32_t slot)
{
    pio_client_t *c = f->client;
    uint32_t index = f->attr.layout.servers[slot];
    pioi_server_t *s = &c->ios[index];
    uint8_t req[PFS_LOCAL_REQ_MAX];
    pfs_local_req_t *m;
    size_t len;
    int rc;

    if (connect_server(c, index) != 0) {
        return -1;
    }
    settle(s);
    if (s->local_state != PIO_LOCAL_CONNECTED) {
        return -1; /* the connection broke on the way */
    }
    if (pio_cap_fresh(f) != PFS_OK) {
        return -1; /* the server path will say why */
    }
    m = malloc(sizeof(*m));
    if (m == NULL) {
        return -1;
    }
    m->cap = f->cap;
    /* a file open for writing gets a descriptor that can write, and its
     * object is created: reads of it then never need the server either */
    m->flags = f->flags != PIO_RDONLY ? PFS_LOCAL_WRITE : 0;
    rc = pfs_local_req_encode(m, req, &len) == PFS_OK &&
                 pfs_local_send(s->local_sock, req, len, -1) == 0
             ? 0
             : -1;
    free(m);
    if (rc != 0) {
        drop_connection(s);
        return -1;
    }
    s->local_pending = f;
    s->local_pending_slot = slot;
    return 0;
}

void pioi_local_ask(pio_file_t *f)
{
    uint32_t slot;

    for (slot = 0; f->local_fd != NULL && slot < f->attr.layout.stripe_count;
         slot++) {
        if (f->local_fd[slot] == PIO_LOCAL_FD_UNASKED) {
            f->local_fd[slot] =
                ask(f, slot) == 0 ? PIO_LOCAL_FD_ASKED : PIO_LOCAL_FD_SERVER;
        }
    }
}

void pioi_local_open(pio_file_t *f, const uint8_t *want)
{
    uint32_t n = f->attr.layout.stripe_count, slot;

    /* every request first, then every answer: the servers work on them
     * at the same time */
    for (slot = 0; slot < n; slot++) {
        if (want[slot] && f->local_fd[slot] == PIO_LOCAL_FD_UNASKED) {
            f->local_fd[slot] =
                ask(f, slot) == 0 ? PIO_LOCAL_FD_ASKED : PIO_LOCAL_FD_SERVER;
        }
    }
    for (slot = 0; slot < n; slot++) {
        if (f->local_fd[slot] == PIO_LOCAL_FD_ASKED) {
            settle(&f->client->ios[f->attr.layout.servers[slot]]);
        }
    }
}

/* The memory piece holding payload position pos: mstart[k] <= pos <
 * mstart[k + 1]. */
static size_t find_mem(const uint64_t *mstart, size_t nmem, uint64_t pos)
{
    size_t lo = 0, hi = nmem;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (mstart[mid] <= pos) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int pioi_local_exec(int fd, int write, const pfs_sio_part_t *part,
                    uint64_t *objsize_p)
{
    const pfs_iov_t *mem = part->iov + 1; /* iov[0] is the run list's */
    size_t nmem = part->niov - 1, npieces = 0, i, k;
    pfs_sio_piece_t *pieces = NULL;
    struct iovec iov[LOCAL_IOV];
    uint64_t *mstart, lo = UINT64_MAX, boff = 0, blen = 0;
    int ordered, nb = 0, err = 0, locked = 0;
    struct stat st;

    *objsize_p = 0;
    mstart = malloc((nmem + 1) * sizeof(*mstart));
    if (mstart == NULL || pfs_sio_plan(part->runs, part->nruns, &pieces,
                                       &npieces, &ordered) != PFS_OK) {
        free(mstart);
        return ENOMEM;
    }
    mstart[0] = 0;
    for (k = 0; k < nmem; k++) {
        mstart[k + 1] = mstart[k] + mem[k].len;
    }
    for (i = 0; i < npieces; i++) {
        lo = PFS_MIN(lo, pieces[i].off);
    }
    if (write && npieces > 0) {
        /* shared with other writers, excluded by a server's sieving
         * read-modify-write of a span that overlaps ours (local.h) */
        err = pfs_local_lock(fd, F_RDLCK, lo, part->max_end - lo);
        locked = err == 0;
    }
    /* object-contiguous runs of memory segments become one system call */
    for (i = 0; i < npieces && err == 0; i++) {
        uint64_t off = pieces[i].off, pos = pieces[i].pos, left = pieces[i].len;

        k = find_mem(mstart, nmem, pos);
        while (left > 0 && err == 0) {
            uint64_t take = PFS_MIN(left, mstart[k + 1] - pos);

            if (nb > 0 && (off != boff + blen || nb == LOCAL_IOV)) {
                err = pfs_sio_transfer(fd, write, iov, nb, boff);
                nb = 0;
            }
            if (nb == 0) {
                boff = off;
                blen = 0;
            }
            iov[nb].iov_base = (uint8_t *)mem[k].base + (pos - mstart[k]);
            iov[nb].iov_len = (size_t)take;
            nb++;
            blen += take;
            off += take;
            pos += take;
            left -= take;
            k++;
        }
    }
    if (nb > 0 && err == 0) {
        err = pfs_sio_transfer(fd, write, iov, nb, boff);
    }
    if (locked) {
        (void)pfs_local_lock(fd, F_UNLCK, lo, part->max_end - lo);
    }
    if (err == 0 && !write) {
        if (fstat(fd, &st) == 0) {
            *objsize_p = (uint64_t)st.st_size;
        } else {
            err = errno;
        }
    }
    free(pieces);
    free(mstart);
    return err;
}

int pioi_local_size(pio_file_t *f, uint64_t *size_p)
{
    uint64_t sizes[PFS_LAYOUT_MAX_STRIPES];
    uint32_t n = f->attr.layout.stripe_count, slot;
    struct stat st;

    if (f->local_fd == NULL || n == 0 || n > PFS_LAYOUT_MAX_STRIPES) {
        return -1;
    }
    for (slot = 0; slot < n; slot++) {
        if (f->local_fd[slot] < 0 || fstat(f->local_fd[slot], &st) != 0) {
            return -1;
        }
        sizes[slot] = (uint64_t)st.st_size;
    }
    *size_p = pfs_layout_logical_size(&f->attr.layout, sizes);
    return 0;
}

void pioi_local_file_close(pio_file_t *f)
{
    uint32_t slot;

    if (f->local_fd == NULL) {
        return;
    }
    for (slot = 0; slot < f->attr.layout.stripe_count; slot++) {
        if (f->local_fd[slot] == PIO_LOCAL_FD_ASKED) { /* never used */
            pioi_server_t *s = &f->client->ios[f->attr.layout.servers[slot]];
            struct pollfd pfd = {s->local_sock, POLLIN, 0};

            /* take the answer if it is there; never wait for it at close
             * (a hung server): drop the connection instead */
            if (poll(&pfd, 1, 0) == 1) {
                settle(s);
            } else {
                drop_connection(s);
            }
        }
        if (f->local_fd[slot] >= 0) {
            close(f->local_fd[slot]);
        }
    }
    free(f->local_fd);
    f->local_fd = NULL;
}

void pioi_local_client_close(pio_client_t *c)
{
    uint32_t i;

    for (i = 0; i < c->ens.niosrv; i++) {
        drop_connection(&c->ios[i]);
    }
}
