/* What the plugin records of one socket of the program at a checkpoint, kept in its memory (and
 * so in the image) for the restart. */
#ifndef SOCKETS_SOCKREC_H
#define SOCKETS_SOCKREC_H
#include "queues.h"
#include "stream.h"

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#define MAX_SOCKS 65536
#define ID_MAX 96

/* A TCP or UDP socket's part of the record (the drain and put back fields are TCP's). */
struct inetrec {
    struct sockaddr_storage local, remote; /* getsockname, getpeername */
    socklen_t locallen, remotelen;
    int state, peer_state;         /* TCP_ESTABLISHED, TCP_LISTEN, ... of this end and of its peer */
    int outq, peer_outq;           /* bytes sent but not acknowledged yet (SIOCOUTQ), here and there */
    int nodelay, keepalive, reuseaddr, reuseport, v6only, keepidle, keepintvl, keepcnt, broadcast;
    struct linger linger;
    int internal;                  /* the peer end is a socket of the computation */
    int drained;                   /* its queue was taken at the checkpoint: put back at resume */
    int acceptor;                  /* made again by accepting (1) or by connecting (0) */
    uint8_t cookie[16];            /* what the peer sends last when it is drained */
    uint8_t my_cookie[16];         /* what this end sends last */
    char rendezvous[200];          /* the connection's name in the coordinator's store */
    struct stream in;              /* what was in flight to this end */
    /* putting it back (tcp_put_back): the length of what the peer had in flight, its bytes as
     * they come over, and how far each of the three steps got */
    uint8_t len_out[8], len_in[8];
    uint32_t len_sent, len_got;
    struct stream back;
    struct cursor c_in, c_back;
    int dance; /* 0 not taking part, 1 under way, 2 done, -1 failed */
    /* UDP: where this socket's waiting datagrams came from (udp.c's table of sources) */
    uint32_t first_source, sources;
};

enum sock_kind {
    S_PAIR,   /* a connected Unix-domain pair: made again with socketpair() */
    S_LISTEN, /* a listening Unix-domain socket with a name: bound and listening again */
    S_BOUND,  /* a Unix-domain datagram socket with a name: bound again, its queue refilled */
    S_SENDER, /* an unnamed Unix-domain datagram socket, unconnected or connected to a name */
    S_TCP_LISTEN, /* a listening TCP socket: listening again on its address */
    S_TCP_CONN,   /* a TCP connection: made again with its peer, or found closed (tcp.h) */
    S_TCP_FRESH,  /* a TCP socket neither connected nor listening: made again, bound again if it was */
    S_UDP,        /* a UDP socket: bound and connected again, its waiting datagrams sent again (udp.h) */
    S_NETLINK,    /* a netlink socket (libc's, a routing or uevent listener): made again, its groups joined */
    S_OTHER,  /* not restored yet */
};

struct sockrec {
    int fd, fdflags, flags;        /* the number, FD_CLOEXEC, the file status flags (O_NONBLOCK) */
    int kind, domain, type, protocol;
    uint64_t inode, peer;          /* the end and its peer (0: none) */
    uint64_t key;                  /* a pair's name: the lower of its two inodes */
    int end;                       /* 0 for the pair's lower end, 1 for the other */
    int shutdown;                  /* RCV_SHUTDOWN (1) | SEND_SHUTDOWN (2) of this end */
    int sndbuf, rcvbuf, passcred, peek_off;
    int backlog;                   /* a listener's */
    struct sockaddr_un name;       /* a listener's or a named datagram socket's address */
    socklen_t namelen;
    uint32_t path_mode;            /* its socket file: its permissions */
    struct sockaddr_un peername;   /* a datagram socket's: the name it is connected to */
    socklen_t peerlen;             /* 0 when not connected to a name */
    struct timeval rcvtimeo, sndtimeo;
    int holds_queue;               /* this process copied this end's queue */
    struct queue queue;
    char maker[ID_MAX];            /* the process that makes the pair again */
    char peer_maker[ID_MAX];       /* a connected named datagram socket's: who makes its peer again */
    char what[48];                 /* "socket:[inode]", for messages */
    struct inetrec inet;           /* a TCP or UDP socket's own part */
    uint32_t nl_groups;            /* a netlink socket's multicast groups (the first 32) */
};

/* This machine's name (uname), for names in the store that are only unique on one machine. */
const char *sock_host(void);
/* An integer socket option, 0 when it cannot be read. */
int sock_opt(int fd, int level, int name);

#endif
