/* test_cap.c - the cryptography (auth.h) against published test vectors,
 * HELLO's proofs, and capabilities' MACs and checks (cap.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cap.h"
#include "unit.h"

static void hex(const char *h, uint8_t *out, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned v;

        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* RFC 4231 test case 2: HMAC-SHA256, key "Jefe". */
static void test_hmac_vector(void)
{
    static const char data[] = "what do ya want for nothing?";
    uint8_t want[32], mac[32];
    pfs_auth_piece_t p[2] = {{data, 10}, {data + 10, sizeof(data) - 11}};

    hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        want, 32);
    CU_ASSERT_EQUAL_FATAL(pfs_auth_hmac((const uint8_t *)"Jefe", 4, p, 2, mac),
                          PFS_OK);
    CU_ASSERT_EQUAL(memcmp(mac, want, 32), 0);
}

/* RFC 5869 test case 1: HKDF-SHA256. */
static void test_hkdf_vector(void)
{
    uint8_t ikm[22], salt[13], info[11], want[42], out[42];
    char info_s[12];

    memset(ikm, 0x0b, sizeof(ikm));
    hex("000102030405060708090a0b0c", salt, sizeof(salt));
    hex("f0f1f2f3f4f5f6f7f8f9", info, sizeof(info) - 1);
    memcpy(info_s, info, 10);
    info_s[10] = '\0';
    hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865",
        want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(pfs_auth_hkdf(ikm, sizeof(ikm), salt, sizeof(salt),
                                        info_s, out, sizeof(out)),
                          PFS_OK);
    CU_ASSERT_EQUAL(memcmp(out, want, sizeof(out)), 0);
}

static void test_equal(void)
{
    uint8_t a[32], b[32];

    memset(a, 1, sizeof(a));
    memset(b, 1, sizeof(b));
    CU_ASSERT_TRUE(pfs_auth_equal(a, b, sizeof(a)));
    b[31] ^= 0x80;
    CU_ASSERT_FALSE(pfs_auth_equal(a, b, sizeof(a)));
    b[31] ^= 0x80;
    b[0] ^= 1;
    CU_ASSERT_FALSE(pfs_auth_equal(a, b, sizeof(a)));
}

/* The proofs depend on every input, and the two sides' differ. */
static void test_hello_proofs(void)
{
    uint8_t cluster[32], k[32], k2[32], nc[32], ns[32], fsid[16];
    uint8_t sp[32], sp2[32], cp[32], cp2[32], body[17] = {0};
    uint32_t groups[2] = {5, 6};

    memset(cluster, 0x11, sizeof(cluster));
    memset(nc, 1, sizeof(nc));
    memset(ns, 2, sizeof(ns));
    memset(fsid, 3, sizeof(fsid));
    CU_ASSERT_EQUAL_FATAL(pfs_auth_hello_key(cluster, k), PFS_OK);
    /* the proof key is not the cluster key */
    CU_ASSERT_NOT_EQUAL(memcmp(k, cluster, 32), 0);
    CU_ASSERT_EQUAL_FATAL(pfs_auth_server_proof(k, nc, ns, 2, 1, fsid, sp),
                          PFS_OK);
    CU_ASSERT_EQUAL_FATAL(pfs_auth_client_proof(k, nc, ns, 2, 1, fsid, body,
                                                sizeof(body), groups,
                                                sizeof(groups), cp),
                          PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(sp, cp, 32), 0);
    /* same inputs, same proof */
    CU_ASSERT_EQUAL(pfs_auth_server_proof(k, nc, ns, 2, 1, fsid, sp2), PFS_OK);
    CU_ASSERT_EQUAL(memcmp(sp, sp2, 32), 0);
    /* another server nonce (a replay on a new connection) */
    ns[0] ^= 1;
    CU_ASSERT_EQUAL(pfs_auth_client_proof(k, nc, ns, 2, 1, fsid, body,
                                          sizeof(body), groups, sizeof(groups),
                                          cp2),
                    PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(cp, cp2, 32), 0);
    ns[0] ^= 1;
    /* another uid in the body, another group, another server index */
    body[5] = 1;
    CU_ASSERT_EQUAL(pfs_auth_client_proof(k, nc, ns, 2, 1, fsid, body,
                                          sizeof(body), groups, sizeof(groups),
                                          cp2),
                    PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(cp, cp2, 32), 0);
    body[5] = 0;
    groups[1] = 0;
    CU_ASSERT_EQUAL(pfs_auth_client_proof(k, nc, ns, 2, 1, fsid, body,
                                          sizeof(body), groups, sizeof(groups),
                                          cp2),
                    PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(cp, cp2, 32), 0);
    CU_ASSERT_EQUAL(pfs_auth_server_proof(k, nc, ns, 2, 2, fsid, sp2), PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(sp, sp2, 32), 0);
    /* another cluster key */
    cluster[0] ^= 1;
    CU_ASSERT_EQUAL_FATAL(pfs_auth_hello_key(cluster, k2), PFS_OK);
    CU_ASSERT_EQUAL(pfs_auth_server_proof(k2, nc, ns, 2, 1, fsid, sp2), PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(sp, sp2, 32), 0);
}

static uint8_t cap_key[PFS_CAP_KEY_SIZE];
static pfs_layout_t layout;

