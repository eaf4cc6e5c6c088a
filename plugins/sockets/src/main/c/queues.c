/* queues.h. Only system calls: the hooks run while the program's threads are stopped. */
#define _GNU_SOURCE
#include "queues.h"
#include "say.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

/* Room for the copies: reserved once, touched only as far as used (pages never written are
 * neither memory nor image). Receive queues are bounded by socket buffers, far below this. */
#define REGION (256ull << 20)
static uint8_t *region;
static uint64_t used;

void queue_reset(void) { used = 0; }

static int room(char *err, size_t errlen)
{
    if (region) return 0;
    void *m = mmap(0, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return say_into(err, errlen, "no memory for the data in flight: ", strerror(errno), NULL);
    region = m;
    return 0;
}

uint8_t *queue_alloc(uint64_t len, uint64_t *off, char *err, size_t errlen)
{
    if (room(err, errlen) < 0) return 0;
    uint64_t at = (used + 7) & ~7ull;
    if (at == 0) at = 8; /* 0 stands for "none" in the callers' offsets */
    if (at + len > REGION) {
        say_into(err, errlen, "more data in flight in sockets than the plugin keeps (256 MiB)", NULL);
        return 0;
    }
    used = at + len;
    *off = at;
    return region + at;
}

uint8_t *queue_at(uint64_t off) { return region + off; }

void queue_unuse(uint64_t end)
{
    if (end < used) used = end;
}

int queue_peek(int fd, int datagrams, struct queue *q, char *err, size_t errlen)
{
    memset(q, 0, sizeof *q);
    q->datagrams = datagrams;
    if (room(err, errlen) < 0) return -1;
    q->off = used = (used + 7) & ~7ull;
    int was = -1;
    socklen_t wl = sizeof was;
    if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &was, &wl) < 0) was = -1;
    int zero = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero) < 0)
        return say_into(err, errlen, "cannot look into a socket's queue (SO_PEEK_OFF): ", strerror(errno), NULL);
    int rc = 0;
    for (;;) {
        uint64_t head = datagrams ? 4 : 0;
        if (used + head + 65536 > REGION) {
            rc = say_into(err, errlen, "more data in flight in sockets than the plugin keeps (256 MiB)", NULL);
            break;
        }
        uint64_t cap = REGION - used - head;
        if (cap > INT_MAX) cap = INT_MAX;
        struct iovec io = {region + used + head, (size_t)cap};
        struct msghdr m = {0};
        struct sockaddr_storage from;
        m.msg_iov = &io;
        m.msg_iovlen = 1;
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        ssize_t n = recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT | (datagrams ? MSG_TRUNC : 0));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                rc = say_into(err, errlen, "cannot look into a socket's queue: ", strerror(errno), NULL);
            break;
        }
        if (m.msg_flags & MSG_CTRUNC) q->lost_rights = 1;
        if (!datagrams) {
            if (n == 0) break; /* the peer is gone and the queue empty */
            used += (uint64_t)n;
            continue;
        }
        if ((uint64_t)n > cap) {
            rc = say_into(err, errlen, "a datagram in flight is larger than the plugin can keep", NULL);
            break;
        }
        if (m.msg_namelen > sizeof(sa_family_t)) q->named_sources++;
        uint32_t len = (uint32_t)n;
        memcpy(region + used, &len, 4);
        used += (4 + (uint64_t)len + 3) & ~3ull;
        q->messages++;
    }
    q->len = used - q->off;
    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &was, sizeof was);
    if (rc < 0) used = q->off, q->len = 0, q->messages = 0;
    return rc;
}

/* The send buffer as large as this user may make it (root: beyond net.core.wmem_max). */
static void widen(int fd)
{
    int big = INT_MAX / 2;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
}

uint64_t queue_refill(int writer, const struct queue *q) { return queue_refill_to(writer, 0, 0, q, 0); }

uint64_t queue_refill_to(int writer, const struct sockaddr *to, socklen_t to_len, const struct queue *q, uint32_t skip)
{
    if (!q->len) return 0;
    widen(writer);
    const uint8_t *p = region + q->off, *end = p + q->len;
    if (!q->datagrams) {
        while (p < end) {
            ssize_t n = send(writer, p, (size_t)(end - p), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return (uint64_t)(end - p);
            p += n;
        }
        return 0;
    }
    uint32_t left = q->messages, at = 0;
    while (p < end && left) {
        uint32_t len;
        memcpy(&len, p, 4);
        if (at++ < skip) {
            p += (4 + (uint64_t)len + 3) & ~3ull;
            left--;
            continue;
        }
        ssize_t n;
        while ((n = sendto(writer, p + 4, len, MSG_DONTWAIT | MSG_NOSIGNAL, to, to_len)) < 0 && errno == EINTR) {}
        if (n < 0) return left;
        p += (4 + (uint64_t)len + 3) & ~3ull;
        left--;
    }
    return 0;
}
