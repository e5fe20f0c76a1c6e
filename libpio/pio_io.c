/* pio_io.c - libpio's data path: descriptions of file and memory pieces are
 * walked lazily, split by the layout into one structured request per I/O
 * server, and issued with a bounded window; also truncate/preallocate. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pio_abi.h"
#include "pio_internal.h"
#include "pio_desc.h"
#include "sio.h"
#include "sio_split.h"

#define PIO_WINDOW 32u    /* requests of one call in flight */
#define PIO_MAX_IOV 4096u /* memory pieces per request */

/* Where a structured request to one server stands. */
typedef enum {
    SUB_READY = 1,  /* encoded, not posted yet */
    SUB_POSTED = 2, /* in flight */
    SUB_DONE = 3    /* answered, or done locally */
} sub_state_t;

/* One structured request to one I/O server. */
typedef struct {
    pfs_rpc_t rpc;
    uint8_t body[PFS_CAP_MAX]; /* the file's capability */
    pfs_sio_part_t *part;      /* runs and memory pieces (sio_split.h) */
    uint8_t *runs_enc;
    sub_state_t state;
} sub_t;

struct pio_request {
    pio_file_t *file;
    int write;
    sub_t *subs;
    size_t nsubs, cap_subs;
    pfs_sio_part_t *parts;
    size_t next_post; /* first sub not posted yet */
    size_t inflight;
    size_t ndone;
    pfs_status_t status;
    uint64_t bytes;
    int maybe_short; /* a server's object ended before a read */
};

/* ---- descriptions ------------------------------------------------------ */

/* A contiguous description in the library's own struct (the data path
 * and the exported fillers). */
static void desc_contig(pio_desc_t *d, uint64_t offset, uint64_t len)
{
    memset(d, 0, sizeof(*d));
    d->kind = PIO_DESC_STRIDED;
    d->offset = offset;
    d->blocklen = len;
}

/* The fillers below: *d written at the caller's desc_size, or
 * PFS_ERR_INVAL (no message: no client) and nothing written. */
static pfs_status_t desc_out(pio_desc_t *dst, size_t desc_size,
                             const pio_desc_t *d)
{
    pfs_status_t st = PIOI_ABI_CHECK(pio_desc_t, desc_size, NULL, 0);

    if (st == PFS_OK) {
        PIOI_ABI_OUT(pio_desc_t, dst, desc_size, d);
    }
    return st;
}

PFS_EXPORT pfs_status_t pio_desc_contig_sz(pio_desc_t *dst, uint64_t offset,
                                           uint64_t len, size_t desc_size)
{
    pio_desc_t d;

    desc_contig(&d, offset, len);
    return desc_out(dst, desc_size, &d);
}

PFS_EXPORT pfs_status_t pio_desc_list_sz(pio_desc_t *dst,
                                         const uint64_t *offsets,
                                         const uint64_t *lengths, size_t count,
                                         size_t desc_size)
{
    pio_desc_t d;

    memset(&d, 0, sizeof(d));
    d.kind = PIO_DESC_LIST;
    d.offsets = offsets;
    d.lengths = lengths;
    d.count = count;
    return desc_out(dst, desc_size, &d);
}

PFS_EXPORT pfs_status_t pio_desc_vector_sz(pio_desc_t *dst, uint64_t offset,
                                           uint64_t count, uint64_t blocklen,
                                           uint64_t stride, size_t desc_size)
{
    pio_desc_t d;

    desc_contig(&d, offset, blocklen);
    d.ndims = 1;
    d.dims[0].count = count;
    d.dims[0].stride = stride;
    return desc_out(dst, desc_size, &d);
}

PFS_EXPORT pfs_status_t pio_desc_repeat_sz(pio_desc_t *dst, uint64_t count,
                                           uint64_t stride, size_t desc_size)
{
    pio_desc_t d;
    pfs_status_t st = PIOI_ABI_IN(pio_desc_t, &d, dst, desc_size, NULL, 0);

    if (st != PFS_OK) {
        return st;
    }
    if (d.kind != PIO_DESC_STRIDED || d.ndims < 0 || d.ndims >= PIO_MAX_DIMS) {
        return PFS_ERR_INVAL;
    }
    memmove(&d.dims[1], &d.dims[0], (size_t)d.ndims * sizeof(d.dims[0]));
    d.dims[0].count = count;
    d.dims[0].stride = stride;
    d.ndims++;
    PIOI_ABI_UPDATE(pio_desc_t, dst, desc_size, &d);
    return PFS_OK;
}

