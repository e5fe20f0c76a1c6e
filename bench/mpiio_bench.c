/* mpiio_bench.c - one plain MPI-IO program, timed on two file names: a
 * pfs: file and a ufs: file, in the same run, reported as ratios.
 *
 *   mpiio_bench --pfs pfs:/FILE --ufs ufs:/DIR/FILE [--reps N] [--label L]
 *               [--contig-mib M] [--pieces N] [--xfer-mib T]
 *
 * Patterns (4 ranks in the published runs):
 *   contig    each rank one contiguous block of M MiB (write_at_all /
 *             read_at_all)
 *   xfer4m    the same block in independent write_at / read_at calls of
 *             --xfer-mib MiB (default 4: IOR's -b M -t 4m)
 *   strided   each rank every nprocs-th 47008-byte piece through a vector
 *             view, independent write / read (ROMIO ufs: uses data
 *             sieving here; pfs ships the pieces to the servers)
 *   tiled     a 2-D array of 64-byte rows split in nprocs column tiles
 *             (subarray view), collective write_all / read_all
 * For each pattern and file: best of N repetitions of write (with sync)
 * and read, the file deleted before each write.  Output: CSV lines
 *   label,pattern,op,bytes,pfs_MiB_s,ufs_MiB_s,ratio
 * Nothing in this program knows pfs: pfs: works when it runs on the MPICH
 * that adio/build-mpich.sh builds.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, nprocs;

typedef struct {
    const char *name;
    MPI_Offset disp;
    MPI_Datatype view; /* MPI_BYTE for contiguous */
    MPI_Offset offset; /* explicit offset (contig) */
    size_t bytes;      /* this rank's bytes */
    int collective;
    size_t xfer; /* > 0: independent calls of this many bytes */
} pattern_t;

