/* auth.h - the cryptography of pfs, through OpenSSL's libcrypto: HMAC-
 * SHA256, HKDF, random bytes and constant-time comparison, and the two
 * proofs of HELLO's challenge-response.
 *
 * No primitive is written here: every one is libcrypto's.  All functions
 * are thread safe and never print; they return PFS_OK or
 * PFS_ERR_INTERNAL (libcrypto failed: out of memory, or no SHA-256).
 *
 * HELLO (doc/security.md): the client sends a fresh nonce Nc
 * (CHALLENGE); the server answers with its identity, a fresh nonce Ns and
 * its proof HMAC(Ka, "pfs-hello-server" Nc Ns identity); the client checks
 * it and sends HELLO with its credentials and its proof HMAC(Ka,
 * "pfs-hello-client" Nc Ns identity hello-body groups).  Ka is derived
 * from the cluster key (HKDF, "pfs hello key"), so the key itself never
 * crosses the wire and the two proofs cannot be swapped.  Ns is the
 * server's for one HELLO on one connection: a recorded HELLO proves
 * nothing on another connection, nor twice on this one.
 */
#ifndef PFS_AUTH_H
#define PFS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "pfs_common.h"

#define PFS_AUTH_MAC_SIZE 32u /* HMAC-SHA256 */
#define PFS_AUTH_NONCE_SIZE 32u
#define PFS_AUTH_KEY_SIZE 32u

/* One piece of a MAC's input. */
typedef struct {
    const void *p;
    size_t len;
} pfs_auth_piece_t;

/* HMAC-SHA256 under key (klen bytes) of the concatenated pieces. */
PFS_MUST_CHECK pfs_status_t pfs_auth_hmac(const uint8_t *key, size_t klen,
                                          const pfs_auth_piece_t *pieces,
                                          size_t npieces,
                                          uint8_t mac[PFS_AUTH_MAC_SIZE]);

/* HKDF-SHA256 (RFC 5869): out_len bytes from ikm, salt (may be NULL)
 * and info (a NUL-terminated label). */
PFS_MUST_CHECK pfs_status_t pfs_auth_hkdf(const uint8_t *ikm, size_t ikm_len,
                                          const uint8_t *salt, size_t salt_len,
                                          const char *info, uint8_t *out,
                                          size_t out_len);

/* Cryptographically strong random bytes (RAND_bytes). */
PFS_MUST_CHECK pfs_status_t pfs_auth_random(uint8_t *buf, size_t len);

/* 1 if the n bytes at a and b are equal; the time taken does not depend
 * on where they differ (CRYPTO_memcmp). */
int pfs_auth_equal(const void *a, const void *b, size_t n);

/* The key HELLO's proofs are made with, from the cluster key. */
PFS_MUST_CHECK pfs_status_t
pfs_auth_hello_key(const uint8_t cluster_key[PFS_AUTH_KEY_SIZE],
                   uint8_t out[PFS_AUTH_KEY_SIZE]);

/* The server's proof: over both nonces and the server's identity (role,
 * index, fsid) as the CHALLENGE reply states it. */
PFS_MUST_CHECK pfs_status_t pfs_auth_server_proof(
    const uint8_t hello_key[PFS_AUTH_KEY_SIZE],
    const uint8_t nc[PFS_AUTH_NONCE_SIZE],
    const uint8_t ns[PFS_AUTH_NONCE_SIZE], uint8_t role, uint32_t index,
    const uint8_t fsid[16], uint8_t proof[PFS_AUTH_MAC_SIZE]);

/* The client's proof: over both nonces, the server's identity, the
 * HELLO body's signed bytes (signed, signed_len: everything before the
 * proof) and the groups payload (groups_len bytes, may be 0). */
PFS_MUST_CHECK pfs_status_t pfs_auth_client_proof(
    const uint8_t hello_key[PFS_AUTH_KEY_SIZE],
    const uint8_t nc[PFS_AUTH_NONCE_SIZE],
    const uint8_t ns[PFS_AUTH_NONCE_SIZE], uint8_t role, uint32_t index,
    const uint8_t fsid[16], const void *signed_part, size_t signed_len,
    const void *groups, size_t groups_len, uint8_t proof[PFS_AUTH_MAC_SIZE]);

#endif