/* ---- building requests ------------------------------------------------- */

static void req_free(pio_request_t *req)
{
    size_t i;

    if (req == NULL) {
        return;
    }
    for (i = 0; i < req->nsubs; i++) {
        free(req->subs[i].runs_enc);
    }
    pfs_sio_parts_free(req->parts, req->nsubs);
    free(req->subs);
    free(req);
}

/* Prepare one part's RPC: encode its run list, point the RPC at it and at
 * the memory pieces (the body pointer is set at post time). */
static pfs_status_t sub_prepare(pio_request_t *req, sub_t *sub)
{
    pio_file_t *f = req->file;
    pfs_sio_part_t *part = sub->part;
    size_t enc = pfs_sio_runs_size(part->nruns);
    size_t blen;
    pfs_status_t st;

    sub->runs_enc = malloc(enc);
    if (sub->runs_enc == NULL) {
        return PFS_ERR_NOMEM;
    }
    st = pfs_sio_runs_encode(part->runs, part->nruns, sub->runs_enc);
    if (st == PFS_OK) {
        st = pfs_proto_cap_encode(sub->body, sizeof(sub->body), &f->cap, &blen);
    }
    if (st != PFS_OK) {
        return st;
    }
    pioi_rpc_init(f->client, &sub->rpc,
                  req->write ? PFS_OP_IO_WRITEV : PFS_OP_IO_READV, sub->body,
                  blen);
    part->iov[0].base = sub->runs_enc;
    part->iov[0].len = enc;
    if (req->write) {
        sub->rpc.send_iov = part->iov;
        sub->rpc.send_iovcnt = part->niov;
    } else {
        sub->rpc.send_data = sub->runs_enc;
        sub->rpc.send_len = enc;
        sub->rpc.recv_iov = part->iov + 1;
        sub->rpc.recv_iovcnt = part->niov - 1;
    }
    sub->state = SUB_READY;
    return PFS_OK;
}

/* Split the descriptions into per-server parts and prepare their RPCs. */
static pfs_status_t build(pio_request_t *req, uint8_t *buf,
                          const pfs_sio_desc_t *mem, const pfs_sio_desc_t *fd)
{
    pio_client_t *c = req->file->client;
    size_t i, n;
    pfs_status_t st;

    st = pfs_sio_split(&req->file->attr.layout, c->max_xfer, PIO_MAX_IOV, buf,
                       mem, fd, &req->parts, &n);
    if (st != PFS_OK) {
        return st;
    }
    req->nsubs = n;
    req->subs = calloc(n > 0 ? n : 1, sizeof(*req->subs));
    if (req->subs == NULL) {
        return PFS_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        req->subs[i].part = &req->parts[i];
        st = sub_prepare(req, &req->subs[i]);
        if (st != PFS_OK) {
            return st;
        }
    }
    return PFS_OK;
}

/* ---- progress ---------------------------------------------------------- */

static void sub_finish(pio_request_t *req, sub_t *sub)
{
    pio_client_t *c = req->file->client;
    pfs_io_rep_t rep;

    sub->state = SUB_DONE;
    req->inflight--;
    req->ndone++;
    if (req->status != PFS_OK) {
        return; /* the first failure is the one reported */
    }
    if (sub->rpc.status != PFS_OK) {
        req->status = pioi_fail_rpc(c, &sub->rpc);
        return;
    }
    if (pfs_proto_io_rep_decode(sub->rpc.reply, sub->rpc.reply_len,
                                sub->rpc.opcode, &rep) != PFS_OK ||
        rep.result != sub->part->bytes ||
        (!req->write && sub->rpc.recv_len != sub->part->bytes)) {
        req->status =
            pioi_fail(c, PFS_ERR_PROTO, "%s: reply does not match the request",
                      pfs_tx_conn_addr(sub->rpc.conn));
        return;
    }
    if (!req->write && rep.objsize < sub->part->max_end) {
        req->maybe_short = 1;
    }
    req->bytes += rep.result;
}

/* Large pieces on average, or too few pieces for the server to sieve:
 * the server would only copy them once more (local access pays). */
static int local_pays(const pfs_sio_part_t *part)
{
    return part->pieces < PFS_SIO_SIEVE_MIN_PIECES ||
           part->bytes >= (uint64_t)PIO_LOCAL_MIN_PIECE * part->pieces;
}

