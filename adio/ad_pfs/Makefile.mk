##
## ad_pfs: the pfs driver (installed into ROMIO by adio/build-mpich.sh,
## which also copies in adio/shared/: pfs_mpiio.h and pfs_mpiio*.c, shared
## with the OMPIO components)
##

if BUILD_AD_PFS

noinst_HEADERS += adio/ad_pfs/ad_pfs.h adio/ad_pfs/pfs_mpiio.h

romio_other_sources += \
    adio/ad_pfs/ad_pfs.c \
    adio/ad_pfs/ad_pfs_coll.c \
    adio/ad_pfs/ad_pfs_common.c \
    adio/ad_pfs/ad_pfs_flat.c \
    adio/ad_pfs/ad_pfs_io.c \
    adio/ad_pfs/ad_pfs_misc.c \
    adio/ad_pfs/ad_pfs_open.c \
    adio/ad_pfs/pfs_mpiio.c \
    adio/ad_pfs/pfs_mpiio_error.c \
    adio/ad_pfs/pfs_mpiio_tiles.c

endif BUILD_AD_PFS
