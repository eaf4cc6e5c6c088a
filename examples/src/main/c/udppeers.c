/* udppeers: UDP ping-pong with datagrams waiting at both ends.
 *
 *   udppeers serve ADDR PORT         answers each datagram to its sender (recvfrom, sendto),
 *                                    1 ms apart, so a burst waits in its queue
 *   udppeers ping ADDR PORT ROUNDS   a connected client: sends 16 numbered 512-byte datagrams a
 *                                    round, one round ahead of the answers it checks, and prints
 *                                    "round N" per round answered
 *
 * Loopback neither loses nor reorders datagrams, so any gap, repeat or damaged datagram is the
 * checkpointer's: the server says "MISMATCH" when one arrives out of turn, the client says
 * "MISMATCH" for a wrong answer and "LOST" when an answer does not come within 10 s. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PER_ROUND 16
#define PAYLOAD 512

struct datagram {
    uint64_t number;
    uint8_t payload[PAYLOAD];
};

static void die(const char *what)
{
    fprintf(stderr, "udppeers: %s: %s\n", what, strerror(errno));
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
    fprintf(stderr, "udppeers: %s is not an IPv4 or IPv6 address\n", host);
    exit(2);
}

static void fill(struct datagram *d, uint64_t n)
{
    d->number = n;
    for (int i = 0; i < PAYLOAD; i++) d->payload[i] = (uint8_t)(n * 7 + (uint64_t)i);
}

static int intact(const struct datagram *d, ssize_t len, uint64_t n)
{
    if (len != (ssize_t)sizeof *d || d->number != n) return 0;
    for (int i = 0; i < PAYLOAD; i++)
        if (d->payload[i] != (uint8_t)(n * 7 + (uint64_t)i)) return 0;
    return 1;
}

static void nap_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static _Noreturn void serve(const char *host, const char *port)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    int s = socket(a.ss_family, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    if (bind(s, (struct sockaddr *)&a, al) < 0) die("bind");
    printf("serving %s %s\n", host, port);
    fflush(stdout);
    static struct datagram d;
    /* each client's next number, by its address */
    static struct client {
        struct sockaddr_storage addr;
        uint64_t want;
    } clients[64];
    int nclients = 0;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        memset(&from, 0, sizeof from);
        ssize_t n = recvfrom(s, &d, sizeof d, 0, (struct sockaddr *)&from, &fl);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("recvfrom");
        int c = 0;
        while (c < nclients && memcmp(&clients[c].addr, &from, sizeof from) != 0) c++;
        if (c == nclients) {
            c = nclients < 64 ? nclients++ : 63;
            clients[c].addr = from;
            clients[c].want = 1;
        }
        if (d.number == 1) clients[c].want = 1; /* the client started again from its own beginning */
        if (!intact(&d, n, clients[c].want)) {
            printf("MISMATCH: datagram %llu arrived where %llu was due\n", (unsigned long long)d.number,
                   (unsigned long long)clients[c].want);
            fflush(stdout);
            clients[c].want = d.number;
        }
        clients[c].want++;
        nap_ms(1);
        while (sendto(s, &d, (size_t)n, 0, (struct sockaddr *)&from, fl) < 0)
            if (errno != EINTR) die("sendto");
    }
}

static void send_round(int s, uint64_t round)
{
    static struct datagram d;
    for (int i = 0; i < PER_ROUND; i++) {
        fill(&d, (round - 1) * PER_ROUND + (uint64_t)i + 1);
        while (send(s, &d, sizeof d, 0) < 0)
            if (errno != EINTR) die("send");
    }
}

static int ping(const char *host, const char *port, uint64_t rounds)
{
    struct sockaddr_storage a;
    socklen_t al = address(host, port, &a);
    int s = socket(a.ss_family, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    if (connect(s, (struct sockaddr *)&a, al) < 0) die("connect");
    struct timeval patience = {10, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    static struct datagram d;
    send_round(s, 1);
    for (uint64_t r = 1; r <= rounds; r++) {
        if (r < rounds) send_round(s, r + 1); /* a round ahead: datagrams wait at both ends */
        for (int i = 0; i < PER_ROUND; i++) {
            uint64_t n = (r - 1) * PER_ROUND + (uint64_t)i + 1;
            ssize_t got;
            while ((got = recv(s, &d, sizeof d, 0)) < 0 && errno == EINTR) {}
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                printf("LOST: no answer to datagram %llu within 10 s\n", (unsigned long long)n);
                return 1;
            }
            if (got < 0) die("recv");
            if (!intact(&d, got, n)) {
                printf("MISMATCH: answer %llu arrived where %llu was due\n", (unsigned long long)d.number,
                       (unsigned long long)n);
                return 1;
            }
        }
        printf("round %llu\n", (unsigned long long)r);
        fflush(stdout);
        nap_ms(20);
    }
    printf("done\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "serve") == 0) serve(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "ping") == 0) return ping(argv[2], argv[3], strtoull(argv[4], 0, 10));
    fprintf(stderr, "usage: udppeers serve ADDR PORT | ping ADDR PORT ROUNDS\n");
    return 2;
}
