/* ensemble.c - read and write the ensemble descriptor file. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ensemble.h"

static void server_line(FILE *f, const char *kind, const pfs_server_info_t *s)
{
    fprintf(f, "%s %" PRIu32 " %s %" PRIu32 " %s\n", kind, s->index, s->addr,
            s->pid, s->host[0] != '\0' ? s->host : "-");
}

static int ensemble_fill(FILE *f, const void *arg)
{
    const pfs_ensemble_t *e = arg;
    char hex[2 * PFS_PROTO_KEY_SIZE + 1];
    uint32_t i;

    fprintf(f, "# pfs ensemble descriptor, written by pfs-mds when every "
               "server was ready.\n# It holds the cluster key: keep it "
               "private (mode 0600).\n");
    fprintf(f, "pfs-ensemble %d\n", PFS_ENSEMBLE_VERSION);
    pfs_hex_encode(e->fsid, sizeof(e->fsid), hex);
    fprintf(f, "fsid %s\n", hex);
    pfs_hex_encode(e->key, sizeof(e->key), hex);
    fprintf(f, "key %s\n", hex);
    fprintf(f, "iosrv-count %" PRIu32 "\n", e->niosrv);
    server_line(f, "mds", &e->mds);
    for (i = 0; i < e->niosrv; i++) {
        server_line(f, "iosrv", &e->iosrv[i]);
    }
    return 0; /* write errors: ferror, checked by the caller */
}

pfs_status_t pfs_ensemble_write(const char *path, const pfs_ensemble_t *e,
                                char *errmsg, size_t errmsg_size)
{
    return pfs_write_file_atomic(path, 0600, ensemble_fill, e, errmsg,
                                 errmsg_size);
}

static pfs_status_t parse_server(const char *rest, uint8_t role,
                                 pfs_server_info_t *s)
{
    char addr[PFS_ADDR_MAX], host[256];
    unsigned idx, pid;

    if (sscanf(rest, "%u %299s %u %255s", &idx, addr, &pid, host) != 4) {
        return PFS_ERR_CONFIG;
    }
    s->role = role;
    s->index = idx;
    s->pid = pid;
    snprintf(s->addr, sizeof(s->addr), "%s", addr);
    snprintf(s->host, sizeof(s->host), "%s", host);
    return PFS_OK;
}

pfs_status_t pfs_ensemble_read(const char *path, pfs_ensemble_t *e,
                               char *errmsg, size_t errmsg_size)
{
    char line[1024];
    int have_version = 0, have_fsid = 0, have_key = 0, have_mds = 0;
    uint32_t seen = 0, lineno = 0;
    FILE *f;

    memset(e, 0, sizeof(*e));
    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(errmsg, errmsg_size,
                 "cannot open ensemble descriptor %s: %s (is the ensemble "
                 "running? see 'pfs-ctl wait')",
                 path, strerror(errno));
        return errno == ENOENT ? PFS_ERR_NOENT : PFS_ERR_CONFIG;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char word[32], arg[200];
        const char *rest;
        int n = 0;

        lineno++;
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        if (sscanf(line, "%31s %n", word, &n) != 1) {
            goto bad;
        }
        rest = line + n;
        if (strcmp(word, "pfs-ensemble") == 0) {
            if (atoi(rest) != PFS_ENSEMBLE_VERSION) {
                snprintf(errmsg, errmsg_size,
                         "%s: descriptor version %d, this library reads %d",
                         path, atoi(rest), PFS_ENSEMBLE_VERSION);
                goto err;
            }
            have_version = 1;
        } else if (strcmp(word, "fsid") == 0) {
            if (sscanf(rest, "%199s", arg) != 1 ||
                pfs_hex_decode(arg, e->fsid, sizeof(e->fsid)) != PFS_OK) {
                goto bad;
            }
            have_fsid = 1;
        } else if (strcmp(word, "key") == 0) {
            if (sscanf(rest, "%199s", arg) != 1 ||
                pfs_hex_decode(arg, e->key, sizeof(e->key)) != PFS_OK) {
                goto bad;
            }
            have_key = 1;
        } else if (strcmp(word, "iosrv-count") == 0) {
            unsigned long count = strtoul(rest, NULL, 10);
            if (count == 0 || count > 65536 || e->iosrv != NULL) {
                goto bad;
            }
            e->iosrv = calloc(count, sizeof(*e->iosrv));
            if (e->iosrv == NULL) {
                snprintf(errmsg, errmsg_size, "out of memory");
                goto err;
            }
            e->niosrv = (uint32_t)count;
        } else if (strcmp(word, "mds") == 0) {
            if (parse_server(rest, PFS_ROLE_MDS, &e->mds) != PFS_OK) {
                goto bad;
            }
            have_mds = 1;
        } else if (strcmp(word, "iosrv") == 0) {
            pfs_server_info_t s;
            if (e->iosrv == NULL ||
                parse_server(rest, PFS_ROLE_IOSRV, &s) != PFS_OK ||
                s.index >= e->niosrv || e->iosrv[s.index].addr[0] != '\0') {
                goto bad;
            }
            e->iosrv[s.index] = s;
            seen++;
        } else {
            goto bad;
        }
    }
    fclose(f);
    if (!have_version || !have_fsid || !have_key || !have_mds ||
        e->niosrv == 0 || seen != e->niosrv) {
        snprintf(errmsg, errmsg_size,
                 "%s: incomplete ensemble descriptor (version, fsid, key, mds "
                 "and every iosrv are required)",
                 path);
        pfs_ensemble_free(e);
        return PFS_ERR_CONFIG;
    }
    return PFS_OK;

bad:
    snprintf(errmsg, errmsg_size, "%s:%u: malformed line", path, lineno);
err:
    fclose(f);
    pfs_ensemble_free(e);
    return PFS_ERR_CONFIG;
}

void pfs_ensemble_free(pfs_ensemble_t *e)
{
    free(e->iosrv);
    e->iosrv = NULL;
    e->niosrv = 0;
}

const char *pfs_ensemble_path(const char *explicit_path)
{
    const char *env;

    if (explicit_path != NULL && explicit_path[0] != '\0') {
        return explicit_path;
    }
    env = getenv("PFS_ENSEMBLE");
    return env != NULL && env[0] != '\0' ? env : NULL;
}
