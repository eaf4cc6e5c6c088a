/* tcp.h. Only system calls (inet_ntop/inet_pton are pure functions): the hooks run while the
 * program's threads are stopped, maybe inside libc holding its locks. */
#define _GNU_SOURCE
#include "tcp.h"
#include "inetaddr.h"
#include "store.h"
#include "say.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How long a drain or a put back waits for a peer that makes no progress. */
#define STALL_MS 10000
#define MAX_TEMP 1024

static int me_holder(const struct sockrec *r, const char *me) { return strcmp(r->maker, me) == 0; }

static int first_of_inode(const struct sockrec *recs, int i)
{
    for (int k = 0; k < i; k++)
        if (recs[k].inode == recs[i].inode) return 0;
    return 1;
}

/* "conn/<generation>/[<host>/]<local>-<remote>": loopback pairs are only unique on one host. */
static void conn_name(const struct sockrec *r, int reverse, char *out, size_t cap)
{
    const struct sockaddr_storage *a = reverse ? &r->inet.remote : &r->inet.local;
    const struct sockaddr_storage *b = reverse ? &r->inet.local : &r->inet.remote;
    char ta[64], tb[64], gen[24];
    say_num(gen, stasis_generation());
    say_into(out, cap, "conn/", gen, "/", inet_loopback(a) ? sock_host() : "", inet_loopback(a) ? "/" : "",
             inet_text(a, ta, sizeof ta), "-", inet_text(b, tb, sizeof tb), NULL);
}

/* The cookie an end sends last when drained: from its host, inode and the generation. */
static void cookie_of(const char *host, uint64_t inode, uint8_t out[16])
{
    static const char magic[] = "stasis-tcp-drain";
    uint32_t gen = stasis_generation();
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t c = stasis_crc32c(i * 0x9e3779b9u, magic, sizeof magic - 1);
        c = stasis_crc32c(c, host, strlen(host));
        c = stasis_crc32c(c, &inode, sizeof inode);
        c = stasis_crc32c(c, &gen, sizeof gen);
        memcpy(out + 4 * i, &c, 4);
    }
}

/* ---- checkpoint ---- */


void tcp_record(struct sockrec *r)
{
    struct inetrec *t = &r->inet;
    struct tcp_info ti;
    socklen_t l = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(r->fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0) return; /* S_OTHER */
    t->state = ti.tcpi_state;
    if (ioctl(r->fd, SIOCOUTQ, &t->outq) < 0) t->outq = 1; /* unknown: as if busy, so drained */
    t->locallen = sizeof t->local;
    if (getsockname(r->fd, (struct sockaddr *)&t->local, &t->locallen) < 0) t->locallen = 0;
    t->remotelen = sizeof t->remote;
    if (getpeername(r->fd, (struct sockaddr *)&t->remote, &t->remotelen) < 0) t->remotelen = 0;
    t->nodelay = sock_opt(r->fd, IPPROTO_TCP, TCP_NODELAY);
    t->keepalive = sock_opt(r->fd, SOL_SOCKET, SO_KEEPALIVE);
    t->keepidle = sock_opt(r->fd, IPPROTO_TCP, TCP_KEEPIDLE);
    t->keepintvl = sock_opt(r->fd, IPPROTO_TCP, TCP_KEEPINTVL);
    t->keepcnt = sock_opt(r->fd, IPPROTO_TCP, TCP_KEEPCNT);
    t->reuseaddr = sock_opt(r->fd, SOL_SOCKET, SO_REUSEADDR);
    t->reuseport = sock_opt(r->fd, SOL_SOCKET, SO_REUSEPORT);
    t->v6only = r->domain == AF_INET6 ? sock_opt(r->fd, IPPROTO_IPV6, IPV6_V6ONLY) : 0;
    l = sizeof t->linger;
    if (getsockopt(r->fd, SOL_SOCKET, SO_LINGER, &t->linger, &l) < 0) memset(&t->linger, 0, sizeof t->linger);
    switch (t->state) {
    case TCP_LISTEN:
        r->kind = S_TCP_LISTEN;
        r->backlog = (int)ti.tcpi_sacked; /* a listener's tcp_info keeps its backlog there */
        break;
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        if (t->remotelen) r->kind = S_TCP_CONN;
        break;
    case TCP_CLOSE:
        if (!t->remotelen) r->kind = S_TCP_FRESH;
        break;
    default: /* a connect under way: not restored yet */
        break;
    }
    r->key = r->inode;
}

