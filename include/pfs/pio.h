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
 *  - The library never prints and never aborts.  (libpio_mpi's collective
 *    engine calls MPI_Abort when it cannot allocate its exchange buffers:
 *    the other ranks would otherwise wait in the exchange for ever.)
 *  - Structs passed by pointer (pio_config_t, pio_layout_t, pio_stat_t,
 *    ...) may gain members at their end in later releases without
 *    breaking programs built against this header (doc/abi.md).  Each
 *    function that takes one is exported as <name>_sz, with the caller's
 *    sizeof of each such struct type appended to its arguments (in the
 *    order the types first appear); <name> is a macro that passes them,
 *    and is what programs call.  The library reads and writes at most
 *    that many bytes of the caller's struct: members beyond it count as
 *    zero (their default), members beyond the library's own struct are
 *    not read (inputs) or are zeroed (outputs), and an array of structs
 *    (pio_readdir) is laid out at the caller's size.  A size below the
 *    struct's in release 0.1 is PFS_ERR_INVAL, explained by
 *    pio_client_errmsg() or errmsg where the call has one.  New members
 *    are appended and default to zero; an array member never changes
 *    length (pio_dim_t, an element of pio_desc_t.dims, never grows).
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
     * and pipelined.  0: $PFS_MAX_TRANSFER (e.g. "1m"), else 8 MiB. */
    uint64_t max_transfer;
    /* Local access: read and write the objects of I/O servers on this
     * host directly, through descriptors they hand out (pieces of 16 KiB
     * and more on average; smaller ones go to the server, which sieves
     * them).  1 on, -1 off, 0: off if $PFS_LOCAL_IO is "0", "off" or
     * "no", else on. */
    int local_io;
} pio_config_t;

#define PIO_MAX_STRIPES 256

/* Layout of a striped file, asked for at create or set as a directory's
 * default.  Zero fields take the directory's default, then the
 * ensemble's (pfs-mds --stripe-size, --stripe-count), field by field;
 * initialize with {0} or a designated initializer so that the fields
 * after stripe_count are zero.  A stripe count given at create overrides
 * a directory's server list as well.  Checked by the metadata server:
 * PFS_ERR_INVAL, with pio_client_errmsg() naming the problem, for a
 * stripe size that is not a multiple of 512, below 4 KiB or above 4 GiB,
 * a stripe count above the number of I/O servers, or a server index out
 * of range or listed twice. */
typedef struct {
    uint64_t stripe_size;  /* bytes per stripe, multiple of 512, >= 4 KiB */
    uint32_t stripe_count; /* number of I/O servers the file spans */
    /* 0: the metadata server picks the servers (round robin from a
     * start that differs per file).  Otherwise the I/O server indices of
     * stripe slots 0, 1, ... in servers[0 .. nservers); stripe_count is
     * then 0 or nservers. */
    uint32_t nservers;
    uint32_t servers[PIO_MAX_STRIPES];
} pio_layout_t;

#define PIO_TYPE_FILE 1
#define PIO_TYPE_DIR 2

typedef struct {
    uint8_t fid[16]; /* the file's 128-bit id */
    int type;        /* PIO_TYPE_FILE or PIO_TYPE_DIR */
    uint32_t mode;   /* permission bits */
    uint32_t uid, gid;
    uint64_t size; /* files: logical size in bytes */
    uint64_t ctime_ns, mtime_ns;
    uint64_t stripe_size; /* files: the layout */
    uint32_t stripe_count;
    uint32_t first_server;             /* files: I/O server index of stripe 0 */
    uint32_t servers[PIO_MAX_STRIPES]; /* files: server of each slot (first
                                          stripe_count entries) */
} pio_stat_t;

/* Flags for pio_create() / pio_open(). */
#define PIO_RDONLY 0x0
#define PIO_WRONLY 0x1
#define PIO_RDWR 0x2
#define PIO_EXCL 0x10 /* pio_create: fail with PFS_ERR_EXIST if present */

/* Connect to the ensemble described by config->descriptor (or
 * $PFS_ENSEMBLE) and prove the cluster key to every server.  config may be
 * NULL.  Blocking.  On failure *client_p is untouched and, if errmsg is not
 * NULL, errmsg (errmsg_size bytes) says why. */
pfs_status_t pio_init_sz(const pio_config_t *config, pio_client_t **client_p,
                         char *errmsg, size_t errmsg_size, size_t config_size);
#define pio_init(config, client_p, errmsg, errmsg_size)                        \
    pio_init_sz((config), (client_p), (errmsg), (errmsg_size),                 \
                sizeof(pio_config_t))

