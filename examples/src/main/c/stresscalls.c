/*
 * stresscalls: a system-call-heavy micro benchmark.
 *
 * Why: an agent preloaded into every process (wrappers around libc calls,
 * bookkeeping of open files, malloc hooks) costs something on every call.
 * Running this natively and under dmtcp_launch and comparing the elapsed
 * times measures that overhead.
 *
 * Two threads each do N iterations of: open + read + close of a small
 * temporary file this program creates, getpid(), malloc + free.
 *
 * Usage: stresscalls [N]   (default 300000)
 * Output: "threads 2 iterations <N>" then "elapsed <seconds>".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long iterations = 300000;
static char path[4096];

static void *work(void *arg)
{
    (void)arg;
    char buf[256];
    for (long i = 0; i < iterations; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0 || read(fd, buf, sizeof buf) <= 0) {
            fprintf(stderr, "stresscalls: %s: %s\n", path, strerror(errno));
            exit(1);
        }
        close(fd);
        (void)getpid();
        volatile char *p = malloc(64 + (size_t)(i % 1024));
        if (!p) {
            fprintf(stderr, "stresscalls: malloc failed\n");
            exit(1);
        }
        p[0] = (char)i;                  /* touch it so it is not optimized away */
        free((void *)p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    if (argc > 2 || (argc == 2 && ((iterations = strtol(argv[1], &end, 10)) <= 0 || *end))) {
        fprintf(stderr, "usage: %s [iterations]\n", argv[0]);
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/stresscalls.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "stresscalls: mkstemp %s: %s\n", path, strerror(errno));
        return 1;
    }
    static const char content[] = "stasis stresscalls: a small file that is read over and over\n";
    if (write(fd, content, sizeof content - 1) != (ssize_t)(sizeof content - 1)) {
        perror("stresscalls: write");
        unlink(path);
        return 1;
    }
    close(fd);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t tids[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&tids[i], NULL, work, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(tids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unlink(path);

    printf("threads 2 iterations %ld\n", iterations);
    printf("elapsed %.3f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