int tcp_claim(const struct stasis_plugin *p, struct sockrec *r)
{
    char key[sizeof r->inet.rendezvous], value[128], ino[24], st[8], oq[24];
    conn_name(r, 0, key, sizeof key);
    say_into(value, sizeof value, sock_host(), "/", say_num(ino, r->inode), " ", say_num(st, (uint64_t)r->inet.state),
             " ", say_num(oq, (uint64_t)r->inet.outq), NULL);
    return stasis_kv_put_nowait(p, key, value);
}

void tcp_want(const struct sockrec *r)
{
    char theirs[sizeof r->inet.rendezvous];
    conn_name(r, 1, theirs, sizeof theirs);
    store_want(theirs);
}

void tcp_find_peer(const struct stasis_plugin *p, struct sockrec *r)
{
    struct inetrec *t = &r->inet;
    char mine[sizeof t->rendezvous], theirs[sizeof t->rendezvous], value[128];
    conn_name(r, 0, mine, sizeof mine);
    conn_name(r, 1, theirs, sizeof theirs);
    t->internal = 0;
    t->drained = 0;
    t->acceptor = strcmp(mine, theirs) < 0;
    say_into(t->rendezvous, sizeof t->rendezvous, t->acceptor ? mine : theirs, NULL);
    if (store_get(p, theirs, value, sizeof value) < 0) return; /* the peer is not ours */
    /* "<host>/<inode> <state> <outq>" */
    char *slash = strchr(value, '/'), *space = slash ? strchr(slash, ' ') : 0;
    if (!slash || !space) return;
    *slash = 0;
    *space = 0;
    uint64_t inode = 0, state = 0, outq = 0;
    const char *c = slash + 1;
    for (; *c >= '0' && *c <= '9'; c++) inode = inode * 10 + (uint64_t)(*c - '0');
    for (c = space + 1; *c >= '0' && *c <= '9'; c++) state = state * 10 + (uint64_t)(*c - '0');
    for (c += *c == ' '; *c >= '0' && *c <= '9'; c++) outq = outq * 10 + (uint64_t)(*c - '0');
    t->internal = 1;
    t->peer_state = (int)state;
    t->peer_outq = (int)outq;
    cookie_of(value, inode, t->cookie);
    cookie_of(sock_host(), r->inode, t->my_cookie);
    /* A cookie can only go both ways when neither direction is closed. And only a connection
     * with bytes not yet acknowledged needs one: when neither end has any, everything sent sits
     * in the receive queues, where a peek sees it all (an idle connection costs nothing). */
    t->drained = t->state == TCP_ESTABLISHED && t->peer_state == TCP_ESTABLISHED && (t->outq || t->peer_outq);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "tcpflow (pid 42)": the program, as a user knows it, for messages. */
static const char *this_process(char *out, size_t cap)
{
    char comm[32], pid[24];
    int f = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    ssize_t n = f >= 0 ? read(f, comm, sizeof comm - 1) : -1;
    if (f >= 0) close(f);
    comm[n > 0 ? n - 1 : 0] = 0; /* without its newline */
    say_into(out, cap, comm, " (pid ", say_num(pid, (uint64_t)getpid()), ")", NULL);
    return out;
}

/* "the TCP connection from A to B (descriptor N)" */
static const char *connection_text(const struct sockrec *r, char *out, size_t cap)
{
    char a[64], b[64], fd[24];
    say_into(out, cap, "the TCP connection from ", inet_text(&r->inet.local, a, sizeof a), " to ",
             inet_text(&r->inet.remote, b, sizeof b), " (descriptor ", say_num(fd, (uint64_t)r->fd), ")", NULL);
    return out;
}

int tcp_outside(const struct sockrec *recs, int n, char *err, size_t errlen)
{
    char conn[192];
    size_t used = 0;
    int found = 0;
    for (int i = 0; i < n; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind != S_TCP_CONN || !r->holds_queue || r->inet.internal) continue;
        if (!found++) used = (size_t)(say_into(err, errlen, "refused (--sockets-refuse-outside): ", NULL), strlen(err));
        else if (used + 2 < errlen) used += (size_t)(say_into(err + used, errlen - used, "; ", NULL), 2);
        if (used < errlen) {
            say_into(err + used, errlen - used, connection_text(r, conn, sizeof conn), NULL);
            used = strlen(err);
        }
    }
    if (!found) return 0;
    if (used + 1 < errlen)
        say_into(err + used, errlen - used, found > 1 ? " lead outside the computation" : " leads outside the computation",
                 NULL);
    return -1;
}

void tcp_note_outside(const struct stasis_plugin *p, const struct sockrec *recs, int n)
{
    for (int i = 0; i < n; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind != S_TCP_CONN || !r->holds_queue || r->inet.internal) continue;
        char conn[192], note[320];
        say_into(note, sizeof note, connection_text(r, conn, sizeof conn),
                 " will come back closed at a restart: its peer is not part of the computation", NULL);
        stasis_note(p, note);
    }
}

