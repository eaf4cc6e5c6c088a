/* Calls the kernel never restarts after a signal handler, resumed after a checkpoint.
 *
 * Threads stop for a checkpoint inside our signal handler. On return from any handler, even
 * with SA_RESTART, Linux fails poll, ppoll, select, pselect, epoll_wait, epoll_pwait,
 * epoll_pwait2, sigtimedwait, sigwaitinfo, nanosleep, clock_nanosleep, pause and sigsuspend
 * with EINTR (signal(7)). A program with no handler of its own would see an error no signal of
 * its own caused, and sleeps would end early. The wrappers below call the function again
 * when, and only when, our handler caused the EINTR:
 *
 * - The handler (threads.c) tells us so through two per-thread values: sx_eintr_at, the
 *   CLOCK_MONOTONIC time at which it interrupted a system call (its frame's rax is -EINTR),
 *   and sx_eintr_count, bumped when it returns, unless a signal of the program's own is
 *   pending and unblocked in the mask the frame restores: that signal runs its handler as
 *   soon as ours returns, and the EINTR is then the program's (genuine) one.
 * - A wrapper reads sx_eintr_count before the call and retries only on EINTR with the count
 *   moved: a program's own signal still gives EINTR as before. Per thread, because another
 *   thread's interrupted call says nothing about this one.
 * - Deadlines are kept: a relative timeout is shortened by the time since the wrapper first
 *   called (CLOCK_MONOTONIC, read only when there is a timeout), or, where the kernel reports
 *   the time left at the interruption (select's timeval, nanosleep's remainder), that time
 *   counted from sx_eintr_at. So the first call gets the caller's own arguments (a bad
 *   pointer gives the kernel's EFAULT, a bad value its EINVAL), and the timeout is read only
 *   after the kernel accepted it. Absolute deadlines are passed as they are. An infinite
 *   timeout stays infinite. Once the deadline has passed (or for a zero timeout, which a
 *   pending signal can interrupt too), the multiplexers and sigtimedwait are called again with
 *   a zero timeout, which cannot wait (the caller gets the state of its descriptors, as at a
 *   timeout), and the sleeps return 0.
 * - After a restart the saved start time is compared with the new monotonic clock: on the
 *   same machine the time between checkpoint and restart counts as spent (the deadline is
 *   kept); a clock that went back (another boot) counts as nothing spent.
 *
 * pause and sigsuspend end only when a handler of the program ran: after a checkpoint they
 * are called again (sigsuspend with the caller's mask), so a checkpoint is never taken for a
 * signal the program waits for.
 *
 * glibc's sleep, usleep and thrd_sleep call its internal nanosleep, not through the PLT, so
 * they are implemented here on top of the nanosleep wrapper with glibc's own results. The
 * fortified __poll_chk and __ppoll_chk likewise.
 *
 * Fast path: one thread-local load and the real call (plus one vDSO clock read when a
 * timeout must be shortened later); no lock, no allocation. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <threads.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "agent.h"
#include "pidvirt.h"
#include "sys.h"

#define EXPORT __attribute__((visibility("default")))
#define NS 1000000000LL

static __thread uint32_t sx_eintr_count __attribute__((tls_model("initial-exec")));
static __thread int64_t sx_eintr_at __attribute__((tls_model("initial-exec")));

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS + t->tv_nsec; }

static struct timespec ns_ts(int64_t ns)
{
    if (ns < 0) ns = 0;
    struct timespec t = {(time_t)(ns / NS), (long)(ns % NS)};
    return t;
}

/* What is left of total (ns) begun at start: never more than total (a monotonic clock that
 * went back after a restart on another boot), never less than 0. */
static int64_t left_of(int64_t start, int64_t total)
{
    int64_t spent = now_ns() - start;
    if (spent < 0) spent = 0;
    return spent >= total ? 0 : total - spent;
}

/* What is left of a remainder the kernel reported when our handler interrupted the call. */
static int64_t left_of_reported(int64_t reported) { return left_of(sx_eintr_at, reported); }

/* ---- the handler's part (threads.c calls these on the checkpoint path) ---- */

static int interrupted_syscall(const void *uc)
{
    const ucontext_t *u = uc;
    return u && u->uc_mcontext.gregs[REG_RAX] == -EINTR;
}

void sx_interrupted_enter(const void *uc)
{
    if (interrupted_syscall(uc)) sx_eintr_at = now_ns();
}

void sx_interrupted_leave(const void *uc, int ckpt_signal)
{
    if (!interrupted_syscall(uc)) return;
    uint64_t pending = 0;
    /* inside our handler every signal is blocked, so this is all that is pending */
    if (SX_SYS2(__NR_rt_sigpending, &pending, 8) < 0) pending = 0;
    uint64_t restored_mask;
    __builtin_memcpy(&restored_mask, &((const ucontext_t *)uc)->uc_sigmask, 8);
    pending &= ~restored_mask & ~(1ull << (ckpt_signal - 1)) & ~(1ull << (SIGKILL - 1)) & ~(1ull << (SIGSTOP - 1));
    for (int sig = 1; pending && sig <= 64; sig++) {
        if (!(pending & (1ull << (sig - 1)))) continue;
        struct sx_kernel_sigaction act = {0};
        if (SX_SYS4(__NR_rt_sigaction, sig, 0, &act, 8) < 0) continue;
        if (act.handler != (uint64_t)(uintptr_t)SIG_DFL && act.handler != (uint64_t)(uintptr_t)SIG_IGN)
            return; /* the program's handler runs next: the EINTR is its own */
    }
    sx_eintr_count++;
}

