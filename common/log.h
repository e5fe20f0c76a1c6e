/* log.h - leveled, timestamped logging for the servers and tools.
 * Libraries (libpio) never call these: they return status codes. */
#ifndef PFS_LOG_H
#define PFS_LOG_H

typedef enum {
    PFS_LOG_ERROR = 0,
    PFS_LOG_WARN = 1,
    PFS_LOG_INFO = 2,
    PFS_LOG_DEBUG = 3
} pfs_log_level_t;

/* name appears in every line ("pfs-mds[0]"); level is the most verbose
 * level printed.  Not thread safe: call once at start-up. */
void pfs_log_init(const char *name, pfs_log_level_t level);
void pfs_log(pfs_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A budget of lines per minute, for what clients can make a server say
 * (refused requests, cut connections): past it, lines are counted, and
 * the count is logged when the next minute starts.  One per thread. */
typedef struct {
    unsigned long long window_ms;
    unsigned lines;
    unsigned suppressed;
} pfs_log_limit_t;

#define PFS_LOG_LIMIT_PER_MIN 20u

void pfs_log_limited(pfs_log_limit_t *limit, pfs_log_level_t level,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define pfs_log_error(...) pfs_log(PFS_LOG_ERROR, __VA_ARGS__)
#define pfs_log_warn(...) pfs_log(PFS_LOG_WARN, __VA_ARGS__)
#define pfs_log_info(...) pfs_log(PFS_LOG_INFO, __VA_ARGS__)
#define pfs_log_debug(...) pfs_log(PFS_LOG_DEBUG, __VA_ARGS__)

#endif
