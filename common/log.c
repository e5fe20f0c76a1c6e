/* log.c - one line per event on stderr: time, component, level, text. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

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
    char stamp[32];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    if (level > log_level) {
        return;
    }
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld %s %s: ", stamp, (long)tv.tv_usec / 1000,
            log_name, names[level]);
    errno = saved_errno;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    errno = saved_errno;
}
