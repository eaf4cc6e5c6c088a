/* The bytes and datagrams waiting in a socket's receive queue: copied at a checkpoint without
 * taking them (MSG_PEEK from a peek offset of 0, so the program reads them as if nothing had
 * happened), and at restart written again through the peer end of the new pair, so they wait
 * in the new socket's queue in the same order and, for datagrams and SEQPACKET, with the same
 * boundaries. The copies live in a region of this plugin's memory, so they are in the image. */
#ifndef SOCKETS_QUEUES_H
#define SOCKETS_QUEUES_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct queue {
    uint64_t off, len;  /* where the copy is in the region, and its size (datagrams: framed) */
    uint32_t messages;  /* datagrams: how many */
    int datagrams;      /* framed as [uint32 length][bytes], padded to 4 */
    int lost_rights;    /* descriptors were in flight (SCM_RIGHTS): not kept */
    uint32_t named_sources; /* datagrams: how many came from a socket with a name */
};

/* Forgets every copy (the start of a checkpoint). */
void queue_reset(void);
/* len bytes of the region (8-aligned) for a plugin's own copies, their offset (never 0) in *off; NULL, with
 * a reason in err, when the region is full or cannot be mapped. */
uint8_t *queue_alloc(uint64_t len, uint64_t *off, char *err, size_t errlen);
/* Gives back the end of the last allocation: the region's use ends at end. */
void queue_unuse(uint64_t end);
/* The bytes at an offset queue_alloc gave. */
uint8_t *queue_at(uint64_t off);
/* Copies fd's receive queue; 0, or -1 with a reason in err. */
int queue_peek(int fd, int datagrams, struct queue *q, char *err, size_t errlen);
/* Writes the copy through writer (the new peer end, nonblocking, its send buffer raised for
 * the purpose); returns the bytes or datagrams that did not fit, 0 when all went in. */
uint64_t queue_refill(int writer, const struct queue *q);
/* The same for datagrams sent to a name (a named datagram socket), from the skip'th on; the
 * datagrams that did not go in, 0 when all did. */
uint64_t queue_refill_to(int writer, const struct sockaddr *to, socklen_t to_len, const struct queue *q,
                         uint32_t skip);

#endif
