/* The sockets plugin's native half: sockets across checkpoint and restart.
 *
 * TCP sockets are tcp.c's (drained at the checkpoint, their connections made again through
 * the store), UDP sockets udp.c's, netlink sockets netlink.c's; this file records every socket,
 * runs the elections and the hand-over, and restores the Unix-domain ones.
 *
 * It handles the Unix-domain sockets of a computation: the two unnamed, connected ends
 * socketpair() makes (stream, datagram and SEQPACKET) and connections made through a listening
 * name, held by one process or by several after fork, with whatever is in flight in either
 * direction; listening names; named datagram sockets with their waiting datagrams, and
 * unnamed datagram senders.
 *
 * PRECHECKPOINT, in every process: each socket is recorded (kind, descriptor flags, options)
 * and the kernel tells its peer's inode (sock_diag, unixdiag.c). Every process that holds an
 * end claims it in the coordinator's store; after a barrier each end has one holder, which
 * copies its receive queue without taking anything (queues.c), and each pair one maker: the
 * holder of its lower end, or of the other when nobody holds that one.
 *
 * RESTART: the maker makes the pair again and hands both ends to every other process that held
 * either (stasis_handover_*), each puts its ends under the old numbers with the old flags; the
 * holder of an end writes that end's saved queue back through the new peer; after a barrier
 * the options and shutdowns are set again. An end whose peer nobody in the computation holds
 * (closed, or outside the computation) comes back with its peer closed: the program reads what
 * was queued, then end of file.
 *
 * This plugin's RESTART runs before the files plugin's (plugin order is reversed at RESTART),
 * so an epoll that watches a socket finds it back. Sockets the launch gave the computation as
 * its standard input, output or error are the files plugin's (stasis_launch_std). Kinds not
 * handled (raw and packet sockets, SCTP, ...) are named in a warning at restart and
 * left closed. Hooks run while the program's threads are stopped, maybe inside libc holding
 * its locks: only system calls here (no stdio, no malloc). */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include "queues.h"
#include "say.h"
#include "sockrec.h"
#include "store.h"
#include "netlink.h"
#include "tcp.h"
#include "udp.h"
#include "unixdiag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

static const struct stasis_plugin sockets;
static struct sockrec recs[MAX_SOCKS];
static int nrecs;
/* --sockets-refuse-outside: no checkpoint while a TCP connection leads outside the computation. */
static int refuse_outside;
/* The generation whose PRECHECKPOINT took TCP queues, so that RESUME puts them back once. */
static uint32_t drained_generation;

/* ---- checkpoint ---- */

static int list_fds(int *out, int cap)
{
    int d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return -1;
    int n = 0;
    char buf[8192];
    for (;;) {
        long k = syscall(SYS_getdents64, d, buf, sizeof buf);
        if (k <= 0) break;
        for (long off = 0; off < k;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            off += e->d_reclen;
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            int fd = 0;
            for (const char *p = e->d_name; *p; p++) fd = fd * 10 + (*p - '0');
            if (fd != d && n < cap) out[n++] = fd;
            else if (fd != d) n++;
        }
    }
    close(d);
    return n;
}

int sock_opt(int fd, int level, int name)
{
    int v = 0;
    socklen_t l = sizeof v;
    return getsockopt(fd, level, name, &v, &l) == 0 ? v : 0;
}

static void opt_time(int fd, int name, struct timeval *tv)
{
    socklen_t l = sizeof *tv;
    if (getsockopt(fd, SOL_SOCKET, name, tv, &l) < 0) memset(tv, 0, sizeof *tv);
}

/* A connected Unix socket: a socketpair end, or either end of a connection made through a
 * listening name. A datagram socket only when unnamed and connected to an unnamed one (a
 * socketpair): one connected to a named datagram socket is one of its many senders. */
static int is_pair_end(int fd, int type, const struct unix_info *u)
{
    if (u->state != 1 /* TCP_ESTABLISHED */) return 0;
    if (type != SOCK_DGRAM) return 1;
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &l) < 0 || l != sizeof(sa_family_t)) return 0;
    l = sizeof a;
    if (getpeername(fd, (struct sockaddr *)&a, &l) < 0) return !u->peer;
    return l == sizeof(sa_family_t);
}

/* The socket's name (a path, or an abstract name starting with a NUL) and its file's
 * permissions; 0 when it has none. */
