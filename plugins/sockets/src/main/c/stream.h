/* A byte stream kept in the plugin's region (queues.h) as a chain of chunks, so that many
 * streams can grow at once, each read appending where its last one stopped: what a TCP
 * connection had in flight, drained at a checkpoint, or read from a peer during a refill. Only
 * system calls: the hooks run while the program's threads are stopped. */
#ifndef SOCKETS_STREAM_H
#define SOCKETS_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stream {
    uint64_t head, tail; /* region offsets of the first and last chunk, 0 when empty */
    uint64_t total;      /* bytes in the stream (may end before the last chunk does) */
};

/* A place in a stream being written out. */
struct cursor {
    uint64_t chunk; /* the chunk (0: not started) */
    uint32_t at;    /* bytes of it already written */
    uint64_t done;  /* bytes of the stream already written */
};

/* Reads once from fd (nonblocking, with flags such as MSG_PEEK) onto the stream's end, at most
 * max bytes (0: any amount). Returns the bytes read, 0 at end of file, -1 with errno (EAGAIN
 * when nothing waits, ENOMEM when the region is full). */
ssize_t stream_read(struct stream *s, int fd, uint64_t max, int flags);
/* The last n bytes of the stream (n <= 32) into out; 0, or -1 when it is shorter. */
int stream_tail(const struct stream *s, uint8_t *out, uint32_t n);
/* Writes (nonblocking) from the cursor on, up to the stream's total. Returns 1 when all is
 * written, 0 when the socket takes no more for now, -1 with errno on an error. */
int stream_write(const struct stream *s, int fd, struct cursor *c);

#endif