/* Disconnect and free the client.  NULL is allowed. */
void pio_fini(pio_client_t *client);

/* Explanation of the client's last failed call ("" if none).  Valid until
 * the next call on the client. */
const char *pio_client_errmsg(const pio_client_t *client);

/* The same for the client a file was opened with: what a layer that has
 * only the file (pio_mpi's collective calls) reports. */
const char *pio_file_errmsg(const pio_file_t *file);

/* Bytes this client has read and written through local access so far
 * (pio_config_t.local_io): what did not pass through a server. */
uint64_t pio_client_local_bytes(const pio_client_t *client);

/* Change the deadline of the client's future server requests (ms > 0). */
pfs_status_t pio_client_set_timeout(pio_client_t *client, int timeout_ms);

/* Space of the file system holding one I/O server's objects. */
typedef struct {
    uint64_t total_bytes;
    uint64_t free_bytes;
    uint64_t avail_bytes; /* free to unprivileged users */
} pio_space_t;

/* Ask I/O server `index` (0 .. pio_client_niosrv() - 1) for its space. */
pfs_status_t pio_iosrv_space_sz(pio_client_t *client, uint32_t index,
                                pio_space_t *space_p, size_t space_size);
#define pio_iosrv_space(client, index, space_p)                                \
    pio_iosrv_space_sz((client), (index), (space_p), sizeof(pio_space_t))

/* Number of I/O servers in the ensemble. */
uint32_t pio_client_niosrv(const pio_client_t *client);

/* The version of the library this program runs with, e.g. "0.1.0"
 * (pio_version.h has the version a program was compiled against). */
const char *pio_version(void);

/* A size as pfs's programs take it: digits with an optional k, m, g or t
 * suffix (powers of 1024; "4k", "4K", "4KiB" and "4kB" are all 4096).
 * PFS_ERR_INVAL for anything else, a sign or an overflow. */
pfs_status_t pio_parse_size(const char *text, uint64_t *value_p);

/* Create a regular file (or open it if it exists and flags lacks
 * PIO_EXCL) and open it with the access in flags.  mode: permission bits.
 * layout may be NULL for the defaults.  The layout of an existing file is
 * never changed. */
pfs_status_t pio_create_sz(pio_client_t *client, const char *path,
                           uint32_t mode, int flags, const pio_layout_t *layout,
                           pio_file_t **file_p, size_t layout_size);
#define pio_create(client, path, mode, flags, layout, file_p)                  \
    pio_create_sz((client), (path), (mode), (flags), (layout), (file_p),       \
                  sizeof(pio_layout_t))

/* Open an existing regular file. */
pfs_status_t pio_open(pio_client_t *client, const char *path, int flags,
                      pio_file_t **file_p);

/* Exported handles: one rank opens (one metadata lookup), exports, and
 * broadcasts the bytes; the others import them without asking the
 * metadata server (no open storm).  The bytes are opaque, at most
 * PIO_HANDLE_MAX long, and valid for clients of the same ensemble. */
#define PIO_HANDLE_MAX 2048

pfs_status_t pio_file_export(const pio_file_t *file, void *buf, size_t size,
                             size_t *len_p);
/* flags: the access of the new handle (PIO_RDONLY, PIO_WRONLY, PIO_RDWR).
 * PFS_ERR_INVAL for bytes not made by pio_file_export or from another
 * ensemble. */
pfs_status_t pio_file_import(pio_client_t *client, const void *buf, size_t len,
                             int flags, pio_file_t **file_p);

/* Release the handle.  Does not sync: data written is already on the
 * servers (not necessarily on their disks; see pio_sync()). */
pfs_status_t pio_close(pio_file_t *file);

/* ---- write leases --------------------------------------------------------
 *
 * A write lease makes a client the only writer of a file, for those who
 * ask: the HDF5 driver takes it for every file it opens for writing,
 * because HDF5 keeps metadata in memory and two writers of one file
 * silently lose one's metadata.  Plain libpio writes, MPI-IO and other
 * clients are not stopped by a lease (MPI-IO semantics).  The metadata
 * server keeps leases in memory, tied to the connection of the client
 * that took it: pio_lease_release, pio_close of the handle, pio_fini, or
 * the death of the client process (the connection breaks; a host that
 * vanishes is noticed by UCX's keepalive) give it back; so does a restart
 * of the metadata server, which forgets all leases.
 */

/* Take the write lease of an open file (the handle must allow writing:
 * PFS_ERR_BADF otherwise).  PFS_ERR_LOCKED if another client holds it;
 * pio_client_errmsg() then names that client's pid, uid and address.
 * Taking a lease this client holds already succeeds.  Blocking. */
