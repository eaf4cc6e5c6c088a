/* epollprog: one epoll watching a pipe, an eventfd and a periodic timerfd (50 ms). On each
 * expiration the program writes the next sequence number into the pipe and adds 1 to the
 * eventfd; when the pipe is readable it reads the numbers back and prints "seq <n> ev=<e>"
 * (e: eventfd increments read so far). It checks that the numbers follow each other
 * ("OUT OF ORDER ...") and that once nothing is pending the eventfd has counted exactly as many
 * increments as numbers were written ("INVARIANT BROKEN ..."); both exit 3. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(void)
{
    int p[2];
    int ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int tm = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0 || ev < 0 || tm < 0 || ep < 0) {
        perror("setup");
        return 1;
    }
    struct itimerspec its = {{0, 50 * 1000 * 1000}, {0, 50 * 1000 * 1000}};
    timerfd_settime(tm, 0, &its, 0);
    struct epoll_event e1 = {EPOLLIN, {.u64 = 1}}, e2 = {EPOLLIN, {.u64 = 2}}, e3 = {EPOLLIN, {.u64 = 3}};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e1) || epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e2) ||
        epoll_ctl(ep, EPOLL_CTL_ADD, tm, &e3)) {
        perror("epoll_ctl");
        return 1;
    }
    uint64_t written = 0, got = 0, counted = 0;
    for (;;) {
        struct epoll_event out[8];
        int n = epoll_wait(ep, out, 8, 5000);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            printf("READ FAILED: epoll_wait after seq %llu: %s\n", (unsigned long long)got, strerror(errno));
            return 3;
        }
        if (n == 0) {
            printf("READER STALLED: no event for 5 s after seq %llu\n", (unsigned long long)got);
            return 3;
        }
        for (int i = 0; i < n; i++) {
            uint64_t v;
            if (out[i].data.u64 == 3 && read(tm, &v, sizeof v) == sizeof v) {
                for (uint64_t k = 0; k < v; k++) {
                    written++;
                    uint64_t one = 1;
                    if (write(p[1], &written, sizeof written) != sizeof written || write(ev, &one, sizeof one) != sizeof one) {
                        printf("WRITE FAILED at %llu\n", (unsigned long long)written);
                        return 3;
                    }
                }
            } else if (out[i].data.u64 == 2 && read(ev, &v, sizeof v) == sizeof v) {
                counted += v;
            } else if (out[i].data.u64 == 1) {
                uint64_t seq;
                while (read(p[0], &seq, sizeof seq) == sizeof seq) {
                    if (seq != got + 1) {
                        printf("OUT OF ORDER: got %llu after %llu\n", (unsigned long long)seq, (unsigned long long)got);
                        return 3;
                    }
                    got = seq;
                    printf("seq %llu ev=%llu\n", (unsigned long long)got, (unsigned long long)counted);
                    fflush(stdout);
                }
            }
        }
        uint64_t pending;
        if (got == written && read(ev, &pending, sizeof pending) == sizeof pending) counted += pending;
        if (got == written && counted != written) {
            printf("INVARIANT BROKEN: %llu numbers written, eventfd counted %llu\n", (unsigned long long)written,
                   (unsigned long long)counted);
            return 3;
        }
    }
}
