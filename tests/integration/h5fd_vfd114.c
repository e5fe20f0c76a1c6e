/* h5fd_vfd114.c - HDF5 1.14.5's own VFD tests (test/vfd.c) that apply to
 * a driver HDF5 does not know, run on the pfs plugin.
 *
 * vfd.c is compiled here unchanged, with two names redirected:
 *  - its main() becomes vfd_main() (unused): the one below runs only the
 *    tests that take any driver;
 *  - H5Pset_fapl_sec2() sets the driver named by $PFS_VFD_TEST_DRIVER
 *    (the pfs plugin, by name, configured by $HDF5_DRIVER_CONFIG), so
 *    that test_vector_io("sec2") and test_selection_io("sec2") exercise
 *    it through H5FDopen/H5FDread_vector/H5FDwrite_selection/...
 * Which tests are left out, and why: doc/hdf5.md.
 *
 * Built by tests/integration/h5fd_hdf5_114.sh against HDF5's build tree
 * (its test library and private headers).
 */
#include <stdlib.h>

#include "hdf5.h"

static herr_t pfs_test_set_driver(hid_t fapl)
{
    const char *name = getenv("PFS_VFD_TEST_DRIVER");

    return H5Pset_driver_by_name(fapl, name ? name : "pfs",
                                 getenv("HDF5_DRIVER_CONFIG"));
}

#define H5Pset_fapl_sec2(fapl) pfs_test_set_driver(fapl)
#define main vfd_main
#include "vfd.c"
#undef main
#undef H5Pset_fapl_sec2

int main(void)
{
    int nerrors = 0;

    h5_test_init();
    printf("HDF5 %d.%d.%d test/vfd.c on the '%s' driver "
           "(named sec2 in the test titles)\n",
           H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE,
           getenv("PFS_VFD_TEST_DRIVER") ? getenv("PFS_VFD_TEST_DRIVER")
                                         : "pfs");
    nerrors += test_vector_io("sec2") < 0 ? 1 : 0;
    nerrors += test_selection_io("sec2") < 0 ? 1 : 0;
    if (nerrors) {
        printf("***** %d VFD TEST%s FAILED *****\n", nerrors,
               nerrors > 1 ? "S" : "");
        return 1;
    }
    printf("All VFD tests that apply passed.\n");
    return 0;
}
