/*
 * blocker: one thread blocked in each call Linux never restarts after a signal handler.
 *
 * Why: the checkpoint agent stops threads with a signal handler, and after any handler the
 * kernel fails poll, ppoll, select, pselect, epoll_wait, epoll_pwait, epoll_pwait2,
 * sigtimedwait, sigwaitinfo, nanosleep, clock_nanosleep (relative and absolute), usleep and
 * sleep with EINTR (sleep returns the seconds left), and ends pause and sigsuspend, whatever
 * SA_RESTART says. This program installs no handler for any of them, so none of that may ever
 * happen to it, checkpoints or not; and a deadline may move by no more than the time the
 * program was stopped.
 *
 * Threads (each prints "<name> <n>" after its n-th wait):
 *   - poll ... sleep: wait for nothing with a timeout of 1.0-2.9 s (absolute for "clockabs");
 *     each wait must end by timing out, never with EINTR (or sleep's early return), never
 *     before the deadline and never later than the deadline plus the time the program was
 *     stopped meanwhile plus 1.5 s (a "ticker" thread measures stops as gaps in its 5 ms
 *     ticks);
 *   - sigwaitinfo: waits for SIGUSR1 (blocked everywhere), which the main thread sends every
 *     1.5 s;
 *   - pause / sigsuspend: end only when their SIGALRM handler ran (main sends SIGALRM every
 *     2 s); a return with no handler run since the previous one is a checkpoint seen;
 *   - genuine: blocked in poll(-1) and nanosleep(1 h) in turn; main sends it SIGALRM while it
 *     is in the call (seen in /proc/self/task/<tid>/syscall) and each must end it with EINTR
 *     within 30 s: a signal of the program's own still interrupts.
 * At start the calls are given bad arguments and must fail with the kernel's error
 * (EFAULT, EINVAL, EBADF); "badargs ok" then.
 *
 * Every broken rule prints a line with "INVARIANT BROKEN" and exits 3.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define EARLY_NS 1000000LL   /* clock granularity */
#define SLACK_NS 1500000000LL /* scheduling on a loaded machine */

enum kind { K_POLL, K_PPOLL, K_SELECT, K_PSELECT, K_EPOLL_WAIT, K_EPOLL_PWAIT, K_EPOLL_PWAIT2, K_SIGTIMEDWAIT,
            K_NANOSLEEP, K_CLOCKREL, K_CLOCKABS, K_USLEEP, K_SLEEP, K_TIMED };
static const char *names[K_TIMED] = {"poll", "ppoll", "select", "pselect", "epoll_wait", "epoll_pwait",
                                     "epoll_pwait2", "sigtimedwait", "nanosleep", "clockrel", "clockabs",
                                     "usleep", "sleep"};

static int quiet_pipe[2]; /* nothing is ever written: a descriptor that never becomes ready */
static int epfd;
static atomic_llong lost_ns; /* time the program was stopped, as the ticker saw it */
static __thread volatile sig_atomic_t alarms_handled; /* this thread's handler runs */
static atomic_long genuine_eintrs;
static pthread_t genuine_thread, pause_thread, suspend_thread;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static struct timespec ts_of(int64_t ns) { return (struct timespec){(time_t)(ns / NS), (long)(ns % NS)}; }

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&out_lock);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
    va_end(ap);
}

#define BROKEN(...)                                                                            \
    do {                                                                                       \
        say("INVARIANT BROKEN: " __VA_ARGS__);                                                 \
        exit(3);                                                                               \
    } while (0)

static void on_alarm(int sig)
{
    (void)sig;
    alarms_handled++;
}

static void *ticker(void *arg)
{
    (void)arg;
    int64_t last = now(CLOCK_MONOTONIC);
    for (;;) {
        struct timespec d = {0, 5 * 1000 * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &d, 0);
        int64_t t = now(CLOCK_MONOTONIC), gap = t - last;
        if (gap > 30 * 1000 * 1000) atomic_fetch_add(&lost_ns, gap);
        last = t;
    }
    return 0;
}

