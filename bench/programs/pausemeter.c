/* Holds N MiB of mixed memory (random, zero, repeating text) and measures how long it is
 * ever stopped: a tight loop reads the monotonic clock and reports, every 100 ms, the
 * largest gap it saw since the last report. A checkpoint's pause shows as one large gap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main(int argc, char **argv)
{
    size_t n = (size_t)(argc > 1 ? atol(argv[1]) : 1024) << 20;
    uint8_t *b = malloc(n);
    if (!b) return 1;
    size_t third = n / 3;
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i + 8 <= third; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(b + i, &x, 8);
    }
    memset(b + third, 0, third);
    const char *text = "All work and no play makes Jack a dull boy. ";
    size_t tl = strlen(text);
    for (size_t i = 2 * third; i < n; i++) b[i] = (uint8_t)text[i % tl];
    printf("ready\n");
    fflush(stdout);
    uint64_t last = now_us(), report = last, worst = 0;
    for (uint64_t tick = 1;; tick++) {
        uint64_t t = now_us();
        if (t - last > worst) worst = t - last;
        last = t;
        if (t - report >= 100000) {
            printf("tick %llu maxgap_us=%llu\n", (unsigned long long)tick, (unsigned long long)worst);
            fflush(stdout);
            worst = 0;
            report = now_us();
            last = report;
        }
    }
}
