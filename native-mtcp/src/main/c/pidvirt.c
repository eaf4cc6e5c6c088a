/* The virtual pid table and the libc wrappers that translate through it (pidvirt.h).
 *
 * The table changes only at restart (every user thread stopped), at agent start, and when a
 * reaped child's entry is dropped; lookups take no lock. An entry is published by writing the
 * real pid before the virtual one, and retired by clearing the virtual one first, so a reader
 * never pairs numbers from two different entries. */
#define _GNU_SOURCE
#include "pidvirt.h"

#include <errno.h>
#include <string.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "sys.h"
#include "text.h"

#define EXPORT __attribute__((visibility("default")))

static struct {
    volatile int v, r;
} map[SX_MAX_PIDS];
static volatile int nmap; /* slots in use, including retired ones (v == 0) */
volatile int sx_pid_live; /* entries with v != 0: the fast path tests only this */

static int lookup_real(int virt)
{
    for (int i = 0; i < nmap; i++)
        if (__atomic_load_n(&map[i].v, __ATOMIC_ACQUIRE) == virt) return map[i].r;
    return 0;
}

static int lookup_virtual(int real)
{
    for (int i = 0; i < nmap; i++) {
        int v = __atomic_load_n(&map[i].v, __ATOMIC_ACQUIRE);
        if (v && map[i].r == real) return v;
    }
    return 0;
}

int sx_pid_virtual(int real)
{
    if (!sx_pid_live || real == 0 || real == -1) return real;
    if (real < 0) return -sx_pid_virtual(-real);
    int v = lookup_virtual(real);
    return v ? v : real;
}

int sx_pid_real(int virt)
{
    if (!sx_pid_live || virt == 0 || virt == -1) return virt;
    if (virt < 0) return -sx_pid_real(-virt);
    int r = lookup_real(virt);
    return r ? r : virt;
}

int sx_pid_taken(int real)
{
    if (!sx_pid_live) return 0;
    int r = lookup_real(real);
    return r && r != real;
}

static void retire(int i)
{
    if (!map[i].v) return;
    __atomic_store_n(&map[i].v, 0, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&sx_pid_live, 1, __ATOMIC_SEQ_CST);
}

void sx_pid_map_add(int virt, int real)
{
    if (virt <= 0 || real <= 0) return;
    int free_slot = -1;
    for (int i = 0; i < nmap; i++) {
        if (map[i].v == virt || (map[i].v && map[i].r == real)) retire(i);
        if (!map[i].v && free_slot < 0) free_slot = i;
    }
    if (virt == real) return; /* identity needs no entry */
    if (free_slot < 0) {
        if (nmap == SX_MAX_PIDS) {
            sx_log(1, "too many restored processes and threads to map their pids; some keep new numbers", 0, 0);
            return;
        }
        free_slot = nmap++;
    }
    map[free_slot].r = real;
    __atomic_store_n(&map[free_slot].v, virt, __ATOMIC_RELEASE);
    __atomic_add_fetch(&sx_pid_live, 1, __ATOMIC_SEQ_CST);
}

void sx_pid_map_drop_real(int real)
{
    if (!sx_pid_live || real <= 0) return;
    for (int i = 0; i < nmap; i++)
        if (map[i].v && map[i].r == real) retire(i);
}

void sx_pid_map_clear(void)
{
    for (int i = 0; i < nmap; i++) retire(i);
    nmap = 0;
}

int sx_pid_map_size(void) { return sx_pid_live; }

size_t sx_pid_map_format(char *out, size_t cap)
{
    if (!sx_pid_live || cap == 0) return 0;
    struct sx_buf b;
    sx_buf_init(&b, out, cap);
    sx_buf_int(&b, sx_getpid());
    sx_buf_add(&b, ":");
    int first = 1;
    for (int i = 0; i < nmap; i++) {
        int v = map[i].v;
        if (!v) continue;
        if (!first) sx_buf_add(&b, ",");
        first = 0;
        sx_buf_int(&b, v);
        sx_buf_add(&b, "=");
        sx_buf_int(&b, map[i].r);
    }
    if (b.len + 1 >= cap) return 0; /* cut short: better no table than half of one */
    return b.len;
}

