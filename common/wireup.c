/* wireup.c - server rank discovery and address exchange via PMIx or MPI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <pmix.h>

#include "wireup.h"

struct pfs_wireup {
    int use_pmix;
    int rank;
    int size;
    unsigned round;
    pmix_proc_t me;
};

static int want_pmix(void)
{
    const char *forced = getenv("PFS_WIREUP");

    if (forced != NULL && strcmp(forced, "pmix") == 0) {
        return 1;
    }
    if (forced != NULL && strcmp(forced, "mpi") == 0) {
        return 0;
    }
    return getenv("PMIX_RANK") != NULL && getenv("PMIX_NAMESPACE") != NULL;
}

static pfs_status_t pmix_init(pfs_wireup_t *w, char *errmsg, size_t n)
{
    pmix_proc_t wild;
    pmix_value_t *val = NULL;
    pmix_status_t rc;

    rc = PMIx_Init(&w->me, NULL, 0);
    if (rc != PMIX_SUCCESS) {
        snprintf(errmsg, n, "PMIx_Init: %s", PMIx_Error_string(rc));
        return PFS_ERR_CONFIG;
    }
    PMIX_PROC_CONSTRUCT(&wild);
    PMIX_LOAD_PROCID(&wild, w->me.nspace, PMIX_RANK_WILDCARD);
    rc = PMIx_Get(&wild, PMIX_JOB_SIZE, NULL, 0, &val);
    if (rc != PMIX_SUCCESS) {
        snprintf(errmsg, n, "PMIx_Get(job size): %s", PMIx_Error_string(rc));
        PMIx_Finalize(NULL, 0);
        return PFS_ERR_CONFIG;
    }
    w->size = (int)val->data.uint32;
    w->rank = (int)w->me.rank;
    PMIX_VALUE_RELEASE(val);
    return PFS_OK;
}

pfs_status_t pfs_wireup_init(int *argc, char ***argv, pfs_wireup_t **w_p,
                             char *errmsg, size_t errmsg_size)
{
    pfs_wireup_t *w = calloc(1, sizeof(*w));
    pfs_status_t st;

    if (w == NULL) {
        snprintf(errmsg, errmsg_size, "out of memory");
        return PFS_ERR_NOMEM;
    }
    w->use_pmix = want_pmix();
    if (w->use_pmix) {
        st = pmix_init(w, errmsg, errmsg_size);
        if (st != PFS_OK) {
            free(w);
            return st;
        }
    } else {
        if (MPI_Init(argc, argv) != MPI_SUCCESS) {
            snprintf(errmsg, errmsg_size, "MPI_Init failed");
            free(w);
            return PFS_ERR_CONFIG;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &w->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &w->size);
    }
    *w_p = w;
    return PFS_OK;
}

int pfs_wireup_rank(const pfs_wireup_t *w)
{
    return w->rank;
}
int pfs_wireup_size(const pfs_wireup_t *w)
{
    return w->size;
}

const char *pfs_wireup_method(const pfs_wireup_t *w)
{
    return w->use_pmix ? "pmix" : "mpi";
}

static pfs_status_t pmix_allgather(pfs_wireup_t *w, const void *mine,
                                   size_t len, void *all)
{
    char key[PMIX_MAX_KEYLEN + 1];
    pmix_value_t value;
    pmix_info_t info;
    pmix_proc_t proc;
    pmix_status_t rc;
    bool collect = true;
    int r;

    snprintf(key, sizeof(key), "pfs.wireup.%u", w->round++);
    PMIX_VALUE_CONSTRUCT(&value);
    value.type = PMIX_BYTE_OBJECT;
    value.data.bo.bytes = (char *)mine;
    value.data.bo.size = len;
    rc = PMIx_Put(PMIX_GLOBAL, key, &value);
    if (rc != PMIX_SUCCESS) {
        return PFS_ERR_CONFIG;
    }
    rc = PMIx_Commit();
    if (rc != PMIX_SUCCESS) {
        return PFS_ERR_CONFIG;
    }
    PMIX_INFO_CONSTRUCT(&info);
    PMIX_INFO_LOAD(&info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
    rc = PMIx_Fence(NULL, 0, &info, 1);
    PMIX_INFO_DESTRUCT(&info);
    if (rc != PMIX_SUCCESS) {
        return PFS_ERR_CONFIG;
    }
    PMIX_PROC_CONSTRUCT(&proc);
    for (r = 0; r < w->size; r++) {
        pmix_value_t *val = NULL;

        PMIX_LOAD_PROCID(&proc, w->me.nspace, (pmix_rank_t)r);
        rc = PMIx_Get(&proc, key, NULL, 0, &val);
        if (rc != PMIX_SUCCESS || val->type != PMIX_BYTE_OBJECT ||
            val->data.bo.size != len) {
            if (val != NULL) {
                PMIX_VALUE_RELEASE(val);
            }
            return PFS_ERR_CONFIG;
        }
        memcpy((char *)all + (size_t)r * len, val->data.bo.bytes, len);
        PMIX_VALUE_RELEASE(val);
    }
    return PFS_OK;
}

pfs_status_t pfs_wireup_allgather(pfs_wireup_t *w, const void *mine, size_t len,
                                  void *all)
{
    if (w->use_pmix) {
        return pmix_allgather(w, mine, len, all);
    }
    if (len > INT32_MAX ||
        MPI_Allgather(mine, (int)len, MPI_BYTE, all, (int)len, MPI_BYTE,
                      MPI_COMM_WORLD) != MPI_SUCCESS) {
        return PFS_ERR_CONFIG;
    }
    return PFS_OK;
}

void pfs_wireup_fini(pfs_wireup_t *w)
{
    if (w == NULL) {
        return;
    }
    if (w->use_pmix) {
        PMIx_Finalize(NULL, 0);
    } else {
        MPI_Finalize();
    }
    free(w);
}
