/* tcphub: one epoll server, many client processes, one TCP connection each.
 *
 *   tcphub serve ADDR PORT               a single-threaded epoll server: answers each 8-byte
 *                                        number n with n + 1, and checks that every connection's
 *                                        numbers go up by one
 *   tcphub clients ADDR PORT N ROUNDS    forks N clients; client c sends 1, 2, 3, ... 50 ms
 *                                        apart, checks each answer, and prints
 *                                        "client c count k" after every 20th exchange (k-th time)
 *
 * Out of turn or damaged: the server prints "MISMATCH" and closes that connection; a client
 * prints "MISMATCH" or "CLOSED" and exits 1. */
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096

static void die(const char *what)
{
    fprintf(stderr, "tcphub: %s: %s\n", what, strerror(errno));
    exit(1);
}

static socklen_t address(const char *host, const char *port, struct sockaddr_storage *a)
{
    memset(a, 0, sizeof *a);
    struct sockaddr_in *v4 = (struct sockaddr_in *)a;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)a;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)atoi(port));
        return sizeof *v4;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)atoi(port));
        return sizeof *v6;
    }
    fprintf(stderr, "tcphub: %s is not an IPv4 or IPv6 address\n", host);
    exit(2);
}

/* A connection's state on the server: the bytes of a number read so far, and the next one due. */
static struct conn {
    uint8_t buf[8];
    int got;
    uint64_t want;
} conns[MAX_CONNS];

static void serve_one(int epfd, int fd)
{
    struct conn *c = &conns[fd];
    for (;;) {
        ssize_t k = read(fd, c->buf + c->got, (size_t)(8 - c->got));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (k <= 0) {
            epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0);
            close(fd);
            return;
        }
        c->got += (int)k;
        if (c->got < 8) continue;
        c->got = 0;
        uint64_t n;
        memcpy(&n, c->buf, 8);
        if (c->want && n != c->want) {
            printf("MISMATCH: connection %d sent %llu where %llu was due\n", fd, (unsigned long long)n,
                   (unsigned long long)c->want);
            fflush(stdout);
            epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0);
            close(fd);
            return;
        }
        c->want = n + 1;
        uint64_t answer = n + 1;
        if (write(fd, &answer, 8) != 8) die("write"); /* 8 bytes always fit: one answer per question */
    }
}

static _Noreturn void serve(const char *host, const char *port)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    int l = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    if (l < 0) die("socket");
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&a, al) < 0) die("bind");
    if (listen(l, 256) < 0) die("listen");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) < 0) die("epoll_ctl");
    printf("serving %s %s\n", host, port);
    fflush(stdout);
    struct epoll_event ready[64];
    for (;;) {
        int n = epoll_wait(ep, ready, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd != l) {
                serve_one(ep, fd);
                continue;
            }
            for (;;) {
                int c = accept4(l, 0, 0, SOCK_NONBLOCK);
                if (c < 0) break;
                if (c >= MAX_CONNS) {
                    close(c);
                    continue;
                }
                memset(&conns[c], 0, sizeof conns[c]);
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0) die("epoll_ctl");
            }
        }
    }
}

static int client(int id, const struct sockaddr_storage *a, socklen_t al, uint64_t rounds)
{
    int s = socket(a->ss_family, SOCK_STREAM, 0);
    if (s < 0) die("socket");
    if (connect(s, (const struct sockaddr *)a, al) < 0) die("connect");
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (uint64_t k = 1; k <= rounds; k++) {
        if (write(s, &k, 8) != 8) die("write");
        uint64_t answer;
        size_t got = 0;
        while (got < 8) {
            ssize_t r = read(s, (char *)&answer + got, 8 - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                printf("CLOSED: client %d lost its connection at %llu\n", id, (unsigned long long)k);
                return 1;
            }
            got += (size_t)r;
        }
        if (answer != k + 1) {
            printf("MISMATCH: client %d got %llu for %llu\n", id, (unsigned long long)answer, (unsigned long long)k);
            return 1;
        }
        if (k % 20 == 0) {
            printf("client %d count %llu\n", id, (unsigned long long)(k / 20));
            fflush(stdout);
        }
        struct timespec ts = {0, 50 * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
    }
    return 0;
}

static int clients(const char *host, const char *port, int n, uint64_t rounds)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    for (int i = 1; i <= n; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) _exit(client(i, &a, al, rounds));
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    printf(failed ? "some clients failed\n" : "done\n");
    return failed;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "serve") == 0) serve(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "clients") == 0)
        return clients(argv[2], argv[3], atoi(argv[4]), strtoull(argv[5], 0, 10));
    fprintf(stderr, "usage: tcphub serve ADDR PORT | clients ADDR PORT N ROUNDS\n");
    return 2;
}
