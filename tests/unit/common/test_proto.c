
/* test_proto.c - the proto suite: the wire protocol codecs, hostile inputs
 * included; its table, the header and the bounded writer and reader (the
 * message bodies are in test_proto_msg.c and test_proto_body.c). */
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

/* ---- header ------------------------------------------------------------ */

static void make_hdr(uint8_t *buf, uint16_t opcode, int32_t status,
                     uint32_t body_len)
{
    pfs_msg_hdr_t h;

    memset(&h, 0, sizeof(h));
    h.opcode = opcode;
    h.req_id = 7;
    h.status = status;
    h.body_len = body_len;
    pfs_proto_hdr_pack(&h, buf);
}

static void test_hdr_round_trip(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE + 100];
    pfs_msg_hdr_t in, out;
    static const uint8_t magic[4] = {'P', 'F', 'S', '1'};

    memset(buf, 0x5a, sizeof(buf));
    memset(&out, 0, sizeof(out));
    in.opcode = PFS_OP_IO_WRITEV;
    in.req_id = UINT64_C(0xfedcba9876543210);
    in.status = PFS_ERR_STALE;
    in.body_len = 100;
    in.data_len = (UINT64_C(1) << 40) + 5;
    pfs_proto_hdr_pack(&in, buf);

    /* pack writes exactly the header and nothing after it */
    CU_ASSERT_EQUAL(buf[PFS_PROTO_HDR_SIZE], 0x5a);
    /* the documented byte layout, independent of the unpacker */
    CU_ASSERT_EQUAL(memcmp(buf, magic, 4), 0);
    CU_ASSERT_EQUAL(buf[4], PFS_PROTO_VERSION);
    CU_ASSERT_EQUAL(buf[5], 0);
    CU_ASSERT_EQUAL(buf[6], PFS_OP_IO_WRITEV);
    CU_ASSERT_EQUAL(buf[7], 0);
    CU_ASSERT_EQUAL(buf[8], 0x10);
    CU_ASSERT_EQUAL(buf[15], 0xfe);
    CU_ASSERT_EQUAL(buf[16], (uint8_t)PFS_ERR_STALE);
    CU_ASSERT_EQUAL(buf[19], 0xff); /* two's complement, sign in the top byte */
    CU_ASSERT_EQUAL(buf[20], 100);
    CU_ASSERT_EQUAL(buf[24], 5);
    CU_ASSERT_EQUAL(buf[29], 1);

    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
    CU_ASSERT_EQUAL(out.opcode, in.opcode);
    CU_ASSERT_EQUAL(out.req_id, in.req_id);
    CU_ASSERT_EQUAL(out.status, in.status);
    CU_ASSERT_EQUAL(out.body_len, in.body_len);
    CU_ASSERT_EQUAL(out.data_len, in.data_len);

    /* extremes of every field */
    in.opcode = PFS_OP_MAX_ - 1;
    in.req_id = UINT64_MAX;
    in.status = INT32_MIN;
    in.body_len = 0;
    in.data_len = UINT64_MAX;
    pfs_proto_hdr_pack(&in, buf);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(out.opcode, PFS_OP_MAX_ - 1);
    CU_ASSERT_EQUAL(out.req_id, UINT64_MAX);
    CU_ASSERT_EQUAL(out.status, INT32_MIN);
    CU_ASSERT_EQUAL(out.body_len, 0);
    CU_ASSERT_EQUAL(out.data_len, UINT64_MAX);
}

static void test_hdr_short(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE];
    pfs_msg_hdr_t out;
    size_t len;

    make_hdr(buf, PFS_OP_HELLO, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
    for (len = 0; len < PFS_PROTO_HDR_SIZE; len++) {
        CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, len, &out), PFS_ERR_PROTO);
    }
}

static void test_hdr_bad_magic(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE];
    pfs_msg_hdr_t out;
    unsigned i;

    for (i = 0; i < 4; i++) {
        make_hdr(buf, PFS_OP_HELLO, 0, 0);
        buf[i] ^= 0x20;
        CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                        PFS_ERR_PROTO);
    }
    make_hdr(buf, PFS_OP_HELLO, 0, 0);
    memset(buf, 0, 4);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
}