/* ---- the real functions: resolved at load time (a first call may come from a signal handler,
 * where dlsym is unsafe), or at first use when another library's constructor calls one before
 * ours has run ---- */
#define REAL_AS(var, name) ((__typeof__(real_##var))sx_real((void **)&real_##var, name))

static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_poll_chk)(struct pollfd *, nfds_t, int, size_t);
static int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
static int (*real_ppoll_chk)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *, size_t);
static int (*real_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
static int (*real_pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);
static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int (*real_epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
static int (*real_epoll_pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
static int (*real_sigtimedwait)(const sigset_t *, siginfo_t *, const struct timespec *);
static int (*real_sigwaitinfo)(const sigset_t *, siginfo_t *);
static int (*real_clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
static int (*real_pause)(void);
static int (*real_sigsuspend)(const sigset_t *);

__attribute__((constructor(101))) static void resolve_real(void)
{
    REAL(poll);
    REAL_AS(poll_chk, "__poll_chk");
    REAL(ppoll);
    REAL_AS(ppoll_chk, "__ppoll_chk");
    REAL(select);
    REAL(pselect);
    REAL(epoll_wait);
    REAL(epoll_pwait);
    REAL(epoll_pwait2); /* glibc 2.35 and later; a program linked with an older one never calls ours */
    REAL(sigtimedwait);
    REAL(sigwaitinfo);
    REAL(clock_nanosleep);
    REAL(pause);
    REAL(sigsuspend);
}

/* Failed with EINTR because our handler stopped this thread during the call. */
#define OURS(r, before) ((r) < 0 && errno == EINTR && sx_eintr_count != (before))

/* ---- descriptor multiplexing ---- */

/* A timeout in milliseconds (negative: infinite, 0: none) shortened to what is left; rounded
 * up, so the call never ends before the caller's deadline. */
static int left_ms(int64_t start, int timeout)
{
    int64_t left = left_of(start, (int64_t)timeout * 1000000);
    return (int)((left + 999999) / 1000000);
}

#define MS_TIMEOUT_LOOP(timeout, call_with_t)                                                  \
    do {                                                                                       \
        int64_t start_ = (timeout) > 0 ? now_ns() : 0;                                         \
        int t = (timeout);                                                                     \
        for (;;) {                                                                             \
            uint32_t before_ = sx_eintr_count;                                                 \
            int r_ = (call_with_t);                                                            \
            if (!OURS(r_, before_)) return r_;                                                 \
            if ((timeout) > 0) t = left_ms(start_, (timeout));                                 \
        }                                                                                      \
    } while (0)

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    MS_TIMEOUT_LOOP(timeout, REAL(poll)(fds, n, t));
}

EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
    MS_TIMEOUT_LOOP(timeout, REAL_AS(poll_chk, "__poll_chk")(fds, n, t, fdslen));
}

EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
    MS_TIMEOUT_LOOP(timeout, REAL(epoll_wait)(epfd, ev, max, t));
}

EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
{
    MS_TIMEOUT_LOOP(timeout, REAL(epoll_pwait)(epfd, ev, max, t, mask));
}

/* A timespec timeout (NULL: infinite) the kernel does not update: the first call gets the
 * caller's pointer, later ones what is left. */
#define TS_TIMEOUT_LOOP(tmo, call_with_p)                                                      \
    do {                                                                                       \
        int64_t start_ = (tmo) ? now_ns() : 0;                                                 \
        const struct timespec *p = (tmo);                                                      \
        struct timespec left_;                                                                 \
        for (;;) {                                                                             \
            uint32_t before_ = sx_eintr_count;                                                 \
            int r_ = (call_with_p);                                                            \
            if (!OURS(r_, before_)) return r_;                                                 \
            if (tmo) {                                                                         \
                left_ = ns_ts(left_of(start_, ts_ns(tmo)));                                    \
                p = &left_;                                                                    \
            }                                                                                  \
        }                                                                                      \
    } while (0)

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask)
{
    TS_TIMEOUT_LOOP(tmo, REAL(ppoll)(fds, n, p, mask));
}

EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask, size_t fdslen)
{
    TS_TIMEOUT_LOOP(tmo, REAL_AS(ppoll_chk, "__ppoll_chk")(fds, n, p, mask, fdslen));
}

EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *x, const struct timespec *tmo, const sigset_t *mask)
{
    TS_TIMEOUT_LOOP(tmo, REAL(pselect)(n, r, w, x, p, mask));
}