/* Get the object descriptors that this request's large parts want. */
static void local_prepare(pio_request_t *req)
{
    pio_file_t *f = req->file;
    uint8_t want[PIO_MAX_STRIPES] = {0};
    size_t i;
    int any = 0;

    for (i = 0; f->local_fd != NULL && i < req->nsubs; i++) {
        uint32_t slot = req->parts[i].slot;

        /* not asked yet, or asked at open and not answered yet */
        if (local_pays(&req->parts[i]) &&
            (f->local_fd[slot] == PIO_LOCAL_FD_UNASKED ||
             f->local_fd[slot] == PIO_LOCAL_FD_ASKED)) {
            want[slot] = 1;
            any = 1;
        }
    }
    if (any) {
        pioi_local_open(f, want);
    }
}

/* Execute a part on the server's object directly (local access) when its
 * pieces are large and the server handed out a descriptor; 1 if done. */
static int run_locally(pio_request_t *req, sub_t *sub)
{
    pio_file_t *f = req->file;
    pio_client_t *c = f->client;
    pfs_sio_part_t *part = sub->part;
    uint64_t objsize = 0;
    int fd, err;

    if (f->local_fd == NULL || !local_pays(part) ||
        (fd = f->local_fd[part->slot]) < 0) {
        return 0;
    }
    err = pioi_local_exec(fd, req->write, part, &objsize);
    sub->state = SUB_DONE;
    req->ndone++;
    if (err != 0) {
        req->status = pioi_fail(c, pfs_status_from_errno(err),
                                "I/O server %u's object, %s on this host: %s",
                                f->attr.layout.servers[part->slot],
                                req->write ? "written" : "read", strerror(err));
        return 1;
    }
    if (!req->write && objsize < part->max_end) {
        req->maybe_short = 1;
    }
    req->bytes += part->bytes;
    c->local_bytes += part->bytes;
    return 1;
}

/* Post sealed requests while the window has room; after a failure, post
 * nothing more. */
static void fill_window(pio_request_t *req)
{
    pio_client_t *c = req->file->client;

    while (req->next_post < req->nsubs && req->inflight < PIO_WINDOW &&
           req->status == PFS_OK) {
        sub_t *sub = &req->subs[req->next_post++];

        if (run_locally(req, sub)) {
            continue;
        }
        /* the subs array moved while it grew during the build: point the
         * RPC at its body only now that it stays put */
        sub->rpc.body = sub->body;
        pfs_rpc_post(
            c->tx, c->ios[req->file->attr.layout.servers[sub->part->slot]].conn,
            &sub->rpc);
        sub->state = SUB_POSTED;
        req->inflight++;
    }
    if (req->status != PFS_OK) {
        /* never posted: count them as done so the request can end */
        req->ndone += req->nsubs - req->next_post;
        req->next_post = req->nsubs;
    }
}

/* Harvest finished requests; returns 1 when everything is done. */
static int harvest(pio_request_t *req)
{
    size_t i;

    for (i = 0; i < req->nsubs; i++) {
        if (req->subs[i].state == SUB_POSTED && req->subs[i].rpc.done) {
            sub_finish(req, &req->subs[i]);
        }
    }
    fill_window(req);
    return req->ndone == req->nsubs && req->inflight == 0;
}

/* In-flight RPCs of a set of requests, for pfs_rpc_wait_any. */
static size_t collect(pio_request_t **reqs, size_t n, pfs_rpc_t ***rpcs_p,
                      size_t *cap_p)
{
    size_t k, i, m = 0;

    for (k = 0; k < n; k++) {
        if (reqs[k] == NULL) {
            continue;
        }
        for (i = 0; i < reqs[k]->nsubs; i++) {
            if (reqs[k]->subs[i].state != SUB_POSTED) {
                continue;
            }
            if (m == *cap_p) {
                size_t cap = *cap_p ? *cap_p * 2 : 64;
                pfs_rpc_t **p = realloc(*rpcs_p, cap * sizeof(*p));
                if (p == NULL) {
                    return m;
                }
                *rpcs_p = p;
                *cap_p = cap;
            }
            (*rpcs_p)[m++] = &reqs[k]->subs[i].rpc;
        }
    }
    return m;
}

