/*
 * randmem: a large heap of pseudo-random bytes, verified by checksum.
 *
 * Why: a checkpoint of a big process that does not compress takes long (every page is stored
 * and written out), which is the case where a command typed meanwhile (dmtcp_command --quit)
 * must wait for the checkpoint to end. The bytes come from xorshift64 with a fixed seed, so
 * every run (and every restart) has the same checksum; the program recomputes it every 20
 * ticks and compares it with the one computed at start-up.
 *
 * Usage: randmem [MiB]   (default 2048)
 * Output: "randmem <MiB> MiB sum=<hex>" once, then every 100 ms "tick <n> sum=<hex>"; on a
 *         mismatch "CHECKSUM MISMATCH ..." and exit status 3.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* FNV-1a over 64-bit words: order-sensitive and cheap. */
static uint64_t checksum(const uint64_t *w, size_t nwords)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < nwords; i++) {
        h ^= w[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    unsigned long mib = 2048;
    if (argc > 2 || (argc == 2 && ((mib = strtoul(argv[1], &end, 10)) == 0 || *end))) {
        fprintf(stderr, "usage: %s [MiB]\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)mib << 20;
    uint64_t *buf = malloc(size);
    if (!buf) {
        fprintf(stderr, "randmem: cannot allocate %lu MiB\n", mib);
        return 2;
    }
    size_t nwords = size / 8;
    uint64_t s = 0x5eed5eed5eed5eedull;
    for (size_t i = 0; i < nwords; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        buf[i] = s;
    }
    const uint64_t sum0 = checksum(buf, nwords);
    printf("randmem %lu MiB sum=%016" PRIx64 "\n", mib, sum0);
    fflush(stdout);

    uint64_t sum = sum0;
    for (long n = 1;; n++) {
        if (n % 20 == 0) {
            sum = checksum(buf, nwords);
            if (sum != sum0) {
                printf("CHECKSUM MISMATCH at tick %ld: expected %016" PRIx64 " got %016" PRIx64 "\n", n, sum0, sum);
                fflush(stdout);
                exit(3);
            }
        }
        printf("tick %ld sum=%016" PRIx64 "\n", n, sum);
        fflush(stdout);
        sleep_ms(100);
    }
}
