/* fifo writer PATH | fifo reader PATH: two processes connected by a named pipe (made by
 * whichever starts first). The writer writes "1\n", "2\n", ... as fast as the pipe takes them,
 * printing "sent <n>" every 100th; the reader reads one line every 20 ms, so that data is
 * always waiting in the pipe, and prints "got <n>". The reader checks that every number
 * follows the previous one: "OUT OF ORDER ..." and exit 3 if one is lost or repeated. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0) {}
}

static int writer(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    for (long i = 1;; i++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", i);
        for (int done = 0; done < len;) {
            ssize_t w = write(fd, line + done, (size_t)(len - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                printf("WRITE FAILED at %ld: %s\n", i, strerror(errno));
                return 3;
            }
            done += (int)w;
        }
        if (i % 100 == 0) {
            printf("sent %ld\n", i);
            fflush(stdout);
        }
        pause_ms(2);
    }
}

static int reader(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    long expect = 1;
    char line[32];
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            printf("READ FAILED after %ld: %s\n", expect - 1, r == 0 ? "end of file" : strerror(errno));
            return 3;
        }
        if (c != '\n') {
            if (n < sizeof line - 1) line[n++] = c;
            continue;
        }
        line[n] = 0;
        n = 0;
        long got = atol(line);
        if (got != expect) {
            printf("OUT OF ORDER: got %ld, expected %ld\n", got, expect);
            return 3;
        }
        printf("got %ld\n", got);
        fflush(stdout);
        expect++;
        pause_ms(20);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "writer") != 0 && strcmp(argv[1], "reader") != 0)) {
        fprintf(stderr, "usage: fifo writer|reader PATH\n");
        return 2;
    }
    if (mkfifo(argv[2], 0600) != 0 && errno != EEXIST) {
        perror(argv[2]);
        return 1;
    }
    return strcmp(argv[1], "writer") == 0 ? writer(argv[2]) : reader(argv[2]);
}
