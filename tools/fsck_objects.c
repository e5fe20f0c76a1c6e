/* fsck_objects.c - pfs-fsck's check of data objects (fsck_objects.h). */
#include "config.h"

#include "fsck_objects.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the walk of one server's objects ---------------------------------- */

/* A 32-digit object name back to its file id; 0 if it is not one. */
static int parse_fid(const char *name, pfs_fid_t *fid)
{
    char half[17];
    char *end;
    size_t i;

    if (strlen(name) != PFS_FID_HEX_LEN) {
        return 0;
    }
    for (i = 0; i < PFS_FID_HEX_LEN; i++) {
        if (!((name[i] >= '0' && name[i] <= '9') ||
              (name[i] >= 'a' && name[i] <= 'f'))) {
            return 0;
        }
    }
    memcpy(half, name, 16);
    half[16] = '\0';
    fid->hi = strtoull(half, &end, 16);
    memcpy(half, name + 16, 16);
    fid->lo = strtoull(half, &end, 16);
    return 1;
}

pfs_status_t fsck_scan_server(const char *dir, uint32_t index,
                              fsck_owner_fn owner, void *arg, int remove,
                              fsck_objscan_t *sc)
{
    char sub[PATH_MAX], obj[PATH_MAX];
    DIR *top, *d;
    struct dirent *e, *f;
    pfs_status_t st = PFS_OK;

    snprintf(sub, sizeof(sub), "%s/objects", dir);
    top = opendir(sub);
    if (top == NULL) {
        return errno == ENOENT ? PFS_OK : PFS_ERR_IO;
    }
    while (st == PFS_OK && (e = readdir(top)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(sub, sizeof(sub), "%s/objects/%s", dir, e->d_name);
        d = opendir(sub);
        if (d == NULL) {
            continue;
        }
        while (st == PFS_OK && (f = readdir(d)) != NULL) {
            struct stat sb;
            pfs_fid_t fid;
            int owned = 0;

            if (f->d_name[0] == '.') {
                continue;
            }
            snprintf(obj, sizeof(obj), "%s/%s", sub, f->d_name);
            sc->objects++;
            if (parse_fid(f->d_name, &fid)) {
                st = owner(arg, fid, index, &owned);
            }
            if (st != PFS_OK || owned) {
                continue;
            }
            if (stat(obj, &sb) != 0) {
                sb.st_size = 0;
            }
            if (remove && unlink(obj) == 0) {
                printf("%s: removed orphan object %s (%lld bytes)\n", FSCK_NAME,
                       obj, (long long)sb.st_size);
                sc->removed++;
                continue;
            }
            printf("%s: orphan object %s (%lld bytes): no file or pending "
                   "removal owns it on I/O server %u\n",
                   FSCK_NAME, obj, (long long)sb.st_size, index);
            sc->orphans++;
            sc->orphan_bytes += (uint64_t)sb.st_size;
        }
        closedir(d);
    }
    closedir(top);
    sc->servers++;
    return st;
}

/* ---- the object list ---------------------------------------------------- */

enum { OBJ_FILE, OBJ_REMOVAL };

typedef struct {
    pfs_fid_t fid;
    uint32_t server;
    uint8_t kind;  /* OBJ_* */
    uint8_t found; /* by a walk */
} fsck_obj_t;

struct fsck_objlist {
    char fsid[2 * 16 + 1];
    uint32_t servers;
    uint64_t epoch;   /* of the store: newer file ids came after the list */
    uint64_t newer;   /* objects a walk found with such ids */
    fsck_obj_t *objs; /* sorted by server, then fid */
    size_t n, cap;
    pfs_fid_t *files; /* while made from a store */
    size_t nfiles, files_cap;
    pfs_status_t st;
};

static const char list_magic[] =
    "# pfs-fsck object list: the data objects each I/O server should hold";

static int obj_cmp(const void *a, const void *b)
{
    const fsck_obj_t *x = a, *y = b;

    if (x->server != y->server) {
        return x->server < y->server ? -1 : 1;
    }
    if (x->fid.hi != y->fid.hi) {
        return x->fid.hi < y->fid.hi ? -1 : 1;
    }
    if (x->fid.lo != y->fid.lo) {
        return x->fid.lo < y->fid.lo ? -1 : 1;
    }
    return 0;
}

static pfs_status_t list_add(fsck_objlist_t *l, pfs_fid_t fid, uint32_t server,
                             uint8_t kind)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        fsck_obj_t *o = realloc(l->objs, cap * sizeof(*o));

        if (o == NULL) {
            return PFS_ERR_NOMEM;
        }
        l->objs = o;
        l->cap = cap;
    }
    l->objs[l->n].fid = fid;
    l->objs[l->n].server = server;
    l->objs[l->n].kind = kind;
    l->objs[l->n].found = 0;
    l->n++;
    return PFS_OK;
}

