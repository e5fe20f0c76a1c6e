/* pfs_hostile.h - what the files of pfs_hostile share: the client's state,
 * the helpers of pfs_hostile_util.c and the modes main() dispatches to. */
#ifndef PFS_HOSTILE_H
#define PFS_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

#include "ensemble.h"
#include "proto.h"
#include "transport.h"
#include "wire.h"

typedef struct {
    pfs_tx_t *tx;
    pfs_ensemble_t ens;
    const pfs_server_info_t *srv;
    int n;
    int seconds;
    pfs_cap_t local_cap; /* local modes: for the good requests */
    const char *dir;     /* local modes: their file's directory (-f) */
    /* connections made by hconnect, not yet given to hdisconnect */
    pfs_tx_conn_t **conns;
    size_t nconns, conns_cap;
} hostile_t;

/* the state of rnd(); main() mixes the pid in */
extern uint64_t rnd_state;

uint64_t rnd(void);
void rnd_fill(uint8_t *p, size_t n);
/* pfs_tx_connect and pfs_tx_disconnect, keeping count: main() closes
 * what a mode left open before it destroys the transport */
pfs_status_t hconnect(hostile_t *h, const char *addr, pfs_tx_conn_t **conn_p);
void hdisconnect(hostile_t *h, pfs_tx_conn_t *conn);
void hdisconnect_all(hostile_t *h);
int connect_to(hostile_t *h, pfs_tx_conn_t **conn_p);
pfs_status_t greet_server(hostile_t *h, pfs_tx_conn_t *conn, const uint8_t *key,
                          const pfs_server_info_t *srv);
pfs_status_t greet(hostile_t *h, pfs_tx_conn_t *conn, const uint8_t *key);
pfs_status_t call(hostile_t *h, pfs_tx_conn_t *conn, uint16_t opcode,
                  const void *body, size_t body_len, const void *data,
                  size_t data_len);
int status_ok(hostile_t *h, pfs_tx_conn_t *conn);
pfs_status_t get_cap(hostile_t *h, const char *path, int create,
                     uint32_t access, const pfs_layout_spec_t *spec,
                     pfs_attr_t *attr_p, pfs_cap_t *cap_p);
int local_connect(hostile_t *h);

/* the modes of pfs_hostile_local.c and pfs_hostile_sec.c: 0 if the
 * server behaved as it must, 1 if not */
int mode_noread(hostile_t *h);
int mode_local(hostile_t *h);
int mode_localhold(hostile_t *h);
int mode_replay(hostile_t *h);
int mode_caps(hostile_t *h);
int mode_expired(hostile_t *h);
int mode_steal(hostile_t *h, const char *path);

#endif
