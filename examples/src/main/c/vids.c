/* Ids a restarted process reads back: its own and its children's pids and its threads' tids
 * are virtual after a restart, and every place they appear must agree.
 *
 * The program forks a child "vidschild" (signals the parent on request) and a child
 * "vidssleeper" (exits with status 4 when its pipe closes), for which a thread of the parent
 * waits in waitpid() all along; a second thread "vidsthread" sleeps. Every tick it checks
 *   (a) CPU clocks: clock_getcpuclockid() of itself and of the child, pthread_getcpuclockid()
 *       of the thread, made now and kept from the start, read with clock_gettime() and
 *       clock_getres(), used with clock_nanosleep() and timer_create(); its own clock reads
 *       what CLOCK_PROCESS_CPUTIME_ID reads;
 *   (b) /proc/<pid>/..., /proc/<pid>/task/<tid>/... and /proc/self/task/<tid>/... with the ids
 *       it knows, through open, fopen, stat, lstat, fstatat, statx, access, faccessat, readlink,
 *       opendir: each names the right process or thread (comm, inode);
 *   (c) si_pid of SIGUSR1 (handler installed at start, SA_SIGINFO), of SIGRTMIN+3 (handler
 *       installed anew every tick) and of SIGRTMIN+1 (sigtimedwait) sent by the child is the
 *       child's pid as fork() gave it;
 *   (d) waitpid(child, WNOHANG) finds the child running, and the blocked waitpid() of the
 *       sleeper has not failed;
 *   (e) ssi_pid of SIGRTMIN+2, which the child sends with sigqueue() carrying its own getpid()
 *       and the parent reads from a signalfd with read(), is that getpid() and the child's pid
 *       as fork() gave it.
 * A failed check prints "FAIL <what>"; then "tick <n>". At the end the children are ended and
 * waited for: the child's exit is read as SIGCHLD from the signalfd with readv() ("sigchld
 * from <ssi_pid> exited 0", FAIL unless ssi_pid is the child's pid), "reaped child <pid> exit
 * 0", "waited sleeper <pid> exit 4", "done".
 *
 *     vids [ticks] [delay-ms]   */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t usr1_from, rt3_from;
static volatile int usr1_value;
static volatile int waiter_failed;
static pid_t sleeper;
static int fails;

static void fail(const char *what, const char *detail)
{
    printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    fails++;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    usr1_value = si->si_value.sival_int;
    usr1_from = si->si_pid;
}

static void on_rt3(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    rt3_from = si->si_pid;
}

static void *sleeping_thread(void *arg)
{
    prctl(PR_SET_NAME, "vidsthread");
    *(volatile pid_t *)arg = gettid();
    for (;;) pause();
    return 0;
}

static void *waiter(void *arg)
{
    (void)arg;
    for (;;) {
        int st = 0;
        pid_t w = waitpid(sleeper, &st, 0);
        if (w < 0 && errno == EINTR) continue;
        if (w == sleeper && WIFEXITED(st)) printf("waited sleeper %d exit %d\n", (int)w, WEXITSTATUS(st));
        else {
            printf("FAIL waiter: waitpid(%d) = %d: %s\n", (int)sleeper, (int)w, w < 0 ? strerror(errno) : "?");
            waiter_failed = 1;
        }
        return 0;
    }
}

static void child_loop(int in)
{
    prctl(PR_SET_NAME, "vidschild");
    char c;
    while (read(in, &c, 1) == 1) {
        pid_t parent = getppid();
        union sigval v = {.sival_int = 7};
        sigqueue(parent, SIGUSR1, v);
        kill(parent, SIGRTMIN + 3);
        kill(parent, SIGRTMIN + 1);
        union sigval me = {.sival_int = (int)getpid()};
        sigqueue(parent, SIGRTMIN + 2, me);
    }
    _exit(0);
}

/* The next record of signal sig from the signalfd (others are skipped), within 10 s; 0 if none.
 * With use_readv the record is read in two pieces with readv(). */
