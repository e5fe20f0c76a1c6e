/* test_proto_msg.c - the proto suite: hello, challenge, status and path
 * request bodies, layout specs. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "proto.h"
#include "wire.h"
#include "../unit.h"

#include "test_proto.h"

/* ---- message bodies ---------------------------------------------------- */

/* A hello request with ngroups groups: body in body[], payload in *data_p
 * (malloc'd). */
static size_t hello_encode(const pfs_hello_req_t *in, uint8_t *body,
                           uint8_t **data_p)
{
    size_t len = 0;

    CU_ASSERT_EQUAL(
        pfs_proto_hello_req_encode(body, PFS_HELLO_REQ_MAX, in, &len), PFS_OK);
    *data_p = malloc(4 * (size_t)in->cred.ngroups + 1);
    CU_ASSERT_FATAL(*data_p != NULL);
    pfs_proto_hello_groups_encode(in, *data_p);
    return len;
}

void test_hello_req(void)
{
    uint8_t body[PFS_HELLO_REQ_MAX], *data;
    uint32_t groups[] = {27, 0xfffffffe, 24, 27};
    pfs_hello_req_t in, out;
    unsigned i, cut, failures = 0;
    size_t len;

    memset(&in, 0, sizeof(in));
    for (i = 0; i < PFS_PROOF_SIZE; i++) {
        in.proof[i] = (uint8_t)(0xf0 ^ i);
    }
    in.role = PFS_ROLE_ADMIN;
    in.pid = 0xdeadbeef;
    in.cred.uid = 1000;
    in.cred.gid = 100;
    in.cred.ngroups = 4;
    in.cred.groups = groups;
    len = hello_encode(&in, body, &data);
    CU_ASSERT_EQUAL(len, PFS_HELLO_REQ_MAX);
    CU_ASSERT_EQUAL(len, 1 + 4 + 12 + PFS_PROOF_SIZE);
    CU_ASSERT_EQUAL(PFS_HELLO_SIGNED_LEN, len - PFS_PROOF_SIZE);
    /* the proof is the body's tail */
    CU_ASSERT_EQUAL(
        memcmp(body + PFS_HELLO_SIGNED_LEN, in.proof, PFS_PROOF_SIZE), 0);
    CU_ASSERT_EQUAL(data[4], 0xfe); /* the groups as given, little-endian */

    CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(body, len, data, 16, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(memcmp(out.proof, in.proof, sizeof(in.proof)), 0);
    CU_ASSERT_EQUAL(out.role, PFS_ROLE_ADMIN);
    CU_ASSERT_EQUAL(out.pid, 0xdeadbeef);
    CU_ASSERT_EQUAL(out.cred.uid, 1000);
    CU_ASSERT_EQUAL(out.cred.gid, 100);
    /* sorted, the duplicate dropped */
    CU_ASSERT_EQUAL_FATAL(out.cred.ngroups, 3);
    CU_ASSERT_EQUAL(out.cred.groups[0], 24);
    CU_ASSERT_EQUAL(out.cred.groups[1], 27);
    CU_ASSERT_EQUAL(out.cred.groups[2], 0xfffffffe);
    CU_ASSERT(pfs_cred_in_group(&out.cred, 100));
    CU_ASSERT(pfs_cred_in_group(&out.cred, 27));
    CU_ASSERT(pfs_cred_in_group(&out.cred, 0xfffffffe));
    CU_ASSERT(!pfs_cred_in_group(&out.cred, 25));
    pfs_cred_release(&out.cred);

    /* every truncated body, trailing bytes, and a payload that does not
     * match the count: refused, and nothing left to release */
    for (cut = 0; cut < len; cut++) {
        failures += pfs_proto_hello_req_decode(body, cut, data, 16, &out) !=
                    PFS_ERR_PROTO;
        failures += out.cred.groups != NULL;
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(body, len, data, 15, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(body, len, data, 17, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(body, len, NULL, 0, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT(out.cred.groups == NULL);
    free(data);
}

/* Linux's limit of supplementary groups travels whole, and one more is
 * refused both ways. */
void test_hello_req_many_groups(void)
{
    uint8_t body[PFS_HELLO_REQ_MAX], *data;
    pfs_hello_req_t in, out;
    uint32_t *groups = malloc(4 * (size_t)(PFS_CRED_MAX_GROUPS + 1));
    uint32_t i;
    size_t len;

    CU_ASSERT_FATAL(groups != NULL);
    memset(&in, 0, sizeof(in));
    for (i = 0; i <= PFS_CRED_MAX_GROUPS; i++) {
        groups[i] = PFS_CRED_MAX_GROUPS - i; /* descending: decode sorts */
    }
    in.cred.uid = 4711;
    in.cred.gid = 4711;
    in.cred.ngroups = PFS_CRED_MAX_GROUPS;
    in.cred.groups = groups;
    len = hello_encode(&in, body, &data);
    CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(
                        body, len, data, 4 * (size_t)PFS_CRED_MAX_GROUPS, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(out.cred.ngroups, PFS_CRED_MAX_GROUPS);
    CU_ASSERT(pfs_cred_in_group(&out.cred, 1));
    CU_ASSERT(pfs_cred_in_group(&out.cred, PFS_CRED_MAX_GROUPS));
    CU_ASSERT(pfs_cred_in_group(&out.cred, PFS_CRED_MAX_GROUPS / 2 + 1));
    CU_ASSERT(!pfs_cred_in_group(&out.cred, 0));
    CU_ASSERT(!pfs_cred_in_group(&out.cred, PFS_CRED_MAX_GROUPS + 1));
    pfs_cred_release(&out.cred);
    free(data);

    in.cred.ngroups = PFS_CRED_MAX_GROUPS + 1;
    CU_ASSERT_EQUAL(pfs_proto_hello_req_encode(body, sizeof(body), &in, &len),
                    PFS_ERR_INVAL);
    /* hand-made: the count says one more than Linux allows */
    in.cred.ngroups = 0;
    len = hello_encode(&in, body, &data);
    pfs_put_le(body + PFS_PROTO_KEY_SIZE + 1 + 4 + 8, PFS_CRED_MAX_GROUPS + 1,
               4);
    CU_ASSERT_EQUAL(
        pfs_proto_hello_req_decode(body, len, groups,
                                   4 * (size_t)(PFS_CRED_MAX_GROUPS + 1), &out),
        PFS_ERR_PROTO);
    CU_ASSERT(out.cred.groups == NULL);
    free(data);
    free(groups);
}

/* This process's credentials: every group getgroups() lists. */
void test_cred_self(void)
{
    pfs_cred_t cred;
    gid_t list[256];
    int n = getgroups(256, list), i;

    CU_ASSERT_EQUAL_FATAL(pfs_cred_self(&cred), PFS_OK);
    CU_ASSERT_EQUAL(cred.uid, getuid());
    CU_ASSERT_EQUAL(cred.gid, getgid());
    for (i = 0; i < n; i++) {
        CU_ASSERT(pfs_cred_in_group(&cred, (uint32_t)list[i]));
    }
    for (i = 1; i < (int)cred.ngroups; i++) {
        CU_ASSERT(cred.groups[i - 1] < cred.groups[i]);
    }
    pfs_cred_release(&cred);
    CU_ASSERT_EQUAL(cred.ngroups, 0);
    CU_ASSERT(cred.groups == NULL);
}

void test_hello_req_bad_role(void)
{
    uint8_t body[PFS_HELLO_REQ_MAX], *data;
    pfs_hello_req_t in, out;
    static const uint8_t roles[] = {PFS_ROLE_ADMIN + 1, 0x80, 0xff};
    unsigned i;
    size_t len;

    memset(&in, 0, sizeof(in));
    CU_ASSERT_EQUAL(pfs_proto_hello_req_encode(body, sizeof(body), &in, &len),
                    PFS_OK);
    for (i = 0; i < PFS_ARRAY_SIZE(roles); i++) {
        in.role = roles[i];
        CU_ASSERT_EQUAL(
            pfs_proto_hello_req_encode(body, sizeof(body), &in, &len),
            PFS_ERR_INVAL);
        in.role = 0;
        len = hello_encode(&in, body, &data);
        body[0] = roles[i]; /* the role is the first byte */
        CU_ASSERT_EQUAL(pfs_proto_hello_req_decode(body, len, data, 0, &out),
                        PFS_ERR_PROTO);
        free(data);
    }
}

void test_challenge(void)
{
    static uint8_t enc[BUF_SIZE];
    uint8_t nonce[PFS_NONCE_SIZE], back[PFS_NONCE_SIZE];
    pfs_challenge_rep_t in, out;
    unsigned i, cut;
    size_t len;

    memset(&in, 0, sizeof(in));
    in.role = PFS_ROLE_IOSRV;
    in.index = 0x89abcdef;
    for (i = 0; i < sizeof(in.fsid); i++) {
        in.fsid[i] = (uint8_t)(i * 17 + 1);
    }
    memset(in.nonce, 0x5a, sizeof(in.nonce));
    memset(in.proof, 0xc3, sizeof(in.proof));
    len = check_codec(pack_challenge_rep, unpack_challenge_rep, &in, enc);
    CU_ASSERT_EQUAL(len, PFS_CHALLENGE_REP_MAX);
    CU_ASSERT_EQUAL(len, 1 + 4 + 16 + 32 + 32);

    memset(&out, 0, sizeof(out));
    CU_ASSERT_EQUAL(pfs_proto_challenge_rep_decode(enc, len, &out), PFS_OK);
    CU_ASSERT_EQUAL(out.role, PFS_ROLE_IOSRV);
    CU_ASSERT_EQUAL(out.index, 0x89abcdef);
    CU_ASSERT_EQUAL(memcmp(out.fsid, in.fsid, sizeof(in.fsid)), 0);
    CU_ASSERT_EQUAL(memcmp(out.nonce, in.nonce, sizeof(in.nonce)), 0);
    CU_ASSERT_EQUAL(memcmp(out.proof, in.proof, sizeof(in.proof)), 0);

    /* the request: the client's nonce, exactly */
    for (i = 0; i < sizeof(nonce); i++) {
        nonce[i] = (uint8_t)i;
    }
    CU_ASSERT_EQUAL_FATAL(
        pfs_proto_challenge_req_encode(enc, sizeof(enc), nonce, &len), PFS_OK);
    CU_ASSERT_EQUAL(len, PFS_CHALLENGE_REQ_MAX);
    CU_ASSERT_EQUAL(pfs_proto_challenge_req_decode(enc, len, back), PFS_OK);
    CU_ASSERT_EQUAL(memcmp(back, nonce, sizeof(nonce)), 0);
    for (cut = 0; cut < len; cut++) {
        CU_ASSERT_EQUAL(pfs_proto_challenge_req_decode(enc, cut, back),
                        PFS_ERR_PROTO);
    }
    CU_ASSERT_EQUAL(pfs_proto_challenge_req_decode(enc, len + 1, back),
                    PFS_ERR_PROTO);
}

void test_status_rep(void)
{
    static uint8_t enc[BUF_SIZE];
    pfs_status_rep_t in, out;
    size_t len;
    unsigned k;

    /* the longest host that fits, then a short one */
    for (k = 0; k < 2; k++) {
        memset(&in, 0, sizeof(in));
        in.role = PFS_ROLE_MDS;
        in.index = 3;
        in.pid = 4242;
        in.uptime_ms = UINT64_C(1) << 50;
        in.requests = UINT64_MAX;
        in.data_requests = UINT64_MAX - 1;
        in.bytes_read = UINT64_C(0x0123456789abcdef);
        in.bytes_written = 1;
        in.pending_removals = UINT64_C(77) << 40;
        if (k == 0) {
            memset(in.host, 'h', sizeof(in.host) - 1);
        } else {
            strcpy(in.host, "node-17.cluster");
        }
        len = check_codec(pack_status_rep, unpack_status_rep, &in, enc);
        CU_ASSERT_EQUAL(len, 1 + 4 + 4 + 6 * 8 + 2 + strlen(in.host));

        memset(&out, 0xcc, sizeof(out));
        CU_ASSERT_EQUAL(pfs_proto_status_rep_decode(enc, len, &out), PFS_OK);
        CU_ASSERT_EQUAL(out.role, in.role);
        CU_ASSERT_EQUAL(out.index, in.index);
        CU_ASSERT_EQUAL(out.pid, in.pid);
        CU_ASSERT_EQUAL(out.uptime_ms, in.uptime_ms);
        CU_ASSERT_EQUAL(out.requests, in.requests);
        CU_ASSERT_EQUAL(out.data_requests, in.data_requests);
        CU_ASSERT_EQUAL(out.bytes_read, in.bytes_read);
        CU_ASSERT_EQUAL(out.bytes_written, in.bytes_written);
        CU_ASSERT_EQUAL(out.pending_removals, in.pending_removals);
        CU_ASSERT_STRING_EQUAL(out.host, in.host);
    }
}

void test_status_rep_long_host(void)
{
    uint8_t enc[512];
    char host[257];
    pfs_status_rep_t out;
    pfs_wbuf_t w;
    size_t len;

    /* hand-built: the packer cannot produce a host longer than 255 */
    memset(host, 'h', 256);
    host[256] = '\0';
    pfs_wbuf_init(&w, enc, sizeof(enc));
    pfs_wbuf_u8(&w, PFS_ROLE_MDS);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u32(&w, 1);
    pfs_wbuf_u64(&w, 0);
    pfs_wbuf_u64(&w, 0);
    pfs_wbuf_u64(&w, 0);
    pfs_wbuf_u64(&w, 0);
    pfs_wbuf_str(&w, host);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_proto_status_rep_decode(enc, len, &out), PFS_ERR_PROTO);
}

static void fill_path_req(pfs_path_req_t *m, const char *path,
                          uint32_t nstripes)
{
    uint32_t i;

    memset(m, 0, sizeof(*m));
    strcpy(m->path, path);
    m->mode = 0644;
    m->flags = PFS_CREATE_EXCL;
    m->uid = 1000;
    m->gid = UINT32_MAX;
    m->layout.stripe_size = UINT64_C(1) << 20;
    m->layout.stripe_count = nstripes;
    m->layout.nservers = nstripes;
    for (i = 0; i < nstripes; i++) {
        m->layout.servers[i] = (i * 7 + 3) % 1000;
    }
}

static int specs_equal(const pfs_layout_spec_t *a, const pfs_layout_spec_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count && a->nservers == b->nservers &&
           memcmp(a->servers, b->servers,
                  a->nservers * sizeof(a->servers[0])) == 0;
}

static void check_path_req(const pfs_path_req_t *in, size_t expect_len)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_path_req_t out;
    size_t len;

    len = check_codec(pack_path_req, unpack_path_req, in, enc);
    CU_ASSERT_EQUAL(len, expect_len);
    memset(&out, 0xcc, sizeof(out));
    CU_ASSERT_EQUAL(pfs_proto_path_req_decode(enc, len, &out), PFS_OK);
    CU_ASSERT_STRING_EQUAL(out.path, in->path);
    CU_ASSERT_EQUAL(out.mode, in->mode);
    CU_ASSERT_EQUAL(out.flags, in->flags);
    CU_ASSERT_EQUAL(out.uid, in->uid);
    CU_ASSERT_EQUAL(out.gid, in->gid);
    CU_ASSERT(specs_equal(&out.layout, &in->layout));
}

void test_path_req(void)
{
    static pfs_path_req_t in;
    char *longest = malloc(PFS_PATH_MAX + 1);

    CU_ASSERT_FATAL(longest != NULL);
    fill_path_req(&in, "/dir/file.dat", 5);
    check_path_req(&in, 2 + 13 + 16 + 16 + 5 * 4);

    /* "take the default" layout and the empty string */
    fill_path_req(&in, "", 0);
    check_path_req(&in, 2 + 16 + 16);

    /* a stripe count without a server list */
    fill_path_req(&in, "/c", 0);
    in.layout.stripe_count = 3;
    check_path_req(&in, 2 + 2 + 16 + 16);

    /* everything at its maximum */
    memset(longest, 'p', PFS_PATH_MAX);
    longest[0] = '/';
    longest[PFS_PATH_MAX] = '\0';
    fill_path_req(&in, longest, PFS_LAYOUT_MAX_STRIPES);
    check_path_req(&in,
                   2 + PFS_PATH_MAX + 16 + 16 + 4 * PFS_LAYOUT_MAX_STRIPES);
    free(longest);
}

void test_path_req_too_many_stripes(void)
{
    static pfs_path_req_t in;
    uint8_t enc[64];
    size_t len;

    /* the packer refuses what the unpacker would reject */
    fill_path_req(&in, "/x", 0);
    in.layout.nservers = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(pfs_proto_path_req_encode(enc, sizeof(enc), &in, &len),
                    PFS_ERR_INVAL);
}

/* A path request with an arbitrary string and server count and no server
 * entries, the shape an attacker would send. */
static size_t craft_path_req(uint8_t *enc, size_t cap, const char *path,
                             uint32_t nservers)
{
    pfs_wbuf_t w;
    size_t len = 0;

    pfs_wbuf_init(&w, enc, cap);
    pfs_wbuf_str(&w, path);
    pfs_wbuf_u32(&w, 0644);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u64(&w, 4096);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u32(&w, nservers);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    return len;
}

/* The unpacked request with a guard after it: a count that is not
 * rejected would fill servers[] past its end. */
typedef struct {
    pfs_path_req_t m;
    uint8_t guard[256];
} guarded_path_req_t;

void test_path_req_bad_stripe_count(void)
{
    static const struct {
        uint32_t count;
        uint32_t entries; /* server entries actually present */
    } cases[] = {
        {PFS_LAYOUT_MAX_STRIPES + 1, PFS_LAYOUT_MAX_STRIPES + 1},
        {PFS_LAYOUT_MAX_STRIPES + 40, PFS_LAYOUT_MAX_STRIPES + 40},
        {PFS_LAYOUT_MAX_STRIPES + 1, 0},
        {1u << 20, 0},
        {UINT32_MAX, 0},
    };
    static uint8_t enc[BUF_SIZE];
    static guarded_path_req_t out;
    pfs_status_t ust, fst;
    pfs_wbuf_t w;
    unsigned i, j, clobbered;
    size_t len, extra;

    for (i = 0; i < PFS_ARRAY_SIZE(cases); i++) {
        len = craft_path_req(enc, sizeof(enc), "/x", cases[i].count);
        pfs_wbuf_init(&w, enc + len, sizeof(enc) - len);
        for (j = 0; j < cases[i].entries; j++) {
            pfs_wbuf_u32(&w, 0xdeadbeef);
        }
        CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &extra), PFS_OK);
        len += extra;

        /* exact-size heap copy: reading past it is an overrun */
        ust = fst = unpack_exact(enc, len, unpack_path_req);
        CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
        CU_ASSERT_EQUAL(fst, PFS_ERR_PROTO);

        /* rejected even when every entry it claims is there, without
         * writing past servers[] and without keeping the bogus count */
        memset(&out, 0xa5, sizeof(out));
        CU_ASSERT_EQUAL(pfs_proto_path_req_decode(enc, len, &out.m),
                        PFS_ERR_PROTO);
        CU_ASSERT(out.m.layout.nservers <= PFS_LAYOUT_MAX_STRIPES);
        clobbered = 0;
        for (j = 0; j < sizeof(out.guard); j++) {
            clobbered += out.guard[j] != 0xa5;
        }
        CU_ASSERT_EQUAL(clobbered, 0);
    }
}

void test_path_req_long_path(void)
{
    size_t cap = PFS_PATH_MAX + 64;
    uint8_t *enc = malloc(cap);
    char *path = malloc(PFS_PATH_MAX + 2);
    pfs_status_t ust, fst;
    size_t len;

    CU_ASSERT_FATAL(enc != NULL && path != NULL);
    memset(path, 'q', PFS_PATH_MAX + 1);
    path[0] = '/';
    path[PFS_PATH_MAX + 1] = '\0';
    len = craft_path_req(enc, cap, path, 0);
    ust = fst = unpack_exact(enc, len, unpack_path_req);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);

    /* one byte shorter is exactly the limit */
    path[PFS_PATH_MAX] = '\0';
    len = craft_path_req(enc, cap, path, 0);
    ust = fst = unpack_exact(enc, len, unpack_path_req);
    CU_ASSERT_EQUAL(ust, PFS_OK);
    CU_ASSERT_EQUAL(fst, PFS_OK);
    free(enc);
    free(path);
}

void test_path_req_embedded_nul(void)
{
    uint8_t enc[64];
    pfs_status_t ust, fst;
    size_t len;

    len = craft_path_req(enc, sizeof(enc), "/ab", 0);
    enc[3] = '\0'; /* "/a\0" : a C string would silently lose the tail */
    ust = fst = unpack_exact(enc, len, unpack_path_req);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
    enc[3] = 'b';
    enc[2] = '\0';
    ust = fst = unpack_exact(enc, len, unpack_path_req);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
}

void test_layout_spec(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_layout_spec_t m, out;
    static const uint32_t counts[] = {0, 1, 3, PFS_LAYOUT_MAX_STRIPES};
    pfs_wbuf_t w;
    unsigned i, k;
    size_t len;

    for (k = 0; k < PFS_ARRAY_SIZE(counts); k++) {
        memset(&m, 0, sizeof(m));
        m.stripe_size = 65536;
        m.stripe_count = counts[k] == 0 ? 2 : counts[k];
        m.nservers = counts[k];
        for (i = 0; i < counts[k]; i++) {
            m.servers[i] = counts[k] - i;
        }
        len = check_codec(pack_layout_spec, unpack_layout_spec, &m, enc);
        CU_ASSERT_EQUAL(len, 16 + 4 * counts[k]);
        memset(&out, 0xcc, sizeof(out));
        CU_ASSERT_EQUAL(pfs_proto_layout_spec_decode(enc, len, &out), PFS_OK);
        CU_ASSERT(specs_equal(&out, &m));
    }
    /* a list longer than a layout holds: refused both ways */
    m.nservers = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(pfs_proto_layout_spec_encode(enc, sizeof(enc), &m, &len),
                    PFS_ERR_INVAL);
    pfs_wbuf_init(&w, enc, sizeof(enc));
    pfs_wbuf_u64(&w, 65536);
    pfs_wbuf_u32(&w, 0);
    pfs_wbuf_u32(&w, PFS_LAYOUT_MAX_STRIPES + 1);
    for (i = 0; i < PFS_LAYOUT_MAX_STRIPES + 1; i++) {
        pfs_wbuf_u32(&w, 0);
    }
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_proto_layout_spec_decode(enc, len, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT(out.nservers <= PFS_LAYOUT_MAX_STRIPES);
}
