/* UDP sockets across checkpoint and restart (AF_INET and AF_INET6).
 *
 * A UDP socket has no send queue to speak of (a datagram leaves at once), so its state is its
 * address, its peer if connected, and the datagrams waiting in its receive queue, which its
 * holder copies without taking them (MSG_PEEK from a peek offset of 0), each with its source.
 * Each socket publishes its bound address in the store, so the holder of a queue can find,
 * for each source, the socket of the computation that sent it. At restart every socket is
 * bound and connected again by its holder, and each waiting datagram is sent again to it from
 * its source's new socket (handed over when another process makes it), so a reply by
 * recvfrom's address still reaches the sender; a datagram from outside the computation comes
 * from a socket of the plugin's own instead, and a warning says how many. */
#ifndef SOCKETS_UDP_H
#define SOCKETS_UDP_H
#include "sockrec.h"

#include <stasis/plugin.h>

/* A socket of family AF_INET or AF_INET6 and type SOCK_DGRAM: its UDP part and kind. */
void udp_record(struct sockrec *r);
/* Forgets the sources of the last checkpoint (the start of a checkpoint). */
void udp_reset(void);
/* Publishes the socket's bound address (every process that holds it). 0, or -1. */
int udp_claim(const struct stasis_plugin *p, const struct sockrec *r);
/* The holder's copy of the waiting datagrams, and who sent each (after the claims' barrier). */
int udp_peek(const struct stasis_plugin *p, struct sockrec *r, char *err, size_t errlen);

/* Restart: the socket made and bound again (its buffers as they were), or -1 after a warning. */
int udp_make(const struct sockrec *r);
/* The k-th source of a socket's datagrams that a process of the computation makes again: its
 * maker and inode; 0, or -1 when there is no k-th such source. */
int udp_source(const struct sockrec *r, uint32_t k, const char **maker, uint64_t *inode);
/* Connected again (the program's descriptor), once every socket of the computation is bound. */
void udp_reconnect(const struct sockrec *r);
/* The waiting datagrams sent again to the socket, each from the descriptor sender(inode) gives
 * for its source (-1: none, a socket of the plugin's own sends it). */
void udp_refill(const struct sockrec *r, int (*sender)(uint64_t inode));

#endif