/* One wait of kind k for ms milliseconds; 0 when it timed out, else the errno it failed with
 * (EINTR for sleep's early return). */
static int wait_once(int k, int ms, int64_t start_mono)
{
    int64_t ns = (int64_t)ms * 1000000;
    struct timespec ts = ts_of(ns), rem = {0, 0};
    struct pollfd p = {quiet_pipe[0], POLLIN, 0};
    struct epoll_event ev;
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, 0, &mask);
    int r;
    switch (k) {
    case K_POLL: r = poll(&p, 1, ms); break;
    case K_PPOLL: r = ppoll(&p, 1, &ts, &mask); break;
    case K_SELECT: {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(quiet_pipe[0], &set);
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        r = select(quiet_pipe[0] + 1, &set, 0, 0, &tv);
        if (r == 0 && (tv.tv_sec || tv.tv_usec)) BROKEN("select timed out with %ld.%06ld s left", (long)tv.tv_sec, (long)tv.tv_usec);
        break;
    }
    case K_PSELECT: {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(quiet_pipe[0], &set);
        r = pselect(quiet_pipe[0] + 1, &set, 0, 0, &ts, &mask);
        break;
    }
    case K_EPOLL_WAIT: r = epoll_wait(epfd, &ev, 1, ms); break;
    case K_EPOLL_PWAIT: r = epoll_pwait(epfd, &ev, 1, ms, &mask); break;
    case K_EPOLL_PWAIT2: r = epoll_pwait2(epfd, &ev, 1, &ts, &mask); break;
    case K_SIGTIMEDWAIT: {
        sigset_t never;
        sigemptyset(&never);
        sigaddset(&never, SIGRTMIN + 3); /* blocked, never sent */
        r = sigtimedwait(&never, 0, &ts);
        if (r < 0 && errno == EAGAIN) r = 0;
        break;
    }
    case K_NANOSLEEP: r = nanosleep(&ts, &ts); break; /* the same buffer for both, a common idiom */
    case K_CLOCKREL:
        r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem);
        if (r) errno = r, r = -1;
        break;
    case K_CLOCKABS: {
        struct timespec at = ts_of(start_mono + ns);
        r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, 0);
        if (r) errno = r, r = -1;
        break;
    }
    case K_USLEEP: r = usleep((useconds_t)ms * 1000); break;
    case K_SLEEP:
        r = (int)sleep((unsigned)(ms / 1000));
        if (r) errno = EINTR, r = -1;
        break;
    default: r = -1; errno = ENOSYS;
    }
    if (r > 0) BROKEN("%s: %d descriptors ready on a pipe nobody writes", names[k], r);
    return r == 0 ? 0 : errno;
}

static void *waiter(void *arg)
{
    int k = (int)(intptr_t)arg;
    for (long n = 1;; n++) {
        int ms = 1000 + (int)((k * 7 + n * 13) % 20) * 100;
        if (k == K_SLEEP) ms = ms / 1000 * 1000;
        int64_t lost0 = atomic_load(&lost_ns);
        int64_t t0 = now(CLOCK_MONOTONIC), deadline = t0 + (int64_t)ms * 1000000;
        int e = wait_once(k, ms, t0);
        int64_t t1 = now(CLOCK_MONOTONIC);
        if (e) BROKEN("%s: wait %ld failed with %s after %lld ms", names[k], n, strerror(e), (long long)((t1 - t0) / 1000000));
        if (t1 < deadline - EARLY_NS)
            BROKEN("%s: wait %ld woke %lld us before its deadline", names[k], n, (long long)((deadline - t1) / 1000));
        if (t1 - deadline > SLACK_NS + (atomic_load(&lost_ns) - lost0)) {
            struct timespec d = {0, 300 * 1000 * 1000}; /* the ticker may not have seen the last stop yet */
            nanosleep(&d, 0);
            int64_t stopped = atomic_load(&lost_ns) - lost0;
            if (t1 - deadline > SLACK_NS + stopped)
                BROKEN("%s: wait %ld woke %lld ms after its deadline, the program was stopped %lld ms", names[k], n,
                       (long long)((t1 - deadline) / 1000000), (long long)(stopped / 1000000));
        }
        say("%s %ld", names[k], n);
    }
    return 0;
}

