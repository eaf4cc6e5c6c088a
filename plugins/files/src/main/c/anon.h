/* Descriptors without a path (anon_inode): eventfd, timerfd, signalfd and epoll. Their state is
 * read from /proc/self/fdinfo at PRECHECKPOINT and made anew at RESTART. */
#ifndef FILES_ANON_H
#define FILES_ANON_H
#include <stddef.h>
#include <stdint.h>

enum anon_kind { ANON_NONE, ANON_EVENTFD, ANON_TIMERFD, ANON_SIGNALFD, ANON_EPOLL };

struct anon_state {
    int kind;
    uint64_t count;           /* eventfd: the counter; timerfd: expirations not read yet */
    int semaphore;            /* eventfd: EFD_SEMAPHORE */
    int clockid;              /* timerfd */
    int64_t value_sec, value_nsec, interval_sec, interval_nsec; /* timerfd: time left, period */
    uint64_t sigmask;         /* signalfd */
    int first_target, ntargets; /* epoll: its registrations in anon.c's table */
};

/* The kind a /proc/self/fd link names ("anon_inode:[eventfd]", ...), or ANON_NONE. */
int anon_kind(const char *link);

/* Records fd's state. 0, or -1 with a reason in err. Call anon_capture_begin() first each time. */
void anon_capture_begin(void);
int anon_capture(int fd, int kind, struct anon_state *st, char *err, size_t errlen);

/* Makes the object anew and returns a descriptor for it (any number), or -1. Epolls must be
 * made after every descriptor they watch is back in place. */
int anon_restore(const struct anon_state *st, int flags);

#endif
