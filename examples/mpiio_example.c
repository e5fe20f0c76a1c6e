/* mpiio_example.c - a plain MPI-IO program: nothing in it knows pfs.
 *
 * Every rank owns every nprocs-th block of a shared file (a vector file
 * view), writes its blocks with one collective call, then reads its
 * neighbour's blocks with independent calls and checks every byte.  Rank 0
 * prints the layout the file system reports through MPI_File_get_info.
 *
 *   mpiexec -n 4 mpiio_example [FILE] [BLOCK-BYTES] [BLOCKS-PER-RANK]
 *
 * FILE defaults to pfs:/mpiio_example.dat.  Built against Debian's MPICH;
 * run it with the pfs-enabled MPICH on LD_LIBRARY_PATH (README.md) to get
 * pfs:, or as it is for ufs: paths.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char expected(long long offset)
{
    return (unsigned char)(offset * 31 + offset / 4093);
}

static int check(int rc, const char *what)
{
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len;
        MPI_Error_string(rc, msg, &len);
        fprintf(stderr, "mpiio_example: %s: %s\n", what, msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "pfs:/mpiio_example.dat";
    long long block = argc > 2 ? atoll(argv[2]) : 47008;
    int nblocks = argc > 3 ? atoi(argv[3]) : 64;
    int rank, nprocs, bad = 0, anybad = 0;
    MPI_File fh;
    MPI_Datatype vec, view;
    MPI_Info info;
    double t0, t_write, t_read;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    if (block <= 0 || block > (1 << 30) || nblocks <= 0) {
        if (rank == 0)
            fprintf(stderr, "usage: mpiio_example [FILE] [BLOCK-BYTES] "
                            "[BLOCKS-PER-RANK]\n");
        MPI_Finalize();
        return 2;
    }
    size_t bytes = (size_t)block * (size_t)nblocks;
    unsigned char *buf = malloc(bytes);
    if (buf == NULL) {
        fprintf(stderr, "mpiio_example: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (int b = 0; b < nblocks; b++)
        for (long long i = 0; i < block; i++)
            buf[(size_t)b * block + i] =
                expected(((long long)b * nprocs + rank) * block + i);

    /* this rank's blocks: every nprocs-th block, starting at block `rank` */
    MPI_Type_vector(nblocks, (int)block, (int)(block * nprocs), MPI_BYTE, &vec);
    MPI_Type_create_resized(vec, 0, block * nprocs * nblocks, &view);
    MPI_Type_commit(&view);

    MPI_Info_create(&info);
    MPI_Info_set(info, "striping_unit", "1048576");
    check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_RDWR,
                        info, &fh),
          "open");
    MPI_Info_free(&info);
    check(MPI_File_set_view(fh, (MPI_Offset)rank * block, MPI_BYTE, view,
                            "native", MPI_INFO_NULL),
          "set_view");
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    check(MPI_File_write_all(fh, buf, (int)bytes, MPI_BYTE, MPI_STATUS_IGNORE),
          "write_all");
    check(MPI_File_sync(fh), "sync");
    MPI_Barrier(MPI_COMM_WORLD);
    t_write = MPI_Wtime() - t0;

    /* the neighbour's blocks, one independent read each */
    int other = (rank + 1) % nprocs;
    check(MPI_File_set_view(fh, 0, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL),
          "set_view");
    t0 = MPI_Wtime();
    for (int b = 0; b < nblocks; b++) {
        MPI_Offset off = ((MPI_Offset)b * nprocs + other) * block;
        check(MPI_File_read_at(fh, off, buf + (size_t)b * block, (int)block,
                               MPI_BYTE, MPI_STATUS_IGNORE),
              "read_at");
    }
    t_read = MPI_Wtime() - t0;
    for (int b = 0; b < nblocks && !bad; b++)
        for (long long i = 0; i < block; i++)
            if (buf[(size_t)b * block + i] !=
                expected(((long long)b * nprocs + other) * block + i)) {
                fprintf(stderr, "rank %d: block %d byte %lld differs\n", rank,
                        b, i);
                bad = 1;
                break;
            }
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);

    if (rank == 0) {
        char fs[MPI_MAX_INFO_VAL + 1] = "?", su[MPI_MAX_INFO_VAL + 1] = "?",
                                   sf[MPI_MAX_INFO_VAL + 1] = "?";
        int flag;
        MPI_Info used;
        MPI_File_get_info(fh, &used);
        MPI_Info_get(used, "romio_filesystem_type", MPI_MAX_INFO_VAL, fs,
                     &flag);
        MPI_Info_get(used, "striping_unit", MPI_MAX_INFO_VAL, su, &flag);
        MPI_Info_get(used, "striping_factor", MPI_MAX_INFO_VAL, sf, &flag);
        MPI_Info_free(&used);
        printf("%s: %d ranks x %d blocks of %lld bytes, interleaved\n", path,
               nprocs, nblocks, block);
        printf("  file system: %s\n  striping_unit %s, striping_factor %s\n",
               fs, su, sf);
        printf("  collective write %.3f s, independent reads %.3f s (small "
               "cold run; see bench/)\n",
               t_write, t_read);
        printf("  every byte verified: %s\n", anybad ? "FAILED" : "OK");
    }
    check(MPI_File_close(&fh), "close");
    MPI_Type_free(&view);
    MPI_Type_free(&vec);
    free(buf);
    MPI_Finalize();
    return anybad ? 1 : 0;
}
