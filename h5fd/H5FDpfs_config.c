/* H5FDpfs_config.c - H5FD_pfs: its errors on HDF5's stack, and its
 * configuration (H5FD_pfs_config_t: defaults, the configuration string,
 * what a fapl holds, the pfs path of a file name). */
#include "H5FDpfs_int.h"

/* ---- errors -------------------------------------------------------------- */

/* Push the cause onto HDF5's error stack (the caller's API call fails
 * with it; HDF5 prints the stack unless told not to). */
void pfs_h5_error(const char *func, unsigned line, hid_t minor, const char *fmt,
                  ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    H5Epush2(H5E_DEFAULT, __FILE__, func, line, H5E_ERR_CLS, H5E_VFL, minor,
             "pfs: %s", msg);
}

herr_t pfs_h5_pio_result(const char *func, unsigned line, hid_t minor,
                         pio_client_t *c, pfs_status_t st, const char *what)
{
    const char *why;

    if (st == PFS_OK) {
        return 0;
    }
    why = c != NULL ? pio_client_errmsg(c) : "";
    pfs_h5_error(func, line, minor, "%s: %s%s%s", what, pfs_status_string(st),
                 why[0] ? ": " : "", why);
    return -1;
}

/* ---- configuration ------------------------------------------------------- */

H5FD_PFS_EXPORT void H5FD_pfs_config_init(H5FD_pfs_config_t *config)
{
    memset(config, 0, sizeof(*config));
    config->version = H5FD_PFS_CONFIG_VERSION;
#ifdef H5_HAVE_PARALLEL
    config->comm = MPI_COMM_NULL;
#endif
}

static int parse_size(const char *s, uint64_t *v_p)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    switch (tolower((unsigned char)*end)) {
    case 'k':
        v <<= 10;
        end++;
        break;
    case 'm':
        v <<= 20;
        end++;
        break;
    case 'g':
        v <<= 30;
        end++;
        break;
    default: break;
    }
    if (*end != '\0') {
        return -1;
    }
    *v_p = v;
    return 0;
}

H5FD_PFS_EXPORT herr_t H5FD_pfs_config_parse(const char *str,
                                             H5FD_pfs_config_t *config)
{
    char buf[2 * H5FD_PFS_PATH_MAX + 256], *tok, *save = NULL;

    H5FD_pfs_config_init(config);
    if (str == NULL || str[0] == '\0') {
        return 0;
    }
    if (strlen(str) >= sizeof(buf)) {
        pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                     "configuration string too long");
        return -1;
    }
    strcpy(buf, str);
    for (tok = strtok_r(buf, ",; \t\n", &save); tok != NULL;
         tok = strtok_r(NULL, ",; \t\n", &save)) {
        char *eq = strchr(tok, '=');
        uint64_t v;

        if (eq == NULL) {
            goto bad;
        }
        *eq++ = '\0';
        if (strcmp(tok, "ensemble") == 0 &&
            strlen(eq) < sizeof(config->ensemble)) {
            strcpy(config->ensemble, eq);
        } else if (strcmp(tok, "dir") == 0 &&
                   strlen(eq) < sizeof(config->dir)) {
            strcpy(config->dir, eq);
        } else if (strcmp(tok, "stripe_size") == 0 && parse_size(eq, &v) == 0) {
            config->stripe_size = v;
        } else if (strcmp(tok, "stripe_count") == 0 &&
                   parse_size(eq, &v) == 0 && v <= UINT32_MAX) {
            config->stripe_count = (uint32_t)v;
        } else {
            eq[-1] = '=';
            goto bad;
        }
    }
    return 0;
bad:
    pfs_h5_error(
        __func__, __LINE__, H5E_BADVALUE,
        "bad configuration item '%s' (known: ensemble=PATH, dir=PFSDIR, "
        "stripe_size=N, stripe_count=N)",
        tok);
    return -1;
}

/* The configuration a fapl holds for this driver: its driver info, or
 * (1.14, driver chosen by name) its configuration string, or defaults. */
herr_t pfs_h5_config_of_fapl(hid_t fapl, H5FD_pfs_config_t *config)
{
    const H5FD_pfs_config_t *info = NULL;

    if (fapl != H5P_DEFAULT && fapl != H5I_INVALID_HID) {
        /* 1.14 fails (and would print) when the fapl has no info */
        H5E_BEGIN_TRY
        {
            info = H5Pget_driver_info(fapl);
        }
        H5E_END_TRY;
    }
    if (info != NULL) {
        if (info->version != H5FD_PFS_CONFIG_VERSION) {
            pfs_h5_error(__func__, __LINE__, H5E_BADVALUE,
                         "configuration version %d, this driver has %d",
                         info->version, H5FD_PFS_CONFIG_VERSION);
            return -1;
        }
        *config = *info;
        /* the caller's strings: never trust them to be terminated */
        config->ensemble[sizeof(config->ensemble) - 1] = '\0';
        config->dir[sizeof(config->dir) - 1] = '\0';
        return 0;
    }
#if PFS_H5_114
    if (fapl != H5P_DEFAULT && fapl != H5I_INVALID_HID) {
        char str[2 * H5FD_PFS_PATH_MAX + 256];
        ssize_t n = H5Pget_driver_config_str(fapl, str, sizeof(str));

        if (n > 0 && (size_t)n < sizeof(str)) {
            return H5FD_pfs_config_parse(str, config);
        }
    }
#endif
    H5FD_pfs_config_init(config);
    return 0;
}

/* The pfs path of an HDF5 file name. */
int pfs_h5_path_of(const H5FD_pfs_config_t *config, const char *name, char *out,
                   size_t size)
{
    const char *dir = config->dir[0] ? config->dir : "/";
    int n;

    if (strncmp(name, "pfs:", 4) == 0) {
        name += 4;
    }
    if (name[0] == '/') {
        n = snprintf(out, size, "%s", name);
    } else {
        if (strncmp(dir, "pfs:", 4) == 0) {
            dir += 4;
        }
        if (dir[0] == '\0') {
            dir = "/";
        }
        n = snprintf(out, size, "%s%s%s", dir,
                     dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    }
    return n > 0 && (size_t)n < size ? 0 : -1;
}
