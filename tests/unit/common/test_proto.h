/* test_proto.h - what the files of the proto suite share: the codecs and
 * checks of test_proto_codec.c and the tests test_proto.c's table lists. */
#ifndef PFS_TEST_PROTO_H
#define PFS_TEST_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "wire.h"

/* Big enough for any body: a path request with the longest path and the
 * most stripes is about 5 KiB. */
#define BUF_SIZE 8192u

/* Each decoder behind one signature, so truncation and trailing-byte
 * checks run the same way over every message type. */
typedef pfs_status_t (*unpack_fn)(const void *buf, size_t len);

/* Each encoder behind one signature.  Encoding into every buffer too
 * small for the message must fail and never write past the capacity. */
typedef pfs_status_t (*pack_fn)(void *buf, size_t cap, const void *m,
                                size_t *len_p);

pfs_status_t unpack_challenge_rep(const void *buf, size_t len);
pfs_status_t unpack_status_rep(const void *buf, size_t len);
pfs_status_t unpack_path_req(const void *buf, size_t len);
pfs_status_t unpack_attr(const void *buf, size_t len);
pfs_status_t unpack_io_req(const void *buf, size_t len);
pfs_status_t unpack_cap(const void *buf, size_t len);
pfs_status_t unpack_u64(const void *buf, size_t len);
pfs_status_t unpack_layout_spec(const void *buf, size_t len);
pfs_status_t unpack_fp_req(const void *buf, size_t len);
pfs_status_t unpack_lease_req(const void *buf, size_t len);
pfs_status_t unpack_setattr_req(const void *buf, size_t len);
pfs_status_t unpack_errmsg(const void *buf, size_t len);
pfs_status_t unpack_exact(const uint8_t *enc, size_t len, unpack_fn fn);
pfs_status_t pack_challenge_rep(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_status_rep(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_path_req(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_attr(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_io_req(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_cap(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_u64(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_layout_spec(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_fp_req(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_lease_req(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_setattr_req(void *b, size_t n, const void *m, size_t *l);
pfs_status_t pack_errmsg(void *b, size_t n, const void *m, size_t *l);
size_t pack_into(pack_fn fn, const void *m, uint8_t *buf, size_t cap);
size_t check_codec(pack_fn pack, unpack_fn unpack, const void *m, uint8_t *enc);

/* the tests of test_proto_msg.c and test_proto_body.c */
void test_hello_req(void);
void test_hello_req_many_groups(void);
void test_cred_self(void);
void test_hello_req_bad_role(void);
void test_challenge(void);
void test_status_rep(void);
void test_status_rep_long_host(void);
void test_path_req(void);
void test_path_req_too_many_stripes(void);
void test_path_req_bad_stripe_count(void);
void test_path_req_long_path(void);
void test_path_req_embedded_nul(void);
void test_layout_spec(void);
void test_string_length_past_end(void);
void test_attr(void);
void test_attr_bad_type(void);
void test_attr_bad_stripe_count(void);
void test_io_req(void);
void test_io_req_fbig(void);
void test_remove_req(void);
void test_remove_req_bad(void);
void test_remove_rep(void);
void test_cap(void);
void test_attr_cap(void);
void test_u64(void);
void test_fp_req(void);
void test_lease_req(void);
void test_setattr_req(void);
void test_setattr_req_bad_mask(void);
void test_errmsg(void);
void test_errmsg_malformed(void);
void test_op_name(void);
void test_local_req(void);
void test_local_req_bad(void);
void test_local_rep(void);
void test_local_sockaddr(void);

#endif
