/* ucx_bw.c - the raw UCX rate between two hosts, measured the way pfs
 * moves data: UCP active messages whose payload the receiver takes with
 * ucp_am_recv_data_nbx into its own buffer (rendezvous for large ones),
 * endpoints from socket addresses in error mode PEER, and both sides
 * sleeping on the worker's event fd when idle (ucx_perftest polls, which
 * on a busy 2-core machine measures the scheduler rather than the link).
 *
 *   ucx_bw --server [--port P]
 *   ucx_bw --client HOST [--port P] [--size BYTES] [--count N] [--window W]
 *
 * The client sends N messages of SIZE bytes (default 64 x 4 MiB), W in
 * flight (default 4), after 8 unmeasured ones, and prints
 *   "ucx_bw: SIZE bytes x N: MiB_s"
 * timed from the first send to the completion of the last (a rendezvous
 * send completes once the receiver has the data).  The server serves one
 * client and exits.  Transports: whatever UCX_TLS says (the benchmark
 * script sets tcp).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ucp/api/ucp.h>

#define AM_DATA 7
#define AM_BYE 8
#define WARMUP 8

static ucp_worker_h worker;
static int efd;
static ucp_listener_h listener;
static ucp_conn_request_h pending_conn;
static ucp_ep_h ep;
static int bye, failed;
static size_t size = 4u << 20;
static char *rbuf;
static int receiving; /* rendezvous receives in progress (server) */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* progress until idle, then sleep on the event fd */
static void progress_or_sleep(void)
{
    struct pollfd p = {.fd = efd, .events = POLLIN};

    if (ucp_worker_progress(worker) != 0) {
        return;
    }
    if (ucp_worker_arm(worker) == UCS_OK) {
        (void)poll(&p, 1, 1000);
    }
}

static void err_cb(void *arg, ucp_ep_h e, ucs_status_t st)
{
    (void)arg;
    (void)e;
    if (st != UCS_ERR_CONNECTION_RESET && st != UCS_ERR_ENDPOINT_TIMEOUT) {
        fprintf(stderr, "ucx_bw: endpoint error: %s\n", ucs_status_string(st));
    }
    failed = bye == 0;
    bye = 1;
}

static void recv_done(void *req, ucs_status_t st, size_t len, void *user)
{
    (void)len;
    (void)user;
    receiving--;
    if (st != UCS_OK) {
        failed = 1;
    }
    ucp_request_free(req);
}

