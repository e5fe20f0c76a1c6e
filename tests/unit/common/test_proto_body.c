/* test_proto_body.c - the proto suite: strings, attributes, I/O requests,
 * capabilities, the smaller requests, error messages, local access. */
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

static int layouts_equal(const pfs_layout_t *a, const pfs_layout_t *b)
{
    return a->stripe_size == b->stripe_size &&
           a->stripe_count == b->stripe_count &&
           memcmp(a->servers, b->servers,
                  a->stripe_count * sizeof(a->servers[0])) == 0;
}

void test_string_length_past_end(void)
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

void test_attr(void)
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

void test_attr_bad_type(void)
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

void test_attr_bad_stripe_count(void)
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

void test_io_req(void)
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

void test_io_req_fbig(void)
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

/* n removal capabilities, each naming server 3 only, as the MDS makes them */
static void removal_caps(pfs_cap_t *caps, uint32_t n)
{
    uint32_t i;

    memset(caps, 0, n * sizeof(*caps));
    for (i = 0; i < n; i++) {
        caps[i].fid.hi = 7;
        caps[i].fid.lo = i + 1;
        caps[i].rights = PFS_CAP_REMOVE;
        caps[i].issued_ms = 1000 + i;
        caps[i].expiry_ms = 61000 + i;
        caps[i].nservers = 1;
        caps[i].servers[0] = 3;
        memset(caps[i].mac, (int)i, sizeof(caps[i].mac));
    }
}

void test_remove_req(void)
{
    static pfs_cap_t in[PFS_REMOVE_MAX], out[PFS_REMOVE_MAX];
    static uint8_t enc[PFS_REMOVE_REQ_MAX];
    uint32_t n, i, counts[] = {1, 2, PFS_REMOVE_MAX};
    size_t len;

    for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        removal_caps(in, counts[k]);
        CU_ASSERT_EQUAL_FATAL(
            pfs_proto_remove_req_encode(enc, sizeof(enc), in, counts[k], &len),
            PFS_OK);
        /* a full request of one-server capabilities fits the maximum */
        CU_ASSERT_EQUAL(len, 4 + counts[k] * PFS_REMOVE_CAP_MAX);
        memset(out, 0xa5, sizeof(out));
        CU_ASSERT_EQUAL_FATAL(pfs_proto_remove_req_decode(enc, len, out, &n),
                              PFS_OK);
        CU_ASSERT_EQUAL_FATAL(n, counts[k]);
        for (i = 0; i < n; i++) {
            CU_ASSERT(pfs_fid_equal(out[i].fid, in[i].fid));
            CU_ASSERT_EQUAL(out[i].rights, PFS_CAP_REMOVE);
            CU_ASSERT_EQUAL(out[i].issued_ms, in[i].issued_ms);
            CU_ASSERT_EQUAL(out[i].expiry_ms, in[i].expiry_ms);
            CU_ASSERT_EQUAL(out[i].nservers, 1);
            CU_ASSERT_EQUAL(out[i].servers[0], 3);
            CU_ASSERT_EQUAL(memcmp(out[i].mac, in[i].mac, sizeof(in[i].mac)),
                            0);
        }
        /* every cut short is malformed */
        for (size_t cut = 0; cut < len; cut += 1 + cut / 8) {
            CU_ASSERT_EQUAL(pfs_proto_remove_req_decode(enc, cut, out, &n),
                            PFS_ERR_PROTO);
        }
    }
}

void test_remove_req_bad(void)
{
    static pfs_cap_t caps[PFS_REMOVE_MAX + 1];
    static uint8_t enc[PFS_REMOVE_REQ_MAX + PFS_REMOVE_CAP_MAX];
    uint32_t n;
    size_t len;

    removal_caps(caps, PFS_REMOVE_MAX + 1);
    /* none, or more than a request carries, are refused both ways */
    CU_ASSERT_EQUAL(
        pfs_proto_remove_req_encode(enc, sizeof(enc), caps, 0, &len),
        PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_proto_remove_req_encode(enc, sizeof(enc), caps,
                                                PFS_REMOVE_MAX + 1, &len),
                    PFS_ERR_INVAL);
    CU_ASSERT_EQUAL_FATAL(pfs_proto_remove_req_encode(enc, sizeof(enc), caps,
                                                      PFS_REMOVE_MAX, &len),
                          PFS_OK);
    enc[0] = PFS_REMOVE_MAX + 1; /* the count is little-endian */
    CU_ASSERT_EQUAL(pfs_proto_remove_req_decode(enc, len, caps, &n),
                    PFS_ERR_PROTO);
    enc[0] = 0;
    CU_ASSERT_EQUAL(pfs_proto_remove_req_decode(enc, len, caps, &n),
                    PFS_ERR_PROTO);
    /* a count smaller than what follows: trailing bytes */
    enc[0] = 1;
    CU_ASSERT_EQUAL(pfs_proto_remove_req_decode(enc, len, caps, &n),
                    PFS_ERR_PROTO);
    /* a capability with unknown rights */
    removal_caps(caps, 2);
    caps[1].rights = 0x100;
    CU_ASSERT_EQUAL(
        pfs_proto_remove_req_encode(enc, sizeof(enc), caps, 2, &len),
        PFS_ERR_INVAL);
    /* a buffer too small */
    CU_ASSERT_EQUAL(pfs_proto_remove_req_encode(enc, 10, caps, 1, &len),
                    PFS_ERR_INVAL);
}

void test_remove_rep(void)
{
    pfs_status_t in[PFS_REMOVE_MAX], out[PFS_REMOVE_MAX];
    uint8_t enc[PFS_REMOVE_REP_MAX];
    uint32_t i, n;
    size_t len;

    for (i = 0; i < PFS_REMOVE_MAX; i++) {
        in[i] = i % 3 == 0 ? PFS_OK : i % 3 == 1 ? PFS_ERR_IO : PFS_ERR_NOSPC;
    }
    CU_ASSERT_EQUAL_FATAL(
        pfs_proto_remove_rep_encode(enc, sizeof(enc), in, PFS_REMOVE_MAX, &len),
        PFS_OK);
    CU_ASSERT_EQUAL(len, PFS_REMOVE_REP_MAX);
    CU_ASSERT_EQUAL_FATAL(pfs_proto_remove_rep_decode(enc, len, out, &n),
                          PFS_OK);
    CU_ASSERT_EQUAL_FATAL(n, PFS_REMOVE_MAX);
    CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
    CU_ASSERT_EQUAL(pfs_proto_remove_rep_decode(enc, len - 1, out, &n),
                    PFS_ERR_PROTO);
    CU_ASSERT_EQUAL(pfs_proto_remove_rep_encode(enc, sizeof(enc), in,
                                                PFS_REMOVE_MAX + 1, &len),
                    PFS_ERR_INVAL);
}

void test_cap(void)
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

void test_attr_cap(void)
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

void test_u64(void)
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

void test_fp_req(void)
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

void test_lease_req(void)
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

void test_setattr_req(void)
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

void test_setattr_req_bad_mask(void)
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

void test_errmsg(void)
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

void test_errmsg_malformed(void)
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

void test_op_name(void)
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

void test_local_req(void)
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

void test_local_req_bad(void)
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

void test_local_rep(void)
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

void test_local_sockaddr(void)
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
