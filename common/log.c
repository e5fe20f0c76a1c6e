/* log.c - one line per event on stderr: time, component, level, text. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pfs_common.h"

static char log_name[64] = "pfs";
static pfs_log_level_t log_level = PFS_LOG_INFO;

void pfs_log_init(const char *name, pfs_log_level_t level)
{
    snprintf(log_name, sizeof(log_name), "%s", name);
    log_level = level;
}

void pfs_log(pfs_log_level_t level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    int saved_errno = errno; /* keep %m meaning the caller's errno */
    char stamp[32], line[2048];
    int len;
    struct timeval tv;
    struct tm tm;
    va_list ap;

    if (level > log_level) {
        return;
    }
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    /* one write per line, so lines of servers sharing a terminal or a
     * launcher's output do not interleave */
    len = snprintf(line, sizeof(line), "%s.%03ld %s %s: ", stamp,
                   (long)tv.tv_usec / 1000, log_name, names[level]);
    errno = saved_errno;
    va_start(ap, fmt);
    vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
    va_end(ap);
    len = (int)strlen(line);
    line[len++] = '\n';
    (void)!write(STDERR_FILENO, line, (size_t)len);
    errno = saved_errno;
}

void pfs_log_limited(pfs_log_limit_t *limit, pfs_log_level_t level,
                     const char *fmt, ...)
{
    unsigned long long now = pfs_now_ms();
    char msg[1024];
    va_list ap;

    if (level > log_level) {
        return;
    }
    if (now - limit->window_ms >= 60000) {
        if (limit->suppressed > 0) {
            pfs_log(level,
                    "(%u more such lines in the last minute not "
                    "shown)",
                    limit->suppressed);
        }
        limit->window_ms = now;
        limit->lines = 0;
        limit->suppressed = 0;
    }
    if (limit->lines >= PFS_LOG_LIMIT_PER_MIN) {
        limit->suppressed++;
        return;
    }
    limit->lines++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pfs_log(level, "%s", msg);
}