/* Progress one request until all its server requests are done. */
static void drive(pio_request_t *req)
{
    pfs_rpc_t **rpcs = NULL;
    size_t cap = 0, m, any;

    while (!harvest(req)) {
        m = collect(&req, 1, &rpcs, &cap);
        if (m > 0) {
            pfs_rpc_wait_any(req->file->client->tx, rpcs, m, &any);
        }
    }
    free(rpcs);
}

static pfs_status_t complete(pio_request_t **reqp, uint64_t *bytes_p)
{
    pio_request_t *req = *reqp;
    pfs_status_t st = req->status;

    if (bytes_p != NULL) {
        *bytes_p = st == PFS_OK ? req->bytes : 0;
    }
    req_free(req);
    *reqp = NULL;
    return st;
}

PFS_EXPORT pfs_status_t pio_test(pio_request_t **reqp, int *done_p,
                                 uint64_t *bytes_p)
{
    if (reqp == NULL || *reqp == NULL || done_p == NULL) {
        return PFS_ERR_INVAL;
    }
    pfs_tx_progress((*reqp)->file->client->tx);
    *done_p = harvest(*reqp);
    return *done_p ? complete(reqp, bytes_p) : PFS_OK;
}

PFS_EXPORT pfs_status_t pio_waitany(size_t n, pio_request_t **reqs,
                                    size_t *index_p, uint64_t *bytes_p)
{
    pfs_rpc_t **rpcs = NULL;
    pfs_tx_t *tx = NULL;
    size_t cap = 0, k, m, any;
    pfs_status_t st = PFS_OK;

    *index_p = n;
    for (k = 0; k < n; k++) {
        /* one transport is progressed while waiting: all requests must
         * belong to the same client */
        if (reqs[k] != NULL) {
            if (tx != NULL && reqs[k]->file->client->tx != tx) {
                return PFS_ERR_INVAL;
            }
            tx = reqs[k]->file->client->tx;
        }
    }
    for (;;) {
        int active = 0;

        for (k = 0; k < n; k++) {
            if (reqs[k] == NULL) {
                continue;
            }
            active = 1;
            tx = reqs[k]->file->client->tx;
            if (harvest(reqs[k])) {
                *index_p = k;
                st = complete(&reqs[k], bytes_p);
                free(rpcs);
                return st;
            }
        }
        if (!active) {
            free(rpcs);
            return PFS_OK;
        }
        m = collect(reqs, n, &rpcs, &cap);
        if (m == 0) {
            continue; /* nothing in flight: harvest settles it */
        }
        pfs_rpc_wait_any(tx, rpcs, m, &any);
    }
}

PFS_EXPORT pfs_status_t pio_wait(pio_request_t **reqp, uint64_t *bytes_p)
{
    size_t index;

    if (reqp == NULL || *reqp == NULL) {
        return PFS_ERR_INVAL;
    }
    return pio_waitany(1, reqp, &index, bytes_p);
}

PFS_EXPORT pfs_status_t pio_waitall(size_t n, pio_request_t **reqs)
{
    pfs_status_t first = PFS_OK, st;
    size_t index;

    for (;;) {
        st = pio_waitany(n, reqs, &index, NULL);
        if (index == n) {
            return first;
        }
        if (first == PFS_OK) {
            first = st;
        }
    }
}

/* ---- entry points ------------------------------------------------------ */

/* mem and filed are the library's own structs: the exported calls copy
 * the caller's in (start_sz). */
