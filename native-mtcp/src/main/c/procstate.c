/* Process-wide kernel state that memory does not hold: signal dispositions, interval
 * timers, resource limits, umask, working directory, pending signals, the mm layout.
 * Captured while user threads are stopped; restored by the agent after a restart, before
 * any user thread runs again. */
#include "agent.h"
#include "pidvirt.h"

#include <signal.h>
#include <string.h>

#include "sys.h"
#include "text.h"

uint64_t sx_shared_pending;

/* Reads a small /proc file into buf; returns its length or a negative errno. */
static long read_small(const char *path, char *buf, size_t cap)
{
    int fd = (int)sx_open(path, 0, 0);
    if (fd < 0) return fd;
    long total = 0;
    for (;;) {
        long r = sx_read(fd, buf + total, cap - 1 - (size_t)total);
        if (r <= 0) break;
        total += r;
        if ((size_t)total >= cap - 1) break;
    }
    sx_close(fd);
    buf[total] = 0;
    return total;
}

/* /proc/self/stat fields after the command name: field 3 is the first one there. */
static void read_mm_layout(struct sx_process_state *ps)
{
    static char buf[4096];
    if (read_small("/proc/self/stat", buf, sizeof buf) <= 0) return;
    const char *p = buf;
    const char *close = 0;
    for (const char *q = buf; *q; q++)
        if (*q == ')') close = q;
    if (!close) return;
    p = close + 2;
    uint64_t f[53] = {0};
    for (int field = 3; field <= 52 && *p; field++) {
        if (*p == '-') p++;
        f[field] = sx_parse_u64(&p, 10);
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
    }
    ps->start_code = f[26];
    ps->end_code = f[27];
    ps->start_stack = f[28];
    ps->start_data = f[45];
    ps->end_data = f[46];
    ps->start_brk = f[47];
    ps->arg_start = f[48];
    ps->arg_end = f[49];
    ps->env_start = f[50];
    ps->env_end = f[51];
    ps->brk = (uint64_t)SX_SYS1(__NR_brk, 0);
}

static uint64_t shared_pending_from_status(void)
{
    static char buf[8192];
    if (read_small("/proc/self/status", buf, sizeof buf) <= 0) return 0;
    for (const char *p = buf; *p; p++) {
        if ((p == buf || p[-1] == '\n') && sx_startswith(p, "ShdPnd:")) {
            p += 7;
            while (*p == ' ' || *p == '\t') p++;
            return sx_parse_u64(&p, 16);
        }
    }
    return 0;
}

/* /proc/self/timers lists every POSIX timer: id, signal and value, whom it notifies, clock. */
static void capture_ptimers(struct sx_process_state *ps)
{
    static char buf[32768];
    if (read_small("/proc/self/timers", buf, sizeof buf) <= 0) return;
    struct sx_ptimer *t = 0;
    for (const char *p = buf; *p;) {
        if (sx_startswith(p, "ID: ") && ps->nptimers < SX_MAX_PTIMERS) {
            p += 4;
            t = &ps->ptimers[ps->nptimers++];
            t->id = (int32_t)sx_parse_u64(&p, 10);
        } else if (t && sx_startswith(p, "signal: ")) {
            p += 8;
            t->signo = (int32_t)sx_parse_u64(&p, 10);
            if (*p == '/') p++;
            t->sigval = sx_parse_u64(&p, 16);
        } else if (t && sx_startswith(p, "notify: ")) {
            p += 8;
            if (sx_startswith(p, "none")) t->notify = 1;
            else if (sx_startswith(p, "thread/tid.")) {
                t->notify = 4;
                p += 11;
                t->target_tid = (int32_t)sx_parse_u64(&p, 10);
            } else t->notify = 0;
        } else if (t && sx_startswith(p, "ClockID: ")) {
            p += 9;
            /* a CPU clock is negative and names its process or thread: kept by the virtual
             * id, given the kernel's again at restart */
            int neg = *p == '-';
            if (neg) p++;
            int64_t v = (int64_t)sx_parse_u64(&p, 10);
            t->clockid = (int32_t)sx_clock_virtual((clockid_t)(neg ? -v : v));
        }
        while (*p && *p != '\n') p++;
        if (*p) p++;
    }
    for (uint32_t i = 0; i < ps->nptimers; i++) {
        struct { struct { long s, ns; } interval, value; } spec = {{0, 0}, {0, 0}};
        SX_SYS2(__NR_timer_gettime, ps->ptimers[i].id, &spec);
        ps->ptimers[i].interval_sec = spec.interval.s;
        ps->ptimers[i].interval_nsec = spec.interval.ns;
        ps->ptimers[i].value_sec = spec.value.s;
        ps->ptimers[i].value_nsec = spec.value.ns;
    }
}

