/* test_proto.c - wire protocol codecs and path normalization, hostile inputs
 * included. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "proto.h"
#include "wire.h"
#include "../unit.h"

/* Big enough for any body: a path request with the longest path and the
 * most stripes is about 5 KiB. */
#define BUF_SIZE 8192u

/* Each decoder behind one signature, so truncation and trailing-byte
 * checks run the same way over every message type. */
typedef pfs_status_t (*unpack_fn)(const void *buf, size_t len);

static pfs_status_t unpack_challenge_rep(const void *buf, size_t len)
{
    pfs_challenge_rep_t m;

    return pfs_proto_challenge_rep_decode(buf, len, &m);
}

static pfs_status_t unpack_status_rep(const void *buf, size_t len)
{
    pfs_status_rep_t m;

    return pfs_proto_status_rep_decode(buf, len, &m);
}

static pfs_status_t unpack_path_req(const void *buf, size_t len)
{
    static pfs_path_req_t m; /* 5 KiB: keep it off the stack */

    return pfs_proto_path_req_decode(buf, len, &m);
}

static pfs_status_t unpack_attr(const void *buf, size_t len)
{
    pfs_attr_t m;

    return pfs_proto_attr_decode(buf, len, &m);
}

static pfs_status_t unpack_io_req(const void *buf, size_t len)
{
    static pfs_io_req_t m;

    return pfs_proto_io_req_decode(buf, len, &m);
}

static pfs_status_t unpack_cap(const void *buf, size_t len)
{
    static pfs_cap_t m;

    return pfs_proto_cap_decode(buf, len, &m);
}

static pfs_status_t unpack_u64(const void *buf, size_t len)
{
    uint64_t v;

    return pfs_proto_fp_rep_decode(buf, len, &v);
}

static pfs_status_t unpack_layout_spec(const void *buf, size_t len)
{
    static pfs_layout_spec_t m;

    return pfs_proto_layout_spec_decode(buf, len, &m);
}

static pfs_status_t unpack_fp_req(const void *buf, size_t len)
{
    pfs_fp_req_t m;

    return pfs_proto_fp_req_decode(buf, len, &m);
}

static pfs_status_t unpack_lease_req(const void *buf, size_t len)
{
    pfs_lease_req_t m;

    return pfs_proto_lease_req_decode(buf, len, &m);
}

static pfs_status_t unpack_setattr_req(const void *buf, size_t len)
{
    static pfs_setattr_req_t m; /* 4 KiB: keep it off the stack */

    return pfs_proto_setattr_req_decode(buf, len, &m);
}

static pfs_status_t unpack_errmsg(const void *buf, size_t len)
{
    char msg[PFS_PROTO_MAX_ERRMSG + 1];

    return pfs_proto_errmsg_decode(buf, len, msg, sizeof(msg));
}

/* Decode len bytes from a heap block of exactly len bytes, so a read past
 * the end is an out-of-bounds access that sanitizers and valgrind see. */
static pfs_status_t unpack_exact(const uint8_t *enc, size_t len, unpack_fn fn)
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

/* Each encoder behind one signature.  Encoding into every buffer too
 * small for the message must fail and never write past the capacity. */
typedef pfs_status_t (*pack_fn)(void *buf, size_t cap, const void *m,
                                size_t *len_p);

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

static pfs_status_t pack_challenge_rep(void *b, size_t n, const void *m,
                                       size_t *l)
{
    return pfs_proto_challenge_rep_encode(b, n, m, l);
}

static pfs_status_t pack_status_rep(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_status_rep_encode(b, n, m, l);
}

static pfs_status_t pack_path_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_path_req_encode(b, n, m, l);
}

static pfs_status_t pack_attr(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_attr_encode(b, n, m, l);
}

static pfs_status_t pack_io_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_io_req_encode(b, n, m, l);
}

static pfs_status_t pack_cap(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_cap_encode(b, n, m, l);
}

static pfs_status_t pack_u64(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_fp_rep_encode(b, n, *(const uint64_t *)m, l);
}

static pfs_status_t pack_layout_spec(void *b, size_t n, const void *m,
                                     size_t *l)
{
    return pfs_proto_layout_spec_encode(b, n, m, l);
}

static pfs_status_t pack_fp_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_fp_req_encode(b, n, m, l);
}

static pfs_status_t pack_lease_req(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_lease_req_encode(b, n, m, l);
}

static pfs_status_t pack_setattr_req(void *b, size_t n, const void *m,
                                     size_t *l)
{
    return pfs_proto_setattr_req_encode(b, n, m, l);
}

