/*
 * count: the demo program of the seeds (dmtcp_serial).
 *
 * Prints 1, 2, 3, ... one number per line every 100 ms, formatted like the
 * seeds' output (" %2d"), and flushes stdout after every line so that whoever
 * reads the output (a terminal, a job log, the integration tests) sees each
 * number the moment it is printed.  That flush is what lets a test decide
 * exactly which number a checkpoint captured: the next number printed after
 * a restart must be the captured one + 1, with no gap and no repeat after it.
 *
 * Usage: count [N]   -- stop (exit 0) after printing N; default: forever.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Sleep that survives signals: a signal handler ends nanosleep() early with
 * EINTR, whatever SA_RESTART says; we just sleep the rest.  count installs no
 * handler, and the checkpoint agent resumes a sleep its own signal interrupted
 * (native-mtcp interrupted.c), so the loop is only the usual idiom here. */
static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    long limit = 0;
    if (argc > 2 || (argc == 2 && (limit = strtol(argv[1], NULL, 10)) <= 0)) {
        fprintf(stderr, "usage: %s [N]\n", argv[0]);
        return 2;
    }
    for (long n = 1;; n++) {
        printf(" %2ld\n", n);
        fflush(stdout);
        if (limit > 0 && n >= limit)
            return 0;
        sleep_ms(100);
    }
}
