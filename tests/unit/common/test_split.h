/* test_split.h - what the files of the split suite share: the helpers of
 * test_split_util.c and the test of test_split_bf.c. */
#ifndef PFS_TEST_SPLIT_H
#define PFS_TEST_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "layout.h"
#include "sio.h"
#include "sio_split.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)

pfs_layout_t make_layout(uint64_t stripe_size, uint32_t count, uint32_t first,
                         uint32_t nservers);
pfs_sio_desc_t strided(uint64_t offset, uint64_t blocklen, int ndims,
                       const uint64_t *counts, const uint64_t *strides);
pfs_sio_desc_t contiguous(uint64_t offset, uint64_t len);
pfs_sio_desc_t list(const uint64_t *offsets, const uint64_t *lengths,
                    size_t count);
unsigned check_parts(const pfs_layout_t *layout, const pfs_sio_part_t *parts,
                     size_t nparts, uint64_t max_bytes, size_t max_iov);
void split(const pfs_layout_t *layout, uint64_t max_bytes, size_t max_iov,
           uint8_t *buf, const pfs_sio_desc_t *mem, const pfs_sio_desc_t *file,
           pfs_sio_part_t **parts_p, size_t *nparts_p);
uint64_t parts_bytes(const pfs_sio_part_t *parts, size_t nparts);

void test_brute_force(void);

#endif
