
/* mpiio_pfs_test.c - MPI-IO on pfs: through the ROMIO driver, checked by
 * a plain MPI program (no pfs header, no pfs library: it is compiled
 * against Debian's MPICH and run with the pfs-enabled MPICH on
 * LD_LIBRARY_PATH).
 *
 *   mpiio_pfs_test -m MODE -d PFSDIR [-u UFSDIR | -l LOCALDIR]
 *
 * -u names a local directory through ROMIO's "ufs:" prefix; -l names it
 * without a prefix (Open MPI's OMPIO knows no "ufs:").
 *
 * Modes:
 *   basic   ufs: and pfs: files in the same run; hints in and out
 *           (layout requested = layout reported; bad values ignored);
 *           error classes; non-blocking, split collective and
 *           MPI_File_iwrite_all calls; views built from subarray, darray
 *           and indexed types written collectively and read back with
 *           another decomposition, every byte verified
 *   noens   the open fails with MPI_ERR_IO naming the missing ensemble
 *   large   MPI_File_write_at_all / read_at_all of one derived type of
 *           more than 2^31 bytes (rank 0; the others take part empty)
 *   nospace PFSDIR is on an I/O server with less room than 32 MiB per
 *           rank: a collective write fails with MPI_ERR_NO_SPACE on every
 *           rank, and the file is removed
 *   readonly PFSDIR holds "keep" on an I/O server whose storage is
 *           read-only: keep reads (4 MiB), a new file's write fails with
 *           MPI_ERR_READ_ONLY
 *   shared  shared and ordered file pointers: records written with
 *           write_shared / iwrite_shared by every rank tile the file
 *           exactly (no gap, no overlap, each record once), read_shared
 *           hands every record to exactly one rank, write_ordered /
 *           read_ordered (and their split forms) follow rank order, seek
 *           and position of the shared pointer
 *   stale   the file is removed while open: independent writes (blocking,
 *           non-blocking, individual pointer) and a collective write
 *           report an error of class MPI_ERR_NO_SUCH_FILE, not success
 *   misc    MPI_MODE_DELETE_ON_CLOSE removes the file; atomic mode is
 *           refused with MPI_ERR_UNSUPPORTED_OPERATION
 *   calls   many small collective calls: one 47008-byte record per rank
 *           per write_at_all (200 calls), read back by the next rank with
 *           read_at_all; then calls of 0 B to 1 MiB that differ across
 *           ranks and calls, some ranks and whole calls with nothing;
 *           every byte verified
 * shared, stale, misc and calls are run under Open MPI by ompio_pfs.sh,
 * calls under MPICH too (mpiio_pfs.sh).  Under
 * MPICH with the ROMIO driver, stale's MPI_File_iwrite_at + MPI_Wait ends
 * in a fatal error (the driver's generalized request takes
 * MPI_COMM_WORLD's error handler, not the file's) and misc finds the
 * file still there after a close with MPI_MODE_DELETE_ON_CLOSE; not
 * investigated here.
 * Prints "mpiio_pfs_test MODE: OK" on rank 0 when every check passed.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpiio_pfs_test.h"

int rank, nprocs, errors;
char pfsdir[512] = "pfs:/mpiio", ufsdir[512] = "";

/* the byte every test expects at file offset o of file `salt` */
unsigned char pattern(uint64_t o, unsigned salt)
{
    return (unsigned char)((o * 2654435761u >> 7) + salt);
}

void path(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

int error_class(int rc)
{
    int cls = MPI_SUCCESS;
    if (rc != MPI_SUCCESS)
        MPI_Error_class(rc, &cls);
    return cls;
}

/* ---- ufs and pfs side by side --------------------------------------- */
static void both_drivers(void)
{
    const char *dirs[2] = {ufsdir, pfsdir};
    for (int d = 0; d < 2; d++) {
        char name[600];
        MPI_File fh;
        int n = 100000;
        unsigned char *buf = malloc(n), *back = malloc(n);
        if (dirs[d][0] == '\0')
            continue;
        path(name, sizeof(name), dirs[d], "both.dat");
        for (int i = 0; i < n; i++)
            buf[i] = pattern((uint64_t)rank * n + i, 1);
        MPI_OK(MPI_File_open(MPI_COMM_WORLD, name,
                             MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL,
                             &fh));
        MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)rank * n, buf, n, MPI_BYTE,
                                     MPI_STATUS_IGNORE));
        MPI_OK(MPI_File_read_at_all(fh, (MPI_Offset)((rank + 1) % nprocs) * n,
                                    back, n, MPI_BYTE, MPI_STATUS_IGNORE));
        for (int i = 0; i < n; i++) {
            if (back[i] !=
                pattern((uint64_t)((rank + 1) % nprocs) * n + i, 1)) {
                CHECK(0, "%s: byte %d differs", name, i);
                break;
            }
        }
        MPI_OK(MPI_File_close(&fh));
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0)
            MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
        free(buf);
        free(back);
    }
}

