/* pfs_ctl.c - pfs-ctl: wait for, inspect and stop a running ensemble. */
#include "config.h"

#include "tools.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ensemble.h"
#include "hello.h"
#include "transport.h"

#define CTL_RPC_TIMEOUT_MS 5000

typedef struct {
    pfs_tx_t *tx;
    pfs_ensemble_t ens;
    const char *path;
    int timeout_ms;
} ctl_t;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: pfs-ctl [-e DESCRIPTOR] [-t SECONDS] COMMAND\n"
            "\n"
            "commands:\n"
            "  wait     wait until the ensemble is up: the descriptor exists\n"
            "           and every server answers (exit 1 after -t seconds)\n"
            "  status   list the servers: role, index, address, pid, host,\n"
            "           uptime, requests served, bytes moved, and (MDS) the\n"
            "           files whose data objects are still to be removed\n"
            "  stop     stop the ensemble cleanly: I/O servers, then the MDS\n"
            "  info     show which UCX transports this host uses to reach\n"
            "           each server (shared memory vs. TCP)\n"
            "  ping     measure request round trips to each server\n"
            "           (-n COUNT, default 1000)\n"
            "\n"
            "options:\n"
            "  -e, --ensemble PATH  descriptor (default: $PFS_ENSEMBLE)\n"
            "  -n, --count N        round trips per server for 'ping'\n"
            "  -t, --timeout S      seconds for 'wait' (default 60) and for\n"
            "                       each request otherwise (default 5)\n"
            "  -h, --help           this text\n"
            "\n"
            "exit status: 0 success, 1 the ensemble is not (all) up or a\n"
            "request failed, 2 usage error.\n");
}

/* Connect and prove the key; *conn_p is set even on failure (to close). */
static pfs_status_t greet(ctl_t *ctl, const pfs_server_info_t *s,
                          pfs_tx_conn_t **conn_p, char *err, size_t n)
{
    pfs_status_t st;

    *conn_p = NULL;
    st = pfs_tx_connect(ctl->tx, s->addr, conn_p);
    if (st != PFS_OK) {
        snprintf(err, n, "bad address %s", s->addr);
        return st;
    }
    return pfs_hello_call(ctl->tx, *conn_p, ctl->ens.key, PFS_ROLE_ADMIN,
                          ctl->timeout_ms, ctl->ens.fsid, s->role, s->index,
                          err, n);
}

static pfs_status_t simple_call(ctl_t *ctl, pfs_tx_conn_t *conn,
                                uint16_t opcode, pfs_rpc_t *rpc)
{
    memset(rpc, 0, sizeof(*rpc));
    rpc->opcode = opcode;
    rpc->timeout_ms = ctl->timeout_ms;
    pfs_rpc_post(ctl->tx, conn, rpc);
    return pfs_rpc_wait_all(ctl->tx, &rpc, 1);
}

static const pfs_server_info_t *server_at(const ctl_t *ctl, uint32_t i)
{
    return i == 0 ? &ctl->ens.mds : &ctl->ens.iosrv[i - 1];
}

static int load(ctl_t *ctl, int quiet)
{
    char err[512];

    if (pfs_ensemble_read(ctl->path, &ctl->ens, err, sizeof(err)) != PFS_OK) {
        if (!quiet) {
            fprintf(stderr, "pfs-ctl: %s\n", err);
        }
        return -1;
    }
    return 0;
}

/* Query every server's status; print a table if out is not NULL.
 * Returns the number of servers that did not answer. */
