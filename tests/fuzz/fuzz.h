/* fuzz.h - what every libFuzzer harness of tests/fuzz shares.
 *
 * Each harness file holds several targets, static functions
 * fuzz_NAME(data, size); run.sh builds one binary per target with
 * -DFUZZ_TARGET=NAME.  A target returns 0 and reports a finding by
 * aborting (FUZZ_CHECK), which libFuzzer records as a crash.
 */
#ifndef PFS_FUZZ_H
#define PFS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A property the code under test must keep: a finding if it does not. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define FUZZ_CAT2(a, b) a##b
#define FUZZ_CAT(a, b) FUZZ_CAT2(a, b)

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=name (tests/fuzz/run.sh does)"
#endif

#define FUZZ_ENTRY_POINT                                                       \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
    {                                                                          \
        return FUZZ_CAT(fuzz_, FUZZ_TARGET)(data, size);                       \
    }

/* Little-endian integers from a harness's own framing. */
static inline uint64_t fuzz_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n-- > 0) {
        v = v << 8 | p[n];
    }
    return v;
}

#endif
