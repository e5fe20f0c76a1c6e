/* pfs_ompio_common.c - the release check, the component slots the four
 * components share, the mark on pfs files, and pfs statuses as MPI error
 * codes with messages (the classes and messages are the ROMIO driver's:
 * adio/shared/pfs_mpiio_error.c). */
#include "pfs_ompio.h"

#include <stdio.h>
#include <string.h>

#include "opal/mca/base/mca_base_var.h"
#include "opal/util/output.h"

int pfs_ompio_version_check(int say)
{
    static int said;
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0, major = -1, minor = -1, release = -1;
    const char *v;

    /* "Open MPI v4.1.4, package: ..., ident: 4.1.4, ..." */
    MPI_Get_library_version(lib, &len);
    v = strstr(lib, "Open MPI v");
    if (v != NULL)
        sscanf(v, "Open MPI v%d.%d.%d", &major, &minor, &release);
    if (major == OMPI_MAJOR_VERSION && minor == OMPI_MINOR_VERSION &&
        release == OMPI_RELEASE_VERSION)
        return 1;
    if (say && !said) {
        said = 1;
        /* the loader checks only the MCA version; OMPIO's structures
         * differ between releases (4.1.2 and 4.1.3 already), so a
         * component built for another release would corrupt them */
        opal_output(
            0,
            "pfs: the pfs OMPIO components were built for Open MPI %d.%d.%d, "
            "but this process runs %s: they refuse to load, and pfs: files "
            "cannot be opened; rebuild pfs against this Open MPI",
            OMPI_MAJOR_VERSION, OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION,
            major < 0 ? "an unknown MPI library" : lib);
    }
    return 0;
}

int pfs_ompio_init_query(bool enable_progress_threads, bool enable_mpi_threads)
{
    return OMPI_SUCCESS;
}

int pfs_ompio_file_unquery(ompio_file_t *fh)
{
    return OMPI_SUCCESS;
}

int pfs_ompio_module_nothing(ompio_file_t *fh)
{
    return OMPI_SUCCESS;
}

int pfs_ompio_component_open(void)
{
    return pfs_ompio_version_check(0) ? OMPI_SUCCESS : OPAL_ERR_NOT_AVAILABLE;
}

int pfs_ompio_register_priority(const mca_base_component_t *component,
                                int *priority_p, int priority,
                                const char *help)
{
    *priority_p = priority;
    (void)mca_base_component_var_register(
        component, "priority", help, MCA_BASE_VAR_TYPE_INT, NULL, 0, 0,
        OPAL_INFO_LVL_9, MCA_BASE_VAR_SCOPE_READONLY, priority_p);
    return OMPI_SUCCESS;
}

int pfs_ompio_is_pfs(const ompio_file_t *fh)
{
    return fh != NULL && fh->f_fs_component != NULL &&
           strcmp(fh->f_fs_component->mca_component_name, PFS_OMPIO_NAME) == 0;
}

pfs_ompio_file_t *pfs_ompio_state(const ompio_file_t *fh)
{
    pfs_ompio_file_t *pf;

    if (!pfs_ompio_is_pfs(fh))
        return NULL;
    pf = fh->f_fs_ptr;
    return pf != NULL && pf->magic == PFS_OMPIO_MAGIC ? pf : NULL;
}

/* one dynamic error code per class (Open MPI's error codes are fixed
 * numbers: a message can only ride on a code made for it) */
#define PFS_OMPIO_CLASSES 128
static int class_codes[PFS_OMPIO_CLASSES];

int pfs_ompio_error_code(int cls, const char *msg)
{
    char text[MPI_MAX_ERROR_STRING];
    int code;

    if (cls <= MPI_SUCCESS || cls >= PFS_OMPIO_CLASSES)
        return cls;
    if (class_codes[cls] == 0) {
        if (MPI_Add_error_code(cls, &code) != MPI_SUCCESS)
            return cls; /* the class alone, without the message */
        class_codes[cls] = code;
    }
    snprintf(text, sizeof(text), "%s", msg);
    MPI_Add_error_string(class_codes[cls], text);
    return class_codes[cls];
}

int pfs_ompio_error(pfs_status_t st, const char *what, const char *path,
                    const char *detail)
{
    char msg[MPI_MAX_ERROR_STRING];

    if (st == PFS_OK)
        return MPI_SUCCESS;
    pfs_mpiio_error_msg(msg, sizeof(msg), st, what, path, detail);
    return pfs_ompio_error_code(pfs_mpiio_error_class(st), msg);
}

void pfs_ompio_note_error(pfs_ompio_file_t *pf, int err)
{
    if (pf != NULL && err != MPI_SUCCESS && pf->io_error == MPI_SUCCESS)
        pf->io_error = err;
}

int pfs_ompio_take_error(pfs_ompio_file_t *pf)
{
    int err;

    if (pf == NULL)
        return MPI_SUCCESS;
    err = pf->io_error;
    pf->io_error = MPI_SUCCESS;
    return err;
}
