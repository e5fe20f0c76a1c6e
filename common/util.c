/* util.c - clock, randomness, hex and size parsing shared by all of pfs. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pfs_common.h"

void pfs_fid_format(pfs_fid_t fid, char *out)
{
    snprintf(out, PFS_FID_HEX_LEN + 1, "%016" PRIx64 "%016" PRIx64, fid.hi,
             fid.lo);
}

uint64_t pfs_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

pfs_status_t pfs_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return pfs_status_from_errno(errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return PFS_OK;
}

void pfs_hex_encode(const void *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = in;
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

pfs_status_t pfs_hex_decode(const char *in, void *out, size_t len)
{
    uint8_t *p = out;
    size_t i;

    if (strlen(in) != 2 * len) {
        return PFS_ERR_INVAL;
    }
    for (i = 0; i < len; i++) {
        int hi = hex_value(in[2 * i]);
        int lo = hex_value(in[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return PFS_ERR_INVAL;
        }
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    return PFS_OK;
}

pfs_status_t pfs_parse_size(const char *text, uint64_t *value_p)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    if (text == NULL || *text == '\0' || *text == '-') {
        return PFS_ERR_INVAL;
    }
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0 || end == text) {
        return PFS_ERR_INVAL;
    }
    switch (*end) {
    case '\0': break;
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    case 't':
    case 'T':
        shift = 40;
        end++;
        break;
    default: return PFS_ERR_INVAL;
    }
    if (*end == 'i' || *end == 'b' || *end == 'B') {
        end++; /* accept 4k, 4KiB, 4kB: all mean 4096 */
        if (*end == 'B') {
            end++;
        }
    }
    if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift))) {
        return PFS_ERR_INVAL;
    }
    *value_p = (uint64_t)v << shift;
    return PFS_OK;
}

pfs_status_t pfs_make_dir(const char *path, char *errmsg, size_t errmsg_size)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(errmsg, errmsg_size, "cannot create %s: %s", path,
                 strerror(errno));
        return pfs_status_from_errno(errno);
    }
    return PFS_OK;
}

pfs_status_t pfs_write_file_atomic(const char *path, unsigned mode,
                                   int (*fill)(FILE *f, const void *arg),
                                   const void *arg, char *errmsg,
                                   size_t errmsg_size)
{
    char tmp[4096];
    FILE *f;
    int fd, bad;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        snprintf(errmsg, errmsg_size, "cannot write %s: path too long", path);
        return PFS_ERR_NAMETOOLONG;
    }
    fd = mkstemp(tmp);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        pfs_status_t st = pfs_status_from_errno(errno);

        snprintf(errmsg, errmsg_size, "cannot create %s: %s",
                 fd >= 0 ? tmp : path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return st;
    }
    errno = 0;
    bad = fill(f, arg) != 0 || fflush(f) != 0 || ferror(f) || fsync(fd) != 0 ||
          fchmod(fd, (mode_t)mode) != 0;
    bad = (fclose(f) != 0) | bad;
    if (bad || rename(tmp, path) != 0) {
        int err = errno;

        snprintf(errmsg, errmsg_size, "cannot write %s: %s", path,
                 err != 0 ? strerror(err) : "write failed");
        unlink(tmp);
        return err != 0 ? pfs_status_from_errno(err) : PFS_ERR_IO;
    }
    return PFS_OK;
}