/* The whole queue copied, nothing taken (SO_PEEK_OFF from 0, so each peek goes on where the last
 * stopped): a half-closed connection, or a peer that is not ours. */
static int peek_all(struct sockrec *r, char *err, size_t errlen)
{
    int was = -1;
    socklen_t wl = sizeof was;
    if (getsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &was, &wl) < 0) was = -1;
    int zero = 0;
    if (setsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero) < 0)
        return say_into(err, errlen, "cannot look into a TCP socket's queue (SO_PEEK_OFF): ", strerror(errno), NULL);
    int rc = 0;
    for (;;) {
        ssize_t n = stream_read(&r->inet.in, r->fd, 0, MSG_PEEK);
        if (n > 0) continue;
        if (n < 0 && errno == ENOMEM)
            rc = say_into(err, errlen, "more data in flight in sockets than the plugin keeps (256 MiB)", NULL);
        break; /* end of file, nothing more waiting, or an error the program will meet itself */
    }
    setsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &was, sizeof was);
    return rc;
}

int tcp_drain(struct sockrec *recs, int n, char *err, size_t errlen)
{
    static struct pollfd pfd[MAX_SOCKS];
    static int which[MAX_SOCKS];
    static uint32_t sent[MAX_SOCKS];
    int open = 0;
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        if (r->kind != S_TCP_CONN || !r->holds_queue) continue;
        memset(&r->inet.in, 0, sizeof r->inet.in);
        r->inet.dance = 0;
        if (!r->inet.drained) {
            if (peek_all(r, err, errlen) < 0) return -1;
            continue;
        }
        sent[i] = 0;
        r->inet.dance = 1; /* draining */
        open++;
    }
    long last = now_ms();
    while (open) {
        int np = 0;
        for (int i = 0; i < n; i++) {
            struct sockrec *r = &recs[i];
            if (r->kind != S_TCP_CONN || !r->holds_queue || r->inet.dance != 1) continue;
            int progress = 0;
            while (sent[i] < sizeof r->inet.my_cookie) {
                ssize_t k = send(r->fd, r->inet.my_cookie + sent[i], sizeof r->inet.my_cookie - sent[i],
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR) continue;
                if (k <= 0) break;
                sent[i] += (uint32_t)k;
                progress = 1;
            }
            for (;;) {
                ssize_t k = stream_read(&r->inet.in, r->fd, 0, 0);
                if (k > 0) {
                    progress = 1;
                    continue;
                }
                if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    char a[64];
                    return say_into(err, errlen, "the TCP connection to ", inet_text(&r->inet.remote, a, sizeof a),
                                    k == 0 ? " was closed while it was drained" : " failed while it was drained: ",
                                    k == 0 ? "" : strerror(errno), NULL);
                }
                break;
            }
            uint8_t tail[16];
            if (sent[i] == sizeof r->inet.my_cookie && stream_tail(&r->inet.in, tail, 16) == 0 &&
                memcmp(tail, r->inet.cookie, 16) == 0) {
                r->inet.in.total -= 16;
                r->inet.dance = 2;
                open--;
                continue;
            }
            if (progress) last = now_ms();
            pfd[np].fd = r->fd;
            pfd[np].events = POLLIN | (sent[i] < sizeof r->inet.my_cookie ? POLLOUT : 0);
            which[np++] = i;
        }
        if (!open) break;
        if (now_ms() - last > STALL_MS) {
            char a[64];
            return say_into(err, errlen, "the peer of the TCP connection to ", inet_text(&recs[which[0]].inet.remote, a, sizeof a),
                            " did not answer the drain within 10 s", NULL);
        }
        poll(pfd, (nfds_t)np, 100);
    }
    for (int i = 0; i < n; i++)
        if (recs[i].kind == S_TCP_CONN) recs[i].inet.dance = 0;
    return 0;
}

/* ---- putting back ---- */

/* The buffer of one direction raised to hold len bytes (beyond net.core.*mem_max for root). */
static void make_room(int fd, int name, int forced, uint64_t len)
{
    int now = sock_opt(fd, SOL_SOCKET, name);
    if (len + 65536 <= (uint64_t)now / 2) return;
    int want = len > INT_MAX / 4 ? INT_MAX / 4 : (int)len + 65536;
    if (setsockopt(fd, SOL_SOCKET, forced, &want, sizeof want) < 0) setsockopt(fd, SOL_SOCKET, name, &want, sizeof want);
}