static void restore_ptimers(const struct sx_process_state *ps)
{
    if (!ps->nptimers) return;
    if (SX_SYS5(__NR_prctl, 77 /* PR_TIMER_CREATE_RESTORE_IDS */, 1, 0, 0, 0) < 0) {
        sx_log(1, "this kernel cannot recreate timers under their ids; timers are lost", 0, 0);
        return;
    }
    for (uint32_t i = 0; i < ps->nptimers; i++) {
        const struct sx_ptimer *t = &ps->ptimers[i];
        struct { uint64_t value; int32_t signo, notify; int32_t tid; int32_t pad[11]; } ev = {0};
        ev.value = t->sigval;
        ev.signo = t->signo;
        ev.notify = t->notify;
        if (t->notify == 4) {
            ev.tid = sx_threads_new_tid(t->target_tid);
            if (!ev.tid) continue; /* its thread is gone */
        }
        int id = t->id;
        if (SX_SYS3(__NR_timer_create, sx_clock_real(t->clockid), &ev, &id) < 0 || id != t->id) {
            sx_log(1, "cannot recreate a timer; it is lost", 0, 0);
            continue;
        }
        if (!t->value_sec && !t->value_nsec) continue;
        struct { struct { long s, ns; } interval, value; } spec = {{t->interval_sec, t->interval_nsec},
                                                                    {t->value_sec, t->value_nsec}};
        SX_SYS4(__NR_timer_settime, id, 0, &spec, 0);
    }
    SX_SYS5(__NR_prctl, 77, 0, 0, 0, 0);
}

void sx_procstate_capture(struct sx_process_state *ps)
{
    memset(ps, 0, sizeof *ps);
    read_mm_layout(ps);
    for (int sig = 1; sig <= SX_NSIG; sig++)
        SX_SYS4(__NR_rt_sigaction, sig, 0, &ps->sigactions[sig], 8);
    for (int which = 0; which < 3; which++) {
        struct {
            struct { long s, us; } interval, value;
        } it;
        if (SX_SYS2(__NR_getitimer, which, &it) == 0) {
            ps->itimers[which].interval_sec = it.interval.s;
            ps->itimers[which].interval_usec = it.interval.us;
            ps->itimers[which].value_sec = it.value.s;
            ps->itimers[which].value_usec = it.value.us;
        }
    }
    for (int r = 0; r < SX_NRLIMIT; r++) SX_SYS4(__NR_prlimit64, 0, r, 0, &ps->rlimits[r]);
    long old = SX_SYS1(__NR_umask, 022);
    SX_SYS1(__NR_umask, old);
    ps->umask = (uint32_t)old;
    if (SX_SYS2(__NR_getcwd, ps->cwd, sizeof ps->cwd) < 0) ps->cwd[0] = 0;
    capture_ptimers(ps);
    ps->shared_pending = shared_pending_from_status() & ~(1ull << (sx_agent.ckpt_signal - 1));
    sx_shared_pending = ps->shared_pending;
}

void sx_procstate_restore(const struct sx_process_state *ps)
{
    for (int sig = 1; sig <= SX_NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        SX_SYS4(__NR_rt_sigaction, sig, &ps->sigactions[sig], 0, 8);
    }
    for (int r = 0; r < SX_NRLIMIT; r++) {
        struct sx_rlimit now, want = ps->rlimits[r];
        if (SX_SYS4(__NR_prlimit64, 0, r, 0, &now) < 0) continue;
        /* an ordinary user cannot raise a hard limit: keep what this host allows */
        if (want.max > now.max) want.max = now.max;
        if (want.cur > want.max) want.cur = want.max;
        SX_SYS4(__NR_prlimit64, 0, r, &want, 0);
    }
    SX_SYS1(__NR_umask, ps->umask);
    if (ps->cwd[0] && SX_SYS1(__NR_chdir, ps->cwd) < 0)
        sx_log(1, "cannot return to the working directory ", ps->cwd, "; staying where restart was run");
    for (int which = 0; which < 3; which++) {
        const struct sx_itimer *t = &ps->itimers[which];
        if (!t->value_sec && !t->value_usec) continue;
        struct {
            struct { long s, us; } interval, value;
        } it = {{t->interval_sec, t->interval_usec}, {t->value_sec, t->value_usec}};
        SX_SYS3(__NR_setitimer, which, &it, 0);
    }
    restore_ptimers(ps);
    int pid = (int)sx_getpid();
    for (int sig = 1; sig <= SX_NSIG; sig++)
        if (ps->shared_pending & (1ull << (sig - 1))) SX_SYS2(__NR_kill, pid, sig);
}
