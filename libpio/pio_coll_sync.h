/* pio_coll_sync.h - how the collective engine (pio_coll.c) agrees and
 * waits: the one agreement of a call, the status agreement, and calm
 * waits for its MPI collectives.  Internal to libpio_mpi.  Not thread
 * safe (as the engine). */
#ifndef PIO_COLL_SYNC_H
#define PIO_COLL_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

#include "pfs/status.h"

/* What a rank brings to a call's one agreement (uint64 each):
 *   AG_ERR     its failure as an ordered key (pioi_coll_err_key), 0 if
 *              none: the largest is the lowest status, then the lowest
 *              rank
 *   AG_BYTES   its bytes for the two-phase exchange (summed)
 *   AG_ROUNDS  its two-phase rounds (the largest)
 *   AG_MORE    it has pieces for a further call of the same access (the
 *              largest; pio_write_all_batch)
 *   AG_PENDING it has direct I/O whose status is not known yet (a split
 *              read; the largest) */
enum { AG_ERR, AG_BYTES, AG_ROUNDS, AG_MORE, AG_PENDING, AG_N };

/* Collective over comm: out gets the combination of every rank's in
 * (one MPI_Iallreduce, waited for calmly). */
void pioi_coll_sync_values(MPI_Comm comm, const uint64_t in[AG_N],
                           uint64_t out[AG_N]);

/* The ordered key of a failure (0 for PFS_OK) and back. */
uint64_t pioi_coll_err_key(pfs_status_t st, int rank);
pfs_status_t pioi_coll_err_key_status(uint64_t key, int *rank_p);

/* Collective, after an agreement found the failure `key`: the failing
 * rank's msg goes to every rank; errmsg (may be NULL) gets "rank N: msg".
 * Returns the failure's status. */
pfs_status_t pioi_coll_sync_msg(MPI_Comm comm, int rank, uint64_t key,
                                const char *msg, char *errmsg,
                                size_t errmsg_size);

/* Collective: every rank learns the first failure (lowest status, then
 * lowest rank) and its explanation; one agreement, and a broadcast only
 * on failure.  errmsg is emptied on success. */
pfs_status_t pioi_coll_sync_status(MPI_Comm comm, int rank, pfs_status_t st,
                                   const char *msg, char *errmsg,
                                   size_t errmsg_size);

/* MPI_Ialltoall / MPI_Ialltoallv, waited for calmly (pioi_coll_wait). */
void pioi_coll_alltoall(const void *sbuf, int scount, MPI_Datatype stype,
                        void *rbuf, int rcount, MPI_Datatype rtype,
                        MPI_Comm comm);
void pioi_coll_alltoallv(const void *sbuf, const int *scnt, const int *sdsp,
                         MPI_Datatype stype, void *rbuf, const int *rcnt,
                         const int *rdsp, MPI_Datatype rtype, MPI_Comm comm);

/* Wait for a non-blocking MPI operation without holding a core. */
void pioi_coll_wait(MPI_Request *req);

#endif
