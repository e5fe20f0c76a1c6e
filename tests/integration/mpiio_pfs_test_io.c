/* mpiio_pfs_test_io.c - mpiio_pfs_test's modes shared, stale, misc and
 * calls (the ones ompio_pfs.sh runs under Open MPI too). */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpiio_pfs_test.h"

/* ---- shared and ordered file pointers ----------------------------------- */

/* A record: a header naming its writer, then bytes that depend on it. */
typedef struct {
    int32_t rank, seq, len, magic;
} rec_hdr_t;
#define REC_MAGIC 0x5eedf00d

static size_t rec_fill(unsigned char *buf, int r, int seq, int len)
{
    rec_hdr_t h = {r, seq, len, REC_MAGIC};
    memcpy(buf, &h, sizeof(h));
    for (int i = 0; i < len; i++)
        buf[sizeof(h) + i] =
            pattern((uint64_t)r * 1000003u + (uint64_t)seq * 7919u + i, 11);
    return sizeof(h) + (size_t)len;
}

/* The record at buf, checked; its size, or 0 if it is not a valid one. */
static size_t rec_check(const unsigned char *buf, size_t avail, int nseq,
                        rec_hdr_t *h)
{
    if (avail < sizeof(*h))
        return 0;
    memcpy(h, buf, sizeof(*h));
    if (h->magic != REC_MAGIC || h->rank < 0 || h->rank >= nprocs ||
        h->seq < 0 || h->seq >= nseq || h->len < 0 ||
        sizeof(*h) + (size_t)h->len > avail)
        return 0;
    for (int i = 0; i < h->len; i++) {
        if (buf[sizeof(*h) + i] !=
            pattern((uint64_t)h->rank * 1000003u + (uint64_t)h->seq * 7919u + i,
                    11))
            return 0;
    }
    return sizeof(*h) + (size_t)h->len;
}

static int rec_len(int r, int seq)
{
    return 100 + (r * 37 + seq * 1013) % 5000;
}

