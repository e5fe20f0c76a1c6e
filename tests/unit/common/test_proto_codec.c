/* test_proto_codec.c - every codec of the proto suite behind one
 * signature, and the checks each message type gets. */
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

pfs_status_t unpack_challenge_rep(const void *buf, size_t len)
{
    pfs_challenge_rep_t m;

    return pfs_proto_challenge_rep_decode(buf, len, &m);
}

pfs_status_t unpack_status_rep(const void *buf, size_t len)
{
    pfs_status_rep_t m;

    return pfs_proto_status_rep_decode(buf, len, &m);
}

pfs_status_t unpack_path_req(const void *buf, size_t len)
{
    static pfs_path_req_t m; /* 5 KiB: keep it off the stack */

    return pfs_proto_path_req_decode(buf, len, &m);
}

pfs_status_t unpack_attr(const void *buf, size_t len)
{
    pfs_attr_t m;

    return pfs_proto_attr_decode(buf, len, &m);
}

pfs_status_t unpack_io_req(const void *buf, size_t len)
{
    static pfs_io_req_t m;

    return pfs_proto_io_req_decode(buf, len, &m);
}

pfs_status_t unpack_cap(const void *buf, size_t len)
{
    static pfs_cap_t m;

    return pfs_proto_cap_decode(buf, len, &m);
}

pfs_status_t unpack_u64(const void *buf, size_t len)
{
    uint64_t v;

    return pfs_proto_fp_rep_decode(buf, len, &v);
}

pfs_status_t unpack_layout_spec(const void *buf, size_t len)
{
    static pfs_layout_spec_t m;

    return pfs_proto_layout_spec_decode(buf, len, &m);
}

pfs_status_t unpack_fp_req(const void *buf, size_t len)
{
    pfs_fp_req_t m;

    return pfs_proto_fp_req_decode(buf, len, &m);
}

pfs_status_t unpack_lease_req(const void *buf, size_t len)
{
    pfs_lease_req_t m;

    return pfs_proto_lease_req_decode(buf, len, &m);
}

pfs_status_t unpack_setattr_req(const void *buf, size_t len)
{
    static pfs_setattr_req_t m; /* 4 KiB: keep it off the stack */

    return pfs_proto_setattr_req_decode(buf, len, &m);
}

pfs_status_t unpack_errmsg(const void *buf, size_t len)
{
    char msg[PFS_PROTO_MAX_ERRMSG + 1];

    return pfs_proto_errmsg_decode(buf, len, msg, sizeof(msg));
}

/* Decode len bytes from a heap block of exactly len bytes, so a read past
 * the end is an out-of-bounds access that sanitizers and valgrind see. */
pfs_status_t unpack_exact(const uint8_t *enc, size_t len, unpack_fn fn)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    pfs_status_t st;

    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, enc, len);
    st = fn(copy, len);
    free(copy);
    return st;
}

/* A valid encoding must decode; every proper prefix must fail and so
 * must the encoding with one byte of trailing garbage. */
static void check_truncations(const uint8_t *enc, size_t len, unpack_fn fn)
{
    uint8_t longer[BUF_SIZE + 1];
    size_t cut;
    unsigned failures = 0;

    CU_ASSERT_FATAL(len <= BUF_SIZE);
    CU_ASSERT_EQUAL(unpack_exact(enc, len, fn), PFS_OK);
    for (cut = 0; cut < len; cut++) {
        /* count instead of asserting per length: one line per failure
         * would drown the report for a 5 KiB message */
        if (unpack_exact(enc, cut, fn) != PFS_ERR_PROTO) {
            failures++;
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
    memcpy(longer, enc, len);
    longer[len] = 0x00;
    CU_ASSERT_EQUAL(unpack_exact(longer, len + 1, fn), PFS_ERR_PROTO);
}

static void check_small_buffers(pack_fn fn, const void *m, size_t full)
{
    static uint8_t buf[BUF_SIZE + 16];
    unsigned failures = 0;
    size_t cap, i, len;

    for (cap = 0; cap < full; cap++) {
        memset(buf, 0xa5, sizeof(buf));
        if (fn(buf, cap, m, &len) != PFS_ERR_INVAL) {
            failures++;
        }
        for (i = cap; i < sizeof(buf); i++) {
            if (buf[i] != 0xa5) {
                failures++;
                break;
            }
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
}

pfs_status_t pack_challenge_rep(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_challenge_rep_encode(b, n, m, l);
}

pfs_status_t pack_status_rep(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_status_rep_encode(b, n, m, l);
}

pfs_status_t pack_path_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_path_req_encode(b, n, m, l);
}

pfs_status_t pack_attr(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_attr_encode(b, n, m, l);
}

pfs_status_t pack_io_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_io_req_encode(b, n, m, l);
}

pfs_status_t pack_cap(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_cap_encode(b, n, m, l);
}

pfs_status_t pack_u64(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_fp_rep_encode(b, n, *(const uint64_t *)m, l);
}

pfs_status_t pack_layout_spec(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_layout_spec_encode(b, n, m, l);
}

pfs_status_t pack_fp_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_fp_req_encode(b, n, m, l);
}

pfs_status_t pack_lease_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_lease_req_encode(b, n, m, l);
}

pfs_status_t pack_setattr_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_setattr_req_encode(b, n, m, l);
}

pfs_status_t pack_errmsg(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_errmsg_encode(b, n, m, l);
}

/* Encode m with fn into buf; returns the encoded length (0 on failure). */
size_t pack_into(pack_fn fn, const void *m, uint8_t *buf, size_t cap)
{
    size_t len = 0;

    CU_ASSERT_EQUAL(fn(buf, cap, m, &len), PFS_OK);
    return len;
}

/* The full check every message type gets. */
size_t check_codec(pack_fn pack, unpack_fn unpack, const void *m, uint8_t *enc)
{
    size_t len = pack_into(pack, m, enc, BUF_SIZE);

    CU_ASSERT_FATAL(len > 0);
    check_truncations(enc, len, unpack);
    check_small_buffers(pack, m, len);
    return len;
}
