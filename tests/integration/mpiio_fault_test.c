/* mpiio_fault_test.c - plain MPI-IO (no pfs header or library) that keeps
 * writing, syncing and reading while the test takes a host away, then
 * reports how each call ended; later verifies what MPI_File_sync
 * acknowledged.  Compiled against Debian's MPICH, run with the pfs MPICH
 * on LD_LIBRARY_PATH (multihost_failure.sh).
 *
 *   mpiio_fault_test -d DIR [-b BLOCK] [-s SECONDS] [-p PAUSE_MS] [-f]
 *                    [-l LAG_MS]
 *   mpiio_fault_test -d DIR [-b BLOCK] [-f] --verify ROUNDS
 *
 * Round r: every rank writes its block of BLOCK bytes with a collective
 * MPI_File_write_at_all (one file DIR/data at ((r * nranks) + rank) *
 * BLOCK, or with -f a new file DIR/r.dat per round, opened and closed
 * collectively, at rank * BLOCK), then MPI_File_sync, then reads its
 * neighbour's block of that round with an independent MPI_File_read_at
 * and checks it.  After a sync that succeeded on every rank, rank 0
 * prints "synced R".  The loop ends after SECONDS (default 120) or at the
 * first error.  On an error each rank prints
 *   "rank N: OP round R: error CLASS (text) after MS ms"   (its failing call)
 *   "collective OP round R: classes C0 C1 ...: agree|DISAGREE"  (rank 0)
 * and rank 0 ends with "rounds synced K".  Exit 0 without error, 1 after
 * one (what the failure test expects), 2 on a verification failure.
 *
 * -l LAG_MS: in round 3 the last rank prints "rank N: lagging before sync
 * round 3" and sleeps LAG_MS before its MPI_File_sync (outside the timed
 * call), so that the test can take a host away after the other ranks'
 * syncs and before this one's: a collective that fails on one rank only,
 * unless the ranks agree on its outcome.
 *
 * --verify ROUNDS reads rounds 0..ROUNDS-1 back (each rank its own
 * blocks) and prints "verified ROUNDS rounds: OK" on rank 0, or the
 * first bad byte.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int rank, nranks;
static char dir[512];
static size_t block = 256 << 10;
static int per_round_files;
static int lag_ms; /* -l */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the byte at position i of round r's block of rank k */
static unsigned char pattern(int r, int k, size_t i)
{
    uint64_t x = ((uint64_t)r * 1000003u + (uint64_t)k * 7919u + i) *
                 UINT64_C(0x9e3779b97f4a7c15);
    return (unsigned char)(x >> 56);
}

static void fill(unsigned char *buf, int r, int k)
{
    size_t i;

    for (i = 0; i < block; i++) {
        buf[i] = pattern(r, k, i);
    }
}

/* first bad byte of round r's block of rank k in buf, or -1 */
static long check(const unsigned char *buf, int r, int k)
{
    size_t i;

    for (i = 0; i < block; i++) {
        if (buf[i] != pattern(r, k, i)) {
            return (long)i;
        }
    }
    return -1;
}

static void file_name(char *out, size_t n, int r)
{
    if (per_round_files) {
        snprintf(out, n, "%s/%d.dat", dir, r);
    } else {
        snprintf(out, n, "%s/data", dir);
    }
}

static MPI_Offset offset_of(int r, int k)
{
    return per_round_files ? (MPI_Offset)k * (MPI_Offset)block
                           : ((MPI_Offset)r * nranks + k) * (MPI_Offset)block;
}

/* Report a failed call of this rank. */
static void report(const char *op, int r, int rc, double ms)
{
    char text[MPI_MAX_ERROR_STRING];
    int len, cls;

    MPI_Error_class(rc, &cls);
    MPI_Error_string(rc, text, &len);
    printf("rank %d: %s round %d: error %d (%s) after %.0f ms\n", rank, op, r,
           cls, text, ms);
    fflush(stdout);
}

/* After a collective call: did it fail anywhere, and did every rank get
 * the same error class?  Returns non-zero if any rank failed. */
