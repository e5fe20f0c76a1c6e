/* fuzz_sio.c - libFuzzer targets for structured requests (common/sio.h):
 * the run list an I/O server decodes from a WRITEV or READV payload, the
 * checks it makes before queueing the request, and the execution plan it
 * runs (pfs_sio_plan, sieve windows, system-call groups).
 *
 * Input of both targets: u8 flags, then the request payload (run list,
 * then for writes the data).
 *
 * sio_runs: decode and validate as iosrv_main.c does; what decodes must
 * re-encode to the same bytes (runs of one block normalize their stride
 * to 0), respect every limit sio.h promises, and plan into pieces that
 * cover the payload exactly once.
 *
 * sio_exec: the plan executed the way run_rw() in iosrv/iosrv_main.c
 * executes it, on a memory file, first as a write and then as a read, and
 * compared byte for byte with a model that applies the blocks one by one
 * in request order (the semantics the I/O server promises: the later
 * block of a request wins).  Requests of at most 128 KiB in at most 4096
 * pieces over at most 512 KiB of object are executed, so that the target
 * runs thousands of inputs a second; larger ones (up to a whole sieve
 * window and beyond) are planned and searched for windows only.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "proto.h"
#include "sio.h"

#define IOSRV_MAX_IOV 1024 /* iosrv_main.c's MAX_IOV (Linux UIO_MAXIOV) */
#define EXEC_MAX_TOTAL (128u << 10)
#define EXEC_MAX_SPAN (512u << 10)
#define EXEC_MAX_PIECES 4096u       /* a system call each, at worst */
#define EXEC_OLD_BYTES (256u << 10) /* the object's bytes before */
#define SCRATCH_MAX 256u            /* plans compared with a fresh search */
/* Plans of more blocks are not made: a plan of PFS_SIO_MAX_PIECES takes
 * milliseconds (6 MiB, a sort), and inputs that ask for one would slow
 * the targets a hundredfold.  unit test sio/sieve_window_linear plans the
 * largest request there is. */
#define PLAN_MAX_PIECES 16384u

/* The plan's promises, whatever the runs. */
static void check_plan(const pfs_run_t *runs, uint32_t nruns, uint64_t total,
                       const pfs_sio_piece_t *p, size_t np, int ordered)
{
    uint64_t sum = 0, blocks = 0;
    size_t i;

    for (i = 0; i < nruns; i++) {
        blocks += runs[i].count;
    }
    FUZZ_CHECK(np <= blocks);
    for (i = 0; i < np; i++) {
        FUZZ_CHECK(p[i].len > 0);
        FUZZ_CHECK(p[i].pos <= total && p[i].len <= total - p[i].pos);
        FUZZ_CHECK(p[i].off <= PFS_MAX_FILE_SIZE &&
                   p[i].len <= PFS_MAX_FILE_SIZE - p[i].off);
        sum += p[i].len;
        if (ordered && i > 0) {
            FUZZ_CHECK(p[i - 1].off + p[i - 1].len <= p[i].off);
        }
        if (!ordered && i > 0) {
            FUZZ_CHECK(p[i - 1].pos + p[i - 1].len <= p[i].pos);
        }
    }
    FUZZ_CHECK(sum == total);
}

/* Decode as the I/O server does; 0 and the runs if it would queue it. */
static int decode_request(const uint8_t *data, size_t size, int *write_p,
                          pfs_run_t **runs_p, uint32_t *nruns_p,
                          uint64_t *total_p, size_t *consumed_p)
{
    const uint8_t *pl = data + 1;
    size_t plen = size - 1;

    if (size < 1) {
        return -1;
    }
    *write_p = data[0] & 1;
    if (pfs_sio_runs_decode(pl, plen, runs_p, nruns_p, total_p, consumed_p) !=
        PFS_OK) {
        return -1;
    }
    if (*write_p ? *total_p != plen - *consumed_p
                 : *consumed_p != plen || *total_p > PFS_PROTO_MAX_XFER) {
        free(*runs_p); /* rejected as iosrv_main.c rejects it */
        return -1;
    }
    return 0;
}

