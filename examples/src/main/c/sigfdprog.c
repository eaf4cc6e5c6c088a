/* SIGUSR1 blocked and read from a signalfd. Prints "ready <pid>", then "tick <t> count=<c>"
 * every 100 ms and, for each SIGUSR1 read from the signalfd, "<n> got signal <count>" (n: the
 * number of the delivery read, count: the deliveries counted so far). A test sends the signals
 * (one at a time, waiting for each line) and checks that after a restart they still arrive
 * through the same signalfd. Any failure of poll/read on the signalfd prints
 * "INVARIANT BROKEN: ..." and exits.
 *
 *     sigfdprog [ticks]   */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long ticks = argc > 1 ? atol(argv[1]) : 1000000;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, 0) != 0) {
        perror("sigprocmask");
        return 1;
    }
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("signalfd");
        return 1;
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    long count = 0;
    for (long t = 1; t <= ticks; t++) {
        struct pollfd p = {sfd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) {
            printf("INVARIANT BROKEN: poll on signalfd %d: %s\n", sfd, strerror(errno));
            return 1;
        }
        if (r > 0) {
            if (!(p.revents & POLLIN)) {
                printf("INVARIANT BROKEN: signalfd %d revents 0x%x\n", sfd, p.revents);
                return 1;
            }
            struct signalfd_siginfo si;
            ssize_t n = read(sfd, &si, sizeof si);
            if (n != (ssize_t)sizeof si) {
                printf("INVARIANT BROKEN: read on signalfd %d returned %zd: %s\n", sfd, n, strerror(errno));
                return 1;
            }
            if (si.ssi_signo != SIGUSR1) {
                printf("INVARIANT BROKEN: signalfd %d gave signal %u\n", sfd, si.ssi_signo);
                return 1;
            }
            count++;
            printf("%ld got signal %ld\n", count, count);
        }
        printf("tick %ld count=%ld\n", t, count);
        fflush(stdout);
    }
    printf("done count=%ld\n", count);
    return 0;
}
