/* connect_kill.c - LD_PRELOAD shim for ucx_connect_race.sh: makes a client
 * die at the one moment that aborted UCX 1.13 servers, every time.
 *
 * In a pfs-iosrv process (other processes are left alone), when the file
 * named by $PFS_TEST_CONNECT_KILL exists, the next TCP connect() the
 * server makes takes the pid written in that file, removes the file,
 * lets the connect go through, then kills that pid with SIGKILL and waits
 * until the process is gone before returning.  The server's connect has
 * then reached a client that no longer exists: with a blocking connect
 * the server's first send on it fails, exactly the window of
 * doc/transport.md ("Why non-blocking TCP connects").  Each kill appends
 * a line to $PFS_TEST_CONNECT_KILL.fired.
 *
 * Test-only; built by the test with cc -shared.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

/* 1 while pid exists and is not a zombie */
static int alive(pid_t pid)
{
    char path[64], buf[256];
    FILE *f;
    char *p;
    int live = 0;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    if (fgets(buf, sizeof(buf), f) != NULL) {
        p = strrchr(buf, ')');
        live = p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
    }
    fclose(f);
    return live;
}

static pid_t take_victim(const char *trigger)
{
    char buf[32];
    ssize_t n;
    int fd;

    fd = open(trigger, O_RDONLY);
    if (fd < 0) {
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0 || unlink(trigger) != 0) {
        return 0; /* another thread took it */
    }
    buf[n] = '\0';
    return (pid_t)atoi(buf);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    static connect_fn real;
    const char *trigger = getenv("PFS_TEST_CONNECT_KILL");
    int saved, ret, i, type = 0;
    socklen_t tl = sizeof(type);
    struct timespec nap = {0, 1000000};
    char fired[4096];
    pid_t victim = 0;
    FILE *f;

    if (real == NULL) {
        real = (connect_fn)dlsym(RTLD_NEXT, "connect");
    }
    if (trigger != NULL && addr != NULL &&
        (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
        type == SOCK_STREAM &&
        strcmp(program_invocation_short_name, "pfs-iosrv") == 0) {
        victim = take_victim(trigger);
    }
    ret = real(fd, addr, len);
    saved = errno;
    if (victim > 0) {
        kill(victim, SIGKILL);
        for (i = 0; i < 2000 && alive(victim); i++) {
            nanosleep(&nap, NULL);
        }
        nanosleep(&nap, NULL); /* the resets of its sockets */
        snprintf(fired, sizeof(fired), "%s.fired", trigger);
        f = fopen(fired, "a");
        if (f != NULL) {
            fprintf(f, "%d connect=%d errno=%d\n", (int)victim, ret,
                    ret == 0 ? 0 : saved);
            fclose(f);
        }
    }
    errno = saved;
    return ret;
}
