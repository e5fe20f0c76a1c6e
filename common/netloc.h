/* netloc.h - whether a peer's address belongs to this host, that is to
 * this network namespace.
 *
 * "This host" means what a socket sees: the addresses of the interfaces of
 * the caller's network namespace, plus loopback and the unspecified
 * address.  A process reached through one of them runs in this network
 * namespace; one reached through any other address runs elsewhere (another
 * machine, or another network namespace of this machine: a container).
 * UCX decides shared-memory reachability by boot id and IPC namespace
 * alone, which is not enough for its wake-ups (doc/multihost.md); the
 * transport asks this instead.
 */
#ifndef PFS_NETLOC_H
#define PFS_NETLOC_H

#include <sys/socket.h>

/* 1 if sa (AF_INET or AF_INET6; v4-mapped v6 counts as v4) is loopback,
 * unspecified, or an address of an interface of this network namespace;
 * 0 otherwise, also for other families and when the interfaces cannot be
 * listed (the answer that is safe: "another host" only costs shared
 * memory).  Thread-safe; lists the interfaces (getifaddrs) on each call. */
int pfs_sockaddr_is_local(const struct sockaddr *sa);

#endif
