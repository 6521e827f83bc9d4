/*
 * Open-loop constant-rate HTTP/1.1 GET client for scripts/bench_health.py.
 *
 *   bench_health_client HOST PORT PATH RATE SECONDS CONNS [EXPECT_PREFIX]
 *
 * Request i is due at t0 + i / RATE (CLOCK_MONOTONIC). At its due time it
 * goes out on an idle keep-alive connection (one request in flight per
 * connection, no pipelining); when every connection is busy it waits in a
 * queue. Its latency runs from the due time to the last byte of the response,
 * so time spent queued behind a slow answer counts (no coordinated omission).
 * One thread, epoll, a timerfd for the schedule. Responses are framed by
 * Content-Length (or chunked transfer encoding). A body not starting with
 * EXPECT_PREFIX (when given) counts as unexpected.
 *
 * Prints one JSON object on stdout: counts, status codes, achieved rate,
 * latency percentiles in microseconds, how late the dispatcher ran, and the
 * client's own CPU seconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUF_CAP (1 << 20)
#define MAX_CODES 600

typedef struct {
    int fd;
    int busy;          /* a request is in flight */
    int connecting;    /* connect() not finished */
    double due;        /* due time of the request in flight */
    char *buf;
    size_t len;
    size_t sent;       /* bytes of the request written */
} conn_t;

static const char *g_host;
static int g_port;
static char g_req[4096];
static size_t g_req_len;
static const char *g_expect;
static int g_ep;
static struct sockaddr_in g_addr;

static double *g_lat;      /* seconds, by completion */
static size_t g_nlat;
static long g_codes[MAX_CODES];
static long g_errors, g_unexpected, g_reconnects;
static double g_last_done;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int open_conn(conn_t *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = connect(c->fd, (struct sockaddr *)&g_addr, sizeof g_addr);
    if (r < 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->connecting = r < 0;
    c->busy = 0;
    c->len = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

static void reset_conn(conn_t *c) {
    if (c->fd >= 0) {
        epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    if (c->busy) g_errors++;
    c->busy = 0;
    c->fd = -1;
    g_reconnects++;
    open_conn(c);
}

static void try_send(conn_t *c) {
    while (c->busy && !c->connecting && c->sent < g_req_len) {
        ssize_t n = write(c->fd, g_req + c->sent, g_req_len - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) return;
            reset_conn(c);
            return;
        }
        c->sent += (size_t)n;
    }
}

/* Length of a complete response at the start of buf, 0 if incomplete, -1 if malformed. */
static long response_length(const char *buf, size_t len, int *status, long *body_off) {
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - buf) + 4;
    if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0) return -1;
    *status = atoi(buf + 9);
    *body_off = (long)head;
    long clen = -1;
    int chunked = 0;
    const char *p = memchr(buf, '\n', head);
    while (p && p + 1 < buf + head) {
        p++;
        if (strncasecmp(p, "content-length:", 15) == 0) clen = atol(p + 15);
        else if (strncasecmp(p, "transfer-encoding:", 18) == 0) {
            const char *q = p + 18;
            while (*q == ' ') q++;
            chunked = strncasecmp(q, "chunked", 7) == 0;
        }
        p = memchr(p, '\n', (size_t)(buf + head - p));
    }
    if (*status == 204 || *status == 304) return (long)head;
    if (clen >= 0) return (size_t)(head + clen) <= len ? (long)(head + clen) : 0;
    if (!chunked) return -1; /* would need connection close framing */
    size_t pos = head;
    for (;;) {
        const char *nl = memmem(buf + pos, len - pos, "\r\n", 2);
        if (!nl) return 0;
        long size = strtol(buf + pos, NULL, 16);
        pos = (size_t)(nl - buf) + 2;
        if (size == 0) {
            const char *fin = memmem(buf + pos, len - pos, "\r\n", 2);
            if (!fin) return 0;
            return (long)((size_t)(fin - buf) + 2);
        }
        if (pos + (size_t)size + 2 > len) return 0;
        pos += (size_t)size + 2;
    }
}

