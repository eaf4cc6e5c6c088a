/* Coordinator connection for the agent. Raw system calls only: this runs on the checkpoint
 * thread while user threads may be stopped inside libc. */
#include "coord.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <fcntl.h>

#include "sys.h"


static int parse_ipv4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        const char *start = s;
        uint64_t part = sx_parse_u64(&s, 10);
        if (s == start || part > 255) return -1;
        v = (v << 8) | (uint32_t)part;
        if (i < 3 && *s++ != '.') return -1;
    }
    if (*s) return -1;
    *out = v;
    return 0;
}

static int connect_once(uint32_t ip, int port)
{
    int fd = (int)SX_SYS3(__NR_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fd;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = (uint16_t)(((port & 0xff) << 8) | ((port >> 8) & 0xff));
    a.sin_addr.s_addr = __builtin_bswap32(ip);
    long r = SX_SYS3(__NR_connect, fd, &a, sizeof a);
    if (r < 0) {
        sx_close(fd);
        return (int)r;
    }
    int one = 1;
    SX_SYS5(__NR_setsockopt, fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
    long high = SX_SYS3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, SX_HIGH_FD);
    if (high >= 0) {
        sx_close(fd);
        fd = (int)high;
    }
    return fd;
}

int sx_coord_connect(const char *host, int port, int timeout_ms)
{
    uint32_t ip;
    if (parse_ipv4(host, &ip) < 0) return -22;
    int waited = 0;
    for (;;) {
        int fd = connect_once(ip, port);
        if (fd >= 0 || waited >= timeout_ms) return fd;
        struct timespec ts = {0, 50 * 1000 * 1000};
        SX_SYS2(__NR_nanosleep, &ts, 0);
        waited += 50;
    }
}

int sx_coord_send(int fd, const struct sx_buf *b)
{
    uint32_t n = (uint32_t)b->len;
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                            (unsigned char)n};
    struct iovec iov[2] = {{len, 4}, {b->p, n}};
    size_t total = 4 + n;
    while (total > 0) {
        long r = SX_SYS3(__NR_writev, fd, iov, 2);
        if (r == -4) continue;
        if (r < 0) return (int)r;
        total -= (size_t)r;
        /* advance the iovecs past what was written */
        for (int i = 0; i < 2 && r > 0; i++) {
            size_t take = (size_t)r < iov[i].iov_len ? (size_t)r : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            r -= (long)take;
        }
    }
    return 0;
}

static int read_exact(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        long r = sx_read(fd, p, n);
        if (r == -4) continue;
        if (r < 0) return (int)r;
        if (r == 0) return -2;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int sx_coord_recv(int fd, char *buf, struct sx_msg *m)
{
    unsigned char len[4];
    int r = read_exact(fd, len, 4);
    if (r < 0) return r;
    uint32_t n = ((uint32_t)len[0] << 24) | ((uint32_t)len[1] << 16) | ((uint32_t)len[2] << 8) | len[3];
    if (n == 0 || n > SX_MSG_MAX) return -1;
    r = read_exact(fd, buf, n);
    if (r < 0) return r;
    buf[n] = 0;
    m->verb = buf;
    m->nfields = 0;
    char *p = buf;
    while (*p && *p != '\n') p++;
    if (*p) *p++ = 0;
    while (*p && m->nfields < SX_MSG_FIELDS) {
        char *line = p;
        while (*p && *p != '\n') p++;
        if (*p) *p++ = 0;
        char *eq = line;
        while (*eq && *eq != '=') eq++;
        if (!*eq) continue;
        *eq = 0;
        m->keys[m->nfields] = line;
        m->values[m->nfields] = eq + 1;
        m->nfields++;
    }
    return 0;
}

const char *sx_msg_get(const struct sx_msg *m, const char *key)
{
    for (int i = 0; i < m->nfields; i++)
        if (sx_streq(m->keys[i], key)) return m->values[i];
    return 0;
}

void sx_msg_begin(struct sx_buf *b, char *mem, size_t cap, const char *verb)
{
    sx_buf_init(b, mem, cap);
    sx_buf_add(b, verb);
    sx_buf_add(b, "\n");
}

void sx_msg_kv(struct sx_buf *b, const char *key, const char *value)
{
    sx_buf_add(b, key);
    sx_buf_add(b, "=");
    /* a value never carries a newline: cut it there */
    const char *v = value ? value : "";
    size_t n = 0;
    while (v[n] && v[n] != '\n') n++;
    sx_buf_addn(b, v, n);
    sx_buf_add(b, "\n");
}

void sx_msg_kvi(struct sx_buf *b, const char *key, long value)
{
    sx_buf_add(b, key);
    sx_buf_add(b, "=");
    sx_buf_int(b, value);
    sx_buf_add(b, "\n");
}