static fsck_obj_t *list_find(const fsck_objlist_t *l, pfs_fid_t fid,
                             uint32_t server)
{
    fsck_obj_t key;

    key.fid = fid;
    key.server = server;
    return bsearch(&key, l->objs, l->n, sizeof(key), obj_cmp);
}

/* mds_store_walk_dentries: note the regular files. */
static void visit_entry(void *arg, pfs_fid_t parent, const char *name,
                        pfs_fid_t child, uint32_t type)
{
    fsck_objlist_t *l = arg;

    (void)parent;
    (void)name;
    if (type != PFS_FILE_TYPE_REG || l->st != PFS_OK) {
        return;
    }
    if (l->nfiles == l->files_cap) {
        size_t cap = l->files_cap ? 2 * l->files_cap : 1024;
        pfs_fid_t *f = realloc(l->files, cap * sizeof(*f));

        if (f == NULL) {
            l->st = PFS_ERR_NOMEM;
            return;
        }
        l->files = f;
        l->files_cap = cap;
    }
    l->files[l->nfiles++] = child;
}

static pfs_status_t list_removals(mds_store_t *store, fsck_objlist_t *l)
{
    mds_removal_t rm[16];
    pfs_fid_t after = {0, 0};
    size_t n, i;
    uint32_t k;
    int more = 1, first = 1;
    pfs_status_t st = PFS_OK;

    while (st == PFS_OK && more) {
        st = mds_store_removals(store, NULL, first ? NULL : &after, rm, 16, &n,
                                &more);
        for (i = 0; st == PFS_OK && i < n; i++) {
            for (k = 0; st == PFS_OK && k < rm[i].nservers; k++) {
                st = list_add(l, rm[i].fid, rm[i].servers[k], OBJ_REMOVAL);
            }
        }
        if (n == 0) {
            break;
        }
        after = rm[n - 1].fid;
        first = 0;
    }
    return st;
}

pfs_status_t fsck_objlist_from_store(mds_store_t *store,
                                     fsck_objlist_t **list_p)
{
    fsck_objlist_t *l = calloc(1, sizeof(*l));
    uint8_t fsid[16];
    size_t i;
    uint32_t k;
    pfs_status_t st;

    if (l == NULL) {
        return PFS_ERR_NOMEM;
    }
    mds_store_fsid(store, fsid);
    pfs_hex_encode(fsid, sizeof(fsid), l->fsid);
    l->servers = mds_store_niosrv(store);
    l->epoch = mds_store_epoch(store);
    st = mds_store_walk_dentries(store, visit_entry, l);
    if (st == PFS_OK) {
        st = l->st;
    }
    for (i = 0; st == PFS_OK && i < l->nfiles; i++) {
        pfs_attr_t attr;

        st = mds_store_stat(store, l->files[i], &attr);
        for (k = 0; st == PFS_OK && k < attr.layout.stripe_count; k++) {
            st = list_add(l, l->files[i], attr.layout.servers[k], OBJ_FILE);
        }
    }
    free(l->files);
    l->files = NULL;
    if (st == PFS_OK) {
        st = list_removals(store, l);
    }
    if (st != PFS_OK) {
        fsck_objlist_destroy(l);
        return st;
    }
    if (l->n > 0) { /* an empty store: objs is NULL, which qsort may not get */
        qsort(l->objs, l->n, sizeof(*l->objs), obj_cmp);
    }
    *list_p = l;
    return PFS_OK;
}

pfs_status_t fsck_objlist_write(const fsck_objlist_t *l, FILE *out)
{
    char hex[PFS_FID_HEX_LEN + 1];
    size_t i;

    fprintf(out, "%s\nfsid %s\nepoch %" PRIu64 "\nservers %u\n", list_magic,
            l->fsid, l->epoch, l->servers);
    for (i = 0; i < l->n; i++) {
        pfs_fid_format(l->objs[i].fid, hex);
        fprintf(out, "%u %s %s\n", l->objs[i].server, hex,
                l->objs[i].kind == OBJ_FILE ? "file" : "removal");
    }
    return fflush(out) == 0 && !ferror(out) ? PFS_OK : PFS_ERR_IO;
}

/* One object line: "INDEX FID file|removal". */
static pfs_status_t parse_obj(fsck_objlist_t *l, const char *line)
{
    char hex[PFS_FID_HEX_LEN + 2], kind[16];
    unsigned server;
    pfs_fid_t fid;
    int used = 0;

    if (sscanf(line, "%u %33s %15s%n", &server, hex, kind, &used) != 3 ||
        line[used] != '\0' || !parse_fid(hex, &fid) || server >= l->servers) {
        return PFS_ERR_INVAL;
    }
    if (strcmp(kind, "file") == 0) {
        return list_add(l, fid, server, OBJ_FILE);
    }
    if (strcmp(kind, "removal") == 0) {
        return list_add(l, fid, server, OBJ_REMOVAL);
    }
    return PFS_ERR_INVAL;
}

