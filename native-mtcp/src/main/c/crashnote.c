/* A restarted process that crashes says so.
 *
 * After a restart the process is the child of whatever ran dmtcp_restart (the restorer
 * becomes the program), so a crash left the user with nothing but an exit status: a job
 * script or a test harness saw the program simply stop. A crash right after a restart is
 * most likely the restart's fault (memory that did not come back), so the user must see it.
 *
 * At restart the agent puts a handler on each crash signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGABRT, SIGSYS) whose disposition is the default one. The handler writes one line to
 * standard error naming the process, the signal, the faulting address and instruction and
 * the time since the restart, puts the default action back and lets the signal do what it
 * would have done (a fault happens again on return; a sent signal is raised again), so the
 * exit status and any core dump are unchanged. The program does not see the handler: its
 * sigaction() reads the default disposition, and a handler it installs replaces ours. */
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "pidvirt.h"
#include "probe.h"
#include "sys.h"
#include "text.h"

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};
static volatile uint64_t armed; /* bit per signal number whose default disposition is ours */
static uint64_t restarted_ns;

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    SX_SYS2(__NR_clock_gettime, CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGABRT: return "SIGABRT (aborted)";
    default: return "SIGSYS (bad system call)";
    }
}

static void on_crash(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    struct sx_buf b;
    char mem[512];
    sx_buf_init(&b, mem, sizeof mem);
    sx_buf_add(&b, "[stasis] restarted process ");
    sx_buf_add(&b, sx_agent.program);
    sx_buf_add(&b, " (pid ");
    sx_buf_int(&b, sx_pid_virtual((int)sx_getpid()));
    sx_buf_add(&b, ") died of ");
    sx_buf_add(&b, signal_name(sig));
    if (si->si_code > 0 && sig != SIGABRT) {
        sx_buf_add(&b, " at address 0x");
        sx_buf_hex(&b, (uint64_t)si->si_addr, 1);
        sx_buf_add(&b, ", instruction 0x");
        sx_buf_hex(&b, (uint64_t)uc->uc_mcontext.gregs[REG_RIP], 1);
    }
    sx_buf_add(&b, ", ");
    sx_buf_int(&b, (int64_t)((monotonic_ns() - restarted_ns) / 1000000u));
    sx_buf_add(&b, " ms after its restart\n");
    sx_write_all(2, b.p, b.len);

    struct sx_kernel_sigaction dfl = {0};
    SX_SYS4(__NR_rt_sigaction, sig, &dfl, 0, 8);
    __atomic_and_fetch(&armed, ~(1ull << sig), __ATOMIC_SEQ_CST);
    /* a fault comes back when the instruction runs again; anything else is sent again, and
     * arrives when the handler returns and unblocks it */
    if (si->si_code <= 0 || sig == SIGABRT) sx_tgkill((int)sx_getpid(), (int)sx_gettid(), sig);
}

void sx_crashnote_arm(void)
{
    restarted_ns = monotonic_ns();
    for (unsigned i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) {
        int sig = crash_signals[i];
        struct sigaction cur;
        if (__sigaction(sig, 0, &cur) < 0 || (cur.sa_flags & SA_SIGINFO) || cur.sa_handler != SIG_DFL) continue;
        struct sigaction sa = {0};
        sa.sa_sigaction = on_crash;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (__sigaction(sig, &sa, 0) == 0) __atomic_or_fetch(&armed, 1ull << sig, __ATOMIC_SEQ_CST);
    }
}

int sx_crashnote_armed(int sig)
{
    return sig > 0 && sig < 64 && (__atomic_load_n(&armed, __ATOMIC_RELAXED) & (1ull << sig));
}

/* The program's sigaction, after ours: a handler it installs goes on through siginfo.c. */
int sx_crashnote_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= 64 || !(__atomic_load_n(&armed, __ATOMIC_RELAXED) & (1ull << sig)))
        return sx_siginfo_sigaction(sig, act, old);
    int r = 0;
    if (act) {
        __atomic_and_fetch(&armed, ~(1ull << sig), __ATOMIC_SEQ_CST); /* the program takes over */
        r = sx_siginfo_sigaction(sig, act, 0);
    }
    if (r == 0 && old) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL; /* what the program had, as far as it knows */
        if (sx_probe_write(old, &dfl, sizeof dfl) != sizeof dfl) {
            errno = EFAULT;
            return -1;
        }
    }
    return r;
}
