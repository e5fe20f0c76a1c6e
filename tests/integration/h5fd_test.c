/* h5fd_test.c - HDF5 programs for tests/integration/h5fd_*.sh: the same
 * file written through the pfs driver and through sec2 (or mpio), read
 * back element by element, and the refusals of a second writer.
 *
 * Built against each HDF5 the driver is built for: without MPI (serial
 * HDF5) only the serial modes exist.
 *
 *   h5fd_test write DRIVER NAME      create NAME (sec2, pfs or core)
 *   h5fd_test verify DRIVER NAME [nodeflate]
 *                                    check every element and attribute
 *                                    (nodeflate: of a file mpio wrote)
 *   h5fd_test hold NAME SECONDS      open NAME for writing through pfs,
 *                                    print "holding", sleep
 *   h5fd_test reopen-hold NAME SECONDS
 *                                    open NAME for writing twice, close
 *                                    one, print "holding", sleep
 *   h5fd_test config DIR NAME        H5Pset/get_fapl_pfs: DIR for relative
 *                                    names, 64 KiB stripes on 1 server
 *   h5fd_test trywrite NAME          open for writing through pfs: exit 3
 *                                    if refused as a second writer
 *   h5fd_test tryread NAME           open read-only through pfs and verify
 * MPI (parallel HDF5):
 *   h5fd_test fpp DIR                each rank writes and verifies
 *                                    DIR/rank<r>.h5 through pfs
 *   h5fd_test ro NAME                all ranks open NAME read-only through
 *                                    pfs with the collective open, verify
 *   h5fd_test multiwrite NAME        all ranks open NAME for writing with
 *                                    the communicator: must be refused
 *   h5fd_test mpio-write NAME        parallel HDF5 (mpio) writes NAME
 *   h5fd_test mpio-verify NAME       parallel HDF5 (mpio) checks NAME
 *
 * Datasets: "grid" (contiguous int), "chunked" (int, 32x50 chunks),
 * "deflate" (double, chunked, gzip level 6; not in files written through
 * mpio), groups /g1 and /g1/g2 with attributes.  Object times are not
 * tracked, so that two drivers write identical bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <pfs/H5FDpfs.h>

#define NX 256
#define NY 200

static int rank = 0;
#ifdef H5_HAVE_PARALLEL
static int nranks = 1;
#endif

static int grid_value(int i, int j)
{
    return i * 100003 + j * 7 + 1;
}
static double deflate_value(int i, int j)
{
    return (double)(i % 17) + j * 0.5;
}

#define CHECK(x)                                                               \
    do {                                                                       \
        if ((x) < 0) {                                                         \
            fprintf(stderr, "rank %d: %s:%d: %s failed\n", rank, __FILE__,     \
                    __LINE__, #x);                                             \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static hid_t fapl_for(const char *driver)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

    CHECK(fapl);
    if (strcmp(driver, "pfs") == 0) {
        CHECK(H5Pset_fapl_pfs(fapl, NULL));
    } else if (strcmp(driver, "sec2") == 0) {
        CHECK(H5Pset_fapl_sec2(fapl));
    } else if (strcmp(driver, "core") == 0) {
        CHECK(H5Pset_fapl_core(fapl, 1 << 20, 1));
#ifdef H5_HAVE_PARALLEL
    } else if (strcmp(driver, "mpio") == 0) {
        CHECK(H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL));
#endif
    } else {
        fprintf(stderr, "unknown driver %s\n", driver);
        exit(2);
    }
    return fapl;
}

static void put_attr_int(hid_t obj, const char *name, int v)
{
    hid_t sp = H5Screate(H5S_SCALAR), a;

    a = H5Acreate2(obj, name, H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a);
    CHECK(H5Awrite(a, H5T_NATIVE_INT, &v));
    H5Aclose(a);
    H5Sclose(sp);
}

static void put_attr_str(hid_t obj, const char *name, const char *v)
{
    hid_t sp = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1), a;

    H5Tset_size(t, strlen(v) + 1);
    a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a);
    CHECK(H5Awrite(a, t, v));
    H5Aclose(a);
    H5Tclose(t);
    H5Sclose(sp);
}

static int get_attr_int(hid_t obj, const char *name)
{
    int v = -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);

    CHECK(a);
    CHECK(H5Aread(a, H5T_NATIVE_INT, &v));
    H5Aclose(a);
    return v;
}

static void get_attr_str(hid_t obj, const char *name, char *out, size_t n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);

    CHECK(a);
    H5Tset_size(t, n);
    CHECK(H5Aread(a, t, out));
    H5Tclose(t);
    H5Aclose(a);
}

/* Create the datasets; with rows, write only rows [r0, r1) of the int
 * datasets (each rank its block, through mpio), with dxpl. */
