/* mpiio_user_bench.c - MPI-IO patterns as applications and IOR-style
 * benchmarks issue them, one call per transfer, timed on a pfs: file and
 * a ufs: file in the same run and reported as ratios.  Plain MPI-IO:
 * nothing here knows pfs (pfs: works on the MPICH that
 * adio/build-mpich.sh builds, or under Open MPI with pfs's components).
 *
 *   mpiio_user_bench --pfs PFSDIR --ufs UFSDIR [--reps N] [--label L]
 *                    [--patterns records,large,zero,meta]
 *                    [--records N] [--record-bytes B]
 *                    [--large-mib M] [--xfer-mib X]
 *                    [--zero-calls N] [--meta-files N] [--meta-cycles K]
 *
 * PFSDIR and UFSDIR are directories, such as "pfs:" or "pfs:/d" and
 * "ufs:/tmp/x" (they must exist); the files are made inside them.
 *
 * Patterns (each written, then read, and each timed from a barrier to
 * the slowest rank, open and close included; best of N repetitions,
 * pfs and ufs taking turns rep by rep):
 *   records  IOR "hard": N calls per rank, each one record of B bytes
 *            (default 400 x 47008) at offset (call * nprocs + rank) * B,
 *            MPI_File_write_at_all / read_at_all ("coll") and
 *            MPI_File_write_at / read_at ("indep"); reads take the next
 *            rank's records.  No sync.
 *   large    each rank M MiB (default 64) in its own region, in X MiB
 *            transfers (default 4), collective and independent; writes
 *            end with MPI_File_sync; reads take the next rank's region.
 *   zero     the per-call cost of MPI_File_write_at_all of 0 bytes,
 *            against one MPI_Allreduce of 16 bytes on the same
 *            communicator, measured in alternation (microseconds/call).
 *   meta     N files per rank (default 500) in the one directory:
 *            MPI_File_open(MPI_COMM_SELF, create) + close, then open +
 *            MPI_File_get_size + close, then MPI_File_delete
 *            (operations/s over all ranks).  --meta-cycles K repeats
 *            the three phases K times (pfs and ufs taking turns) and
 *            reports each phase's operations over its total time, so
 *            that a small directory is measured over as many operations
 *            as a large one (the directory never holds more than N
 *            files per rank).
 * Every byte read is checked against what was written (outside the
 * timed part).
 *
 * Output, CSV:
 *   label,pattern,mode,op,unit,pfs,ufs,pfs_over_ufs,ref,pfs_over_ref
 * ref is pfs's own independent rate of the same pattern on "coll" rows,
 * and the MPI_Allreduce time on the "zero" row.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rank, nprocs;

static void die(int rc, const char *what)
{
    if (rc != MPI_SUCCESS) {
        char s[MPI_MAX_ERROR_STRING];
        int n;
        MPI_Error_string(rc, s, &n);
        fprintf(stderr, "mpiio_user_bench: rank %d: %s: %s\n", rank, what, s);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* The time from t0 to the slowest rank's end.  A rank that is done waits
 * for the others asleep: MPICH's blocking collectives poll, and on a node
 * with more ranks than cores the polling ranks took the cores from the
 * ranks and servers still at work -- the harness's own wait, costing a
 * short phase (10^3 files) a quarter of its time. */
static double slowest(double t0)
{
    double t = MPI_Wtime() - t0, max;
    MPI_Request req;
    int done = 0;

    MPI_Iallreduce(&t, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD, &req);
    for (;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done)
            return max;
        usleep(50);
    }
}

/* the byte at file offset off */
static unsigned char pat(uint64_t off)
{
    return (unsigned char)((off * 2654435761u) >> 13 ^ off);
}

static void fill(unsigned char *b, uint64_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = pat(off + i);
}

static int check(const unsigned char *b, uint64_t off, size_t n,
                 const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] != pat(off + i)) {
            fprintf(stderr,
                    "mpiio_user_bench: rank %d: %s: file byte %llu is 0x%02x, "
                    "not 0x%02x\n",
                    rank, what, (unsigned long long)(off + i), b[i],
                    pat(off + i));
            return 0;
        }
    }
    return 1;
}

static void delete_file(const char *path)
{
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_File_delete(path, MPI_INFO_NULL);
    MPI_Barrier(MPI_COMM_WORLD);
}

