/* guard_page.h - memory that faults past its end, for the tests of
 * doc/abi.md (tests/unit/libpio/test_abi.c, tests/integration/abi_client.c):
 * a struct that ends where an inaccessible page begins shows that a call
 * neither reads nor writes a byte past it. */
#ifndef PFS_TEST_GUARD_PAGE_H
#define PFS_TEST_GUARD_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define SENTINEL 0xA5
#define EXTRA 32 /* bytes a later release might add to a struct */
#define GUARD 32 /* bytes past a size that must stay untouched */

typedef struct {
    uint8_t *map;
    size_t len;
} guard_t;

/* n bytes (a multiple of 8) that end where a PROT_NONE page begins;
 * unguard() releases them.  A test that cannot map them aborts. */
static inline void *guarded(guard_t *g, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (n + page - 1) / page * page;
    void *map;

    g->len = span + page;
    map = mmap(NULL, g->len, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED ||
        mprotect((uint8_t *)map + span, page, PROT_NONE) != 0) {
        perror("guarded: mmap");
        abort();
    }
    g->map = map;
    return g->map + span - n;
}

static inline void unguard(guard_t *g)
{
    munmap(g->map, g->len);
}

/* Every byte of p[0 .. n) is b. */
static inline int all_bytes(const void *p, size_t n, uint8_t b)
{
    const uint8_t *q = p;
    size_t i;

    for (i = 0; i < n; i++) {
        if (q[i] != b) {
            return 0;
        }
    }
    return 1;
}

#endif
