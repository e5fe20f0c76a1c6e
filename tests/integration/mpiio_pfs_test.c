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

static int rank, nprocs, errors;
static char pfsdir[512] = "pfs:/mpiio", ufsdir[512] = "";

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            errors++;                                                          \
            fprintf(stderr, "rank %d: %s:%d: ", rank, __FILE__, __LINE__);     \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define MPI_OK(call)                                                           \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != MPI_SUCCESS) {                                              \
            char s_[MPI_MAX_ERROR_STRING];                                     \
            int n_;                                                            \
            MPI_Error_string(rc_, s_, &n_);                                    \
            fprintf(stderr, "rank %d: %s:%d: %s: %s\n", rank, __FILE__,        \
                    __LINE__, #call, s_);                                      \
            errors++;                                                          \
        }                                                                      \
    } while (0)

/* the byte every test expects at file offset o of file `salt` */
static unsigned char pattern(uint64_t o, unsigned salt)
{
    return (unsigned char)((o * 2654435761u >> 7) + salt);
}

static void path(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static int error_class(int rc)
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

/* ---- > 2^31 bytes in one call ---------------------------------------------
 */
static void large(void)
{
    const MPI_Offset MIB = 1 << 20, nmib = 2100; /* 2100 MiB > 2^31 */
    char name[600];
    MPI_File fh;
    MPI_Datatype mib, big;
    MPI_Status st;
    MPI_Count got;
    unsigned char *buf = NULL;
    int count = rank == 0 ? 1 : 0;

    path(name, sizeof(name), pfsdir, "large.dat");
    MPI_Type_contiguous((int)MIB, MPI_BYTE, &mib);
    MPI_Type_contiguous((int)nmib, mib, &big);
    MPI_Type_commit(&big);
    if (rank == 0) {
        buf = malloc((size_t)(MIB * nmib));
        CHECK(buf != NULL, "no memory for %lld MiB", (long long)nmib);
        for (size_t i = 0; i < (size_t)(MIB * nmib); i++)
            buf[i] = pattern(i, 3);
    }
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    MPI_OK(MPI_File_write_at_all(fh, 0, buf, count, big, &st));
    MPI_Get_elements_x(&st, MPI_BYTE, &got);
    CHECK(got == (rank == 0 ? MIB * nmib : 0), "write_at_all wrote %lld bytes",
          (long long)got);
    if (rank == 0)
        memset(buf, 0, (size_t)(MIB * nmib));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, count, big, &st));
    MPI_Get_elements_x(&st, MPI_BYTE, &got);
    CHECK(got == (rank == 0 ? MIB * nmib : 0), "read_at_all read %lld bytes",
          (long long)got);
    if (rank == 0) {
        for (size_t i = 0; i < (size_t)(MIB * nmib); i++) {
            if (buf[i] != pattern(i, 3)) {
                CHECK(0, "large: byte %zu differs", i);
                break;
            }
        }
        printf("large: %lld bytes in one write_at_all and one read_at_all, "
               "verified\n",
               (long long)(MIB * nmib));
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    MPI_Type_free(&big);
    MPI_Type_free(&mib);
    free(buf);
}

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

static void shared(void)
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

static void stale(void)
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
static void calls(void)
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

static void misc(void)
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

static void noens(void)
{
    char name[600];
    MPI_File fh;
    int rc, cls;

    path(name, sizeof(name), pfsdir, "x.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                       MPI_INFO_NULL, &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_IO,
          "open without an ensemble: class %d, want MPI_ERR_IO", cls);
    if (rc != MPI_SUCCESS && rank == 0) {
        char s[MPI_MAX_ERROR_STRING];
        int n;
        MPI_Error_string(rc, s, &n);
        printf("open without an ensemble: %s\n", s);
    }
}

/* ---- permissions (run as an unprivileged user) --------------------------
 * PFSDIR is a sticky 1777 directory holding root's root-only.dat (0600)
 * and read-only.dat (0644, 4096 bytes of 'r'). */