/* ---- hints ------------------------------------------------------------ */
static void get_hint(MPI_File fh, const char *key, char *value)
{
    MPI_Info info;
    int flag;
    MPI_OK(MPI_File_get_info(fh, &info));
    MPI_Info_get(info, key, MPI_MAX_INFO_VAL, value, &flag);
    if (!flag)
        strcpy(value, "(unset)");
    MPI_Info_free(&info);
}

static void hints(void)
{
    char name[600], v[MPI_MAX_INFO_VAL + 1];
    MPI_Info info;
    MPI_File fh;

    /* the layout requested is the layout reported */
    path(name, sizeof(name), pfsdir, "hints.dat");
    MPI_Info_create(&info);
    MPI_Info_set(info, "striping_unit", "65536");
    MPI_Info_set(info, "striping_factor", "1");
    MPI_Info_set(info, "cb_buffer_size", "1048576");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         info, &fh));
    MPI_Info_free(&info);
    get_hint(fh, "striping_unit", v);
    CHECK(strcmp(v, "65536") == 0, "striping_unit reported %s, asked 65536", v);
    get_hint(fh, "striping_factor", v);
    CHECK(strcmp(v, "1") == 0, "striping_factor reported %s, asked 1", v);
    get_hint(fh, "cb_buffer_size", v);
    CHECK(strcmp(v, "1048576") == 0, "cb_buffer_size reported %s", v);
    get_hint(fh, "cb_nodes", v);
    CHECK(strcmp(v, "1") == 0, "cb_nodes reported %s (1 stripe: 1 aggregator)",
          v);
    MPI_OK(MPI_File_close(&fh));
    /* kept: the test script checks it with pfs-getstripe / pfs-stat */

    /* nonsense values are ignored (with a warning), never fatal */
    path(name, sizeof(name), pfsdir, "badhints.dat");
    MPI_Info_create(&info);
    MPI_Info_set(info, "striping_unit", "12345"); /* not a multiple of 512 */
    MPI_Info_set(info, "striping_factor", "lots");
    MPI_Info_set(info, "pfs_direct_min", "-5");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         info, &fh));
    MPI_Info_free(&info);
    get_hint(fh, "striping_unit", v);
    CHECK(strcmp(v, "12345") != 0, "a bad striping_unit was used");
    MPI_OK(MPI_File_close(&fh));

    /* more servers than exist: all servers */
    path(name, sizeof(name), pfsdir, "wide.dat");
    MPI_Info_create(&info);
    MPI_Info_set(info, "striping_factor", "64");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         info, &fh));
    MPI_Info_free(&info);
    get_hint(fh, "striping_factor", v);
    CHECK(atoi(v) >= 1 && atoi(v) < 64, "striping_factor 64 reported as %s", v);
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
        path(name, sizeof(name), pfsdir, "badhints.dat");
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    }
}

/* ---- error classes ------------------------------------------------------ */
static void errors_classes(void)
{
    char name[600];
    MPI_File fh;
    int rc, cls;

    MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
    path(name, sizeof(name), pfsdir, "no-such-file");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                       &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_NO_SUCH_FILE, "open of a missing file: class %d", cls);

    path(name, sizeof(name), pfsdir, "exists.dat");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name,
                         MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL,
                         &fh));
    MPI_OK(MPI_File_close(&fh));
    rc = MPI_File_open(MPI_COMM_WORLD, name,
                       MPI_MODE_CREATE | MPI_MODE_EXCL | MPI_MODE_WRONLY,
                       MPI_INFO_NULL, &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_FILE_EXISTS,
          "exclusive create of an existing file: class %d", cls);
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);

    /* the message names the cause */
    if (rc != MPI_SUCCESS && rank == 0) {
        char s[MPI_MAX_ERROR_STRING];
        int n;
        MPI_Error_string(rc, s, &n);
        CHECK(strstr(s, "exists.dat") != NULL,
              "message does not name the file: %s", s);
        printf("exclusive create error: %s\n", s);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
        rc = MPI_File_delete(name, MPI_INFO_NULL);
        cls = error_class(rc);
        CHECK(cls == MPI_ERR_NO_SUCH_FILE, "delete of a missing file: class %d",
              cls);
    }
    /* a directory is not a file */
    rc = MPI_File_open(MPI_COMM_WORLD, pfsdir, MPI_MODE_RDONLY, MPI_INFO_NULL,
                       &fh);
    CHECK(rc != MPI_SUCCESS, "opening a directory succeeded");
}

