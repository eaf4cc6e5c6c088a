/* A parent and its child talking over one socketpair of the given type, with messages in flight
 * in both directions all the time: the parent keeps <window> numbered messages outstanding, the
 * child answers each with its number plus 1000000, and both wait <delay-ms> before each read, so
 * each side's receive queue usually holds messages when a checkpoint comes. Messages have
 * different lengths (a header and 1..700 payload bytes that depend on the number); the receiver
 * checks the number, the length and every byte, so a lost, repeated, reordered, merged or split
 * message ends the program with MISMATCH (or READ FAILED when one does not come). With "keep"
 * both processes keep both ends after fork (each end is then held by two processes), with
 * "close" each closes the end it does not use. One line per round:
 * "<n> <type> queued=<bytes waiting at the parent>".
 *
 * With path:<file> or abstract:<name> as the type, the two talk over a stream connection
 * instead: the parent listens on that Unix-domain name, the child connects to it, and the
 * parent accepts. The listening socket stays open; between rounds the parent accepts any other
 * connection, writes "hello <n>" to it and closes it, so a test can see that the name still
 * listens after a restart.
 *
 * With dgram-path:<file> the two talk in datagrams through names, as a local service and its
 * client do: the parent's socket is bound to <file>, the child's to <file>.c; the child sends
 * from a third, unnamed socket connected to <file>, the parent sends to <file>.c with sendto.
 *
 *     sockpair stream|seqpacket|dgram|path:<file>|abstract:<name>|dgram-path:<file> [rounds] [delay-ms]
 *              [window] [close|keep] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANSWER 1000000L
#define MAXPAY 700

struct head {
    long n;
    int len;
};

static int stream;
/* dgram-path: where the parent sends (the child's name) */
static struct sockaddr_un send_to;
static socklen_t send_to_len;

