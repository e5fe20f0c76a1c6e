/* pio_desc.c - description helpers shared by libpio and libpio_mpi. */
#include "config.h"

#include <string.h>

#include "pio_desc.h"

pfs_status_t pioi_desc_to_sio(const pio_desc_t *in, pfs_sio_desc_t *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    if (in->kind == PIO_DESC_LIST) {
        out->is_list = 1;
        out->offsets = in->offsets;
        out->lengths = in->lengths;
        out->count = in->count;
        return PFS_OK;
    }
    if (in->kind != PIO_DESC_STRIDED || in->ndims < 0 ||
        in->ndims > PIO_MAX_DIMS) {
        return PFS_ERR_INVAL;
    }
    out->offset = in->offset;
    out->blocklen = in->blocklen;
    out->ndims = in->ndims;
    for (i = 0; i < in->ndims; i++) {
        out->dims[i].count = in->dims[i].count;
        out->dims[i].stride = in->dims[i].stride;
    }
    return PFS_OK;
}
