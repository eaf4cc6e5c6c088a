/* Following the program's children: fork, clone and exec.
 *
 * A child made by fork() (or by clone() with memory of its own) joins the coordinator as a
 * worker of its own before fork() returns in the parent, so a checkpoint that starts
 * afterwards includes it; a checkpoint in progress holds new forks back until it is over (the
 * gate). A program that execs keeps the agent because LD_PRELOAD and our variables are
 * inherited; when it cleans its environment, the exec wrappers put them back. forkpty() is
 * made of our fork() here (libc's forks past it). Children made without fork() (posix_spawn, system, popen, vfork)
 * exec at once, and their new program joins the same way. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent.h"
#include "pidvirt.h"
#include "probe.h"
#include "sys.h"
#include "text.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- the gate between fork() and checkpoints ---- */

static volatile int gate_closed;
static volatile int forks_in_flight;

static void gate_enter(void)
{
    for (;;) {
        while (__atomic_load_n(&gate_closed, __ATOMIC_SEQ_CST)) sx_futex(&gate_closed, SX_FUTEX_WAIT, 1, 0);
        __atomic_add_fetch(&forks_in_flight, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&gate_closed, __ATOMIC_SEQ_CST)) return;
        __atomic_sub_fetch(&forks_in_flight, 1, __ATOMIC_SEQ_CST);
        sx_futex(&forks_in_flight, SX_FUTEX_WAKE, 1, 0);
    }
}

static void gate_leave(void)
{
    __atomic_sub_fetch(&forks_in_flight, 1, __ATOMIC_SEQ_CST);
    sx_futex(&forks_in_flight, SX_FUTEX_WAKE, 1, 0);
}