static void test_hdr_version(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE];
    pfs_msg_hdr_t out;
    static const uint16_t others[] = {0, PFS_PROTO_VERSION - 1,
                                      PFS_PROTO_VERSION + 1, 0x100, 0xffff};
    unsigned i;

    for (i = 0; i < PFS_ARRAY_SIZE(others); i++) {
        make_hdr(buf, PFS_OP_HELLO, 0, 0);
        buf[4] = (uint8_t)others[i];
        buf[5] = (uint8_t)(others[i] >> 8);
        CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                        PFS_ERR_VERSION);
    }
}

static void test_hdr_opcode(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE];
    pfs_msg_hdr_t out;

    make_hdr(buf, 0, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    make_hdr(buf, PFS_OP_MAX_, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    make_hdr(buf, PFS_OP_MAX_ + 1, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    make_hdr(buf, UINT16_MAX, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    /* the range edges that are valid */
    make_hdr(buf, 1, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
    make_hdr(buf, PFS_OP_MAX_ - 1, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
}

static void test_hdr_body_len(void)
{
    size_t big = PFS_PROTO_HDR_SIZE + PFS_PROTO_MAX_BODY + 1;
    uint8_t *buf = calloc(1, big);
    pfs_msg_hdr_t out;

    CU_ASSERT_FATAL(buf != NULL);
    make_hdr(buf, PFS_OP_STATUS, 0, 10);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE + 10, &out),
                    PFS_OK);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE + 11, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE + 9, &out),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE, &out),
                    PFS_ERR_PROTO);

    /* the largest body is fine, one byte more is not even if it arrived */
    make_hdr(buf, PFS_OP_STATUS, 0, PFS_PROTO_MAX_BODY);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, big - 1, &out), PFS_OK);
    make_hdr(buf, PFS_OP_STATUS, 0, PFS_PROTO_MAX_BODY + 1);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, big, &out), PFS_ERR_PROTO);
    /* a huge claim must not be satisfied by wrap-around arithmetic */
    make_hdr(buf, PFS_OP_STATUS, 0, UINT32_MAX);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, PFS_PROTO_HDR_SIZE, &out),
                    PFS_ERR_PROTO);
    free(buf);
}

