/* Stopping and resuming user threads with the checkpoint signal.
 *
 * Each user thread is stopped inside our signal handler: the kernel has saved its complete
 * register state, signal mask and alternate stack in a signal frame on its own stack, which
 * is part of the memory image. So a thread needs only a few registers of its own (ctx) to be
 * brought back into the handler after restart; returning from the handler then restores the
 * rest exactly (rt_sigreturn). System calls the signal interrupted are restarted by the
 * kernel on return (SA_RESTART), both after a checkpoint and after a restart, except those
 * Linux never restarts after a handler (poll, nanosleep, ...): interrupted.c resumes them. */
#include "agent.h"
#include "pidvirt.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/futex.h>

#include "procfs.h"
#include "sys.h"
#include "text.h"

enum { SLOT_SIGNALED = 1, SLOT_SUSPENDED, SLOT_RESTORED, SLOT_GONE };

struct slot {
    int old_tid; /* as it was at the checkpoint, for mapping after restart */
    volatile int tid;
    volatile int state;
    uint64_t fs_base;
    struct sx_ctx ctx;
    uint64_t pending;
};

static struct slot slots[SX_MAX_THREADS];
static int nslots;
static volatile int ckpt_active;
static volatile int arrived;
static volatile int restored;
static volatile int resume_word;

/* The program's own wishes for the checkpoint signal, which we never let it take over. */
static struct sigaction user_action;

static struct slot *find_slot(int tid)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].tid == tid) return &slots[i];
    return 0;
}

static uint64_t read_fs_base(void)
{
    uint64_t fs = 0;
    sx_arch_prctl(0x1003 /* ARCH_GET_FS */, (unsigned long)&fs);
    return fs;
}

static uint64_t thread_pending(void)
{
    uint64_t set = 0;
    SX_SYS2(__NR_rt_sigpending, &set, 8);
    return set;
}

/* A checkpoint signal that is not ours: behave as the program asked. */
static void forward_to_program(int sig, siginfo_t *si, void *uc)
{
    if (user_action.sa_handler == SIG_IGN) return;
    if (user_action.sa_handler == SIG_DFL) {
        struct sx_kernel_sigaction dfl = {0};
        SX_SYS4(__NR_rt_sigaction, sig, &dfl, 0, 8);
        uint64_t unblock = 1ull << (sig - 1);
        SX_SYS4(__NR_rt_sigprocmask, SIG_UNBLOCK, &unblock, 0, 8);
        sx_tgkill((int)sx_getpid(), (int)sx_gettid(), sig);
        return;
    }
    if (user_action.sa_flags & SA_SIGINFO) {
        sx_siginfo_fix(sig, si);
        user_action.sa_sigaction(sig, si, uc);
    }
    else user_action.sa_handler(sig);
}

void sx_fix_thread_after_restart(uint64_t fs_base, const char *comm)
{
    long tid = sx_gettid();
    if (sx_agent.tid_offset) {
        volatile int32_t *tidp = (volatile int32_t *)(fs_base + (uint64_t)sx_agent.tid_offset);
        *tidp = (int32_t)tid;
        SX_SYS1(__NR_set_tid_address, tidp);
    }
    if (sx_agent.robust_offset) SX_SYS2(__NR_set_robust_list, fs_base + (uint64_t)sx_agent.robust_offset, 24);
    if (sx_agent.rseq_offset)
        SX_SYS4(__NR_rseq, fs_base + (uint64_t)sx_agent.rseq_offset, sx_agent.rseq_len, 0, 0x53053053);
    if (comm && comm[0]) SX_SYS2(__NR_prctl, PR_SET_NAME, comm);
}

static void handler(int sig, siginfo_t *si, void *uc)
{
    int tid = (int)sx_gettid();
    struct slot *s = find_slot(tid);
    if (!s || s->state != SLOT_SIGNALED) {
        forward_to_program(sig, si, uc);
        return;
    }
    sx_interrupted_enter(uc);
    if (!ckpt_active) { /* a checkpoint that gave up before this thread stopped */
        sx_interrupted_leave(uc, sig);
        return;
    }
    int my_resume = resume_word;
    s->fs_base = read_fs_base();
    s->pending = thread_pending();
    if (sx_ctx_save(&s->ctx) == 0) {
        __atomic_store_n(&s->state, SLOT_SUSPENDED, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
        sx_futex(&arrived, SX_FUTEX_WAKE, 1, 0);
    } else {
        /* A new kernel thread, made by the restorer, now wearing this thread's memory.
         * Signals that were pending for this thread alone are raised again; they stay
         * pending until the handler returns and the saved mask is back. */
        sx_fix_thread_after_restart(s->fs_base, 0);
        s->tid = (int)sx_gettid();
        uint64_t mine = s->pending & ~sx_shared_pending & ~(1ull << (sx_agent.ckpt_signal - 1));
        for (int n = 1; n <= 64; n++)
            if (mine & (1ull << (n - 1))) sx_tgkill((int)sx_getpid(), s->tid, n);
        __atomic_store_n(&s->state, SLOT_RESTORED, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&restored, 1, __ATOMIC_SEQ_CST);
        sx_futex(&restored, SX_FUTEX_WAKE, 1, 0);
    }
    while (__atomic_load_n(&resume_word, __ATOMIC_SEQ_CST) == my_resume)
        sx_futex(&resume_word, SX_FUTEX_WAIT, my_resume, 0);
    sx_interrupted_leave(uc, sig); /* a call we interrupted is resumed by its wrapper */
}

void sx_threads_install_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    /* libc's sigaction, before our wrapper is in the way: the wrapper would hide it */
    extern int __sigaction(int, const struct sigaction *, struct sigaction *);
    __sigaction(sx_agent.ckpt_signal, &sa, 0);
}

