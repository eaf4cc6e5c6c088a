/* A parent and its child talking over one SysV message queue, with messages always waiting in
 * it: the parent keeps three numbers in flight (type 1), the child answers each with n + 1000
 * (type 2), and the parent checks the answers come back in order. Prints
 * "<n> ok msq=<id>" per answer (the id as the program knows it), "<n> WRONG ..." otherwise.
 * The queue is removed when the program ends.
 *
 *     msgqueue [rounds] [delay-ms]   */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct msg {
    long type;
    long n;
};

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (q < 0) {
        perror("msgget");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        struct msg m;
        while (msgrcv(q, &m, sizeof m.n, 1, 0) == (ssize_t)sizeof m.n) {
            if (m.n < 0) return 0;
            m.type = 2;
            m.n += 1000;
            if (msgsnd(q, &m, sizeof m.n, 0) < 0) return 1;
        }
        return 1;
    }
    long sent = 0;
    for (long n = 1; n <= rounds; n++) {
        while (sent < n + 2 && sent < rounds) {
            struct msg m = {1, ++sent};
            if (msgsnd(q, &m, sizeof m.n, 0) < 0) {
                perror("msgsnd");
                return 1;
            }
        }
        struct msg a;
        if (msgrcv(q, &a, sizeof a.n, 2, 0) != (ssize_t)sizeof a.n) {
            perror("msgrcv");
            return 1;
        }
        if (a.n == n + 1000) printf("%ld ok msq=%d\n", n, q);
        else printf("%ld WRONG got %ld msq=%d\n", n, a.n - 1000, q);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    struct msg stop = {1, -1};
    msgsnd(q, &stop, sizeof stop.n, 0);
    waitpid(child, 0, 0);
    msgctl(q, IPC_RMID, 0);
    printf("done\n");
    return 0;
}
