/* stream.h */
#define _GNU_SOURCE
#include "stream.h"
#include "queues.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* A chunk is sized to what waits in the socket when it is made, between a page and 1 MiB: a
 * busy connection needs few, an idle one none, and a thousand connections with a cookie each
 * take a thousand small chunks, not a thousand mebibytes of the region. */
#define CHUNK_MIN 4096u
#define CHUNK_MAX (1u << 20)

struct chunk {
    uint64_t next; /* the next chunk's region offset, 0 for the last */
    uint32_t len;  /* bytes in use */
    uint32_t cap;  /* bytes it holds */
};

static struct chunk *at(uint64_t off) { return (struct chunk *)queue_at(off); }
static uint8_t *data(struct chunk *c) { return (uint8_t *)(c + 1); }

/* A new chunk of cap bytes after t (the stream's last, or none): the new last; NULL with ENOMEM. */
static struct chunk *grow(struct stream *s, struct chunk *t, uint32_t cap)
{
    char err[8];
    uint64_t off;
    if (!queue_alloc(sizeof(struct chunk) + cap, &off, err, sizeof err)) {
        errno = ENOMEM;
        return 0;
    }
    struct chunk *n = at(off);
    n->next = 0;
    n->len = 0;
    n->cap = cap;
    if (t) t->next = off;
    else s->head = off;
    s->tail = off;
    return n;
}

ssize_t stream_read(struct stream *s, int fd, uint64_t max, int flags)
{
    struct chunk *t = s->tail ? at(s->tail) : 0;
    if (!t || t->len == t->cap) {
        /* how much waits, to size the chunk (a peek from offset 0 has copied s->total of it) */
        int waiting = 0;
        if (ioctl(fd, FIONREAD, &waiting) < 0) waiting = 0;
        if (flags & MSG_PEEK) {
            waiting -= (int)(s->total < (uint64_t)waiting ? s->total : (uint64_t)waiting);
            if (waiting <= 0) return 0; /* all copied: no room taken for nothing */
        } else if (waiting <= 0) {
            /* nothing counted: read what comes into a small buffer first (end of file, EAGAIN and
             * the like take no room) */
            uint8_t small[CHUNK_MIN];
            size_t want = max && max < sizeof small ? (size_t)max : sizeof small;
            ssize_t k;
            while ((k = recv(fd, small, want, MSG_DONTWAIT | flags)) < 0 && errno == EINTR) {}
            if (k <= 0) return k;
            t = grow(s, t, CHUNK_MIN);
            if (!t) return -1;
            memcpy(data(t), small, (size_t)k);
            t->len = (uint32_t)k;
            s->total += (uint64_t)k;
            return k;
        }
        uint32_t cap = (uint32_t)waiting < CHUNK_MIN ? CHUNK_MIN : (uint32_t)waiting > CHUNK_MAX ? CHUNK_MAX : (uint32_t)waiting;
        t = grow(s, t, cap);
        if (!t) return -1;
    }
    size_t room = t->cap - t->len;
    if (max && room > max) room = (size_t)max;
    ssize_t n;
    while ((n = recv(fd, data(t) + t->len, room, MSG_DONTWAIT | flags)) < 0 && errno == EINTR) {}
    if (n > 0) {
        t->len += (uint32_t)n;
        s->total += (uint64_t)n;
    }
    return n;
}

int stream_tail(const struct stream *s, uint8_t *out, uint32_t n)
{
    if (s->total < n) return -1;
    /* the tail may straddle chunks: walk to the byte where it starts */
    uint64_t skip = s->total - n, off = s->head;
    uint32_t got = 0;
    while (off && got < n) {
        struct chunk *c = at(off);
        if (skip >= c->len) {
            skip -= c->len;
        } else {
            uint32_t k = c->len - (uint32_t)skip;
            if (k > n - got) k = n - got;
            memcpy(out + got, data(c) + skip, k);
            got += k;
            skip = 0;
        }
        off = c->next;
    }
    return got == n ? 0 : -1;
}

int stream_write(const struct stream *s, int fd, struct cursor *c)
{
    if (!c->chunk) c->chunk = s->head;
    while (c->done < s->total && c->chunk) {
        struct chunk *k = at(c->chunk);
        uint64_t want = k->len - c->at;
        if (want > s->total - c->done) want = s->total - c->done;
        if (!want) {
            c->chunk = k->next;
            c->at = 0;
            continue;
        }
        ssize_t n = send(fd, data(k) + c->at, (size_t)want, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->at += (uint32_t)n;
        c->done += (uint64_t)n;
    }
    return 1;
}
