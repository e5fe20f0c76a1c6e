/* pfs/pio.h - libpio, the pfs client library.
 *
 * Conventions, once for the whole header:
 *  - Every function that can fail returns a pfs_status_t (pfs/status.h):
 *    PFS_OK or a negative error.  Outputs (the *_p arguments) are written
 *    only on success.  pio_client_errmsg() explains the last failure.
 *  - Handles are opaque.  A pio_client_t is created by pio_init() and
 *    released by pio_fini(); a pio_file_t by pio_create()/pio_open() and
 *    released by pio_close().  Close every file before pio_fini().
 *  - Strings passed in are copied if kept; buffers passed to read/write are
 *    used only during the call.
 *  - Sizes and offsets are 64-bit everywhere.
 *  - A client and its files are used by one thread at a time (no internal
 *    locking); use one client per thread for concurrency.
 *  - Calls block until done or failed; each server request has a deadline
 *    (PIO_DEFAULT_TIMEOUT_MS, or pio_config_t.timeout_ms, or
 *    $PFS_TIMEOUT_MS), so a dead server is an error, never a hang.  Waiting
 *    sleeps in the kernel; it does not spin a core.
 *  - Paths are absolute within pfs, with or without a "pfs:" prefix:
 *    "pfs:/a/b" and "/a/b" name the same file.
 *  - The library never prints and never aborts.
 */
#ifndef PFS_PIO_H
#define PFS_PIO_H

#include <stddef.h>
#include <stdint.h>

#include <pfs/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PIO_VERSION_MAJOR 0
#define PIO_VERSION_MINOR 1

#define PIO_DEFAULT_TIMEOUT_MS 30000

typedef struct pio_client pio_client_t;
typedef struct pio_file pio_file_t;

/* Optional settings for pio_init(); zero means "default" for each field. */
typedef struct {
    /* Ensemble descriptor; NULL: $PFS_ENSEMBLE. */
    const char *descriptor;
    /* Deadline of one server request in ms; 0: $PFS_TIMEOUT_MS, else
     * PIO_DEFAULT_TIMEOUT_MS. */
    int timeout_ms;
    /* Largest payload of one request (bytes); larger transfers are split
     * and pipelined.  0: 8 MiB. */
    uint64_t max_transfer;
} pio_config_t;

/* Layout of a striped file.  Zero fields take the directory's or the
 * ensemble's default. */
typedef struct {
    uint64_t stripe_size;  /* bytes per stripe, multiple of 512, >= 4 KiB */
    uint32_t stripe_count; /* number of I/O servers the file spans */
} pio_layout_t;

#define PIO_TYPE_FILE 1
#define PIO_TYPE_DIR  2

typedef struct {
    uint8_t fid[16];       /* the file's 128-bit id */
    int type;              /* PIO_TYPE_FILE or PIO_TYPE_DIR */
    uint32_t mode;         /* permission bits */
    uint32_t uid, gid;
    uint64_t size;         /* files: logical size in bytes */
    uint64_t ctime_ns, mtime_ns;
    uint64_t stripe_size;  /* files: the layout */
    uint32_t stripe_count;
    uint32_t first_server; /* files: I/O server index of stripe 0 */
} pio_stat_t;

/* Flags for pio_create() / pio_open(). */
#define PIO_RDONLY 0x0
#define PIO_WRONLY 0x1
#define PIO_RDWR   0x2
#define PIO_EXCL   0x10 /* pio_create: fail with PFS_ERR_EXIST if present */

/* Connect to the ensemble described by config->descriptor (or
 * $PFS_ENSEMBLE) and prove the cluster key to every server.  config may be
 * NULL.  Blocking.  On failure *client_p is untouched and, if errmsg is not
 * NULL, errmsg (errmsg_size bytes) says why. */
pfs_status_t pio_init(const pio_config_t *config, pio_client_t **client_p,
                      char *errmsg, size_t errmsg_size);

/* Disconnect and free the client.  NULL is allowed. */
void pio_fini(pio_client_t *client);

/* Explanation of the client's last failed call ("" if none).  Valid until
 * the next call on the client. */
const char *pio_client_errmsg(const pio_client_t *client);

/* Number of I/O servers in the ensemble. */
uint32_t pio_client_niosrv(const pio_client_t *client);

/* Create a regular file (or open it if it exists and flags lacks
 * PIO_EXCL) and open it with the access in flags.  mode: permission bits.
 * layout may be NULL for the defaults.  The layout of an existing file is
 * never changed. */
pfs_status_t pio_create(pio_client_t *client, const char *path, uint32_t mode,
                        int flags, const pio_layout_t *layout,
                        pio_file_t **file_p);

/* Open an existing regular file. */
pfs_status_t pio_open(pio_client_t *client, const char *path, int flags,
                      pio_file_t **file_p);

/* Release the handle.  Does not sync: data written is already on the
 * servers (not necessarily on their disks; see pio_sync()). */
pfs_status_t pio_close(pio_file_t *file);

/* Write len bytes from buf at offset.  Returns when every byte is on its
 * server.  Any size: large writes are split by stripe and by
 * max_transfer and sent to all servers concurrently. */
pfs_status_t pio_write(pio_file_t *file, uint64_t offset, const void *buf,
                       uint64_t len);

/* Read up to len bytes at offset into buf.  *nread_p gets the bytes read:
 * len, or fewer only at the end of the file.  Holes read as zeros. */
pfs_status_t pio_read(pio_file_t *file, uint64_t offset, void *buf,
                      uint64_t len, uint64_t *nread_p);

/* Make the file's data durable on every server holding part of it
 * (fsync of each object). */
pfs_status_t pio_sync(pio_file_t *file);

/* Logical size of the file, computed from its objects' sizes. */
pfs_status_t pio_get_size(pio_file_t *file, uint64_t *size_p);

/* Attributes of an open file / of a path (size included for files). */
pfs_status_t pio_fstat(pio_file_t *file, pio_stat_t *stat_p);
pfs_status_t pio_stat(pio_client_t *client, const char *path,
                      pio_stat_t *stat_p);

/* Remove a regular file: its name, its metadata and its data objects. */
pfs_status_t pio_unlink(pio_client_t *client, const char *path);

/* Create a directory. */
pfs_status_t pio_mkdir(pio_client_t *client, const char *path, uint32_t mode);

#ifdef __cplusplus
}
#endif
#endif
