/* CPU-time clocks of processes and threads with virtual ids (pidvirt.h).
 *
 * The kernel encodes the process or thread in a CPU clock's id: ~id << 3, below the kind of
 * clock (bits 0-1: 0 prof, 1 virt, 2 sched, 3 a descriptor's clock) and a per-thread bit (2).
 * clock_getcpuclockid() and pthread_getcpuclockid() therefore make ids holding the kernel's
 * number, which a restart changes. Here the ids the program gets hold the virtual number, and
 * the calls that take a clock id give the kernel one with the real number. Clock ids that are
 * not a CPU clock of another process or thread (CLOCK_MONOTONIC and the like, all >= 0) pass
 * with one test. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "agent.h"
#include "pidvirt.h"

#define EXPORT __attribute__((visibility("default")))

static clockid_t translate(clockid_t clk, int (*map)(int))
{
    if (clk >= 0 || (clk & 3) == 3 || !sx_pid_live) return clk;
    int id = ~(clk >> 3);
    if (id <= 0) return clk; /* 0: the caller itself */
    int to = map(id);
    return to == id ? clk : (clockid_t)((~(unsigned)to << 3) | (unsigned)(clk & 7));
}

/* The id the kernel understands, for a clock id the program has. */
clockid_t sx_clock_real(clockid_t clk) { return translate(clk, sx_pid_real); }
clockid_t sx_clock_virtual(clockid_t clk) { return translate(clk, sx_pid_virtual); }

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int (*real_clock_getres)(clockid_t, struct timespec *);
static int (*real_clock_settime)(clockid_t, const struct timespec *);
static int (*real_timer_create)(clockid_t, struct sigevent *, timer_t *);
static int (*real_clock_getcpuclockid)(pid_t, clockid_t *);
static int (*real_pthread_getcpuclockid)(pthread_t, clockid_t *);

__attribute__((constructor(101))) static void resolve_real(void)
{
    REAL(clock_gettime);
    REAL(clock_getres);
    REAL(clock_settime);
    REAL(timer_create);
    REAL(clock_getcpuclockid);
    REAL(pthread_getcpuclockid);
}

EXPORT int clock_gettime(clockid_t clk, struct timespec *tp) { return REAL(clock_gettime)(sx_clock_real(clk), tp); }
EXPORT int clock_getres(clockid_t clk, struct timespec *tp) { return REAL(clock_getres)(sx_clock_real(clk), tp); }
EXPORT int clock_settime(clockid_t clk, const struct timespec *tp)
{
    return REAL(clock_settime)(sx_clock_real(clk), tp);
}
/* clock_nanosleep translates its clock in interrupted.c, where it is resumed after a checkpoint. */

/* A timer that signals one thread (SIGEV_THREAD_ID) names it by its tid. libc reads the
 * sigevent itself, so reading it here faults no more than the call would. */
EXPORT int timer_create(clockid_t clk, struct sigevent *sev, timer_t *timer)
{
    if (sev && sev->sigev_notify == SIGEV_THREAD_ID && sx_pid_live) {
        struct sigevent copy = *sev;
        copy._sigev_un._tid = sx_pid_real(sev->_sigev_un._tid);
        return REAL(timer_create)(sx_clock_real(clk), &copy, timer);
    }
    return REAL(timer_create)(sx_clock_real(clk), sev, timer);
}

/* libc makes the id from the number it is given and asks the kernel whether that process
 * exists: given the real number, then handed back with the virtual one. */
EXPORT int clock_getcpuclockid(pid_t pid, clockid_t *clk)
{
    int r = REAL(clock_getcpuclockid)(sx_pid_real(pid), clk);
    if (r == 0 && sx_pid_live) *clk = translate(*clk, sx_pid_virtual); /* libc wrote it */
    return r;
}

/* libc makes the id from the thread's tid in its thread block: the real one since a restart. */
EXPORT int pthread_getcpuclockid(pthread_t thread, clockid_t *clk)
{
    int r = REAL(pthread_getcpuclockid)(thread, clk);
    if (r == 0 && sx_pid_live) *clk = translate(*clk, sx_pid_virtual);
    return r;
}
