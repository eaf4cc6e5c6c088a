/* A parent and its child writing one file through the descriptor they share since the fork
 * (one open file, one offset), taking turns over two pipes: the file must read "P 1", "C 1",
 * "P 2", "C 2", ... with nothing overwritten. The parent also writes through a dup of the
 * descriptor every round ("D <n>"), which shares the offset too. Prints "<n>" per round.
 *
 *     sharedoffset FILE [delay-ms]   */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, char who, long n)
{
    char line[64];
    int len = snprintf(line, sizeof line, "%c %ld\n", who, n);
    if (write(fd, line, (size_t)len) != len) exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sharedoffset FILE [delay-ms]\n");
        return 2;
    }
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600); /* not O_APPEND: the offset matters */
    int twin = dup(fd);
    int ping[2], pong[2];
    if (fd < 0 || twin < 0 || pipe(ping) < 0 || pipe(pong) < 0) {
        perror("sharedoffset");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        long n;
        while (read(ping[0], &n, sizeof n) == sizeof n) {
            put(fd, 'C', n);
            if (write(pong[1], &n, sizeof n) != sizeof n) return 1;
        }
        return 0;
    }
    for (long n = 1;; n++) {
        put(fd, 'P', n);
        if (write(ping[1], &n, sizeof n) != sizeof n) return 1;
        long back;
        if (read(pong[0], &back, sizeof back) != sizeof back) return 1;
        put(twin, 'D', n);
        printf("%ld\n", n);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
}