void sx_pid_map_import(const char *value, int self_real, int parent_real)
{
    if (!value || !*value) return;
    const char *p = value;
    int writer = (int)sx_parse_u64(&p, 10);
    /* Written by this pid before an exec, or by our parent just before it spawned us. A stale
     * copy (a restarted process's old environment, or a grandchild's) is ignored. */
    if (*p != ':' || (writer != self_real && writer != parent_real)) return;
    p++;
    while (*p) {
        int v = (int)sx_parse_u64(&p, 10);
        if (*p != '=') return;
        p++;
        int r = (int)sx_parse_u64(&p, 10);
        sx_pid_map_add(v, r);
        if (*p == ',') p++;
        else if (*p) return;
    }
}

/* ---- wrappers: process ids ---- */

EXPORT pid_t getpid(void) { return sx_pid_virtual((int)sx_getpid()); }
EXPORT pid_t getppid(void) { return sx_pid_virtual((int)SX_SYS0(__NR_getppid)); }
EXPORT pid_t gettid(void) { return sx_pid_virtual((int)sx_gettid()); }

static long fail_errno(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

EXPORT pid_t getpgid(pid_t pid) { return (pid_t)sx_pid_virtual((int)fail_errno(SX_SYS1(__NR_getpgid, sx_pid_real(pid)))); }
EXPORT pid_t getpgrp(void) { return getpgid(0); }
EXPORT pid_t getsid(pid_t pid) { return (pid_t)sx_pid_virtual((int)fail_errno(SX_SYS1(__NR_getsid, sx_pid_real(pid)))); }
EXPORT int setpgid(pid_t pid, pid_t pgid) { return (int)fail_errno(SX_SYS2(__NR_setpgid, sx_pid_real(pid), sx_pid_real(pgid))); }

EXPORT int kill(pid_t pid, int sig) { return (int)fail_errno(SX_SYS2(__NR_kill, sx_pid_real(pid), sig)); }
EXPORT int killpg(pid_t pgrp, int sig)
{
    if (pgrp < 0) {
        errno = EINVAL;
        return -1;
    }
    return kill(-pgrp, sig);
}
EXPORT int tgkill(pid_t tgid, pid_t tid, int sig)
{
    return (int)fail_errno(SX_SYS3(__NR_tgkill, sx_pid_real(tgid), sx_pid_real(tid), sig));
}

/* The libc functions the wrappers below end in, keeping libc's own behaviour (cancellation
 * points, errno) and only translating numbers. Resolved at load time, or at first use when
 * another library's constructor calls one before ours has run. */
static pid_t (*real_waitpid)(pid_t, int *, int);
static pid_t (*real_wait4)(pid_t, int *, int, struct rusage *);
static int (*real_waitid)(idtype_t, id_t, siginfo_t *, int);
static int (*real_sigqueue)(pid_t, int, const union sigval);
static pid_t (*real_tcgetpgrp)(int);
static int (*real_tcsetpgrp)(int, pid_t);
static pid_t (*real_tcgetsid)(int);

__attribute__((constructor(101))) static void resolve_real(void)
{
    /* a first call may come from a signal handler, where dlsym is unsafe */
    REAL(waitpid);
    REAL(wait4);
    REAL(waitid);
    REAL(sigqueue);
    REAL(tcgetpgrp);
    REAL(tcsetpgrp);
    REAL(tcgetsid);
}

/* A reaped child's pid is free for reuse: its entry goes. */
static pid_t reaped(pid_t r, int status_valid)
{
    if (r <= 0 || !sx_pid_live) return r;
    int v = sx_pid_virtual(r);
    if (status_valid) sx_pid_map_drop_real(r);
    return v;
}

static int reaps(int options, int status)
{
    return !(options & WNOWAIT) && (WIFEXITED(status) || WIFSIGNALED(status));
}

/* A wait the checkpoint signal interrupted is restarted by the kernel with the registers it
 * had: after a restart that is the child's pid of the previous run, not its new one, and the
 * wait fails with ECHILD though the child runs on. So an ECHILD is tried once more when the
 * process was stopped and let go meanwhile and the pid now translates differently. */
static int retranslated(uint32_t resumes_before, int virt, int real_used)
{
    return errno == ECHILD && sx_threads_resumes() != resumes_before && sx_pid_real(virt) != real_used;
}

/* The program's status pointer goes to the kernel as it is (a bad one gets EFAULT there, as
 * without us) and is read only after the kernel wrote it. */
EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    int own = 0;
    int *st = status ? status : &own;
    for (;;) {
        uint32_t before = sx_threads_resumes();
        int real = sx_pid_real(pid);
        pid_t r = REAL(waitpid)(real, st, options);
        if (r < 0 && retranslated(before, pid, real)) continue;
        return reaped(r, r > 0 && reaps(options, *st));
    }
}