void sx_fork_gate_close(void)
{
    __atomic_store_n(&gate_closed, 1, __ATOMIC_SEQ_CST);
    /* Bounded: a child that never joins must not stall the checkpoint (one that joins late
     * makes the coordinator take the generation again anyway). */
    for (int waited_ms = 0;; waited_ms += 10) {
        int n = __atomic_load_n(&forks_in_flight, __ATOMIC_SEQ_CST);
        if (n <= 0) return;
        if (waited_ms >= 5000) {
            sx_log(0, "a child forked just before the checkpoint has not joined within 5 s; going on without it", 0, 0);
            return;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        sx_futex(&forks_in_flight, SX_FUTEX_WAIT, n, &ts);
    }
}

void sx_fork_gate_open(void)
{
    if (!__atomic_exchange_n(&gate_closed, 0, __ATOMIC_SEQ_CST)) return;
    sx_futex(&gate_closed, SX_FUTEX_WAKE, 0x7fffffff, 0);
}

void sx_fork_gate_reset(void)
{
    forks_in_flight = 0;
    gate_closed = 0;
}

void sx_hold_for_checkpoint(void)
{
    /* Not in a vfork child (our memory, not our process: its parent cannot be stopped while it
     * waits, so waiting could only stall the checkpoint), nor on the checkpoint thread itself
     * (a plugin that refuses a restart exits from a hook). */
    if (!sx_agent.active || (int)sx_getpid() != sx_agent.real_pid || sx_agent_on_ckpt_thread()) return;
    sx_agent_wait_generation_done();
}

/* A program that returns from main ends through libc's own exit(), which no wrapper sees: an
 * atexit handler (registered first, so it runs last) holds it instead. */
static void hold_at_exit(void) { sx_hold_for_checkpoint(); }

void sx_follow_hold_exits(void) { atexit(hold_at_exit); }

static void (*real_exit)(int);
static void (*real__exit)(int);
static void (*real__Exit)(int);

EXPORT void exit(int code)
{
    sx_hold_for_checkpoint();
    REAL(exit)(code);
    __builtin_unreachable();
}
EXPORT void _exit(int code)
{
    sx_hold_for_checkpoint();
    REAL(_exit)(code);
    __builtin_unreachable();
}
EXPORT void _Exit(int code)
{
    sx_hold_for_checkpoint();
    REAL(_Exit)(code);
    __builtin_unreachable();
}

/* ---- fork and clone ---- */

/* In a new child: joins the coordinator, then tells the parent (parent_end is the parent's end
 * of the socket pair, child_end ours). -1 when our pid is a restored process's virtual pid: the
 * child must leave at once, and the parent makes another. */
static int child_joins(int parent_end, int child_end)
{
    sx_close(parent_end);
    if (sx_pid_taken((int)sx_getpid())) return -1;
    sx_agent_forked_child(child_end);
    return 0;
}

/* In the parent, once the child exists (pid > 0): 1 when it joined, or runs on without a word
 * within 15 s; 0 when it left without a word (reaped here; make another). */
static int child_joined(pid_t pid, int parent_end)
{
    /* the child answers once it has joined (or failed to): bounded all the same */
    struct pollfd pf = {parent_end, POLLIN, 0};
    long ready;
    char joined = 0;
    long n;
    while ((ready = SX_SYS3(__NR_poll, &pf, 1, 15000)) == -EINTR) {}
    if (ready == 0) {
        sx_log(0, "a new child did not join the coordinator within 15 s; it runs on unwatched", 0, 0);
        n = 1; /* keep the child: it is running */
    } else {
        while ((n = sx_read(parent_end, &joined, 1)) == -EINTR) {}
    }
    sx_close(parent_end);
    if (n == 1) return 1;
    SX_SYS4(__NR_wait4, pid, 0, 0x40000000 /* __WALL: whatever its exit signal */, 0);
    return 0;
}

/* A socket pair, not a pipe: a child that answers after we stopped waiting must not die of
 * SIGPIPE (it sends with MSG_NOSIGNAL). */
static int sync_pair(int sync[2])
{
    return SX_SYS4(__NR_socketpair, 1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | O_CLOEXEC, 0, sync) < 0 ? -1 : 0;
}

/* In the parent, after fork() or clone(): 1 when done (*pid the child, or -1 with the call's
 * errno), 0 to make another (the child left: its pid was taken; errno EAGAIN should this have
 * been the last try). */
static int settle_child(pid_t *pid, const int sync[2])
{
    sx_close(sync[1]);
    if (*pid < 0) {
        sx_close(sync[0]);
        return 1;
    }
    if (child_joined(*pid, sync[0])) return 1;
    *pid = -1;
    errno = EAGAIN;
    return 0;
}

static pid_t (*real_fork)(void);

EXPORT pid_t fork(void)
{
    if (!sx_agent.active) return REAL(fork)();
    gate_enter();
    pid_t pid = -1;
    /* A child whose new pid is the virtual pid of a restored process would be mistaken for it:
     * such a child leaves at once and we fork again. */
    for (int attempt = 0; attempt < 64; attempt++) {
        int sync[2];
        if (sync_pair(sync) < 0) {
            pid = REAL(fork)(); /* unmanaged child rather than no child */
            break;
        }
        pid = REAL(fork)();
        if (pid == 0) {
            if (child_joins(sync[0], sync[1]) < 0) sx_exit_group(0);
            return 0;
        }
        if (settle_child(&pid, sync)) break;
    }
    gate_leave();
    return pid;
}

/* forkpty(): libc forks with its internal fork, which bypasses ours, so the child would run
 * on outside the computation (no image; after a restart its terminal's master holder finds
 * nobody on the other side). Done here with the same steps (openpty, our fork, login_tty in
 * the child), so the child joins like any forked one. */
static int (*real_openpty)(int *, int *, char *, const struct termios *, const struct winsize *);
static int (*real_login_tty)(int);
static pid_t (*real_forkpty)(int *, char *, const struct termios *, const struct winsize *);

EXPORT pid_t forkpty(int *master, char *name, const struct termios *termp, const struct winsize *winp)
{
    if (!sx_agent.active || !REAL(openpty) || !REAL(login_tty)) return REAL(forkpty)(master, name, termp, winp);
    int m, t;
    if (REAL(openpty)(&m, &t, name, termp, winp) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        sx_close(m);
        sx_close(t);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        sx_close(m);
        if (REAL(login_tty)(t) < 0) _exit(1); /* as libc's forkpty */
        return 0;
    }
    *master = m;
    sx_close(t);
    return pid;
}

/* clone(): a child with memory of its own (no CLONE_VM) is a process like a forked one and
 * joins the same way, from a start function of ours that then runs the program's. One that
 * shares the memory (CLONE_VM: vfork-like, or a thread) is left alone: a vfork-like child
 * execs, and its new program joins at start; threads are found when a checkpoint stops them. */
struct clone_start {
    int (*fn)(void *);
    void *arg;
    int parent_end, child_end;
};

static int start_cloned(void *p)
{
    const struct clone_start *st = p; /* our copy of the parent's memory: still valid */
    sx_agent_cloned_child();
    if (child_joins(st->parent_end, st->child_end) < 0) sx_exit_group(0);
    int status = st->fn(st->arg);
    /* libc ends a clone child with exit(2), the thread alone; ours has a checkpoint thread
     * too, so the whole process goes, as the program expects */
    sx_hold_for_checkpoint();
    sx_exit_group(status);
    return status;
}

static int (*real_clone)(int (*)(void *), void *, int, void *, ...);

EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    /* the optional arguments are read whether given or not, as libc's own clone does */
    va_list ap;
    va_start(ap, arg);
    pid_t *parent_tid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *child_tid = va_arg(ap, pid_t *);
    va_end(ap);
    /* without a function libc refuses (EINVAL): it must see the program's, not our start */
    if (!sx_agent.active || !fn || (flags & (CLONE_VM | CLONE_THREAD | CLONE_SETTLS)))
        return REAL(clone)(fn, stack, flags, arg, parent_tid, tls, child_tid);
    gate_enter();
    pid_t pid = -1;
    for (int attempt = 0; attempt < 64; attempt++) {
        struct clone_start st = {fn, arg, -1, -1};
        int sync[2];
        if (sync_pair(sync) < 0) {
            pid = REAL(clone)(fn, stack, flags, arg, parent_tid, tls, child_tid);
            break;
        }
        st.parent_end = sync[0];
        st.child_end = sync[1];
        pid = REAL(clone)(start_cloned, stack, flags, &st, parent_tid, tls, child_tid);
        if (settle_child(&pid, sync)) break;
    }
    gate_leave();
    return pid;
}