static int cap_init(void)
{
    uint8_t cluster[32], secret[32];

    memset(cluster, 0x42, sizeof(cluster));
    memset(secret, 0x24, sizeof(secret));
    memset(&layout, 0, sizeof(layout));
    layout.stripe_size = 1 << 20;
    layout.stripe_count = 2;
    layout.servers[0] = 3;
    layout.servers[1] = 1;
    return pfs_cap_key_derive(cluster, secret, cap_key) == PFS_OK ? 0 : 1;
}

static void test_cap_key(void)
{
    uint8_t cluster[32], secret[32], k1[32], k2[32];

    memset(cluster, 0x42, sizeof(cluster));
    memset(secret, 0x24, sizeof(secret));
    CU_ASSERT_EQUAL_FATAL(pfs_cap_key_derive(cluster, secret, k1), PFS_OK);
    CU_ASSERT_EQUAL(memcmp(k1, cap_key, 32), 0);
    /* the cluster key alone (what clients hold) is not enough */
    secret[0] ^= 1;
    CU_ASSERT_EQUAL_FATAL(pfs_cap_key_derive(cluster, secret, k2), PFS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(k1, k2, 32), 0);
}

static void test_cap_sign_verify(void)
{
    static pfs_cap_t c, t;
    pfs_fid_t fid = {1, 2};
    uint8_t other[PFS_CAP_KEY_SIZE];
    unsigned i;

    CU_ASSERT_EQUAL_FATAL(
        pfs_cap_issue(cap_key, fid, PFS_CAP_READ, &layout, 1000, 5000, &c),
        PFS_OK);
    CU_ASSERT_EQUAL(c.expiry_ms, 6000);
    CU_ASSERT_EQUAL(c.nservers, 2);
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &c), PFS_OK);
    /* every field is covered */
    t = c;
    t.fid.lo = 3; /* a capability for file A does not name file B */
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    t = c;
    t.rights |= PFS_CAP_WRITE; /* read-only made writable */
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    t = c;
    t.expiry_ms += 1; /* extended */
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    t = c;
    t.issued_ms -= 1;
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    t = c;
    t.servers[1] = 2; /* another server */
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    t = c;
    t.nservers = 1;
    CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    for (i = 0; i < sizeof(c.mac); i++) {
        t = c;
        t.mac[i] ^= 0x01;
        CU_ASSERT_EQUAL(pfs_cap_verify(cap_key, &t), PFS_ERR_CAP);
    }
    /* another key (another ensemble, or a forger with the cluster key) */
    memcpy(other, cap_key, sizeof(other));
    other[5] ^= 1;
    CU_ASSERT_EQUAL(pfs_cap_verify(other, &c), PFS_ERR_CAP);
}

static void test_cap_allows(void)
{
    static pfs_cap_t c;
    pfs_fid_t fid = {1, 2};
    char why[128];

    CU_ASSERT_EQUAL_FATAL(pfs_cap_issue(cap_key, fid,
                                        PFS_CAP_READ | PFS_CAP_STAT, &layout,
                                        1000, 5000, &c),
                          PFS_OK);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_READV), 1,
                                   3, 2000, why, sizeof(why)),
                    PFS_OK);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_SIZE), 1, 1,
                                   2000, why, sizeof(why)),
                    PFS_OK);
    /* read-only: no write, truncate, preallocate, remove */
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_WRITEV), 1,
                                   3, 2000, why, sizeof(why)),
                    PFS_ERR_ACCESS);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "read"));
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_TRUNCATE),
                                   1, 3, 2000, why, sizeof(why)),
                    PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_REMOVE), 1,
                                   3, 2000, why, sizeof(why)),
                    PFS_ERR_ACCESS);
    /* a server outside the layout */
    CU_ASSERT_EQUAL(
        pfs_cap_allows(&c, PFS_CAP_READ, 1, 0, 2000, why, sizeof(why)),
        PFS_ERR_ACCESS);
    /* expiry: valid up to the last millisecond before it */
    CU_ASSERT_EQUAL(
        pfs_cap_allows(&c, PFS_CAP_READ, 1, 3, 5999, why, sizeof(why)), PFS_OK);
    CU_ASSERT_EQUAL(
        pfs_cap_allows(&c, PFS_CAP_READ, 1, 3, 6000, why, sizeof(why)),
        PFS_ERR_CAP_EXPIRED);
    /* a stat-only capability (stat by path) */
    CU_ASSERT_EQUAL_FATAL(
        pfs_cap_issue(cap_key, fid, PFS_CAP_STAT, &layout, 1000, 5000, &c),
        PFS_OK);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_SIZE), 1, 3,
                                   2000, why, sizeof(why)),
                    PFS_OK);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_READV), 1,
                                   3, 2000, why, sizeof(why)),
                    PFS_ERR_ACCESS);
    CU_ASSERT_EQUAL(pfs_cap_allows(&c, pfs_cap_rights_for(PFS_OP_IO_FSYNC), 1,
                                   3, 2000, why, sizeof(why)),
                    PFS_ERR_ACCESS);
}

static CU_TestInfo cap_tests[] = {
    {"hmac_rfc4231", test_hmac_vector},
    {"hkdf_rfc5869", test_hkdf_vector},
    {"equal", test_equal},
    {"hello_proofs", test_hello_proofs},
    {"cap_key", test_cap_key},
    {"cap_sign_verify", test_cap_sign_verify},
    {"cap_allows", test_cap_allows},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_cap = {"cap", cap_init, NULL, cap_tests};