void shared(void)
{
    enum { NSEQ = 24, FIXED = 4096, NFIXED = 16 };
    char name[600];
    MPI_File fh;
    MPI_Status st;
    MPI_Offset size, pos, mine = 0, total = 0;
    unsigned char *buf = malloc(FIXED + 8192);
    int count;

    path(name, sizeof(name), pfsdir, "shared.dat");
    if (rank == 0)
        MPI_File_delete(name, MPI_INFO_NULL);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));

    /* 1. records of different sizes through the shared pointer, from every
     * rank at once; the last one non-blocking */
    for (int seq = 0; seq < NSEQ; seq++) {
        size_t n = rec_fill(buf, rank, seq, rec_len(rank, seq));
        if (seq == NSEQ - 1) {
            MPI_Request req;
            MPI_OK(MPI_File_iwrite_shared(fh, buf, (int)n, MPI_BYTE, &req));
            MPI_OK(MPI_Wait(&req, &st));
        } else {
            MPI_OK(MPI_File_write_shared(fh, buf, (int)n, MPI_BYTE, &st));
        }
        MPI_Get_count(&st, MPI_BYTE, &count);
        CHECK(count == (int)n, "write_shared wrote %d of %zu bytes", count, n);
        mine += (MPI_Offset)n;
    }
    MPI_Allreduce(&mine, &total, 1, MPI_OFFSET, MPI_SUM, MPI_COMM_WORLD);
    MPI_OK(MPI_File_sync(fh));
    MPI_OK(MPI_File_get_size(fh, &size));
    CHECK(size == total,
          "shared records: file holds %lld bytes, ranks wrote %lld",
          (long long)size, (long long)total);
    MPI_OK(MPI_File_get_position_shared(fh, &pos));
    CHECK(pos == total, "shared pointer at %lld after %lld bytes",
          (long long)pos, (long long)total);
    if (rank == 0) {
        /* walk the file: every record valid, each (rank, seq) once, no gap */
        unsigned char *all = malloc((size_t)size + 1);
        char *seen = calloc((size_t)nprocs * NSEQ, 1);
        size_t at = 0;
        int nrec = 0;
        MPI_OK(MPI_File_read_at(fh, 0, all, (int)size, MPI_BYTE, &st));
        while (at < (size_t)size) {
            rec_hdr_t h;
            size_t n = rec_check(all + at, (size_t)size - at, NSEQ, &h);
            if (n == 0) {
                CHECK(0, "shared records: no valid record at offset %zu", at);
                break;
            }
            CHECK(!seen[h.rank * NSEQ + h.seq], "record (%d, %d) twice", h.rank,
                  h.seq);
            seen[h.rank * NSEQ + h.seq] = 1;
            at += n;
            nrec++;
        }
        CHECK(nrec == nprocs * NSEQ, "shared records: %d of %d found", nrec,
              nprocs * NSEQ);
        printf("shared: %d records of %d ranks tile %lld bytes exactly\n", nrec,
               nprocs, (long long)size);
        free(all);
        free(seen);
    }

    /* 2. fixed-size records read back through the shared pointer: every
     * record goes to exactly one reader */
    MPI_OK(MPI_File_seek_shared(fh, 0, MPI_SEEK_END));
    MPI_OK(MPI_File_get_position_shared(fh, &pos));
    MPI_Barrier(MPI_COMM_WORLD); /* all looked before anyone writes on */
    CHECK(pos == total, "seek_shared(0, END) gave %lld, size %lld",
          (long long)pos, (long long)total);
    {
        MPI_Offset base = pos;
        int got[NFIXED * 64], ngot = 0, *all_got = NULL, nall = nprocs * NFIXED;
        for (int seq = 0; seq < NFIXED; seq++) {
            memset(buf, 0, FIXED);
            rec_fill(buf, rank, seq, FIXED - (int)sizeof(rec_hdr_t));
            MPI_OK(MPI_File_write_shared(fh, buf, FIXED, MPI_BYTE,
                                         MPI_STATUS_IGNORE));
        }
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_OK(MPI_File_seek_shared(fh, base, MPI_SEEK_SET));
        for (int k = 0; k < NFIXED; k++) {
            rec_hdr_t h;
            memset(buf, 0, FIXED);
            MPI_OK(MPI_File_read_shared(fh, buf, FIXED, MPI_BYTE, &st));
            MPI_Get_count(&st, MPI_BYTE, &count);
            CHECK(count == FIXED, "read_shared read %d bytes", count);
            if (rec_check(buf, FIXED, NFIXED, &h) != FIXED) {
                CHECK(0, "read_shared: record %d invalid", k);
                continue;
            }
            got[ngot++] = h.rank * NFIXED + h.seq;
        }
        if (rank == 0)
            all_got = calloc((size_t)nall, sizeof(int));
        {
            int *cnt = calloc((size_t)nall, sizeof(int));
            for (int i = 0; i < ngot; i++)
                cnt[got[i]]++;
            MPI_Reduce(cnt, all_got, nall, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
            free(cnt);
        }
        if (rank == 0) {
            int ok = 1;
            for (int i = 0; i < nall; i++)
                ok &= all_got[i] == 1;
            CHECK(ok, "read_shared: some record read twice or never");
            printf("shared: %d fixed records read back once each through the "
                   "shared pointer\n",
                   nall);
            free(all_got);
        }
        MPI_Barrier(MPI_COMM_WORLD); /* all reads done */
        MPI_OK(MPI_File_get_position_shared(fh, &pos));
        CHECK(pos == base + (MPI_Offset)nall * FIXED,
              "pointer after read_shared: %lld", (long long)pos);
    }

    /* 3. ordered: rank order, blocking and split */
    for (int split = 0; split < 2; split++) {
        MPI_Offset base, before = 0, sum = 0;
        int len = 1000 * (rank + 1) + split * 17;
        size_t n;
        MPI_OK(MPI_File_get_position_shared(fh, &base));
        MPI_Barrier(MPI_COMM_WORLD); /* everyone read it before it moves */
        n = rec_fill(buf, rank, split, len);
        if (split) {
            MPI_OK(MPI_File_write_ordered_begin(fh, buf, (int)n, MPI_BYTE));
            MPI_OK(MPI_File_write_ordered_end(fh, buf, &st));
        } else {
            MPI_OK(MPI_File_write_ordered(fh, buf, (int)n, MPI_BYTE, &st));
        }
        MPI_Get_count(&st, MPI_BYTE, &count);
        CHECK(count == (int)n, "write_ordered wrote %d of %zu", count, n);
        for (int r = 0; r < nprocs; r++) {
            MPI_Offset rn =
                (MPI_Offset)sizeof(rec_hdr_t) + 1000 * (r + 1) + split * 17;
            if (r < rank)
                before += rn;
            sum += rn;
        }
        MPI_OK(MPI_File_get_position_shared(fh, &pos));
        MPI_Barrier(MPI_COMM_WORLD); /* all looked before the seek below */
        CHECK(pos == base + sum, "pointer after write_ordered: %lld, want %lld",
              (long long)pos, (long long)(base + sum));
        /* this rank's record is where rank order puts it */
        {
            rec_hdr_t h;
            memset(buf, 0, n);
            MPI_OK(MPI_File_read_at(fh, base + before, buf, (int)n, MPI_BYTE,
                                    &st));
            CHECK(rec_check(buf, n, 2, &h) == n && h.rank == rank &&
                      h.seq == split,
                  "write_ordered: rank %d's record not at %lld", rank,
                  (long long)(base + before));
        }
        /* and read_ordered hands it back */
        MPI_OK(MPI_File_seek_shared(fh, base, MPI_SEEK_SET));
        memset(buf, 0, n);
        if (split) {
            MPI_OK(MPI_File_read_ordered_begin(fh, buf, (int)n, MPI_BYTE));
            MPI_OK(MPI_File_read_ordered_end(fh, buf, &st));
        } else {
            MPI_OK(MPI_File_read_ordered(fh, buf, (int)n, MPI_BYTE, &st));
        }
        {
            rec_hdr_t h;
            CHECK(rec_check(buf, n, 2, &h) == n && h.rank == rank &&
                      h.seq == split,
                  "read_ordered: rank %d got another record", rank);
        }
        MPI_OK(MPI_File_seek_shared(fh, 0, MPI_SEEK_END));
    }
    if (rank == 0)
        printf("shared: write_ordered/read_ordered (blocking and split) in "
               "rank order\n");
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    free(buf);
}