static void test_hdr_status(void)
{
    uint8_t buf[PFS_PROTO_HDR_SIZE];
    pfs_msg_hdr_t out;

    make_hdr(buf, PFS_OP_HELLO, 1, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    make_hdr(buf, PFS_OP_HELLO, INT32_MAX, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out),
                    PFS_ERR_PROTO);
    make_hdr(buf, PFS_OP_HELLO, 0, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
    make_hdr(buf, PFS_OP_HELLO, -1, 0);
    CU_ASSERT_EQUAL(pfs_proto_hdr_unpack(buf, sizeof(buf), &out), PFS_OK);
    CU_ASSERT_EQUAL(out.status, -1);
}

/* ---- bounded writer and reader ----------------------------------------- */

static void test_wbuf_little_endian(void)
{
    uint8_t buf[32];
    pfs_wbuf_t w;
    size_t len = 0;
    static const uint8_t want[] = {
        0xab, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05,
        0x04, 0x03, 0x02, 0x01, 0x03, 0x00, 'x',  'y',  'z',  0xde, 0xad,
    };
    static const uint8_t raw[] = {0xde, 0xad};

    memset(buf, 0, sizeof(buf));
    pfs_wbuf_init(&w, buf, sizeof(buf));
    pfs_wbuf_u8(&w, 0xab);
    pfs_wbuf_u16(&w, 0x0102);
    pfs_wbuf_u32(&w, 0x01020304);
    pfs_wbuf_u64(&w, UINT64_C(0x0102030405060708));
    pfs_wbuf_str(&w, "xyz");
    pfs_wbuf_bytes(&w, raw, sizeof(raw));
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL(len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
}

static void test_rbuf_little_endian(void)
{
    static const uint8_t in[] = {
        0xab, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06,
        0x05, 0x04, 0x03, 0x02, 0x81, 0x03, 0x00, 'x',  'y',  'z',
    };
    char s[8];
    pfs_rbuf_t r;

    pfs_rbuf_init(&r, in, sizeof(in));
    CU_ASSERT_EQUAL(pfs_rbuf_u8(&r), 0xab);
    CU_ASSERT_EQUAL(pfs_rbuf_u16(&r), 0x0102);
    CU_ASSERT_EQUAL(pfs_rbuf_u32(&r), 0x01020304);
    CU_ASSERT_EQUAL(pfs_rbuf_u64(&r), UINT64_C(0x8102030405060708));
    pfs_rbuf_str(&r, s, sizeof(s) - 1);
    CU_ASSERT_STRING_EQUAL(s, "xyz");
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_OK);
}

/* fid and u32 list: the fixed encodings the protocol and the store's
 * records both use */
static void test_wbuf_fid_u32_list(void)
{
    static const uint8_t want[] = {
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x02, 0,    0,
        0,    0,    0,    0,    0,    0x02, 0,    0,    0,    0x0a, 0,
        0,    0,    0x0b, 0,    0,    0,    0,    0,    0,    0,
    };
    static const uint32_t v[3] = {10, 11, 12};
    pfs_fid_t fid = {.hi = UINT64_C(0x0102030405060708), .lo = 2}, got;
    uint32_t out[3] = {99, 99, 99}, n = 99;
    uint8_t buf[64];
    pfs_wbuf_t w;
    pfs_rbuf_t r;
    size_t len = 0;

    pfs_wbuf_init(&w, buf, sizeof(buf));
    pfs_wbuf_fid(&w, fid);
    pfs_wbuf_u32_list(&w, v, 2, 3);
    pfs_wbuf_u32_list(&w, v, 0, 3);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL_FATAL(len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);

    pfs_rbuf_init(&r, want, sizeof(want));
    got = pfs_rbuf_fid(&r);
    CU_ASSERT(got.hi == fid.hi && got.lo == fid.lo);
    pfs_rbuf_u32_list(&r, out, &n, 3);
    CU_ASSERT(n == 2 && out[0] == 10 && out[1] == 11 && out[2] == 99);
    pfs_rbuf_u32_list(&r, out, &n, 3);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_OK);

    /* more than max: the writer writes nothing and fails, the reader
     * reads no value, says 0 and fails */
    pfs_wbuf_init(&w, buf, sizeof(buf));
    pfs_wbuf_u32_list(&w, v, 3, 2);
    CU_ASSERT_EQUAL(w.pos, 0);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_ERR_INVAL);
    pfs_rbuf_init(&r, want + 16, 12); /* count 2, then 10 and 11 */
    out[0] = 99;
    pfs_rbuf_u32_list(&r, out, &n, 1);
    CU_ASSERT(n == 0 && out[0] == 99);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_ERR_PROTO);
}

static void test_wbuf_overflow_sticky(void)
{
    uint8_t buf[8];
    pfs_wbuf_t w;
    size_t len = 99;

    memset(buf, 0xee, sizeof(buf));
    pfs_wbuf_init(&w, buf, 5);
    pfs_wbuf_u32(&w, 1);
    pfs_wbuf_u32(&w, 2); /* does not fit */
    pfs_wbuf_u8(&w, 3);  /* would fit, but the error is sticky */
    CU_ASSERT_EQUAL(w.pos, 4);
    CU_ASSERT_EQUAL(buf[4], 0xee);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(len, 99);

    /* an exact fit is not an overflow */
    pfs_wbuf_init(&w, buf, 4);
    pfs_wbuf_u32(&w, 1);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL(len, 4);
    pfs_wbuf_u8(&w, 1);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_ERR_INVAL);

    /* nothing fits in a zero-capacity buffer, not even zero bytes after */
    pfs_wbuf_init(&w, buf, 0);
    pfs_wbuf_u8(&w, 1);
    pfs_wbuf_bytes(&w, buf, 0);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_ERR_INVAL);
}