static int settle_collective(const char *op, int r, int rc)
{
    int cls = 0, i, agree = 1, any = 0;
    int *all = malloc(sizeof(int) * (size_t)nranks);

    if (rc != MPI_SUCCESS) {
        MPI_Error_class(rc, &cls);
        if (cls == MPI_SUCCESS) {
            cls = MPI_ERR_OTHER;
        }
    }
    MPI_Allgather(&cls, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    for (i = 0; i < nranks; i++) {
        any |= all[i] != 0;
        agree &= all[i] == all[0];
    }
    if (any && rank == 0) {
        printf("collective %s round %d: classes", op, r);
        for (i = 0; i < nranks; i++) {
            printf(" %d", all[i]);
        }
        printf(": %s\n", agree ? "agree" : "DISAGREE");
        fflush(stdout);
    }
    free(all);
    return any;
}

/* After an independent call: did any rank fail? */
static int settle_independent(int rc)
{
    int mine = rc != MPI_SUCCESS, any;

    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

/* One collective call, timed; on failure the rank reports it. */
#define COLL(op, r, call)                                                      \
    do {                                                                       \
        double t0_ = now_ms();                                                 \
        int rc_ = (call);                                                      \
        if (rc_ != MPI_SUCCESS) {                                              \
            report(op, r, rc_, now_ms() - t0_);                                \
        }                                                                      \
        failed = settle_collective(op, r, rc_);                                \
    } while (0)

static int run(double seconds, int pause_ms)
{
    unsigned char *out = malloc(block), *in = malloc(block);
    char name[600];
    MPI_File fh = MPI_FILE_NULL;
    MPI_Status st;
    double end = now_ms() + seconds * 1e3;
    int r = 0, synced = 0, failed = 0, bad = 0, open_rc;

    if (!per_round_files) {
        file_name(name, sizeof(name), 0);
        COLL("open", 0,
             MPI_File_open(MPI_COMM_WORLD, name,
                           MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL,
                           &fh));
    }
    for (r = 0; !failed && now_ms() < end; r++) {
        int nb = (rank + 1) % nranks;
        double t0;
        int rc;

        if (per_round_files) {
            file_name(name, sizeof(name), r);
            COLL("open", r,
                 MPI_File_open(MPI_COMM_WORLD, name,
                               MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL,
                               &fh));
            if (failed) {
                break;
            }
        }
        fill(out, r, rank);
        COLL("write_at_all", r,
             MPI_File_write_at_all(fh, offset_of(r, rank), out, (int)block,
                                   MPI_BYTE, &st));
        if (failed) {
            break;
        }
        if (lag_ms > 0 && r == 3 && rank == nranks - 1) {
            printf("rank %d: lagging before sync round %d\n", rank, r);
            fflush(stdout);
            usleep((useconds_t)lag_ms * 1000);
        }
        COLL("sync", r, MPI_File_sync(fh));
        if (failed) {
            break;
        }
        synced = r + 1;
        if (rank == 0) {
            printf("synced %d\n", r);
            fflush(stdout);
        }
        t0 = now_ms();
        rc = MPI_File_read_at(fh, offset_of(r, nb), in, (int)block, MPI_BYTE,
                              &st);
        if (rc != MPI_SUCCESS) {
            report("read_at", r, rc, now_ms() - t0);
        } else if (check(in, r, nb) >= 0) {
            printf("rank %d: round %d: rank %d's block differs at byte %ld\n",
                   rank, r, nb, check(in, r, nb));
            bad = 1;
        }
        failed = settle_independent(rc);
        if (per_round_files && !failed) {
            COLL("close", r, MPI_File_close(&fh));
            fh = MPI_FILE_NULL; /* never closed twice, even if it failed */
        }
        if (pause_ms > 0) {
            usleep((useconds_t)pause_ms * 1000);
        }
    }
    if (fh != MPI_FILE_NULL) {
        double t0 = now_ms();

        open_rc = MPI_File_close(&fh);
        if (open_rc != MPI_SUCCESS) {
            report("close (after the loop)", r, open_rc, now_ms() - t0);
        }
    }
    if (rank == 0) {
        printf("rounds synced %d\n", synced);
    }
    free(out);
    free(in);
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return bad ? 2 : failed ? 1 : 0;
}

static int verify(int rounds)
{
    unsigned char *in = malloc(block);
    char name[600];
    MPI_File fh = MPI_FILE_NULL;
    MPI_Status st;
    int r, rc, bad = 0;

    for (r = 0; r < rounds && !bad; r++) {
        if (r == 0 || per_round_files) {
            file_name(name, sizeof(name), r);
            rc = MPI_File_open(MPI_COMM_WORLD, name, MPI_MODE_RDONLY,
                               MPI_INFO_NULL, &fh);
            if (rc != MPI_SUCCESS) {
                report("open (verify)", r, rc, 0);
                bad = 1;
                break;
            }
        }
        memset(in, 0, block);
        rc = MPI_File_read_at(fh, offset_of(r, rank), in, (int)block, MPI_BYTE,
                              &st);
        if (rc != MPI_SUCCESS) {
            report("read_at (verify)", r, rc, 0);
            bad = 1;
        } else if (check(in, r, rank) >= 0) {
            printf("rank %d: round %d: byte %ld of its block is wrong\n", rank,
                   r, check(in, r, rank));
            bad = 1;
        }
        if (per_round_files || r == rounds - 1 || bad) {
            MPI_File_close(&fh);
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0 && !bad) {
        printf("verified %d rounds: OK\n", rounds);
    }
    free(in);
    return bad ? 2 : 0;
}

int main(int argc, char **argv)
{
    double seconds = 120;
    int pause_ms = 20, rounds = -1, a, rc;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-d") && a + 1 < argc) {
            snprintf(dir, sizeof(dir), "%s", argv[++a]);
        } else if (!strcmp(argv[a], "-b") && a + 1 < argc) {
            block = strtoul(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "-s") && a + 1 < argc) {
            seconds = atof(argv[++a]);
        } else if (!strcmp(argv[a], "-p") && a + 1 < argc) {
            pause_ms = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "-l") && a + 1 < argc) {
            lag_ms = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "-f")) {
            per_round_files = 1;
        } else if (!strcmp(argv[a], "--verify") && a + 1 < argc) {
            rounds = atoi(argv[++a]);
        } else {
            if (rank == 0) {
                fprintf(stderr, "usage: mpiio_fault_test -d DIR [-b BLOCK] "
                                "[-s SECONDS] [-p PAUSE_MS] [-f] "
                                "[-l LAG_MS] [--verify ROUNDS]\n");
            }
            MPI_Finalize();
            return 2;
        }
    }
    if (dir[0] == '\0' || block == 0 || block > (1u << 30)) {
        if (rank == 0) {
            fprintf(stderr, "mpiio_fault_test: -d DIR is required; BLOCK "
                            "must be 1 byte .. 1 GiB\n");
        }
        MPI_Finalize();
        return 2;
    }
    rc = rounds >= 0 ? verify(rounds) : run(seconds, pause_ms);
    MPI_Finalize();
    return rc;
}