/* One step of an end's put back; 1 when it made progress, -1 when it failed. */
static int dance_step(struct sockrec *r)
{
    struct inetrec *t = &r->inet;
    int progress = 0;
    /* 1: my length and my bytes to the peer */
    while (t->len_sent < 8) {
        ssize_t k = send(r->fd, t->len_out + t->len_sent, 8 - t->len_sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (k <= 0) break;
        t->len_sent += (uint32_t)k;
        progress = 1;
    }
    int mine_out = 0;
    if (t->len_sent == 8) {
        uint64_t before = t->c_in.done;
        mine_out = stream_write(&t->in, r->fd, &t->c_in);
        if (mine_out < 0) return -1;
        progress |= t->c_in.done != before;
    }
    /* 2: the peer's length and bytes */
    while (t->len_got < 8) {
        ssize_t k = recv(r->fd, t->len_in + t->len_got, 8 - t->len_got, MSG_DONTWAIT);
        if (k < 0 && errno == EINTR) continue;
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return -1;
        if (k < 0) break;
        t->len_got += (uint32_t)k;
        progress = 1;
    }
    uint64_t want = 0;
    memcpy(&want, t->len_in, 8);
    if (t->len_got == 8 && t->back.total < want) {
        if (t->back.total == 0) make_room(r->fd, SO_SNDBUF, SO_SNDBUFFORCE, want);
        for (;;) {
            ssize_t k = stream_read(&t->back, r->fd, want - t->back.total, 0);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return -1;
            if (k < 0) break;
            progress = 1;
            if (t->back.total == want) break;
        }
    }
    /* 3: the peer's bytes back to it, after mine (the same direction keeps its order) */
    if (mine_out == 1 && t->len_got == 8 && t->back.total == want) {
        uint64_t before = t->c_back.done;
        int w = stream_write(&t->back, r->fd, &t->c_back);
        if (w < 0) return -1;
        progress |= t->c_back.done != before;
        if (w == 1) t->dance = 2;
    }
    return progress;
}

void tcp_put_back(struct sockrec *recs, int n, int restart)
{
    static struct pollfd pfd[MAX_SOCKS];
    static int which[MAX_SOCKS];
    int open = 0;
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        struct inetrec *t = &r->inet;
        t->dance = 0;
        if (r->kind != S_TCP_CONN || !r->holds_queue || !t->internal || !(restart || t->drained)) continue;
        memcpy(t->len_out, &t->in.total, 8);
        t->len_sent = t->len_got = 0;
        memset(&t->back, 0, sizeof t->back);
        memset(&t->c_in, 0, sizeof t->c_in);
        memset(&t->c_back, 0, sizeof t->c_back);
        make_room(r->fd, SO_RCVBUF, SO_RCVBUFFORCE, t->in.total);
        t->dance = 1;
        open++;
    }
    long last = now_ms();
    while (open) {
        int np = 0;
        for (int i = 0; i < n; i++) {
            struct sockrec *r = &recs[i];
            if (r->kind != S_TCP_CONN || r->inet.dance != 1) continue;
            int s = dance_step(r);
            if (s > 0) last = now_ms();
            if (s < 0 || r->inet.dance == 2) {
                if (s < 0) {
                    char a[64];
                    say_warn("cannot put back what was in flight on the TCP connection to ",
                             inet_text(&r->inet.remote, a, sizeof a), " (", r->what, "): ", strerror(errno), NULL);
                    r->inet.dance = -1;
                }
                open--;
                continue;
            }
            pfd[np].fd = r->fd;
            pfd[np].events = POLLIN | POLLOUT;
            which[np++] = i;
        }
        if (!open) break;
        if (now_ms() - last > STALL_MS) {
            for (int k = 0; k < np; k++) {
                char a[64];
                struct sockrec *r = &recs[which[k]];
                say_warn("gave up putting back what was in flight on the TCP connection to ",
                         inet_text(&r->inet.remote, a, sizeof a), " (", r->what, "): its peer made no progress in 10 s",
                         NULL);
                r->inet.dance = -1;
            }
            break;
        }
        /* POLLOUT is nearly always set: wait for input only, briefly */
        for (int k = 0; k < np; k++) pfd[k].events = POLLIN;
        poll(pfd, (nfds_t)np, 5);
    }
}

/* ---- restart ---- */

static struct temp {
    struct sockaddr_storage addr; /* the old address it stands in for */
    int fd;
} temps[MAX_TEMP];
static int ntemps;



/* A socket bound where at says: its port if free, else another port on its address, else any
 * address (another host). SO_REUSEADDR, so that the killed run's connections in TIME_WAIT do
 * not stand in the way. */