/* ---- exec: keeping the agent in the new program ---- */

#define MAX_OWN_VARS 64
static char *own_vars[MAX_OWN_VARS]; /* "STASIS_...=value" as this process started, kept current */
static int n_own_vars;
static char *own_preload; /* the agent and the plugins' native halves, colon-separated */

void sx_follow_save_env(void)
{
    extern char **environ;
    for (char **e = environ; e && *e && n_own_vars < MAX_OWN_VARS; e++) {
        if (!sx_startswith(*e, "STASIS_") || sx_startswith(*e, SX_PID_MAP_VAR "=")) continue;
        own_vars[n_own_vars++] = strdup(*e);
    }
    /* the preloads that are ours: the agent itself and every library after it */
    const char *pre = getenv("LD_PRELOAD");
    const char *at = pre ? strstr(pre, "libstasis.so") : 0;
    if (at) {
        while (at > pre && at[-1] != ':' && at[-1] != ' ') at--;
        own_preload = strdup(at);
    }
    sx_follow_refill_spares();
}

/* After a restart the coordinator and checkpoint directory may be new: children must use them.
 * This runs on the checkpoint thread while the program's threads are stopped, maybe inside
 * malloc, so it allocates nothing. Our own copies live in static room, two buffers per variable
 * used in turn, because an exec on another thread may still be reading the previous value. The
 * program's environ gets strings malloc'd beforehand (spares): an entry of environ may be the
 * program's to free (bash frees its export array's strings, and environ is that array), so what
 * we put there must be free()-able and is never touched by us again. */
#define SET_VARS 5
#define SET_VAR_MAX 4352
static const char *const set_names[SET_VARS] = {
    "STASIS_COORD_HOST", "STASIS_COORD_PORT", "STASIS_COORD_SECRET", "STASIS_CKPT_DIR", "STASIS_LAUNCH_STDIO"};
static char *spares[SET_VARS]; /* malloc'd, SET_VAR_MAX each; handed to environ at a restart */

void sx_follow_refill_spares(void)
{
    for (int i = 0; i < SET_VARS; i++)
        if (!spares[i]) spares[i] = malloc(SET_VAR_MAX);
}

static void format_var(char *s, const char *name, const char *value)
{
    struct sx_buf b;
    sx_buf_init(&b, s, SET_VAR_MAX);
    sx_buf_add(&b, name);
    sx_buf_add(&b, "=");
    sx_buf_add(&b, value);
}

