/* pfs_ompio_tiles.c - file views and memory datatypes as tiles of pieces
 * (adio/shared/pfs_mpiio_tiles.c, shared with the ROMIO driver), from
 * OMPIO's structures: the pieces of one copy are its decoded file view,
 * and opal's convertor for memory types.
 */
#include "pfs_ompio.h"

#include <stdlib.h>
#include <string.h>

void pfs_ompio_tiles_free(pfs_mpiio_tiles_t *t)
{
    free(t->off);
    free(t->len);
    free(t->cum);
    memset(t, 0, sizeof(*t));
}

/* Pieces of one copy from an iovec whose bases are offsets; zero-length
 * pieces dropped, adjacent ones merged.  One contiguous piece as long as
 * the extent makes the tiles contiguous. */
static int tiles_build(const struct iovec *iov, size_t n, int64_t base,
                       int64_t extent, pfs_mpiio_tiles_t *t)
{
    MPI_Offset *off = NULL, *len = NULL, *cum = NULL, lb;
    size_t m = 0;

    memset(t, 0, sizeof(*t));
    if (n > 0) {
        off = malloc(n * sizeof(*off));
        len = malloc(n * sizeof(*len));
        cum = malloc((n + 1) * sizeof(*cum));
        if (off == NULL || len == NULL || cum == NULL) {
            free(off);
            free(len);
            free(cum);
            return MPI_ERR_NO_MEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        MPI_Offset o = (MPI_Offset)(intptr_t)iov[i].iov_base;
        MPI_Offset l = (MPI_Offset)iov[i].iov_len;
        if (l == 0)
            continue;
        if (m > 0 && off[m - 1] + len[m - 1] == o) {
            len[m - 1] += l;
            continue;
        }
        off[m] = o;
        len[m] = l;
        m++;
    }
    if (m == 0 || (m == 1 && len[0] == extent)) {
        /* one run: copies follow each other without gaps */
        pfs_mpiio_tiles_contig(t, base + (m ? off[0] : 0));
        free(off);
        free(len);
        free(cum);
        return MPI_SUCCESS;
    }
    lb = off[0];
    for (size_t i = 1; i < m; i++) {
        if (off[i] < lb)
            lb = off[i];
    }
    pfs_mpiio_tiles_init(t, off, len, cum, m, base, lb, extent);
    return MPI_SUCCESS;
}

int pfs_ompio_view_tiles(const ompio_file_t *fh, pfs_mpiio_tiles_t *t)
{
    return tiles_build(fh->f_decoded_iov, fh->f_iov_count, (int64_t)fh->f_disp,
                       (int64_t)fh->f_view_extent, t);
}

int pfs_ompio_mem_tiles(ompio_file_t *fh, struct ompi_datatype_t *dt,
                        pfs_mpiio_tiles_t *t, uint64_t *size_p)
{
    struct iovec *iov = NULL;
    uint32_t n = 0;
    size_t max_data = 0;
    MPI_Count lb, extent, size;
    int rc;

    MPI_Type_get_extent_x(dt, &lb, &extent);
    MPI_Type_size_x(dt, &size);
    *size_p = (uint64_t)size;
    if (size == 0) {
        pfs_mpiio_tiles_contig(t, 0);
        return MPI_SUCCESS;
    }
    /* one copy, relative to address 0: the bases are displacements */
    rc = mca_common_ompio_decode_datatype(fh, dt, 1, NULL, &max_data,
                                          fh->f_mem_convertor, &iov, &n);
    if (rc != OMPI_SUCCESS) {
        free(iov);
        return MPI_ERR_TYPE;
    }
    rc = tiles_build(iov, n, 0, (int64_t)extent, t);
    free(iov);
    return rc;
}

uint64_t pfs_ompio_stream_pos(const ompio_file_t *fh)
{
    uint64_t copies = 0;

    /* OMPIO keeps the pointer as (start of the current copy of the view,
     * data bytes used in it); for a contiguous view the second can grow
     * past one copy, which this sum allows */
    if (fh->f_view_extent > 0)
        copies = (uint64_t)((fh->f_offset - fh->f_disp) / fh->f_view_extent);
    return copies * fh->f_view_size + fh->f_total_bytes;
}

void pfs_ompio_list_rebase(pfs_mpiio_list_t *l, void *buf, void **base_p)
{
    int64_t lo = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (i == 0 || l->off[i] < lo)
            lo = l->off[i];
    }
    for (size_t i = 0; i < l->n; i++)
        l->off[i] -= lo;
    *base_p = (char *)buf + lo;
}
