/* pio_coll_sync.c - the collective engine's agreements and waits: the
 * one agreement of a call (an MPI_Iallreduce with an operation of its
 * own) and calm waits for it and for the MPI collectives of the exchange.
 * doc/collective-io.md, "One agreement per call" and "Waiting". */
#include "config.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfs_common.h"
#include "pio_coll_sync.h"

/* How long a rank polls (yielding the core between polls) before it
 * sleeps in an MPI wait; PFS_COLL_SPIN_US overrides. */
#define DEFAULT_SPIN_US 200

static double spin_s = -1;

static double wait_spin_s(void)
{
    if (spin_s < 0) {
        const char *v = getenv("PFS_COLL_SPIN_US");
        long us = v != NULL && *v != '\0' ? strtol(v, NULL, 10) : -1;

        spin_s = (us >= 0 ? (double)us : DEFAULT_SPIN_US) * 1e-6;
    }
    return spin_s;
}

/* MPICH's blocking collectives poll a core (ch4) or poll and yield every
 * 1000 polls (ch3); a rank done with its part (or an aggregator's peers
 * while it waits for a server) would take the core from the I/O servers
 * and the ranks still working, which on a node shared with servers is
 * most of the machine.  Sleeping from the first test instead makes every
 * step of a collective cost a timer wake-up (usleep(5) sleeps ~60 us:
 * the kernel's timer slack).  So: poll first, with sched_yield() between
 * the tests so that a rank with work on the same core runs; then sleep in
 * naps that grow to 100 us. */
void pioi_coll_wait(MPI_Request *req)
{
    double t0, spin = wait_spin_s();
    useconds_t nap = 10;
    int done = 0;

    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (done) {
        return;
    }
    t0 = MPI_Wtime();
    for (;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done) {
            return;
        }
        if (MPI_Wtime() - t0 < spin) {
            sched_yield();
            continue;
        }
        usleep(nap);
        nap = nap < 100 ? nap * 2 : nap;
    }
}

void pioi_coll_alltoall(const void *sbuf, int scount, MPI_Datatype stype,
                        void *rbuf, int rcount, MPI_Datatype rtype,
                        MPI_Comm comm)
{
    MPI_Request req;

    MPI_Ialltoall(sbuf, scount, stype, rbuf, rcount, rtype, comm, &req);
    pioi_coll_wait(&req);
}

void pioi_coll_alltoallv(const void *sbuf, const int *scnt, const int *sdsp,
                         MPI_Datatype stype, void *rbuf, const int *rcnt,
                         const int *rdsp, MPI_Datatype rtype, MPI_Comm comm)
{
    MPI_Request req;

    MPI_Ialltoallv(sbuf, scnt, sdsp, stype, rbuf, rcnt, rdsp, rtype, comm,
                   &req);
    pioi_coll_wait(&req);
}

/* ---- combining ------------------------------------------------------- */

static MPI_Datatype agree_type = MPI_DATATYPE_NULL;
static MPI_Op agree_op = MPI_OP_NULL;
static int self_keyval = MPI_KEYVAL_INVALID;

static void combine(const uint64_t *a, uint64_t *b)
{
    b[AG_ERR] = PFS_MAX(a[AG_ERR], b[AG_ERR]);
    b[AG_BYTES] += a[AG_BYTES];
    b[AG_ROUNDS] = PFS_MAX(a[AG_ROUNDS], b[AG_ROUNDS]);
    b[AG_MORE] = PFS_MAX(a[AG_MORE], b[AG_MORE]);
    b[AG_PENDING] = PFS_MAX(a[AG_PENDING], b[AG_PENDING]);
}

static void agree_fn(void *in, void *inout, int *len, MPI_Datatype *type)
{
    const uint64_t *a = in;
    uint64_t *b = inout;
    int i;

    (void)type;
    for (i = 0; i < *len; i++, a += AG_N, b += AG_N) {
        combine(a, b);
    }
}

/* MPI_Finalize deletes MPI_COMM_SELF's attributes first, while MPI still
 * works: the type, the operation and the keyval go then. */
static int self_delete_fn(MPI_Comm comm, int keyval, void *attr, void *extra)
{
    (void)comm;
    (void)attr;
    (void)extra;
    MPI_Op_free(&agree_op);
    MPI_Type_free(&agree_type);
    MPI_Comm_free_keyval(&keyval);
    self_keyval = MPI_KEYVAL_INVALID;
    return MPI_SUCCESS;
}

static void sync_init(void)
{
    if (agree_op != MPI_OP_NULL) {
        return;
    }
    MPI_Type_contiguous(AG_N, MPI_UINT64_T, &agree_type);
    MPI_Type_commit(&agree_type);
    MPI_Op_create(agree_fn, 1, &agree_op);
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, self_delete_fn, &self_keyval,
                           NULL);
    MPI_Comm_set_attr(MPI_COMM_SELF, self_keyval, NULL);
}

void pioi_coll_sync_values(MPI_Comm comm, const uint64_t in[AG_N],
                           uint64_t out[AG_N])
{
    MPI_Request req;

    sync_init();
    MPI_Iallreduce(in, out, 1, agree_type, agree_op, comm, &req);
    pioi_coll_wait(&req);
}

/* ---- failures -------------------------------------------------------- */

uint64_t pioi_coll_err_key(pfs_status_t st, int rank)
{
    uint64_t code = (uint32_t)(-(int32_t)st); /* statuses are negative */

    if (st == PFS_OK) {
        return 0;
    }
    return code << 32 | (uint32_t)(INT32_MAX - rank);
}

pfs_status_t pioi_coll_err_key_status(uint64_t key, int *rank_p)
{
    int32_t code = (int32_t)(key >> 32);

    *rank_p = INT32_MAX - (int)(uint32_t)key;
    return (pfs_status_t)(-code);
}

pfs_status_t pioi_coll_sync_msg(MPI_Comm comm, int rank, uint64_t key,
                                const char *msg, char *errmsg,
                                size_t errmsg_size)
{
    char text[512];
    int who;
    pfs_status_t st = pioi_coll_err_key_status(key, &who);

    snprintf(text, sizeof(text), "%s", rank == who ? msg : "");
    MPI_Bcast(text, sizeof(text), MPI_CHAR, who, comm);
    if (errmsg != NULL) {
        snprintf(errmsg, errmsg_size, "rank %d: %s", who, text);
    }
    return st;
}

pfs_status_t pioi_coll_sync_status(MPI_Comm comm, int rank, pfs_status_t st,
                                   const char *msg, char *errmsg,
                                   size_t errmsg_size)
{
    uint64_t in[AG_N] = {0}, out[AG_N];

    in[AG_ERR] = pioi_coll_err_key(st, rank);
    pioi_coll_sync_values(comm, in, out);
    if (out[AG_ERR] != 0) {
        return pioi_coll_sync_msg(comm, rank, out[AG_ERR], msg, errmsg,
                                  errmsg_size);
    }
    if (errmsg != NULL && errmsg_size > 0) {
        errmsg[0] = '\0';
    }
    return PFS_OK;
}
