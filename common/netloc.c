/* netloc.c - is a socket address one of this network namespace's? */
#include "config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "netloc.h"

/* The IPv4 address in sa, in host order, if it is one (plain or
 * v4-mapped); 0 if it is not. */
static int sockaddr_v4(const struct sockaddr *sa, uint32_t *a_p)
{
    if (sa->sa_family == AF_INET) {
        *a_p = ntohl(
            ((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
        return 1;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 =
            &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            uint32_t v;

            memcpy(&v, &a6->s6_addr[12], sizeof(v));
            *a_p = ntohl(v);
            return 1;
        }
    }
    return 0;
}

static int same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
    uint32_t va, vb;

    if (sockaddr_v4(a, &va)) {
        return sockaddr_v4(b, &vb) && va == vb;
    }
    if (a->sa_family == AF_INET6 && b->sa_family == AF_INET6) {
        return memcmp(
                   &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
                   &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
                   sizeof(struct in6_addr)) == 0;
    }
    return 0;
}

int pfs_sockaddr_is_local(const struct sockaddr *sa)
{
    struct ifaddrs *ifs, *i;
    uint32_t v4;
    int local = 0;

    if (sockaddr_v4(sa, &v4)) {
        if ((v4 >> 24) == 127 || v4 == INADDR_ANY) {
            return 1;
        }
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 =
            &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

        if (IN6_IS_ADDR_LOOPBACK(a6) || IN6_IS_ADDR_UNSPECIFIED(a6)) {
            return 1;
        }
    } else {
        return 0;
    }
    if (getifaddrs(&ifs) != 0) {
        return 0;
    }
    for (i = ifs; i != NULL && !local; i = i->ifa_next) {
        if (i->ifa_addr != NULL && same_addr(sa, i->ifa_addr)) {
            local = 1;
        }
    }
    freeifaddrs(ifs);
    return local;
}