static void write_content(hid_t f, int with_deflate, int r0, int r1, hid_t dxpl)
{
    hsize_t dims[2] = {NX, NY}, chunk[2] = {32, 50};
    hsize_t start[2] = {(hsize_t)r0, 0}, count[2] = {(hsize_t)(r1 - r0), NY};
    hid_t space = H5Screate_simple(2, dims, NULL), mspace, dcpl, gcpl, g1, g2,
          d;
    int *ibuf = malloc(sizeof(int) * NX * NY);
    double *dbuf = malloc(sizeof(double) * NX * NY);
    int i, j;

    for (i = r0; i < r1; i++) {
        for (j = 0; j < NY; j++) {
            ibuf[(i - r0) * NY + j] = grid_value(i, j);
        }
    }
    mspace = H5Screate_simple(2, count, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    CHECK(H5Pset_obj_track_times(dcpl, 0));
    gcpl = H5Pcreate(H5P_GROUP_CREATE);
    CHECK(H5Pset_obj_track_times(gcpl, 0));

    d = H5Dcreate2(f, "grid", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl,
                   H5P_DEFAULT);
    CHECK(d);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    CHECK(H5Dwrite(d, H5T_NATIVE_INT, mspace, space, dxpl, ibuf));
    put_attr_str(d, "units", "furlongs per fortnight");
    H5Dclose(d);

    CHECK(H5Pset_chunk(dcpl, 2, chunk));
    d = H5Dcreate2(f, "chunked", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl,
                   H5P_DEFAULT);
    CHECK(d);
    CHECK(H5Dwrite(d, H5T_NATIVE_INT, mspace, space, dxpl, ibuf));
    H5Dclose(d);

    if (with_deflate) {
        for (i = 0; i < NX; i++) {
            for (j = 0; j < NY; j++) {
                dbuf[i * NY + j] = deflate_value(i, j);
            }
        }
        CHECK(H5Pset_deflate(dcpl, 6));
        d = H5Dcreate2(f, "deflate", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                       dcpl, H5P_DEFAULT);
        CHECK(d);
        CHECK(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       dbuf));
        H5Dclose(d);
    }

    g1 = H5Gcreate2(f, "g1", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    CHECK(g1);
    g2 = H5Gcreate2(g1, "g2", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    CHECK(g2);
    put_attr_int(g1, "answer", 42);
    put_attr_str(g2, "note", "written through pfs or not");
    put_attr_int(f, "version", 7);
    H5Gclose(g2);
    H5Gclose(g1);
    H5Pclose(gcpl);
    H5Pclose(dcpl);
    H5Sclose(mspace);
    H5Sclose(space);
    free(ibuf);
    free(dbuf);
}

/* Check every element; returns the number of errors. */
static long verify_content(hid_t f, int with_deflate)
{
    int *ibuf = malloc(sizeof(int) * NX * NY);
    double *dbuf = malloc(sizeof(double) * NX * NY);
    const char *ints[] = {"grid", "chunked"};
    char s[64];
    long errors = 0;
    int i, j, k;
    hid_t d, g;

    for (k = 0; k < 2; k++) {
        d = H5Dopen2(f, ints[k], H5P_DEFAULT);
        CHECK(d);
        CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, ibuf));
        for (i = 0; i < NX; i++) {
            for (j = 0; j < NY; j++) {
                errors += ibuf[i * NY + j] != grid_value(i, j);
            }
        }
        H5Dclose(d);
    }
    if (with_deflate) {
        d = H5Dopen2(f, "deflate", H5P_DEFAULT);
        CHECK(d);
        CHECK(
            H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dbuf));
        for (i = 0; i < NX; i++) {
            for (j = 0; j < NY; j++) {
                errors += dbuf[i * NY + j] != deflate_value(i, j);
            }
        }
        H5Dclose(d);
    }
    d = H5Dopen2(f, "grid", H5P_DEFAULT);
    get_attr_str(d, "units", s, sizeof(s));
    errors += strcmp(s, "furlongs per fortnight") != 0;
    H5Dclose(d);
    g = H5Gopen2(f, "g1", H5P_DEFAULT);
    CHECK(g);
    errors += get_attr_int(g, "answer") != 42;
    H5Gclose(g);
    g = H5Gopen2(f, "g1/g2", H5P_DEFAULT);
    CHECK(g);
    get_attr_str(g, "note", s, sizeof(s));
    errors += strcmp(s, "written through pfs or not") != 0;
    H5Gclose(g);
    errors += get_attr_int(f, "version") != 7;
    free(ibuf);
    free(dbuf);
    return errors;
}

