/* A process tree for the benchmark: tree <processes> <total MiB>. The root forks the others;
 * each fills its share of the memory (a third random, a third zero, a third text), tells the
 * root over a pipe, and the root then prints "tick N" every 20 ms. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* read nowhere but published: keeps the compiler from dropping the stores */
uint8_t *volatile tree_memory;

static void fill(size_t bytes, uint64_t seed)
{
    uint8_t *p = malloc(bytes);
    if (!p) exit(1);
    size_t third = bytes / 3;
    for (size_t i = 0; i < third; i += 8) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        memcpy(p + i, &seed, 8);
    }
    memset(p + third, 0, third);
    for (size_t i = 2 * third; i < bytes; i++) p[i] = (uint8_t)("the quick brown fox "[i % 20]);
    tree_memory = p;
}

int main(int argc, char **argv)
{
    int procs = argc > 1 ? atoi(argv[1]) : 16;
    long mib = argc > 2 ? atol(argv[2]) : 256;
    size_t share = (size_t)mib * 1048576 / (size_t)procs;
    int ready[2];
    if (pipe(ready) < 0) return 1;
    for (int i = 1; i < procs; i++) {
        pid_t c = fork();
        if (c < 0) return 1;
        if (c == 0) {
            fill(share, (uint64_t)i);
            char b = 1;
            if (write(ready[1], &b, 1) != 1) return 1;
            for (;;) pause();
        }
    }
    fill(share, 0);
    for (int i = 1; i < procs; i++) {
        char b;
        if (read(ready[0], &b, 1) != 1) return 1;
    }
    for (long n = 1;; n++) {
        printf("tick %ld\n", n);
        fflush(stdout);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, 0);
    }
}
