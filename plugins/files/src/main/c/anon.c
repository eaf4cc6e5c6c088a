/* eventfd, timerfd, signalfd and epoll across checkpoint and restart (see anon.h).
 *
 * /proc/self/fdinfo/<fd> shows what each holds: the eventfd counter, the timer's clock, time
 * left, period and unread expirations, the signal mask, and every descriptor an epoll watches
 * with its event mask and data. Called on the checkpoint thread with the program stopped: system
 * calls only. */
#define _GNU_SOURCE
#include "anon.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_TARGETS 4096
#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t) /* linux/timerfd.h */
#endif

struct target {
    int fd;
    uint32_t events;
    uint64_t data;
};

static struct target targets[MAX_TARGETS];
static int ntargets;

int anon_kind(const char *link)
{
    if (strcmp(link, "anon_inode:[eventfd]") == 0) return ANON_EVENTFD;
    if (strcmp(link, "anon_inode:[timerfd]") == 0) return ANON_TIMERFD;
    if (strcmp(link, "anon_inode:[signalfd]") == 0) return ANON_SIGNALFD;
    if (strcmp(link, "anon_inode:[eventpoll]") == 0) return ANON_EPOLL;
    return ANON_NONE;
}

void anon_capture_begin(void) { ntargets = 0; }

static uint64_t number(const char **p, int base)
{
    uint64_t v = 0;
    while (**p == ' ' || **p == '\t' || **p == '(' || **p == ',') (*p)++;
    for (;; (*p)++) {
        int d = **p >= '0' && **p <= '9' ? **p - '0'
                : base == 16 && **p >= 'a' && **p <= 'f' ? **p - 'a' + 10
                : base == 16 && **p >= 'A' && **p <= 'F' ? **p - 'A' + 10 : -1;
        if (d < 0) return v;
        v = v * (uint64_t)base + (uint64_t)d;
    }
}

/* The text after "key:" on its line, or 0. */
static const char *field(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, key, n) == 0 && line[n] == ':') return line + n + 1;
        line = strchr(line, '\n');
        if (line) line++;
    }
    return 0;
}

static int read_fdinfo(int fd, char *buf, size_t cap)
{
    char path[48], num[24];
    text_uint(num, (unsigned)fd);
    text_fail(path, sizeof path, "/proc/self/fdinfo/", num, 0);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    size_t got = 0;
    for (;;) {
        ssize_t r = read(in, buf + got, cap - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(in);
    buf[got] = 0;
    return 0;
}

int anon_capture(int fd, int kind, struct anon_state *st, char *err, size_t errlen)
{
    static char info[65536]; /* an epoll's list can be long */
    memset(st, 0, sizeof *st);
    st->kind = kind;
    if (read_fdinfo(fd, info, sizeof info) < 0) return text_fail(err, errlen, "cannot read /proc/self/fdinfo", 0, 0);
    const char *p;
    switch (kind) {
    case ANON_EVENTFD:
        if (!(p = field(info, "eventfd-count"))) return text_fail(err, errlen, "no eventfd-count in fdinfo", 0, 0);
        st->count = number(&p, 16);
        if ((p = field(info, "eventfd-semaphore"))) st->semaphore = number(&p, 10) != 0;
        return 0;
    case ANON_TIMERFD:
        if (!(p = field(info, "clockid"))) return text_fail(err, errlen, "no clockid in timerfd fdinfo", 0, 0);
        st->clockid = (int)number(&p, 10);
        if ((p = field(info, "ticks"))) st->count = number(&p, 10);
        if ((p = field(info, "it_value"))) {
            st->value_sec = (int64_t)number(&p, 10);
            st->value_nsec = (int64_t)number(&p, 10);
        }
        if ((p = field(info, "it_interval"))) {
            st->interval_sec = (int64_t)number(&p, 10);
            st->interval_nsec = (int64_t)number(&p, 10);
        }
        return 0;
    case ANON_SIGNALFD:
        if (!(p = field(info, "sigmask"))) return text_fail(err, errlen, "no sigmask in signalfd fdinfo", 0, 0);
        st->sigmask = number(&p, 16);
        return 0;
    case ANON_EPOLL:
        st->first_target = ntargets;
        for (const char *line = info; line && *line;) {
            if (strncmp(line, "tfd:", 4) == 0) {
                if (ntargets == MAX_TARGETS) return text_fail(err, errlen, "epoll instances watch too many descriptors", 0, 0);
                const char *q = line + 4;
                struct target *t = &targets[ntargets++];
                t->fd = (int)number(&q, 10);
                q = strstr(q, "events:");
                t->events = q ? (q += 7, (uint32_t)number(&q, 16)) : 0;
                q = q ? strstr(q, "data:") : 0;
                t->data = q ? (q += 5, number(&q, 16)) : 0;
                st->ntargets++;
            }
            line = strchr(line, '\n');
            if (line) line++;
        }
        return 0;
    }
    return text_fail(err, errlen, "not an anonymous descriptor kind this plugin knows", 0, 0);
}

int anon_restore(const struct anon_state *st, int flags)
{
    int nonblock = flags & O_NONBLOCK;
    switch (st->kind) {
    case ANON_EVENTFD:
        return eventfd((unsigned)st->count, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0) |
                                                (st->semaphore ? EFD_SEMAPHORE : 0));
    case ANON_TIMERFD: {
        int fd = timerfd_create(st->clockid, TFD_CLOEXEC | (nonblock ? TFD_NONBLOCK : 0));
        if (fd < 0) return -1;
        struct itimerspec its = {{st->interval_sec, st->interval_nsec}, {st->value_sec, st->value_nsec}};
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0 && (its.it_interval.tv_sec || its.it_interval.tv_nsec))
            its.it_value.tv_nsec = 1; /* due right now: 0 would disarm it */
        if (timerfd_settime(fd, 0, &its, 0) < 0) {
            close(fd);
            return -1;
        }
        if (st->count) {
            /* expirations the program had not read yet; needs CONFIG_CHECKPOINT_RESTORE, else they
             * are lost (the timer itself runs on) */
            uint64_t ticks = st->count;
            (void)ioctl(fd, TFD_IOC_SET_TICKS, &ticks);
        }
        return fd;
    }
    case ANON_SIGNALFD: {
        sigset_t mask;
        sigemptyset(&mask);
        for (int s = 1; s <= 64; s++)
            if (st->sigmask & (1ull << (s - 1))) sigaddset(&mask, s);
        return signalfd(-1, &mask, SFD_CLOEXEC | (nonblock ? SFD_NONBLOCK : 0));
    }
    case ANON_EPOLL: {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) return -1;
        for (int i = st->first_target; i < st->first_target + st->ntargets; i++) {
            struct epoll_event ev = {targets[i].events, {.u64 = targets[i].data}};
            (void)epoll_ctl(fd, EPOLL_CTL_ADD, targets[i].fd, &ev); /* a watched fd left closed stays out */
        }
        return fd;
    }
    }
    errno = EINVAL;
    return -1;
}
