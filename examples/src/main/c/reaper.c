/* A parent that leaves its children unwaited for a while: three children exit at once with
 * statuses 7, 8 and 9 and stay zombies while the parent counts; only at the end does it wait
 * for each by pid. Across a checkpoint and restart the zombies must still be there to be
 * waited for, under the same pids and with the same statuses.
 *
 * Prints "child <i> pid <pid>" for each child, "tick <n>" per round, then
 * "reaped <pid> exit <status>" per child (or "reaped <pid> FAILED ...") and "done".
 *
 *     reaper [rounds] [delay-ms]   */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILDREN 3

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    pid_t kids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        kids[i] = fork();
        if (kids[i] < 0) {
            perror("fork");
            return 1;
        }
        if (kids[i] == 0) _exit(7 + i);
        printf("child %d pid %d\n", i, (int)kids[i]);
    }
    fflush(stdout);
    for (long n = 1; n <= rounds; n++) {
        printf("tick %ld\n", n);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    for (int i = 0; i < CHILDREN; i++) {
        int st = 0;
        pid_t w;
        while ((w = waitpid(kids[i], &st, 0)) < 0 && errno == EINTR) {}
        if (w == kids[i] && WIFEXITED(st))
            printf("reaped %d exit %d\n", (int)w, WEXITSTATUS(st));
        else
            printf("reaped %d FAILED waitpid=%d %s\n", (int)kids[i], (int)w, w < 0 ? strerror(errno) : "");
    }
    printf("done\n");
    return 0;
}