static int bound_near(const struct sockaddr_storage *at, int flags)
{
    int s = socket(at->ss_family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
    if (s < 0) return -1;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage a = *at;
    if (bind(s, (struct sockaddr *)&a, inet_len(&a)) == 0) return s;
    inet_set_port(&a, 0);
    if (bind(s, (struct sockaddr *)&a, inet_len(&a)) == 0) return s;
    return s; /* unbound: the kernel picks at listen or connect */
}



/* A temporary listener whose old address is not on this host (a restart on another host):
 * bound to this host's address, the one it reaches the coordinator from, which the other hosts
 * of the computation reach too; on its old port when that is free. Left as it is when bound
 * already, or when this host's address is not known (it then listens on every address). */
static void bind_on_this_host(int s, const struct sockaddr_storage *old)
{
    struct sockaddr_storage a, host;
    socklen_t al = sizeof a;
    if (getsockname(s, (struct sockaddr *)&a, &al) < 0 || inet_port(&a) != 0) return;
    if (stasis_host_address(&host) < 0 || host.ss_family != AF_INET) return;
    if (old->ss_family == AF_INET6) { /* the IPv4 address, mapped: the socket is IPv6 */
        struct sockaddr_in v4 = *(struct sockaddr_in *)&host;
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&host;
        memset(&host, 0, sizeof host);
        v6->sin6_family = AF_INET6;
        v6->sin6_addr.s6_addr[10] = v6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&v6->sin6_addr.s6_addr[12], &v4.sin_addr, 4);
    }
    inet_set_port(&host, inet_port(old));
    if (bind(s, (struct sockaddr *)&host, inet_len(&host)) == 0) return;
    inet_set_port(&host, 0);
    bind(s, (struct sockaddr *)&host, inet_len(&host));
}

/* A socket connecting (non-blocking) from where at says, or from another port of its address
 * when the old port cannot make this connection: the killed run's connection between the same
 * two ports may wait in TIME_WAIT (the kernel lets a new one reuse it only a second after its
 * last packet, and only over loopback). -1 with errno set. */
static int connect_near(const struct sockaddr_storage *at, const struct sockaddr_storage *to)
{
    struct sockaddr_storage other = *at;
    inet_set_port(&other, 0);
    const struct sockaddr_storage *from[2] = {at, &other};
    for (int k = 0; k < 2; k++) {
        int s = bound_near(from[k], SOCK_NONBLOCK);
        if (s < 0) return -1;
        if (connect(s, (const struct sockaddr *)to, inet_len(to)) == 0 || errno == EINPROGRESS) return s;
        int e = errno;
        close(s);
        errno = e;
        if (e != EADDRNOTAVAIL && e != EADDRINUSE) return -1;
    }
    return -1;
}

static void rdv_key(const struct sockrec *r, const char *what, char *out, size_t cap)
{
    say_into(out, cap, what, r->inet.rendezvous + 5 /* past "conn/" */, NULL);
}

static int holder_here(const struct sockrec *recs, int i, const char *me)
{
    return recs[i].kind == S_TCP_CONN && first_of_inode(recs, i) && me_holder(&recs[i], me);
}

void tcp_restart_listen(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me)
{
    ntemps = 0;
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        if (!holder_here(recs, i, me) || !r->inet.internal || !r->inet.acceptor) continue;
        int k = 0;
        while (k < ntemps && !inet_same(&temps[k].addr, &r->inet.local)) k++;
        if (k == ntemps) {
            if (ntemps == MAX_TEMP) continue;
            int s = bound_near(&r->inet.local, SOCK_NONBLOCK);
            if (s >= 0) bind_on_this_host(s, &r->inet.local);
            if (s < 0 || listen(s, SOMAXCONN) < 0) {
                char a[64];
                say_warn("cannot listen on ", inet_text(&r->inet.local, a, sizeof a),
                         " to make connections again: ", strerror(errno), NULL);
                if (s >= 0) close(s);
                continue;
            }
            temps[ntemps].addr = r->inet.local;
            temps[ntemps++].fd = s;
        }
        struct sockaddr_storage a;
        socklen_t al = sizeof a;
        char key[sizeof r->inet.rendezvous + 8], value[96];
        if (getsockname(temps[k].fd, (struct sockaddr *)&a, &al) < 0) continue;
        inet_publish(&a, value, sizeof value);
        rdv_key(r, "at/", key, sizeof key);
        stasis_kv_put_nowait(p, key, value);
    }
}

/* An end whose peer is not ours: a connection of our own whose far end is closed once what
 * had arrived is written into it, so the program reads that, then end of file, and a write
 * fails as after the peer went away. */