static int status_all(ctl_t *ctl, FILE *out)
{
    uint32_t i, n = ctl->ens.niosrv + 1;
    int down = 0;
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));

    if (rpc == NULL) {
        return (int)n;
    }
    if (out != NULL) {
        fprintf(
            out, "%-6s %5s  %-22s %8s  %-16s %10s %10s %10s %12s %12s %9s\n",
            "role", "index", "address", "pid", "host", "uptime_s", "requests",
            "data_reqs", "bytes_read", "bytes_written", "removals");
    }
    for (i = 0; i < n; i++) {
        const pfs_server_info_t *s = server_at(ctl, i);
        pfs_tx_conn_t *conn;
        pfs_status_rep_t rep;
        char err[300] = "";

        rpc->errmsg[0] = '\0';
        if (greet(ctl, s, &conn, err, sizeof(err)) != PFS_OK ||
            simple_call(ctl, conn, PFS_OP_STATUS, rpc) != PFS_OK) {
            if (out != NULL) {
                fprintf(out, "%-6s %5u  %-22s %8u  %-16s  DOWN: %s\n",
                        i == 0 ? "mds" : "iosrv", s->index, s->addr, s->pid,
                        s->host, err[0] ? err : rpc->errmsg);
            }
            down++;
        } else {
            if (pfs_proto_status_rep_decode(rpc->reply, rpc->reply_len, &rep) !=
                PFS_OK) {
                if (out != NULL) {
                    fprintf(out,
                            "%-6s %5u  %-22s %8u  %-16s  DOWN: "
                            "malformed status reply\n",
                            i == 0 ? "mds" : "iosrv", s->index, s->addr, s->pid,
                            s->host);
                }
                down++;
            } else if (out != NULL) {
                char pending[24] = "-";

                if (i == 0) {
                    snprintf(pending, sizeof(pending), "%llu",
                             (unsigned long long)rep.pending_removals);
                }
                fprintf(out,
                        "%-6s %5u  %-22s %8u  %-16s %10.1f %10llu %10llu "
                        "%12llu %12llu %9s\n",
                        i == 0 ? "mds" : "iosrv", rep.index, s->addr, rep.pid,
                        rep.host, rep.uptime_ms / 1000.0,
                        (unsigned long long)rep.requests,
                        (unsigned long long)rep.data_requests,
                        (unsigned long long)rep.bytes_read,
                        (unsigned long long)rep.bytes_written, pending);
            }
        }
        if (conn != NULL) {
            pfs_tx_disconnect(ctl->tx, conn);
        }
    }
    free(rpc);
    return down;
}

static int cmd_wait(ctl_t *ctl, int seconds)
{
    time_t end = time(NULL) + seconds;

    for (;;) {
        if (load(ctl, 1) == 0) {
            int down = status_all(ctl, NULL);
            pfs_ensemble_free(&ctl->ens);
            if (down == 0) {
                printf("pfs-ctl: ensemble ready (%s)\n", ctl->path);
                return 0;
            }
        }
        if (time(NULL) >= end) {
            fprintf(stderr,
                    "pfs-ctl: ensemble not ready after %d s (descriptor %s)\n",
                    seconds, ctl->path);
            return 1;
        }
        usleep(200 * 1000);
    }
}

static int cmd_stop(ctl_t *ctl)
{
    uint32_t i, n = ctl->ens.niosrv + 1;
    int failed = 0;
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));

    if (rpc == NULL) {
        return 1;
    }
    /* I/O servers first: the MDS removes the descriptor when it goes, and
     * the descriptor is what a retry would need */
    for (i = 1; i <= n; i++) {
        uint32_t k = i % n;
        const pfs_server_info_t *s = server_at(ctl, k);
        pfs_tx_conn_t *conn;
        char err[300];

        if (greet(ctl, s, &conn, err, sizeof(err)) != PFS_OK ||
            simple_call(ctl, conn, PFS_OP_SHUTDOWN, rpc) != PFS_OK) {
            fprintf(stderr, "pfs-ctl: cannot stop %s %u at %s: %s\n",
                    k == 0 ? "mds" : "iosrv", s->index, s->addr,
                    rpc->errmsg[0] ? rpc->errmsg : err);
            failed++;
        }
        if (conn != NULL) {
            pfs_tx_disconnect(ctl->tx, conn);
        }
    }
    free(rpc);
    if (failed == 0) {
        printf("pfs-ctl: stop requested from %u servers\n", n);
    }
    return failed == 0 ? 0 : 1;
}

