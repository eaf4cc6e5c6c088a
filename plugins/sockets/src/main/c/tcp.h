/* TCP sockets across checkpoint and restart (AF_INET and AF_INET6).
 *
 * A connection whose two ends are both held by processes of the computation is found through
 * the coordinator's store: each end publishes its address pair, and looks up the reverse one.
 *
 * At a checkpoint a connection where neither end has bytes sent but not yet acknowledged
 * (SIOCOUTQ, published with the address pair) holds everything in its receive queues: those
 * are copied (MSG_PEEK), nothing is taken, nothing needs putting back. On any other, the
 * holder of each end drains what is in flight to it: both ends send a cookie (16 bytes derived
 * from the end's host, inode and generation) and read until the peer's cookie arrives, so the
 * bytes still in the sender's kernel buffer are caught too (an unprivileged process has no
 * TCP_REPAIR to read a send queue). A half-closed connection cannot take a cookie in its closed
 * direction: its queue is only copied.
 *
 * Putting back, after a checkpoint that drained (on the same connection) or a restart (on a new one): each
 * end sends the peer [length][what was in flight to me], reads the peer's length and bytes,
 * and sends those bytes back, so each end's queue holds again what it held, in order.
 *
 * At restart a connection is made again by its two holders: the end whose address pair sorts
 * first accepts on a temporary listener bound to its old address (its port, so getsockname
 * tells what it told), the other binds its old address too and connects to the one the
 * acceptor published. Listening sockets listen again only once every temporary listener is
 * closed. An end whose peer is not in the computation comes back as a connection the peer
 * closed: what had arrived, then end of file. */
#ifndef SOCKETS_TCP_H
#define SOCKETS_TCP_H
#include "sockrec.h"

#include <stasis/plugin.h>

/* A socket of family AF_INET or AF_INET6 and type SOCK_STREAM: its TCP part and kind. */
void tcp_record(struct sockrec *r);
/* Publishes a connection end's address pair (every process that holds it). 0, or -1. */
int tcp_claim(const struct stasis_plugin *p, struct sockrec *r);
/* Names the store key tcp_find_peer will read (store.h), for the batch fetched after the barrier. */
void tcp_want(const struct sockrec *r);
/* After the claims' barrier: whether the peer is ours, and the cookies. */
void tcp_find_peer(const struct stasis_plugin *p, struct sockrec *r);
/* -1 with every TCP connection of this process whose peer is outside the computation named in
 * err (for --sockets-refuse-outside); 0 when there is none. */
int tcp_outside(const struct sockrec *recs, int n, char *err, size_t errlen);
/* A note for the checkpoint's result for each of them (they would come back closed). */
void tcp_note_outside(const struct stasis_plugin *p, const struct sockrec *recs, int n);
/* Drains (or copies) what is in flight to every end this process holds the queue of. */
int tcp_drain(struct sockrec *recs, int n, char *err, size_t errlen);
/* Puts back what was drained: at RESUME (restart 0), or after a restart (restart 1). */
void tcp_put_back(struct sockrec *recs, int n, int restart);

/* Restart, in this order with a barrier between the steps (every process calls every step).
 * made(r, fd) files a descriptor this process made for record r. */
void tcp_restart_listen(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me);
void tcp_restart_connect(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me,
                         void (*made)(const struct sockrec *r, int fd));
void tcp_restart_accept(const struct stasis_plugin *p, struct sockrec *recs, int n, const char *me,
                        void (*made)(const struct sockrec *r, int fd));
/* After every temporary listener is closed: listeners and unconnected sockets made again. */
void tcp_restart_rest(struct sockrec *recs, int n, const char *me, void (*made)(const struct sockrec *r, int fd));
/* Options of a remade TCP socket (the program's fd), before its queue is put back. */
void tcp_options(const struct sockrec *r);
/* After the put back: the half-closed ends shut down again, SO_REUSEADDR as it was. */
void tcp_finish(const struct sockrec *r);

#endif
