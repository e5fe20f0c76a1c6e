/* coll_mpi_test.h - what the files of coll_mpi_test share: the rank, the
 * failure count and the client, the helpers of coll_mpi_test.c and the
 * checks of coll_mpi_test_calls.c main() runs. */
#ifndef COLL_MPI_TEST_H
#define COLL_MPI_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>
#include <pfs/pio_mpi.h>

extern int rank, nranks, failures;
extern pio_client_t *client;

void report(const char *name, int ok, const char *why);
pio_file_t *shared_file(const char *path, uint64_t stripe);
void split(uint64_t n, int k, int i, uint64_t *start, uint64_t *len);
pio_coll_hints_t two_phase(uint64_t cb);
int check_desc(const uint8_t *buf, const pio_desc_t *d, unsigned salt,
               char *why, size_t n);
void fill_desc(uint8_t *buf, const pio_desc_t *d, unsigned salt);
uint64_t desc_bytes(const pio_desc_t *d);
double compute(int n);

/* coll_mpi_test_calls.c */
void test_error_agreement(void);
void test_small_calls(void);
void test_mixed_calls(void);
void test_batch(void);
int loop(int seconds);
int loop_read(int seconds);
int shape(void);

#endif
