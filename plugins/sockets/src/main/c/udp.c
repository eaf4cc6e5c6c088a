/* udp.h. Only system calls (and pure functions): the hooks run while the program's threads are
 * stopped, maybe inside libc holding its locks. */
#define _GNU_SOURCE
#include "udp.h"
#include "inetaddr.h"
#include "say.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define MAX_SOURCES 4096
#define NO_SOURCE 0xffffffffu

/* The senders of the datagrams waiting at the checkpoint; in the plugin's memory, so in the image. */
static struct source {
    struct sockaddr_storage addr;
    uint64_t inode;     /* its socket, when a process of the computation holds it */
    char maker[ID_MAX]; /* that process, "" for a sender outside the computation */
} sources[MAX_SOURCES];
static uint32_t nsources;

/* A datagram in the region: this header, then its bytes, padded to 8. */
struct frame {
    uint32_t len;
    uint32_t source; /* index in sources[], NO_SOURCE when unknown */
};


static int wildcard(const struct sockaddr_storage *a)
{
    static const uint8_t zero[16];
    return memcmp(inet_ip(a), zero, a->ss_family == AF_INET6 ? 16 : 4) == 0;
}

void udp_record(struct sockrec *r)
{
    struct inetrec *t = &r->inet;
    t->locallen = sizeof t->local;
    if (getsockname(r->fd, (struct sockaddr *)&t->local, &t->locallen) < 0) return; /* S_OTHER */
    t->remotelen = sizeof t->remote;
    if (getpeername(r->fd, (struct sockaddr *)&t->remote, &t->remotelen) < 0) t->remotelen = 0;
    t->reuseaddr = sock_opt(r->fd, SOL_SOCKET, SO_REUSEADDR);
    t->reuseport = sock_opt(r->fd, SOL_SOCKET, SO_REUSEPORT);
    t->broadcast = sock_opt(r->fd, SOL_SOCKET, SO_BROADCAST);
    t->v6only = r->domain == AF_INET6 ? sock_opt(r->fd, IPPROTO_IPV6, IPV6_V6ONLY) : 0;
    t->sources = 0;
    r->kind = S_UDP;
    r->key = r->inode;
}

/* "udp/<generation>/[<host>/]<address>": loopback and wildcard addresses are one host's. */
static void udp_key(const struct sockaddr_storage *a, const char *host, char *out, size_t cap)
{
    char gen[24], text[64];
    int local = inet_loopback(a) || wildcard(a);
    say_into(out, cap, "udp/", say_num(gen, stasis_generation()), "/", local ? host : "", local ? "/" : "",
             inet_text(a, text, sizeof text), NULL);
}

void udp_reset(void) { nsources = 0; }

int udp_claim(const struct stasis_plugin *p, const struct sockrec *r)
{
    if (!inet_port(&r->inet.local)) return 0; /* not bound: nobody can send to it */
    char key[160], value[96], ino[24];
    udp_key(&r->inet.local, sock_host(), key, sizeof key);
    say_into(value, sizeof value, sock_host(), "/", say_num(ino, r->inode), NULL);
    return stasis_kv_put_nowait(p, key, value);
}

/* Who sent from a: the socket of the computation bound there (or on the wildcard address of
 * that port), and its maker. */
static void find_source(const struct stasis_plugin *p, struct source *s)
{
    char key[160], value[96];
    s->maker[0] = 0;
    udp_key(&s->addr, sock_host(), key, sizeof key);
    if (stasis_kv_get(p, key, value, sizeof value) < 0) {
        struct sockaddr_storage any;
        memset(&any, 0, sizeof any);
        any.ss_family = s->addr.ss_family;
        inet_set_port(&any, inet_port(&s->addr));
        udp_key(&any, sock_host(), key, sizeof key);
        if (stasis_kv_get(p, key, value, sizeof value) < 0) return;
    }
    char *slash = strchr(value, '/');
    if (!slash) return;
    *slash = 0;
    s->inode = 0;
    for (const char *c = slash + 1; *c >= '0' && *c <= '9'; c++) s->inode = s->inode * 10 + (uint64_t)(*c - '0');
    char gen[24], ino[24];
    say_into(key, sizeof key, "end/", say_num(gen, stasis_generation()), "/", value, "/", say_num(ino, s->inode), NULL);
    if (stasis_kv_get(p, key, s->maker, sizeof s->maker) < 0) s->maker[0] = 0;
}

static uint32_t source_of(const struct stasis_plugin *p, struct sockrec *r, const struct sockaddr_storage *from,
                          socklen_t fromlen)
{
    if (fromlen < sizeof(struct sockaddr_in)) return NO_SOURCE;
    for (uint32_t k = 0; k < r->inet.sources; k++)
        if (inet_same(&sources[r->inet.first_source + k].addr, from)) return r->inet.first_source + k;
    if (nsources == MAX_SOURCES) return NO_SOURCE;
    struct source *s = &sources[nsources];
    memset(s, 0, sizeof *s);
    memcpy(&s->addr, from, fromlen);
    find_source(p, s);
    r->inet.sources++;
    return nsources++;
}