static void die(int rc, const char *what)
{
    if (rc != MPI_SUCCESS) {
        char s[MPI_MAX_ERROR_STRING];
        int n;
        MPI_Error_string(rc, s, &n);
        fprintf(stderr, "mpiio_bench: %s: %s\n", what, s);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* one timed write (+ sync) or read of the pattern; returns seconds */
static double run_once(const char *path, const pattern_t *p, unsigned char *buf,
                       int write)
{
    MPI_File fh;
    double t0, t;

    if (write) {
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0)
            MPI_File_delete(path, MPI_INFO_NULL);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    die(MPI_File_open(MPI_COMM_WORLD, path,
                      write ? MPI_MODE_CREATE | MPI_MODE_WRONLY
                            : MPI_MODE_RDONLY,
                      MPI_INFO_NULL, &fh),
        "open");
    die(MPI_File_set_view(fh, p->disp, MPI_BYTE, p->view, "native",
                          MPI_INFO_NULL),
        "view");
    if (p->xfer > 0) {
        for (size_t k = 0; k < p->bytes; k += p->xfer) {
            int n = (int)(p->bytes - k < p->xfer ? p->bytes - k : p->xfer);
            if (write)
                die(MPI_File_write_at(fh, p->offset + (MPI_Offset)k, buf + k, n,
                                      MPI_BYTE, MPI_STATUS_IGNORE),
                    "write_at");
            else
                die(MPI_File_read_at(fh, p->offset + (MPI_Offset)k, buf + k, n,
                                     MPI_BYTE, MPI_STATUS_IGNORE),
                    "read_at");
        }
        if (write)
            die(MPI_File_sync(fh), "sync");
    } else if (write) {
        if (p->collective)
            die(MPI_File_write_at_all(fh, p->offset, buf, (int)p->bytes,
                                      MPI_BYTE, MPI_STATUS_IGNORE),
                "write_at_all");
        else
            die(MPI_File_write_at(fh, p->offset, buf, (int)p->bytes, MPI_BYTE,
                                  MPI_STATUS_IGNORE),
                "write_at");
        die(MPI_File_sync(fh), "sync");
    } else {
        if (p->collective)
            die(MPI_File_read_at_all(fh, p->offset, buf, (int)p->bytes,
                                     MPI_BYTE, MPI_STATUS_IGNORE),
                "read_at_all");
        else
            die(MPI_File_read_at(fh, p->offset, buf, (int)p->bytes, MPI_BYTE,
                                 MPI_STATUS_IGNORE),
                "read_at");
    }
    die(MPI_File_close(&fh), "close");
    t = MPI_Wtime() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return t;
}

static void measure(const char *label, const pattern_t *p, const char *pfs,
                    const char *ufs, int reps)
{
    unsigned char *buf = malloc(p->bytes ? p->bytes : 1);
    double best[2][2] = {{1e30, 1e30}, {1e30, 1e30}}; /* [file][write/read] */
    const char *paths[2] = {pfs, ufs};
    double total = (double)p->bytes * nprocs;

    for (size_t i = 0; i < p->bytes; i++)
        buf[i] = (unsigned char)(i * 7 + rank);
    /* interleave the two files rep by rep, so that both see the same
     * machine conditions */
    for (int r = 0; r < reps; r++) {
        for (int f = 0; f < 2; f++) {
            double w = run_once(paths[f], p, buf, 1);
            double rd = run_once(paths[f], p, buf, 0);
            if (w < best[f][0])
                best[f][0] = w;
            if (rd < best[f][1])
                best[f][1] = rd;
        }
    }
    if (rank == 0) {
        for (int op = 0; op < 2; op++) {
            double a = total / best[0][op] / 1048576.0,
                   b = total / best[1][op] / 1048576.0;
            printf("%s,%s,%s,%.0f,%.1f,%.1f,%.2f\n", label, p->name,
                   op ? "read" : "write", total, a, b, a / b);
        }
        fflush(stdout);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    const char *pfs = NULL, *ufs = NULL, *label = "run";
    int reps = 5, contig_mib = 64, pieces = 256, xfer_mib = 4;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--pfs") == 0 && v)
            pfs = argv[++i];
        else if (strcmp(argv[i], "--ufs") == 0 && v)
            ufs = argv[++i];
        else if (strcmp(argv[i], "--label") == 0 && v)
            label = argv[++i];
        else if (strcmp(argv[i], "--reps") == 0 && v)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--contig-mib") == 0 && v)
            contig_mib = atoi(argv[++i]);
        else if (strcmp(argv[i], "--pieces") == 0 && v)
            pieces = atoi(argv[++i]);
        else if (strcmp(argv[i], "--xfer-mib") == 0 && v)
            xfer_mib = atoi(argv[++i]);
        else {
            if (rank == 0)
                fprintf(
                    stderr,
                    "usage: mpiio_bench --pfs pfs:/FILE --ufs ufs:/DIR/FILE "
                    "[--reps N] [--label L] [--contig-mib M] [--pieces N] "
                    "[--xfer-mib T]\n");
            MPI_Finalize();
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (pfs == NULL || ufs == NULL || reps < 1 || contig_mib < 1 ||
        pieces < 1 || xfer_mib < 1) {
        if (rank == 0)
            fprintf(stderr,
                    "mpiio_bench: --pfs and --ufs are required (try --help)\n");
        MPI_Finalize();
        return 2;
    }
    MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
    if (rank == 0)
        printf("label,pattern,op,bytes,pfs_MiB_s,ufs_MiB_s,pfs_over_ufs\n");

    /* contiguous blocks */
    {
        pattern_t p = {.name = "contig", .view = MPI_BYTE, .collective = 1};
        p.bytes = (size_t)contig_mib << 20;
        p.offset = (MPI_Offset)rank * (MPI_Offset)p.bytes;
        measure(label, &p, pfs, ufs, reps);
    }
    /* the same blocks in independent transfers of xfer_mib MiB (IOR-like) */
    {
        pattern_t p = {.name = "xfer4m", .view = MPI_BYTE, .collective = 0};
        p.bytes = (size_t)contig_mib << 20;
        p.offset = (MPI_Offset)rank * (MPI_Offset)p.bytes;
        p.xfer = (size_t)xfer_mib << 20;
        if (xfer_mib != 4) {
            static char name[32];
            snprintf(name, sizeof(name), "xfer%dm", xfer_mib);
            p.name = name;
        }
        measure(label, &p, pfs, ufs, reps);
    }
    /* small strided: 47008-byte pieces, independent */
    {
        const int piece = 47008;
        MPI_Datatype vec, view;
        MPI_Type_vector(pieces, piece, piece * nprocs, MPI_BYTE, &vec);
        MPI_Type_create_resized(vec, 0, (MPI_Aint)piece * nprocs * pieces,
                                &view);
        MPI_Type_commit(&view);
        pattern_t p = {.name = "strided47008",
                       .view = view,
                       .collective = 0,
                       .disp = (MPI_Offset)rank * piece,
                       .bytes = (size_t)piece * pieces};
        measure(label, &p, pfs, ufs, reps);
        MPI_Type_free(&view);
        MPI_Type_free(&vec);
    }
    /* tiles with 64-byte rows: the array is ROWS x (nprocs * 64) bytes */
    {
        const int rows = 65536, row = 64;
        int gsizes[2] = {rows, row * nprocs}, sizes[2] = {rows, row},
            starts[2] = {0, row * rank};
        MPI_Datatype sub;
        MPI_Type_create_subarray(2, gsizes, sizes, starts, MPI_ORDER_C,
                                 MPI_BYTE, &sub);
        MPI_Type_commit(&sub);
        pattern_t p = {.name = "tiles64",
                       .view = sub,
                       .collective = 1,
                       .bytes = (size_t)rows * row};
        measure(label, &p, pfs, ufs, reps);
        MPI_Type_free(&sub);
    }
    MPI_Finalize();
    return 0;
}
