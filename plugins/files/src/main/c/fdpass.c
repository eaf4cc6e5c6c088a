/* Handing descriptors between the processes of a computation at restart (fdpass.h).
 *
 * The process that made an object listens on an abstract Unix socket named after its process
 * id; the others connect and ask for it by its old inode number, and it answers with the
 * descriptors (SCM_RIGHTS). Asking and answering are split by a barrier (files.c), so every
 * request is queued before the maker accepts; the maker only answers its own user. */
#define _GNU_SOURCE
#include "fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "text.h"

struct request {
    uint64_t inode;
};

static socklen_t address(const char *maker, struct sockaddr_un *a)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    /* abstract: no file to clean up, gone with the socket */
    text_fail(a->sun_path + 1, sizeof a->sun_path - 1, "stasis-files/", maker, 0);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1));
}

int fdpass_listen(const char *me)
{
    struct sockaddr_un a;
    socklen_t len = address(me, &a);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return -1;
    if (bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 4096) < 0) {
        close(s);
        return -1;
    }
    return s;
}

int fdpass_ask(const char *maker, uint64_t inode)
{
    struct sockaddr_un a;
    socklen_t len = address(maker, &a);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct request q = {inode};
    int r;
    while ((r = connect(s, (struct sockaddr *)&a, len)) < 0 && errno == EINTR) {}
    if (r < 0 || write(s, &q, sizeof q) != (ssize_t)sizeof q) {
        close(s);
        return -1;
    }
    return s;
}

static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

static void answer(int c, int (*lookup)(uint64_t, int[2]))
{
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != getuid()) return;
    /* accepted sockets do not inherit O_NONBLOCK: the request is read in full */
    struct request q;
    if (read_full(c, &q, sizeof q) < 0) return;
    int fds[2] = {-1, -1};
    char status = lookup(q.inode, fds) == 0 ? 1 : 0;
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * 2)];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
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
        memcpy(CMSG_DATA(h), fds, sizeof fds);
    }
    while (sendmsg(c, &m, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
}

int fdpass_serve(int listener, int (*lookup)(uint64_t inode, int fds[2]))
{
    int served = 0;
    for (;;) {
        int c = accept4(listener, 0, 0, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            break; /* EAGAIN: every request queued before the barrier is answered */
        }
        answer(c, lookup);
        close(c);
        served++;
    }
    return served;
}

int fdpass_receive(int conn, int fds[2])
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
    ssize_t k;
    while ((k = recvmsg(conn, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    close(conn);
    fds[0] = fds[1] = -1;
    struct cmsghdr *h = k == 1 ? CMSG_FIRSTHDR(&m) : 0;
    if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int) * 2) || status != 1) return -1;
    memcpy(fds, CMSG_DATA(h), sizeof(int) * 2);
    return 0;
}