pfs_status_t pio_lease_acquire(pio_file_t *file);

/* Give the lease back (no error if this handle's client does not hold
 * it).  pio_close does this for a handle that holds it. */
pfs_status_t pio_lease_release(pio_file_t *file);

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
pfs_status_t pio_fstat_sz(pio_file_t *file, pio_stat_t *stat_p,
                          size_t stat_size);
#define pio_fstat(file, stat_p)                                                \
    pio_fstat_sz((file), (stat_p), sizeof(pio_stat_t))
pfs_status_t pio_stat_sz(pio_client_t *client, const char *path,
                         pio_stat_t *stat_p, size_t stat_size);
#define pio_stat(client, path, stat_p)                                         \
    pio_stat_sz((client), (path), (stat_p), sizeof(pio_stat_t))

/* The layout of an open file: which I/O server holds each slot. */
typedef struct {
    uint64_t stripe_size;
    uint32_t stripe_count;
    uint32_t servers[PIO_MAX_STRIPES]; /* I/O server index per slot */
} pio_layout_info_t;

pfs_status_t pio_file_layout_sz(const pio_file_t *file, pio_layout_info_t *out,
                                size_t info_size);
#define pio_file_layout(file, out)                                             \
    pio_file_layout_sz((file), (out), sizeof(pio_layout_info_t))

/* Remove a regular file: its name, its metadata and its data objects. */
pfs_status_t pio_unlink(pio_client_t *client, const char *path);

/* Create a directory. */
pfs_status_t pio_mkdir(pio_client_t *client, const char *path, uint32_t mode);

/* Rename atomically within pfs.  An existing target is replaced as POSIX
 * rename would (a replaced file's data objects are removed); moving a
 * directory into its own subtree is PFS_ERR_INVAL. */
pfs_status_t pio_rename(pio_client_t *client, const char *from, const char *to);

/* A directory's default layout: what files and subdirectories created in
 * it inherit (a subdirectory copies it when made; changing it later does
 * not touch existing files or subdirectories).  Set: zero fields mean
 * "the ensemble's default"; all zero removes the default.  The layout is
 * checked as at pio_create (PFS_ERR_INVAL with a message).  Get: the
 * stored default, zero where none is set (stripe_count is nservers when
 * servers are listed).  PFS_ERR_NOTDIR for a file: a file's layout never
 * changes (pio_stat reports it).  Blocking. */
pfs_status_t pio_dir_set_layout_sz(pio_client_t *client, const char *path,
                                   const pio_layout_t *layout,
                                   size_t layout_size);
#define pio_dir_set_layout(client, path, layout)                               \
    pio_dir_set_layout_sz((client), (path), (layout), sizeof(pio_layout_t))
pfs_status_t pio_dir_get_layout_sz(pio_client_t *client, const char *path,
                                   pio_layout_t *layout_p, size_t layout_size);
#define pio_dir_get_layout(client, path, layout_p)                             \
    pio_dir_get_layout_sz((client), (path), (layout_p), sizeof(pio_layout_t))

/* Fields for pio_setattr()'s mask. */
#define PIO_SETATTR_MODE 0x1  /* attr->mode: permission bits, 07777 only */
#define PIO_SETATTR_UID 0x2   /* attr->uid */
#define PIO_SETATTR_GID 0x4   /* attr->gid */
#define PIO_SETATTR_MTIME 0x8 /* attr->mtime_ns */

/* Change attributes of the file or directory at path: the fields mask
 * names are read from *attr, every other field of *attr is ignored (attr
 * may be NULL when mask is 0).  Any change also sets ctime to the
 * metadata server's clock; mask 0 changes nothing.  PFS_ERR_INVAL for an
 * unknown mask bit or a mode with bits outside 07777 (file type bits
 * included); nothing changes then.  Size is not set here (pio_truncate).
 * No permission checks: any client may change any inode.  Blocking;
 * returns when the change is durable on the metadata server. */
pfs_status_t pio_setattr_sz(pio_client_t *client, const char *path,
                            unsigned mask, const pio_stat_t *attr,
                            size_t stat_size);
#define pio_setattr(client, path, mask, attr)                                  \
    pio_setattr_sz((client), (path), (mask), (attr), sizeof(pio_stat_t))

/* Remove an empty directory (PFS_ERR_NOTEMPTY otherwise). */
pfs_status_t pio_rmdir(pio_client_t *client, const char *path);

typedef struct {
    char name[256];
    int type; /* PIO_TYPE_FILE or PIO_TYPE_DIR */
    uint8_t fid[16];
} pio_dirent_t;