static void sx_follow_set_var(int slot, const char *value)
{
    static char room[SET_VARS][2][SET_VAR_MAX];
    static int turn[SET_VARS];
    const char *name = set_names[slot];
    char *s = room[slot][turn[slot]];
    turn[slot] ^= 1;
    format_var(s, name, value);
    size_t n = sx_strlen(name);
    int own = -1;
    for (int i = 0; i < n_own_vars && own < 0; i++)
        if (sx_startswith(own_vars[i], name) && own_vars[i][n] == '=') own = i;
    if (own >= 0)
        __atomic_store_n(&own_vars[own], s, __ATOMIC_RELEASE);
    else if (n_own_vars < MAX_OWN_VARS)
        own_vars[own = n_own_vars++] = s;
    /* The program's own environment too, for children libc starts without our exec wrappers
     * (system, popen): one pointer swapped, as getenv reads it. */
    extern char **environ;
    for (char **e = environ; e && *e; e++) {
        if (!sx_startswith(*e, name) || (*e)[n] != '=') continue;
        if (sx_streq(*e, s) || !spares[slot]) return;
        format_var(spares[slot], name, value);
        __atomic_store_n(e, spares[slot], __ATOMIC_RELEASE);
        spares[slot] = 0; /* the program's now */
        return;
    }
}

void sx_follow_restarted(void)
{
    char port[16];
    struct sx_buf b;
    sx_buf_init(&b, port, sizeof port);
    sx_buf_int(&b, sx_agent.coord_port);
    sx_follow_set_var(0, sx_agent.coord_host);
    sx_follow_set_var(1, port);
    sx_follow_set_var(2, sx_agent.secret);
    sx_follow_set_var(3, sx_agent.ckptdir);
    sx_follow_set_var(4, sx_stdio_restarted());
}

static int has_var(char *const envp[], const char *name)
{
    size_t n = sx_strlen(name);
    for (int i = 0; envp && envp[i]; i++)
        if (sx_startswith(envp[i], name) && envp[i][n] == '=') return 1;
    return 0;
}

static int is_own(const char *entry)
{
    for (int i = 0; i < n_own_vars; i++) {
        const char *eq = strchr(own_vars[i], '=');
        size_t n = (size_t)(eq - own_vars[i]) + 1;
        if (strncmp(entry, own_vars[i], n) == 0) return 1;
    }
    return sx_startswith(entry, SX_PID_MAP_VAR "=");
}

#define ENV_EXTRA (MAX_OWN_VARS + 4)
#define PRELOAD_MAX 8192
#define PIDMAP_MAX (SX_MAX_PIDS * 24)

/* The environment for a new program, in out (which has room for the caller's entries plus
 * ENV_EXTRA). Our variables carry this process's current values (they change at a restart);
 * an environment that lost our coordinator variables (cleaned by the program) gets them back,
 * preloads included; one that kept them is left as the program made it otherwise, so a
 * program that drops LD_PRELOAD on purpose (our own front ends do) is obeyed. Uses only the
 * stack and memory set up at start: it may run in a vfork child. */
static char **child_env(char *const envp[], char **out, char *preload, char *pidmap)
{
    int cleaned = !has_var(envp, "STASIS_COORD_PORT");
    int k = 0;
    int saw_preload = 0;
    for (int i = 0; envp && envp[i]; i++) {
        if (is_own(envp[i])) continue;
        if (cleaned && sx_startswith(envp[i], "LD_PRELOAD=") && own_preload) {
            if (!strstr(envp[i], "libstasis.so")) {
                struct sx_buf b;
                sx_buf_init(&b, preload, PRELOAD_MAX);
                sx_buf_add(&b, "LD_PRELOAD=");
                sx_buf_add(&b, own_preload);
                if (envp[i][11]) {
                    sx_buf_add(&b, ":");
                    sx_buf_add(&b, envp[i] + 11);
                }
                out[k++] = b.len + 1 < PRELOAD_MAX ? preload : envp[i];
            } else {
                out[k++] = envp[i];
            }
            saw_preload = 1;
            continue;
        }
        out[k++] = envp[i];
    }
    for (int i = 0; i < n_own_vars; i++) out[k++] = own_vars[i];
    if (cleaned && !saw_preload && own_preload) {
        struct sx_buf b;
        sx_buf_init(&b, preload, PRELOAD_MAX);
        sx_buf_add(&b, "LD_PRELOAD=");
        sx_buf_add(&b, own_preload);
        if (b.len + 1 < PRELOAD_MAX) out[k++] = preload;
    }
    struct sx_buf b;
    sx_buf_init(&b, pidmap, PIDMAP_MAX);
    sx_buf_add(&b, SX_PID_MAP_VAR "=");
    if (sx_pid_map_format(pidmap + b.len, PIDMAP_MAX - b.len)) out[k++] = pidmap;
    out[k] = 0;
    return out;
}

