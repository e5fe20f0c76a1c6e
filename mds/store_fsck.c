/* store_fsck.c - the metadata store's offline consistency check
 * (store_int.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* ---- consistency check ------------------------------------------------- */

/* Every inode, in an open-addressing table by fid. */
typedef struct {
    pfs_fid_t fid;
    uint32_t type; /* PFS_FILE_TYPE_*, 0 if the record is unreadable */
    uint32_t refs; /* entries naming it */
    uint8_t used;
    uint8_t reached; /* from the root */
} fsck_node_t;

/* One directory entry, in key order: sorted by parent. */
typedef struct {
    pfs_fid_t parent;
    size_t child; /* node index */
} fsck_edge_t;

typedef struct {
    mds_store_t *s;
    fsck_node_t *nodes;
    size_t mask;
    fsck_edge_t *edges;
    size_t nedges, edges_cap;
    mds_fsck_report_fn report;
    void *arg;
    mds_fsck_stats_t stats;
} fsck_t;

static void fsck_problem(fsck_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fsck_problem(fsck_t *c, const char *fmt, ...)
{
    char msg[PFS_NAME_MAX + 512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->stats.problems++;
    if (c->report != NULL) {
        c->report(c->arg, msg);
    }
}

/* The node of fid, or the free slot where it would go. */
static size_t fsck_slot(const fsck_t *c, pfs_fid_t fid)
{
    size_t i = (size_t)pfs_fid_hash(fid) & c->mask;

    while (c->nodes[i].used && !pfs_fid_equal(c->nodes[i].fid, fid)) {
        i = (i + 1) & c->mask;
    }
    return i;
}

static const char *type_name(uint32_t type)
{
    return type == PFS_FILE_TYPE_DIR   ? "directory"
           : type == PFS_FILE_TYPE_REG ? "file"
                                       : "unreadable inode";
}

/* Pass 1: every inode record reads back and makes sense on its own. */
static void fsck_inode(fsck_t *c, const char *k, size_t klen, const char *v,
                       size_t vlen)
{
    char hex[PFS_FID_HEX_LEN + 1], why[256];
    pfs_fid_t fid;
    fsck_node_t *n;
    mds_inode_t ino;

    if (klen != INODE_KEY_LEN) {
        fsck_problem(c, "inode key of %zu bytes (want %u)", klen,
                     INODE_KEY_LEN);
        return;
    }
    fid = fid_from_key(k + 1);
    pfs_fid_format(fid, hex);
    n = &c->nodes[fsck_slot(c, fid)];
    n->used = 1;
    n->fid = fid;
    c->stats.inodes++;
    if (mds_rec_inode_decode(v, vlen, &ino) != PFS_OK) {
        fsck_problem(c, "inode %s: unreadable record (version %u, %zu bytes)",
                     hex, vlen > 0 ? (uint8_t)v[0] : 0u, vlen);
        return;
    }
    n->type = ino.attr.type;
    if (!pfs_fid_equal(ino.attr.fid, fid)) {
        fsck_problem(c, "inode %s: its record names another id", hex);
    }
    if (ino.attr.type == PFS_FILE_TYPE_DIR) {
        c->stats.directories++;
        if (pfs_layout_spec_check(&ino.dir_default, c->s->niosrv, why,
                                  sizeof(why)) != PFS_OK) {
            fsck_problem(c, "directory %s: default layout: %s", hex, why);
        }
    } else {
        c->stats.files++;
        if (c->s->niosrv != 0 &&
            pfs_layout_validate(&ino.attr.layout, c->s->niosrv) != PFS_OK) {
            fsck_problem(c, "file %s: layout invalid for %u I/O servers", hex,
                         c->s->niosrv);
        }
        if (ino.shared_fp > PFS_MAX_FILE_SIZE) {
            fsck_problem(c, "file %s: shared file pointer above 2^63 - 1", hex);
        }
    }
}

/* Pass 2: every entry names a live child of its type, in a directory. */
static pfs_status_t fsck_dentry(fsck_t *c, const char *k, size_t klen,
                                const char *v, size_t vlen)
{
    char phex[PFS_FID_HEX_LEN + 1], chex[PFS_FID_HEX_LEN + 1];
    char name[PFS_NAME_MAX + 1];
    pfs_fid_t parent, child;
    fsck_node_t *pn, *cn;
    uint32_t type;
    size_t nlen, ci;

    if (klen < 18 || klen > DENTRY_KEY_MAX) {
        fsck_problem(c, "entry key of %zu bytes", klen);
        return PFS_OK;
    }
    c->stats.entries++;
    parent = fid_from_key(k + 1);
    pfs_fid_format(parent, phex);
    nlen = klen - 17;
    snprintf(name, sizeof(name), "%.*s", (int)nlen, k + 17);
    if (strlen(name) != nlen || strchr(name, '/') != NULL ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        fsck_problem(c, "entry in directory %s: invalid name '%s'", phex, name);
    }
    if (mds_rec_dentry_decode(v, vlen, &child, &type) != PFS_OK) {
        fsck_problem(c, "entry '%s' in directory %s: unreadable value", name,
                     phex);
        return PFS_OK;
    }
    pfs_fid_format(child, chex);
    pn = &c->nodes[fsck_slot(c, parent)];
    if (!pn->used) {
        fsck_problem(c, "entry '%s' is in directory %s, which has no inode",
                     name, phex);
    } else if (pn->type == PFS_FILE_TYPE_REG) {
        fsck_problem(c, "entry '%s' is in %s, which is a file", name, phex);
    }
    if (pfs_fid_equal(child, MDS_ROOT_FID)) {
        fsck_problem(c, "entry '%s' in directory %s names the root", name,
                     phex);
        return PFS_OK;
    }
    ci = fsck_slot(c, child);
    cn = &c->nodes[ci];
    if (!cn->used) {
        fsck_problem(c,
                     "entry '%s' in directory %s names %s %s, which has no "
                     "inode",
                     name, phex, type_name(type), chex);
        return PFS_OK;
    }
    cn->refs++;
    if (cn->type != 0 && cn->type != type) {
        fsck_problem(c,
                     "entry '%s' in directory %s says %s, but inode %s is a "
                     "%s",
                     name, phex, type_name(type), chex, type_name(cn->type));
    }
    if (c->nedges == c->edges_cap) {
        size_t cap = c->edges_cap ? 2 * c->edges_cap : 1024;
        fsck_edge_t *e = realloc(c->edges, cap * sizeof(*e));

        if (e == NULL) {
            return PFS_ERR_NOMEM;
        }
        c->edges = e;
        c->edges_cap = cap;
    }
    c->edges[c->nedges].parent = parent;
    c->edges[c->nedges].child = ci;
    c->nedges++;
    return PFS_OK;
}

/* A pending removal: readable, servers of this ensemble, and no longer
 * a file (its inode went in the same batch). */
static void fsck_removal(fsck_t *c, const char *k, size_t klen, const char *v,
                         size_t vlen)
{
    char hex[PFS_FID_HEX_LEN + 1];
    mds_removal_t rm;
    size_t slot;
    uint32_t i;

    if (klen != INODE_KEY_LEN) {
        fsck_problem(c, "removal key of %zu bytes", klen);
        return;
    }
    c->stats.removals++;
    rm.fid = fid_from_key(k + 1);
    pfs_fid_format(rm.fid, hex);
    if (mds_rec_removal_decode(v, vlen, &rm) != PFS_OK) {
        fsck_problem(c, "pending removal of %s: record does not decode", hex);
        return;
    }
    for (i = 0; i < rm.nservers; i++) {
        if (rm.servers[i] >= c->s->niosrv) {
            fsck_problem(c, "pending removal of %s names I/O server %u of %u",
                         hex, rm.servers[i], c->s->niosrv);
            return;
        }
    }
    slot = fsck_slot(c, rm.fid);
    if (c->nodes[slot].used) {
        fsck_problem(c, "pending removal of %s, which is a live %s", hex,
                     type_name(c->nodes[slot].type));
    }
}

static int fid_less(pfs_fid_t a, pfs_fid_t b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* Pass 3: from the root over the entries; every inode but the root must
 * be named exactly once and be reached. */
static pfs_status_t fsck_reach(fsck_t *c)
{
    size_t *queue, head = 0, tail = 0, i, root = fsck_slot(c, MDS_ROOT_FID);
    char hex[PFS_FID_HEX_LEN + 1];

    if (!c->nodes[root].used || c->nodes[root].type != PFS_FILE_TYPE_DIR) {
        fsck_problem(c, "no root directory (inode %s)",
                     c->nodes[root].used ? "is not a directory" : "missing");
        return PFS_OK;
    }
    queue = malloc((c->stats.inodes + 1) * sizeof(*queue));
    if (queue == NULL) {
        return PFS_ERR_NOMEM;
    }
    c->nodes[root].reached = 1;
    queue[tail++] = root;
    while (head < tail) {
        fsck_node_t *d = &c->nodes[queue[head++]];
        size_t lo = 0, hi = c->nedges;

        /* the edges are sorted by parent: find this directory's run */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (fid_less(c->edges[mid].parent, d->fid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (i = lo; i < c->nedges && pfs_fid_equal(c->edges[i].parent, d->fid);
             i++) {
            fsck_node_t *n = &c->nodes[c->edges[i].child];

            if (!n->reached) {
                n->reached = 1;
                if (n->type == PFS_FILE_TYPE_DIR && tail < c->stats.inodes) {
                    queue[tail++] = c->edges[i].child;
                }
            }
        }
    }
    free(queue);
    for (i = 0; i <= c->mask; i++) {
        fsck_node_t *n = &c->nodes[i];

        if (!n->used || i == root) {
            continue;
        }
        pfs_fid_format(n->fid, hex);
        if (n->refs == 0) {
            fsck_problem(c, "orphan %s %s: no entry names it",
                         type_name(n->type), hex);
        } else if (n->refs > 1) {
            fsck_problem(c, "%s %s is named by %u entries", type_name(n->type),
                         hex, n->refs);
        } else if (!n->reached) {
            fsck_problem(c,
                         "%s %s is not reachable from the root (in a "
                         "detached directory or a cycle)",
                         type_name(n->type), hex);
        }
    }
    return PFS_OK;
}

pfs_status_t mds_store_fsck(mds_store_t *s, mds_fsck_report_fn report,
                            void *arg, mds_fsck_stats_t *stats_p)
{
    leveldb_iterator_t *it;
    fsck_t c;
    uint64_t n = 0;
    size_t cap = 16;
    char *err = NULL;
    char prefix = KEY_INODE;
    pfs_status_t st = PFS_OK;

    memset(&c, 0, sizeof(c));
    c.s = s;
    c.report = report;
    c.arg = arg;
    st = mds_store_count_inodes(s, &n);
    if (st != PFS_OK) {
        return st;
    }
    while (cap < 2 * n + 2) {
        cap *= 2;
    }
    c.nodes = calloc(cap, sizeof(*c.nodes));
    if (c.nodes == NULL) {
        return PFS_ERR_NOMEM;
    }
    c.mask = cap - 1;

    it = leveldb_create_iterator(s->db, s->ropts);
    for (leveldb_iter_seek(it, &prefix, 1); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);

        if (k[0] != KEY_INODE) {
            break;
        }
        if (c.stats.inodes >= n) {
            fsck_problem(&c, "inodes appeared during the check: is pfs-mds "
                             "running?");
            break;
        }
        fsck_inode(&c, k, klen, v, vlen);
    }
    /* all keys in order: entries ('D'), inodes again ('I', done), pending
     * removals ('R'), the superblock ('S'); anything else is not ours */
    for (leveldb_iter_seek_to_first(it); st == PFS_OK && leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);

        if (klen > 0 && k[0] == KEY_DENTRY) {
            st = fsck_dentry(&c, k, klen, v, vlen);
        } else if (klen > 0 && k[0] == KEY_REMOVAL) {
            fsck_removal(&c, k, klen, v, vlen);
        } else if (klen == 0 ||
                   (k[0] != KEY_INODE && !(k[0] == KEY_SUPER && klen == 1))) {
            fsck_problem(&c, "unknown key of %zu bytes (first byte 0x%02x)",
                         klen, klen > 0 ? (uint8_t)k[0] : 0u);
        }
    }
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    if (st == PFS_OK) {
        st = take_error(err, NULL, 0);
    } else if (err != NULL) {
        leveldb_free(err);
    }
    if (st == PFS_OK) {
        st = fsck_reach(&c);
    }
    if (st == PFS_OK) {
        *stats_p = c.stats;
    }
    free(c.edges);
    free(c.nodes);
    return st;
}
