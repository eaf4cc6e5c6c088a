/* tcpflow: a TCP server and two kinds of client, to checkpoint with data in flight both ways.
 *
 *   tcpflow serve ADDR PORT [MS]   listens on ADDR (IPv4 or IPv6) and serves each client in a
 *                                  child process of its own (fork per connection); a bulk
 *                                  reader naps MS ms (default 16) after each 64 KiB
 *   tcpflow echo ADDR PORT ROUNDS  sends numbered 4 KiB messages, 16 a round, one round ahead of
 *                                  the answers it checks, and prints "round N" per round answered
 *   tcpflow send ADDR PORT MIB     sends MIB MiB of a known pattern as fast as the server takes
 *                                  it (the server reads slowly, so megabytes wait in both kernels'
 *                                  buffers), prints "sent N" per MiB, then compares checksums
 *
 * Every byte is checked where it arrives: the server says "MISMATCH" and stops at the first
 * message or byte out of place; the echo client says "MISMATCH" for a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_PAYLOAD 4096
#define PER_ROUND 16
#define MIB (1u << 20)

static void die(const char *what)
{
    fprintf(stderr, "tcpflow: %s: %s\n", what, strerror(errno));
    exit(1);
}

static socklen_t address(const char *host, const char *port, struct sockaddr_storage *a)
{
    memset(a, 0, sizeof *a);
    struct sockaddr_in *v4 = (struct sockaddr_in *)a;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)a;
    int p = atoi(port);
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        return sizeof *v4;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        return sizeof *v6;
    }
    fprintf(stderr, "tcpflow: %s is not an IPv4 or IPv6 address\n", host);
    exit(2);
}

static void read_all(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) die("read");
        if (k == 0) {
            fprintf(stderr, "tcpflow: the peer closed the connection\n");
            exit(1);
        }
        got += (size_t)k;
    }
}

static void write_all(int fd, const void *buf, size_t n)
{
    for (size_t put = 0; put < n;) {
        ssize_t k = write(fd, (const char *)buf + put, n - put);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) die("write");
        put += (size_t)k;
    }
}

static void nap(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* The byte at offset o of a message or of the bulk stream. */
static uint8_t pattern(uint64_t seed, uint64_t o) { return (uint8_t)((seed * 31 + o * 2654435761u) >> 7); }

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

struct message {
    uint64_t number;
    uint8_t payload[MSG_PAYLOAD];
};

static void fill(struct message *m, uint64_t n)
{
    m->number = n;
    for (uint32_t i = 0; i < MSG_PAYLOAD; i++) m->payload[i] = pattern(n, i);
}

static int intact(const struct message *m, uint64_t n)
{
    if (m->number != n) return 0;
    for (uint32_t i = 0; i < MSG_PAYLOAD; i++)
        if (m->payload[i] != pattern(n, i)) return 0;
    return 1;
}

/* ---- server ---- */

static void serve_echo(int c)
{
    static struct message m;
    for (uint64_t want = 1;; want++) {
        read_all(c, &m, sizeof m);
        if (!intact(&m, want)) {
            printf("MISMATCH: message %llu arrived where %llu was due\n", (unsigned long long)m.number,
                   (unsigned long long)want);
            exit(1);
        }
        write_all(c, &m, sizeof m);
    }
}

static long bulk_nap_ms = 16;

static void serve_bulk(int c)
{
    uint64_t total;
    read_all(c, &total, sizeof total);
    static uint8_t buf[64 * 1024];
    uint64_t h = 1469598103934665603ull, got = 0;
    while (got < total) {
        size_t want = total - got < sizeof buf ? (size_t)(total - got) : sizeof buf;
        ssize_t k = read(c, buf, want);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) die("read");
        for (ssize_t i = 0; i < k; i++)
            if (buf[i] != pattern(0, got + (uint64_t)i)) {
                printf("MISMATCH: byte %llu of the stream is wrong\n", (unsigned long long)(got + (uint64_t)i));
                exit(1);
            }
        h = fnv(h, buf, (size_t)k);
        uint64_t before = got / MIB;
        got += (uint64_t)k;
        if (got / MIB != before) {
            printf("received %llu\n", (unsigned long long)(got / MIB));
            fflush(stdout);
        }
        if (bulk_nap_ms) nap(bulk_nap_ms); /* a slow reader (4 MB/s): the sender's data waits in the buffers */
    }
    printf("checksum %016llx of %llu bytes\n", (unsigned long long)h, (unsigned long long)got);
    fflush(stdout);
    write_all(c, &h, sizeof h);
}

