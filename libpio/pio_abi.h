/* pio_abi.h - the public structs at the caller's size (doc/abi.md):
 * every API function that takes one is exported as <name>_sz with the
 * caller's sizeof, and copies the struct in or out through these
 * helpers.  Compiled into libpio and libpio_mpi (hidden in both). */
#ifndef PIO_ABI_H
#define PIO_ABI_H

#include <stddef.h>

#include "pfs/status.h"

/* The bytes of type up to the end of member. */
#define PIOI_END_OF(type, member)                                              \
    (offsetof(type, member) + sizeof(((type *)0)->member))

/* The smallest size a caller may pass for each public struct: the first
 * release's (0.1), through its last member then.  Members are only ever
 * appended, so these never change.  (pio_dim_t is no entry: it lives in
 * pio_desc_t's dims array and cannot grow.) */
#define PIOI_ABI_MIN_pio_config_t PIOI_END_OF(pio_config_t, local_io)
#define PIOI_ABI_MIN_pio_layout_t PIOI_END_OF(pio_layout_t, servers)
#define PIOI_ABI_MIN_pio_stat_t PIOI_END_OF(pio_stat_t, servers)
#define PIOI_ABI_MIN_pio_space_t PIOI_END_OF(pio_space_t, avail_bytes)
#define PIOI_ABI_MIN_pio_layout_info_t PIOI_END_OF(pio_layout_info_t, servers)
#define PIOI_ABI_MIN_pio_dirent_t PIOI_END_OF(pio_dirent_t, fid)
#define PIOI_ABI_MIN_pio_desc_t PIOI_END_OF(pio_desc_t, dims)
#define PIOI_ABI_MIN_pio_coll_hints_t PIOI_END_OF(pio_coll_hints_t, direct_min)
#define PIOI_ABI_MIN_pio_coll_batch_t PIOI_END_OF(pio_coll_batch_t, any_more)
#define PIOI_ABI_MIN_pio_coll_stats_t PIOI_END_OF(pio_coll_stats_t, total_s)

/* PFS_ERR_INVAL if size is below min; msg (msg_size bytes, may be NULL)
 * then names the struct and both sizes. */
pfs_status_t pioi_abi_check(size_t size, size_t min, const char *name,
                            char *msg, size_t msg_size);

/* An input: the caller's size bytes at src into the library's own struct
 * dst (own bytes), after pioi_abi_check.  Members beyond size are zero
 * in dst; bytes of src beyond own (members of a later release) are not
 * read. */
pfs_status_t pioi_abi_in(void *dst, size_t own, const void *src, size_t size,
                         size_t min, const char *name, char *msg,
                         size_t msg_size);

/* An output: the library's struct src (own bytes) into the caller's dst
 * of size bytes, which pioi_abi_check accepted.  Nothing past size is
 * written; members past own (unknown to this library) get zero. */
void pioi_abi_out(void *dst, size_t size, const void *src, size_t own);

/* An input that is also an output (the caller's struct updated): like
 * pioi_abi_out, but members past own keep the caller's values. */
void pioi_abi_update(void *dst, size_t size, const void *src, size_t own);

/* The same for a struct of a given public type, whose pointers are
 * checked against it by the compiler. */
#define PIOI_ABI_CHECK(type, size, msg, msg_size)                              \
    pioi_abi_check((size), PIOI_ABI_MIN_##type, #type, (msg), (msg_size))
#define PIOI_ABI_IN(type, dst, src, size, msg, msg_size)                       \
    pioi_abi_in((1 ? (dst) : (type *)0), sizeof(type),                         \
                (1 ? (src) : (const type *)0), (size), PIOI_ABI_MIN_##type,    \
                #type, (msg), (msg_size))
#define PIOI_ABI_OUT(type, dst, size, src)                                     \
    pioi_abi_out((1 ? (dst) : (type *)0), (size),                              \
                 (1 ? (src) : (const type *)0), sizeof(type))
#define PIOI_ABI_UPDATE(type, dst, size, src)                                  \
    pioi_abi_update((1 ? (dst) : (type *)0), (size),                           \
                    (1 ? (src) : (const type *)0), sizeof(type))

#endif