EXPORT int epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *tmo, const sigset_t *mask)
{
    if (!REAL(epoll_pwait2)) {
        errno = ENOSYS;
        return -1;
    }
    TS_TIMEOUT_LOOP(tmo, REAL(epoll_pwait2)(epfd, ev, max, p, mask));
}

/* Linux writes the time left into select's timeval, also on EINTR: the retry gets what is
 * left of that counted from the interruption, and the kernel's last update is again relative
 * to the caller's deadline. The descriptor sets are untouched on EINTR. */
EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
    for (;;) {
        uint32_t before = sx_eintr_count;
        int res = REAL(select)(n, r, w, x, tv);
        if (!OURS(res, before)) return res;
        if (tv) {
            int64_t reported = (int64_t)tv->tv_sec * NS + (int64_t)tv->tv_usec * 1000;
            int64_t left = left_of_reported(reported);
            tv->tv_sec = (time_t)(left / NS);
            tv->tv_usec = (suseconds_t)((left % NS + 999) / 1000);
            if (tv->tv_usec == 1000000) {
                tv->tv_sec++;
                tv->tv_usec = 0;
            }
        }
    }
}

/* ---- waiting for signals ---- */

/* The siginfo a wait returns names the sender by its real pid: given back as the program's. */
static int sigwait_resumed(const sigset_t *set, siginfo_t *info, const struct timespec *tmo)
{
    TS_TIMEOUT_LOOP(tmo, REAL(sigtimedwait)(set, info, p));
}

EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *tmo)
{
    int sig = sigwait_resumed(set, info, tmo);
    if (sig > 0) sx_siginfo_fix(sig, info);
    return sig;
}

EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
    for (;;) {
        uint32_t before = sx_eintr_count;
        int sig = REAL(sigwaitinfo)(set, info);
        if (OURS(sig, before)) continue;
        if (sig > 0) sx_siginfo_fix(sig, info);
        return sig;
    }
}

/* They end only when a handler of the program ran; a checkpoint is none. */
EXPORT int pause(void)
{
    for (;;) {
        uint32_t before = sx_eintr_count;
        int r = REAL(pause)();
        if (!OURS(r, before)) return r;
    }
}

EXPORT int sigsuspend(const sigset_t *mask)
{
    for (;;) {
        uint32_t before = sx_eintr_count;
        int r = REAL(sigsuspend)(mask);
        if (!OURS(r, before)) return r;
    }
}

/* ---- sleeps ---- */

static int cpu_clock(clockid_t c) { return c < 0 || c == CLOCK_PROCESS_CPUTIME_ID || c == CLOCK_THREAD_CPUTIME_ID; }

/* clock_nanosleep's core: returns 0 or an error number, as clock_nanosleep does. A relative
 * sleep always gets a remainder buffer (ours when the caller passed none), so the time left
 * is the kernel's, counted from the interruption; on a CPU-time clock it is used as it is
 * (the thread's CPU time does not pass while it is stopped). */
static int sleep_core(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    if (flags & TIMER_ABSTIME) {
        for (;;) {
            uint32_t before = sx_eintr_count;
            int e = REAL(clock_nanosleep)(clock, flags, req, rem);
            if (e != EINTR || sx_eintr_count == before) return e;
        }
    }
    struct timespec mine, left;
    struct timespec *out = rem ? rem : &mine;
    const struct timespec *p = req;
    for (;;) {
        uint32_t before = sx_eintr_count;
        int e = REAL(clock_nanosleep)(clock, flags, p, out);
        if (e != EINTR || sx_eintr_count == before) return e;
        int64_t reported = ts_ns(out);
        if (reported <= 0) return 0;
        if (cpu_clock(clock)) {
            left = *out;
        } else {
            int64_t l = left_of_reported(reported);
            if (l == 0) return 0; /* the deadline passed while the thread was stopped */
            left = ns_ts(l);
        }
        p = &left;
    }
}

/* A CPU clock id of a process encodes its pid: the kernel gets the real one. */
EXPORT int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    return sleep_core(sx_clock_real(clock), flags, req, rem);
}

EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    int e = sleep_core(CLOCK_REALTIME, 0, req, rem); /* as glibc's nanosleep does */
    if (e == 0) return 0;
    errno = e;
    return -1;
}

/* glibc: nanosleep of the microseconds, its result as usleep's. */
EXPORT int usleep(useconds_t usec)
{
    struct timespec ts = {(time_t)(usec / 1000000), (long)(usec % 1000000) * 1000};
    return nanosleep(&ts, 0);
}

/* glibc: the whole seconds not slept when interrupted, else 0 with errno as it was. */
EXPORT unsigned int sleep(unsigned int seconds)
{
    int saved = errno;
    struct timespec ts = {(time_t)seconds, 0};
    if (nanosleep(&ts, &ts) < 0) return (unsigned int)ts.tv_sec;
    errno = saved;
    return 0;
}

/* C11: 0, -1 when interrupted (remaining in rem), another negative value on error. */
EXPORT int thrd_sleep(const struct timespec *req, struct timespec *rem)
{
    int e = sleep_core(CLOCK_REALTIME, 0, req, rem);
    if (e == 0) return 0;
    return e == EINTR ? -1 : -2;
}