#define PIO_READDIR_MAX 256

/* One page of a directory, in name order: at most max entries (1 ..
 * PIO_READDIR_MAX) whose names come after `after` ("" or NULL: from the
 * first).  *count_p gets the number filled, *more_p whether more follow;
 * pass the last name as `after` for the next page.  Stable under
 * concurrent creates and removes: an entry present throughout is listed
 * exactly once. */
pfs_status_t pio_readdir_sz(pio_client_t *client, const char *path,
                            const char *after, pio_dirent_t *ents, size_t max,
                            size_t *count_p, int *more_p, size_t dirent_size);
#define pio_readdir(client, path, after, ents, max, count_p, more_p)           \
    pio_readdir_sz((client), (path), (after), (ents), (max), (count_p),        \
                   (more_p), sizeof(pio_dirent_t))

/* Set the file's logical size: shrink (data past size is gone) or extend
 * (the new range reads as zeros).  Every server of the file adjusts its
 * object through the layout. */
pfs_status_t pio_truncate(pio_file_t *file, uint64_t size);

/* Reserve disk space for the first size bytes on every server of the
 * file; the file grows to at least size (like MPI_File_preallocate),
 * never shrinks. */
pfs_status_t pio_preallocate(pio_file_t *file, uint64_t size);

/* ---- shared file pointer -------------------------------------------------
 *
 * Every regular file has one 64-bit counter, kept in its inode on the
 * metadata server: 0 when the file is created, removed with it.  Any
 * handle of the file may use it, whatever its access flags, whether it
 * came from pio_open/pio_create or from pio_file_import.  Each call is one
 * request to the metadata server, atomic with respect to all other
 * clients, and acknowledged only once the new value is as durable as any
 * namespace change (pfs-mds --durability).  The counter is a number, not
 * an offset libpio interprets: the caller chooses its unit (the ROMIO
 * driver counts etypes).  It never exceeds 2^63 - 1.  Blocking.
 * PFS_ERR_STALE if the file was removed meanwhile.
 */

/* Shared file pointer (MPI_File_write_shared & co.): atomically add incr to the
 * file's counter; *old_p gets the value before. */
pfs_status_t pio_shared_fp_fetch_add(pio_file_t *file, uint64_t incr,
                                     uint64_t *old_p);
/* Set the counter (MPI_File_seek_shared). */
pfs_status_t pio_shared_fp_set(pio_file_t *file, uint64_t value);
/* pio_shared_fp_fetch_add with incr 0 reads the counter without changing
 * it.  An add past 2^63 - 1 fails with PFS_ERR_FBIG and changes nothing;
 * setting a value above it is PFS_ERR_INVAL. */

/* ---- noncontiguous (structured) I/O --------------------------------------
 *
 * A pio_desc_t says where bytes are, in the file or in a memory buffer:
 *  - a list: count extents (offsets[i], lengths[i]), in this order;
 *  - a strided pattern: blocks of blocklen bytes at
 *      offset + i_0 * dims[0].stride + ... + i_{n-1} * dims[n-1].stride
 *    for all 0 <= i_d < dims[d].count, the last dimension varying fastest
 *    (a vector of vectors: ndims 1 is a vector, 2 covers the rows of a 2-D
 *    tile of a 3-D array, ...).  ndims 0 is one contiguous block.
 * The bytes of the file description are paired in order with those of the
 * memory description; both must describe the same number of bytes.
 * Zero-length list entries are allowed and skipped.  Overlapping file
 * extents in one write: the later one wins.
 *
 * The client sends each I/O server one request per call carrying all of
 * its pieces (more only for a very large call: at most 8 MiB or 16384
 * runs per request), and the server sorts, merges and executes them with
 * few preadv/pwritev calls.  Data moves straight between the caller's
 * memory and the wire (UCX IOV datatype), without packing.
 */
#define PIO_MAX_DIMS 8
#define PIO_DESC_LIST 1
#define PIO_DESC_STRIDED 2

typedef struct {
    uint64_t count;
    uint64_t stride; /* bytes between the starts of consecutive elements */
} pio_dim_t;

typedef struct {
    int kind;                /* PIO_DESC_LIST or PIO_DESC_STRIDED */
    const uint64_t *offsets; /* list: count entries */
    const uint64_t *lengths; /* list: count entries */
    size_t count;
    uint64_t offset;              /* strided: first byte of the first block */
    uint64_t blocklen;            /* strided: bytes per block */
    int ndims;                    /* strided: 0 .. PIO_MAX_DIMS */
    pio_dim_t dims[PIO_MAX_DIMS]; /* outermost first */
} pio_desc_t;