static int full_read(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

static void payload(long n, char *p, int len)
{
    for (int i = 0; i < len; i++) p[i] = (char)('a' + (n + i) % 26);
}

static int send_msg(int fd, long n)
{
    char buf[sizeof(struct head) + MAXPAY];
    struct head h = {n, (int)(n * 37 % MAXPAY) + 1};
    memcpy(buf, &h, sizeof h);
    payload(n, buf + sizeof h, h.len);
    size_t len = sizeof h + (size_t)h.len;
    if (send_to_len) return sendto(fd, buf, len, 0, (struct sockaddr *)&send_to, send_to_len) == (ssize_t)len ? 0 : -1;
    return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* The next message, which must be number n; 0, or -1 after saying why. */
static int recv_msg(int fd, long n, const char *who)
{
    char buf[sizeof(struct head) + MAXPAY + 64];
    struct head h;
    ssize_t got;
    if (stream) {
        if (full_read(fd, &h, sizeof h) < 0) goto short_read;
        if (h.len < 1 || h.len > MAXPAY || full_read(fd, buf + sizeof h, (size_t)h.len) < 0) goto short_read;
        got = (ssize_t)(sizeof h + (size_t)h.len);
    } else {
        got = recv(fd, buf, sizeof buf, 0);
        if (got < (ssize_t)sizeof h) goto short_read;
        memcpy(&h, buf, sizeof h);
    }
    char want[MAXPAY];
    int len = (int)(n * 37 % MAXPAY) + 1;
    payload(n, want, len);
    if (h.n != n || h.len != len || got != (ssize_t)(sizeof h + (size_t)len) ||
        memcmp(buf + sizeof h, want, (size_t)len) != 0) {
        printf("MISMATCH at %s: wanted %ld (%d bytes), got %ld (%d bytes, %zd read)\n", who, n, len, h.n, h.len, got);
        fflush(stdout);
        return -1;
    }
    return 0;
short_read:
    printf("READ FAILED at %s: message %ld did not come\n", who, n);
    fflush(stdout);
    return -1;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, 0);
}

static socklen_t path_name(struct sockaddr_un *a, const char *path, const char *suffix)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s%s", path, suffix);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* The parent's rounds (send a window ahead, read each answer), shared by every shape. */
static int parent_rounds(int rx, int tx, const char *type, long rounds, long delay_ms, long window, int listener);

static int datagrams_by_name(const char *path, long rounds, long delay_ms, long window)
{
    struct sockaddr_un server, client;
    socklen_t sl = path_name(&server, path, ""), cl = path_name(&client, path, ".c");
    unlink(server.sun_path);
    unlink(client.sun_path);
    int rx = socket(AF_UNIX, SOCK_DGRAM, 0), crx = socket(AF_UNIX, SOCK_DGRAM, 0), ctx = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (rx < 0 || crx < 0 || ctx < 0 || bind(rx, (struct sockaddr *)&server, sl) < 0 ||
        bind(crx, (struct sockaddr *)&client, cl) < 0 || connect(ctx, (struct sockaddr *)&server, sl) < 0) {
        perror("dgram-path");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        close(rx);
        for (long n = 1;; n++) {
            pause_ms(delay_ms);
            if (recv_msg(crx, n, "child") < 0) return 1;
            if (send_msg(ctx, n + ANSWER) < 0) return 1;
            if (n == rounds) return 0;
        }
    }
    close(crx);
    close(ctx);
    send_to = client;
    send_to_len = cl;
    int rc = parent_rounds(rx, rx, "dgram-path", rounds, delay_ms, window, -1);
    if (rc) return rc;
    int st = 0;
    pid_t w = waitpid(child, &st, 0);
    printf("done %s\n", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "child-ok" : "child-bad");
    return 0;
}

int main(int argc, char **argv)
{
    const char *type = argc > 1 ? argv[1] : "stream";
    long rounds = argc > 2 ? atol(argv[2]) : 1000000;
    long delay_ms = argc > 3 ? atol(argv[3]) : 20;
    long window = argc > 4 ? atol(argv[4]) : 8;
    int keep = argc > 5 && strcmp(argv[5], "keep") == 0;
    int kind = strcmp(type, "seqpacket") == 0 ? SOCK_SEQPACKET : strcmp(type, "dgram") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    if (strncmp(type, "dgram-path:", 11) == 0) return datagrams_by_name(type + 11, rounds, delay_ms, window);
    stream = kind == SOCK_STREAM;
    struct sockaddr_un name = {.sun_family = AF_UNIX};
    socklen_t namelen = 0;
    if (strncmp(type, "path:", 5) == 0 || strncmp(type, "abstract:", 9) == 0) {
        const char *n = strchr(type, ':') + 1;
        int abstract = type[0] == 'a';
        if (strlen(n) + 2 > sizeof name.sun_path) {
            fprintf(stderr, "sockpair: name too long: %s\n", n);
            return 2;
        }
        memcpy(name.sun_path + abstract, n, strlen(n));
        namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(n) + !abstract);
    }
    int sv[2], listener = -1;
    if (namelen) {
        listener = socket(AF_UNIX, SOCK_STREAM, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *)&name, namelen) < 0 || listen(listener, 16) < 0) {
            perror("listen");
            return 1;
        }
    } else if (socketpair(AF_UNIX, kind, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (namelen && child == 0) {
        close(listener);
        sv[1] = socket(AF_UNIX, SOCK_STREAM, 0);
        if (sv[1] < 0 || connect(sv[1], (struct sockaddr *)&name, namelen) < 0) {
            perror("connect");
            return 1;
        }
    } else if (namelen) {
        sv[0] = accept(listener, 0, 0);
        if (sv[0] < 0 || fcntl(listener, F_SETFL, O_NONBLOCK) < 0) {
            perror("accept");
            return 1;
        }
    }
    if (child == 0) {
        if (!keep && !namelen) close(sv[0]);
        for (long n = 1;; n++) {
            pause_ms(delay_ms);
            if (recv_msg(sv[1], n, "child") < 0) return 1;
            if (send_msg(sv[1], n + ANSWER) < 0) return 1;
            if (n == rounds) return 0;
        }
    }
    if (!keep && !namelen) close(sv[1]);
    int rc = parent_rounds(sv[0], sv[0], type, rounds, delay_ms, window, listener);
    if (rc) return rc;
    int st = 0;
    pid_t w = waitpid(child, &st, 0);
    printf("done %s\n", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "child-ok" : "child-bad");
    return 0;
}

static int parent_rounds(int rx, int tx, const char *type, long rounds, long delay_ms, long window, int listener)
{
    for (long n = 1; n <= window && n <= rounds; n++)
        if (send_msg(tx, n) < 0) {
            printf("WRITE FAILED at %ld\n", n);
            return 1;
        }
    for (long n = 1; n <= rounds; n++) {
        pause_ms(delay_ms);
        int queued = 0;
        ioctl(rx, FIONREAD, &queued);
        if (recv_msg(rx, n + ANSWER, "parent") < 0) return 1;
        printf("%ld %s queued=%d\n", n, type, queued);
        fflush(stdout);
        for (int c; listener >= 0 && (c = accept4(listener, 0, 0, SOCK_CLOEXEC)) >= 0; close(c)) {
            char hello[40];
            int len = snprintf(hello, sizeof hello, "hello %ld\n", n);
            if (write(c, hello, (size_t)len) != len) perror("hello");
        }
        if (n + window <= rounds && send_msg(tx, n + window) < 0) {
            printf("WRITE FAILED at %ld\n", n + window);
            return 1;
        }
    }
    return 0;
}