static void on_readable(conn_t *c) {
    for (;;) {
        if (c->len == BUF_CAP) {
            reset_conn(c);
            return;
        }
        ssize_t n = read(c->fd, c->buf + c->len, BUF_CAP - c->len);
        if (n < 0) {
            if (errno == EAGAIN) break;
            reset_conn(c);
            return;
        }
        if (n == 0) {
            reset_conn(c);
            return;
        }
        c->len += (size_t)n;
    }
    if (!c->busy) return;
    int status = 0;
    long body_off = 0;
    long rlen = response_length(c->buf, c->len, &status, &body_off);
    if (rlen < 0) {
        reset_conn(c);
        return;
    }
    if (rlen == 0) return;
    double t = now_s();
    g_lat[g_nlat++] = t - c->due;
    g_last_done = t;
    if (status >= 0 && status < MAX_CODES) g_codes[status]++;
    if (g_expect && (status != 200 || strncmp(c->buf + body_off, g_expect, strlen(g_expect)) != 0)) g_unexpected++;
    memmove(c->buf, c->buf + rlen, c->len - (size_t)rlen);
    c->len -= (size_t)rlen;
    c->busy = 0;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s HOST PORT PATH RATE SECONDS CONNS [EXPECT_PREFIX]\n", argv[0]);
        return 2;
    }
    g_host = argv[1];
    g_port = atoi(argv[2]);
    const char *path = argv[3];
    double rate = atof(argv[4]);
    double seconds = atof(argv[5]);
    int nconn = atoi(argv[6]);
    g_expect = argc > 7 ? argv[7] : NULL;
    long total = (long)(rate * seconds);
    g_lat = calloc((size_t)total + 1, sizeof(double));
    double *queue = calloc((size_t)total + 1, sizeof(double));
    size_t qhead = 0, qtail = 0;

    g_req_len = (size_t)snprintf(g_req, sizeof g_req,
                                 "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: bench-health\r\nAccept: */*\r\n\r\n",
                                 path, g_host, g_port);
    memset(&g_addr, 0, sizeof g_addr);
    g_addr.sin_family = AF_INET;
    g_addr.sin_port = htons((uint16_t)g_port);
    inet_pton(AF_INET, g_host, &g_addr.sin_addr);

    g_ep = epoll_create1(0);
    conn_t *conns = calloc((size_t)nconn, sizeof(conn_t));
    for (int i = 0; i < nconn; i++) {
        conns[i].buf = malloc(BUF_CAP);
        conns[i].fd = -1;
        if (open_conn(&conns[i]) < 0) {
            fprintf(stderr, "connect failed\n");
            return 1;
        }
    }
    /* let the connections establish before the clock starts */
    double settle = now_s() + 0.2;
    struct epoll_event evs[256];
    while (now_s() < settle) {
        int n = epoll_wait(g_ep, evs, 256, 20);
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c->connecting && (evs[i].events & EPOLLOUT)) c->connecting = 0;
        }
    }
    g_reconnects = 0;

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(g_ep, EPOLL_CTL_ADD, tfd, &tev);

    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    double period = 1.0 / rate;
    double t0 = now_s() + 0.01;
    long next = 0;          /* next request index to schedule */
    double max_late = 0;    /* how late a due request was handed to a connection (idle one available) */
    long queued_max = 0;
    double deadline = t0 + seconds + 5.0;

    for (;;) {
        double t = now_s();
        while (next < total && t0 + next * period <= t) queue[qtail++] = t0 + (next++) * period;
        if ((long)(qtail - qhead) > queued_max) queued_max = (long)(qtail - qhead);
        for (int i = 0; i < nconn && qhead < qtail; i++) {
            conn_t *c = &conns[i];
            if (c->busy || c->fd < 0) continue;
            c->busy = 1;
            c->due = queue[qhead++];
            c->sent = 0;
            if (t - c->due > max_late) max_late = t - c->due;
            try_send(c);
        }
        int inflight = 0;
        for (int i = 0; i < nconn; i++) inflight += conns[i].busy;
        if (next >= total && qhead == qtail && inflight == 0) break;
        if (t > deadline) break;
        if (next < total) {
            double due = t0 + next * period;
            struct itimerspec its = {0};
            its.it_value.tv_sec = (time_t)due;
            its.it_value.tv_nsec = (long)((due - (double)(time_t)due) * 1e9);
            if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        int n = epoll_wait(g_ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c == NULL) {
                uint64_t x;
                while (read(tfd, &x, sizeof x) > 0) {}
                continue;
            }
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                reset_conn(c);
                continue;
            }
            if (c->connecting && (evs[i].events & EPOLLOUT)) c->connecting = 0;
            if (evs[i].events & EPOLLOUT) try_send(c);
            if (evs[i].events & EPOLLIN) on_readable(c);
        }
    }
    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                 (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    long incomplete = total - (long)g_nlat - g_errors;
    qsort(g_lat, g_nlat, sizeof(double), cmp_d);
#define PCT(p) (g_nlat ? g_lat[(size_t)((p) / 100.0 * g_nlat + 0.999999) > 0 ? (size_t)((p) / 100.0 * g_nlat + 0.999999) - 1 : 0] * 1e6 : -1)
    double span = g_last_done - t0;
    printf("{\"scheduled\":%ld,\"completed\":%zu,\"errors\":%ld,\"incomplete\":%ld,\"unexpected\":%ld,"
           "\"reconnects\":%ld,\"rate\":%.1f,\"seconds\":%.3f,\"conns\":%d,\"achieved_rate\":%.1f,"
           "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"min_us\":%.1f,"
           "\"mean_us\":%.1f,\"dispatch_max_late_us\":%.1f,\"queued_max\":%ld,\"client_cpu_s\":%.3f,\"codes\":{",
           total, g_nlat, g_errors, incomplete < 0 ? 0 : incomplete, g_unexpected, g_reconnects, rate, seconds, nconn,
           span > 0 ? g_nlat / span : 0, PCT(50), PCT(90), PCT(99), PCT(99.9), g_nlat ? g_lat[g_nlat - 1] * 1e6 : -1,
           g_nlat ? g_lat[0] * 1e6 : -1,
           ({
               double s = 0;
               for (size_t i = 0; i < g_nlat; i++) s += g_lat[i];
               g_nlat ? s / g_nlat * 1e6 : -1;
           }),
           max_late * 1e6, queued_max, cpu);
    int first = 1;
    for (int i = 0; i < MAX_CODES; i++)
        if (g_codes[i]) {
            printf("%s\"%d\":%ld", first ? "" : ",", i, g_codes[i]);
            first = 0;
        }
    printf("}}\n");
    return 0;
}