static pfs_status_t pack_errmsg(void *b, size_t n, const void *m, size_t *l)
{
    return pfs_proto_errmsg_encode(b, n, m, l);
}

/* Encode m with fn into buf; returns the encoded length (0 on failure). */
static size_t pack_into(pack_fn fn, const void *m, uint8_t *buf, size_t cap)
{
    size_t len = 0;

    CU_ASSERT_EQUAL(fn(buf, cap, m, &len), PFS_OK);
    return len;
}

/* The full check every message type gets. */
static size_t check_codec(pack_fn pack, unpack_fn unpack, const void *m,
                          uint8_t *enc)
{
    size_t len = pack_into(pack, m, enc, BUF_SIZE);

    CU_ASSERT_FATAL(len > 0);
    check_truncations(enc, len, unpack);
    check_small_buffers(pack, m, len);
    return len;
}

static int layouts_equal(const pfs_layout_t *a, const pfs_layout_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count &&
           memcmp(a->servers, b->servers,
                  a->stripe_count * sizeof(a->servers[0])) == 0;
}

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

static void test_hello_req(void)
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
static void test_hello_req_many_groups(void)
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
static void test_cred_self(void)
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

static void test_hello_req_bad_role(void)
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

static void test_challenge(void)
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

static void test_status_rep(void)
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

static void test_status_rep_long_host(void)
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

static void test_path_req(void)
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

static void test_path_req_too_many_stripes(void)
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

static void test_path_req_bad_stripe_count(void)
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

static void test_path_req_long_path(void)
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

static void test_path_req_embedded_nul(void)
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

static void test_string_length_past_end(void)
{
    uint8_t enc[16];
    char msg[64];
    pfs_status_t ust, fst;
    pfs_rbuf_t r;

    /* claims 10 bytes, carries 5 */
    enc[0] = 10;
    enc[1] = 0;
    memcpy(enc + 2, "hello", 5);
    ust = fst = unpack_exact(enc, 7, unpack_errmsg);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(fst, PFS_ERR_PROTO);

    /* the largest length the field can hold */
    enc[0] = 0xff;
    enc[1] = 0xff;
    ust = fst = unpack_exact(enc, 7, unpack_errmsg);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);

    /* the string reader leaves out[] a valid empty string on failure */
    enc[0] = 10;
    enc[1] = 0;
    memset(msg, 'z', sizeof(msg));
    pfs_rbuf_init(&r, enc, 7);
    pfs_rbuf_str(&r, msg, sizeof(msg) - 1);
    CU_ASSERT_EQUAL(pfs_rbuf_finish(&r), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(msg[0], '\0');
}

static void fill_attr(pfs_attr_t *m, uint32_t type, uint32_t nstripes)
{
    uint32_t i;

    memset(m, 0, sizeof(*m));
    m->fid.hi = UINT64_C(0x1122334455667788);
    m->fid.lo = UINT64_MAX;
    m->type = type;
    m->mode = 01777;
    m->uid = 12345;
    m->gid = 54321;
    m->ctime_ns = UINT64_C(1700000000123456789);
    m->mtime_ns = UINT64_C(1700000000987654321);
    m->nlink = type == PFS_FILE_TYPE_DIR ? 2 : 1;
    if (nstripes > 0) {
        m->layout.stripe_size = PFS_LAYOUT_MAX_STRIPE_SIZE;
        m->layout.stripe_count = nstripes;
        for (i = 0; i < nstripes; i++) {
            m->layout.servers[i] = nstripes - 1 - i;
        }
    }
}

static void test_attr(void)
{
    static uint8_t enc[BUF_SIZE];
    pfs_attr_t in, out;
    static const uint32_t counts[] = {0, 1, 6, PFS_LAYOUT_MAX_STRIPES};
    unsigned i;
    size_t len;

    for (i = 0; i < PFS_ARRAY_SIZE(counts); i++) {
        fill_attr(&in, counts[i] == 0 ? PFS_FILE_TYPE_DIR : PFS_FILE_TYPE_REG,
                  counts[i]);
        len = check_codec(pack_attr, unpack_attr, &in, enc);
        CU_ASSERT_EQUAL(len, 52 + 12 + 4 * counts[i]);

        memset(&out, 0xcc, sizeof(out));
        CU_ASSERT_EQUAL(pfs_proto_attr_decode(enc, len, &out), PFS_OK);
        CU_ASSERT(pfs_fid_equal(out.fid, in.fid));
        CU_ASSERT_EQUAL(out.type, in.type);
        CU_ASSERT_EQUAL(out.mode, in.mode);
        CU_ASSERT_EQUAL(out.uid, in.uid);
        CU_ASSERT_EQUAL(out.gid, in.gid);
        CU_ASSERT_EQUAL(out.ctime_ns, in.ctime_ns);
        CU_ASSERT_EQUAL(out.mtime_ns, in.mtime_ns);
        CU_ASSERT_EQUAL(out.nlink, in.nlink);
        CU_ASSERT(layouts_equal(&out.layout, &in.layout));
    }
}

