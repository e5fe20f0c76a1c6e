/* h5fd_bench.c - one process writes and reads HDF5 files through three
 * drivers in one run: sec2 on a local file, mpio on a pfs: name (the
 * ROMIO driver), and the pfs driver.  Two patterns: one large contiguous
 * dataset written and read with one call each, and a chunked dataset
 * written and read chunk by chunk (many small I/Os).  Prints CSV lines
 * (pattern,driver,op,MiB,seconds,MiB/s), best of --reps.
 *
 *   h5fd_bench --local DIR --pfs PFSDIR [--large-mib 256]
 *              [--chunk-kib 16] [--chunks 4096] [--reps 3]
 *
 * Built against Debian's HDF5 for MPICH (h5fd/libh5fd_pfs_mpich); runs
 * with one rank on the pfs-enabled MPICH.  Times include H5Fclose (the
 * pfs driver's flush syncs the servers' objects; sec2 and mpio do not
 * sync), and reads start from a fresh open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>
#include <mpi.h>
#include <pfs/H5FDpfs.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define CHECK(x)                                                               \
    do {                                                                       \
        if ((x) < 0) {                                                         \
            fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #x);     \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static hid_t fapl_for(const char *driver)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

    if (strcmp(driver, "pfs-driver") == 0) {
        CHECK(H5Pset_fapl_pfs(fapl, NULL));
    } else if (strcmp(driver, "mpio-pfs") == 0) {
        CHECK(H5Pset_fapl_mpio(fapl, MPI_COMM_SELF, MPI_INFO_NULL));
    } else {
        CHECK(H5Pset_fapl_sec2(fapl));
    }
    return fapl;
}

/* pattern 0: one contiguous dataset of n bytes, one call;
 * pattern 1: nchunks chunks of csize bytes, one call per chunk. */
static double run(const char *driver, const char *name, int pattern, int write,
                  char *buf, size_t n, size_t csize, size_t nchunks)
{
    hid_t fapl = fapl_for(driver), f, d, space, mspace;
    hsize_t dims = pattern == 0 ? n : csize * nchunks, chunk = csize;
    double t0 = now();
    size_t i;

    if (write) {
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);

        f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        CHECK(f);
        space = H5Screate_simple(1, &dims, NULL);
        if (pattern == 1) {
            CHECK(H5Pset_chunk(dcpl, 1, &chunk));
        }
        d = H5Dcreate2(f, "data", H5T_NATIVE_CHAR, space, H5P_DEFAULT, dcpl,
                       H5P_DEFAULT);
        CHECK(d);
        H5Pclose(dcpl);
    } else {
        f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
        CHECK(f);
        d = H5Dopen2(f, "data", H5P_DEFAULT);
        CHECK(d);
        space = H5Dget_space(d);
    }
    if (pattern == 0) {
        if (write) {
            CHECK(H5Dwrite(d, H5T_NATIVE_CHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           buf));
        } else {
            CHECK(H5Dread(d, H5T_NATIVE_CHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          buf));
        }
    } else {
        mspace = H5Screate_simple(1, &chunk, NULL);
        for (i = 0; i < nchunks; i++) {
            hsize_t start = i * csize;

            H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &chunk,
                                NULL);
            if (write) {
                CHECK(H5Dwrite(d, H5T_NATIVE_CHAR, mspace, space, H5P_DEFAULT,
                               buf + start));
            } else {
                CHECK(H5Dread(d, H5T_NATIVE_CHAR, mspace, space, H5P_DEFAULT,
                              buf + start));
            }
        }
        H5Sclose(mspace);
    }
    H5Sclose(space);
    H5Dclose(d);
    CHECK(H5Fclose(f));
    H5Pclose(fapl);
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *local = NULL, *pfsdir = NULL;
    size_t large = 256, ckib = 16, nchunks = 4096, i;
    int reps = 3, a, r, p, k, w;
    const char *drivers[] = {"sec2-local", "mpio-pfs", "pfs-driver"};
    const char *patterns[] = {"large", "small-chunks"};
    char *buf, *check;

    MPI_Init(&argc, &argv);
    for (a = 1; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--local") == 0)
            local = argv[a + 1];
        else if (strcmp(argv[a], "--pfs") == 0)
            pfsdir = argv[a + 1];
        else if (strcmp(argv[a], "--large-mib") == 0)
            large = strtoul(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "--chunk-kib") == 0)
            ckib = strtoul(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "--chunks") == 0)
            nchunks = strtoul(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "--reps") == 0)
            reps = atoi(argv[a + 1]);
    }
    if (local == NULL || pfsdir == NULL) {
        fprintf(stderr, "usage: h5fd_bench --local DIR --pfs PFSDIR [...]\n");
        return 2;
    }
    large <<= 20;
    ckib <<= 10;
    {
        size_t n = large > ckib * nchunks ? large : ckib * nchunks;

        buf = malloc(n);
        check = malloc(n);
        for (i = 0; i < n; i++) {
            buf[i] = (char)(i * 7 + (i >> 12));
        }
    }
    printf("pattern,driver,op,MiB,seconds,MiB_per_s\n");
    for (p = 0; p < 2; p++) {
        size_t bytes = p == 0 ? large : ckib * nchunks;

        for (k = 0; k < 3; k++) {
            char name[1024];

            if (k == 0)
                snprintf(name, sizeof(name), "%s/bench%d.h5", local, p);
            else
                snprintf(name, sizeof(name), "%s%s/bench%d-%d.h5",
                         k == 1 ? "pfs:" : "", pfsdir, p, k);
            for (w = 1; w >= 0; w--) {
                double best = 1e30;

                for (r = 0; r < reps; r++) {
                    double t;

                    if (!w)
                        memset(check, 0, bytes);
                    t = run(drivers[k], name, p, w, w ? buf : check, large,
                            ckib, nchunks);
                    if (t < best)
                        best = t;
                    if (!w && memcmp(buf, check, bytes) != 0) {
                        fprintf(stderr, "%s %s: read back differs\n",
                                drivers[k], patterns[p]);
                        return 1;
                    }
                }
                printf("%s,%s,%s,%.1f,%.4f,%.1f\n", patterns[p], drivers[k],
                       w ? "write" : "read", bytes / 1048576.0, best,
                       bytes / 1048576.0 / best);
                fflush(stdout);
            }
        }
    }
    free(buf);
    free(check);
    MPI_Finalize();
    return 0;
}