EXPORT pid_t wait(int *status) { return waitpid(-1, status, 0); }

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    int own = 0;
    int *st = status ? status : &own;
    for (;;) {
        uint32_t before = sx_threads_resumes();
        int real = sx_pid_real(pid);
        pid_t r = REAL(wait4)(real, st, options, ru);
        if (r < 0 && retranslated(before, pid, real)) continue;
        return reaped(r, r > 0 && reaps(options, *st));
    }
}

EXPORT pid_t wait3(int *status, int options, struct rusage *ru) { return wait4(-1, status, options, ru); }

EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    int translated = type == P_PID || type == P_PGID;
    for (;;) {
        uint32_t before = sx_threads_resumes();
        id_t real = translated ? (id_t)sx_pid_real((int)id) : id;
        int r = REAL(waitid)(type, real, info, options);
        if (r < 0 && translated && retranslated(before, (int)id, (int)real)) continue;
        /* info was written by the kernel when the call succeeded */
        if (r == 0 && info && info->si_pid) {
            int child = info->si_pid;
            info->si_pid = sx_pid_virtual(child);
            if (!(options & WNOWAIT) && (info->si_code == CLD_EXITED || info->si_code == CLD_KILLED ||
                                         info->si_code == CLD_DUMPED))
                sx_pid_map_drop_real(child);
        }
        return r;
    }
}

EXPORT int sigqueue(pid_t pid, int sig, const union sigval value) { return REAL(sigqueue)(sx_pid_real(pid), sig, value); }
EXPORT pid_t tcgetpgrp(int fd)
{
    pid_t r = REAL(tcgetpgrp)(fd);
    return r > 0 ? sx_pid_virtual(r) : r;
}
EXPORT int tcsetpgrp(int fd, pid_t pgrp) { return REAL(tcsetpgrp)(fd, sx_pid_real(pgrp)); }
/* the session of a terminal (TIOCGSID): compared with getsid(), which is virtual */
EXPORT pid_t tcgetsid(int fd)
{
    pid_t r = REAL(tcgetsid)(fd);
    return r > 0 ? sx_pid_virtual(r) : r;
}