/* Fill a description (no allocation; the list arrays are referenced, not
 * copied).  PFS_ERR_INVAL only for a desc_size below release 0.1's (no
 * message: there is no client); desc is then untouched. */
pfs_status_t pio_desc_contig_sz(pio_desc_t *desc, uint64_t offset, uint64_t len,
                                size_t desc_size);
#define pio_desc_contig(desc, offset, len)                                     \
    pio_desc_contig_sz((desc), (offset), (len), sizeof(pio_desc_t))
pfs_status_t pio_desc_list_sz(pio_desc_t *desc, const uint64_t *offsets,
                              const uint64_t *lengths, size_t count,
                              size_t desc_size);
#define pio_desc_list(desc, offsets, lengths, count)                           \
    pio_desc_list_sz((desc), (offsets), (lengths), (count), sizeof(pio_desc_t))
pfs_status_t pio_desc_vector_sz(pio_desc_t *desc, uint64_t offset,
                                uint64_t count, uint64_t blocklen,
                                uint64_t stride, size_t desc_size);
#define pio_desc_vector(desc, offset, count, blocklen, stride)                 \
    pio_desc_vector_sz((desc), (offset), (count), (blocklen), (stride),        \
                       sizeof(pio_desc_t))
/* Repeat the whole pattern count times, stride bytes apart (a new
 * outermost dimension).  PFS_ERR_INVAL past PIO_MAX_DIMS or on a list. */
pfs_status_t pio_desc_repeat_sz(pio_desc_t *desc, uint64_t count,
                                uint64_t stride, size_t desc_size);
#define pio_desc_repeat(desc, count, stride)                                   \
    pio_desc_repeat_sz((desc), (count), (stride), sizeof(pio_desc_t))

/* A non-blocking operation in flight. */
typedef struct pio_request pio_request_t;

/* Write (read) the file pieces of `file` from (into) the memory pieces of
 * `mem`, offsets relative to buf.  mem NULL: buf is contiguous.
 * req_p NULL: blocking.  Otherwise the call returns once the requests are
 * issued and *req_p tracks them; finish it with pio_test/pio_wait*.  The
 * descriptions (and their arrays) are consumed during the call; buf must
 * stay valid, and untouched for writes, until the request completes.
 * Progress happens inside libpio calls (test, wait, or any other).
 * Reads: holes and bytes past the end of the file read as zeros; the byte
 * count reported is the number of bytes asked for. */
pfs_status_t pio_write_desc_sz(pio_file_t *file, const void *buf,
                               const pio_desc_t *mem, const pio_desc_t *filed,
                               pio_request_t **req_p, size_t desc_size);
#define pio_write_desc(file, buf, mem, filed, req_p)                           \
    pio_write_desc_sz((file), (buf), (mem), (filed), (req_p),                  \
                      sizeof(pio_desc_t))
pfs_status_t pio_read_desc_sz(pio_file_t *file, void *buf,
                              const pio_desc_t *mem, const pio_desc_t *filed,
                              pio_request_t **req_p, size_t desc_size);
#define pio_read_desc(file, buf, mem, filed, req_p)                            \
    pio_read_desc_sz((file), (buf), (mem), (filed), (req_p), sizeof(pio_desc_t))

/* Non-blocking contiguous write/read (pio_write/pio_read shapes). */
pfs_status_t pio_iwrite(pio_file_t *file, uint64_t offset, const void *buf,
                        uint64_t len, pio_request_t **req_p);
pfs_status_t pio_iread(pio_file_t *file, uint64_t offset, void *buf,
                       uint64_t len, pio_request_t **req_p);

/* Completion.  A request that completes (successfully or not) is freed
 * and *req set to NULL; the returned status is its outcome; bytes_p (may
 * be NULL) gets the bytes transferred.  Waiting sleeps; it does not spin.
 * pio_test never blocks: *done_p says whether it completed. */
pfs_status_t pio_test(pio_request_t **req, int *done_p, uint64_t *bytes_p);
pfs_status_t pio_wait(pio_request_t **req, uint64_t *bytes_p);
/* Wait for one of n requests (NULL entries are ignored; all NULL: index
 * n).  Returns that request's outcome.  All requests must come from the
 * same client (PFS_ERR_INVAL otherwise). */
pfs_status_t pio_waitany(size_t n, pio_request_t **reqs, size_t *index_p,
                         uint64_t *bytes_p);
/* Wait for all; returns the first failure, PFS_OK if none. */
pfs_status_t pio_waitall(size_t n, pio_request_t **reqs);

#ifdef __cplusplus
}
#endif
#endif
