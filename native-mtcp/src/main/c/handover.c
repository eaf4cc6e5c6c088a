/* Handing descriptors between the processes of a computation during RESTART (plugin.h, SDK 1.5).
 *
 * An object two processes shared (a pipe, a socket pair) is made anew by one of them, its
 * maker. The maker listens on an abstract Unix socket named after the plugin and its process
 * id; the others connect and ask for the object by a 64-bit key (its old inode, say), and the
 * maker answers with two descriptors (SCM_RIGHTS). The plugin separates asking from answering
 * with a barrier, so every request is queued before the maker accepts; the maker answers only
 * its own user. Raw system calls: hooks run while the program's threads may hold libc locks. */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sys.h"
#include "text.h"

#define API __attribute__((visibility("default")))
#define EINTR_ 4
#define ECONNABORTED_ 103

struct request {
    uint64_t key;
};

/* "stasis-<plugin>/<process id>", abstract: no file to clean up, gone with the socket. */
static socklen_t address(const struct stasis_plugin *p, const char *maker, struct sockaddr_un *a)
{
    char *path = a->sun_path;
    for (size_t i = 0; i < sizeof *a; i++) ((char *)a)[i] = 0;
    a->sun_family = AF_UNIX;
    struct sx_buf b;
    sx_buf_init(&b, path + 1, sizeof a->sun_path - 1);
    sx_buf_add(&b, "stasis-");
    sx_buf_add(&b, p && p->name ? p->name : "");
    sx_buf_add(&b, "/");
    sx_buf_add(&b, maker ? maker : "");
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + sx_strlen(path + 1));
}

API int stasis_handover_listen(const struct stasis_plugin *p)
{
    struct sockaddr_un a;
    socklen_t len = address(p, stasis_process_id(), &a);
    long s = SX_SYS3(__NR_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return -1;
    if (SX_SYS3(__NR_bind, s, &a, len) < 0 || SX_SYS2(__NR_listen, s, 4096) < 0) {
        sx_close((int)s);
        return -1;
    }
    return (int)s;
}

API int stasis_handover_ask(const struct stasis_plugin *p, const char *maker, uint64_t key)
{
    struct sockaddr_un a;
    socklen_t len = address(p, maker, &a);
    long s = SX_SYS3(__NR_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct request q = {key};
    long r;
    while ((r = SX_SYS3(__NR_connect, s, &a, len)) == -EINTR_) {}
    if (r < 0 || sx_write((int)s, &q, sizeof q) != (long)sizeof q) {
        sx_close((int)s);
        return -1;
    }
    return (int)s;
}

static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long k = sx_read(fd, (char *)buf + got, n - got);
        if (k == -EINTR_) continue;
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

static void answer(int c, int (*lookup)(uint64_t, int[2]))
{
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (SX_SYS5(__NR_getsockopt, c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
        cred.uid != (uid_t)SX_SYS0(__NR_getuid))
        return;
    /* accepted sockets do not inherit O_NONBLOCK: the request is read in full */
    struct request q;
    if (read_full(c, &q, sizeof q) < 0) return;
    int fds[2] = {-1, -1};
    char status = lookup(q.key, fds) == 0 ? 1 : 0;
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * 2)];
    } ctl;
    for (size_t i = 0; i < sizeof ctl; i++) ctl.space[i] = 0;
    struct iovec io = {&status, 1};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    if (status) {
        m.msg_control = ctl.space;
        m.msg_controllen = sizeof ctl.space;
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(sizeof(int) * 2);
        int *data = (int *)CMSG_DATA(h);
        data[0] = fds[0];
        data[1] = fds[1];
    }
    while (SX_SYS3(__NR_sendmsg, c, &m, MSG_NOSIGNAL) == -EINTR_) {}
}

API int stasis_handover_serve(int listener, int (*lookup)(uint64_t key, int fds[2]))
{
    int served = 0;
    for (;;) {
        long c = SX_SYS4(__NR_accept4, listener, 0, 0, SOCK_CLOEXEC);
        if (c < 0) {
            if (c == -EINTR_ || c == -ECONNABORTED_) continue;
            break; /* EAGAIN: every request queued before the barrier is answered */
        }
        answer((int)c, lookup);
        sx_close((int)c);
        served++;
    }
    return served;
}

API int stasis_handover_receive(int conn, int fds[2])
{
    char status = 0;
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * 2)];
    } ctl;
    struct iovec io = {&status, 1};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl.space;
    m.msg_controllen = sizeof ctl.space;
    long k;
    while ((k = SX_SYS3(__NR_recvmsg, conn, &m, MSG_CMSG_CLOEXEC)) == -EINTR_) {}
    sx_close(conn);
    fds[0] = fds[1] = -1;
    struct cmsghdr *h = k == 1 ? CMSG_FIRSTHDR(&m) : 0;
    if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int) * 2)) return -1;
    const int *data = (const int *)CMSG_DATA(h);
    if (status != 1) {
        sx_close(data[0]);
        sx_close(data[1]);
        return -1;
    }
    fds[0] = data[0];
    fds[1] = data[1];
    return 0;
}