static int cmd_info(ctl_t *ctl)
{
    uint32_t i, n = ctl->ens.niosrv + 1;
    int failed = 0;

    for (i = 0; i < n; i++) {
        const pfs_server_info_t *s = server_at(ctl, i);
        pfs_tx_conn_t *conn;
        char err[300];

        printf("== %s %u at %s\n", i == 0 ? "mds" : "iosrv", s->index, s->addr);
        if (greet(ctl, s, &conn, err, sizeof(err)) != PFS_OK) {
            printf("   unreachable: %s\n", err);
            failed++;
        } else {
            fflush(stdout);
            pfs_tx_conn_print_info(conn, stdout);
        }
        if (conn != NULL) {
            pfs_tx_disconnect(ctl->tx, conn);
        }
    }
    return failed == 0 ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Round trips of STATUS requests: the cost of one small request/reply
 * through the whole stack (transport, server loop, codec). */
static int cmd_ping(ctl_t *ctl, int count)
{
    uint32_t i, n = ctl->ens.niosrv + 1;
    double *us = calloc((size_t)count, sizeof(*us));
    pfs_rpc_t *rpc = calloc(1, sizeof(*rpc));
    int failed = 0, k;

    if (us == NULL || rpc == NULL) {
        free(us);
        free(rpc);
        return 1;
    }
    printf("%-6s %5s  %-22s %8s %10s %10s %10s\n", "role", "index", "address",
           "count", "median_us", "p99_us", "min_us");
    for (i = 0; i < n; i++) {
        const pfs_server_info_t *s = server_at(ctl, i);
        pfs_tx_conn_t *conn;
        char err[300];

        if (greet(ctl, s, &conn, err, sizeof(err)) != PFS_OK) {
            printf("%-6s %5u  %-22s unreachable: %s\n",
                   i == 0 ? "mds" : "iosrv", s->index, s->addr, err);
            failed++;
        } else {
            for (k = 0; k < count; k++) {
                struct timespec t0, t1;

                clock_gettime(CLOCK_MONOTONIC, &t0);
                if (simple_call(ctl, conn, PFS_OP_STATUS, rpc) != PFS_OK) {
                    break;
                }
                clock_gettime(CLOCK_MONOTONIC, &t1);
                us[k] = (t1.tv_sec - t0.tv_sec) * 1e6 +
                        (t1.tv_nsec - t0.tv_nsec) / 1e3;
            }
            if (k < count) {
                printf("%-6s %5u  %-22s failed: %s\n", i == 0 ? "mds" : "iosrv",
                       s->index, s->addr, rpc->errmsg);
                failed++;
            } else {
                qsort(us, (size_t)count, sizeof(*us), cmp_double);
                printf("%-6s %5u  %-22s %8d %10.1f %10.1f %10.1f\n",
                       i == 0 ? "mds" : "iosrv", s->index, s->addr, count,
                       us[count / 2], us[count * 99 / 100], us[0]);
            }
        }
        if (conn != NULL) {
            pfs_tx_disconnect(ctl->tx, conn);
        }
    }
    free(us);
    free(rpc);
    return failed == 0 ? 0 : 1;
}

int pfs_ctl_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"ensemble", required_argument, NULL, 'e'},
        {"timeout", required_argument, NULL, 't'},
        {"count", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *explicit_path = NULL, *cmd;
    int seconds = -1, count = 1000, c, rc;
    char err[512];
    ctl_t ctl;

    while ((c = getopt_long(argc, argv, "e:t:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': explicit_path = optarg; break;
        case 't':
            seconds = atoi(optarg);
            if (seconds <= 0) {
                fprintf(stderr, "pfs-ctl: bad timeout '%s'\n", optarg);
                return 2;
            }
            break;
        case 'n':
            count = atoi(optarg);
            if (count <= 0 || count > 10000000) {
                fprintf(stderr, "pfs-ctl: bad count '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    cmd = argv[optind];
    if (strcmp(cmd, "wait") && strcmp(cmd, "status") && strcmp(cmd, "stop") &&
        strcmp(cmd, "info") && strcmp(cmd, "ping")) {
        fprintf(stderr, "pfs-ctl: unknown command '%s' (try --help)\n", cmd);
        return 2;
    }
    memset(&ctl, 0, sizeof(ctl));
    ctl.path = pfs_ensemble_path(explicit_path);
    if (ctl.path == NULL) {
        fprintf(stderr, "pfs-ctl: no descriptor: use -e PATH or set "
                        "PFS_ENSEMBLE\n");
        return 2;
    }
    ctl.timeout_ms = strcmp(cmd, "wait") != 0 && seconds > 0
                         ? seconds * 1000
                         : CTL_RPC_TIMEOUT_MS;
    if (pfs_tx_create(0, &ctl.tx, err, sizeof(err)) != PFS_OK) {
        fprintf(stderr, "pfs-ctl: %s\n", err);
        return 1;
    }
    if (strcmp(cmd, "wait") == 0) {
        rc = cmd_wait(&ctl, seconds > 0 ? seconds : 60);
    } else if (load(&ctl, 0) != 0) {
        rc = 1;
    } else {
        if (strcmp(cmd, "status") == 0) {
            rc = status_all(&ctl, stdout) == 0 ? 0 : 1;
        } else if (strcmp(cmd, "stop") == 0) {
            rc = cmd_stop(&ctl);
        } else if (strcmp(cmd, "ping") == 0) {
            rc = cmd_ping(&ctl, count);
        } else {
            rc = cmd_info(&ctl);
        }
        pfs_ensemble_free(&ctl.ens);
    }
    pfs_tx_destroy(ctl.tx);
    return rc;
}