static void test_attr_bad_type(void)
{
    uint8_t enc[128];
    pfs_attr_t in, out;
    static const uint32_t types[] = {0, 3, 0x101, UINT32_MAX};
    unsigned i;
    size_t len;

    for (i = 0; i < PFS_ARRAY_SIZE(types); i++) {
        fill_attr(&in, types[i], 2);
        len = pack_into(pack_attr, &in, enc, sizeof(enc));
        CU_ASSERT_EQUAL(pfs_proto_attr_decode(enc, len, &out), PFS_ERR_PROTO);
    }
}

static void test_attr_bad_stripe_count(void)
{
    uint8_t enc[128];
    pfs_attr_t in;
    pfs_status_t ust, fst;
    size_t len;

    fill_attr(&in, PFS_FILE_TYPE_REG, PFS_LAYOUT_MAX_STRIPES + 1);
    CU_ASSERT_EQUAL(pfs_proto_attr_encode(enc, sizeof(enc), &in, &len),
                    PFS_ERR_INVAL);

    /* hand-built: a valid attr whose count word is then corrupted */
    fill_attr(&in, PFS_FILE_TYPE_REG, 0);
    len = pack_into(pack_attr, &in, enc, sizeof(enc));
    CU_ASSERT_EQUAL_FATAL(len, 64);
    enc[60] = 0xff;
    enc[61] = 0xff;
    enc[62] = 0xff;
    enc[63] = 0xff;
    ust = fst = unpack_exact(enc, len, unpack_attr);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(fst, PFS_ERR_PROTO);
}

static void test_io_req(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_io_req_t in, out;
    size_t len;

    memset(&in, 0, sizeof(in));
    in.cap.fid.hi = 9;
    in.cap.fid.lo = UINT64_C(0x8000000000000001);
    /* the last byte a file may have */
    in.offset = PFS_MAX_FILE_SIZE - 4096;
    in.length = 4096;
    len = check_codec(pack_io_req, unpack_io_req, &in, enc);
    CU_ASSERT_EQUAL(len, 72 + 16); /* a capability without servers */

    CU_ASSERT_EQUAL(pfs_proto_io_req_decode(enc, len, &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.cap.fid, in.cap.fid));
    CU_ASSERT_EQUAL(out.offset, in.offset);
    CU_ASSERT_EQUAL(out.length, in.length);
}

static pfs_status_t io_req_status(uint64_t offset, uint64_t length)
{
    uint8_t enc[PFS_IO_REQ_MAX];
    static pfs_io_req_t in, out;
    size_t len;

    memset(&in, 0, sizeof(in));
    in.cap.fid.hi = 1;
    in.cap.fid.lo = 2;
    in.offset = offset;
    in.length = length;
    len = pack_into(pack_io_req, &in, enc, sizeof(enc));
    return pfs_proto_io_req_decode(enc, len, &out);
}

