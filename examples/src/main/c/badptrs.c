/* Calls every function Stasis wraps with bad pointers: (void *)1, a PROT_NONE page and NULL,
 * wherever the function takes one (paths, out structs, argv/envp arrays, sigactions, signal
 * sets, siginfo, clock and timer arguments, SysV buffers). Prints one line per call:
 *
 *     case <name>: <result>
 *
 * where <result> is "ok" (success), "-1 <ERRNO>" (failure), "err <ERRNO>" (a function that
 * returns an error number) or "SIGSEGV"/"SIGBUS" (the call crashed: caught, and the next call
 * goes on). Run without the agent it tells what libc and the kernel give; under dmtcp_launch,
 * before a checkpoint and after a restart, every line must read the same (where libc itself
 * crashes, the agent may instead answer -1 EFAULT).
 *
 * Prints "round <n> begin", the cases, "round <n> end" per round, then "done".
 *
 *     badptrs [rounds] [delay-ms]   */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern int __open_2(const char *, int);
extern int __openat_2(int, const char *, int);

static sigjmp_buf crash_jump;
static volatile sig_atomic_t crash_sig;

static void on_crash(int sig)
{
    crash_sig = sig;
    siglongjmp(crash_jump, 1);
}

static void report(const char *name, const char *what, long r, int err)
{
    if (what) printf("case %s: %s\n", name, what);
    else if (r < 0) printf("case %s: -1 %s\n", name, strerrorname_np(err));
    else printf("case %s: ok\n", name);
}