static int named(struct sockrec *r)
{
    r->namelen = sizeof r->name;
    if (getsockname(r->fd, (struct sockaddr *)&r->name, &r->namelen) < 0 || r->namelen <= sizeof(sa_family_t))
        return 0;
    struct stat st;
    if (r->name.sun_path[0] && stat(r->name.sun_path, &st) == 0) r->path_mode = st.st_mode & 07777;
    return 1;
}

/* A listening Unix socket and its name. */
static int is_listener(struct sockrec *r, const struct unix_info *u)
{
    if (u->state != 10 /* TCP_LISTEN */ || !named(r)) return 0;
    r->backlog = u->backlog;
    return 1;
}

/* A datagram socket that is not a pair's end: named (a server, or a client that wants
 * answers) or not (a sender), and the name it is connected to, if any. */
static int datagram_kind(struct sockrec *r)
{
    r->peerlen = sizeof r->peername;
    if (getpeername(r->fd, (struct sockaddr *)&r->peername, &r->peerlen) < 0 || r->peerlen <= sizeof(sa_family_t))
        r->peerlen = 0;
    return named(r) ? S_BOUND : S_SENDER;
}

/* "<prefix><generation>/<host>/<inode>": inodes are only unique on one machine and in one
 * generation's claims. */
const char *sock_host(void)
{
    static char host[65];
    if (!host[0]) {
        struct utsname u;
        say_into(host, sizeof host, uname(&u) == 0 ? u.nodename : "localhost", NULL);
    }
    return host;
}

static void key_of(char *out, size_t cap, const char *prefix, uint64_t inode)
{
    char gen[24], ino[24];
    say_into(out, cap, prefix, say_num(gen, stasis_generation()), "/", sock_host(), "/", say_num(ino, inode), NULL);
}

static int first_of_inode(int i)
{
    for (int k = 0; k < i; k++)
        if (recs[k].inode == recs[i].inode) return 0;
    return 1;
}

static int record(int fd, int nl, char *err, size_t errlen)
{
    struct stat st;
    if (stasis_agent_fd(fd) || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) return 0;
    if (stasis_launch_std((uint64_t)st.st_dev, (uint64_t)st.st_ino) >= 0) return 0; /* the files plugin's */
    if (nrecs == MAX_SOCKS) {
        char max[24];
        return say_into(err, errlen, "more than ", say_num(max, MAX_SOCKS), " sockets in one process", NULL);
    }
    struct sockrec *r = &recs[nrecs++];
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->fdflags = fcntl(fd, F_GETFD);
    r->flags = fcntl(fd, F_GETFL);
    r->inode = (uint64_t)st.st_ino;
    r->domain = sock_opt(fd, SOL_SOCKET, SO_DOMAIN);
    r->type = sock_opt(fd, SOL_SOCKET, SO_TYPE);
    r->protocol = sock_opt(fd, SOL_SOCKET, SO_PROTOCOL);
    r->sndbuf = sock_opt(fd, SOL_SOCKET, SO_SNDBUF);
    r->rcvbuf = sock_opt(fd, SOL_SOCKET, SO_RCVBUF);
    r->passcred = sock_opt(fd, SOL_SOCKET, SO_PASSCRED);
    r->peek_off = sock_opt(fd, SOL_SOCKET, SO_PEEK_OFF);
    opt_time(fd, SO_RCVTIMEO, &r->rcvtimeo);
    opt_time(fd, SO_SNDTIMEO, &r->sndtimeo);
    char ino[24];
    say_into(r->what, sizeof r->what, "socket:[", say_num(ino, r->inode), "]", NULL);
    r->kind = S_OTHER;
    if (r->domain == AF_UNIX) {
        struct unix_info u;
        if (unixdiag_get(nl, r->inode, &u) < 0) {
            /* not known to sock_diag: left to the warning at restart */
        } else if (is_listener(r, &u)) {
            r->kind = S_LISTEN;
            r->key = r->inode;
        } else if (is_pair_end(fd, r->type, &u)) {
            r->kind = S_PAIR;
            r->peer = u.peer;
            r->shutdown = u.shutdown;
            r->key = r->peer && r->peer < r->inode ? r->peer : r->inode;
            r->end = r->inode != r->key;
        } else if (r->type == SOCK_DGRAM) {
            r->kind = datagram_kind(r);
            r->key = r->inode;
            r->peer = r->kind == S_BOUND && r->peerlen ? u.peer : 0; /* a sender has no queue to refill */
        }
    } else if ((r->domain == AF_INET || r->domain == AF_INET6) && r->type == SOCK_STREAM) {
        tcp_record(r);
    } else if ((r->domain == AF_INET || r->domain == AF_INET6) && r->type == SOCK_DGRAM && r->protocol == IPPROTO_UDP) {
        udp_record(r);
    } else if (r->domain == AF_NETLINK) {
        netlink_record(r);
    }
    return 0;
}