/* ---- records and large: a rank's transfers ------------------------------ */

typedef struct {
    char name[32];
    size_t xfer;   /* bytes per call */
    int calls;     /* calls per rank */
    int segmented; /* 1: rank r owns [r*calls*xfer, ...); 0: interleaved */
    int sync;      /* MPI_File_sync after writing */
} xfer_pattern_t;

static uint64_t xfer_offset(const xfer_pattern_t *p, int owner, int call)
{
    if (p->segmented)
        return ((uint64_t)owner * (uint64_t)p->calls + (uint64_t)call) *
               p->xfer;
    return ((uint64_t)call * (uint64_t)nprocs + (uint64_t)owner) * p->xfer;
}

/* One timed pass: write (owner = this rank) or read (owner = next rank). */
static double xfer_once(const char *path, const xfer_pattern_t *p, int coll,
                        int write, unsigned char *buf, int *ok)
{
    MPI_File fh;
    MPI_Status status;
    int owner = write ? rank : (rank + 1) % nprocs;
    double t0, t;

    if (write)
        delete_file(path);
    else
        memset(buf, 0, p->xfer * (size_t)p->calls);
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    die(MPI_File_open(MPI_COMM_WORLD, path,
                      write ? MPI_MODE_CREATE | MPI_MODE_WRONLY
                            : MPI_MODE_RDONLY,
                      MPI_INFO_NULL, &fh),
        "open");
    for (int i = 0; i < p->calls; i++) {
        MPI_Offset off = (MPI_Offset)xfer_offset(p, owner, i);
        void *b = buf + (size_t)i * p->xfer;
        int n = (int)p->xfer;
        if (write && coll)
            die(MPI_File_write_at_all(fh, off, b, n, MPI_BYTE, &status),
                "write_at_all");
        else if (write)
            die(MPI_File_write_at(fh, off, b, n, MPI_BYTE, &status),
                "write_at");
        else if (coll)
            die(MPI_File_read_at_all(fh, off, b, n, MPI_BYTE, &status),
                "read_at_all");
        else
            die(MPI_File_read_at(fh, off, b, n, MPI_BYTE, &status), "read_at");
    }
    if (write && p->sync)
        die(MPI_File_sync(fh), "sync");
    die(MPI_File_close(&fh), "close");
    t = slowest(t0);
    if (!write) {
        for (int i = 0; i < p->calls && *ok; i++)
            *ok = check(buf + (size_t)i * p->xfer, xfer_offset(p, owner, i),
                        p->xfer, path);
    }
    return t;
}

static void print_row(const char *label, const char *pattern, const char *mode,
                      const char *op, const char *unit, double pfs, double ufs,
                      double ref)
{
    if (rank != 0)
        return;
    printf("%s,%s,%s,%s,%s,%.1f,%.1f,%.3f,", label, pattern, mode, op, unit,
           pfs, ufs, pfs / ufs);
    if (ref > 0)
        printf("%.1f,%.3f\n", ref, pfs / ref);
    else
        printf(",\n");
    fflush(stdout);
}