static void *sigwaiter(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    for (long n = 1;; n++) {
        siginfo_t si;
        int r = sigwaitinfo(&set, &si);
        if (r != SIGUSR1) BROKEN("sigwaitinfo: returned %d (%s)", r, r < 0 ? strerror(errno) : "another signal");
        say("sigwaitinfo %ld", n);
    }
    return 0;
}

static void *pauser(void *arg)
{
    int suspend = arg != 0;
    sigset_t open;
    pthread_sigmask(SIG_SETMASK, 0, &open);
    sigdelset(&open, SIGALRM);
    if (!suspend) pthread_sigmask(SIG_SETMASK, &open, 0);
    int seen = alarms_handled;
    for (long n = 1;; n++) {
        int r = suspend ? sigsuspend(&open) : pause();
        if (r != -1 || errno != EINTR) BROKEN("%s: returned %d (%s)", suspend ? "sigsuspend" : "pause", r, strerror(errno));
        if (alarms_handled == seen) BROKEN("%s: return %ld without a handler run", suspend ? "sigsuspend" : "pause", n);
        seen = alarms_handled;
        say("%s %ld", suspend ? "sigsuspend" : "pause", n);
    }
    return 0;
}

static void *genuine(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "genuine"); /* main finds it in /proc by this name */
    sigset_t open;
    pthread_sigmask(SIG_SETMASK, 0, &open);
    sigdelset(&open, SIGALRM);
    pthread_sigmask(SIG_SETMASK, &open, 0);
    for (long n = 1;; n++) {
        int r;
        if (n % 2) {
            r = poll(0, 0, -1);
        } else {
            struct timespec hour = {3600, 0};
            r = nanosleep(&hour, 0);
        }
        if (r != -1 || errno != EINTR) BROKEN("genuine: %s returned %d (%s)", n % 2 ? "poll" : "nanosleep", r, strerror(errno));
        atomic_fetch_add(&genuine_eintrs, 1);
        say("genuine %ld", n);
    }
    return 0;
}

/* The system call the "genuine" thread is blocked in, from /proc: -1 when running or unknown.
 * Found by its name: its tid changes at a restart (the program's own tids are virtual). */
static long genuine_blocked_in(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    long nr = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], buf[64];
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n < 7 || strncmp(buf, "genuine\n", 8) != 0) continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/syscall", e->d_name);
        fd = open(path, O_RDONLY);
        if (fd < 0) break;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            if (buf[0] >= '0' && buf[0] <= '9') nr = strtol(buf, 0, 10);
        }
        break;
    }
    closedir(d);
    return nr;
}

static void expect_error(const char *what, int r, int want)
{
    if (r != -1 || errno != want) BROKEN("badargs: %s gave %d (%s), expected %s", what, r, strerror(errno), strerror(want));
}

static volatile uintptr_t bad_address = 16;