/* Every claim the election below reads, fetched in one round trip after the barrier. */
static void want_claims(void)
{
    char key[160];
    store_clear();
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind == S_OTHER) continue;
        key_of(key, sizeof key, "end/", r->inode);
        store_want(key);
        uint64_t more[3] = {0, 0, 0};
        if (r->kind == S_PAIR) {
            more[0] = r->key;                     /* the lower end */
            more[1] = r->end ? r->inode : r->peer; /* the upper one */
        } else if (r->kind == S_BOUND) {
            more[0] = r->peer;
        }
        for (int k = 0; k < 3; k++) {
            if (!more[k]) continue;
            key_of(key, sizeof key, "end/", more[k]);
            store_want(key);
        }
        if (r->kind == S_TCP_CONN) tcp_want(r);
    }
}

/* Every end one holder (the last to claim it), every pair one maker. */
static int elect(char *err, size_t errlen)
{
    const char *me = stasis_process_id();
    char key[160], holder[ID_MAX];
    for (int i = 0; i < nrecs; i++) {
        if (recs[i].kind == S_OTHER || !first_of_inode(i)) continue;
        key_of(key, sizeof key, "end/", recs[i].inode);
        if (stasis_kv_put_nowait(&sockets, key, me) < 0 || (recs[i].kind == S_TCP_CONN && tcp_claim(&sockets, &recs[i]) < 0) ||
            (recs[i].kind == S_UDP && udp_claim(&sockets, &recs[i]) < 0))
            return say_into(err, errlen, "cannot reach the coordinator's store", NULL);
    }
    want_claims();
    /* every process passes here, sockets or not */
    if (stasis_barrier(&sockets, "ends-claimed") < 0)
        return say_into(err, errlen, "the other processes did not reach the socket election", NULL);
    if (store_fetch(&sockets) < 0) return say_into(err, errlen, "cannot reach the coordinator's store", NULL);
    for (int i = 0; i < nrecs; i++) {
        struct sockrec *r = &recs[i];
        if (r->kind == S_TCP_CONN || r->kind == S_TCP_LISTEN || r->kind == S_TCP_FRESH || r->kind == S_UDP ||
            r->kind == S_NETLINK) {
            /* made again by its holder */
            key_of(key, sizeof key, "end/", r->inode);
            if (store_get(&sockets, key, r->maker, sizeof r->maker) < 0) say_into(r->maker, sizeof r->maker, me, NULL);
            r->holds_queue = (r->kind == S_TCP_CONN || r->kind == S_UDP) && first_of_inode(i) && strcmp(r->maker, me) == 0;
            if (r->kind == S_TCP_CONN) tcp_find_peer(&sockets, r);
            continue;
        }
        if (r->kind == S_LISTEN || r->kind == S_BOUND || r->kind == S_SENDER) { /* made again by its holder */
            key_of(key, sizeof key, "end/", r->inode);
            if (store_get(&sockets, key, r->maker, sizeof r->maker) < 0) say_into(r->maker, sizeof r->maker, me, NULL);
            r->holds_queue = r->kind == S_BOUND && first_of_inode(i) && strcmp(r->maker, me) == 0;
            /* a connected peer of ours sends the waiting datagrams again, as it sent them */
            key_of(key, sizeof key, "end/", r->peer);
            if (!r->peer || store_get(&sockets, key, r->peer_maker, sizeof r->peer_maker) < 0) r->peer = 0;
            continue;
        }
        if (r->kind != S_PAIR) continue;
        key_of(key, sizeof key, "end/", r->inode);
        r->holds_queue = first_of_inode(i) && store_get(&sockets, key, holder, sizeof holder) >= 0 &&
                         strcmp(holder, me) == 0;
        /* the maker: the lower end's holder, or the other's when nobody of ours holds that one */
        uint64_t lower = r->key, upper = r->end ? r->inode : r->peer;
        r->maker[0] = 0;
        key_of(key, sizeof key, "end/", lower);
        if (store_get(&sockets, key, r->maker, sizeof r->maker) < 0 && upper) {
            key_of(key, sizeof key, "end/", upper);
            if (store_get(&sockets, key, r->maker, sizeof r->maker) < 0) r->maker[0] = 0;
        }
        if (!r->maker[0]) say_into(r->maker, sizeof r->maker, me, NULL);
        /* a peer nobody of ours holds is as good as closed at restart */
        if (r->peer) {
            key_of(key, sizeof key, "end/", r->end ? r->key : r->peer);
            if (store_get(&sockets, key, holder, sizeof holder) < 0) r->peer = 0;
        }
    }
    return 0;
}