static int do_write(const char *driver, const char *name)
{
    hid_t fapl = fapl_for(driver);
    hid_t f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);

    CHECK(f);
    write_content(f, 1, 0, NX, H5P_DEFAULT);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    printf("wrote %s through %s\n", name, driver);
    return 0;
}

static int do_verify(const char *driver, const char *name, int with_deflate)
{
    hid_t fapl = fapl_for(driver);
    hid_t f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    long errors;

    CHECK(f);
    errors = verify_content(f, with_deflate);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    printf("rank %d: %s through %s: %s (%ld errors)\n", rank, name, driver,
           errors ? "FAILED" : "OK", errors);
    return errors ? 1 : 0;
}

static int do_hold(const char *name, int seconds)
{
    hid_t fapl = fapl_for("pfs");
    hid_t f = H5Fopen(name, H5F_ACC_RDWR, fapl);

    CHECK(f);
    printf("holding %s for writing (pid %d)\n", name, (int)getpid());
    fflush(stdout);
    sleep((unsigned)seconds);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    printf("released %s\n", name);
    return 0;
}

/* Open NAME for writing twice (HDF5 opens the driver file again, then
 * shares the first), close the first, and hold the second: the file
 * must stay leased. */
static int do_reopen_hold(const char *name, int seconds)
{
    hid_t fapl = fapl_for("pfs");
    hid_t f1 = H5Fopen(name, H5F_ACC_RDWR, fapl), f2;

    CHECK(f1);
    f2 = H5Fopen(name, H5F_ACC_RDWR, fapl);
    CHECK(f2);
    CHECK(H5Fclose(f1));
    printf("holding %s for writing after a second open and a close (pid %d)\n",
           name, (int)getpid());
    fflush(stdout);
    sleep((unsigned)seconds);
    CHECK(H5Fclose(f2));
    H5Pclose(fapl);
    return 0;
}

/* H5Pset_fapl_pfs's configuration: a directory for relative names and a
 * layout, read back through H5Pget_fapl_pfs from the fapl and from the
 * open file's access list; creates DIR/NAME with 64 KiB stripes on one
 * server. */
static int do_config(const char *dir, const char *name)
{
    H5FD_pfs_config_t in, out;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), f, fa;
    int bad = 0;

    H5FD_pfs_config_init(&in);
    snprintf(in.dir, sizeof(in.dir), "%s", dir);
    in.stripe_size = 65536;
    in.stripe_count = 1;
    CHECK(H5Pset_fapl_pfs(fapl, &in));
    CHECK(H5Pget_fapl_pfs(fapl, &out));
    bad += strcmp(out.dir, dir) != 0 || out.stripe_size != 65536 ||
           out.stripe_count != 1;
    f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    CHECK(f);
    fa = H5Fget_access_plist(f);
    CHECK(fa);
    CHECK(H5Pget_fapl_pfs(fa, &out));
    bad += strcmp(out.dir, dir) != 0 || out.stripe_size != 65536;
    H5Pclose(fa);
    write_content(f, 1, 0, NX, H5P_DEFAULT);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    /* a fapl of another driver is refused */
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5E_BEGIN_TRY
    {
        bad += H5Pget_fapl_pfs(fapl, &out) >= 0;
    }
    H5E_END_TRY;
    H5Pclose(fapl);
    printf("config: %s\n", bad ? "FAILED" : "OK");
    return bad ? 1 : 0;
}