static void test_io_req_fbig(void)
{
    CU_ASSERT_EQUAL(io_req_status(PFS_MAX_FILE_SIZE, 1), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(io_req_status(PFS_MAX_FILE_SIZE - 1, 2), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(io_req_status(PFS_MAX_FILE_SIZE + 1, 0), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(io_req_status(UINT64_MAX, 0), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(io_req_status(0, PFS_MAX_FILE_SIZE + 1), PFS_ERR_FBIG);
    /* a sum that wraps to something small must still be caught */
    CU_ASSERT_EQUAL(io_req_status(2, UINT64_MAX - 1), PFS_ERR_FBIG);
    CU_ASSERT_EQUAL(io_req_status(UINT64_C(1) << 63, UINT64_C(1) << 63),
                    PFS_ERR_FBIG);
    /* the edges that are fine */
    CU_ASSERT_EQUAL(io_req_status(PFS_MAX_FILE_SIZE - 1, 1), PFS_OK);
    CU_ASSERT_EQUAL(io_req_status(0, PFS_MAX_FILE_SIZE), PFS_OK);
    CU_ASSERT_EQUAL(io_req_status(PFS_MAX_FILE_SIZE, 0), PFS_OK);
    CU_ASSERT_EQUAL(io_req_status(0, 0), PFS_OK);
}

static void test_cap(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_cap_t in, out;
    size_t len;

    memset(&in, 0, sizeof(in));
    in.fid.hi = UINT64_C(0x0102030405060708);
    in.fid.lo = UINT64_C(0xa0b0c0d0e0f00010);
    in.rights = PFS_CAP_READ | PFS_CAP_STAT;
    in.issued_ms = 1000;
    in.expiry_ms = UINT64_MAX;
    in.nservers = 3;
    in.servers[0] = 7;
    in.servers[1] = 0;
    in.servers[2] = 65535;
    memset(in.mac, 0x3c, sizeof(in.mac));
    len = check_codec(pack_cap, unpack_cap, &in, enc);
    CU_ASSERT_EQUAL(len, 16 + 4 + 8 + 8 + 4 + 3 * 4 + 32);
    /* the file id first, hi first, each little-endian */
    CU_ASSERT_EQUAL(enc[0], 0x08);
    CU_ASSERT_EQUAL(enc[7], 0x01);
    CU_ASSERT_EQUAL(enc[8], 0x10);
    CU_ASSERT_EQUAL(enc[15], 0xa0);
    CU_ASSERT_EQUAL(pfs_proto_cap_decode(enc, len, &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(in.fid, out.fid));
    CU_ASSERT_EQUAL(out.rights, in.rights);
    CU_ASSERT_EQUAL(out.issued_ms, 1000);
    CU_ASSERT_EQUAL(out.expiry_ms, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(out.nservers, 3);
    CU_ASSERT_EQUAL(out.servers[2], 65535);
    CU_ASSERT_EQUAL(memcmp(out.mac, in.mac, sizeof(in.mac)), 0);
    /* unknown rights and too many servers: refused both ways */
    in.rights = 0x10;
    CU_ASSERT_EQUAL(pfs_proto_cap_encode(enc, sizeof(enc), &in, &len),
                    PFS_ERR_INVAL);
    in.rights = PFS_CAP_READ;
    in.nservers = PFS_LAYOUT_MAX_STRIPES + 1;
    CU_ASSERT_EQUAL(pfs_proto_cap_encode(enc, sizeof(enc), &in, &len),
                    PFS_ERR_INVAL);
    in.nservers = 3;
    CU_ASSERT_EQUAL_FATAL(pfs_proto_cap_encode(enc, sizeof(enc), &in, &len),
                          PFS_OK);
    enc[16] = 0x10; /* rights */
    CU_ASSERT_EQUAL(pfs_proto_cap_decode(enc, len, &out), PFS_ERR_PROTO);
    enc[16] = PFS_CAP_READ;
    enc[36] = 0xff; /* nservers: 255 + 3 * 256: more than a layout has */
    enc[37] = 0x03;
    CU_ASSERT_EQUAL(pfs_proto_cap_decode(enc, len, &out), PFS_ERR_PROTO);
}

static void test_attr_cap(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_attr_t attr, aout;
    static pfs_cap_t cap, cout;
    size_t len, cut;
    int has = -1;

    memset(&attr, 0, sizeof(attr));
    memset(&cap, 0, sizeof(cap));
    attr.fid.lo = 42;
    attr.type = PFS_FILE_TYPE_REG;
    attr.layout.stripe_size = 65536;
    attr.layout.stripe_count = 1;
    cap.fid = attr.fid;
    cap.rights = PFS_CAP_WRITE;
    cap.nservers = 1;
    CU_ASSERT_EQUAL_FATAL(
        pfs_proto_attr_cap_encode(enc, sizeof(enc), &attr, &cap, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_proto_attr_cap_decode(enc, len, &aout, &cout, &has),
                    PFS_OK);
    CU_ASSERT_EQUAL(has, 1);
    CU_ASSERT(pfs_fid_equal(cout.fid, attr.fid));
    CU_ASSERT_EQUAL(cout.rights, PFS_CAP_WRITE);
    for (cut = 0; cut < len; cut++) {
        CU_ASSERT_NOT_EQUAL(
            pfs_proto_attr_cap_decode(enc, cut, &aout, &cout, &has), PFS_OK);
    }
    /* a directory: no capability */
    attr.type = PFS_FILE_TYPE_DIR;
    attr.layout.stripe_count = 0;
    CU_ASSERT_EQUAL_FATAL(
        pfs_proto_attr_cap_encode(enc, sizeof(enc), &attr, NULL, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_proto_attr_cap_decode(enc, len, &aout, &cout, &has),
                    PFS_OK);
    CU_ASSERT_EQUAL(has, 0);
    enc[len - 1] = 2; /* neither 0 nor 1 */
    CU_ASSERT_EQUAL(pfs_proto_attr_cap_decode(enc, len, &aout, &cout, &has),
                    PFS_ERR_PROTO);
}

static void test_u64(void)
{
    static uint8_t enc[BUF_SIZE];
    static const uint64_t values[] = {0, 1, UINT64_C(0x8000000000000000),
                                      UINT64_MAX};
    unsigned i;
    size_t len;

    for (i = 0; i < PFS_ARRAY_SIZE(values); i++) {
        uint64_t out = 12345;

        len = check_codec(pack_u64, unpack_u64, &values[i], enc);
        CU_ASSERT_EQUAL(len, 8);
        CU_ASSERT_EQUAL(pfs_proto_fp_rep_decode(enc, len, &out), PFS_OK);
        CU_ASSERT_EQUAL(out, values[i]);
    }
}

static void test_fp_req(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_fp_req_t m, out;
    size_t len;

    memset(&m, 0, sizeof(m));
    m.cap.fid.hi = UINT64_C(0x0102030405060708);
    m.cap.fid.lo = UINT64_C(0xa0b0c0d0e0f0);
    m.value = UINT64_MAX;
    len = check_codec(pack_fp_req, unpack_fp_req, &m, enc);
    CU_ASSERT_EQUAL(len, 72 + 8);
    /* the capability first (fid first), then the value */
    CU_ASSERT_EQUAL(enc[0], 0x08);
    CU_ASSERT_EQUAL(enc[72], 0xff);
    CU_ASSERT_EQUAL(pfs_proto_fp_req_decode(enc, len, &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.cap.fid, m.cap.fid));
    CU_ASSERT_EQUAL(out.value, UINT64_MAX);
}

static void test_lease_req(void)
{
    static uint8_t enc[BUF_SIZE];
    pfs_lease_req_t m = {{UINT64_C(0x0102030405060708), 7}, PFS_LEASE_RELEASE};
    pfs_lease_req_t out;
    size_t len;

    len = check_codec(pack_lease_req, unpack_lease_req, &m, enc);
    CU_ASSERT_EQUAL(len, PFS_LEASE_REQ_MAX);
    CU_ASSERT_EQUAL(enc[0], 0x08);
    CU_ASSERT_EQUAL(enc[16], PFS_LEASE_RELEASE);
    CU_ASSERT_EQUAL(pfs_proto_lease_req_decode(enc, len, &out), PFS_OK);
    CU_ASSERT(pfs_fid_equal(out.fid, m.fid));
    CU_ASSERT_EQUAL(out.op, PFS_LEASE_RELEASE);
    /* an unknown operation: refused by both sides */
    enc[16] = 3;
    CU_ASSERT_EQUAL(pfs_proto_lease_req_decode(enc, len, &out), PFS_ERR_PROTO);
    enc[16] = 0;
    CU_ASSERT_EQUAL(pfs_proto_lease_req_decode(enc, len, &out), PFS_ERR_PROTO);
    m.op = 0;
    CU_ASSERT_EQUAL(pfs_proto_lease_req_encode(enc, sizeof(enc), &m, &len),
                    PFS_ERR_INVAL);
}

static void test_setattr_req(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_setattr_req_t m, out;
    size_t len;

    snprintf(m.path, sizeof(m.path), "/d/f");
    m.mask = PFS_SETATTR_ALL;
    m.mode = 04755;
    m.uid = 1000;
    m.gid = UINT32_MAX;
    m.mtime_ns = UINT64_C(0x0102030405060708);
    /* check_codec also rejects every truncation of the encoding */
    len = check_codec(pack_setattr_req, unpack_setattr_req, &m, enc);
    CU_ASSERT_EQUAL(len, 2 + 4 + 4 * 4 + 8);
    CU_ASSERT_EQUAL(enc[6], PFS_SETATTR_ALL); /* mask after the path */
    CU_ASSERT_EQUAL(enc[len - 8], 0x08);      /* mtime last */
    CU_ASSERT_EQUAL(pfs_proto_setattr_req_decode(enc, len, &out), PFS_OK);
    CU_ASSERT_STRING_EQUAL(out.path, "/d/f");
    CU_ASSERT_EQUAL(out.mask, PFS_SETATTR_ALL);
    CU_ASSERT_EQUAL(out.mode, 04755);
    CU_ASSERT_EQUAL(out.uid, 1000);
    CU_ASSERT_EQUAL(out.gid, UINT32_MAX);
    CU_ASSERT_EQUAL(out.mtime_ns, m.mtime_ns);

    /* a truncated message, one byte short of the mtime */
    CU_ASSERT_EQUAL(pfs_proto_setattr_req_decode(enc, len - 1, &out),
                    PFS_ERR_PROTO);
}

static void test_setattr_req_bad_mask(void)
{
    static uint8_t enc[BUF_SIZE];
    static pfs_setattr_req_t m, out;
    size_t len;

    snprintf(m.path, sizeof(m.path), "/f");
    m.mask = 0x10;
    CU_ASSERT_EQUAL(pfs_proto_setattr_req_encode(enc, sizeof(enc), &m, &len),
                    PFS_ERR_INVAL);

    /* an unknown bit on the wire: a newer client, or garbage */
    m.mask = PFS_SETATTR_MODE;
    len = pack_into(pack_setattr_req, &m, enc, sizeof(enc));
    CU_ASSERT_FATAL(len == 28);
    enc[4] |= 0x80; /* the mask, after "/f" */
    CU_ASSERT_EQUAL(pfs_proto_setattr_req_decode(enc, len, &out),
                    PFS_ERR_PROTO);
}

static void test_layout_spec(void)
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

static void test_errmsg(void)
{
    static uint8_t enc[BUF_SIZE];
    char out[PFS_PROTO_MAX_ERRMSG + 1], small[8];
    char *huge = malloc(3000);
    size_t len;

    CU_ASSERT_FATAL(huge != NULL);
    len = check_codec(pack_errmsg, unpack_errmsg, "no such file: /a/b", enc);
    CU_ASSERT_EQUAL(len, 2 + 18);
    CU_ASSERT_EQUAL(pfs_proto_errmsg_decode(enc, len, out, sizeof(out)),
                    PFS_OK);
    CU_ASSERT_STRING_EQUAL(out, "no such file: /a/b");

    /* a small destination gets a clipped, terminated message */
    CU_ASSERT_EQUAL(pfs_proto_errmsg_decode(enc, len, small, sizeof(small)),
                    PFS_OK);
    CU_ASSERT_STRING_EQUAL(small, "no such");

    /* an over-long message is clipped to the limit by the sender */
    memset(huge, 'e', 2999);
    huge[2999] = '\0';
    len = check_codec(pack_errmsg, unpack_errmsg, huge, enc);
    CU_ASSERT_EQUAL(len, 2 + PFS_PROTO_MAX_ERRMSG);
    CU_ASSERT_EQUAL(pfs_proto_errmsg_decode(enc, len, out, sizeof(out)),
                    PFS_OK);
    CU_ASSERT_EQUAL(strlen(out), PFS_PROTO_MAX_ERRMSG);

    /* the empty message */
    len = check_codec(pack_errmsg, unpack_errmsg, "", enc);
    CU_ASSERT_EQUAL(len, 2);
    free(huge);
}

static void test_errmsg_malformed(void)
{
    static uint8_t enc[BUF_SIZE];
    char *text = malloc(PFS_PROTO_MAX_ERRMSG + 2);
    pfs_status_t ust, fst;
    pfs_wbuf_t w;
    size_t len;

    CU_ASSERT_FATAL(text != NULL);
    /* longer than any sender may send */
    memset(text, 'm', PFS_PROTO_MAX_ERRMSG + 1);
    text[PFS_PROTO_MAX_ERRMSG + 1] = '\0';
    pfs_wbuf_init(&w, enc, sizeof(enc));
    pfs_wbuf_str(&w, text);
    CU_ASSERT_EQUAL_FATAL(pfs_wbuf_finish(&w, &len), PFS_OK);
    ust = fst = unpack_exact(enc, len, unpack_errmsg);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);

    /* embedded NUL */
    len = pack_into(pack_errmsg, "abc", enc, sizeof(enc));
    enc[3] = '\0';
    ust = fst = unpack_exact(enc, len, unpack_errmsg);
    CU_ASSERT_EQUAL(ust, PFS_ERR_PROTO);
    free(text);
}

static void test_op_name(void)
{
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_HELLO), "hello");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MDS_CREATE), "create");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_IO_FSYNC), "fsync");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MDS_FP_FETCH_ADD),
                           "fp_fetch_add");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MDS_FP_SET), "fp_set");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MDS_GET_DIR_LAYOUT),
                           "get_dir_layout");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MDS_SETATTR), "setattr");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(0), "unknown");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(PFS_OP_MAX_), "unknown");
    CU_ASSERT_STRING_EQUAL(pfs_proto_op_name(UINT32_MAX), "unknown");
}

