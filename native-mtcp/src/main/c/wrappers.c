/* Keeps the checkpoint signal ours: a program that installs a handler for it, or blocks
 * it, gets what it asked for virtually, and checkpoints keep working. */
#define _GNU_SOURCE
#include <signal.h>
#include <dlfcn.h>
#include <errno.h>

#include "agent.h"
#include "pidvirt.h"
#include "probe.h"

void *sx_real(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!p) {
        p = dlsym(RTLD_NEXT, name);
        __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    }
    return p;
}

static int ours(int sig) { return sx_agent.active && sig == sx_agent.ckpt_signal; }

__attribute__((visibility("default"))) int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (ours(sig)) {
        /* kept here, not in the kernel: copied through probes so that a bad pointer gets
         * EFAULT, as the kernel would give it, rather than a crash in the agent (rare path) */
        struct sigaction now, prev;
        if (act && sx_probe_read(&now, act, sizeof now) != sizeof now) {
            errno = EFAULT;
            return -1;
        }
        sx_threads_user_action(0, &prev);
        if (old && sx_probe_write(old, &prev, sizeof prev) != sizeof prev) {
            errno = EFAULT;
            return -1;
        }
        return sx_threads_user_action(act ? &now : 0, 0);
    }
    return sx_crashnote_sigaction(sig, act, old);
}

__attribute__((visibility("default"))) sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction a = {0}, old = {0};
    a.sa_handler = handler;
    a.sa_flags = SA_RESTART;
    sigemptyset(&a.sa_mask);
    sigaddset(&a.sa_mask, sig);
    if (sigaction(sig, &a, &old) < 0) return SIG_ERR;
    return old.sa_handler;
}

static const sigset_t *without_ours(int how, const sigset_t *set, sigset_t *copy)
{
    if (!set || !sx_agent.active || how == SIG_UNBLOCK) return set;
    *copy = *set;
    sigdelset(copy, sx_agent.ckpt_signal);
    return copy;
}

/* Resolved at load time: a first call may come from a signal handler, where dlsym is unsafe. */
static int (*real_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);

__attribute__((constructor(101))) static void resolve_real(void)
{
    real_pthread_sigmask = dlsym(RTLD_NEXT, "pthread_sigmask");
    real_sigprocmask = dlsym(RTLD_NEXT, "sigprocmask");
}

__attribute__((visibility("default"))) int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t copy;
    return real_pthread_sigmask(how, without_ours(how, set, &copy), old);
}

__attribute__((visibility("default"))) int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t copy;
    return real_sigprocmask(how, without_ours(how, set, &copy), old);
}
