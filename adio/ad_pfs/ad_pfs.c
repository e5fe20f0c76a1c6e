/* ad_pfs.c - the driver's function table and its feature answers.
 *
 * Every slot is pfs's own except SeekIndividual, which is ROMIO's
 * generic code: it is pure arithmetic on the file view and touches no
 * storage.  ReadDone/WriteDone/ReadComplete/WriteComplete are ROMIO's
 * "fake" functions because non-blocking I/O uses generalized requests,
 * which MPI completes itself; ROMIO no longer calls these slots.
 */
#include "ad_pfs.h"

struct ADIOI_Fns_struct ADIO_PFS_operations = {
    ADIOI_PFS_Open,     /* Open */
    ADIOI_PFS_OpenColl, /* OpenColl: one metadata lookup + broadcast */
    ADIOI_PFS_ReadContig,       /* ReadContig */
    ADIOI_PFS_WriteContig,      /* WriteContig */
    ADIOI_PFS_ReadStridedColl,  /* ReadStridedColl: libpio's collective engine */
    ADIOI_PFS_WriteStridedColl, /* WriteStridedColl: libpio's collective engine */
    ADIOI_GEN_SeekIndividual,   /* SeekIndividual: arithmetic only */
    ADIOI_PFS_Fcntl,    /* Fcntl */
    ADIOI_PFS_SetInfo,  /* SetInfo */
    ADIOI_PFS_ReadStrided,      /* ReadStrided: libpio structured I/O */
    ADIOI_PFS_WriteStrided,     /* WriteStrided: libpio structured I/O */
    ADIOI_PFS_Close,    /* Close */
    ADIOI_PFS_IreadContig,      /* IreadContig */
    ADIOI_PFS_IwriteContig,     /* IwriteContig */
    ADIOI_FAKE_IODone,  /* ReadDone: generalized requests */
    ADIOI_FAKE_IODone,  /* WriteDone */
    ADIOI_FAKE_IOComplete,      /* ReadComplete */
    ADIOI_FAKE_IOComplete,      /* WriteComplete */
    ADIOI_PFS_IreadStrided,     /* IreadStrided */
    ADIOI_PFS_IwriteStrided,    /* IwriteStrided */
    ADIOI_PFS_Flush,    /* Flush: fsync on the servers */
    ADIOI_PFS_Resize,   /* Resize: rank 0 + broadcast */
    ADIOI_PFS_Delete,   /* Delete */
    ADIOI_PFS_Feature,  /* Features */
    "PFS: ROMIO driver for pfs (libpio over UCX)",
    ADIOI_PFS_IreadStridedColl, /* IreadStridedColl */
    ADIOI_PFS_IwriteStridedColl,        /* IwriteStridedColl */
    ADIOI_PFS_SetLock   /* SetLock: pfs has no locks */
};

int ADIOI_PFS_Feature(ADIO_File fd, int flag)
{
    switch (flag) {
        case ADIO_SHARED_FP:   /* the metadata server's fetch-and-add */
        case ADIO_SCALABLE_OPEN:       /* one rank opens, the others import */
        case ADIO_SCALABLE_RESIZE:     /* one rank truncates */
        case ADIO_TWO_PHASE:   /* libpio's collective engine */
        case ADIO_IMMEDIATELY_VISIBLE: /* no client caching */
            return 1;
        case ADIO_LOCKS:       /* no byte-range locks ... */
        case ADIO_ATOMIC_MODE: /* ... so no atomic mode */
        case ADIO_DATA_SIEVING_WRITES: /* servers take exact pieces */
        case ADIO_UNLINK_AFTER_CLOSE:  /* unlink removes the data at once */
        default:
            return 0;
    }
}

int ADIOI_PFS_SetLock(ADIO_File fd, int cmd, int type, ADIO_Offset offset, int whence,
                      ADIO_Offset len)
{
    /* unreachable: ROMIO locks only in atomic mode or with data sieving,
     * and pfs refuses the one and does not use the other */
    return MPIO_Err_create_code(MPI_SUCCESS, MPIR_ERR_RECOVERABLE, "ADIOI_PFS_SETLOCK",
                                __LINE__, MPI_ERR_UNSUPPORTED_OPERATION, "**io",
                                "**io %s", "pfs has no byte-range locks");
}
