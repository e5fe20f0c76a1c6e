/* cp.h - what the two files of pfs-cp share: pfs_cp.c (options, paths,
 * directories) and cp_file.c (the copy of one file: its buffers, the
 * requests in flight, the progress bar, the removal of a failed copy).
 * Single-threaded; every function that fails has reported why on stderr
 * and returns 1 (0 when done). */
#ifndef PFS_TOOLS_CP_H
#define PFS_TOOLS_CP_H

#include <stdint.h>

#include <pfs/pio.h>

#define CP_NAME "pfs-cp"
#define CP_DEFAULT_CHUNK (UINT64_C(8) << 20)
#define CP_DEFAULT_INFLIGHT 4
#define CP_MAX_INFLIGHT 64

/* Set by the options before the first copy, then only read. */
typedef struct {
    pio_client_t *client; /* NULL when no path is in pfs */
    uint64_t chunk;       /* bytes per request */
    unsigned inflight;    /* requests in flight per file, at most
                             CP_MAX_INFLIGHT */
    pio_layout_t layout;  /* of new pfs files */
    int all_servers;      /* new pfs files: stripe over every server */
    int show_progress;    /* draw the bar on stderr */
} cp_config_t;

extern cp_config_t cp_config;

/* A path in pfs ("pfs:/...")? */
int cp_is_pfs(const char *path);

/* Report a failure of path (clearing the progress bar first); return 1. */
int cp_fail_pfs(const char *path, pfs_status_t st);
int cp_fail_sys(const char *path, const char *what); /* from errno */

/* Clear the progress bar before printing anything else on stderr. */
void cp_progress_clear(void);

/* The buffers of the pipeline: cp_config.inflight of cp_config.chunk
 * bytes.  cp_buffers_free may be called after a failed alloc. */
int cp_buffers_alloc(void);
void cp_buffers_free(void);

/* Copy the regular file spath to dpath (created with mode, or replaced
 * from its first byte); at least one of them in pfs, and not the same
 * file.  A copy that fails is removed, and that is said too. */
int cp_file_copy(const char *spath, const char *dpath, uint32_t mode);

#endif
