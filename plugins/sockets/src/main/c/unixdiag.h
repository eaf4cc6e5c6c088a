/* What the kernel says about a Unix-domain socket (sock_diag), which no socket option tells:
 * the inode of its peer, its state and how far it is shut down. */
#ifndef SOCKETS_UNIXDIAG_H
#define SOCKETS_UNIXDIAG_H
#include <stdint.h>

struct unix_info {
    uint64_t peer;    /* the peer's inode, 0 when there is none (not connected, or it is closed) */
    int state;        /* TCP_ESTABLISHED, TCP_LISTEN or TCP_CLOSE, as the kernel keeps them */
    int shutdown;     /* RCV_SHUTDOWN (1) | SEND_SHUTDOWN (2) */
    int has_shutdown; /* the kernel reported the shutdown state */
    int backlog;      /* a listening socket's: listen()'s backlog as the kernel keeps it */
};

/* Opens the query socket (close-on-exec); -1 when sock_diag is not available. */
int unixdiag_open(void);
/* Fills info for the socket of this inode; 0, or -1 when the kernel does not answer. */
int unixdiag_get(int nl, uint64_t inode, struct unix_info *info);

#endif
