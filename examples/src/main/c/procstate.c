/* A process that holds the kernel state a checkpoint must carry besides memory, and checks
 * every 100 ms that all of it is still as it set it up:
 *
 *   umask 027; working directory ./inside; RLIMIT_NOFILE soft limit 200; SIGUSR1 blocked and
 *   pending; a thread with a sigaltstack; a MAP_SHARED file mapping holding the tick counter
 *   (also readable through the file); a MAP_PRIVATE file mapping modified in memory only; a
 *   periodic POSIX timer; and its own SIGUSR2 handler, raised every tick (SIGUSR2 is Stasis's
 *   default checkpoint signal: the program must still get its own).
 *
 * Prints "tick <n> usr2=<count> timer=<count>" and, on any broken invariant, "STATE BROKEN:
 * <what>" and exits 3. When a file named "unblock" appears in the working directory it unblocks
 * SIGUSR1 and prints "usr1 delivered" from the handler: the pending signal survived.
 *
 * Run it in an empty directory: it creates ./inside, ./inside/shared.dat and ./private.dat. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_seen, usr2_count, timer_count;
static volatile int altstack_ok = 1;
static char cwd_at_start[4096];
static char altstack_mem[65536];

static void broken(const char *what)
{
    printf("STATE BROKEN: %s\n", what);
    fflush(stdout);
    exit(3);
}

static void on_usr1(int s) { (void)s; usr1_seen = 1; }
static void on_usr2(int s) { (void)s; usr2_count++; }
static void on_timer(int s) { (void)s; timer_count++; }

/* Checks its sigaltstack from time to time; the setting is per thread. */
static void *alt_thread(void *arg)
{
    (void)arg;
    stack_t ss = {.ss_sp = altstack_mem, .ss_size = sizeof altstack_mem, .ss_flags = 0};
    if (sigaltstack(&ss, 0) != 0) broken("sigaltstack");
    for (;;) {
        stack_t now;
        if (sigaltstack(0, &now) != 0 || now.ss_sp != altstack_mem || now.ss_size != sizeof altstack_mem)
            altstack_ok = 0;
        usleep(50000);
    }
    return 0;
}

static void *map_file(const char *path, int flags, int prot)
{
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) broken("create a file to map");
    void *p = mmap(0, 4096, prot, flags, fd, 0);
    close(fd);
    if (p == MAP_FAILED) broken("mmap");
    return p;
}

int main(void)
{
    if (mkdir("inside", 0700) != 0 && errno != EEXIST) broken("mkdir inside");
    int pfd = open("private.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (pfd < 0 || write(pfd, "file text", 9) != 9) broken("write private.dat");
    close(pfd);
    if (chdir("inside") != 0 || !getcwd(cwd_at_start, sizeof cwd_at_start)) broken("chdir");
    umask(027);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 200;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) broken("setrlimit");

    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    signal(SIGRTMIN + 3, on_timer);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, 0);
    raise(SIGUSR1);

    volatile long *shared = map_file("shared.dat", MAP_SHARED, PROT_READ | PROT_WRITE);
    char *private = map_file("../private.dat", MAP_PRIVATE, PROT_READ | PROT_WRITE);
    memcpy(private, "memory text", 11); /* the file keeps "file text" */

    timer_t timer;
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 3};
    struct itimerspec every = {{0, 20000000}, {0, 20000000}};
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0 || timer_settime(timer, 0, &every, 0) != 0)
        broken("timer_create");

    pthread_t t;
    pthread_create(&t, 0, alt_thread, 0);

    for (long tick = 1;; tick++) {
        char cwd[4096];
        mode_t m = umask(027);
        struct rlimit now;
        sigset_t pending;
        if (m != 027) broken("umask");
        if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, cwd_at_start) != 0) broken("working directory");
        if (getrlimit(RLIMIT_NOFILE, &now) != 0 || now.rlim_cur != 200) broken("RLIMIT_NOFILE");
        if (!usr1_seen) {
            sigpending(&pending);
            if (!sigismember(&pending, SIGUSR1)) broken("pending SIGUSR1 lost");
        }
        if (!altstack_ok) broken("sigaltstack of the thread");
        if (tick > 1 && *shared != tick - 1) broken("shared mapping");
        *shared = tick;
        char through_file[16] = {0};
        int fd = open("shared.dat", O_RDONLY);
        if (fd < 0 || pread(fd, through_file, sizeof(long), 0) != sizeof(long)) broken("read shared.dat");
        close(fd);
        if (*(long *)through_file != tick) broken("shared mapping not in its file");
        if (memcmp(private, "memory text", 11) != 0) broken("private mapping");
        long before = usr2_count;
        raise(SIGUSR2);
        if (usr2_count != before + 1) broken("own SIGUSR2 handler");
        if (!usr1_seen && access("../unblock", F_OK) == 0) {
            sigprocmask(SIG_UNBLOCK, &usr1, 0);
            if (usr1_seen) printf("usr1 delivered\n");
            else broken("SIGUSR1 not delivered on unblock");
        }
        printf("tick %ld usr2=%ld timer=%ld\n", tick, (long)usr2_count, (long)timer_count);
        fflush(stdout);
        usleep(100000);
    }
}
