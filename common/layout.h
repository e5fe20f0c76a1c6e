/* layout.h - round-robin striping: which server holds which byte. */
#ifndef PFS_LAYOUT_H
#define PFS_LAYOUT_H

#include <stdint.h>

#include "pfs/status.h"

/* Upper bounds a layout may use; they bound the wire encoding too. */
#define PFS_LAYOUT_MAX_STRIPES     256u
#define PFS_LAYOUT_MIN_STRIPE_SIZE 4096u                 /* 4 KiB */
#define PFS_LAYOUT_MAX_STRIPE_SIZE (UINT64_C(1) << 32)   /* 4 GiB */
/* Largest byte offset + 1 of any file: pread/pwrite take an off_t. */
#define PFS_MAX_FILE_SIZE          ((uint64_t)INT64_MAX)

/*
 * A file is cut into stripes of stripe_size bytes; stripe k lives on slot
 * k % stripe_count, whose I/O server index is servers[slot].  Each server
 * keeps one object per file with its stripes packed back to back, so stripe
 * k sits at object offset (k / stripe_count) * stripe_size.
 */
typedef struct {
    uint64_t stripe_size;
    uint32_t stripe_count;
    uint32_t servers[PFS_LAYOUT_MAX_STRIPES]; /* I/O server index per slot */
} pfs_layout_t;

/* One contiguous piece of a logical byte range, all on one server. */
typedef struct {
    uint64_t file_offset;   /* logical offset in the file */
    uint64_t object_offset; /* offset in the server's object */
    uint64_t length;        /* bytes, never crosses a stripe boundary */
    uint32_t slot;          /* index into layout->servers */
} pfs_layout_piece_t;

/* Round-robin layout over stripe_count of nservers servers starting at
 * first.  Validates like pfs_layout_validate(). */
pfs_status_t pfs_layout_round_robin(uint64_t stripe_size, uint32_t stripe_count,
                                    uint32_t first, uint32_t nservers,
                                    pfs_layout_t *layout_p);

/* PFS_OK when the layout is usable with an ensemble of nservers I/O servers:
 * stripe size in range and a multiple of 512, 1 <= count <= nservers, each
 * server index < nservers and no server used twice. */
pfs_status_t pfs_layout_validate(const pfs_layout_t *layout, uint32_t nservers);

/* The piece that starts at file offset off, at most len bytes long (len > 0).
 * The caller advances off by piece->length and calls again. */
void pfs_layout_piece(const pfs_layout_t *layout, uint64_t off, uint64_t len,
                      pfs_layout_piece_t *piece_p);

/* Logical file size given each slot's object size (stripe_count entries).
 * Saturates at UINT64_MAX for inconsistent object sizes. */
uint64_t pfs_layout_logical_size(const pfs_layout_t *layout,
                                 const uint64_t *object_sizes);

/* Size slot's object must have so that the logical size is size: used for
 * truncate/extend. */
uint64_t pfs_layout_object_size(const pfs_layout_t *layout, uint32_t slot,
                                uint64_t size);

#endif
