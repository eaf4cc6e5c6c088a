/*
 * slowcat: copies lines from its input to its output at a steady pace, as a slow filter in a
 * pipeline or a job reading a data file does.
 *
 * Usage: slowcat RATE [IN [OUT]]
 *   RATE  lines per second (1..100000)
 *   IN    read this file instead of standard input (freopen onto stdin)
 *   OUT   write this file instead of standard output (freopen onto stdout, truncating it)
 *
 * Every line is flushed as it is written, so whatever holds the output (a file, a pipe) always
 * has exactly the lines copied so far; a restarted copy must go on from the line after the
 * checkpoint, the output ending equal to the input. On standard error: "slowcat done N" at
 * the end (N lines copied), or what went wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void pause_ns(long ns)
{
    struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    long rate = argc >= 2 ? strtol(argv[1], NULL, 10) : 0;
    if (argc < 2 || argc > 4 || rate < 1 || rate > 100000) {
        fprintf(stderr, "usage: %s RATE [IN [OUT]]   (RATE: lines per second, 1..100000)\n", argv[0]);
        return 2;
    }
    if (argc >= 3 && !freopen(argv[2], "r", stdin)) {
        fprintf(stderr, "slowcat: cannot open %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    if (argc >= 4 && !freopen(argv[3], "w", stdout)) {
        fprintf(stderr, "slowcat: cannot open %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    char line[4096];
    long n = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (fputs(line, stdout) == EOF || fflush(stdout) == EOF) {
            fprintf(stderr, "slowcat: write failed after %ld lines: %s\n", n, strerror(errno));
            return 1;
        }
        n++;
        pause_ns(1000000000L / rate);
    }
    if (ferror(stdin)) {
        fprintf(stderr, "slowcat: read failed after %ld lines: %s\n", n, strerror(errno));
        return 1;
    }
    fprintf(stderr, "slowcat done %ld\n", n);
    return 0;
}