static int closed_by_peer(const struct sockrec *r)
{
    struct sockaddr_storage lo;
    memset(&lo, 0, sizeof lo);
    lo.ss_family = r->inet.local.ss_family;
    if (lo.ss_family == AF_INET6) ((struct sockaddr_in6 *)&lo)->sin6_addr = in6addr_loopback;
    else ((struct sockaddr_in *)&lo)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(lo.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int c = socket(lo.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int a = -1;
    socklen_t ll = sizeof lo;
    if (l >= 0 && c >= 0 && bind(l, (struct sockaddr *)&lo, inet_len(&lo)) == 0 && listen(l, 1) == 0 &&
        getsockname(l, (struct sockaddr *)&lo, &ll) == 0 && connect(c, (struct sockaddr *)&lo, inet_len(&lo)) == 0)
        a = accept4(l, 0, 0, SOCK_CLOEXEC);
    if (l >= 0) close(l);
    if (a < 0) {
        if (c >= 0) close(c);
        return -1;
    }
    make_room(c, SO_RCVBUF, SO_RCVBUFFORCE, r->inet.in.total);
    make_room(a, SO_SNDBUF, SO_SNDBUFFORCE, r->inet.in.total);
    struct cursor cur;
    memset(&cur, 0, sizeof cur);
    if (stream_write(&r->inet.in, a, &cur) != 1) {
        char lost[24];
        say_warn(say_num(lost, r->inet.in.total - cur.done), " bytes that had arrived on ", r->what,
                 " did not fit back (lost)", NULL);
    }
    close(a);
    return c;
}

/* The rendezvous keys (at/ or from/) of the connections this process makes on one side, fetched
 * together. */
static void fetch_rendezvous(const struct stasis_plugin *p, const struct sockrec *recs, int n, const char *me,
                             int acceptors, const char *what)
{
    char key[sizeof recs->inet.rendezvous + 8];
    store_clear();
    for (int i = 0; i < n; i++) {
        const struct sockrec *r = &recs[i];
        if (!holder_here(recs, i, me) || !r->inet.internal || r->inet.acceptor != acceptors) continue;
        rdv_key(r, what, key, sizeof key);
        store_want(key);
    }
    store_fetch(p); /* on failure each is asked alone, and fails alone */
}

void tcp_restart_connect(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me,
                         void (*made)(const struct sockrec *r, int fd))
{
    fetch_rendezvous(p, recs, n, me, 0, "at/");
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        if (!holder_here(recs, i, me)) continue;
        char a[64];
        if (!r->inet.internal) {
            int c = closed_by_peer(r);
            char who[64], conn[192];
            say_warn(this_process(who, sizeof who), ": ", connection_text(r, conn, sizeof conn),
                     " comes back closed: its peer is not part of the computation", NULL);
            if (c >= 0) made(r, c);
            continue;
        }
        if (r->inet.acceptor) continue;
        char key[sizeof r->inet.rendezvous + 8], value[96];
        struct sockaddr_storage to;
        rdv_key(r, "at/", key, sizeof key);
        if (store_get(p, key, value, sizeof value) < 0 || inet_parse(value, r->inet.local.ss_family, &to) < 0) {
            say_warn("the peer of the TCP connection to ", inet_text(&r->inet.remote, a, sizeof a),
                     " did not make it again (", r->what, " left closed)", NULL);
            continue;
        }
        int s = connect_near(&r->inet.local, &to);
        if (s < 0) {
            say_warn("cannot connect to ", inet_text(&to, a, sizeof a), " to make ", r->what, " again: ",
                     strerror(errno), NULL);
            continue;
        }
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        if (getsockname(s, (struct sockaddr *)&from, &fl) == 0) {
            inet_publish(&from, value, sizeof value);
            rdv_key(r, "from/", key, sizeof key);
            stasis_kv_put_nowait(p, key, value);
        }
        made(r, s);
    }
}

void tcp_restart_accept(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me,
                        void (*made)(const struct sockrec *r, int fd))
{
    static struct sockaddr_storage from[MAX_SOCKS];
    static char waiting[MAX_SOCKS];
    int pending = 0;
    fetch_rendezvous(p, recs, n, me, 1, "from/");
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        waiting[i] = 0;
        if (!holder_here(recs, i, me) || !r->inet.internal || !r->inet.acceptor) continue;
        char key[sizeof r->inet.rendezvous + 8], value[96];
        rdv_key(r, "from/", key, sizeof key);
        if (store_get(p, key, value, sizeof value) < 0 || inet_parse(value, r->inet.remote.ss_family, &from[i]) < 0) {
            char a[64];
            say_warn("the peer of the TCP connection to ", inet_text(&r->inet.remote, a, sizeof a),
                     " did not connect again (", r->what, " left closed)", NULL);
            continue;
        }
        waiting[i] = 1;
        pending++;
    }
    long start = now_ms();
    while (pending && now_ms() - start < STALL_MS) {
        struct pollfd pfd[MAX_TEMP];
        for (int k = 0; k < ntemps; k++) {
            pfd[k].fd = temps[k].fd;
            pfd[k].events = POLLIN;
            for (;;) {
                struct sockaddr_storage peer;
                socklen_t pl = sizeof peer;
                int c = accept4(temps[k].fd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
                if (c < 0) break;
                int i = 0;
                for (; i < n; i++)
                    if (waiting[i] && inet_same(&from[i], &peer) && inet_same(&recs[i].inet.local, &temps[k].addr)) break;
                if (i == n) { /* not one of ours: the program's business once it listens again */
                    close(c);
                    continue;
                }
                waiting[i] = 0;
                pending--;
                made(&recs[i], c);
            }
        }
        if (pending) poll(pfd, (nfds_t)ntemps, 100);
    }
    for (int i = 0; i < n; i++)
        if (waiting[i]) {
            char a[64];
            say_warn("the peer of the TCP connection to ", inet_text(&recs[i].inet.remote, a, sizeof a),
                     " did not connect again within 10 s (", recs[i].what, " left closed)", NULL);
        }
    for (int k = 0; k < ntemps; k++) close(temps[k].fd);
    ntemps = 0;
}

/* The pid of a process that holds a listening TCP socket on this port (from /proc/net/tcp and
 * the processes' descriptors this user may see); 0 when none is found. */
static long who_listens(int family, uint16_t port)
{
    static char buf[1 << 20];
    int f = open(family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp", O_RDONLY | O_CLOEXEC);
    if (f < 0) return 0;
    ssize_t len = 0, k;
    while (len < (ssize_t)sizeof buf - 1 && (k = read(f, buf + len, sizeof buf - 1 - (size_t)len)) > 0) len += k;
    close(f);
    buf[len] = 0;
    uint64_t inode = 0;
    for (char *line = strchr(buf, '\n'); line && !inode; line = strchr(line + 1, '\n')) {
        /* "  sl  local_address rem_address   st ... inode" */
        char *colon = strchr(line, ':');                        /* after sl */
        char *lport = colon ? strchr(colon + 1, ':') : 0;      /* the local port */
        if (!lport) break;
        uint32_t pt = 0;
        char *c = lport + 1;
        for (; (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'F'); c++) pt = pt * 16 + (uint32_t)(*c <= '9' ? *c - '0' : *c - 'A' + 10);
        char *st = strchr(c + 1, ' ');                          /* past the remote address */
        if (pt != port || !st || st[1] != '0' || st[2] != 'A') continue;
        /* inode: the 10th field */
        char *fld = st + 1;
        for (int skip = 0; skip < 6 && fld; skip++) {
            fld = strchr(fld, ' ');
            while (fld && *fld == ' ') fld++;
        }
        for (; fld && *fld >= '0' && *fld <= '9'; fld++) inode = inode * 10 + (uint64_t)(*fld - '0');
    }
    if (!inode) return 0;
    char want[48], ino[24];
    say_into(want, sizeof want, "socket:[", say_num(ino, inode), "]", NULL);
    int d = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return 0;
    long found = 0;
    char ents[8192];
    for (long got; !found && (got = syscall(SYS_getdents64, d, ents, sizeof ents)) > 0;) {
        for (long off = 0; off < got && !found;) {
            struct dirent64 *e = (struct dirent64 *)(ents + off);
            off += e->d_reclen;
            if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
            char path[64];
            say_into(path, sizeof path, "/proc/", e->d_name, "/fd", NULL);
            int fdd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fdd < 0) continue;
            char fents[8192];
            for (long fg; !found && (fg = syscall(SYS_getdents64, fdd, fents, sizeof fents)) > 0;) {
                for (long fo = 0; fo < fg && !found;) {
                    struct dirent64 *fe = (struct dirent64 *)(fents + fo);
                    fo += fe->d_reclen;
                    char link[48];
                    ssize_t ln = readlinkat(fdd, fe->d_name, link, sizeof link - 1);
                    if (ln <= 0) continue;
                    link[ln] = 0;
                    if (strcmp(link, want) == 0)
                        for (const char *c = e->d_name; *c; c++) found = found * 10 + (*c - '0');
                }
            }
            close(fdd);
        }
    }
    close(d);
    return found;
}

static int listen_again(const struct sockrec *r)
{
    const struct inetrec *t = &r->inet;
    char a[64], pid[24];
    int s = socket(r->domain, SOCK_STREAM | SOCK_CLOEXEC, r->protocol);
    int one = 1;
    if (s >= 0 && r->domain == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &t->v6only, sizeof t->v6only);
    if (s >= 0) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* connections of ours are on it already */
    if (s >= 0 && t->reuseport) setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    int bound = s >= 0 && bind(s, (const struct sockaddr *)&t->local, t->locallen) == 0;
    if (s >= 0 && !bound && errno == EADDRNOTAVAIL) { /* restarted on another host: every address, same port */
        struct sockaddr_storage any;
        memset(&any, 0, sizeof any);
        any.ss_family = t->local.ss_family;
        inet_set_port(&any, inet_port(&t->local));
        bound = bind(s, (const struct sockaddr *)&any, inet_len(&any)) == 0;
        if (bound)
            say_warn(r->what, " listens on every address of this host, port ", say_num(pid, inet_port(&t->local)),
                     ": its address ", inet_text(&t->local, a, sizeof a), " is not here", NULL);
    }
    if (bound && listen(s, r->backlog > 0 ? r->backlog : SOMAXCONN) == 0) {
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &t->reuseaddr, sizeof t->reuseaddr);
        return s;
    }
    int e = errno;
    long holder = e == EADDRINUSE ? who_listens(r->domain, inet_port(&t->local)) : 0;
    say_warn("cannot listen on ", inet_text(&t->local, a, sizeof a), " again (", r->what, " left closed): ",
             holder > 0 ? "process " : strerror(e), holder > 0 ? say_num(pid, (uint64_t)holder) : "",
             holder > 0 ? " listens on that port now" : "", NULL);
    if (s >= 0) close(s);
    return -1;
}

