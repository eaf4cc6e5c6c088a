/* si_pid with virtual pids (pidvirt.h): the kernel fills a siginfo's si_pid with the sender's
 * real pid, which after a restart is not the number the program knows.
 *
 * Handlers installed with SA_SIGINFO get the siginfo through a trampoline of ours that puts
 * the virtual pid in before calling the program's handler. Until a process is restarted (the
 * pid table is empty) handlers are installed as the program gave them and signal delivery
 * costs nothing more; at a restart the SA_SIGINFO handlers in place are moved behind the
 * trampoline, and from then on sigaction() installs new ones behind it. sigaction() always
 * reports the program's own handler. sigwaitinfo() and sigtimedwait() fix the siginfo they
 * return. Not covered: siginfo read from a signalfd (read() is not wrapped), and the si_pid
 * of a signal whose handler was installed without libc. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "agent.h"
#include "image_format.h"
#include "pidvirt.h"
#include "sys.h"

#define EXPORT __attribute__((visibility("default")))
#define NSIG_MAX 64

typedef void (*action_fn)(int, siginfo_t *, void *);

/* The program's handler per signal, for signals whose kernel handler is the trampoline. Only
 * ever replaced by another SA_SIGINFO handler, never cleared: a signal delivered to the
 * trampoline just before the program changed its disposition still finds a function. */
static action_fn program_action[NSIG_MAX + 1];

/* Which siginfo carries a sender's pid: sent by a process (kill, sigqueue, tgkill, a message
 * queue's notification) or a child's state change. Others put an address, a timer id or a
 * descriptor in the same place. */
static int carries_pid(int sig, const siginfo_t *si)
{
    switch (si->si_code) {
    case SI_USER: case SI_QUEUE: case SI_TKILL: case SI_MESGQ:
        return 1;
    default:
        return sig == SIGCHLD && si->si_code >= CLD_EXITED && si->si_code <= CLD_CONTINUED;
    }
}

void sx_siginfo_fix(int sig, siginfo_t *si)
{
    if (si && sx_pid_live && carries_pid(sig, si)) si->si_pid = sx_pid_virtual(si->si_pid);
}

static void trampoline(int sig, siginfo_t *si, void *uc)
{
    sx_siginfo_fix(sig, si);
    action_fn fn = __atomic_load_n(&program_action[sig], __ATOMIC_ACQUIRE);
    fn(sig, si, uc);
}

static int wants_trampoline(int sig, const struct sigaction *act)
{
    return sig > 0 && sig <= NSIG_MAX && (act->sa_flags & SA_SIGINFO) && act->sa_handler != SIG_DFL &&
           act->sa_handler != SIG_IGN && act->sa_sigaction != trampoline;
}

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

int sx_siginfo_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    action_fn before = 0;
    int r;
    /* libc reads act itself, so reading it here faults no more than the call would */
    if (act && sx_pid_live && wants_trampoline(sig, act)) {
        struct sigaction copy = *act;
        before = __atomic_exchange_n(&program_action[sig], act->sa_sigaction, __ATOMIC_ACQ_REL);
        copy.sa_sigaction = trampoline;
        r = __sigaction(sig, &copy, old);
        if (r < 0) __atomic_store_n(&program_action[sig], before, __ATOMIC_RELEASE);
    } else {
        if (sig > 0 && sig <= NSIG_MAX) before = program_action[sig];
        r = __sigaction(sig, act, old);
    }
    /* old was written by libc when the call succeeded */
    if (r == 0 && old && (old->sa_flags & SA_SIGINFO) && old->sa_sigaction == trampoline) old->sa_sigaction = before;
    return r;
}

void sx_siginfo_restarted(void)
{
    for (int sig = 1; sig <= NSIG_MAX; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == sx_agent.ckpt_signal) continue;
        struct sx_kernel_sigaction k;
        if (SX_SYS4(__NR_rt_sigaction, sig, 0, &k, 8) < 0) continue;
        if (!(k.flags & SA_SIGINFO) || k.handler <= 1 || k.handler == (uint64_t)(uintptr_t)trampoline) continue;
        if (sx_crashnote_armed(sig)) continue; /* a crash note of the restart before: not the program's */
        __atomic_store_n(&program_action[sig], (action_fn)(uintptr_t)k.handler, __ATOMIC_RELEASE);
        k.handler = (uint64_t)(uintptr_t)trampoline;
        SX_SYS4(__NR_rt_sigaction, sig, &k, 0, 8);
    }
}
