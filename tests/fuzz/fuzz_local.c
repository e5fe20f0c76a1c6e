/* fuzz_local.c - libFuzzer targets for the local-access messages
 * (common/local.h): the request an I/O server reads from its Unix socket,
 * and the reply a client reads back.  Both encodings are canonical: what
 * decodes must re-encode to exactly the input.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "local.h"

static int fuzz_local_req(const uint8_t *data, size_t size)
{
    static uint8_t out[PFS_LOCAL_REQ_MAX];
    static pfs_local_req_t req;
    size_t len;

    if (pfs_local_req_decode(data, size, &req) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(size <= PFS_LOCAL_REQ_MAX);
    FUZZ_CHECK((req.flags & ~PFS_LOCAL_WRITE) == 0);
    FUZZ_CHECK(pfs_local_req_encode(&req, out, &len) == PFS_OK);
    FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    return 0;
}

static int fuzz_local_rep(const uint8_t *data, size_t size)
{
    uint8_t out[PFS_LOCAL_REP_MAX];
    char msg[PFS_LOCAL_REP_MAX], small[4];
    pfs_status_t st, st2;
    size_t len;

    if (pfs_local_rep_decode(data, size, &st, msg, sizeof(msg)) != PFS_OK) {
        return 0;
    }
    FUZZ_CHECK(st <= 0);
    FUZZ_CHECK(pfs_local_rep_encode(st, msg, out, &len) == PFS_OK);
    FUZZ_CHECK(len == size && memcmp(out, data, size) == 0);
    FUZZ_CHECK(pfs_local_rep_decode(data, size, &st2, small, sizeof(small)) ==
               PFS_OK);
    FUZZ_CHECK(st2 == st && strlen(small) < sizeof(small));
    return 0;
}

FUZZ_ENTRY_POINT