EXPORT int sched_setaffinity(pid_t pid, size_t len, const cpu_set_t *set)
{
    return (int)fail_errno(SX_SYS3(__NR_sched_setaffinity, sx_pid_real(pid), len, set));
}
EXPORT int sched_getaffinity(pid_t pid, size_t len, cpu_set_t *set)
{
    long r = fail_errno(SX_SYS3(__NR_sched_getaffinity, sx_pid_real(pid), len, set));
    if (r < 0) return -1;
    /* libc's contract: the rest of the caller's set is cleared and 0 returned */
    if ((size_t)r < len) memset((char *)set + r, 0, len - (size_t)r);
    return 0;
}
EXPORT int sched_setparam(pid_t pid, const struct sched_param *p)
{
    return (int)fail_errno(SX_SYS2(__NR_sched_setparam, sx_pid_real(pid), p));
}
EXPORT int sched_getparam(pid_t pid, struct sched_param *p)
{
    return (int)fail_errno(SX_SYS2(__NR_sched_getparam, sx_pid_real(pid), p));
}
EXPORT int sched_setscheduler(pid_t pid, int policy, const struct sched_param *p)
{
    return (int)fail_errno(SX_SYS3(__NR_sched_setscheduler, sx_pid_real(pid), policy, p));
}
EXPORT int sched_getscheduler(pid_t pid) { return (int)fail_errno(SX_SYS1(__NR_sched_getscheduler, sx_pid_real(pid))); }

static id_t prio_who(int which, id_t who)
{
    return (which == PRIO_PROCESS || which == PRIO_PGRP) ? (id_t)sx_pid_real((int)who) : who;
}
EXPORT int getpriority(__priority_which_t which, id_t who)
{
    long r = fail_errno(SX_SYS2(__NR_getpriority, which, prio_who(which, who)));
    return r < 0 ? -1 : 20 - (int)r; /* the kernel answers 40..1 for nice -20..19 */
}
EXPORT int setpriority(__priority_which_t which, id_t who, int prio)
{
    return (int)fail_errno(SX_SYS3(__NR_setpriority, which, prio_who(which, who), prio));
}

/* syscall(): programs ask for their thread id this way (libc had no gettid() before glibc
 * 2.30) and signal threads with SYS_tgkill, so the calls that take or give a pid go through
 * the wrappers above, or get their pid argument translated. The rest pass through unchanged.
 * Six arguments are read whether given or not, as libc's own syscall() does. */
static long (*real_syscall)(long, ...);

EXPORT long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    switch (n) {
    case __NR_getpid: return getpid();
    case __NR_getppid: return getppid();
    case __NR_gettid: return gettid();
    case __NR_getpgid: return getpgid((pid_t)a);
    case __NR_getpgrp: return getpgrp();
    case __NR_getsid: return getsid((pid_t)a);
    case __NR_setpgid: return setpgid((pid_t)a, (pid_t)b);
    case __NR_kill: return kill((pid_t)a, (int)b);
    case __NR_tgkill: return tgkill((pid_t)a, (pid_t)b, (int)c);
    case __NR_tkill: return fail_errno(SX_SYS2(__NR_tkill, sx_pid_real((int)a), b));
    case __NR_wait4: return wait4((pid_t)a, (int *)b, (int)c, (struct rusage *)d);
    case __NR_madvise:
        sx_nofork_note_advice((int)c);
        break;
    case __NR_sched_setaffinity:
    case __NR_sched_getaffinity:
    case __NR_sched_setparam:
    case __NR_sched_getparam:
    case __NR_sched_setscheduler:
    case __NR_sched_getscheduler:
    case __NR_sched_rr_get_interval:
    case __NR_prlimit64:
    case __NR_pidfd_open:
    case __NR_rt_sigqueueinfo:
        a = sx_pid_real((int)a);
        break;
    case __NR_waitid:
        if (a == P_PID || a == P_PGID) b = sx_pid_real((int)b);
        break;
    case __NR_clock_gettime:
    case __NR_clock_getres:
    case __NR_clock_settime:
    case __NR_clock_nanosleep:
    case __NR_timer_create:
        a = sx_clock_real((clockid_t)a);
        break;
    case __NR_rt_tgsigqueueinfo:
        a = sx_pid_real((int)a);
        b = sx_pid_real((int)b);
        break;
    case __NR_signalfd:
    case __NR_signalfd4:
        return sx_sigfd_created(REAL(syscall)(n, a, b, c, d, e, f));
    }
    return REAL(syscall)(n, a, b, c, d, e, f);
}
