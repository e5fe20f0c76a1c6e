/* wire.h - the bounded writer and reader that every encoding of pfs is
 * written with.
 *
 * For codec modules only: the protocol (proto.c), structured-request run
 * lists (sio.c), local-access messages (local.c) and the metadata store's
 * records (mds/).  Everything else encodes and decodes whole messages
 * through proto.h, so that each message is encoded in exactly one place.
 *
 * Integers are little-endian and fixed width.  Errors are sticky: after
 * the first overflow (writer) or short read (reader) every further call
 * is a no-op and the final check fails, so a codec checks once, at the
 * end.
 *
 * These encodings (integers, strings, fids, u32 lists) are fixed: the
 * protocol and the metadata store's records on disk are both written
 * with them, so a change here would change the disk format too.  A
 * protocol change changes proto.c, not these.
 */
#ifndef PFS_WIRE_H
#define PFS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "pfs_common.h"

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    int overflow;
} pfs_wbuf_t;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int truncated; /* read past the end, or a field out of its range */
} pfs_rbuf_t;

void pfs_wbuf_init(pfs_wbuf_t *w, void *buf, size_t cap);
void pfs_wbuf_u8(pfs_wbuf_t *w, uint8_t v);
void pfs_wbuf_u16(pfs_wbuf_t *w, uint16_t v);
void pfs_wbuf_u32(pfs_wbuf_t *w, uint32_t v);
void pfs_wbuf_u64(pfs_wbuf_t *w, uint64_t v);
void pfs_wbuf_bytes(pfs_wbuf_t *w, const void *p, size_t len);
void pfs_wbuf_str(pfs_wbuf_t *w, const char *s); /* u16 length + bytes */
/* A file id: hi, then lo (two u64). */
void pfs_wbuf_fid(pfs_wbuf_t *w, pfs_fid_t fid);
/* A list of u32 (server indexes): the count n (u32), then the n values.
 * n above max is an overflow: nothing is written. */
void pfs_wbuf_u32_list(pfs_wbuf_t *w, const uint32_t *v, uint32_t n,
                       uint32_t max);
/* PFS_OK and the length written, or PFS_ERR_INVAL if it did not fit. */
PFS_MUST_CHECK pfs_status_t pfs_wbuf_finish(const pfs_wbuf_t *w, size_t *len_p);

void pfs_rbuf_init(pfs_rbuf_t *r, const void *buf, size_t len);
uint8_t pfs_rbuf_u8(pfs_rbuf_t *r);
uint16_t pfs_rbuf_u16(pfs_rbuf_t *r);
uint32_t pfs_rbuf_u32(pfs_rbuf_t *r);
uint64_t pfs_rbuf_u64(pfs_rbuf_t *r);
void pfs_rbuf_bytes(pfs_rbuf_t *r, void *p, size_t len);
/* A string of at most max bytes into out (max + 1 bytes); an embedded NUL
 * or a longer string is a protocol error. */
void pfs_rbuf_str(pfs_rbuf_t *r, char *out, size_t max);
pfs_fid_t pfs_rbuf_fid(pfs_rbuf_t *r);
/* The list pfs_wbuf_u32_list writes, into v (room for max values) and
 * its count into *n_p.  A count above max is bad input: *n_p is 0 and
 * none of the values is read. */
void pfs_rbuf_u32_list(pfs_rbuf_t *r, uint32_t *v, uint32_t *n_p, uint32_t max);
/* Mark the input bad (a field out of its range): finish then fails. */
void pfs_rbuf_fail(pfs_rbuf_t *r);
/* PFS_OK only if nothing was truncated and every byte was consumed. */
PFS_MUST_CHECK pfs_status_t pfs_rbuf_finish(const pfs_rbuf_t *r);

/* Fixed-width little-endian integers at p. */
void pfs_put_le(uint8_t *p, uint64_t v, unsigned bytes);
uint64_t pfs_get_le(const uint8_t *p, unsigned bytes);

#endif