static int sockets_precheckpoint(char *err, size_t errlen)
{
    static int fds[MAX_SOCKS + 4096];
    int n = list_fds(fds, sizeof fds / sizeof fds[0]);
    if (n < 0) return say_into(err, errlen, "cannot list this process's descriptors (/proc/self/fd)", NULL);
    nrecs = 0;
    queue_reset();
    udp_reset();
    int nl = unixdiag_open();
    int rc = 0;
    for (int i = 0; i < n && i < (int)(sizeof fds / sizeof fds[0]) && rc == 0; i++) rc = record(fds[i], nl, err, errlen);
    if (nl >= 0) close(nl);
    if (rc < 0) return -1;
    if (elect(err, errlen) < 0) return -1;
    if (refuse_outside && tcp_outside(recs, nrecs, err, errlen) < 0) return -1;
    tcp_note_outside(&sockets, recs, nrecs);
    for (int i = 0; i < nrecs; i++) {
        struct sockrec *r = &recs[i];
        if (!r->holds_queue || r->kind == S_TCP_CONN) continue;
        if (r->kind == S_UDP ? udp_peek(&sockets, r, err, errlen) < 0
                             : queue_peek(r->fd, r->type != SOCK_STREAM, &r->queue, err, errlen) < 0)
            return -1;
        if (r->queue.lost_rights) {
            char note[256];
            say_into(note, sizeof note, "descriptors in flight to ", r->what,
                     " (SCM_RIGHTS, sent but not yet received) will not come back at a restart; the bytes"
                     " that carry them will", NULL);
            stasis_note(&sockets, note);
        }
    }
    /* Draining takes bytes out of the kernel that only the peer's own put back returns: start
     * only once every process is here (none refused or failed before), so that none drains
     * towards a peer that will not put back at RESUME. */
    if (stasis_barrier(&sockets, "tcp-drain") < 0)
        return say_into(err, errlen, "the other processes did not reach the TCP drain", NULL);
    drained_generation = stasis_generation();
    return tcp_drain(recs, nrecs, err, errlen);
}

/* After a checkpoint (not a restart): what TCP connections had in flight goes back in. */
static void sockets_resume(void)
{
    if (stasis_restarting() || drained_generation != stasis_generation()) return;
    drained_generation = 0; /* an abort's RESUME after this one finds nothing to put back */
    tcp_put_back(recs, nrecs, 0);
}

/* ---- restart ---- */

/* Above every number the program's sockets are restored into: ours wait there. */
static int scratch_floor = 3;

/* The numbers below scratch_floor that a socket of the program goes back to (one bit each);
 * numbers beyond the map count as the program's. */
#define MAPPED_FDS (1 << 20)
static uint8_t program_number[MAPPED_FDS / 8];

static int programs(int fd)
{
    return fd >= MAPPED_FDS || (program_number[fd / 8] >> (fd % 8) & 1);
}

static void map_program_numbers(void)
{
    size_t used = (size_t)scratch_floor / 8 + 1;
    memset(program_number, 0, used < sizeof program_number ? used : sizeof program_number);
    for (int i = 0; i < nrecs; i++)
        if (recs[i].fd >= 0 && recs[i].fd < MAPPED_FDS) program_number[recs[i].fd / 8] |= (uint8_t)(1 << recs[i].fd % 8);
}

/* A descriptor of ours, out of the way of the program's sockets: above their numbers, or where
 * it is when no number is free there (RLIMIT_NOFILE's hard limit) and none of them goes there.
 * The files plugin restores its descriptors after this plugin has closed all of its own. */
static int high(int fd)
{
    if (fd < 0 || fd >= scratch_floor) return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, scratch_floor);
    if (h < 0 && !programs(fd)) return fd;
    if (h < 0) say_warn("no descriptor number free above the program's (RLIMIT_NOFILE): ", strerror(errno), NULL);
    close(fd);
    return h;
}

