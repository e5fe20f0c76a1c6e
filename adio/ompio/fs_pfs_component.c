/* fs_pfs_component.c - the fs component for pfs: its description for
 * Open MPI's loader, its priority, and its bid (names that start with
 * "pfs:"; OMPIO passes them unchanged, and fs/ufs would bid 10 on them
 * and fail). */
#include "fs_pfs.h"

#include <string.h>

int mca_fs_pfs_priority = PFS_OMPIO_FS_PRIORITY;

static int fs_pfs_register(void);
static int fs_pfs_open(void);
static struct mca_fs_base_module_1_0_0_t *fs_pfs_file_query(ompio_file_t *fh,
                                                            int *priority);
static int fs_pfs_module_init(ompio_file_t *fh);

static mca_fs_base_module_1_0_0_t fs_pfs_module = {
    fs_pfs_module_init,       /* after selection */
    pfs_ompio_module_nothing, /* at unselection */
    mca_fs_pfs_file_open,     /* rank 0 opens, the handle is broadcast */
    mca_fs_pfs_file_close,    /* pio_close (and delete-on-close) */
    mca_fs_pfs_file_delete,   /* pio_unlink */
    mca_fs_pfs_file_set_size, /* rank 0 truncates */
    mca_fs_pfs_file_get_size, /* from the objects' sizes */
    mca_fs_pfs_file_sync      /* fsync on every server */
};

mca_fs_base_component_2_0_0_t mca_fs_pfs_component = {
    .fsm_version =
        {
            MCA_FS_BASE_VERSION_2_0_0,
            .mca_component_name = PFS_OMPIO_NAME,
            MCA_BASE_MAKE_VERSION(component, OMPI_MAJOR_VERSION,
                                  OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION),
            .mca_open_component = fs_pfs_open,
            .mca_register_component_params = fs_pfs_register,
        },
    .fsm_data = {MCA_BASE_METADATA_PARAM_NONE},
    .fsm_init_query = pfs_ompio_init_query,
    .fsm_file_query = fs_pfs_file_query,
    .fsm_file_unquery = pfs_ompio_file_unquery,
};

static int fs_pfs_register(void)
{
    return pfs_ompio_register_priority(
        &mca_fs_pfs_component.fsm_version, &mca_fs_pfs_priority,
        PFS_OMPIO_FS_PRIORITY,
        "Priority of the fs pfs component (it bids only "
        "for names starting with pfs:)");
}

/* The loader checks only the MCA version: the release check is ours, and
 * this component is the one that says why pfs: is unavailable. */
static int fs_pfs_open(void)
{
    return pfs_ompio_version_check(1) ? OMPI_SUCCESS : OPAL_ERR_NOT_AVAILABLE;
}

static struct mca_fs_base_module_1_0_0_t *fs_pfs_file_query(ompio_file_t *fh,
                                                            int *priority)
{
    if (fh->f_filename == NULL || strncmp(fh->f_filename, "pfs:", 4) != 0)
        return NULL;
    *priority = mca_fs_pfs_priority;
    return &fs_pfs_module;
}

static int fs_pfs_module_init(ompio_file_t *fh)
{
    /* not UFS: no POSIX descriptor, no locking, no lustre-like rules
     * (fs/ufs's query may have marked the file UFS before we won) */
    fh->f_fstype = NONE;
    fh->fd = -1;
    return OMPI_SUCCESS;
}
