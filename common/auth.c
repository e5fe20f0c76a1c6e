/* auth.c - libcrypto behind auth.h. */
#include "config.h"

#include <endian.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "auth.h"

static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

/* Fetching an implementation costs a lookup in libcrypto's tables: do it
 * once per process (the fetched object is immutable and shared). */
static void hmac_fetch(void)
{
    hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

pfs_status_t pfs_auth_hmac(const uint8_t *key, size_t klen,
                           const pfs_auth_piece_t *pieces, size_t npieces,
                           uint8_t mac[PFS_AUTH_MAC_SIZE])
{
    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx;
    size_t out = 0, i;
    pfs_status_t st = PFS_ERR_INTERNAL;

    pthread_once(&hmac_once, hmac_fetch);
    if (hmac_impl == NULL) {
        return PFS_ERR_INTERNAL;
    }
    ctx = EVP_MAC_CTX_new(hmac_impl);
    if (ctx == NULL) {
        return PFS_ERR_INTERNAL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, klen, params) != 1) {
        goto out;
    }
    for (i = 0; i < npieces; i++) {
        if (pieces[i].len > 0 &&
            EVP_MAC_update(ctx, pieces[i].p, pieces[i].len) != 1) {
            goto out;
        }
    }
    if (EVP_MAC_final(ctx, mac, &out, PFS_AUTH_MAC_SIZE) != 1 ||
        out != PFS_AUTH_MAC_SIZE) {
        goto out;
    }
    st = PFS_OK;
out:
    EVP_MAC_CTX_free(ctx);
    return st;
}

pfs_status_t pfs_auth_hkdf(const uint8_t *ikm, size_t ikm_len,
                           const uint8_t *salt, size_t salt_len,
                           const char *info, uint8_t *out, size_t out_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t len = out_len;
    pfs_status_t st = PFS_ERR_INTERNAL;

    if (ctx == NULL) {
        return PFS_ERR_INTERNAL;
    }
    if (EVP_PKEY_derive_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) <= 0 ||
        (salt != NULL &&
         EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)salt_len) <= 0) ||
        EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm, (int)ikm_len) <= 0 ||
        EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info,
                                    (int)strlen(info)) <= 0 ||
        EVP_PKEY_derive(ctx, out, &len) <= 0 || len != out_len) {
        goto out;
    }
    st = PFS_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    return st;
}

pfs_status_t pfs_auth_random(uint8_t *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? PFS_OK : PFS_ERR_INTERNAL;
}

int pfs_auth_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

pfs_status_t pfs_auth_hello_key(const uint8_t cluster_key[PFS_AUTH_KEY_SIZE],
                                uint8_t out[PFS_AUTH_KEY_SIZE])
{
    return pfs_auth_hkdf(cluster_key, PFS_AUTH_KEY_SIZE, NULL, 0,
                         "pfs hello key v1", out, PFS_AUTH_KEY_SIZE);
}

/* The server's identity as MAC input: u8 role, u32 index, fsid. */
static void identity_bytes(uint8_t role, uint32_t index, const uint8_t fsid[16],
                           uint8_t out[21])
{
    uint32_t le = htole32(index);

    out[0] = role;
    memcpy(out + 1, &le, 4);
    memcpy(out + 5, fsid, 16);
}

pfs_status_t pfs_auth_server_proof(const uint8_t hello_key[PFS_AUTH_KEY_SIZE],
                                   const uint8_t nc[PFS_AUTH_NONCE_SIZE],
                                   const uint8_t ns[PFS_AUTH_NONCE_SIZE],
                                   uint8_t role, uint32_t index,
                                   const uint8_t fsid[16],
                                   uint8_t proof[PFS_AUTH_MAC_SIZE])
{
    static const char label[] = "pfs-hello-server";
    uint8_t id[21];
    pfs_auth_piece_t p[4];

    identity_bytes(role, index, fsid, id);
    p[0] = (pfs_auth_piece_t){label, sizeof(label)};
    p[1] = (pfs_auth_piece_t){nc, PFS_AUTH_NONCE_SIZE};
    p[2] = (pfs_auth_piece_t){ns, PFS_AUTH_NONCE_SIZE};
    p[3] = (pfs_auth_piece_t){id, sizeof(id)};
    return pfs_auth_hmac(hello_key, PFS_AUTH_KEY_SIZE, p, 4, proof);
}

pfs_status_t pfs_auth_client_proof(const uint8_t hello_key[PFS_AUTH_KEY_SIZE],
                                   const uint8_t nc[PFS_AUTH_NONCE_SIZE],
                                   const uint8_t ns[PFS_AUTH_NONCE_SIZE],
                                   uint8_t role, uint32_t index,
                                   const uint8_t fsid[16],
                                   const void *signed_part, size_t signed_len,
                                   const void *groups, size_t groups_len,
                                   uint8_t proof[PFS_AUTH_MAC_SIZE])
{
    static const char label[] = "pfs-hello-client";
    uint64_t lens[2];
    uint8_t id[21];
    pfs_auth_piece_t p[7];

    identity_bytes(role, index, fsid, id);
    /* the lengths make the concatenation unambiguous */
    lens[0] = htole64((uint64_t)signed_len);
    lens[1] = htole64((uint64_t)groups_len);
    p[0] = (pfs_auth_piece_t){label, sizeof(label)};
    p[1] = (pfs_auth_piece_t){nc, PFS_AUTH_NONCE_SIZE};
    p[2] = (pfs_auth_piece_t){ns, PFS_AUTH_NONCE_SIZE};
    p[3] = (pfs_auth_piece_t){id, sizeof(id)};
    p[4] = (pfs_auth_piece_t){lens, sizeof(lens)};
    p[5] = (pfs_auth_piece_t){signed_part, signed_len};
    p[6] = (pfs_auth_piece_t){groups, groups_len};
    return pfs_auth_hmac(hello_key, PFS_AUTH_KEY_SIZE, p, 7, proof);
}
