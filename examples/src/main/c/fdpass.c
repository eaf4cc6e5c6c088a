/* fdpass: descriptors handed from one process to another with SCM_RIGHTS, as pre-fork servers
 * and socket-activated services do, then used only by the process that received them.
 *
 *   fdpass [ROUNDS] [late]
 *
 * The parent makes a TCP connection to itself over loopback and a pipe, sends the accepted end
 * and the pipe's write end to its child over a Unix socket pair, and closes its own copies: the
 * child alone holds them. Each round the parent sends "n" on its end of the connection; the
 * child reads it from the socket it received and writes "n+1" into the pipe end it received;
 * the parent reads that from the pipe, checks it and prints "count n". A wrong or missing value
 * prints "MISMATCH ..." and exits 3. Ends with "done" after ROUNDS rounds (0: forever).
 *
 * With "late" the child takes the descriptors only once a file named "take" exists in the
 * working directory, so that they stay in flight meanwhile; the parent prints "sent" once they
 * are on their way. A child that receives the message without them says "fdpass: no
 * descriptors came with the message" and exits 4. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "fdpass: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void send_fds(int over, int a, int b)
{
    char byte = 'x';
    struct iovec io = {&byte, 1};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int fds[2] = {a, b};
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (sendmsg(over, &m, 0) != 1) die("sendmsg");
}

static void receive_fds(int over, int *a, int *b)
{
    char byte;
    struct iovec io = {&byte, 1};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    while ((n = recvmsg(over, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    if (n != 1) die("recvmsg");
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(2 * sizeof(int))) {
        fprintf(stderr, "fdpass: no descriptors came with the message\n");
        _exit(4);
    }
    int fds[2];
    memcpy(fds, CMSG_DATA(c), sizeof fds);
    *a = fds[0];
    *b = fds[1];
}

/* One line ("<number>\n") from fd, byte by byte so that nothing is read ahead. */
static long read_number(int fd)
{
    char line[32];
    size_t len = 0;
    for (;;) {
        char ch;
        ssize_t n = read(fd, &ch, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        if (ch == '\n') break;
        if (len + 1 < sizeof line) line[len++] = ch;
    }
    line[len] = 0;
    return strtol(line, 0, 10);
}

static void write_number(int fd, long v)
{
    char line[32];
    int len = snprintf(line, sizeof line, "%ld\n", v);
    for (int done = 0; done < len;) {
        ssize_t n = write(fd, line + done, (size_t)(len - done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("write");
        done += (int)n;
    }
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], 0, 10) : 0;
    int late = argc > 2 && strcmp(argv[2], "late") == 0;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0)
        die("listen");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    int accepted = accept(l, 0, 0);
    if (accepted < 0) die("accept");
    close(l);
    int p[2], over[2];
    if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, over) < 0) die("pipe");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(over[0]);
        close(c);
        close(p[0]);
        close(accepted); /* inherited: the child must hold only what it receives */
        close(p[1]);
        while (late && access("take", F_OK) != 0) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, 0);
        }
        int sock, out;
        receive_fds(over[1], &sock, &out);
        close(over[1]);
        for (;;) {
            long v = read_number(sock);
            if (v < 0) _exit(0);
            write_number(out, v + 1);
        }
    }
    close(over[1]);
    send_fds(over[0], accepted, p[1]);
    close(accepted);
    close(p[1]);
    close(over[0]);
    if (late) {
        printf("sent\n");
        fflush(stdout);
    }
    for (long n = 1; rounds == 0 || n <= rounds; n++) {
        write_number(c, n);
        long got = read_number(p[0]);
        if (got != n + 1) {
            printf("MISMATCH round %ld: got %ld\n", n, got);
            fflush(stdout);
            kill(child, SIGKILL);
            return 3;
        }
        printf("count %ld\n", n);
        fflush(stdout);
        struct timespec ts = {0, 50 * 1000 * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
    }
    close(c);
    waitpid(child, 0, 0);
    printf("done\n");
    return 0;
}