/* ---- local access (local.h) ---- */

static void test_local_req(void)
{
    static uint8_t buf[PFS_LOCAL_REQ_MAX + 8];
    static pfs_local_req_t in, out;
    size_t cut, len;

    memset(&in, 0, sizeof(in));
    in.cap.fid.hi = 0x0102030405060708u;
    in.cap.fid.lo = 0x1112131415161718u;
    in.cap.nservers = 2;
    in.cap.servers[1] = 3;
    memset(in.cap.mac, 0xa5, sizeof(in.cap.mac));
    in.flags = PFS_LOCAL_WRITE;
    CU_ASSERT_EQUAL_FATAL(pfs_local_req_encode(&in, buf, &len), PFS_OK);
    CU_ASSERT_EQUAL(len, 12 + 72 + 8);
    CU_ASSERT_EQUAL(pfs_local_req_decode(buf, len, &out), PFS_OK);
    CU_ASSERT_EQUAL(memcmp(out.cap.mac, in.cap.mac, sizeof(in.cap.mac)), 0);
    CU_ASSERT_TRUE(pfs_fid_equal(out.cap.fid, in.cap.fid));
    CU_ASSERT_EQUAL(out.cap.servers[1], 3);
    CU_ASSERT_EQUAL(out.flags, PFS_LOCAL_WRITE);
    /* every truncation, and a trailing byte, is refused */
    for (cut = 0; cut < len; cut++) {
        CU_ASSERT_EQUAL(pfs_local_req_decode(buf, cut, &out), PFS_ERR_PROTO);
    }
    buf[len] = 0;
    CU_ASSERT_EQUAL(pfs_local_req_decode(buf, len + 1, &out), PFS_ERR_PROTO);
}

