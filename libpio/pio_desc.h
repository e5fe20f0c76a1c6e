/* pio_desc.h - the public pio_desc_t in the shared code's terms; compiled
 * into libpio and libpio_mpi (hidden in both). */
#ifndef PIO_DESC_H
#define PIO_DESC_H

#include "pfs/pio.h"
#include "sio.h"

/* PFS_ERR_INVAL for an unknown kind or a bad number of dimensions. */
pfs_status_t pioi_desc_to_sio(const pio_desc_t *in, pfs_sio_desc_t *out);

#endif