/* ---- I/O on a file removed while open ------------------------------------ */

void stale(void)
{
    /* run with PFS_LOCAL_IO=off: the servers' refusal is the point, and
     * with local access even a small write goes to the object directly */
    enum { N = 1000 };
    char name[600], s[MPI_MAX_ERROR_STRING];
    unsigned char buf[N];
    MPI_File fh;
    MPI_Status st;
    MPI_Request req;
    int rc = MPI_SUCCESS, cls, n, tries;

    path(name, sizeof(name), pfsdir, "stale.dat");
    memset(buf, 's', sizeof(buf));
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    MPI_OK(MPI_File_write_at(fh, (MPI_Offset)rank * N, buf, N, MPI_BYTE, &st));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    MPI_Barrier(MPI_COMM_WORLD);
    /* The metadata server tells the I/O servers about the removal in the
     * background; until they know, a write still lands (in an object
     * about to go).  Once they know, they refuse it (ESTALE), and that
     * must reach the program.  60 s is a deadline, not a measurement. */
    for (tries = 0; tries < 1200; tries++) {
        rc = MPI_File_write_at(fh, (MPI_Offset)rank * N, buf, N, MPI_BYTE, &st);
        if (rc != MPI_SUCCESS)
            break;
        usleep(50000);
    }
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE,
          "write_at to a removed file: class %d (0 is success), want "
          "MPI_ERR_NO_SUCH_FILE",
          cls);
    if (rc != MPI_SUCCESS && rank == 0) {
        MPI_Error_string(rc, s, &n);
        printf("stale: write_at after removal: %s\n", s);
    }
    /* the individual pointer */
    rc = MPI_File_write(fh, buf, N, MPI_BYTE, &st);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE, "write to a removed file: class %d",
          cls);
    /* non-blocking: the error comes with the completion */
    rc = MPI_File_iwrite_at(fh, (MPI_Offset)rank * N, buf, N, MPI_BYTE, &req);
    if (rc == MPI_SUCCESS)
        rc = MPI_Wait(&req, &st);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE,
          "iwrite_at + wait on a removed file: class %d", cls);
    /* collective: every rank gets the error */
    rc = MPI_File_write_at_all(fh, (MPI_Offset)rank * N, buf, N, MPI_BYTE, &st);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE,
          "write_at_all on a removed file: class %d", cls);
    MPI_File_close(&fh);
    if (rank == 0)
        printf("stale: blocking, individual-pointer, non-blocking and "
               "collective writes "
               "all failed with MPI_ERR_NO_SUCH_FILE\n");
}

/* ---- many small collective calls ---------------------------------------- */

/* Bytes of rank r in call i of the mixed loop: nothing to over 1 MiB,
 * different on every rank and call; every fifth call nobody has any. */
static uint64_t mixed_bytes(int i, int r)
{
    static const uint64_t sizes[] = {0,     1, 100,    4096,
                                     47008, 0, 300000, (1u << 20) + 7};
    if (i % 5 == 4)
        return 0;
    return sizes[(2 * i + 3 * r) % (int)(sizeof(sizes) / sizeof(sizes[0]))];
}

/* Offset of rank r's part of call i: after every earlier call's parts and
 * the lower ranks' parts of the same call. */
static uint64_t mixed_offset(int i, int r)
{
    uint64_t off = 0;
    for (int k = 0; k < i; k++)
        for (int q = 0; q < nprocs; q++)
            off += mixed_bytes(k, q);
    for (int q = 0; q < r; q++)
        off += mixed_bytes(i, q);
    return off;
}