static void test_wbuf_long_string(void)
{
    size_t n = (size_t)UINT16_MAX + 1;
    char *s = malloc(n + 1);
    uint8_t *buf = malloc(n + 16);
    pfs_wbuf_t w;
    size_t len;

    CU_ASSERT_FATAL(s != NULL && buf != NULL);
    memset(s, 'a', n);
    s[n] = '\0';
    /* the u16 length cannot say 65536: must not silently wrap to 0 */
    pfs_wbuf_init(&w, buf, n + 16);
    pfs_wbuf_str(&w, s);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_ERR_INVAL);

    s[n - 1] = '\0';
    pfs_wbuf_init(&w, buf, n + 16);
    pfs_wbuf_str(&w, s);
    CU_ASSERT_EQUAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    CU_ASSERT_EQUAL(len, 2 + n - 1);
    free(s);
    free(buf);
}

static void test_rbuf_sticky(void)
{
    static const uint8_t in[] = {1, 2, 3};
    pfs_rbuf_t r;
    uint8_t out[4];

    pfs_rbuf_init(&r, in, sizeof(in));
    CU_ASSERT_EQUAL(pfs_rbuf_u32(&r), 0);
    /* the bytes are there, but after a truncation nothing is read */
    CU_ASSERT_EQUAL(pfs_rbuf_u8(&r), 0);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_ERR_PROTO);

    pfs_rbuf_init(&r, in, sizeof(in));
    memset(out, 0x77, sizeof(out));
    pfs_rbuf_bytes(&r, out, 4);
    CU_ASSERT_EQUAL(out[0], 0); /* zeroed, not left as garbage */
    CU_ASSERT_EQUAL(out[3], 0);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_ERR_PROTO);

    /* unconsumed bytes fail the final check */
    pfs_rbuf_init(&r, in, sizeof(in));
    (void)pfs_rbuf_u16(&r);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_ERR_PROTO);
    (void)pfs_rbuf_u8(&r);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_OK);
}
static CU_TestInfo proto_tests[] = {
    {"hdr_round_trip", test_hdr_round_trip},
    {"hdr_short", test_hdr_short},
    {"hdr_bad_magic", test_hdr_bad_magic},
    {"hdr_version", test_hdr_version},
    {"hdr_opcode", test_hdr_opcode},
    {"hdr_body_len", test_hdr_body_len},
    {"hdr_status", test_hdr_status},
    {"wbuf_little_endian", test_wbuf_little_endian},
    {"rbuf_little_endian", test_rbuf_little_endian},
    {"wbuf_fid_u32_list", test_wbuf_fid_u32_list},
    {"wbuf_overflow_sticky", test_wbuf_overflow_sticky},
    {"wbuf_long_string", test_wbuf_long_string},
    {"rbuf_sticky", test_rbuf_sticky},
    {"hello_req", test_hello_req},
    {"hello_req_many_groups", test_hello_req_many_groups},
    {"cred_self", test_cred_self},
    {"hello_req_bad_role", test_hello_req_bad_role},
    {"challenge", test_challenge},
    {"status_rep", test_status_rep},
    {"status_rep_long_host", test_status_rep_long_host},
    {"path_req", test_path_req},
    {"path_req_too_many_stripes", test_path_req_too_many_stripes},
    {"path_req_bad_stripe_count", test_path_req_bad_stripe_count},
    {"path_req_long_path", test_path_req_long_path},
    {"path_req_embedded_nul", test_path_req_embedded_nul},
    {"string_length_past_end", test_string_length_past_end},
    {"attr", test_attr},
    {"attr_bad_type", test_attr_bad_type},
    {"attr_bad_stripe_count", test_attr_bad_stripe_count},
    {"io_req", test_io_req},
    {"io_req_fbig", test_io_req_fbig},
    {"remove_req", test_remove_req},
    {"remove_req_bad", test_remove_req_bad},
    {"remove_rep", test_remove_rep},
    {"cap", test_cap},
    {"attr_cap", test_attr_cap},
    {"u64", test_u64},
    {"fp_req", test_fp_req},
    {"lease_req", test_lease_req},
    {"setattr_req", test_setattr_req},
    {"setattr_req_bad_mask", test_setattr_req_bad_mask},
    {"layout_spec", test_layout_spec},
    {"errmsg", test_errmsg},
    {"errmsg_malformed", test_errmsg_malformed},
    {"op_name", test_op_name},
    {"local_req", test_local_req},
    {"local_req_bad", test_local_req_bad},
    {"local_rep", test_local_rep},
    {"local_sockaddr", test_local_sockaddr},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_proto = {"proto", NULL, NULL, proto_tests};
