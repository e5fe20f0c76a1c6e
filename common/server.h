/* server.h - what pfs-mds and pfs-iosrv share: options, the launch-time
 * agreement among all servers, and the progress loop. */
#ifndef PFS_SERVER_H
#define PFS_SERVER_H

#include <signal.h>
#include <stdint.h>

#include "cap.h"
#include "ensemble.h"
#include "transport_srv.h"

typedef struct pfs_server pfs_server_t;

typedef struct {
    pfs_role_t role;
    const char *program; /* "pfs-mds" */
    const char *usage;   /* role-specific option help, appended to --help */
    /* Parse one role-specific option; return 1 if consumed (with its
     * argument when needs_arg), 0 if unknown, -1 on a bad value. */
    int (*parse_option)(void *arg, const char *opt, const char *value);
    /* Open local state before any address is exchanged (MDS: LevelDB).
     * May fill srv->ens.fsid (MDS). */
    pfs_status_t (*prepare)(void *arg, pfs_server_t *srv, char *errmsg,
                            size_t errmsg_size);
    /* After the exchange: the ensemble (fsid, key, every address) is known
     * and srv->index set.  I/O servers check their data directory here. */
    pfs_status_t (*join)(void *arg, pfs_server_t *srv, char *errmsg,
                         size_t errmsg_size);
    pfs_srv_handler_t handler;
    /* Called on every turn of the progress loop (may be NULL): finish work
     * that other threads completed.  Returns the number of events. */
    unsigned (*poll)(void *arg, pfs_server_t *srv);
    /* Release local state at exit. */
    void (*cleanup)(void *arg, pfs_server_t *srv);
} pfs_server_ops_t;

struct pfs_server {
    const pfs_server_ops_t *ops;
    void *ops_arg;
    pfs_role_t role;
    uint32_t index;         /* I/O server index; 0 for the MDS */
    const char *root;       /* --root */
    const char *descriptor; /* MDS: where to write the descriptor */
    pfs_tx_t *tx;
    pfs_ensemble_t ens; /* filled by the exchange */
    /* derived from the exchange (auth.h, cap.h): HELLO's key, and the
     * key capabilities are signed with (servers only) */
    uint8_t hello_key[PFS_AUTH_KEY_SIZE];
    uint8_t cap_key[PFS_CAP_KEY_SIZE];
    char addr[PFS_ADDR_MAX];
    char host[256];
    uint64_t start_ms;
    uint64_t requests;
    uint64_t data_requests;
    uint64_t bytes_read, bytes_written;
    uint64_t pending_removals; /* MDS: reported by STATUS */
    /* set by ops->poll: be called again within this many ms even if
     * nothing happens (0: no wish; the loop then sleeps up to 1 s) */
    int poll_within_ms;
    volatile sig_atomic_t stop;
};

/* Run a server: parse argv, join the launch, serve until stopped.
 * Returns the process exit code. */
int pfs_server_main(const pfs_server_ops_t *ops, void *arg, int argc,
                    char **argv);

/* Common handling of HELLO, STATUS and SHUTDOWN; returns 1 if it answered
 * req.  Also rejects (and answers) any request on a connection that has not
 * proven the cluster key. */
int pfs_server_handle_common(pfs_server_t *srv, pfs_srv_req_t *req);

#endif