static int fresh_again(const struct sockrec *r)
{
    int s = socket(r->domain, SOCK_STREAM | SOCK_CLOEXEC, r->protocol);
    if (s < 0 || !r->inet.locallen || inet_port(&r->inet.local) == 0) return s;
    int one = 1;
    if (r->domain == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &r->inet.v6only, sizeof r->inet.v6only);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (const struct sockaddr *)&r->inet.local, r->inet.locallen) < 0) {
        char a[64];
        say_warn("cannot bind ", r->what, " to ", inet_text(&r->inet.local, a, sizeof a), " again: ", strerror(errno), NULL);
    }
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &r->inet.reuseaddr, sizeof r->inet.reuseaddr);
    return s;
}

void tcp_restart_rest(struct sockrec *recs, int n, const char *me, void (*made)(const struct sockrec *r, int fd))
{
    for (int i = 0; i < n; i++) {
        struct sockrec *r = &recs[i];
        if ((r->kind != S_TCP_LISTEN && r->kind != S_TCP_FRESH) || !first_of_inode(recs, i) || !me_holder(r, me))
            continue;
        int s = r->kind == S_TCP_LISTEN ? listen_again(r) : fresh_again(r);
        if (s < 0 && r->kind == S_TCP_FRESH) say_warn("cannot make ", r->what, " again: ", strerror(errno), NULL);
        if (s >= 0) made(r, s);
    }
}