/* One of ours, as opposed to a socket made again straight under its program's number. */
static int ours(int fd) { return fd >= scratch_floor || (fd >= 0 && !programs(fd)); }

#define MAX_PAIRS MAX_SOCKS
static struct pair {
    uint64_t key;
    int ends[2];
} pairs[MAX_PAIRS];
static int npairs;

static struct pair *pair_of(uint64_t key)
{
    for (int i = 0; i < npairs; i++)
        if (pairs[i].key == key) return &pairs[i];
    return 0;
}

static int pair_lookup(uint64_t key, int fds[2])
{
    struct pair *p = pair_of(key);
    if (!p) return -1;
    fds[0] = p->ends[0];
    fds[1] = p->ends[1];
    return 0;
}

/* A socket this process made again for a record (TCP, UDP, netlink): filed like a pair whose
 * two ends are the same descriptor, for the hand-over and for placing. It goes under its own
 * number at once when that is free, so that thousands of connections need no room above the
 * program's numbers; else (one of ours holds the number for now) it waits above them. */
static void made(const struct sockrec *r, int fd)
{
    if (npairs == MAX_PAIRS) {
        close(fd);
        return;
    }
    int s = fd;
    if (fd != r->fd && fcntl(r->fd, F_GETFD) < 0 && errno == EBADF && dup3(fd, r->fd, O_CLOEXEC) == r->fd) {
        close(fd);
        s = r->fd;
    } else if (fd != r->fd) {
        s = high(fd);
    }
    if (s < 0) {
        say_warn("no descriptor number free for ", r->what, " (left closed)", NULL);
        return;
    }
    struct pair *p = &pairs[npairs++];
    p->key = r->key;
    p->ends[0] = p->ends[1] = s;
}

/* Room above the program's numbers for ours while the sockets are made again: at most two per
 * record, and a few for the store and the hand-over. Raised within the hard limit, put back
 * when done; 1 when raised. */
static int scratch_room(struct rlimit *was)
{
    if (getrlimit(RLIMIT_NOFILE, was) < 0) return 0;
    rlim_t want = (rlim_t)scratch_floor + 2 * (rlim_t)nrecs + 64;
    if (was->rlim_cur >= want || was->rlim_cur >= was->rlim_max) return 0;
    struct rlimit more = {want < was->rlim_max ? want : was->rlim_max, was->rlim_max};
    return setrlimit(RLIMIT_NOFILE, &more) == 0;
}

/* The descriptor this process has, made or handed over, for the socket of that inode; -1. */
static int sender_of(uint64_t inode)
{
    struct pair *p = pair_of(inode);
    return p ? p->ends[0] : -1;
}

static int i_make(const struct sockrec *r) { return strcmp(r->maker, stasis_process_id()) == 0; }

/* This process holds the socket of that inode (and so gets it back by itself). */
static int held_here(uint64_t inode)
{
    for (int k = 0; k < nrecs; k++)
        if (recs[k].kind != S_OTHER && recs[k].inode == inode) return 1;
    return 0;
}

static int first_of_pair(int i)
{
    for (int k = 0; k < i; k++)
        if (recs[k].kind != S_OTHER && recs[k].key == recs[i].key) return 0;
    return 1;
}

static void place(const struct sockrec *r, int from)
{
    if (from == r->fd) fcntl(from, F_SETFD, r->fdflags & FD_CLOEXEC);
    else if (dup3(from, r->fd, (r->fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
        say_warn("cannot put ", r->what, " back under its number: ", strerror(errno), NULL);
        return;
    }
    fcntl(r->fd, F_SETFL, r->flags);
}

static void set_options(const struct sockrec *r)
{
    /* the kernel doubles what it is given and reports the doubled value */
    int snd = r->sndbuf / 2, rcv = r->rcvbuf / 2;
    if (setsockopt(r->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) < 0)
        setsockopt(r->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
        setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &r->passcred, sizeof r->passcred);
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &r->rcvtimeo, sizeof r->rcvtimeo);
    setsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &r->sndtimeo, sizeof r->sndtimeo);
    if (r->peek_off >= 0) setsockopt(r->fd, SOL_SOCKET, SO_PEEK_OFF, &r->peek_off, sizeof r->peek_off);
}

/* Who holds a Unix name now: the pid of the process that accepts a connection to it (0 when
 * nobody listens there, -1 when it cannot tell). */