static int read_signalfd(int sfd, int sig, struct signalfd_siginfo *si, int use_readv)
{
    for (int waited = 0; waited < 100;) {
        struct pollfd p = {sfd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) return 0;
        if (r <= 0) {
            waited++;
            continue;
        }
        ssize_t n;
        if (use_readv) {
            struct iovec iov[2] = {{si, 10}, {(char *)si + 10, sizeof *si - 10}}; /* ssi_pid straddles */
            n = readv(sfd, iov, 2);
        } else {
            n = read(sfd, si, sizeof *si);
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n != (ssize_t)sizeof *si) return 0;
        if ((int)si->ssi_signo == sig) return 1;
    }
    return 0;
}

static int64_t ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static void check_clock(const char *what, clockid_t clk)
{
    struct timespec t;
    char d[96];
    if (clock_gettime(clk, &t) != 0) {
        snprintf(d, sizeof d, "clock_gettime(%d): %s", (int)clk, strerror(errno));
        fail(what, d);
    }
    if (clock_getres(clk, &t) != 0) {
        snprintf(d, sizeof d, "clock_getres(%d): %s", (int)clk, strerror(errno));
        fail(what, d);
    }
}

/* the comm of the process or thread a /proc directory names, read with open() or fopen() */
static void check_comm(const char *what, const char *dir, const char *want, int use_fopen)
{
    char path[128], got[64] = "";
    snprintf(path, sizeof path, "%s/comm", dir);
    if (use_fopen) {
        FILE *f = fopen(path, "r");
        if (!f || !fgets(got, sizeof got, f)) got[0] = 0;
        if (f) fclose(f);
    } else {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, got, sizeof got - 1) : -1;
        got[n > 0 ? n : 0] = 0;
        if (fd >= 0) close(fd);
    }
    got[strcspn(got, "\n")] = 0;
    if (strcmp(got, want) != 0) {
        char d[256];
        snprintf(d, sizeof d, "%s reads '%s', not '%s'", path, got, want);
        fail(what, d);
    }
}

/* the same directory by the ids the program knows and as the kernel names it */
static void check_same_dir(const char *what, const char *mine, const char *kernels)
{
    struct stat a, b, c;
    struct statx x;
    char d[256];
    if (stat(kernels, &b) != 0) {
        snprintf(d, sizeof d, "stat %s: %s", kernels, strerror(errno));
        fail(what, d);
        return;
    }
    if (stat(mine, &a) != 0 || a.st_ino != b.st_ino) {
        snprintf(d, sizeof d, "stat %s: %s", mine, errno ? strerror(errno) : "another directory");
        fail(what, d);
    }
    if (lstat(mine, &a) != 0 || a.st_ino != b.st_ino) fail(what, "lstat");
    if (fstatat(AT_FDCWD, mine, &c, 0) != 0 || c.st_ino != b.st_ino) fail(what, "fstatat");
    if (statx(AT_FDCWD, mine, 0, STATX_INO, &x) != 0 || x.stx_ino != b.st_ino) fail(what, "statx");
    if (access(mine, R_OK) != 0) fail(what, "access");
    if (faccessat(AT_FDCWD, mine, R_OK, 0) != 0) fail(what, "faccessat");
    DIR *dir = opendir(mine);
    if (!dir) fail(what, "opendir");
    else closedir(dir);
}