static void bad_arguments(void)
{
    void *bad = (void *)bad_address; /* not known to the compiler, which would warn */
    struct timespec inval = {0, 2 * NS};
    struct timeval tinval = {0, -1};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 3);
    expect_error("poll(bad fds)", poll(bad, 1, 10), EFAULT);
    expect_error("poll(too many)", poll(bad, 1u << 30, 10), EINVAL);
    expect_error("ppoll(bad fds)", ppoll(bad, 1, 0, 0), EFAULT);
    expect_error("select(bad set)", select(1, bad, 0, 0, 0), EFAULT);
    expect_error("select(bad timeval)", select(0, 0, 0, 0, &tinval), EINVAL);
    expect_error("pselect(bad timespec)", pselect(0, 0, 0, 0, &inval, 0), EINVAL);
    expect_error("epoll_wait(not epoll)", epoll_wait(quiet_pipe[0], bad, 1, 10), EINVAL);
    expect_error("epoll_wait(no room)", epoll_wait(epfd, bad, 0, 10), EINVAL);
    expect_error("epoll_pwait(bad fd)", epoll_pwait(-1, bad, 1, 10, 0), EBADF);
    expect_error("epoll_pwait2(bad timespec)", epoll_pwait2(epfd, (struct epoll_event *)&inval, 1, &inval, 0), EINVAL);
    expect_error("sigtimedwait(bad timespec)", sigtimedwait(&set, 0, &inval), EINVAL);
    expect_error("sigtimedwait(bad set)", sigtimedwait(bad, 0, &inval), EFAULT);
    expect_error("nanosleep(bad pointer)", nanosleep(bad, 0), EFAULT);
    expect_error("nanosleep(bad timespec)", nanosleep(&inval, 0), EINVAL);
    int e = clock_nanosleep(CLOCK_MONOTONIC, 0, bad, 0);
    if (e != EFAULT) BROKEN("badargs: clock_nanosleep(bad pointer) gave %d, expected EFAULT", e);
    e = clock_nanosleep((clockid_t)12345, 0, &inval, 0);
    if (e != EINVAL) BROKEN("badargs: clock_nanosleep(bad clock) gave %d, expected EINVAL", e);
    say("badargs ok");
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    if (pipe(quiet_pipe) != 0 || (epfd = epoll_create1(0)) < 0) {
        perror("blocker: setup");
        return 2;
    }
    struct epoll_event ev = {.events = EPOLLIN};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, quiet_pipe[0], &ev) != 0) {
        perror("blocker: epoll_ctl");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: nothing here would be restarted anyway */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, 0);
    /* blocked in every thread; the ones that wait for SIGALRM unblock it themselves */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGALRM);
    sigaddset(&block, SIGRTMIN + 3);
    pthread_sigmask(SIG_BLOCK, &block, 0);
    bad_arguments();

    pthread_t t;
    pthread_create(&t, 0, ticker, 0);
    for (int k = 0; k < K_TIMED; k++) pthread_create(&t, 0, waiter, (void *)(intptr_t)k);
    pthread_create(&t, 0, sigwaiter, 0);
    pthread_create(&pause_thread, 0, pauser, 0);
    pthread_create(&suspend_thread, 0, pauser, (void *)1);
    pthread_create(&genuine_thread, 0, genuine, 0);

    long sent_genuine = 0;
    int64_t genuine_sent_at = 0;
    for (long tick = 1;; tick++) {
        struct timespec d = {0, 100 * 1000 * 1000};
        nanosleep(&d, 0);
        if (tick % 15 == 0) kill(getpid(), SIGUSR1);
        if (tick % 20 == 0) {
            pthread_kill(pause_thread, SIGALRM);
            pthread_kill(suspend_thread, SIGALRM);
        }
        long got = atomic_load(&genuine_eintrs);
        if (sent_genuine > got) {
            /* 30 s of the program's own running time, the stops excluded */
            if (now(CLOCK_MONOTONIC) - genuine_sent_at - atomic_load(&lost_ns) > 30 * NS)
                BROKEN("genuine: signal %ld sent 30 s ago, no EINTR yet", sent_genuine);
        } else if (tick % 30 == 0) {
            long nr = genuine_blocked_in();
            if (nr == SYS_poll || nr == SYS_nanosleep || nr == SYS_clock_nanosleep) {
                sent_genuine++;
                genuine_sent_at = now(CLOCK_MONOTONIC) - atomic_load(&lost_ns);
                pthread_kill(genuine_thread, SIGALRM);
            }
        }
    }
}
