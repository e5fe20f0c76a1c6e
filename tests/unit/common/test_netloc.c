/* test_netloc.c - which addresses count as this host (network namespace). */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "netloc.h"
#include "../unit.h"

static struct sockaddr_in v4(const char *text)
{
    struct sockaddr_in sa;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    CU_ASSERT_FATAL(inet_pton(AF_INET, text, &sa.sin_addr) == 1);
    return sa;
}

static struct sockaddr_in6 v6(const char *text)
{
    struct sockaddr_in6 sa;

    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    CU_ASSERT_FATAL(inet_pton(AF_INET6, text, &sa.sin6_addr) == 1);
    return sa;
}

static int local_v4(const char *text)
{
    struct sockaddr_in sa = v4(text);

    return pfs_sockaddr_is_local((struct sockaddr *)&sa);
}

static int local_v6(const char *text)
{
    struct sockaddr_in6 sa = v6(text);

    return pfs_sockaddr_is_local((struct sockaddr *)&sa);
}

static void test_loopback_and_any(void)
{
    CU_ASSERT(local_v4("127.0.0.1"));
    CU_ASSERT(local_v4("127.1.2.3"));
    CU_ASSERT(local_v4("0.0.0.0"));
    CU_ASSERT(local_v6("::1"));
    CU_ASSERT(local_v6("::"));
    CU_ASSERT(local_v6("::ffff:127.0.0.1"));
}

/* Every IPv4 address of an interface here is local, also v4-mapped. */
static void test_interface_addresses(void)
{
    struct ifaddrs *ifs, *i;
    char text[INET6_ADDRSTRLEN + 8];
    int seen = 0;

    CU_ASSERT_FATAL(getifaddrs(&ifs) == 0);
    for (i = ifs; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET) {
            continue;
        }
        CU_ASSERT(pfs_sockaddr_is_local(i->ifa_addr));
        inet_ntop(AF_INET,
                  &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
                  text + 7, INET6_ADDRSTRLEN);
        memcpy(text, "::ffff:", 7);
        CU_ASSERT(local_v6(text));
        seen++;
    }
    freeifaddrs(ifs);
    CU_ASSERT(seen > 0); /* at least lo */
}

/* Addresses no interface here has: TEST-NET ranges (RFC 5737, 3849),
 * checked against the interfaces first so that a machine that does use
 * one of them does not fail the test. */
static void test_other_hosts(void)
{
    static const char *const cand[] = {"198.51.100.7", "203.0.113.9",
                                       "192.0.2.213"};
    struct ifaddrs *ifs, *i;
    unsigned k, checked = 0;

    CU_ASSERT_FATAL(getifaddrs(&ifs) == 0);
    for (k = 0; k < sizeof(cand) / sizeof(cand[0]); k++) {
        struct sockaddr_in sa = v4(cand[k]);
        int ours = 0;

        for (i = ifs; i != NULL; i = i->ifa_next) {
            if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
                ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr ==
                    sa.sin_addr.s_addr) {
                ours = 1;
            }
        }
        if (!ours) {
            CU_ASSERT(!pfs_sockaddr_is_local((struct sockaddr *)&sa));
            checked++;
        }
    }
    freeifaddrs(ifs);
    CU_ASSERT(checked > 0);
    CU_ASSERT(!local_v6("2001:db8::1"));
}

static void test_other_families(void)
{
    struct sockaddr sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNIX;
    CU_ASSERT(!pfs_sockaddr_is_local(&sa));
}

static CU_TestInfo netloc_tests[] = {
    {"loopback and unspecified are local", test_loopback_and_any},
    {"interface addresses are local", test_interface_addresses},
    {"other addresses are other hosts", test_other_hosts},
    {"other families are not local", test_other_families},
    CU_TEST_INFO_NULL,
};

const unit_suite_t unit_suite_netloc = {"netloc", NULL, NULL, netloc_tests};