static long listening_there(const struct sockrec *r)
{
    int s = socket(AF_UNIX, r->type | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    long pid = 0;
    if (connect(s, (const struct sockaddr *)&r->name, r->namelen) == 0) {
        struct ucred cred;
        socklen_t cl = sizeof cred;
        /* a datagram socket has no credentials to tell: someone, but unknown */
        pid = getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0 ? cred.pid : -1;
    } else if (errno != ECONNREFUSED && errno != ENOENT) {
        pid = -1;
    }
    close(s);
    return pid;
}

/* A Unix name as ss shows it: the path, or "@" and the abstract name. */
static const char *shown_name(const struct sockaddr_un *a, socklen_t len, char *out, size_t cap)
{
    int path = a->sun_path[0] != 0;
    size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    if (!path && n) n--; /* the leading NUL */
    if (path && n && a->sun_path[n - 1] == 0) n--;
    if (n > cap - 2) n = cap - 2;
    out[0] = '@';
    memcpy(out + 1, a->sun_path + (path ? 0 : 1), n);
    out[n + 1] = 0;
    return path ? out + 1 : out;
}

/* The socket made again on its name (listening again for a listener); a socket file left by
 * the run that was killed is removed first, but never one a stranger uses. -1 after a warning. */
static int bind_again(const struct sockrec *r)
{
    const char *path = r->name.sun_path[0] ? r->name.sun_path : 0;
    char shown[sizeof r->name.sun_path + 2];
    const char *what = shown_name(&r->name, r->namelen, shown, sizeof shown);
    const char *verb = r->kind == S_LISTEN ? "cannot listen on " : "cannot bind ";
    long holder = listening_there(r);
    if (holder != 0) {
        char pid[24];
        say_warn(verb, what, " again (", r->what, " left closed): ",
                 holder > 0 ? "process " : "another process", holder > 0 ? say_num(pid, (uint64_t)holder) : "",
                 holder > 0 ? (r->kind == S_LISTEN ? " listens there now" : " is bound there now")
                            : (r->kind == S_LISTEN ? " may listen there now" : " may be bound there now"),
                 NULL);
        return -1;
    }
    if (path) unlink(path); /* the socket file of the run that was killed */
    int s = socket(AF_UNIX, r->type | SOCK_CLOEXEC, r->protocol);
    if (s < 0 || bind(s, (const struct sockaddr *)&r->name, r->namelen) < 0 ||
        (r->kind == S_LISTEN && listen(s, r->backlog > 0 ? r->backlog : SOMAXCONN) < 0)) {
        say_warn(verb, what, " again (", r->what, " left closed): ", strerror(errno), NULL);
        if (s >= 0) close(s);
        return -1;
    }
    if (path && r->path_mode) chmod(path, r->path_mode);
    return s;
}

/* The datagrams that waited in a named datagram socket, sent to its new socket again: by its
 * peer when it is connected to one of ours (which sent them all: a connected datagram socket
 * takes nothing from anyone else), so they come from the same name, and without the limit the
 * kernel puts on strangers (net.unix.max_dgram_qlen); otherwise from an unnamed socket. */
static void refill_named(const struct sockrec *r, int peer)
{
    const struct queue *q = &r->queue;
    if (!q->messages) return;
    char shown[sizeof r->name.sun_path + 2];
    const char *what = shown_name(&r->name, r->namelen, shown, sizeof shown);
    int t = peer >= 0 ? peer : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    uint64_t left = t < 0 ? q->messages : queue_refill_to(t, (const struct sockaddr *)&r->name, r->namelen, q, 0);
    if (left) {
        char n[24];
        say_warn(say_num(n, left), " datagrams in flight to ", what, " (", r->what, ") did not fit back (lost): ",
                 strerror(errno), NULL);
    }
    if (q->named_sources && peer < 0) {
        char n[24];
        say_warn(say_num(n, q->named_sources), " datagrams in flight to ", what,
                 " come back without their sender's name (a reply to them fails)", NULL);
    }
    if (t >= 0 && t != peer) close(t);
}

/* A datagram socket connected to a name again, once every name of ours is bound. */
static void reconnect(const struct sockrec *r)
{
    if (!r->peerlen) return;
    if (connect(r->fd, (const struct sockaddr *)&r->peername, r->peerlen) < 0) {
        char shown[sizeof r->peername.sun_path + 2];
        say_warn("cannot connect ", r->what, " to ", shown_name(&r->peername, r->peerlen, shown, sizeof shown),
                 " again: ", strerror(errno), NULL);
    }
}

static void sockets_restart(void)
{
    int top = 2;
    for (int i = 0; i < nrecs; i++)
        if (recs[i].fd > top) top = recs[i].fd;
    scratch_floor = top + 1;
    npairs = 0;
    map_program_numbers();
    struct rlimit nofile;
    int raised = scratch_room(&nofile);
    /* TCP connections first, through temporary listeners on the old addresses; the listening
     * sockets only once those are closed */
    const char *me = stasis_process_id();
    tcp_restart_listen(&sockets, recs, nrecs, me);
    if (stasis_barrier(&sockets, "tcp-listening") < 0) say_warn("no barrier with the other processes: TCP connections may be lost", NULL);
    tcp_restart_connect(&sockets, recs, nrecs, me, made);
    if (stasis_barrier(&sockets, "tcp-connected") < 0) say_warn("no barrier with the other processes: TCP connections may be lost", NULL);
    tcp_restart_accept(&sockets, recs, nrecs, me, made);
    if (stasis_barrier(&sockets, "tcp-accepted") < 0) say_warn("no barrier with the other processes: TCP listeners may be lost", NULL);
    tcp_restart_rest(recs, nrecs, me, made);
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if ((r->kind != S_UDP && r->kind != S_NETLINK) || !first_of_pair(i) || !i_make(r)) continue;
        int s = r->kind == S_UDP ? udp_make(r) : netlink_make(r);
        if (s >= 0) made(r, s);
    }
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind != S_PAIR || !first_of_pair(i) || !i_make(r)) continue;
        int sv[2];
        if (socketpair(r->domain, r->type | SOCK_CLOEXEC, r->protocol, sv) < 0) {
            say_warn("cannot make ", r->what, " again (left closed): ", strerror(errno), NULL);
            continue;
        }
        struct pair *p = &pairs[npairs++];
        p->key = r->key;
        p->ends[0] = high(sv[0]);
        p->ends[1] = high(sv[1]);
    }
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if ((r->kind != S_LISTEN && r->kind != S_BOUND && r->kind != S_SENDER) || !first_of_pair(i) || !i_make(r))
            continue;
        int l = high(r->kind == S_SENDER ? socket(AF_UNIX, r->type | SOCK_CLOEXEC, r->protocol) : bind_again(r));
        if (l < 0 && r->kind == S_SENDER) say_warn("cannot make ", r->what, " again (left closed): ", strerror(errno), NULL);
        if (l < 0) continue;
        struct pair *p = &pairs[npairs++];
        p->key = r->key;
        p->ends[0] = l;
        p->ends[1] = high(fcntl(l, F_DUPFD_CLOEXEC, scratch_floor));
    }
    int listener = npairs ? high(stasis_handover_listen(&sockets)) : -1;
    if (npairs && listener < 0) say_warn("cannot offer socket pairs to the other processes", NULL);
    if (stasis_barrier(&sockets, "pairs-made") < 0) say_warn("no barrier with the other processes: socket pairs may be lost", NULL);
    static int asked[MAX_PAIRS];
    static uint64_t asked_key[MAX_PAIRS];
    int nasked = 0;
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind == S_OTHER || !first_of_pair(i) || i_make(r)) continue;
        int c = high(stasis_handover_ask(&sockets, r->maker, r->key));
        if (c < 0) {
            say_warn("cannot reach the process that makes ", r->what, " again (left closed)", NULL);
            continue;
        }
        asked_key[nasked] = r->key;
        asked[nasked++] = c;
    }
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (!r->holds_queue || r->kind != S_BOUND || !r->peer || !r->queue.messages || held_here(r->peer) ||
            strcmp(r->peer_maker, stasis_process_id()) == 0)
            continue;
        int c = high(stasis_handover_ask(&sockets, r->peer_maker, r->peer));
        if (c < 0) continue; /* refilled from a socket of ours instead */
        asked_key[nasked] = r->peer;
        asked[nasked++] = c;
    }
    /* the senders of the datagrams waiting in UDP sockets send them again */
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind != S_UDP || !r->holds_queue) continue;
        const char *maker;
        uint64_t inode;
        for (uint32_t k = 0; nasked < MAX_PAIRS && udp_source(r, k, &maker, &inode) == 0; k++) {
            int dup = held_here(inode) || strcmp(maker, stasis_process_id()) == 0;
            for (int a = 0; a < nasked && !dup; a++) dup = asked_key[a] == inode;
            if (dup) continue;
            int c = high(stasis_handover_ask(&sockets, maker, inode));
            if (c < 0) continue; /* sent from a socket of ours instead */
            asked_key[nasked] = inode;
            asked[nasked++] = c;
        }
    }
    if (stasis_barrier(&sockets, "pairs-asked") < 0) say_warn("no barrier with the other processes: socket pairs may be lost", NULL);
    if (listener >= 0) {
        stasis_handover_serve(listener, pair_lookup);
        close(listener);
    }
    for (int i = 0; i < nasked && npairs < MAX_PAIRS; i++) {
        int ends[2];
        if (stasis_handover_receive(asked[i], ends) < 0) {
            say_warn("did not receive a socket pair from the process that made it (left closed)", NULL);
            continue;
        }
        struct pair *p = &pairs[npairs++];
        p->key = asked_key[i];
        p->ends[0] = high(ends[0]);
        p->ends[1] = high(ends[1]);
    }
    /* under the old numbers, then the queues (through the peer end) */
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind == S_OTHER) {
            say_warn("socket kind not restored yet (left closed): ", r->what, NULL);
            continue;
        }
        struct pair *p = pair_of(r->key);
        if (p) place(r, p->ends[r->end]);
    }
    /* every name of ours is bound (barrier pairs-made): datagram sockets connect to theirs again,
     * before any refill (connecting a datagram socket later would empty its queue) */
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if ((r->kind == S_BOUND || r->kind == S_SENDER) && first_of_pair(i) && i_make(r) && pair_of(r->key)) reconnect(r);
        if (r->kind == S_UDP && first_of_pair(i) && i_make(r) && pair_of(r->key)) udp_reconnect(r);
    }
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        struct pair *p = r->holds_queue ? pair_of(r->key) : 0;
        if (!p || r->kind == S_TCP_CONN) continue;
        if (r->kind == S_UDP) {
            udp_refill(r, sender_of);
            continue;
        }
        if (r->kind == S_BOUND) {
            struct pair *peer = r->peer ? pair_of(r->peer) : 0;
            refill_named(r, peer ? peer->ends[0] : -1);
            continue;
        }
        uint64_t lost = queue_refill(p->ends[1 - r->end], &r->queue);
        if (lost) {
            char n[24];
            say_warn(say_num(n, lost), r->queue.datagrams ? " datagrams" : " bytes", " in flight to ", r->what,
                     " did not fit back (lost)", NULL);
        }
        if (r->queue.lost_rights)
            say_warn("descriptors in flight to ", r->what, " (SCM_RIGHTS) were not kept", NULL);
    }
    tcp_put_back(recs, nrecs, 1);
    if (stasis_barrier(&sockets, "pairs-refilled") < 0) say_warn("no barrier with the other processes", NULL);
    for (int i = 0; i < nrecs; i++) {
        const struct sockrec *r = &recs[i];
        if (r->kind == S_OTHER || !pair_of(r->key)) continue;
        set_options(r);
        if (r->kind == S_TCP_CONN || r->kind == S_TCP_LISTEN || r->kind == S_TCP_FRESH) {
            tcp_options(r);
            tcp_finish(r);
            continue;
        }
        if (r->holds_queue && r->peer && r->shutdown) { /* a closed peer shuts it down by itself */
            int how = r->shutdown == 3 ? SHUT_RDWR : r->shutdown == 1 ? SHUT_RD : SHUT_WR;
            shutdown(r->fd, how);
        }
    }
    /* our copies of the ends (not one made() put straight under the program's number): the
     * program's numbers hold their own now. A peer nobody holds
     * closes with the last copy: the program then reads the queue, then end of file. */
    for (int i = 0; i < npairs; i++) {
        if (ours(pairs[i].ends[0])) close(pairs[i].ends[0]);
        if (ours(pairs[i].ends[1]) && pairs[i].ends[1] != pairs[i].ends[0]) close(pairs[i].ends[1]);
    }
    if (raised) setrlimit(RLIMIT_NOFILE, &nofile);
}

static const struct stasis_plugin sockets = {
    STASIS_SDK_INIT, "sockets", 0, sockets_precheckpoint, sockets_resume, sockets_restart,
};

__attribute__((constructor)) static void sockets_init(void)
{
    refuse_outside = stasis_option(&sockets, "--sockets-refuse-outside") != NULL;
    stasis_register(&sockets);
}
