/* fuzz_proto.c - libFuzzer targets for every decoder of the wire protocol
 * (common/proto.h): the message header and each message body.
 *
 * Every target decodes the input as a peer would send it.  What decodes
 * must re-encode, with the message's own encoder and into a buffer of its
 * PFS_X_MAX bytes, to exactly the input (all encodings of proto.h are
 * canonical, except HELLO's groups, which the decoder sorts and
 * deduplicates).  A decoder that takes bytes its encoder would never
 * write, or an encoder that cannot write what its decoder took, is a
 * finding, as is any crash, sanitizer report or leak.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto.h"

/* The common tail of a canonical target: encoded == input. */
#define FUZZ_SAME(buf, len, data, size)                                        \
    FUZZ_CHECK((len) == (size) && memcmp((buf), (data), (size)) == 0)

static int fuzz_hdr(const uint8_t *data, size_t size)
{
    pfs_msg_hdr_t hdr;
    uint8_t out[PFS_PROTO_HDR_SIZE];

    if (pfs_proto_hdr_unpack(data, size, &hdr) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(hdr.opcode > 0 && hdr.opcode < PFS_OP_MAX_);
    FUZZ_CHECK(hdr.body_len <= PFS_PROTO_MAX_BODY);
    FUZZ_CHECK(PFS_PROTO_HDR_SIZE + (size_t)hdr.body_len == size);
    FUZZ_CHECK(hdr.status <= 0);
    pfs_proto_hdr_pack(&hdr, out);
    FUZZ_CHECK(memcmp(out, data, sizeof(out)) == 0);
    (void)pfs_proto_op_name(hdr.opcode);
    return 0;
}

/* Input: u16 body length, body, then the groups payload. */
static int fuzz_hello_req(const uint8_t *data, size_t size)
{
    static uint8_t body[PFS_HELLO_REQ_MAX];
    pfs_hello_req_t m, again;
    const uint8_t *groups;
    size_t blen, glen, len;
    uint8_t *gout;
    uint32_t i;
    pfs_status_t st;
    int sorted;

    if (size < 2) {
        return 0;
    }
    blen = fuzz_le(data, 2);
    if (blen > size - 2) {
        return 0;
    }
    groups = data + 2 + blen;
    glen = size - 2 - blen;
    st = pfs_proto_hello_req_decode(data + 2, blen, glen > 0 ? groups : NULL,
                                    glen, &m);
    if (st != PFS_OK) {
        pfs_cred_release(&m.cred);
        return 0;
    }
    FUZZ_CHECK(m.role <= PFS_ROLE_ADMIN);
    FUZZ_CHECK(m.cred.ngroups <= glen / 4);
    FUZZ_CHECK(m.cred.ngroups == 0 || m.cred.groups != NULL);
    for (i = 1; i < m.cred.ngroups; i++) {
        FUZZ_CHECK(m.cred.groups[i - 1] < m.cred.groups[i]);
    }
    for (i = 0; i < m.cred.ngroups; i++) {
        FUZZ_CHECK(pfs_cred_in_group(&m.cred, m.cred.groups[i]));
    }
    FUZZ_CHECK(pfs_proto_hello_req_encode(body, sizeof(body), &m, &len) ==
               PFS_OK);
    FUZZ_CHECK(len == blen);
    /* groups sent sorted and without duplicates (as pfs_cred_self and
     * every sender keep them) are canonical; others are normalized */
    for (i = 1; i < glen / 4; i++) {
        if (fuzz_le(groups + 4 * (i - 1), 4) >= fuzz_le(groups + 4 * i, 4)) {
            break;
        }
    }
    sorted = glen == 0 || i == glen / 4;
    if (sorted) {
        FUZZ_CHECK(m.cred.ngroups * 4 == glen);
        FUZZ_CHECK(memcmp(body, data + 2, blen) == 0);
    }
    gout = malloc(4 * (size_t)m.cred.ngroups + 1);
    FUZZ_CHECK(gout != NULL);
    pfs_proto_hello_groups_encode(&m, gout);
    if (sorted) {
        FUZZ_CHECK(glen == 0 || memcmp(gout, groups, glen) == 0);
    }
    /* what was re-encoded decodes to the same credentials */
    FUZZ_CHECK(pfs_proto_hello_req_decode(body, len, gout,
                                          4 * (size_t)m.cred.ngroups,
                                          &again) == PFS_OK);
    FUZZ_CHECK(again.cred.uid == m.cred.uid && again.cred.gid == m.cred.gid &&
               again.cred.ngroups == m.cred.ngroups && again.pid == m.pid &&
               again.role == m.role &&
               memcmp(again.proof, m.proof, sizeof(m.proof)) == 0);
    FUZZ_CHECK(m.cred.ngroups == 0 || memcmp(again.cred.groups, m.cred.groups,
                                             4 * (size_t)m.cred.ngroups) == 0);
    pfs_cred_release(&again.cred);
    free(gout);
    pfs_cred_release(&m.cred);
    FUZZ_CHECK(m.cred.ngroups == 0 && m.cred.groups == NULL);
    return 0;
}

static int fuzz_challenge_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_CHALLENGE_REP_MAX];
    pfs_challenge_rep_t m;
    size_t len;

    if (pfs_proto_challenge_rep_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_challenge_rep_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_status_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_STATUS_REP_MAX];
    pfs_status_rep_t m;
    size_t len;

    if (pfs_proto_status_rep_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(strlen(m.host) < sizeof(m.host));
    FUZZ_CHECK(pfs_proto_status_rep_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_layout_spec(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_LAYOUT_SPEC_MAX];
    pfs_layout_spec_t m;
    size_t len;

    if (pfs_proto_layout_spec_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(m.nservers <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(pfs_proto_layout_spec_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_path_req(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_PATH_REQ_MAX];
    static pfs_path_req_t m;
    static char norm[PFS_PATH_MAX + 1];
    size_t len;

    if (pfs_proto_path_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(strlen(m.path) <= PFS_PATH_MAX);
    FUZZ_CHECK(pfs_proto_path_req_encode(out, sizeof(out), &m, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    /* what the MDS does next with the path */
    if (pfs_path_normalize(m.path, norm) == PFS_OK) {
        FUZZ_CHECK(norm[0] == '/' && strlen(norm) <= PFS_PATH_MAX);
    }
    return 0;
}

static int fuzz_attr(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_ATTR_MAX];
    pfs_attr_t m;
    size_t len;

    if (pfs_proto_attr_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(m.type == PFS_FILE_TYPE_REG || m.type == PFS_FILE_TYPE_DIR);
    FUZZ_CHECK(m.layout.stripe_count <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(pfs_proto_attr_encode(out, sizeof(out), &m, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_cap(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_CAP_MAX];
    static pfs_cap_t m;
    size_t len;

    if (pfs_proto_cap_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK((m.rights & ~PFS_CAP_ALL) == 0 &&
               m.nservers <= PFS_LAYOUT_MAX_STRIPES);
    FUZZ_CHECK(pfs_proto_cap_encode(out, sizeof(out), &m, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_readdir_req(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_READDIR_REQ_MAX];
    static pfs_readdir_req_t m;
    size_t len;

    if (pfs_proto_readdir_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(m.max >= 1 && m.max <= PFS_READDIR_MAX);
    FUZZ_CHECK(pfs_proto_readdir_req_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_readdir_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_READDIR_REP_MAX];
    pfs_readdir_rep_t m;
    size_t len;

    if (pfs_proto_readdir_rep_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(m.count <= PFS_READDIR_MAX && m.more <= 1);
    FUZZ_CHECK(pfs_proto_readdir_rep_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

/* Input: u32 count (as the reply body says; any value), then the
 * entries payload. */
static int fuzz_dirents(const uint8_t *data, size_t size)
{
    static pfs_dirent_t ents[PFS_READDIR_MAX];
    static uint8_t out[PFS_DIRENTS_MAX];
    uint32_t n, i;
    size_t len;

    if (size < 4) {
        return 0;
    }
    n = (uint32_t)fuzz_le(data, 4);
    if (pfs_proto_dirents_decode(data + 4, size - 4, n, ents) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(n <= PFS_READDIR_MAX);
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(ents[i].name[0] != '\0' &&
                   strlen(ents[i].name) <= PFS_NAME_MAX);
    }
    FUZZ_CHECK(pfs_proto_dirents_encode(out, sizeof(out), ents, n, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data + 4, size - 4);
    return 0;
}

static int fuzz_rename_req(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_RENAME_REQ_MAX];
    static pfs_rename_req_t m;
    size_t len;

    if (pfs_proto_rename_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_rename_req_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_rename_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_RENAME_REP_MAX];
    pfs_rename_rep_t m;
    size_t len;

    if (pfs_proto_rename_rep_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_rename_rep_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_fp_req(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_FP_REQ_MAX];
    pfs_fp_req_t m;
    size_t len;

    if (pfs_proto_fp_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_fp_req_encode(out, sizeof(out), &m, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

/* LEASE: a decoded request re-encodes to the same bytes, and only the
 * two known operations decode. */
static int fuzz_lease_req(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_LEASE_REQ_MAX];
    pfs_lease_req_t m;
    size_t len;

    if (pfs_proto_lease_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(m.op == PFS_LEASE_ACQUIRE || m.op == PFS_LEASE_RELEASE);
    FUZZ_CHECK(pfs_proto_lease_req_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_fp_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_FP_REP_MAX];
    uint64_t before;
    size_t len;

    if (pfs_proto_fp_rep_decode(data, size, &before) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_fp_rep_encode(out, sizeof(out), before, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_setattr_req(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_SETATTR_REQ_MAX];
    static pfs_setattr_req_t m;
    size_t len;

    if (pfs_proto_setattr_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK((m.mask & ~PFS_SETATTR_ALL) == 0);
    FUZZ_CHECK(pfs_proto_setattr_req_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_io_req(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_IO_REQ_MAX];
    pfs_io_req_t m;
    size_t len;

    if (pfs_proto_io_req_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    /* what the I/O server relies on: a valid off_t range */
    FUZZ_CHECK(m.offset <= PFS_MAX_FILE_SIZE &&
               m.length <= PFS_MAX_FILE_SIZE - m.offset);
    FUZZ_CHECK(pfs_proto_io_req_encode(out, sizeof(out), &m, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

/* Input: u8 opcode of the request, then the reply body. */
static int fuzz_io_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_IO_REP_MAX];
    pfs_io_rep_t m;
    size_t len;

    if (size < 1) {
        return 0;
    }
    if (pfs_proto_io_rep_decode(data + 1, size - 1, data[0], &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_io_rep_encode(out, sizeof(out), data[0], &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data + 1, size - 1);
    return 0;
}

static int fuzz_remove_req(const uint8_t *data, size_t size)
{
    static pfs_cap_t caps[PFS_REMOVE_MAX];
    static uint8_t out[PFS_PROTO_MAX_BODY];
    uint32_t n;
    size_t len;

    if (pfs_proto_remove_req_decode(data, size, caps, &n) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(n >= 1 && n <= PFS_REMOVE_MAX);
    FUZZ_CHECK(pfs_proto_remove_req_encode(out, sizeof(out), caps, n, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_remove_rep(const uint8_t *data, size_t size)
{
    pfs_status_t st[PFS_REMOVE_MAX];
    uint8_t out[PFS_REMOVE_REP_MAX];
    uint32_t n;
    size_t len;

    if (pfs_proto_remove_rep_decode(data, size, st, &n) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(n <= PFS_REMOVE_MAX);
    FUZZ_CHECK(pfs_proto_remove_rep_encode(out, sizeof(out), st, n, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_statfs_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_STATFS_REP_MAX];
    pfs_statfs_rep_t m;
    size_t len;

    if (pfs_proto_statfs_rep_decode(data, size, &m) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_statfs_rep_encode(out, sizeof(out), &m, &len) ==
               PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

static int fuzz_errmsg(const uint8_t *data, size_t size)
{
    char msg[PFS_PROTO_MAX_ERRMSG + 1], small[8];
    uint8_t out[PFS_ERRMSG_MAX];
    size_t len, cut = size > 0 ? data[0] % sizeof(small) : 0;

    if (pfs_proto_errmsg_decode(data, size, msg, sizeof(msg)) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_errmsg_encode(out, sizeof(out), msg, &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    /* a smaller buffer gets a clipped copy, always terminated */
    memset(small, 'X', sizeof(small));
    FUZZ_CHECK(pfs_proto_errmsg_decode(data, size, small, cut) == PFS_OK);
    if (cut > 0) {
        FUZZ_CHECK(strlen(small) < cut &&
                   strncmp(small, msg, strlen(small)) == 0);
    } else {
        FUZZ_CHECK(small[0] == 'X'); /* nothing written */
    }
    return 0;
}

static int fuzz_handle(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_HANDLE_MAX];
    static pfs_attr_t attr;
    static pfs_cap_t cap;
    uint8_t fsid[16];
    size_t len;

    if (pfs_proto_handle_decode(data, size, fsid, &attr, &cap) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(pfs_proto_handle_encode(out, sizeof(out), fsid, &attr, &cap,
                                       &len) == PFS_OK);
    FUZZ_SAME(out, len, data, size);
    return 0;
}

FUZZ_ENTRY_POINT