int main(int argc, char **argv)
{
    long ticks = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 200;
    setvbuf(stdout, 0, _IOLBF, 0);

    sigset_t rt1;
    sigemptyset(&rt1);
    sigaddset(&rt1, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &rt1, 0);
    sigset_t viafd;
    sigemptyset(&viafd);
    sigaddset(&viafd, SIGRTMIN + 2);
    sigaddset(&viafd, SIGCHLD);
    sigprocmask(SIG_BLOCK, &viafd, 0);
    int sfd = signalfd(-1, &viafd, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        perror("signalfd");
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, 0);

    int to_child[2], to_sleeper[2];
    if (pipe(to_child) || pipe(to_sleeper)) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        close(to_child[1]);
        close(to_sleeper[1]);
        child_loop(to_child[0]);
    }
    sleeper = fork();
    if (sleeper == 0) {
        prctl(PR_SET_NAME, "vidssleeper");
        close(to_child[1]);
        close(to_sleeper[1]);
        char c;
        while (read(to_sleeper[0], &c, 1) != 0) {}
        _exit(4);
    }
    if (child < 0 || sleeper < 0) {
        perror("fork");
        return 1;
    }
    close(to_child[0]);
    close(to_sleeper[0]);
    printf("child %d sleeper %d\n", (int)child, (int)sleeper);

    volatile pid_t thread_tid = 0;
    pthread_t thread, wait_thread;
    pthread_create(&thread, 0, sleeping_thread, (void *)&thread_tid);
    pthread_create(&wait_thread, 0, waiter, 0);
    while (!thread_tid) usleep(1000);

    clockid_t self_kept, child_kept, thread_kept;
    if (clock_getcpuclockid(getpid(), &self_kept) || clock_getcpuclockid(child, &child_kept) ||
        pthread_getcpuclockid(thread, &thread_kept)) {
        printf("cannot get CPU clocks\n");
        return 1;
    }

    for (long n = 1; n <= ticks; n++) {
        pid_t me = getpid();
        char d[256];
        /* (a) CPU clocks */
        clockid_t c;
        int e = clock_getcpuclockid(me, &c);
        if (e) fail("clock_getcpuclockid(getpid())", strerror(e));
        else check_clock("own clock made now", c);
        e = clock_getcpuclockid(child, &c);
        if (e) fail("clock_getcpuclockid(child)", strerror(e));
        else check_clock("child's clock made now", c);
        e = pthread_getcpuclockid(thread, &c);
        if (e) fail("pthread_getcpuclockid", strerror(e));
        else check_clock("thread's clock made now", c);
        check_clock("own clock kept", self_kept);
        check_clock("child's clock kept", child_kept);
        check_clock("thread's clock kept", thread_kept);
        struct timespec a, b;
        if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0 && clock_gettime(self_kept, &b) == 0 &&
            (ns(&b) < ns(&a) || ns(&b) - ns(&a) > 200000000)) {
            snprintf(d, sizeof d, "reads %lld ns, CLOCK_PROCESS_CPUTIME_ID %lld ns", (long long)ns(&b), (long long)ns(&a));
            fail("own clock kept", d);
        }
        struct timespec zero = {0, 0};
        e = clock_nanosleep(child_kept, TIMER_ABSTIME, &zero, 0);
        if (e) fail("clock_nanosleep on the child's clock", strerror(e));
        struct sigevent sev = {0};
        sev.sigev_notify = SIGEV_NONE;
        timer_t t;
        if (timer_create(child_kept, &sev, &t) != 0) fail("timer_create on the child's clock", strerror(errno));
        else timer_delete(t);

        /* (b) /proc paths */
        char mine[128], kernels[128];
        snprintf(mine, sizeof mine, "/proc/%d", (int)me);
        check_same_dir("/proc/<getpid()>", mine, "/proc/self");
        check_comm("/proc/<getpid()>/comm", mine, "vids", 0);
        snprintf(mine, sizeof mine, "/proc/%d", (int)child);
        check_comm("/proc/<child>/comm", mine, "vidschild", 1);
        check_same_dir("/proc/<child>", mine, mine);
        char link[256];
        snprintf(mine, sizeof mine, "/proc/%d/exe", (int)child);
        if (readlink(mine, link, sizeof link) <= 0) fail("readlink /proc/<child>/exe", strerror(errno));
        snprintf(mine, sizeof mine, "/proc/self/task/%d", (int)thread_tid);
        check_comm("/proc/self/task/<tid>/comm", mine, "vidsthread", 0);
        snprintf(mine, sizeof mine, "/proc/%d/task/%d", (int)me, (int)thread_tid);
        check_comm("/proc/<pid>/task/<tid>/comm", mine, "vidsthread", 1);
        snprintf(mine, sizeof mine, "/proc/self/task/%d", (int)gettid());
        snprintf(kernels, sizeof kernels, "/proc/thread-self");
        check_same_dir("/proc/self/task/<gettid()>", mine, kernels);

        /* (c) si_pid */
        struct sigaction rt = {0};
        rt.sa_sigaction = on_rt3;
        rt.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&rt.sa_mask);
        sigaction(SIGRTMIN + 3, &rt, 0);
        struct sigaction now;
        if (sigaction(SIGUSR1, 0, &now) != 0 || now.sa_sigaction != on_usr1) fail("sigaction(SIGUSR1) reports", "another handler");
        usr1_from = rt3_from = 0;
        if (write(to_child[1], "g", 1) != 1) fail("write to the child", strerror(errno));
        siginfo_t info;
        struct timespec ten = {10, 0};
        int sig;
        while ((sig = sigtimedwait(&rt1, &info, &ten)) < 0 && errno == EINTR) {}
        if (sig != SIGRTMIN + 1) fail("sigtimedwait", strerror(errno));
        else if (info.si_pid != child) {
            snprintf(d, sizeof d, "si_pid %d, child %d", (int)info.si_pid, (int)child);
            fail("sigtimedwait si_pid", d);
        }
        for (int i = 0; i < 10000 && (!usr1_from || !rt3_from); i++) usleep(1000);
        if (usr1_from != child || usr1_value != 7) {
            snprintf(d, sizeof d, "si_pid %d value %d, child %d", (int)usr1_from, usr1_value, (int)child);
            fail("SIGUSR1 handler si_pid", d);
        }
        if (rt3_from != child) {
            snprintf(d, sizeof d, "si_pid %d, child %d", (int)rt3_from, (int)child);
            fail("SIGRTMIN+3 handler si_pid", d);
        }

        /* (d) waiting */
        int st;
        pid_t w = waitpid(child, &st, WNOHANG);
        if (w != 0) {
            snprintf(d, sizeof d, "waitpid(%d, WNOHANG) = %d: %s", (int)child, (int)w, w < 0 ? strerror(errno) : "");
            fail("child running", d);
        }
        if (waiter_failed) fail("blocked waitpid of the sleeper", "failed");

        /* (e) ssi_pid from a signalfd (the child sends SIGRTMIN+2 with the signals of (c)) */
        struct signalfd_siginfo fsi;
        if (!read_signalfd(sfd, SIGRTMIN + 2, &fsi, 0)) fail("signalfd", "no SIGRTMIN+2 read");
        else if ((pid_t)fsi.ssi_pid != child || fsi.ssi_int != child) {
            snprintf(d, sizeof d, "ssi_pid %u, sender's getpid() %d, child %d", fsi.ssi_pid, fsi.ssi_int, (int)child);
            fail("signalfd ssi_pid", d);
        }

        printf("tick %ld\n", n);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    struct signalfd_siginfo fsi;
    while (read(sfd, &fsi, sizeof fsi) > 0) {} /* nonblocking: empties it, so the exit is the one left */
    close(to_child[1]);
    if (!read_signalfd(sfd, SIGCHLD, &fsi, 1)) printf("FAIL no SIGCHLD from the signalfd\n");
    else if ((pid_t)fsi.ssi_pid != child || fsi.ssi_code != CLD_EXITED)
        printf("FAIL sigchld from the signalfd: ssi_pid %u code %d, child %d\n", fsi.ssi_pid, fsi.ssi_code, (int)child);
    else printf("sigchld from %u exited %d\n", fsi.ssi_pid, fsi.ssi_status);
    int st = 0;
    pid_t w;
    while ((w = waitpid(child, &st, 0)) < 0 && errno == EINTR) {}
    if (w == child && WIFEXITED(st)) printf("reaped child %d exit %d\n", (int)w, WEXITSTATUS(st));
    else printf("FAIL reaping child %d: %d %s\n", (int)child, (int)w, w < 0 ? strerror(errno) : "");
    close(to_sleeper[1]);
    pthread_join(wait_thread, 0);
    printf(fails ? "done with failures\n" : "done\n");
    return 0;
}
