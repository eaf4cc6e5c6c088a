/* A parent and its child exchanging sequence numbers over two pipes: the parent sends n, the
 * child answers n + 1. Prints one line per round, "<n> <parent pid> <child pid as the parent
 * knows it> <child's own pid and parent pid as it reports them>", so a test can see that no
 * number is lost or repeated and that both keep their pids across a restart. With "clone" the
 * child is made by clone() with a stack of its own, as some runtimes do, instead of fork().
 * The child reports pid -1 when syscall(SYS_getpid) or syscall(SYS_gettid) disagree with libc.
 *
 *     pingpong [rounds] [delay-ms] [fork|clone]   */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct msg {
    long n;
    int pid, ppid;
};

static int full(ssize_t got, size_t want) { return got == (ssize_t)want; }

static int pipes[4]; /* down read, down write, up read, up write */

/* The child: answers n with n + 1 until the parent closes its end. */
static int answer(void *unused)
{
    (void)unused;
    close(pipes[1]);
    close(pipes[2]);
    struct msg m;
    while (full(read(pipes[0], &m, sizeof m), sizeof m)) {
        m.n += 1;
        m.pid = getpid();
        /* the raw system call must tell the same pid (programs ask for thread ids this way) */
        if (syscall(SYS_getpid) != m.pid || syscall(SYS_gettid) != gettid()) m.pid = -1;
        m.ppid = getppid();
        if (!full(write(pipes[3], &m, sizeof m), sizeof m)) return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    int down[2], up[2];
    if (pipe(down) < 0 || pipe(up) < 0) {
        perror("pipe");
        return 1;
    }
    pipes[0] = down[0], pipes[1] = down[1], pipes[2] = up[0], pipes[3] = up[1];
    pid_t child;
    if (argc > 3 && strcmp(argv[3], "clone") == 0) {
        size_t size = 256 * 1024;
        char *stack = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        child = clone(answer, stack + size, SIGCHLD, 0);
    } else {
        child = fork();
        if (child == 0) return answer(0);
    }
    if (child < 0) {
        perror("fork/clone");
        return 1;
    }
    close(down[0]);
    close(up[1]);
    for (long n = 1; n <= rounds; n++) {
        struct msg m = {2 * n, 0, 0};
        if (!full(write(down[1], &m, sizeof m), sizeof m)) {
            printf("WRITE FAILED at %ld\n", n);
            return 1;
        }
        struct msg r;
        if (!full(read(up[0], &r, sizeof r), sizeof r)) {
            printf("READ FAILED at %ld\n", n);
            return 1;
        }
        if (r.n != 2 * n + 1) {
            printf("MISMATCH at %ld: got %ld\n", n, r.n);
            return 1;
        }
        printf("%ld %d %d %d %d %s\n", n, (int)getpid(), (int)child, r.pid, r.ppid,
               kill(child, 0) == 0 ? "alive" : "GONE");
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    close(down[1]);
    int st = 0;
    pid_t w = waitpid(child, &st, 0);
    printf("done %s\n", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "child-ok" : "child-bad");
    return 0;
}
