/* stasis-fastlaunch: the coordinator's secret and a command connection to it. Names, files and
 * checks follow Secrets, HostNames, Hosts.numericIPv4 and LocalCoordinatorOps.probe. */
#include "fl_coord.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_fallback.h"
#include "fl_paths.h"
#include "fl_text.h"

/* LocalCoordinatorOps.CONNECT_TIMEOUT */
#define TIMEOUT_MS 5000
/* MessageCodec.MAX_FRAME */
#define MAX_FRAME 65536
/* A secret file is one line of 64 hex digits; anything much larger is not one. */
#define MAX_SECRET_FILE 4096

/* Reads a small file completely; -1 on any error or when it is larger than max. */
static int read_small(const char *path, size_t max, struct fl_str *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int r = 0;
    char buf[512];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            r = n < 0 ? -1 : 0;
            break;
        }
        if (out->len + (size_t)n > max) {
            r = -1;
            break;
        }
        fl_str_addn(out, buf, (size_t)n);
    }
    if (close(fd) < 0) r = -1;
    if (!out->p) fl_str_addn(out, "", 0);
    return r;
}

/* HostNames.shortName: up to the first dot, unless the name starts with one. */
static char *short_name(const char *host)
{
    const char *dot = strchr(host, '.');
    return dot && dot > host ? fl_strndup(host, (size_t)(dot - host)) : fl_strdup(host);
}

/* [0-9]+(\.[0-9]+){3}, HostNames.isIpLiteral's IPv4 half. */
static int dotted_quad(const char *s)
{
    for (int part = 0; part < 4; part++) {
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
        if (part < 3 && *s++ != '.') return 0;
    }
    return *s == 0;
}

/* The short host name the secret file is named after (HostNames.shortNameOf); NULL when only
 * the Java side can tell (an IP address that may or may not be this host's). */
static char *secret_host(const char *host)
{
    struct fl_str raw = {0};
    if (read_small("/proc/sys/kernel/hostname", 1024, &raw) < 0) {
        fl_str_free(&raw);
        return 0;
    }
    char *local = fl_trim(raw.p);
    fl_str_free(&raw);
    char *local_short = short_name(local);
    char *r = 0;
    if (!local[0] || !fl_is_plain_ascii(local)) {
        r = 0;
    } else if (fl_ascii_ieq(host, "localhost") || fl_streq(host, "127.0.0.1") || fl_streq(host, "::1")
               || fl_ascii_ieq(host, local) || fl_ascii_ieq(host, local_short)) {
        r = fl_strdup(local_short);
    } else if (strchr(host, ':') || dotted_quad(host)) {
        r = 0;
    } else {
        r = short_name(host);
    }
    free(local);
    free(local_short);
    return r;
}

/* Secrets.defaultDirectory. NULL when a variable holds text we cannot judge as Java would. */
static char *secret_dir(const struct fl_env *env)
{
    const char *configured = fl_env_raw(env, "STASIS_SECRET_DIR");
    int blank = configured ? fl_is_blank(configured) : 1;
    if (blank < 0) return 0;
    if (!blank) return fl_path_of(configured);
    const char *home = fl_env_raw(env, "HOME");
    blank = home ? fl_is_blank(home) : 1;
    if (blank < 0) return 0;
    if (!blank && access(home, W_OK) == 0) return fl_path_resolve(home, ".stasis/coordinators");
    const char *tmp = fl_env_raw(env, "TMPDIR");
    blank = tmp ? fl_is_blank(tmp) : 1;
    if (blank < 0) return 0;
    /* Secrets.currentUid: the owner of /proc/self */
    struct stat st;
    if (stat("/proc/self", &st) < 0) return 0;
    struct fl_str sub = {0};
    fl_str_add(&sub, "stasis-");
    fl_str_addu(&sub, st.st_uid);
    fl_str_add(&sub, "/coordinators");
    char *dir = fl_path_resolve(blank ? "/tmp" : tmp, sub.p);
    fl_str_free(&sub);
    return dir;
}

/* Secrets.read: STASIS_COORD_SECRET if not blank, else the secret file, trimmed. NULL when
 * there is none, it is empty, or it is not plain ASCII (Java decides what that means). */
static char *read_secret(const struct fl_session *s, const struct fl_env *env, const char **why)
{
    const char *given = fl_env_raw(env, "STASIS_COORD_SECRET");
    int blank = given ? fl_is_blank(given) : 1;
    if (blank < 0) {
        *why = "STASIS_COORD_SECRET has non-ASCII characters";
        return 0;
    }
    if (!blank) return fl_trim(given);
    char *dir = secret_dir(env);
    char *host = secret_host(s->host);
    if (!dir || !host) {
        free(dir);
        free(host);
        *why = "the secret file's location depends on rules only the Java side applies here";
        return 0;
    }
    struct fl_str file = {0}, text = {0};
    fl_str_add(&file, dir);
    fl_str_addc(&file, '/');
    fl_str_add(&file, host);
    fl_str_addc(&file, '-');
    fl_str_addu(&file, (uint64_t)s->port);
    fl_str_add(&file, ".secret");
    free(dir);
    free(host);
    char *secret = 0;
    if (read_small(file.p, MAX_SECRET_FILE, &text) < 0) {
        *why = "no readable secret file: no coordinator of ours there";
    } else {
        secret = fl_trim(text.p);
        if (!secret[0]) {
            free(secret);
            secret = 0;
            *why = "the secret file is empty";
        }
    }
    fl_str_free(&file);
    fl_str_free(&text);
    return secret;
}