static void access_checks(void)
{
    char name[600], buf[4096], s[MPI_MAX_ERROR_STRING];
    MPI_Status status;
    MPI_File fh;
    int rc, cls, n, count, i;

    path(name, sizeof(name), pfsdir, "root-only.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                       &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_ACCESS, "open of root's 0600 file: class %d", cls);
    if (rc != MPI_SUCCESS && rank == 0) {
        MPI_Error_string(rc, s, &n);
        CHECK(strstr(s, "permission denied") != NULL, "message: %s", s);
        printf("access: open of root's 0600 file: %s\n", s);
    }
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);

    path(name, sizeof(name), pfsdir, "read-only.dat");
    rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDWR, MPI_INFO_NULL, &fh);
    cls = error_class(rc);
    CHECK(cls == MPI_ERR_ACCESS,
          "read-write open of a 0644 file of root: class %d", cls);
    if (rc == MPI_SUCCESS)
        MPI_File_close(&fh);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                         &fh));
    memset(buf, 0, sizeof(buf));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, sizeof(buf), MPI_BYTE, &status));
    MPI_Get_count(&status, MPI_BYTE, &count);
    for (i = 0; i < (int)sizeof(buf) && buf[i] == 'r'; i++)
        ;
    CHECK(count == (int)sizeof(buf) && i == (int)sizeof(buf),
          "read of a 0644 file: %d bytes, %d right", count, i);
    MPI_OK(MPI_File_close(&fh));

    if (rank == 0) {
        path(name, sizeof(name), pfsdir, "root-only.dat");
        rc = MPI_File_delete(name, MPI_INFO_NULL);
        cls = error_class(rc);
        CHECK(cls == MPI_ERR_ACCESS,
              "delete of root's file in a sticky directory: class %d", cls);
    }

    /* one's own file in the shared directory: written, read, removed */
    path(name, sizeof(name), pfsdir, "mine.dat");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    memset(buf, 'a' + rank, sizeof(buf));
    MPI_OK(MPI_File_write_at_all(fh, (MPI_Offset)rank * sizeof(buf), buf,
                                 sizeof(buf), MPI_BYTE, &status));
    MPI_OK(MPI_File_sync(fh));
    memset(buf, 0, sizeof(buf));
    MPI_OK(MPI_File_read_at_all(fh,
                                (MPI_Offset)((rank + 1) % nprocs) * sizeof(buf),
                                buf, sizeof(buf), MPI_BYTE, &status));
    for (i = 0; i < (int)sizeof(buf) && buf[i] == 'a' + (rank + 1) % nprocs;
         i++)
        ;
    CHECK(i == (int)sizeof(buf), "own file: %d bytes right of %zu", i,
          sizeof(buf));
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
}

/* ---- storage faults (env_faults.sh) -------------------------------------- */
static void storage_fault(const char *file, int want_class, const char *what)
{
    const MPI_Offset per_rank = (MPI_Offset)32 << 20;
    char name[600], s[MPI_MAX_ERROR_STRING];
    MPI_File fh;
    MPI_Status status;
    char *buf = malloc((size_t)per_rank);
    int rc, cls, n;

    CHECK(buf != NULL, "malloc");
    memset(buf, 'n', (size_t)per_rank);
    path(name, sizeof(name), pfsdir, file);
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_CREATE | MPI_MODE_RDWR,
                         MPI_INFO_NULL, &fh));
    rc = MPI_File_write_at_all(fh, rank * per_rank, buf, (int)per_rank,
                               MPI_BYTE, &status);
    cls = error_class(rc);
    CHECK(cls == want_class, "%s: collective write: class %d, expected %d",
          what, cls, want_class);
    if (rc != MPI_SUCCESS && rank == 0) {
        MPI_Error_string(rc, s, &n);
        printf("%s: collective write: %s\n", what, s);
    }
    MPI_OK(MPI_File_close(&fh));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        MPI_OK(MPI_File_delete(name, MPI_INFO_NULL));
    free(buf);
}

static void read_only(void)
{
    char name[600];
    MPI_File fh;
    MPI_Status status;
    int count;
    char *buf = malloc(4 << 20);

    CHECK(buf != NULL, "malloc");
    path(name, sizeof(name), pfsdir, "keep");
    MPI_OK(MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY, MPI_INFO_NULL,
                         &fh));
    MPI_OK(MPI_File_read_at_all(fh, 0, buf, 4 << 20, MPI_BYTE, &status));
    MPI_Get_count(&status, MPI_BYTE, &count);
    CHECK(count == 4 << 20, "readonly: read %d bytes of keep", count);
    MPI_OK(MPI_File_close(&fh));
    free(buf);
    storage_fault("ro.dat", MPI_ERR_READ_ONLY, "readonly");
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
        storage_fault("nospace.dat", MPI_ERR_NO_SPACE, "nospace");
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
