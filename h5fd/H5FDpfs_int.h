/* H5FDpfs_int.h - what the driver's files share (H5FDpfs.c,
 * H5FDpfs_config.c, and H5FDpfs_vec.c for HDF5 1.14's vector and
 * selection I/O).  Internal. */
#ifndef H5FDPFS_INT_H
#define H5FDPFS_INT_H

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#if H5_VERSION_GE(1, 14, 0)
#include <H5FDdevelop.h>
#include <H5PLextern.h>
#define PFS_H5_114 1
#else
#define PFS_H5_114 0
#endif

#include <pfs/H5FDpfs.h>
#include <pfs/pio.h>

#define H5FD_PFS_EXPORT __attribute__((visibility("default")))

/* Largest address: pfs files end below 2^63 (as sec2's off_t). */
#define PFS_MAXADDR (((haddr_t)1 << 63) - 1)

typedef struct {
    H5FD_t pub; /* what HDF5 sees; first */
    H5FD_pfs_config_t config;
    pio_client_t *client; /* the process's shared client, or own_client */
    int own_client;       /* a second ensemble: a client of its own */
    pio_file_t *fh;
    uint8_t fid[16];
    char path[H5FD_PFS_PATH_MAX + 8];
    haddr_t eoa; /* end of the address space HDF5 uses */
    haddr_t eof; /* the file's logical size, as far as this handle knows */
    int writable;
} pfs_h5file_t;

/* Push the cause onto HDF5's error stack (the caller's API call fails
 * with it; HDF5 prints the stack unless told not to). */
void pfs_h5_error(const char *func, unsigned line, hid_t minor, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));
/* The outcome of a libpio call: 0 for PFS_OK, else -1 with the status
 * and libpio's explanation pushed (c may be NULL). */
herr_t pfs_h5_pio_result(const char *func, unsigned line, hid_t minor,
                         pio_client_t *c, pfs_status_t st, const char *what);
/* addr + size within what a pfs file can address; pushes the error if not. */
int pfs_h5_range_ok(const char *func, haddr_t addr, size_t size);

/* The configuration a fapl holds for this driver: its driver info, or
 * (1.14, driver chosen by name) its configuration string, or defaults
 * (H5FDpfs_config.c). */
herr_t pfs_h5_config_of_fapl(hid_t fapl, H5FD_pfs_config_t *config);
/* The pfs path of an HDF5 file name; -1 if it does not fit. */
int pfs_h5_path_of(const H5FD_pfs_config_t *config, const char *name, char *out,
                   size_t size);

#if PFS_H5_114
/* HDF5 1.14's vector and selection I/O, each call as one structured
 * request (H5FDpfs_vec.c). */
herr_t pfs_read_vector(H5FD_t *_file, hid_t dxpl, uint32_t count,
                       H5FD_mem_t types[], haddr_t addrs[], size_t sizes[],
                       void *bufs[]);
herr_t pfs_write_vector(H5FD_t *_file, hid_t dxpl, uint32_t count,
                        H5FD_mem_t types[], haddr_t addrs[], size_t sizes[],
                        const void *bufs[]);
herr_t pfs_read_selection(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl,
                          size_t count, hid_t mem_spaces[], hid_t file_spaces[],
                          haddr_t offsets[], size_t element_sizes[],
                          void *bufs[]);
herr_t pfs_write_selection(H5FD_t *_file, H5FD_mem_t type, hid_t dxpl,
                           size_t count, hid_t mem_spaces[],
                           hid_t file_spaces[], haddr_t offsets[],
                           size_t element_sizes[], const void *bufs[]);
#endif

#endif /* H5FDPFS_INT_H */