static pfs_status_t start(pio_file_t *f, int write, uint8_t *buf,
                          const pio_desc_t *mem, const pio_desc_t *filed,
                          pio_request_t **req_p)
{
    pio_client_t *c;
    pfs_sio_desc_t ms, fs;
    pio_desc_t contig;
    uint64_t ftotal, mtotal;
    pio_request_t *req;
    uint32_t slot;
    pfs_status_t st;

    if (f == NULL || filed == NULL) {
        return PFS_ERR_INVAL;
    }
    c = f->client;
    c->errmsg[0] = '\0';
    if (write ? f->flags == PIO_RDONLY : f->flags == PIO_WRONLY) {
        return pioi_fail(c, PFS_ERR_BADF, "file not opened for %s",
                         write ? "writing" : "reading");
    }
    st = pio_cap_fresh(f);
    if (st != PFS_OK) {
        return st;
    }
    if (pioi_desc_to_sio(filed, &fs) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad file description");
    }
    st = pfs_sio_desc_check(&fs, PFS_MAX_FILE_SIZE, &ftotal);
    if (st != PFS_OK) {
        return pioi_fail(c, st,
                         "file description reaches past the largest "
                         "file size or overflows");
    }
    if (mem == NULL) {
        desc_contig(&contig, 0, ftotal);
        mem = &contig;
    }
    if (pioi_desc_to_sio(mem, &ms) != PFS_OK ||
        pfs_sio_desc_check(&ms, UINT64_MAX, &mtotal) != PFS_OK) {
        return pioi_fail(c, PFS_ERR_INVAL, "bad memory description");
    }
    if (mtotal != ftotal) {
        return pioi_fail(
            c, PFS_ERR_INVAL, "memory describes %llu bytes, file %llu",
            (unsigned long long)mtotal, (unsigned long long)ftotal);
    }
    if (buf == NULL && ftotal > 0) {
        return pioi_fail(c, PFS_ERR_INVAL, "buffer is NULL");
    }
    for (slot = 0; slot < f->attr.layout.stripe_count; slot++) {
        st = pioi_server_ready(c, &c->ios[f->attr.layout.servers[slot]]);
        if (st != PFS_OK) {
            return st;
        }
    }
    req = calloc(1, sizeof(*req));
    if (req == NULL) {
        return pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
    }
    req->file = f;
    req->write = write;
    st = build(req, buf, &ms, &fs);
    if (st != PFS_OK) {
        req_free(req);
        return pioi_fail(c, st, "cannot build the requests: %s",
                         pfs_status_string(st));
    }
    local_prepare(req);
    fill_window(req);
    if (req_p != NULL) {
        *req_p = req;
        return PFS_OK;
    }
    return pio_wait(&req, NULL);
}

/* start() with the caller's descriptions of desc_size bytes. */
static pfs_status_t start_sz(pio_file_t *f, int write, uint8_t *buf,
                             const pio_desc_t *mem, const pio_desc_t *filed,
                             pio_request_t **req_p, size_t desc_size)
{
    pio_desc_t m, fd;
    pfs_status_t st;

    if (f == NULL || filed == NULL) {
        return PFS_ERR_INVAL;
    }
    st = PIOI_ABI_IN(pio_desc_t, &fd, filed, desc_size, f->client->errmsg,
                     sizeof(f->client->errmsg));
    if (st == PFS_OK && mem != NULL) {
        st = PIOI_ABI_IN(pio_desc_t, &m, mem, desc_size, f->client->errmsg,
                         sizeof(f->client->errmsg));
    }
    if (st != PFS_OK) {
        return st;
    }
    return start(f, write, buf, mem != NULL ? &m : NULL, &fd, req_p);
}

PFS_EXPORT pfs_status_t pio_write_desc_sz(pio_file_t *f, const void *buf,
                                          const pio_desc_t *mem,
                                          const pio_desc_t *filed,
                                          pio_request_t **req_p,
                                          size_t desc_size)
{
    return start_sz(f, 1, (uint8_t *)buf, mem, filed, req_p, desc_size);
}

PFS_EXPORT pfs_status_t pio_read_desc_sz(pio_file_t *f, void *buf,
                                         const pio_desc_t *mem,
                                         const pio_desc_t *filed,
                                         pio_request_t **req_p,
                                         size_t desc_size)
{
    return start_sz(f, 0, buf, mem, filed, req_p, desc_size);
}

/* A contiguous transfer (pio_write, pio_read and their non-blocking
 * forms). */
static pfs_status_t start_contig(pio_file_t *f, int write, uint64_t offset,
                                 uint8_t *buf, uint64_t len,
                                 pio_request_t **req_p)
{
    pio_desc_t d;

    desc_contig(&d, offset, len);
    return start(f, write, buf, NULL, &d, req_p);
}

PFS_EXPORT pfs_status_t pio_iwrite(pio_file_t *f, uint64_t offset,
                                   const void *buf, uint64_t len,
                                   pio_request_t **req_p)
{
    return start_contig(f, 1, offset, (uint8_t *)buf, len, req_p);
}

PFS_EXPORT pfs_status_t pio_iread(pio_file_t *f, uint64_t offset, void *buf,
                                  uint64_t len, pio_request_t **req_p)
{
    return start_contig(f, 0, offset, buf, len, req_p);
}

