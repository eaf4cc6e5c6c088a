/* appender FILE [N]: appends numbered lines "1", "2", ... to FILE through one descriptor it
 * keeps open (O_APPEND), one every 100 ms, and prints each number on stdout once it is written.
 * After a checkpoint, a kill and a restart the file must read 1..n: no gap, no line twice. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: appender FILE [N]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 0;
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    for (long i = 1; n == 0 || i <= n; i++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", i);
        if (write(fd, line, (size_t)len) != len) {
            perror("write");
            return 1;
        }
        printf("%ld\n", i);
        fflush(stdout);
        struct timespec ts = {0, 100 * 1000 * 1000};
        while (nanosleep(&ts, &ts) != 0) {}
    }
    return 0;
}