void tcp_options(const struct sockrec *r)
{
    const struct inetrec *t = &r->inet;
    setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &t->nodelay, sizeof t->nodelay);
    setsockopt(r->fd, SOL_SOCKET, SO_KEEPALIVE, &t->keepalive, sizeof t->keepalive);
    if (t->keepidle > 0) setsockopt(r->fd, IPPROTO_TCP, TCP_KEEPIDLE, &t->keepidle, sizeof t->keepidle);
    if (t->keepintvl > 0) setsockopt(r->fd, IPPROTO_TCP, TCP_KEEPINTVL, &t->keepintvl, sizeof t->keepintvl);
    if (t->keepcnt > 0) setsockopt(r->fd, IPPROTO_TCP, TCP_KEEPCNT, &t->keepcnt, sizeof t->keepcnt);
    if (t->linger.l_onoff) setsockopt(r->fd, SOL_SOCKET, SO_LINGER, &t->linger, sizeof t->linger);
}

void tcp_finish(const struct sockrec *r)
{
    if (r->kind != S_TCP_CONN) return;
    setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &r->inet.reuseaddr, sizeof r->inet.reuseaddr);
    if (!r->holds_queue || !r->inet.internal) return;
    int st = r->inet.state;
    if (st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 || st == TCP_CLOSING) shutdown(r->fd, SHUT_WR);
}