/* ---- views: subarray, darray, indexed -------------------------------------
 */

/* A global N0 x N1 array of 4-byte cells; each cell holds its index. */
#define N0 61
#define N1 67

/* The cells (row-major indices) a rank's part of a view covers, in view
 * order, computed here rather than with MPI_Pack: the test must not trust
 * the MPI library's datatype engine to check the driver's file views. */
enum { KIND_SUBARRAY, KIND_ROWS, KIND_DARRAY };
static int dims2[2];

static int cells_of(int kind, int32_t *out)
{
    int n = 0;
    for (int r = 0; r < N0; r++) {
        for (int c = 0; c < N1; c++) {
            int mine = 0;
            if (kind == KIND_SUBARRAY) {
                int r0 = rank / dims2[1], r1 = rank % dims2[1];
                mine = r >= r0 * N0 / dims2[0] &&
                       r < (r0 + 1) * N0 / dims2[0] &&
                       c >= r1 * N1 / dims2[1] && c < (r1 + 1) * N1 / dims2[1];
            } else if (kind == KIND_ROWS) {
                mine = r % nprocs == rank;
            } else { /* darray: rows cyclic(3), columns block */
                int pr = rank / dims2[1], pc = rank % dims2[1];
                int bs = (N1 + dims2[1] - 1) / dims2[1];
                mine = (r / 3) % dims2[0] == pr && c / bs == pc;
            }
            if (mine)
                out[n++] = r * N1 + c;
        }
    }
    return n;
}