int sx_threads_user_action(const struct sigaction *act, struct sigaction *old)
{
    if (old) *old = user_action;
    if (act) user_action = *act;
    return 0;
}

static void fail(char *err, unsigned long errlen, const char *a, long n, const char *b)
{
    struct sx_buf e;
    sx_buf_init(&e, err, errlen);
    sx_buf_add(&e, a);
    sx_buf_int(&e, n);
    sx_buf_add(&e, b);
}

int sx_threads_suspend(char *err, unsigned long errlen)
{
    static int tids[SX_MAX_THREADS];
    int self = (int)sx_gettid();
    int pid = (int)sx_getpid();
    nslots = 0;
    arrived = 0;
    restored = 0;
    __atomic_store_n(&ckpt_active, 1, __ATOMIC_SEQ_CST);

    int signaled = 0;
    for (int round = 0;; round++) {
        int n = sx_proc_numbers("/proc/self/task", tids, SX_MAX_THREADS);
        if (n < 0) {
            fail(err, errlen, "cannot list threads (error ", -n, ")");
            return -1;
        }
        int fresh = 0;
        for (int i = 0; i < n; i++) {
            if (tids[i] == self || find_slot(tids[i])) continue;
            if (nslots == SX_MAX_THREADS) {
                fail(err, errlen, "more than ", SX_MAX_THREADS, " threads");
                return -1;
            }
            struct slot *s = &slots[nslots++];
            s->tid = s->old_tid = tids[i];
            s->state = SLOT_SIGNALED;
            if (sx_tgkill(pid, tids[i], sx_agent.ckpt_signal) < 0) {
                s->state = SLOT_GONE;
                continue;
            }
            signaled++;
            fresh++;
        }
        if (!fresh && round > 0) return 0;
        /* wait for everyone signaled so far; threads that exited meanwhile are dropped */
        for (int waited_ms = 0;;) {
            int now = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST);
            if (now >= signaled) break;
            struct timespec ts = {0, 20 * 1000 * 1000};
            sx_futex(&arrived, SX_FUTEX_WAIT, now, &ts);
            waited_ms += 20;
            for (int i = 0; i < nslots; i++) {
                if (slots[i].state == SLOT_SIGNALED && sx_tgkill(pid, slots[i].tid, 0) < 0) {
                    slots[i].state = SLOT_GONE;
                    signaled--;
                }
            }
            if (waited_ms > 10000) {
                for (int i = 0; i < nslots; i++)
                    if (slots[i].state == SLOT_SIGNALED) {
                        fail(err, errlen, "thread ", slots[i].tid,
                             " did not stop within 10 s (does it block the checkpoint signal?)");
                        break;
                    }
                return -1;
            }
        }
    }
}

void sx_threads_resume(void)
{
    __atomic_store_n(&ckpt_active, 0, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&resume_word, 1, __ATOMIC_SEQ_CST);
    sx_futex(&resume_word, SX_FUTEX_WAKE, 0x7fffffff, 0);
}

uint32_t sx_threads_resumes(void)
{
    return (uint32_t)__atomic_load_n(&resume_word, __ATOMIC_SEQ_CST);
}

static void read_comm(int tid, char *out)
{
    char path[64];
    struct sx_buf b;
    sx_buf_init(&b, path, sizeof path);
    sx_buf_add(&b, "/proc/self/task/");
    sx_buf_int(&b, tid);
    sx_buf_add(&b, "/comm");
    out[0] = 0;
    int fd = (int)sx_open(path, 0, 0);
    if (fd < 0) return;
    long n = sx_read(fd, out, 15);
    sx_close(fd);
    if (n <= 0) n = 0;
    out[n] = 0;
    for (long i = 0; i < n; i++)
        if (out[i] == '\n') out[i] = 0;
}

int sx_threads_records(struct sx_thread_record *out, int max, const struct sx_ctx *self_ctx, uint64_t self_fs,
                       const char *self_comm)
{
    int pid = (int)sx_getpid();
    int n = 0;
    for (int i = 0; i < nslots && n < max; i++) {
        if (slots[i].state != SLOT_SUSPENDED) continue;
        struct sx_thread_record *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->tid = slots[i].tid;
        r->flags = slots[i].tid == pid ? SX_T_LEADER : 0;
        r->fs_base = slots[i].fs_base;
        r->ctx = slots[i].ctx;
        r->pending = slots[i].pending;
        read_comm(slots[i].tid, r->comm);
    }
    if (n < max) {
        struct sx_thread_record *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->tid = (int)sx_gettid();
        r->flags = SX_T_CKPT | (r->tid == pid ? SX_T_LEADER : 0);
        r->fs_base = self_fs;
        r->ctx = *self_ctx;
        sx_copy_str(r->comm, sizeof r->comm, self_comm);
    }
    return n;
}

int sx_threads_new_tid(int old_tid)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].old_tid == old_tid && slots[i].state == SLOT_RESTORED) return slots[i].tid;
    return 0;
}

int sx_threads_old_tid(int i)
{
    if (i >= nslots) return -1;
    return (slots[i].state == SLOT_SUSPENDED || slots[i].state == SLOT_RESTORED) ? slots[i].old_tid : 0;
}

void sx_threads_await_restored(void)
{
    int want = 0;
    for (int i = 0; i < nslots; i++)
        if (slots[i].state == SLOT_SUSPENDED || slots[i].state == SLOT_RESTORED) want++;
    for (;;) {
        int now = __atomic_load_n(&restored, __ATOMIC_SEQ_CST);
        if (now >= want) return;
        sx_futex(&restored, SX_FUTEX_WAIT, now, 0);
    }
}
