/* hdf5_mpiio_test.c - parallel HDF5 (Debian's libhdf5-mpich, MPI-IO file
 * driver) on a pfs: file: a 2-D dataset written collectively in row
 * blocks, read back collectively in column blocks, every element
 * checked; an attribute and a second, chunked dataset too.
 *
 *   hdf5_mpiio_test FILE      (e.g. pfs:/h5/test.h5)
 */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define NY 300
#define NX 257

static int value(hsize_t y, hsize_t x)
{
    return (int)(y * 100003 + x * 7 + 1);
}

int main(int argc, char **argv)
{
    int rank, nprocs, errors = 0, total;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    if (argc != 2) {
        if (rank == 0)
            fprintf(stderr, "usage: hdf5_mpiio_test FILE\n");
        MPI_Finalize();
        return 2;
    }
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    hsize_t dims[2] = {NY, NX};

    /* write: row blocks (uneven) */
    {
        hid_t file = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (file < 0) {
            fprintf(stderr, "rank %d: H5Fcreate(%s) failed\n", rank, argv[1]);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        hid_t space = H5Screate_simple(2, dims, NULL);
        hid_t dset = H5Dcreate2(file, "grid", H5T_NATIVE_INT, space,
                                H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        hsize_t chunk[2] = {32, 64};
        H5Pset_chunk(dcpl, 2, chunk);
        hid_t dset2 = H5Dcreate2(file, "chunked", H5T_NATIVE_INT, space,
                                 H5P_DEFAULT, dcpl, H5P_DEFAULT);
        hsize_t y0 = (hsize_t)rank * NY / nprocs,
                y1 = (hsize_t)(rank + 1) * NY / nprocs;
        hsize_t start[2] = {y0, 0}, count[2] = {y1 - y0, NX};
        int *buf = malloc(sizeof(int) * (count[0] * NX + 1));
        for (hsize_t y = 0; y < count[0]; y++)
            for (hsize_t x = 0; x < NX; x++)
                buf[y * NX + x] = value(y0 + y, x);
        hid_t mem = H5Screate_simple(2, count, NULL);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
        if (H5Dwrite(dset, H5T_NATIVE_INT, mem, space, dxpl, buf) < 0 ||
            H5Dwrite(dset2, H5T_NATIVE_INT, mem, space, dxpl, buf) < 0) {
            fprintf(stderr, "rank %d: H5Dwrite failed\n", rank);
            errors++;
        }
        hid_t aspace = H5Screate(H5S_SCALAR);
        hid_t attr = H5Acreate2(dset, "ranks", H5T_NATIVE_INT, aspace,
                                H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attr, H5T_NATIVE_INT, &nprocs);
        H5Aclose(attr);
        H5Sclose(aspace);
        free(buf);
        H5Sclose(mem);
        H5Pclose(dcpl);
        H5Dclose(dset2);
        H5Dclose(dset);
        H5Sclose(space);
        if (H5Fclose(file) < 0)
            errors++;
    }
    /* read: column blocks, both datasets */
    {
        hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, fapl);
        if (file < 0) {
            fprintf(stderr, "rank %d: H5Fopen failed\n", rank);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        const char *names[2] = {"grid", "chunked"};
        for (int d = 0; d < 2; d++) {
            hid_t dset = H5Dopen2(file, names[d], H5P_DEFAULT);
            hid_t space = H5Dget_space(dset);
            hsize_t x0 = (hsize_t)rank * NX / nprocs,
                    x1 = (hsize_t)(rank + 1) * NX / nprocs;
            hsize_t start[2] = {0, x0}, count[2] = {NY, x1 - x0};
            int *buf = malloc(sizeof(int) * (NY * count[1] + 1));
            hid_t mem = H5Screate_simple(2, count, NULL);
            H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count,
                                NULL);
            if (H5Dread(dset, H5T_NATIVE_INT, mem, space, dxpl, buf) < 0) {
                fprintf(stderr, "rank %d: H5Dread %s failed\n", rank, names[d]);
                errors++;
            } else {
                for (hsize_t y = 0; y < NY && errors < 5; y++)
                    for (hsize_t x = 0; x < count[1]; x++)
                        if (buf[y * count[1] + x] != value(y, x0 + x)) {
                            fprintf(stderr, "rank %d: %s[%llu][%llu] = %d\n",
                                    rank, names[d], (unsigned long long)y,
                                    (unsigned long long)(x0 + x),
                                    buf[y * count[1] + x]);
                            errors++;
                            break;
                        }
            }
            if (d == 0) {
                int n = 0;
                hid_t attr = H5Aopen(dset, "ranks", H5P_DEFAULT);
                H5Aread(attr, H5T_NATIVE_INT, &n);
                H5Aclose(attr);
                if (n != nprocs) {
                    fprintf(stderr, "rank %d: attribute ranks = %d\n", rank, n);
                    errors++;
                }
            }
            free(buf);
            H5Sclose(mem);
            H5Sclose(space);
            H5Dclose(dset);
        }
        H5Fclose(file);
    }
    H5Pclose(dxpl);
    H5Pclose(fapl);
    MPI_Allreduce(&errors, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("hdf5_mpiio_test %s: %s (%d errors)\n", argv[1],
               total ? "FAILED" : "OK", total);
    MPI_Finalize();
    return total ? 1 : 0;
}
