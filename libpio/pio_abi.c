/* pio_abi.c - the public structs at the caller's size (pio_abi.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pfs_common.h"
#include "pio_abi.h"

pfs_status_t pioi_abi_check(size_t size, size_t min, const char *name,
                            char *msg, size_t msg_size)
{
    if (size >= min) {
        return PFS_OK;
    }
    if (msg != NULL) {
        snprintf(msg, msg_size,
                 "%s of %zu bytes, less than the %zu of its first release: "
                 "built against another pfs/pio.h, or a wrong size passed "
                 "to an _sz function",
                 name, size, min);
    }
    return PFS_ERR_INVAL;
}

pfs_status_t pioi_abi_in(void *dst, size_t own, const void *src, size_t size,
                         size_t min, const char *name, char *msg,
                         size_t msg_size)
{
    pfs_status_t st = pioi_abi_check(size, min, name, msg, msg_size);

    if (st != PFS_OK) {
        return st;
    }
    memset(dst, 0, own);
    memcpy(dst, src, PFS_MIN(size, own));
    return PFS_OK;
}

void pioi_abi_update(void *dst, size_t size, const void *src, size_t own)
{
    memcpy(dst, src, PFS_MIN(size, own));
}

void pioi_abi_out(void *dst, size_t size, const void *src, size_t own)
{
    pioi_abi_update(dst, size, src, own);
    if (size > own) {
        memset((char *)dst + own, 0, size - own);
    }
}
