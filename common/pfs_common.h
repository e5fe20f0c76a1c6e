/* pfs_common.h - small helpers every component of pfs uses. */
#ifndef PFS_COMMON_H
#define PFS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pfs/status.h"

/* Symbols of the installed API; everything else is hidden (-fvisibility).
 * PFS_EMBEDDED: compiled into another library (libpio_coll_embed.a, linked
 * into MPICH's libmpi by the ROMIO driver), where nothing is exported. */
#ifdef PFS_EMBEDDED
#define PFS_EXPORT
#else
#define PFS_EXPORT __attribute__((visibility("default")))
#endif

/* A result the caller must look at (an encoding that may not fit, a
 * decoding that may fail): the compiler warns when it is ignored, and a
 * (void) cast does not silence it. */
#define PFS_MUST_CHECK __attribute__((warn_unused_result))

#define PFS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PFS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PFS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* A 128-bit file id: hi is the MDS epoch that allocated it, lo a counter
 * within that epoch.  Never reused. */
typedef struct {
    uint64_t hi;
    uint64_t lo;
} pfs_fid_t;

/* A piece of memory; same layout as UCX's ucp_dt_iov_t and struct iovec. */
typedef struct {
    void *base;
    size_t len;
} pfs_iov_t;

#define PFS_FID_HEX_LEN 32 /* characters, without the terminating NUL */

static inline int pfs_fid_equal(pfs_fid_t a, pfs_fid_t b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

/* A well-mixed 64-bit hash of a file id (SplitMix64's finalizer over
 * hi * golden ratio ^ lo), for hash tables and for spreading files over
 * servers: consecutive ids land far apart.  The MDS places new files
 * with it (first_server), so it must never change. */
static inline uint64_t pfs_fid_hash(pfs_fid_t fid)
{
    uint64_t x = fid.hi * UINT64_C(0x9e3779b97f4a7c15) ^ fid.lo;

    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Writes 32 lowercase hex digits and a NUL into out (>= 33 bytes). */
void pfs_fid_format(pfs_fid_t fid, char *out);

/* Monotonic clock in milliseconds. */
uint64_t pfs_now_ms(void);

/* Fill buf with len bytes from the kernel's CSPRNG. */
pfs_status_t pfs_random_bytes(void *buf, size_t len);

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void pfs_hex_encode(const void *in, size_t len, char *out);

/* Parse exactly 2*len hex digits; PFS_ERR_INVAL otherwise. */
pfs_status_t pfs_hex_decode(const char *in, void *out, size_t len);

/* mkdir with mode 0700 that accepts an existing directory; on failure
 * errmsg says which path and why. */
pfs_status_t pfs_make_dir(const char *path, char *errmsg, size_t errmsg_size);

/* Replace the file at path only by a complete one: fill(f, arg) writes a
 * temporary file beside it, which is synced, given mode and renamed over
 * path.  On failure path is as it was, no temporary file is left, and
 * errmsg says why ("cannot write PATH: No space left on device").  fill
 * returns non-zero on failure, with errno set if it has one. */
pfs_status_t pfs_write_file_atomic(const char *path, unsigned mode,
                                   int (*fill)(FILE *f, const void *arg),
                                   const void *arg, char *errmsg,
                                   size_t errmsg_size);

/* Parse a size with an optional k/m/g/t suffix (powers of 1024). */
pfs_status_t pfs_parse_size(const char *text, uint64_t *value_p);

#endif