static int fuzz_sio_runs(const uint8_t *data, size_t size)
{
    const uint8_t *pl = data + 1;
    uint64_t total, sum = 0, pieces = 0;
    pfs_sio_piece_t *p;
    pfs_run_t *runs, *again;
    uint32_t nruns, n2, i;
    size_t consumed, c2, np;
    uint8_t *out;
    int ordered, canonical = 1;
    uint64_t t2;

    if (size < 1 || pfs_sio_runs_decode(pl, size - 1, &runs, &nruns, &total,
                                        &consumed) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(nruns >= 1 && nruns <= PFS_SIO_MAX_RUNS);
    FUZZ_CHECK(consumed == pfs_sio_runs_size(nruns) && consumed <= size - 1);
    for (i = 0; i < nruns; i++) {
        uint64_t last;

        FUZZ_CHECK(runs[i].len > 0 && runs[i].count >= 1);
        FUZZ_CHECK(runs[i].count > 1 || runs[i].stride == 0);
        last = runs[i].offset + (runs[i].count - 1) * runs[i].stride;
        FUZZ_CHECK(last <= PFS_MAX_FILE_SIZE &&
                   runs[i].len <= PFS_MAX_FILE_SIZE - last);
        sum += runs[i].len * runs[i].count;
        pieces += runs[i].count;
        if (runs[i].count == 1 && fuzz_le(pl + 4 + 32 * (size_t)i + 24, 8)) {
            canonical = 0; /* a stride the decoder drops */
        }
    }
    FUZZ_CHECK(sum == total && pieces <= PFS_SIO_MAX_PIECES);
    out = malloc(consumed);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(pfs_sio_runs_encode(runs, nruns, out) == PFS_OK);
    if (canonical) {
        FUZZ_CHECK(memcmp(out, pl, consumed) == 0);
    }
    FUZZ_CHECK(pfs_sio_runs_decode(out, consumed, &again, &n2, &t2, &c2) ==
               PFS_OK);
    FUZZ_CHECK(n2 == nruns && t2 == total && c2 == consumed &&
               memcmp(again, runs, nruns * sizeof(*runs)) == 0);
    free(again);
    free(out);
    free(runs);

    /* the I/O server's own checks, then its plan */
    if (pieces <= PLAN_MAX_PIECES) {
        int write;

        if (decode_request(data, size, &write, &runs, &nruns, &total,
                           &consumed) != 0) {
            return 0;
        }
        FUZZ_CHECK(pfs_sio_plan(runs, nruns, &p, &np, &ordered) == PFS_OK);
        check_plan(runs, nruns, total, p, np, ordered);
        free(p);
        free(runs);
    }
    return 0;
}

/* Payload byte i of a request: the input's data where there is some, a
 * pattern that tells positions apart elsewhere. */
static uint8_t payload_byte(const uint8_t *d, size_t dlen, uint64_t i)
{
    return i < dlen ? d[i] : (uint8_t)(i * 131u + (i >> 8) * 7u + 1u);
}

static uint8_t background(uint64_t i)
{
    return (uint8_t)(0xa5u ^ i ^ (i >> 9));
}

static int memfile(void)
{
    static int fd = -1;

    if (fd < 0) {
        fd = memfd_create("pfs-fuzz-object", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
    }
    return fd;
}

/* run_rw()'s loop: sieve windows where they pay, else groups of
 * object-contiguous pieces in one preadv/pwritev each. */
static int execute(int fd, const pfs_sio_piece_t *p, size_t np, int ordered,
                   uint8_t *base, int write, uint8_t *sbuf, size_t max_iov)
{
    static struct iovec iov[IOSRV_MAX_IOV];
    pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
    size_t i, end, k;
    int err = 0;

    for (i = 0; i < np && err == 0; i = end) {
        end = ordered ? pfs_sio_sieve_window(p, np, i, &scan) : i;
        FUZZ_CHECK(end == i || (end > i && end <= np));
        /* the carried search finds what a search from scratch finds */
        FUZZ_CHECK(!ordered || np > SCRATCH_MAX ||
                   end == pfs_sio_sieve_window(p, np, i, NULL));
        if (end > i) {
            uint64_t start = p[i].off, stop = start;

            for (k = i; k < end; k++) {
                stop = PFS_MAX(stop, p[k].off + p[k].len);
            }
            FUZZ_CHECK(stop - start <= PFS_SIO_SIEVE_MAX);
            err = pfs_sio_sieve_span(fd, p + i, end - i, base, write, sbuf,
                                     start, stop);
            continue;
        }
        end = pfs_sio_next_call(p, np, i, max_iov);
        FUZZ_CHECK(end > i && end <= np && end - i <= max_iov);
        for (k = i; k < end; k++) {
            FUZZ_CHECK(k == i || p[k - 1].off + p[k - 1].len == p[k].off);
            iov[k - i].iov_base = base + p[k].pos;
            iov[k - i].iov_len = p[k].len;
        }
        err = pfs_sio_transfer(fd, write, iov, (int)(end - i), p[i].off);
    }
    return err;
}

static int fuzz_sio_exec(const uint8_t *data, size_t size)
{
    static uint8_t *model, *filebuf, *payload, *got, *sbuf;
    pfs_sio_piece_t *p;
    pfs_run_t *runs;
    uint64_t total, lo = UINT64_MAX, hi = 0, span, pos, k, cut, blocks = 0;
    uint32_t nruns, i;
    size_t consumed, np, max_iov;
    int ordered, fd = memfile();
    const uint8_t *d;
    size_t dlen;

    if (model == NULL) {
        model = malloc(EXEC_MAX_SPAN);
        filebuf = malloc(EXEC_MAX_SPAN);
        payload = malloc(EXEC_MAX_TOTAL);
        FUZZ_CHECK(payload != NULL);
        got = malloc(EXEC_MAX_TOTAL);
        sbuf = malloc(PFS_SIO_SIEVE_MAX);
        FUZZ_CHECK(model && filebuf && payload && got && sbuf);
    }
    /* a read's runs come from the same bytes: take them as a write's */
    if (size < 1) {
        return 0;
    }
    if (pfs_sio_runs_decode(data + 1, size - 1, &runs, &nruns, &total,
                            &consumed) != PFS_OK) {
        return 0;
    }
    max_iov = (data[0] & 2) ? IOSRV_MAX_IOV : 1u + ((data[0] >> 2) & 7u);
    for (i = 0; i < nruns; i++) {
        blocks += runs[i].count;
        lo = PFS_MIN(lo, runs[i].offset);
        hi = PFS_MAX(hi, runs[i].offset + (runs[i].count - 1) * runs[i].stride +
                             runs[i].len);
    }
    span = hi - lo;
    if (total > PFS_PROTO_MAX_XFER || blocks > PLAN_MAX_PIECES) {
        free(runs); /* too large for the server to read, or to plan here */
        return 0;
    }
    FUZZ_CHECK(pfs_sio_plan(runs, nruns, &p, &np, &ordered) == PFS_OK);
    check_plan(runs, nruns, total, p, np, ordered);
    if (ordered) {
        /* run_rw()'s question before it locks: any window at all? */
        pfs_sio_sieve_scan_t scan = PFS_SIO_SIEVE_SCAN_INIT;
        size_t end;

        for (k = 0; k < np; k = end + 1) {
            end = pfs_sio_sieve_window(p, np, k, &scan);
            FUZZ_CHECK(np > SCRATCH_MAX ||
                       end == pfs_sio_sieve_window(p, np, k, NULL));
            if (end > k) {
                break;
            }
        }
    }
    if (total > EXEC_MAX_TOTAL || span > EXEC_MAX_SPAN ||
        np > EXEC_MAX_PIECES) {
        free(p);
        free(runs);
        return 0;
    }
    for (k = 0; k < np; k++) {
        p[k].off -= lo; /* the same plan on a small file */
    }
    d = data + 1 + consumed;
    dlen = size - 1 - consumed;
    for (k = 0; k < total; k++) {
        payload[k] = payload_byte(d, dlen, k);
    }

    /* the model: the object's old bytes (a pattern, then a hole), then
     * each block in order */
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    for (k = 0; k < PFS_MIN(span, EXEC_OLD_BYTES); k++) {
        model[k] = background(k);
    }
    FUZZ_CHECK(pwrite(fd, model, k, 0) == (ssize_t)k);
    memset(model + k, 0, span - k);
    FUZZ_CHECK(ftruncate(fd, (off_t)span) == 0);
    for (i = 0, pos = 0; i < nruns; i++) {
        for (k = 0; k < runs[i].count; k++) {
            memcpy(model + runs[i].offset - lo + k * runs[i].stride,
                   payload + pos, runs[i].len);
            pos += runs[i].len;
        }
    }
    FUZZ_CHECK(execute(fd, p, np, ordered, payload, 1, sbuf, max_iov) == 0);
    FUZZ_CHECK(pread(fd, filebuf, span, 0) == (ssize_t)span);
    FUZZ_CHECK(memcmp(filebuf, model, span) == 0);

    /* a read of the same runs, the object cut short (zeros past its end) */
    cut = span * (uint64_t)(data[0] >> 5) / 7u;
    FUZZ_CHECK(ftruncate(fd, (off_t)cut) == 0);
    memset(model + cut, 0, span - cut);
    memset(got, 0xee, total);
    FUZZ_CHECK(execute(fd, p, np, ordered, got, 0, sbuf, max_iov) == 0);
    for (i = 0, pos = 0; i < nruns; i++) {
        for (k = 0; k < runs[i].count; k++) {
            FUZZ_CHECK(memcmp(got + pos,
                              model + runs[i].offset - lo + k * runs[i].stride,
                              runs[i].len) == 0);
            pos += runs[i].len;
        }
    }
    free(p);
    free(runs);
    return 0;
}

FUZZ_ENTRY_POINT