/* Hosts.numericIPv4, and the address Java's Socket connects to: IPv4 only. */
static char *numeric_host(const char *host)
{
    if (!host[0] || fl_ascii_ieq(host, "localhost")) return fl_strdup("127.0.0.1");
    struct in_addr a;
    if (dotted_quad(host)) return inet_pton(AF_INET, host, &a) == 1 ? fl_strdup(host) : 0;
    struct addrinfo hints, *res = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, 0, &hints, &res) != 0) return 0;
    char *r = 0;
    for (struct addrinfo *i = res; i && !r; i = i->ai_next) {
        if (i->ai_family != AF_INET) continue;
        char buf[INET_ADDRSTRLEN];
        const struct sockaddr_in *sin = (const struct sockaddr_in *)i->ai_addr;
        if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) r = fl_strdup(buf);
    }
    freeaddrinfo(res);
    return r;
}

static int connect_timeout(const char *ip, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (!ok && errno == EINPROGRESS) {
        struct pollfd p = {fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        int n;
        do n = poll(&p, 1, TIMEOUT_MS); while (n < 0 && errno == EINTR);
        ok = n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    struct timeval tv = {TIMEOUT_MS / 1000, 0};
    int one = 1;
    int flags = ok ? fcntl(fd, F_GETFL) : -1;
    if (!ok || flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0
        || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0
        || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0
        || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        (void)close(fd); /* already failing; the descriptor is close-on-exec anyway */
        return -1;
    }
    return fd;
}

/* One frame: 4-byte big-endian length, then the text. MSG_NOSIGNAL: a coordinator that hangs up
 * must not kill the launch with SIGPIPE. */
static int send_frame(int fd, const char *text)
{
    size_t n = strlen(text);
    struct fl_str f = {0};
    char len[4] = {(char)(n >> 24), (char)(n >> 16), (char)(n >> 8), (char)n};
    fl_str_addn(&f, len, 4);
    fl_str_addn(&f, text, n);
    size_t off = 0;
    int r = 0;
    while (off < f.len) {
        ssize_t w = send(fd, f.p + off, f.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            r = -1;
            break;
        }
        off += (size_t)w;
    }
    fl_str_free(&f);
    return r;
}

static int read_exact(int fd, char *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Receives one frame into out (NUL-terminated text). */
static int recv_frame(int fd, struct fl_str *out)
{
    unsigned char len[4];
    if (read_exact(fd, (char *)len, 4) < 0) return -1;
    uint32_t n = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | (uint32_t)len[2] << 8 | len[3];
    if (n == 0 || n > MAX_FRAME) return -1;
    char *buf = fl_alloc(n);
    int r = read_exact(fd, buf, n);
    if (r == 0) fl_str_addn(out, buf, n);
    free(buf);
    return r;
}

/* Whether a message's first line is `verb` and, if `line` is given, one of its lines is exactly
 * `line` (e.g. "ok=1"). */
static int message_is(const char *msg, const char *verb, const char *line)
{
    size_t v = strlen(verb);
    if (strncmp(msg, verb, v) != 0 || msg[v] != '\n') return 0;
    if (!line) return 1;
    size_t l = strlen(line);
    for (const char *p = msg + v + 1; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n == l && memcmp(p, line, l) == 0) return 1;
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

/* Sends one message and checks the answer's verb and, optionally, one of its lines. */
static int exchange(int fd, const char *msg, const char *verb, const char *line)
{
    struct fl_str reply = {0};
    int ok = send_frame(fd, msg) == 0 && recv_frame(fd, &reply) == 0 && message_is(reply.p, verb, line);
    fl_str_free(&reply);
    return ok ? 0 : -1;
}

int fl_coord_join(const struct fl_launch *o, const struct fl_env *env, struct fl_session *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->host = o->host;
    out->port = o->port;
    if (o->port == 0 || !fl_is_plain_ascii(o->host) || strchr(o->host, ' ') || strchr(o->host, ':')) {
        *why = "a port or host form only the Java front end handles";
        return -1;
    }
    out->secret = read_secret(out, env, why);
    if (!out->secret) return -1;
    for (const char *c = out->secret; *c; c++) {
        if (*c <= ' ' || *c >= 0x7f) {
            *why = "the secret is not plain text";
            return -1;
        }
    }
    out->numeric_host = numeric_host(o->host);
    if (!out->numeric_host) {
        *why = "the coordinator host has no IPv4 address we can find";
        return -1;
    }
    int fd = connect_timeout(out->numeric_host, o->port);
    if (fd < 0) {
        *why = "no coordinator answers at the host and port";
        return -1;
    }
    struct fl_str m = {0};
    fl_str_add(&m, "HELLO\nrole=command\nsecret=");
    fl_str_add(&m, out->secret);
    fl_str_add(&m, "\nproto=1\n");
    int r = exchange(fd, m.p, "WELCOME", 0);
    if (r == 0) r = exchange(fd, "COMMAND\nverb=status\n", "RESULT", "ok=1");
    if (r == 0 && o->has_interval) {
        fl_str_free(&m);
        fl_str_add(&m, "COMMAND\nverb=interval\nvalue=");
        fl_str_addi(&m, o->interval);
        fl_str_addc(&m, '\n');
        r = exchange(fd, m.p, "RESULT", "ok=1");
    }
    fl_str_free(&m);
    if (close(fd) < 0) r = -1;
    if (r < 0) *why = "the coordinator did not welcome us, or refused a request";
    return r;
}
