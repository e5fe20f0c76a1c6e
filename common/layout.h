/* layout.h - round-robin striping: which server holds which byte. */
#ifndef PFS_LAYOUT_H
#define PFS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "pfs/status.h"

/* Upper bounds a layout may use; they bound the wire encoding too. */
#define PFS_LAYOUT_MAX_STRIPES 256u
#define PFS_LAYOUT_MIN_STRIPE_SIZE 4096u               /* 4 KiB */
#define PFS_LAYOUT_MAX_STRIPE_SIZE (UINT64_C(1) << 32) /* 4 GiB */
/* Largest byte offset + 1 of any file: pread/pwrite take an off_t. */
#define PFS_MAX_FILE_SIZE ((uint64_t)INT64_MAX)

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

/*
 * What a create asks for, or a directory's default for what is created in
 * it.  Zero fields take the default: the directory's, then the ensemble's.
 * nservers 0 lets the MDS choose the servers (round robin from a start it
 * picks per file); otherwise servers[0 .. nservers) are the I/O servers of
 * slots 0, 1, ... and stripe_count is 0 or nservers.
 */
typedef struct {
    uint64_t stripe_size;
    uint32_t stripe_count;
    uint32_t nservers;
    uint32_t servers[PFS_LAYOUT_MAX_STRIPES];
} pfs_layout_spec_t;

/* PFS_OK if spec can make layouts on an ensemble of niosrv I/O servers.
 * Otherwise PFS_ERR_INVAL, and errmsg (errmsg_size bytes, may be NULL)
 * names the problem: a stripe size that is not a multiple of 512, below
 * 4 KiB or above 4 GiB; a stripe count above the number of servers or not
 * matching the list; a server index out of range or listed twice. */
pfs_status_t pfs_layout_spec_check(const pfs_layout_spec_t *spec,
                                   uint32_t niosrv, char *errmsg,
                                   size_t errmsg_size);

/* The layout of a new file.  Each field comes from the first of: the
 * request (asked), the directory's default (dir), the ensemble's
 * (def_size, def_count; def_count is capped at niosrv).  A server list
 * goes with the count it came with: a request's stripe count overrides
 * the directory's list too.  Servers not listed are chosen round robin
 * from `first`.  Both specs are checked as pfs_layout_spec_check does. */
pfs_status_t pfs_layout_resolve(const pfs_layout_spec_t *asked,
                                const pfs_layout_spec_t *dir, uint64_t def_size,
                                uint32_t def_count, uint32_t first,
                                uint32_t niosrv, pfs_layout_t *layout_p,
                                char *errmsg, size_t errmsg_size);

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