static int serve(const char *host, const char *port)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    int l = socket(a.ss_family, SOCK_STREAM, 0);
    int one = 1;
    if (l < 0) die("socket");
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&a, al) < 0) die("bind");
    if (listen(l, 16) < 0) die("listen");
    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    printf("serving %s %s\n", host, port);
    fflush(stdout);
    for (;;) {
        int c = accept(l, 0, 0);
        if (c < 0 && errno == EINTR) continue;
        if (c < 0) die("accept");
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            close(l);
            char kind;
            read_all(c, &kind, 1);
            if (kind == 'E') serve_echo(c);
            else serve_bulk(c);
            _exit(0);
        }
        close(c);
    }
}

/* ---- clients ---- */

static int dial(const char *host, const char *port, char kind)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    int c = socket(a.ss_family, SOCK_STREAM, 0);
    if (c < 0) die("socket");
    if (connect(c, (struct sockaddr *)&a, al) < 0) die("connect");
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    write_all(c, &kind, 1);
    return c;
}

static void send_round(int c, uint64_t round)
{
    static struct message m[PER_ROUND];
    for (int i = 0; i < PER_ROUND; i++) fill(&m[i], (round - 1) * PER_ROUND + (uint64_t)i + 1);
    write_all(c, m, sizeof m);
}

static int echo(const char *host, const char *port, uint64_t rounds)
{
    int c = dial(host, port, 'E');
    static struct message m;
    send_round(c, 1);
    for (uint64_t r = 1; r <= rounds; r++) {
        if (r < rounds) send_round(c, r + 1); /* a round ahead: messages in flight both ways */
        for (int i = 0; i < PER_ROUND; i++) {
            uint64_t n = (r - 1) * PER_ROUND + (uint64_t)i + 1;
            read_all(c, &m, sizeof m);
            if (!intact(&m, n)) {
                printf("MISMATCH: answer %llu arrived where %llu was due\n", (unsigned long long)m.number,
                       (unsigned long long)n);
                return 1;
            }
        }
        printf("round %llu\n", (unsigned long long)r);
        fflush(stdout);
        nap(20);
    }
    printf("done\n");
    return 0;
}

static int send_bulk(const char *host, const char *port, uint64_t mib)
{
    int c = dial(host, port, 'B');
    uint64_t total = mib * MIB, h = 1469598103934665603ull;
    write_all(c, &total, sizeof total);
    static uint8_t buf[MIB];
    for (uint64_t n = 0; n < mib; n++) {
        for (uint32_t i = 0; i < MIB; i++) buf[i] = pattern(0, n * MIB + i);
        h = fnv(h, buf, MIB);
        write_all(c, buf, MIB);
        printf("sent %llu\n", (unsigned long long)(n + 1));
        fflush(stdout);
    }
    uint64_t theirs;
    read_all(c, &theirs, sizeof theirs);
    if (theirs != h) {
        printf("checksum MISMATCH: mine %016llx, the server's %016llx\n", (unsigned long long)h,
               (unsigned long long)theirs);
        return 1;
    }
    printf("checksum match %016llx\n", (unsigned long long)h);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "serve") == 0) {
        if (argc == 5) bulk_nap_ms = atol(argv[4]);
        return serve(argv[2], argv[3]);
    }
    if (argc == 5 && strcmp(argv[1], "echo") == 0) return echo(argv[2], argv[3], strtoull(argv[4], 0, 10));
    if (argc == 5 && strcmp(argv[1], "send") == 0) return send_bulk(argv[2], argv[3], strtoull(argv[4], 0, 10));
    fprintf(stderr, "usage: tcpflow serve ADDR PORT [NAP-MS] | echo ADDR PORT ROUNDS | send ADDR PORT MIB\n");
    return 2;
}
