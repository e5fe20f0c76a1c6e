/* ad_pfs_flat.c - datatypes (memory types and file views) as tiles of
 * pieces for libpio.
 *
 * ROMIO's flattened types (ADIOI_Flatten_and_find) give the blocks of one
 * copy; the tiles, and the piece lists emitted from them in bounded
 * batches, are what the driver shares with the OMPIO components
 * (pfs_mpiio_tiles.c).
 */
#include "ad_pfs.h"

static void tiles_of(ADIOI_Flatlist_node *flat, ADIO_Offset base, ADIO_Offset lb,
                     ADIO_Offset extent, pfs_mpiio_tiles_t *t, ADIO_Offset **cum_p)
{
    ADIO_Offset *cum = ADIOI_Malloc((flat->count + 1) * sizeof(*cum));

    pfs_mpiio_tiles_init(t, flat->indices, flat->blocklens, cum, (size_t) flat->count, base,
                         lb, extent);
    *cum_p = cum;
}

void ADIOI_PFS_mem_tiles(MPI_Datatype type, pfs_mpiio_tiles_t *t, ADIO_Offset **cum_p)
{
    int contig;
    MPI_Aint lb, extent;

    *cum_p = NULL;
    ADIOI_Datatype_iscontig(type, &contig);
    if (contig) {
        pfs_mpiio_tiles_contig(t, 0);
        return;
    }
    MPI_Type_get_extent(type, &lb, &extent);
    tiles_of(ADIOI_Flatten_and_find(type), 0, lb, extent, t, cum_p);
}

void ADIOI_PFS_view_tiles(ADIO_File fd, pfs_mpiio_tiles_t *t, ADIO_Offset **cum_p)
{
    int contig;
    MPI_Aint lb, extent;

    *cum_p = NULL;
    ADIOI_Datatype_iscontig(fd->filetype, &contig);
    if (contig) {
        pfs_mpiio_tiles_contig(t, fd->disp);
        return;
    }
    MPI_Type_get_extent(fd->filetype, &lb, &extent);
    tiles_of(ADIOI_Flatten_and_find(fd->filetype), fd->disp, lb, extent, t, cum_p);
}

uint64_t ADIOI_PFS_stream_start(ADIO_File fd, const pfs_mpiio_tiles_t *view,
                                int file_ptr_type, ADIO_Offset offset)
{
    if (file_ptr_type == ADIO_EXPLICIT_OFFSET)
        return (uint64_t) offset * (uint64_t) fd->etype_size;
    /* the individual pointer is a byte offset in the file */
    return pfs_mpiio_tiles_bytes_before(view, fd->fp_ind);
}