static ucs_status_t data_cb(void *arg, const void *hdr, size_t hlen, void *data,
                            size_t len, const ucp_am_recv_param_t *param)
{
    ucp_request_param_t rp;
    void *req;

    (void)arg;
    (void)hdr;
    (void)hlen;
    if (!(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
        memcpy(rbuf, data, len < size ? len : size); /* as a server would */
        return UCS_OK;
    }
    memset(&rp, 0, sizeof(rp));
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK;
    rp.cb.recv_am = recv_done;
    req =
        ucp_am_recv_data_nbx(worker, data, rbuf, len < size ? len : size, &rp);
    if (UCS_PTR_IS_ERR(req)) {
        failed = 1;
    } else if (req != NULL) {
        receiving++;
    }
    return UCS_OK;
}

static ucs_status_t bye_cb(void *arg, const void *hdr, size_t hlen, void *data,
                           size_t len, const ucp_am_recv_param_t *param)
{
    (void)arg;
    (void)hdr;
    (void)hlen;
    (void)data;
    (void)len;
    (void)param;
    bye = 1;
    return UCS_OK;
}

static void conn_cb(ucp_conn_request_h req, void *arg)
{
    (void)arg;
    if (pending_conn != NULL || ep != NULL) {
        ucp_listener_reject(listener, req);
    } else {
        pending_conn = req;
    }
}

static void set_handler(unsigned id, ucp_am_recv_callback_t cb)
{
    ucp_am_handler_param_t p;

    memset(&p, 0, sizeof(p));
    p.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID |
                   UCP_AM_HANDLER_PARAM_FIELD_CB |
                   UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
    p.id = id;
    p.cb = cb;
    p.flags = UCP_AM_FLAG_WHOLE_MSG;
    ucp_worker_set_am_recv_handler(worker, &p);
}

static int resolve(const char *host, int port, struct sockaddr_storage *sa,
                   socklen_t *len)
{
    struct addrinfo hints, *res;
    char service[16];

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = host == NULL ? AI_PASSIVE : 0;
    snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(host, service, &hints, &res) != 0) {
        return -1;
    }
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void ep_params_common(ucp_ep_params_t *p)
{
    p->field_mask |=
        UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE | UCP_EP_PARAM_FIELD_ERR_HANDLER;
    p->err_mode = UCP_ERR_HANDLING_MODE_PEER;
    p->err_handler.cb = err_cb;
}

static void wait_req(void *req)
{
    if (req == NULL || UCS_PTR_IS_ERR(req)) {
        return;
    }
    while (ucp_request_check_status(req) == UCS_INPROGRESS) {
        progress_or_sleep();
    }
    ucp_request_free(req);
}

static int serve(int port)
{
    ucp_listener_params_t lp;
    struct sockaddr_storage sa;
    socklen_t len;

    if (resolve(NULL, port, &sa, &len) != 0) {
        return 1;
    }
    memset(&lp, 0, sizeof(lp));
    lp.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR |
                    UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
    lp.sockaddr.addr = (struct sockaddr *)&sa;
    lp.sockaddr.addrlen = len;
    lp.conn_handler.cb = conn_cb;
    if (ucp_listener_create(worker, &lp, &listener) != UCS_OK) {
        fprintf(stderr, "ucx_bw: cannot listen on port %d\n", port);
        return 1;
    }
    while (!bye || receiving > 0) {
        if (pending_conn != NULL) {
            ucp_ep_params_t p;

            memset(&p, 0, sizeof(p));
            p.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST;
            p.conn_request = pending_conn;
            ep_params_common(&p);
            pending_conn = NULL;
            if (ucp_ep_create(worker, &p, &ep) != UCS_OK) {
                return 1;
            }
        }
        progress_or_sleep();
    }
    ucp_listener_destroy(listener);
    return failed;
}

static void send_done(void *req, ucs_status_t st, void *user)
{
    int *inflight = user;

    (*inflight)--;
    if (st != UCS_OK) {
        failed = 1;
    }
    ucp_request_free(req);
}

static int run_client(const char *host, int port, long count, int window)
{
    ucp_ep_params_t p;
    ucp_request_param_t rp;
    struct sockaddr_storage sa;
    socklen_t len;
    char *sbuf = malloc(size);
    long posted = 0, total = count + WARMUP;
    int inflight = 0;
    double t0 = 0, t;

    if (sbuf == NULL || resolve(host, port, &sa, &len) != 0) {
        fprintf(stderr, "ucx_bw: cannot resolve %s\n", host);
        return 1;
    }
    memset(sbuf, 0x5a, size);
    memset(&p, 0, sizeof(p));
    p.field_mask = UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR;
    p.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
    p.sockaddr.addr = (struct sockaddr *)&sa;
    p.sockaddr.addrlen = len;
    ep_params_common(&p);
    if (ucp_ep_create(worker, &p, &ep) != UCS_OK) {
        return 1;
    }
    memset(&rp, 0, sizeof(rp));
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
    rp.cb.send = send_done;
    rp.user_data = &inflight;
    while ((posted < total || inflight > 0) && !failed) {
        if (posted == WARMUP && inflight == 0 && t0 == 0) {
            t0 = now_s(); /* the warm-up is done */
        }
        if (posted < total && inflight < window &&
            (posted < WARMUP || t0 != 0)) {
            void *req = ucp_am_send_nbx(ep, AM_DATA, NULL, 0, sbuf, size, &rp);

            posted++;
            if (UCS_PTR_IS_ERR(req)) {
                failed = 1;
            } else if (req != NULL) {
                inflight++;
            }
            continue;
        }
        progress_or_sleep();
    }
    t = now_s() - t0;
    if (!failed) {
        printf("ucx_bw: %zu bytes x %ld: %.1f MiB/s\n", size, count,
               (double)size * count / t / 1048576.0);
    }
    memset(&rp, 0, sizeof(rp));
    wait_req(ucp_am_send_nbx(ep, AM_BYE, NULL, 0, NULL, 0, &rp));
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    rp.flags = UCP_EP_CLOSE_FLAG_FORCE;
    wait_req(ucp_ep_close_nbx(ep, &rp));
    free(sbuf);
    return failed;
}

int main(int argc, char **argv)
{
    const char *host = NULL;
    int server = 0, port = 13500, window = 4, a, rc;
    long count = 64;
    ucp_params_t cp;
    ucp_worker_params_t wp;
    ucp_context_h ctx;

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--server")) {
            server = 1;
        } else if (!strcmp(argv[a], "--client") && a + 1 < argc) {
            host = argv[++a];
        } else if (!strcmp(argv[a], "--port") && a + 1 < argc) {
            port = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--size") && a + 1 < argc) {
            size = strtoul(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "--count") && a + 1 < argc) {
            count = atol(argv[++a]);
        } else if (!strcmp(argv[a], "--window") && a + 1 < argc) {
            window = atoi(argv[++a]);
        } else {
            break;
        }
    }
    if (a < argc || server == (host != NULL) || size == 0 || count < 1 ||
        window < 1) {
        fprintf(stderr, "usage: ucx_bw --server [--port P] | --client HOST "
                        "[--port P] [--size BYTES] [--count N] [--window W]\n");
        return 2;
    }
    if (server) {
        setenv("UCX_TCP_CM_REUSEADDR", "y", 0); /* runs back to back */
    }
    rbuf = malloc(size);
    memset(&cp, 0, sizeof(cp));
    cp.field_mask = UCP_PARAM_FIELD_FEATURES;
    cp.features = UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
    memset(&wp, 0, sizeof(wp));
    wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
    wp.thread_mode = UCS_THREAD_MODE_SINGLE;
    if (rbuf == NULL || ucp_init(&cp, NULL, &ctx) != UCS_OK ||
        ucp_worker_create(ctx, &wp, &worker) != UCS_OK ||
        ucp_worker_get_efd(worker, &efd) != UCS_OK) {
        fprintf(stderr, "ucx_bw: cannot set up UCX\n");
        return 1;
    }
    set_handler(AM_DATA, data_cb);
    set_handler(AM_BYE, bye_cb);
    rc = server ? serve(port) : run_client(host, port, count, window);
    ucp_worker_destroy(worker);
    ucp_cleanup(ctx);
    free(rbuf);
    return rc;
}
