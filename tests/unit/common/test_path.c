/* test_path.c - the path suite: pfs_path_normalize, hostile inputs
 * included; pfs_write_file_atomic. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "pfs_common.h"
#include "proto.h"
#include "wire.h"
#include "../unit.h"

/* ---- pfs_path_normalize ------------------------------------------------ */

/* The output buffer with a guard after it, to see writes past the
 * documented PFS_PATH_MAX + 1 bytes. */
typedef struct {
    char out[PFS_PATH_MAX + 1];
    char guard[16];
} path_out_t;

static pfs_status_t normalize(const char *in, path_out_t *po)
{
    pfs_status_t st;
    unsigned i;

    memset(po, 0x7f, sizeof(*po));
    st = pfs_path_normalize(in, po->out);
    for (i = 0; i < sizeof(po->guard); i++) {
        CU_ASSERT_EQUAL(po->guard[i], 0x7f);
    }
    return st;
}

static void check_norm(const char *in, const char *want)
{
    static path_out_t po;

    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_STRING_EQUAL(po.out, want);
}

static void test_path_simple(void)
{
    check_norm("/a/b", "/a/b");
    check_norm("pfs:/a/b", "/a/b");
    check_norm("/", "/");
    check_norm("pfs:/", "/");
    check_norm("/a/b/", "/a/b");
    check_norm("/...", "/...");
    check_norm("/.hidden/x.", "/.hidden/x.");
}

static void test_path_slashes(void)
{
    check_norm("//a///b/", "/a/b");
    check_norm("////", "/");
    check_norm("pfs://a//", "/a");
}

static void test_path_dot(void)
{
    check_norm("/a/./b", "/a/b");
    check_norm("/./././", "/");
    check_norm("/a/.", "/a");
}

static void test_path_dotdot(void)
{
    check_norm("/a/b/../c", "/a/c");
    check_norm("/..", "/");
    check_norm("/../..", "/");
    check_norm("/a/../../b", "/b");
    check_norm("/a/b/..", "/a");
    check_norm("/abc/de/../../f", "/f");
}

static void test_path_relative(void)
{
    static path_out_t po;

    CU_ASSERT_EQUAL(normalize("a/b", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("pfs:", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("pfs:a", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(normalize("./a", &po), PFS_ERR_INVAL);
    CU_ASSERT_EQUAL(pfs_path_normalize(NULL, po.out), PFS_ERR_INVAL);
}

static void test_path_name_max(void)
{
    static path_out_t po;
    char in[PFS_NAME_MAX + 8];

    in[0] = '/';
    memset(in + 1, 'n', PFS_NAME_MAX);
    in[1 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_STRING_EQUAL(po.out, in);

    in[1 + PFS_NAME_MAX] = 'n';
    in[2 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);
    /* also when it is not the last component */
    in[2 + PFS_NAME_MAX] = '/';
    in[3 + PFS_NAME_MAX] = 'x';
    in[4 + PFS_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);
}

/* "/" + repeated "nnn.../" components up to exactly total bytes. */
static void make_long_path(char *buf, size_t total)
{
    size_t i;

    for (i = 0; i < total; i++) {
        buf[i] = (i % 101 == 0) ? '/' : 'n';
    }
    buf[total] = '\0';
    /* a trailing slash would be dropped and shorten the path */
    CU_ASSERT_NOT_EQUAL(buf[total - 1], '/');
}

static void test_path_total_max(void)
{
    static path_out_t po;
    static char in[3 * PFS_PATH_MAX];

    make_long_path(in, PFS_PATH_MAX);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
    CU_ASSERT_EQUAL(strlen(po.out), PFS_PATH_MAX);
    CU_ASSERT_STRING_EQUAL(po.out, in);

    make_long_path(in, PFS_PATH_MAX + 1);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);

    make_long_path(in, 2 * PFS_PATH_MAX);
    CU_ASSERT_EQUAL(normalize(in, &po), PFS_ERR_NAMETOOLONG);

    /* a long input that collapses to something short is fine */
    {
        size_t i;

        for (i = 0; i + 2 < sizeof(in); i += 2) {
            in[i] = '/';
            in[i + 1] = '.';
        }
        in[i] = '\0';
        CU_ASSERT_EQUAL(normalize(in, &po), PFS_OK);
        CU_ASSERT_STRING_EQUAL(po.out, "/");
    }
}

/* ---- pfs_write_file_atomic -------------------------------------------- */

static int fill_text(FILE *f, const void *arg)
{
    return fputs(arg, f) < 0 ? -1 : 0;
}

static int fill_fails(FILE *f, const void *arg)
{
    (void)arg;
    fputs("half", f);
    errno = ENOSPC;
    return -1;
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void test_write_file_atomic(void)
{
    char dir[] = "/tmp/pfs-unit-atomic.XXXXXX", path[64], msg[256],
         got[16] = "";
    struct stat sb;
    FILE *f;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/file", dir);
    CU_ASSERT_EQUAL(
        pfs_write_file_atomic(path, 0640, fill_text, "one", msg, sizeof(msg)),
        PFS_OK);
    CU_ASSERT(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
    /* a failed fill: the file as it was, no temporary file, why */
    CU_ASSERT_EQUAL(
        pfs_write_file_atomic(path, 0640, fill_fails, NULL, msg, sizeof(msg)),
        PFS_ERR_NOSPC);
    CU_ASSERT(strstr(msg, "cannot write") != NULL &&
              strstr(msg, strerror(ENOSPC)) != NULL);
    f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fgets(got, sizeof(got), f) != NULL);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(got, "one");
    CU_ASSERT_EQUAL(entries(dir), 1);
    /* a directory that is not there */
    snprintf(path, sizeof(path), "%s/none/file", dir);
    CU_ASSERT_EQUAL(
        pfs_write_file_atomic(path, 0600, fill_text, "x", msg, sizeof(msg)),
        PFS_ERR_NOENT);
    CU_ASSERT(strstr(msg, "cannot create") != NULL);
    snprintf(path, sizeof(path), "%s/file", dir);
    unlink(path);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static CU_TestInfo path_tests[] = {
    {"simple", test_path_simple},
    {"slashes", test_path_slashes},
    {"dot", test_path_dot},
    {"dotdot", test_path_dotdot},
    {"relative", test_path_relative},
    {"name_max", test_path_name_max},
    {"total_max", test_path_total_max},
    {"write_file_atomic", test_write_file_atomic},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_path = {"path", NULL, NULL, path_tests};