/* Exit 3 when the open for writing was refused, 0 when it worked. */
static int do_trywrite(const char *name)
{
    hid_t fapl = fapl_for("pfs");
    hid_t f = H5Fopen(name, H5F_ACC_RDWR, fapl);

    H5Pclose(fapl);
    if (f < 0) {
        printf("open for writing refused\n");
        return 3;
    }
    CHECK(H5Fclose(f));
    printf("opened for writing\n");
    return 0;
}

#ifdef H5_HAVE_PARALLEL
static int do_fpp(const char *dir)
{
    char name[512];

    snprintf(name, sizeof(name), "%s/rank%d.h5", dir, rank);
    do_write("pfs", name);
    return do_verify("pfs", name, 1);
}

static int do_ro(const char *name)
{
    H5FD_pfs_config_t config;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), f;
    long errors;

    H5FD_pfs_config_init(&config);
    config.comm = MPI_COMM_WORLD;
    CHECK(H5Pset_fapl_pfs(fapl, &config));
    f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    if (f < 0) {
        /* every rank must get here, and none may wait in the open */
        printf("rank %d: the collective open of %s failed\n", rank, name);
        H5Pclose(fapl);
        return 1;
    }
    errors = verify_content(f, 1);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    printf("rank %d: read-only %s with the collective open: %s (%ld errors)\n",
           rank, name, errors ? "FAILED" : "OK", errors);
    return errors ? 1 : 0;
}

static int do_multiwrite(const char *name)
{
    H5FD_pfs_config_t config;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), f;

    H5FD_pfs_config_init(&config);
    config.comm = MPI_COMM_WORLD;
    CHECK(H5Pset_fapl_pfs(fapl, &config));
    f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f >= 0) {
        printf("rank %d: %d ranks created %s for writing: NOT refused\n", rank,
               nranks, name);
        H5Fclose(f);
        return 1;
    }
    printf("rank %d: refused\n", rank);
    return 0;
}

static int do_mpio_write(const char *name)
{
    hid_t fapl = fapl_for("mpio"), dxpl = H5Pcreate(H5P_DATASET_XFER), f;
    int r0 = rank * NX / nranks, r1 = (rank + 1) * NX / nranks;

    CHECK(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
    f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    CHECK(f);
    write_content(f, 0, r0, r1, dxpl);
    CHECK(H5Fclose(f));
    H5Pclose(dxpl);
    H5Pclose(fapl);
    if (rank == 0) {
        printf("wrote %s through mpio on %d ranks\n", name, nranks);
    }
    return 0;
}
#endif

int main(int argc, char **argv)
{
    int rc = 2;

#ifdef H5_HAVE_PARALLEL
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
#endif
    if (argc >= 4 && strcmp(argv[1], "write") == 0) {
        rc = do_write(argv[2], argv[3]);
    } else if (argc >= 4 && strcmp(argv[1], "verify") == 0) {
        rc = do_verify(argv[2], argv[3],
                       !(argc >= 5 && strcmp(argv[4], "nodeflate") == 0));
    } else if (argc >= 4 && strcmp(argv[1], "hold") == 0) {
        rc = do_hold(argv[2], atoi(argv[3]));
    } else if (argc >= 4 && strcmp(argv[1], "reopen-hold") == 0) {
        rc = do_reopen_hold(argv[2], atoi(argv[3]));
    } else if (argc >= 4 && strcmp(argv[1], "config") == 0) {
        rc = do_config(argv[2], argv[3]);
    } else if (argc >= 3 && strcmp(argv[1], "trywrite") == 0) {
        rc = do_trywrite(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "tryread") == 0) {
        rc = do_verify("pfs", argv[2], 1);
#ifdef H5_HAVE_PARALLEL
    } else if (argc >= 3 && strcmp(argv[1], "fpp") == 0) {
        rc = do_fpp(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "ro") == 0) {
        rc = do_ro(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "multiwrite") == 0) {
        rc = do_multiwrite(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "mpio-write") == 0) {
        rc = do_mpio_write(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "mpio-verify") == 0) {
        rc = do_verify("mpio", argv[2], 0);
#endif
    } else {
        fprintf(stderr, "usage: see the top of h5fd_test.c\n");
    }
#ifdef H5_HAVE_PARALLEL
    MPI_Finalize();
#endif
    return rc;
}
