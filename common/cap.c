/* cap.c - capabilities (cap.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cap.h"

pfs_status_t pfs_cap_key_derive(const uint8_t cluster_key[PFS_PROTO_KEY_SIZE],
                                const uint8_t secret[PFS_CAP_SECRET_SIZE],
                                uint8_t key_p[PFS_CAP_KEY_SIZE])
{
    return pfs_auth_hkdf(cluster_key, PFS_PROTO_KEY_SIZE, secret,
                         PFS_CAP_SECRET_SIZE, "pfs capability key v1", key_p,
                         PFS_CAP_KEY_SIZE);
}

/* The MAC over c's encoding up to the MAC itself. */
static pfs_status_t cap_mac(const uint8_t key[PFS_CAP_KEY_SIZE],
                            const pfs_cap_t *c, uint8_t mac[PFS_PROOF_SIZE])
{
    uint8_t buf[PFS_CAP_MAX];
    pfs_auth_piece_t piece;
    size_t len;
    pfs_status_t st;

    st = pfs_proto_cap_encode(buf, sizeof(buf), c, &len);
    if (st != PFS_OK) {
        return st;
    }
    piece.p = buf;
    piece.len = len - PFS_PROOF_SIZE;
    return pfs_auth_hmac(key, PFS_CAP_KEY_SIZE, &piece, 1, mac);
}

pfs_status_t pfs_cap_issue(const uint8_t key[PFS_CAP_KEY_SIZE], pfs_fid_t fid,
                           uint32_t rights, const pfs_layout_t *layout,
                           uint64_t now_ms, uint64_t lifetime_ms, pfs_cap_t *c)
{
    uint32_t i;

    memset(c, 0, sizeof(*c));
    c->fid = fid;
    c->rights = rights;
    c->issued_ms = now_ms;
    c->expiry_ms = now_ms + lifetime_ms;
    c->nservers = layout->stripe_count;
    for (i = 0; i < c->nservers; i++) {
        c->servers[i] = layout->servers[i];
    }
    return cap_mac(key, c, c->mac);
}

pfs_status_t pfs_cap_verify(const uint8_t key[PFS_CAP_KEY_SIZE],
                            const pfs_cap_t *c)
{
    uint8_t mac[PFS_PROOF_SIZE];

    if (cap_mac(key, c, mac) != PFS_OK) {
        return PFS_ERR_CAP;
    }
    return pfs_auth_equal(mac, c->mac, sizeof(mac)) ? PFS_OK : PFS_ERR_CAP;
}

static const char *rights_text(uint32_t r)
{
    static const char *const text[] = {
        "no rights", "read",       "write",       "read and write",
        "stat",      "read, stat", "write, stat", "read, write, stat"};

    return (r & PFS_CAP_REMOVE) != 0 ? "remove" : text[r & 7u];
}

pfs_status_t pfs_cap_allows(const pfs_cap_t *c, uint32_t need, int check_server,
                            uint32_t index, uint64_t now_ms, char *why,
                            size_t why_size)
{
    uint32_t i;

    if ((c->rights & need) == 0) {
        snprintf(why, why_size, "the capability grants %s only",
                 rights_text(c->rights));
        return PFS_ERR_ACCESS;
    }
    if (check_server) {
        for (i = 0; i < c->nservers && c->servers[i] != index; i++) {
        }
        if (i == c->nservers) {
            snprintf(why, why_size, "I/O server %u is not in the file's layout",
                     index);
            return PFS_ERR_ACCESS;
        }
    }
    if (now_ms >= c->expiry_ms) {
        snprintf(why, why_size, "the capability expired %llu ms ago",
                 (unsigned long long)(now_ms - c->expiry_ms));
        return PFS_ERR_CAP_EXPIRED;
    }
    return PFS_OK;
}

uint32_t pfs_cap_rights_for(unsigned opcode)
{
    switch (opcode) {
    case PFS_OP_IO_READV: return PFS_CAP_READ;
    case PFS_OP_IO_WRITEV:
    case PFS_OP_IO_TRUNCATE:
    case PFS_OP_IO_PREALLOC: return PFS_CAP_WRITE;
    case PFS_OP_IO_SIZE: return PFS_CAP_READ | PFS_CAP_WRITE | PFS_CAP_STAT;
    case PFS_OP_IO_FSYNC: return PFS_CAP_READ | PFS_CAP_WRITE;
    case PFS_OP_IO_REMOVE: return PFS_CAP_REMOVE;
    default: return 0;
    }
}

uint64_t pfs_cap_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
