/* wireup.h - rank, size and an all-gather for the servers of one launch.
 *
 * Under a PMIx launcher (Open MPI's mpirun, Slurm with PMIx) the servers
 * use PMIx_Put/Commit/Fence/Get and never initialise MPI.  Otherwise
 * (MPICH's mpiexec, or no launcher at all) they use MPI_Init and
 * MPI_Allgather.  The choice is made from the environment: PMIX_RANK set
 * means PMIx.  PFS_WIREUP=mpi|pmix overrides it.
 */
#ifndef PFS_WIREUP_H
#define PFS_WIREUP_H

#include <stddef.h>

#include "pfs/status.h"

typedef struct pfs_wireup pfs_wireup_t;

pfs_status_t pfs_wireup_init(int *argc, char ***argv, pfs_wireup_t **w_p,
                             char *errmsg, size_t errmsg_size);
int pfs_wireup_rank(const pfs_wireup_t *w);
int pfs_wireup_size(const pfs_wireup_t *w);
const char *pfs_wireup_method(const pfs_wireup_t *w); /* "mpi" or "pmix" */

/* Every rank contributes len bytes; all receives size * len bytes in rank
 * order.  Collective: every rank must call it the same number of times. */
pfs_status_t pfs_wireup_allgather(pfs_wireup_t *w, const void *mine, size_t len,
                                  void *all);

/* Leave the launcher's collective world (MPI_Finalize / PMIx_Finalize). */
void pfs_wireup_fini(pfs_wireup_t *w);

#endif
