##
## ad_pfs: the pfs driver (installed into ROMIO by adio/build-mpich.sh)
##

if BUILD_AD_PFS

noinst_HEADERS += adio/ad_pfs/ad_pfs.h

romio_other_sources += \
    adio/ad_pfs/ad_pfs.c \
    adio/ad_pfs/ad_pfs_coll.c \
    adio/ad_pfs/ad_pfs_common.c \
    adio/ad_pfs/ad_pfs_flat.c \
    adio/ad_pfs/ad_pfs_io.c \
    adio/ad_pfs/ad_pfs_misc.c \
    adio/ad_pfs/ad_pfs_open.c

endif BUILD_AD_PFS
