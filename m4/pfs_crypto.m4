# PFS_CHECK_CRYPTO: OpenSSL's libcrypto (--with-crypto), for HELLO's
# challenge-response and the capabilities' MACs (HMAC-SHA256, HKDF,
# CRYPTO_memcmp, RAND_bytes).  Debian 12 ships OpenSSL 3.0.
AC_DEFUN([PFS_CHECK_CRYPTO],
    [_PFS_CHECK_DEP([CRYPTO], [crypto], [libcrypto], [openssl/evp.h],
                    [EVP_MAC_fetch], [-lcrypto], [libssl-dev])])