pfs_status_t fsck_objlist_read(const char *path, fsck_objlist_t **list_p,
                               char *errmsg, size_t errmsg_size)
{
    fsck_objlist_t *l;
    FILE *f = fopen(path, "r");
    char line[256];
    uint8_t fsid[16];
    unsigned lineno = 0;
    pfs_status_t st = PFS_OK;

    if (f == NULL) {
        snprintf(errmsg, errmsg_size, "cannot open %s: %s", path,
                 strerror(errno));
        return PFS_ERR_IO;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        fclose(f);
        return PFS_ERR_NOMEM;
    }
    while (st == PFS_OK && fgets(line, sizeof(line), f) != NULL) {
        size_t len = strlen(line);

        lineno++;
        if (len == 0 || line[len - 1] != '\n') {
            st = PFS_ERR_INVAL; /* too long, or cut short */
            break;
        }
        line[len - 1] = '\0';
        if (lineno == 1) {
            st = strcmp(line, list_magic) == 0 ? PFS_OK : PFS_ERR_INVAL;
        } else if (lineno == 2) {
            st = strncmp(line, "fsid ", 5) == 0 &&
                         pfs_hex_decode(line + 5, fsid, sizeof(fsid)) == PFS_OK
                     ? PFS_OK
                     : PFS_ERR_INVAL;
            snprintf(l->fsid, sizeof(l->fsid), "%s", line + 5);
        } else if (lineno == 3) {
            st = sscanf(line, "epoch %" SCNu64, &l->epoch) == 1 ? PFS_OK
                                                                : PFS_ERR_INVAL;
        } else if (lineno == 4) {
            st = sscanf(line, "servers %u", &l->servers) == 1 ? PFS_OK
                                                              : PFS_ERR_INVAL;
        } else {
            st = parse_obj(l, line);
        }
    }
    if (st == PFS_OK && ferror(f)) {
        snprintf(errmsg, errmsg_size, "cannot read %s: %s", path,
                 strerror(errno));
        st = PFS_ERR_IO;
    } else if (st == PFS_OK && lineno < 4) {
        st = PFS_ERR_INVAL;
    }
    if (st == PFS_ERR_INVAL) {
        snprintf(errmsg, errmsg_size,
                 "%s: not an object list of pfs-fsck --list-objects (line %u)",
                 path, lineno);
    } else if (st == PFS_ERR_NOMEM) {
        snprintf(errmsg, errmsg_size, "%s: out of memory", path);
    }
    fclose(f);
    if (st != PFS_OK) {
        fsck_objlist_destroy(l);
        return st;
    }
    if (l->n > 0) { /* an empty list: objs is NULL, which qsort may not get */
        qsort(l->objs, l->n, sizeof(*l->objs), obj_cmp);
    }
    *list_p = l;
    return PFS_OK;
}

void fsck_objlist_destroy(fsck_objlist_t *l)
{
    if (l != NULL) {
        free(l->files);
        free(l->objs);
        free(l);
    }
}

const char *fsck_objlist_fsid(const fsck_objlist_t *l)
{
    return l->fsid;
}

uint32_t fsck_objlist_servers(const fsck_objlist_t *l)
{
    return l->servers;
}

uint64_t fsck_objlist_newer(const fsck_objlist_t *l)
{
    return l->newer;
}

void fsck_objlist_count(const fsck_objlist_t *l, uint64_t *files_p,
                        uint64_t *removals_p)
{
    size_t i;

    *files_p = *removals_p = 0;
    for (i = 0; i < l->n; i++) {
        if (l->objs[i].kind == OBJ_FILE) {
            (*files_p)++;
        } else {
            (*removals_p)++;
        }
    }
}

pfs_status_t fsck_objlist_owned(void *arg, pfs_fid_t fid, uint32_t index,
                                int *owned_p)
{
    fsck_objlist_t *l = arg;
    fsck_obj_t *o;

    if (fid.hi > l->epoch) {
        l->newer++; /* the list cannot say: never call it an orphan */
        *owned_p = 1;
        return PFS_OK;
    }
    o = list_find(l, fid, index);
    *owned_p = o != NULL;
    if (o != NULL) {
        o->found = 1;
    }
    return PFS_OK;
}

void fsck_objlist_absent(const fsck_objlist_t *l, const char *dir,
                         uint32_t index, int report, fsck_objscan_t *sc)
{
    char hex[PFS_FID_HEX_LEN + 1];
    size_t i;

    for (i = 0; i < l->n; i++) {
        const fsck_obj_t *o = &l->objs[i];

        if (o->server != index || o->kind != OBJ_FILE) {
            continue;
        }
        sc->listed++;
        if (o->found) {
            continue;
        }
        sc->absent++;
        if (report) {
            pfs_fid_format(o->fid, hex);
            printf("%s: missing object %s/objects/%s/%s: the layout of file "
                   "%s names I/O server %u (data lost, unless nothing was "
                   "ever written to its stripes there)\n",
                   FSCK_NAME, dir, hex + 30, hex, hex, index);
        }
    }
}