static void measure_xfer(const char *label, const xfer_pattern_t *p,
                         const char *pdir, const char *udir, int reps)
{
    size_t bytes = p->xfer * (size_t)p->calls;
    unsigned char *wbuf = malloc(bytes), *rbuf = malloc(bytes);
    double best[2][2][2]; /* [pfs/ufs][coll/indep][write/read] */
    char path[2][1024];
    double total_mib = (double)bytes * nprocs / 1048576.0;
    int ok = 1;

    if (wbuf == NULL || rbuf == NULL)
        die(MPI_ERR_NO_MEM, "buffers");
    for (int i = 0; i < p->calls; i++)
        fill(wbuf + (size_t)i * p->xfer, xfer_offset(p, rank, i), p->xfer);
    snprintf(path[0], sizeof(path[0]), "%s/%s.dat", pdir, p->name);
    snprintf(path[1], sizeof(path[1]), "%s/%s.dat", udir, p->name);
    for (int f = 0; f < 2; f++)
        for (int c = 0; c < 2; c++)
            best[f][c][0] = best[f][c][1] = 1e30;
    for (int r = 0; r < reps; r++) {
        for (int c = 0; c < 2; c++) {
            for (int f = 0; f < 2; f++) {
                double w = xfer_once(path[f], p, c == 0, 1, wbuf, &ok);
                double rd = xfer_once(path[f], p, c == 0, 0, rbuf, &ok);
                best[f][c][0] = w < best[f][c][0] ? w : best[f][c][0];
                best[f][c][1] = rd < best[f][c][1] ? rd : best[f][c][1];
            }
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!ok)
        die(MPI_ERR_OTHER, "data read back differs from what was written");
    for (int op = 0; op < 2; op++) {
        double rate[2][2];
        for (int f = 0; f < 2; f++)
            for (int c = 0; c < 2; c++)
                rate[f][c] = total_mib / best[f][c][op];
        print_row(label, p->name, "coll", op ? "read" : "write", "MiB/s",
                  rate[0][0], rate[1][0], rate[0][1]);
        print_row(label, p->name, "indep", op ? "read" : "write", "MiB/s",
                  rate[0][1], rate[1][1], 0);
    }
    for (int f = 0; f < 2; f++)
        delete_file(path[f]);
    free(wbuf);
    free(rbuf);
}

/* ---- zero: the fixed cost of a collective call ----------------------------
 */

/* Mean microseconds per call of `calls` zero-byte collective writes. */
static double zero_writes(MPI_File fh, int calls)
{
    char dummy = 0;
    double t0;

    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (int i = 0; i < calls; i++)
        die(MPI_File_write_at_all(fh, 0, &dummy, 0, MPI_BYTE,
                                  MPI_STATUS_IGNORE),
            "write_at_all of 0 bytes");
    return slowest(t0) / calls * 1e6;
}

static double allreduces(int calls)
{
    uint64_t in[2] = {(uint64_t)rank, 1}, out[2];
    double t0;

    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (int i = 0; i < calls; i++)
        MPI_Allreduce(in, out, 2, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return slowest(t0) / calls * 1e6;
}

static void measure_zero(const char *label, const char *pdir, const char *udir,
                         int calls, int reps)
{
    MPI_File fh[2];
    char path[2][1024];
    double best[3] = {1e30, 1e30, 1e30}; /* pfs, ufs, allreduce */

    snprintf(path[0], sizeof(path[0]), "%s/zero.dat", pdir);
    snprintf(path[1], sizeof(path[1]), "%s/zero.dat", udir);
    for (int f = 0; f < 2; f++)
        die(MPI_File_open(MPI_COMM_WORLD, path[f],
                          MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL,
                          &fh[f]),
            "open");
    /* warm up both paths once */
    zero_writes(fh[0], 10);
    zero_writes(fh[1], 10);
    allreduces(10);
    for (int r = 0; r < reps; r++) {
        double v[3];
        v[2] = allreduces(calls);
        v[0] = zero_writes(fh[0], calls);
        v[1] = zero_writes(fh[1], calls);
        for (int i = 0; i < 3; i++)
            best[i] = v[i] < best[i] ? v[i] : best[i];
    }
    for (int f = 0; f < 2; f++)
        die(MPI_File_close(&fh[f]), "close");
    for (int f = 0; f < 2; f++)
        delete_file(path[f]);
    print_row(label, "zero", "coll", "write", "us/call", best[0], best[1],
              best[2]);
}

/* ---- meta: create, open + size, delete --------------------------------------
 */

static double meta_phase(const char *dir, int files, int phase)
{
    char path[1024];
    double t0;

    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (int i = 0; i < files; i++) {
        MPI_File fh;
        MPI_Offset size;

        snprintf(path, sizeof(path), "%s/m.%d.%d", dir, rank, i);
        switch (phase) {
        case 0:
            die(MPI_File_open(MPI_COMM_SELF, path,
                              MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL,
                              &fh),
                "create");
            die(MPI_File_close(&fh), "close");
            break;
        case 1:
            die(MPI_File_open(MPI_COMM_SELF, path, MPI_MODE_RDONLY,
                              MPI_INFO_NULL, &fh),
                "open");
            die(MPI_File_get_size(fh, &size), "get_size");
            die(MPI_File_close(&fh), "close");
            break;
        default: die(MPI_File_delete(path, MPI_INFO_NULL), "delete");
        }
    }
    return (double)files * nprocs / slowest(t0);
}

static void measure_meta(const char *label, const char *pdir, const char *udir,
                         int files, int cycles, int reps)
{
    static const char *ops[3] = {"create", "open+size", "delete"};
    const char *dirs[2] = {pdir, udir};
    double best[2][3] = {{0, 0, 0}, {0, 0, 0}};

    for (int r = 0; r < reps; r++) {
        double secs[2][3] = {{0, 0, 0}, {0, 0, 0}};

        for (int c = 0; c < cycles; c++) {
            for (int f = 0; f < 2; f++) {
                for (int ph = 0; ph < 3; ph++) {
                    /* seconds of this phase: rate back to time */
                    secs[f][ph] +=
                        (double)files * nprocs / meta_phase(dirs[f], files, ph);
                }
            }
        }
        for (int f = 0; f < 2; f++) {
            for (int ph = 0; ph < 3; ph++) {
                double v = (double)files * nprocs * cycles / secs[f][ph];
                best[f][ph] = v > best[f][ph] ? v : best[f][ph];
            }
        }
    }
    for (int ph = 0; ph < 3; ph++)
        print_row(label, "meta", "self", ops[ph], "ops/s", best[0][ph],
                  best[1][ph], 0);
}

int main(int argc, char **argv)
{
    const char *pdir = NULL, *udir = NULL, *label = "run";
    const char *patterns = "records,large,zero,meta";
    int reps = 3, records = 400, record_bytes = 47008, large_mib = 64,
        xfer_mib = 4;
    int zero_calls = 2000, meta_files = 500, meta_cycles = 1;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--pfs") && v)
            pdir = argv[++i];
        else if (!strcmp(argv[i], "--ufs") && v)
            udir = argv[++i];
        else if (!strcmp(argv[i], "--label") && v)
            label = argv[++i];
        else if (!strcmp(argv[i], "--patterns") && v)
            patterns = argv[++i];
        else if (!strcmp(argv[i], "--reps") && v)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--records") && v)
            records = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--record-bytes") && v)
            record_bytes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--large-mib") && v)
            large_mib = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--xfer-mib") && v)
            xfer_mib = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--zero-calls") && v)
            zero_calls = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--meta-files") && v)
            meta_files = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--meta-cycles") && v)
            meta_cycles = atoi(argv[++i]);
        else {
            if (rank == 0)
                fprintf(stderr,
                        "usage: mpiio_user_bench --pfs PFSDIR --ufs UFSDIR "
                        "[--reps N] [--label L] [--patterns "
                        "records,large,zero,meta] "
                        "[--records N] [--record-bytes B] [--large-mib M] "
                        "[--xfer-mib X] "
                        "[--zero-calls N] [--meta-files N] "
                        "[--meta-cycles K]\n");
            MPI_Finalize();
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (pdir == NULL || udir == NULL || reps < 1 || records < 1 ||
        record_bytes < 1 || large_mib < 1 || xfer_mib < 1 ||
        large_mib % xfer_mib != 0 || zero_calls < 1 || meta_files < 1 ||
        meta_cycles < 1) {
        if (rank == 0)
            fprintf(stderr,
                    "mpiio_user_bench: --pfs and --ufs are required, counts "
                    "positive, --large-mib a multiple of --xfer-mib (try "
                    "--help)\n");
        MPI_Finalize();
        return 2;
    }
    MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
    if (rank == 0)
        printf("label,pattern,mode,op,unit,pfs,ufs,pfs_over_ufs,ref,pfs_over_"
               "ref\n");
    if (strstr(patterns, "records")) {
        xfer_pattern_t p = {.xfer = (size_t)record_bytes,
                            .calls = records,
                            .segmented = 0,
                            .sync = 0};
        snprintf(p.name, sizeof(p.name), "records%d", record_bytes);
        measure_xfer(label, &p, pdir, udir, reps);
    }
    if (strstr(patterns, "large")) {
        xfer_pattern_t p = {.xfer = (size_t)xfer_mib << 20,
                            .calls = large_mib / xfer_mib,
                            .segmented = 1,
                            .sync = 1};
        snprintf(p.name, sizeof(p.name), "large%dMiB", xfer_mib);
        measure_xfer(label, &p, pdir, udir, reps);
    }
    if (strstr(patterns, "zero"))
        measure_zero(label, pdir, udir, zero_calls, reps);
    if (strstr(patterns, "meta"))
        measure_meta(label, pdir, udir, meta_files, meta_cycles, reps);
    MPI_Finalize();
    return 0;
}