/* One collective call per record, as programs and IOR make them:
 * write_at_all of one 47008-byte record per rank per call, then
 * read_at_all of the next rank's records; then calls whose sizes differ
 * across ranks and calls (ranks with nothing, calls where nobody has
 * anything), read back by the next rank.  Every byte checked. */
void calls(void)
{
    const int nrec = 200, rec = 47008, nmixed = 30;
    char name[600];
    unsigned char *buf = malloc((1u << 20) + 8);
    MPI_File fh;
    MPI_Status st;
    int bad = 0, next = (rank + 1) % nprocs;

    path(name, sizeof(name), pfsdir, "calls.dat");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    for (int i = 0; i < nrec; i++) {
        uint64_t off = ((uint64_t)i * nprocs + rank) * rec;
        for (int k = 0; k < rec; k++)
            buf[k] = pattern(off + k, 7);
        MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)off, buf, rec, MPI_BYTE,
                                     &st));
    }
    for (int i = 0; i < nrec; i++) {
        uint64_t off = ((uint64_t)i * nprocs + next) * rec;
        int count = -1;
        memset(buf, 0, rec);
        MPI_OK(
            MPI_File_read_at_all(fh, (MPI_Offset)off, buf, rec, MPI_BYTE, &st));
        MPI_Get_count(&st, MPI_BYTE, &count);
        CHECK(count == rec, "record call %d: read %d bytes", i, count);
        for (int k = 0; k < rec && !bad; k++)
            if (buf[k] != pattern(off + k, 7)) {
                CHECK(0, "record call %d: file byte %llu is 0x%02x", i,
                      (unsigned long long)(off + k), buf[k]);
                bad = 1;
            }
    }
    if (rank == 0)
        printf("calls: %d one-record collective writes and reads of the next "
               "rank's "
               "records, verified\n",
               nrec);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nmixed; i++) {
            int who = pass == 0 ? rank : next;
            uint64_t n = mixed_bytes(i, who), off = mixed_offset(i, who);
            int count = -1;
            if (pass == 0) {
                for (uint64_t k = 0; k < n; k++)
                    buf[k] = pattern(off + k, 8);
                MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)off, buf, (int)n,
                                             MPI_BYTE, &st));
                continue;
            }
            memset(buf, 0, n + 1);
            MPI_OK(MPI_File_read_at_all(fh, (MPI_Offset)off, buf, (int)n,
                                        MPI_BYTE, &st));
            MPI_Get_count(&st, MPI_BYTE, &count);
            CHECK(count == (int)n, "mixed call %d: read %d bytes of %llu", i,
                  count, (unsigned long long)n);
            CHECK(buf[n] == 0, "mixed call %d: read past the count", i);
            for (uint64_t k = 0; k < n && !bad; k++)
                if (buf[k] != pattern(off + k, 8)) {
                    CHECK(0, "mixed call %d: file byte %llu is 0x%02x", i,
                          (unsigned long long)(off + k), buf[k]);
                    bad = 1;
                }
        }
    }
    if (rank == 0)
        printf("calls: %d collective calls of 0 B to 1 MiB per rank, some "
               "ranks and some "
               "calls with nothing, read back by the next rank, verified\n",
               nmixed);
    MPI_OK(MPI_File_close(&fh));
    free(buf);
}

/* ---- delete on close, atomic mode ------------------------------------------
 */

void misc(void)
{
    char name[600];
    unsigned char buf[4096];
    MPI_File fh;
    int rc, cls, amode, flag = -1;

    path(name, sizeof(name), pfsdir, "doomed.dat");
    memset(buf, 'd', sizeof(buf));
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name,
                         MPI_MODE_CREATE | MPI_MODE_RDWR |
                             MPI_MODE_DELETE_ON_CLOSE,
                         MPI_INFO_NULL, &fh));
    MPI_OK(MPI_File_get_amode(fh, &amode));
    CHECK(amode & MPI_MODE_DELETE_ON_CLOSE,
          "get_amode lost MPI_MODE_DELETE_ON_CLOSE");
    MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)rank * sizeof(buf), buf,
                                 sizeof(buf), MPI_BYTE, MPI_STATUS_IGNORE));
    /* pfs has no byte-range locks: atomic mode is refused, not faked */
    rc = MPI_File_set_atomicity(fh, 1);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_UNSUPPORTED_OPERATION, "set_atomicity(1): class %d",
          cls);
    MPI_OK(MPI_File_get_atomicity(fh, &flag));
    CHECK(flag == 0, "atomicity %d after refusal", flag);
    MPI_OK(MPI_File_set_atomicity(fh, 0));
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                       &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE,
          "file still there after close with "
          "MPI_MODE_DELETE_ON_CLOSE (class %d)",
          cls);
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);
    if (rank == 0)
        printf("misc: delete on close removed the file; atomic mode refused\n");
}
