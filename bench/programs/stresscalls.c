/* Runtime overhead probe: 2 threads x N iterations of open+read+close+getpid+malloc/free,
 * the system calls and library calls an interposing checkpointer is most likely to slow. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long iterations = 300000;
static char path[64];

static void *work(void *arg)
{
    char buf[64];
    for (long i = 0; i < iterations; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0 || read(fd, buf, sizeof buf) < 0) abort();
        close(fd);
        if (getpid() <= 0) abort();
        void *p = malloc(64 + (size_t)(i & 255));
        if (!p) abort();
        free(p);
    }
    return arg;
}

int main(int argc, char **argv)
{
    if (argc > 1) iterations = atol(argv[1]);
    snprintf(path, sizeof path, "/tmp/stasis-stress-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fputs("some bytes to read back\n", f);
    fclose(f);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, work, 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    unlink(path);
    printf("elapsed %.4f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