PFS_EXPORT pfs_status_t pio_write(pio_file_t *f, uint64_t offset,
                                  const void *buf, uint64_t len)
{
    return start_contig(f, 1, offset, (uint8_t *)buf, len, NULL);
}

/* Contiguous reads report how much was before the end of the file, like
 * pread: that needs the logical size, asked for only when some server's
 * object ended early. */
PFS_EXPORT pfs_status_t pio_read(pio_file_t *f, uint64_t offset, void *buf,
                                 uint64_t len, uint64_t *nread_p)
{
    pio_request_t *req = NULL;
    uint64_t size;
    pfs_status_t st;
    int maybe_short;

    if (f == NULL || nread_p == NULL) {
        return PFS_ERR_INVAL;
    }
    st = start_contig(f, 0, offset, buf, len, &req);
    if (st != PFS_OK) {
        return st;
    }
    if (len == 0) {
        *nread_p = 0;
        return pio_wait(&req, NULL);
    }
    drive(req); /* wait, but look at the request before it is freed */
    maybe_short = req->maybe_short;
    st = complete(&req, NULL);
    if (st != PFS_OK) {
        return st;
    }
    if (!maybe_short) {
        *nread_p = len;
        return PFS_OK;
    }
    st = pioi_logical_size(f->client, &f->attr, &f->cap, &size);
    if (st == PFS_OK) {
        *nread_p = size <= offset ? 0 : PFS_MIN(len, size - offset);
    }
    return st;
}

/* ---- resize ------------------------------------------------------------ */

/* One request per server of the file: opcode with (fid, size of that
 * server's object). */
static pfs_status_t resize(pio_file_t *f, uint16_t opcode, uint64_t size)
{
    pio_client_t *c = f->client;
    const pfs_layout_t *layout = &f->attr.layout;
    uint32_t n = layout->stripe_count, i;
    pfs_rpc_t *rpcs, **ptrs;
    uint8_t(*bodies)[PFS_IO_REQ_MAX];
    pfs_status_t st = PFS_OK;

    c->errmsg[0] = '\0';
    if (size > PFS_MAX_FILE_SIZE) {
        return pioi_fail(c, PFS_ERR_FBIG, "size beyond the largest file");
    }
    if (f->flags == PIO_RDONLY) {
        return pioi_fail(c, PFS_ERR_BADF, "file not opened for writing");
    }
    st = pio_cap_fresh(f);
    if (st != PFS_OK) {
        return st;
    }
    for (i = 0; i < n; i++) {
        st = pioi_server_ready(c, &c->ios[layout->servers[i]]);
        if (st != PFS_OK) {
            return st;
        }
    }
    rpcs = calloc(n, sizeof(*rpcs));
    ptrs = calloc(n, sizeof(*ptrs));
    bodies = calloc(n, sizeof(*bodies));
    if (rpcs == NULL || ptrs == NULL || bodies == NULL) {
        st = pioi_fail(c, PFS_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        pfs_io_req_t m;
        size_t len;

        m.cap = f->cap;
        m.offset = pfs_layout_object_size(layout, i, size);
        m.length = 0;
        st = pfs_proto_io_req_encode(bodies[i], sizeof(bodies[i]), &m, &len);
        if (st != PFS_OK) {
            st = pioi_fail(c, st, "cannot encode a %s request",
                           pfs_proto_op_name(opcode));
            goto out; /* nothing posted yet */
        }
        pioi_rpc_init(c, &rpcs[i], opcode, bodies[i], len);
        ptrs[i] = &rpcs[i];
    }
    for (i = 0; i < n; i++) {
        pfs_rpc_post(c->tx, c->ios[layout->servers[i]].conn, &rpcs[i]);
    }
    pfs_rpc_wait_all(c->tx, ptrs, n);
    for (i = 0; i < n; i++) {
        if (rpcs[i].status != PFS_OK) {
            st = pioi_fail_rpc(c, &rpcs[i]);
            break;
        }
    }
out:
    free(bodies);
    free(ptrs);
    free(rpcs);
    return st;
}

PFS_EXPORT pfs_status_t pio_truncate(pio_file_t *f, uint64_t size)
{
    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    return resize(f, PFS_OP_IO_TRUNCATE, size);
}

PFS_EXPORT pfs_status_t pio_preallocate(pio_file_t *f, uint64_t size)
{
    if (f == NULL) {
        return PFS_ERR_INVAL;
    }
    return resize(f, PFS_OP_IO_PREALLOC, size);
}