static void test_local_req_bad(void)
{
    static uint8_t buf[PFS_LOCAL_REQ_MAX];
    static pfs_local_req_t in, out;
    size_t len;

    memset(&in, 0, sizeof(in));
    CU_ASSERT_EQUAL_FATAL(pfs_local_req_encode(&in, buf, &len), PFS_OK);
    buf[0] ^= 1; /* magic */
    CU_ASSERT_EQUAL(pfs_local_req_decode(buf, len, &out), PFS_ERR_PROTO);
    CU_ASSERT_EQUAL_FATAL(pfs_local_req_encode(&in, buf, &len), PFS_OK);
    buf[4] = 99; /* version */
    CU_ASSERT_EQUAL(pfs_local_req_decode(buf, len, &out), PFS_ERR_PROTO);
    in.flags = 0x80; /* unknown flag: encoded as given, refused by decode */
    CU_ASSERT_EQUAL_FATAL(pfs_local_req_encode(&in, buf, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_local_req_decode(buf, len, &out), PFS_ERR_PROTO);
}

static void test_local_rep(void)
{
    uint8_t buf[PFS_LOCAL_REP_MAX];
    char msg[PFS_LOCAL_REP_MAX], longmsg[1000];
    pfs_status_t st;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(
        pfs_local_rep_encode(PFS_ERR_ACCESS, "not yours", buf, &len), PFS_OK);
    CU_ASSERT_EQUAL(pfs_local_rep_decode(buf, len, &st, msg, sizeof(msg)),
                    PFS_OK);
    CU_ASSERT_EQUAL(st, PFS_ERR_ACCESS);
    CU_ASSERT_STRING_EQUAL(msg, "not yours");
    CU_ASSERT_EQUAL(pfs_local_rep_decode(buf, len - 1, &st, msg, sizeof(msg)),
                    PFS_ERR_PROTO);
    buf[0] = 1; /* a positive status is no status */
    buf[1] = buf[2] = buf[3] = 0;
    CU_ASSERT_EQUAL(pfs_local_rep_decode(buf, len, &st, msg, sizeof(msg)),
                    PFS_ERR_PROTO);
    /* a long message is cut to fit, never overflows */
    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    CU_ASSERT_EQUAL_FATAL(pfs_local_rep_encode(PFS_OK, longmsg, buf, &len),
                          PFS_OK);
    CU_ASSERT_TRUE(len > 0 && len <= PFS_LOCAL_REP_MAX);
    CU_ASSERT_EQUAL(pfs_local_rep_decode(buf, len, &st, msg, sizeof(msg)),
                    PFS_OK);
    CU_ASSERT_EQUAL(st, PFS_OK);
}

static void test_local_sockaddr(void)
{
    struct sockaddr_un a, b, c;
    socklen_t la, lb, lc;
    uint8_t key[PFS_PROTO_KEY_SIZE];

    memset(key, 7, sizeof(key));
    pfs_local_sockaddr(key, 0, &a, &la);
    pfs_local_sockaddr(key, 1, &b, &lb);
    key[31] ^= 1;
    pfs_local_sockaddr(key, 0, &c, &lc);
    CU_ASSERT_EQUAL(a.sun_path[0], '\0'); /* abstract namespace */
    CU_ASSERT_TRUE(la > sizeof(sa_family_t) + 1 && la <= sizeof(a));
    /* another server, another ensemble: another name */
    CU_ASSERT_FALSE(la == lb && memcmp(&a, &b, la) == 0);
    CU_ASSERT_FALSE(la == lc && memcmp(&a, &c, la) == 0);
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

/* ---- pfs_path_normalize ------------------------------------------------ */

/* The output buffer with a guard after it, to see writes past the
 * documented PFS_PATH_MAX + 1 bytes. */
typedef struct {
    char out[PFS_PATH_MAX + 1];
    char guard[16];
} path_out_t;

static pfs_status_t normalize(const char *in, path_out_t *po)
{
    pfs_status_t st;
    unsigned i;

    memset(po, 0x7f, sizeof(*po));
    st = pfs_path_normalize(in, po->out);
    for (i = 0; i < sizeof(po->guard); i++) {
        CU_ASSERT_EQUAL(po->guard[i], 0x7f);
    }
    return st;
}

static void check_norm(const char *in, const char *want)
{
    static path_out_t po;

    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_STRING_EQUAL(po.out, want);
}

static void test_path_simple(void)
{
    check_norm("/a/b", "/a/b");
    check_norm("pfs:/a/b", "/a/b");
    check_norm("/", "/");
    check_norm("pfs:/", "/");
    check_norm("/a/b/", "/a/b");
    check_norm("/...", "/...");
    check_norm("/.hidden/x.", "/.hidden/x.");
}

static void test_path_slashes(void)
{
    check_norm("//a///b/", "/a/b");
    check_norm("////", "/");
    check_norm("pfs://a//", "/a");
}

static void test_path_dot(void)
{
    check_norm("/a/./b", "/a/b");
    check_norm("/./././", "/");
    check_norm("/a/.", "/a");
}

static void test_path_dotdot(void)
{
    check_norm("/a/b/../c", "/a/c");
    check_norm("/..", "/");
    check_norm("/../..", "/");
    check_norm("/a/../../b", "/b");
    check_norm("/a/b/..", "/a");
    check_norm("/abc/de/../../f", "/f");
}

static void test_path_relative(void)
{
    static path_out_t po;

    CU_ASSERT_EQUAL(normalize("a/b", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("pfs:", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("pfs:a", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("./a", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_path_normalize(NULL, po.out), PFS_ERR_INVAL);
}

static void test_path_name_max(void)
{
    static path_out_t po;
    char in[PFS_NAME_MAX + 8];

    in[0] = '/';
    memset(in + 1, 'n', PFS_NAME_MAX);
    in[1 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_STRING_EQUAL(po.out, in);

    in[1 + PFS_NAME_MAX] = 'n';
    in[2 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);
    /* also when it is not the last component */
    in[2 + PFS_NAME_MAX] = '/';
    in[3 + PFS_NAME_MAX] = 'x';
    in[4 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);
}

/* "/" + repeated "nnn.../" components up to exactly total bytes. */
static void make_long_path(char *buf, size_t total)
{
    size_t i;

    for (i = 0; i < total; i++) {
        buf[i] = (i % 101 == 0) ? '/' : 'n';
    }
    buf[total] = '\0';
    /* a trailing slash would be dropped and shorten the path */
    CU_ASSERT_NOT_EQUAL(buf[total - 1], '/');
}

static void test_path_total_max(void)
{
    static path_out_t po;
    static char in[3 * PFS_PATH_MAX];

    make_long_path(in, PFS_PATH_MAX);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_EQUAL(strlen(po.out), PFS_PATH_MAX);
    CU_ASSERT_STRING_EQUAL(po.out, in);

    make_long_path(in, PFS_PATH_MAX + 1);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);

    make_long_path(in, 2 * PFS_PATH_MAX);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);

    /* a long input that collapses to something short is fine */
    {
        size_t i;

        for (i = 0; i + 2 < sizeof(in); i += 2) {
            in[i] = '/';
            in[i + 1] = '.';
        }
        in[i] = '\0';
        CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
        CU_ASSERT_STRING_EQUAL(po.out, "/");
    }
}

static CU_TestInfo path_tests[] = {
    {"simple", test_path_simple},
    {"slashes", test_path_slashes},
    {"dot", test_path_dot},
    {"dotdot", test_path_dotdot},
    {"relative", test_path_relative},
    {"name_max", test_path_name_max},
    {"total_max", test_path_total_max},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_path = {"path", NULL, NULL, path_tests};