/* r = expr, errno kept; a crash is reported as the signal */
#define CASE(name, expr)                                                                       \
    do {                                                                                       \
        crash_sig = 0;                                                                         \
        if (sigsetjmp(crash_jump, 1) == 0) {                                                   \
            errno = 0;                                                                         \
            long r_ = (long)(expr);                                                            \
            int e_ = errno;                                                                    \
            report(name, 0, r_, e_);                                                           \
        } else {                                                                               \
            report(name, crash_sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", 0, 0);                  \
        }                                                                                      \
    } while (0)

/* for functions that return an error number (0 on success) */
#define CASE_ERR(name, expr)                                                                   \
    do {                                                                                       \
        crash_sig = 0;                                                                         \
        if (sigsetjmp(crash_jump, 1) == 0) {                                                   \
            int e_ = (int)(expr);                                                              \
            if (e_) printf("case %s: err %s\n", name, strerrorname_np(e_));                   \
            else printf("case %s: ok\n", name);                                                \
        } else {                                                                               \
            report(name, crash_sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", 0, 0);                  \
        }                                                                                      \
    } while (0)

/* a child that exits at once, to be waited for */
static pid_t quick_child(void)
{
    pid_t c = fork();
    if (c == 0) _exit(3);
    if (c < 0) {
        perror("fork");
        exit(1);
    }
    return c;
}

/* after a wait that failed: was the child reaped anyway? (the kernel reaps, then fails to
 * store the status) */
static void reaped_check(const char *name, pid_t c)
{
    int st;
    pid_t w;
    while ((w = waitpid(c, &st, 0)) < 0 && errno == EINTR) {}
    printf("case %s then: %s\n", name, w == c ? "was not reaped" : w < 0 && errno == ECHILD ? "reaped" : "?");
}

static int child_fn(void *arg) { return arg != 0; }

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1;
    long delay_ms = argc > 2 ? atol(argv[2]) : 200;
    setvbuf(stdout, 0, _IOLBF, 0);

    struct sigaction sa = {0};
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);

    void *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct { const char *name; void *p; } bad[] = {{"one", (void *)1}, {"prot_none", none}, {"null", 0}};
    int nbad = 3;

    int ifd = inotify_init1(IN_CLOEXEC);
    int semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    int qid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (ifd < 0 || semid < 0 || qid < 0 || shmid < 0) {
        perror("setup");
        return 1;
    }
    char *true_argv[] = {"true", 0};
    char *bad_env[] = {"A=1", (char *)1, 0};
    char *bad_env2[] = {"A=1", (char *)none, 0};

    for (long round = 1; round <= rounds; round++) {
        printf("round %ld begin\n", round);
        for (int i = 0; i < nbad; i++) {
            void *volatile b = bad[i].p;
            const char *k = bad[i].name;
            char name[96];
            struct stat st;
            struct statx sx;
            char buf[256];
#define N(fn) (snprintf(name, sizeof name, "%s %s", fn, k), name)
            /* paths */
            CASE(N("access"), access(b, F_OK));
            CASE(N("faccessat"), faccessat(AT_FDCWD, b, F_OK, 0));
            CASE(N("stat"), stat(b, &st));
            CASE(N("lstat"), lstat(b, &st));
            CASE(N("stat64"), stat64(b, (struct stat64 *)&st));
            CASE(N("lstat64"), lstat64(b, (struct stat64 *)&st));
            CASE(N("fstatat"), fstatat(AT_FDCWD, b, &st, 0));
            CASE(N("statx"), statx(AT_FDCWD, b, 0, STATX_BASIC_STATS, &sx));
            CASE(N("open"), open(b, O_RDONLY));
            CASE(N("open64"), open64(b, O_RDONLY));
            CASE(N("openat"), openat(AT_FDCWD, b, O_RDONLY));
            CASE(N("openat64"), openat64(AT_FDCWD, b, O_RDONLY));
            CASE(N("__open_2"), __open_2(b, O_RDONLY));
            CASE(N("__openat_2"), __openat_2(AT_FDCWD, b, O_RDONLY));
            CASE(N("fopen"), fopen(b, "r") ? 0 : -1);
            CASE(N("fopen64"), fopen64(b, "r") ? 0 : -1);
            CASE(N("opendir"), opendir(b) ? 0 : -1);
            CASE(N("readlink"), readlink(b, buf, sizeof buf));
            CASE(N("readlinkat"), readlinkat(AT_FDCWD, b, buf, sizeof buf));
            CASE(N("inotify_add_watch"), inotify_add_watch(ifd, b, IN_ALL_EVENTS));
            CASE(N("execve path"), execve(b, true_argv, environ));
            pid_t sp;
            CASE_ERR(N("posix_spawn path"), posix_spawn(&sp, b, 0, 0, true_argv, environ));
            /* good /proc paths, bad out pointers (the path translation reads the path) */
            char self[64];
            snprintf(self, sizeof self, "/proc/%d", (int)getpid());
            CASE(N("stat proc out"), stat(self, b));
            CASE(N("lstat proc out"), lstat("/proc/self/exe", b));
            CASE(N("fstatat proc out"), fstatat(AT_FDCWD, self, b, 0));
            CASE(N("statx proc out"), statx(AT_FDCWD, self, 0, STATX_BASIC_STATS, b));
            CASE(N("readlink proc out"), readlink("/proc/self/exe", b, 64));
            CASE(N("readlinkat proc out"), readlinkat(AT_FDCWD, "/proc/self/exe", b, 64));
            /* exec and spawn: argv and envp arrays */
            if (b) CASE(N("execve argv"), execve("/bin/true", b, environ)); /* NULL argv runs it */
            if (b) CASE(N("execve envp"), execve("/bin/true", true_argv, b)); /* NULL envp runs it */
            if (b) {
                char **volatile env = i == 0 ? bad_env : bad_env2;
                CASE(N("execve envp entry"), execve("/bin/true", true_argv, env));
                CASE_ERR(N("posix_spawn envp entry"), posix_spawn(&sp, "/bin/true", 0, 0, true_argv, env));
            }
            if (b) CASE(N("execv argv"), execv("/bin/true", b));
            if (b) CASE(N("execvpe envp"), execvpe("true", true_argv, b));
            if (b) CASE(N("execle envp"), execle("/bin/true", "true", (char *)0, b));
            if (b) CASE_ERR(N("posix_spawn envp"), posix_spawn(&sp, "/bin/true", 0, 0, true_argv, b));
            if (b) CASE_ERR(N("posix_spawnp envp"), posix_spawnp(&sp, "true", 0, 0, true_argv, b));
            /* waits: status, rusage, siginfo */
            if (b) {
                pid_t c = quick_child();
                CASE(N("waitpid status"), waitpid(c, b, 0));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("wait status"), wait(b));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("wait4 status"), wait4(c, b, 0, 0));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("wait4 rusage"), wait4(c, 0, 0, b));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("wait3 status"), wait3(b, 0, 0));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("waitid info"), waitid(P_PID, c, b, WEXITED));
                reaped_check(name, c);
                c = quick_child();
                CASE(N("syscall wait4 status"), syscall(SYS_wait4, c, b, 0, 0));
                reaped_check(name, c);
            }
            /* scheduling */
            CASE(N("sched_getaffinity"), sched_getaffinity(0, sizeof(cpu_set_t), b));
            CASE(N("sched_setaffinity"), sched_setaffinity(0, sizeof(cpu_set_t), b));
            CASE(N("sched_getparam"), sched_getparam(0, b));
            CASE(N("sched_setparam"), sched_setparam(0, b));
            CASE(N("sched_setscheduler"), sched_setscheduler(0, SCHED_OTHER, b));
            /* signals */
            if (b) {
                CASE(N("sigaction act"), sigaction(SIGUSR1, b, 0));
                CASE(N("sigaction old"), sigaction(SIGUSR1, 0, b));
                CASE(N("sigaction SIGUSR2 act"), sigaction(SIGUSR2, b, 0));
                CASE(N("sigaction SIGUSR2 old"), sigaction(SIGUSR2, 0, b));
                CASE(N("sigprocmask set"), sigprocmask(SIG_BLOCK, b, 0));
                CASE(N("sigprocmask old"), sigprocmask(SIG_BLOCK, 0, b));
                CASE_ERR(N("pthread_sigmask set"), pthread_sigmask(SIG_BLOCK, b, 0));
                CASE_ERR(N("pthread_sigmask old"), pthread_sigmask(SIG_BLOCK, 0, b));
                struct timespec zero = {0, 0};
                CASE(N("sigtimedwait set"), sigtimedwait(b, 0, &zero));
                sigset_t rt;
                sigemptyset(&rt);
                sigaddset(&rt, SIGRTMIN + 2);
                sigprocmask(SIG_BLOCK, &rt, 0);
                raise(SIGRTMIN + 2);
                CASE(N("sigtimedwait info"), sigtimedwait(&rt, b, &zero));
                CASE(N("sigtimedwait timeout"), sigtimedwait(&rt, 0, b));
                CASE(N("sigwaitinfo set"), sigwaitinfo(b, 0));
                raise(SIGRTMIN + 2);
                CASE(N("sigwaitinfo info"), sigwaitinfo(&rt, b));
            }
            /* clocks and timers */
            if (b) {
                CASE(N("clock_gettime process"), clock_gettime(CLOCK_PROCESS_CPUTIME_ID, b));
                clockid_t own;
                clock_getcpuclockid(0, &own);
                CASE(N("clock_gettime cpuclock"), clock_gettime(own, b));
                CASE(N("clock_getres cpuclock"), clock_getres(own, b));
                CASE_ERR(N("clock_nanosleep req"), clock_nanosleep(CLOCK_MONOTONIC, 0, b, 0));
                CASE(N("clock_settime"), clock_settime(CLOCK_REALTIME, b));
                CASE_ERR(N("clock_getcpuclockid out"), clock_getcpuclockid(0, b));
                CASE_ERR(N("pthread_getcpuclockid out"), pthread_getcpuclockid(pthread_self(), b));
                timer_t t;
                CASE(N("timer_create sevp"), timer_create(CLOCK_MONOTONIC, b, &t));
                CASE(N("timer_create timerid"), timer_create(CLOCK_MONOTONIC, 0, b));
                CASE(N("syscall clock_gettime"), syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b));
            }
            /* SysV objects (the files plugin) */
            if (b) {
                CASE(N("semop"), semop(semid, b, 1));
                struct sembuf op = {0, 0, IPC_NOWAIT};
                CASE(N("semtimedop timeout"), semtimedop(semid, &op, 1, b));
                CASE(N("semctl IPC_STAT"), semctl(semid, 0, IPC_STAT, b));
                CASE(N("msgsnd"), msgsnd(qid, b, 8, IPC_NOWAIT));
                struct { long type; char text[8]; } m = {1, "x"};
                msgsnd(qid, &m, sizeof m.text, IPC_NOWAIT);
                CASE(N("msgrcv"), msgrcv(qid, b, sizeof m.text, 0, IPC_NOWAIT));
                CASE(N("msgctl IPC_STAT"), msgctl(qid, IPC_STAT, b));
                CASE(N("shmctl IPC_STAT"), shmctl(shmid, IPC_STAT, b));
            }
            /* fork and clone */
            if (!b) {
                static char stack[16384];
                CASE(N("clone fn"), clone(0, stack + sizeof stack, SIGCHLD, 0));
                CASE(N("clone stack"), clone(child_fn, 0, SIGCHLD, 0));
            }
#undef N
        }
        printf("round %ld end\n", round);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    semctl(semid, 0, IPC_RMID);
    msgctl(qid, IPC_RMID, 0);
    shmctl(shmid, IPC_RMID, 0);
    printf("done\n");
    return 0;
}