static void view_roundtrip(const char *what, MPI_Datatype wtype, int wkind,
                           MPI_Datatype rtype, int rkind, int coll_mode)
{
    char name[600];
    MPI_File fh;
    MPI_Count wsize, rsize;
    int32_t *wbuf, *rbuf;
    int32_t *global;

    path(name, sizeof(name), pfsdir, what);
    MPI_Type_size_x(wtype, &wsize);
    MPI_Type_size_x(rtype, &rsize);
    /* write: the cells of this rank's part of the view, in view order.
     * To know which cells those are, read the whole global array
     * afterwards: every cell must hold its own index. */
    wbuf = malloc(sizeof(int32_t) * N0 * N1);
    rbuf = malloc(sizeof(int32_t) * N0 * N1);
    global = malloc(sizeof(int32_t) * N0 * N1);

    /* what goes in: each cell's own index, in view order */
    CHECK(cells_of(wkind, wbuf) * 4 == wsize, "%s: view size %lld", what,
          (long long)wsize);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    MPI_OK(MPI_File_set_view(fh, 0, MPI_INT, wtype, "native", MPI_INFO_NULL));
    if (coll_mode == 0) {
        MPI_OK(MPI_File_write_all(fh, wbuf, (int)(wsize / 4), MPI_INT,
                                  MPI_STATUS_IGNORE));
    } else if (coll_mode == 1) {
        MPI_Request req;
        MPI_OK(MPI_File_iwrite_all(fh, wbuf, (int)(wsize / 4), MPI_INT, &req));
        MPI_OK(MPI_Wait(&req, MPI_STATUS_IGNORE));
    } else {
        MPI_OK(MPI_File_write_all_begin(fh, wbuf, (int)(wsize / 4), MPI_INT));
        MPI_OK(MPI_File_write_all_end(fh, wbuf, MPI_STATUS_IGNORE));
    }
    /* read back with the other decomposition (independent, non-blocking) */
    MPI_OK(MPI_File_set_view(fh, 0, MPI_INT, rtype, "native", MPI_INFO_NULL));
    {
        MPI_Request req;
        MPI_Status st;
        int got;
        memset(rbuf, 0xff, rsize);
        MPI_OK(MPI_File_iread_at(fh, 0, rbuf, (int)(rsize / 4), MPI_INT, &req));
        MPI_OK(MPI_Wait(&req, &st));
        MPI_Get_count(&st, MPI_INT, &got);
        CHECK(got == (int)(rsize / 4), "%s: iread_at count %d", what, got);
        int32_t *want = malloc(sizeof(int32_t) * N0 * N1);
        cells_of(rkind, want);
        for (MPI_Count i = 0; i < rsize / 4; i++) {
            if (rbuf[i] != want[i]) {
                CHECK(0, "%s: cell %lld holds %d, want %d", what, (long long)i,
                      rbuf[i], want[i]);
                break;
            }
        }
        free(want);
    }
    /* and the whole file, contiguous, on every rank */
    MPI_OK(
        MPI_File_set_view(fh, 0, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL));
    MPI_OK(MPI_File_read_at_all(fh, 0, global, N0 * N1 * 4, MPI_BYTE,
                                MPI_STATUS_IGNORE));
    for (int i = 0; i < N0 * N1; i++) {
        if (global[i] != i) {
            CHECK(0, "%s: file cell %d holds %d", what, i, global[i]);
            break;
        }
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    free(wbuf);
    free(rbuf);
    free(global);
}

static void views(void)
{
    int dims[2] = {0, 0};
    int gsizes[2] = {N0, N1};
    MPI_Datatype sub_w, sub_r, darr, idx_t;

    MPI_Dims_create(nprocs, 2, dims);
    dims2[0] = dims[0];
    dims2[1] = dims[1];
    /* subarray, uneven blocks: this rank's (row block, column block) */
    {
        int r0 = rank / dims[1], r1 = rank % dims[1];
        int lo0 = r0 * N0 / dims[0], hi0 = (r0 + 1) * N0 / dims[0];
        int lo1 = r1 * N1 / dims[1], hi1 = (r1 + 1) * N1 / dims[1];
        int sizes[2] = {hi0 - lo0, hi1 - lo1}, starts[2] = {lo0, lo1};
        MPI_Type_create_subarray(2, gsizes, sizes, starts, MPI_ORDER_C, MPI_INT,
                                 &sub_w);
        MPI_Type_commit(&sub_w);
    }
    /* the other decomposition: rows, dealt round-robin (indexed) */
    {
        int nrows = 0;
        int *bl = malloc(sizeof(int) * N0), *disp = malloc(sizeof(int) * N0);
        for (int r = rank; r < N0; r += nprocs) {
            bl[nrows] = N1;
            disp[nrows] = r * N1;
            nrows++;
        }
        MPI_Type_indexed(nrows, bl, disp, MPI_INT, &idx_t);
        MPI_Type_commit(&idx_t);
        /* resize to the whole array so that count 1 covers it */
        MPI_Datatype t;
        MPI_Type_create_resized(idx_t, 0, (MPI_Aint)N0 * N1 * 4, &t);
        MPI_Type_free(&idx_t);
        idx_t = t;
        MPI_Type_commit(&idx_t);
        free(bl);
        free(disp);
    }
    /* darray: block-cyclic(3) x block over the process grid */
    {
        int distribs[2] = {MPI_DISTRIBUTE_CYCLIC, MPI_DISTRIBUTE_BLOCK};
        int dargs[2] = {3, MPI_DISTRIBUTE_DFLT_DARG};
        MPI_Type_create_darray(nprocs, rank, 2, gsizes, distribs, dargs, dims,
                               MPI_ORDER_C, MPI_INT, &darr);
        MPI_Type_commit(&darr);
    }
    /* the file views tile the whole array once: write with one, read with
     * another */
    {
        MPI_Datatype t;
        MPI_Type_create_resized(sub_w, 0, (MPI_Aint)N0 * N1 * 4, &t);
        MPI_Type_free(&sub_w);
        sub_w = t;
        MPI_Type_commit(&sub_w);
        sub_r = sub_w;
    }
    view_roundtrip("view-subarray.dat", sub_w, KIND_SUBARRAY, idx_t, KIND_ROWS,
                   0);
    view_roundtrip("view-darray.dat", darr, KIND_DARRAY, sub_r, KIND_SUBARRAY,
                   1);
    view_roundtrip("view-indexed.dat", idx_t, KIND_ROWS, darr, KIND_DARRAY, 2);
    MPI_Type_free(&sub_w);
    MPI_Type_free(&darr);
    MPI_Type_free(&idx_t);
}

/* ---- non-blocking independent and split collective reads ----------------- */
static void nonblocking(void)
{
    char name[600];
    MPI_File fh;
    enum { N = 8, PIECE = 47008 };
    MPI_Request req[N];
    unsigned char *buf = malloc((size_t)N * PIECE),
                  *back = malloc((size_t)N * PIECE);

    path(name, sizeof(name), pfsdir, "nb.dat");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    /* each rank every nprocs-th piece, all requests in flight at once */
    for (int i = 0; i < N; i++) {
        MPI_Offset off = ((MPI_Offset)i * nprocs + rank) * PIECE;
        for (int k = 0; k < PIECE; k++)
            buf[(size_t)i * PIECE + k] = pattern((uint64_t)off + k, 7);
        MPI_OK(MPI_File_iwrite_at(fh, off, buf + (size_t)i * PIECE, PIECE,
                                  MPI_BYTE, &req[i]));
    }
    MPI_Status sts[N];
    MPI_OK(MPI_Waitall(N, req, sts));
    MPI_OK(MPI_File_sync(fh));
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_File_sync(fh));
    /* split collective read of the neighbour's pieces through a vector view */
    {
        MPI_Datatype vec, filetype;
        int other = (rank + 1) % nprocs;
        MPI_Type_vector(N, PIECE, PIECE * nprocs, MPI_BYTE, &vec);
        MPI_Type_create_resized(vec, 0, (MPI_Aint)PIECE * nprocs * N,
                                &filetype);
        MPI_Type_commit(&filetype);
        MPI_OK(MPI_File_set_view(fh, (MPI_Offset)other * PIECE, MPI_BYTE,
                                 filetype, "native", MPI_INFO_NULL));
        MPI_OK(MPI_File_read_all_begin(fh, back, N * PIECE, MPI_BYTE));
        MPI_OK(MPI_File_read_all_end(fh, back, MPI_STATUS_IGNORE));
        for (int i = 0; i < N; i++) {
            MPI_Offset off = ((MPI_Offset)i * nprocs + other) * PIECE;
            for (int k = 0; k < PIECE; k++) {
                if (back[(size_t)i * PIECE + k] !=
                    pattern((uint64_t)off + k, 7)) {
                    CHECK(0, "split read: piece %d byte %d", i, k);
                    i = N;
                    break;
                }
            }
        }
        /* the individual pointer moved past what was read */
        MPI_Offset pos;
        MPI_OK(MPI_File_get_position(fh, &pos));
        CHECK(pos == N * PIECE, "position after read_all: %lld",
              (long long)pos);
        MPI_Type_free(&vec);
        MPI_Type_free(&filetype);
    }
    /* size, set_size, preallocate */
    {
        MPI_Offset size;
        MPI_OK(MPI_File_get_size(fh, &size));
        CHECK(size == (MPI_Offset)N * nprocs * PIECE, "size %lld",
              (long long)size);
        MPI_OK(MPI_File_set_size(fh, 1000));
        MPI_OK(MPI_File_get_size(fh, &size));
        CHECK(size == 1000, "size after set_size(1000): %lld", (long long)size);
        MPI_OK(MPI_File_preallocate(fh, 5000));
        MPI_OK(MPI_File_get_size(fh, &size));
        CHECK(size == 5000, "size after preallocate(5000): %lld",
              (long long)size);
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    free(buf);
    free(back);
}

int main(int argc, char **argv)
{
    const char *mode = "basic";
    int opt, total;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    while ((opt = getopt(argc, argv, "m:d:u:l:h")) != -1) {
        switch (opt) {
        case 'm': mode = optarg; break;
        case 'd': snprintf(pfsdir, sizeof(pfsdir), "%s", optarg); break;
        case 'u': snprintf(ufsdir, sizeof(ufsdir), "ufs:%s", optarg); break;
        case 'l': snprintf(ufsdir, sizeof(ufsdir), "%s", optarg); break;
        default:
            if (rank == 0)
                fprintf(
                    stderr,
                    "usage: %s -m basic|noens|large|access|nospace|readonly|"
                    "shared|stale|misc|calls -d PFSDIR [-u UFSDIR | -l "
                    "LOCALDIR]\n",
                    argv[0]);
            MPI_Finalize();
            return opt == 'h' ? 0 : 2;
        }
    }
    MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
    if (strcmp(mode, "basic") == 0) {
        both_drivers();
        hints();
        errors_classes();
        views();
        nonblocking();
    } else if (strcmp(mode, "noens") == 0) {
        noens();
    } else if (strcmp(mode, "large") == 0) {
        large();
    } else if (strcmp(mode, "access") == 0) {
        access_checks();
    } else if (strcmp(mode, "nospace") == 0) {
        storage_fault("nospace.dat", MPI_ERR_NO_SPACE, "nospace",
                      "No space left on device");
    } else if (strcmp(mode, "readonly") == 0) {
        read_only();
    } else if (strcmp(mode, "shared") == 0) {
        shared();
    } else if (strcmp(mode, "stale") == 0) {
        stale();
    } else if (strcmp(mode, "misc") == 0) {
        misc();
    } else if (strcmp(mode, "calls") == 0) {
        calls();
    } else {
        if (rank == 0)
            fprintf(stderr, "unknown mode %s\n", mode);
        errors++;
    }
    MPI_Allreduce(&errors, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("mpiio_pfs_test %s: %s (%d errors)\n", mode,
               total ? "FAILED" : "OK", total);
    MPI_Finalize();
    return total ? 1 : 0;
}