int udp_peek(const struct stasis_plugin *p, struct sockrec *r, char *err, size_t errlen)
{
    struct queue *q = &r->queue;
    memset(q, 0, sizeof *q);
    q->datagrams = 1;
    r->inet.first_source = nsources; /* this socket's sources follow, found as its datagrams are */
    r->inet.sources = 0;
    int was = sock_opt(r->fd, SOL_SOCKET, SO_PEEK_OFF), zero = 0;
    if (setsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero) < 0)
        return say_into(err, errlen, "cannot look into a UDP socket's queue (SO_PEEK_OFF): ", strerror(errno), NULL);
    int rc = 0;
    for (;;) {
        uint64_t off;
        uint8_t *at = queue_alloc(sizeof(struct frame) + 65536, &off, err, errlen);
        if (!at) {
            rc = -1;
            break;
        }
        if (!q->messages) q->off = off;
        struct sockaddr_storage from;
        struct iovec io = {at + sizeof(struct frame), 65536};
        struct msghdr m = {0};
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &io;
        m.msg_iovlen = 1;
        ssize_t n;
        while ((n = recvmsg(r->fd, &m, MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EINTR) {}
        if (n < 0) {
            queue_unuse(off);
            break; /* EAGAIN: the queue is copied */
        }
        struct frame f = {(uint32_t)n, source_of(p, r, &from, m.msg_namelen)};
        memcpy(at, &f, sizeof f);
        queue_unuse(off + ((sizeof f + (uint64_t)n + 7) & ~7ull));
        q->messages++;
        q->len = off + ((sizeof f + (uint64_t)n + 7) & ~7ull) - q->off;
    }
    setsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &was, sizeof was);
    return rc;
}

/* ---- restart ---- */

int udp_make(const struct sockrec *r)
{
    const struct inetrec *t = &r->inet;
    int s = socket(r->domain, SOCK_DGRAM | SOCK_CLOEXEC, r->protocol);
    if (s < 0) {
        say_warn("cannot make ", r->what, " again (left closed): ", strerror(errno), NULL);
        return -1;
    }
    int one = 1;
    if (r->domain == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &t->v6only, sizeof t->v6only);
    if (t->reuseport) setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (t->broadcast) setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    /* the queue goes back before the options are set again: room for it first */
    int snd = r->sndbuf / 2, rcv = r->rcvbuf / 2;
    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) < 0) setsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    if (inet_port(&t->local)) {
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, (const struct sockaddr *)&t->local, inet_len(&t->local)) < 0) {
            char a[64];
            say_warn("cannot bind ", r->what, " to ", inet_text(&t->local, a, sizeof a), " again (left closed): ",
                     strerror(errno), NULL);
            close(s);
            return -1;
        }
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &t->reuseaddr, sizeof t->reuseaddr);
    }
    return s;
}

int udp_source(const struct sockrec *r, uint32_t k, const char **maker, uint64_t *inode)
{
    for (uint32_t i = 0; i < r->inet.sources; i++) {
        const struct source *s = &sources[r->inet.first_source + i];
        if (!s->maker[0] || k--) continue;
        *maker = s->maker;
        *inode = s->inode;
        return 0;
    }
    return -1;
}

void udp_reconnect(const struct sockrec *r)
{
    if (!r->inet.remotelen) return;
    if (connect(r->fd, (const struct sockaddr *)&r->inet.remote, inet_len(&r->inet.remote)) < 0) {
        char a[64];
        say_warn("cannot connect ", r->what, " to ", inet_text(&r->inet.remote, a, sizeof a), " again: ",
                 strerror(errno), NULL);
    }
}

void udp_refill(const struct sockrec *r, int (*sender)(uint64_t inode))
{
    const struct queue *q = &r->queue;
    if (!q->messages) return;
    struct sockaddr_storage to = r->inet.local;
    if (wildcard(&to)) { /* bound to every address: loopback is one of them */
        if (to.ss_family == AF_INET6) ((struct sockaddr_in6 *)&to)->sin6_addr = in6addr_loopback;
        else ((struct sockaddr_in *)&to)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    int own = -1;
    uint64_t lost = 0, strangers = 0;
    const uint8_t *p = queue_at(q->off);
    for (uint32_t i = 0; i < q->messages; i++) {
        struct frame f;
        memcpy(&f, p, sizeof f);
        int fd = f.source != NO_SOURCE && sources[f.source].maker[0] ? sender(sources[f.source].inode) : -1;
        if (fd < 0) {
            if (own < 0) own = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            fd = own;
            strangers++;
        }
        ssize_t n;
        while ((n = sendto(fd, p + sizeof f, f.len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&to,
                           inet_len(&to))) < 0 && errno == EINTR) {}
        if (n < 0) lost++;
        p += (sizeof f + (uint64_t)f.len + 7) & ~7ull;
    }
    if (own >= 0) close(own);
    char a[64], k[24];
    if (lost)
        say_warn(say_num(k, lost), " datagrams waiting in ", r->what, " (", inet_text(&r->inet.local, a, sizeof a),
                 ") did not fit back (lost): ", strerror(errno), NULL);
    if (strangers)
        say_warn(say_num(k, strangers), " datagrams waiting in ", r->what, " (", inet_text(&r->inet.local, a, sizeof a),
                 ") come back from another address: their senders are not part of the computation", NULL);
}