static int env_count(char *const envp[])
{
    int n = 0;
    while (envp && envp[n]) n++;
    return n;
}

/* Runs call with the fixed environment; the buffers live on this frame for the call. */
#define WITH_CHILD_ENV(envp, fixed, call)                                                          \
    do {                                                                                           \
        /* an environment we cannot read goes to the kernel as it is, for its EFAULT */            \
        if (!sx_agent.active || !sx_probe_strv(envp)) {                                            \
            char **fixed = (char **)(envp);                                                        \
            return call;                                                                           \
        }                                                                                          \
        char *slots_[env_count(envp) + ENV_EXTRA + 1];                                             \
        char preload_[PRELOAD_MAX];                                                                \
        static char pidmap_[PIDMAP_MAX]; /* too big for a thread's stack; same content if raced */ \
        sx_hold_for_checkpoint();                                                                  \
        char **fixed = child_env(envp, slots_, preload_, pidmap_);                                 \
        return call;                                                                               \
    } while (0)

extern char **environ;
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                               char *const[], char *const[]);
static int (*real_posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                                char *const[], char *const[]);

__attribute__((constructor(101))) static void resolve_real(void)
{
    REAL(execve);
    REAL(execvpe);
    REAL(posix_spawn);
    REAL(posix_spawnp);
    REAL(fork);
    REAL(exit);
    REAL(_exit);
    REAL(_Exit);
}

/* This process goes on as another program: the coordinator is told before, and again if the
 * exec failed (see sx_agent_exec_notice). */
static int exec_returned(int r)
{
    int e = errno;
    sx_agent_exec_notice(0);
    errno = e;
    return r;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    WITH_CHILD_ENV(envp, env, (sx_agent_exec_notice(1), exec_returned(REAL(execve)(path, argv, env))));
}
EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    WITH_CHILD_ENV(envp, env, (sx_agent_exec_notice(1), exec_returned(REAL(execvpe)(file, argv, env))));
}
EXPORT int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }
EXPORT int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* execl, execlp, execle: the variadic forms, gathered into an argv on the stack */
#define GATHER_ARGS(first, ap, argv, envp_out)                                                      \
    va_list ap;                                                                                    \
    int argc_ = 1;                                                                                 \
    va_start(ap, first);                                                                           \
    while (va_arg(ap, const char *)) argc_++;                                                      \
    va_end(ap);                                                                                    \
    const char *argv[argc_ + 1];                                                                   \
    argv[0] = first;                                                                               \
    va_start(ap, first);                                                                           \
    for (int i_ = 1; i_ <= argc_; i_++) argv[i_] = va_arg(ap, const char *);                       \
    envp_out;                                                                                      \
    va_end(ap)

EXPORT int execl(const char *path, const char *arg, ...)
{
    GATHER_ARGS(arg, ap, argv, (void)0);
    return execve(path, (char *const *)argv, environ);
}
EXPORT int execlp(const char *file, const char *arg, ...)
{
    GATHER_ARGS(arg, ap, argv, (void)0);
    return execvpe(file, (char *const *)argv, environ);
}
EXPORT int execle(const char *path, const char *arg, ...)
{
    char *const *envp;
    GATHER_ARGS(arg, ap, argv, envp = va_arg(ap, char *const *));
    return execve(path, (char *const *)argv, envp);
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    WITH_CHILD_ENV(envp, env, REAL(posix_spawn)(pid, path, fa, attr, argv, env));
}
EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    WITH_CHILD_ENV(envp, env, REAL(posix_spawnp)(pid, file, fa, attr, argv, env));
}
