/*
 * mixedmem: a large heap with three kinds of content, verified by checksum.
 *
 * Why: a checkpoint image stores memory differently by content.  Random bytes
 * do not compress, touched all-zero pages are not stored at all (they must
 * come back as zeros), and a repeating text pattern compresses very well.
 * A restored process must get every byte back, so the program recomputes a
 * checksum over the whole buffer every 10 ticks and compares it with the one
 * computed at start-up.  The content comes from a fixed-seed PRNG, so every
 * run (and every restart) must produce the same checksum.
 *
 * Usage: mixedmem [MiB]   (default 1024)
 * Output: "mixedmem <MiB> MiB sum=<hex>" once, then every 100 ms
 *         "tick <n> sum=<hex>"; on a mismatch "CHECKSUM MISMATCH ..." and
 *         exit status 3.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* FNV-1a over 64-bit words: order-sensitive, cheap (~0.2 s per GiB). */
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
    unsigned long mib = 1024;
    if (argc > 2 || (argc == 2 && ((mib = strtoul(argv[1], &end, 10)) == 0 || *end))) {
        fprintf(stderr, "usage: %s [MiB]\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)mib << 20;
    uint64_t *buf = malloc(size);
    if (!buf) {
        fprintf(stderr, "mixedmem: cannot allocate %lu MiB\n", mib);
        return 2;
    }
    size_t nwords = size / 8, a = nwords / 3, b = 2 * nwords / 3;

    /* first third: xorshift64 with a fixed seed (reproducible "random") */
    uint64_t s = 0x5eed5eed5eed5eedull;
    for (size_t i = 0; i < a; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        buf[i] = s;
    }
    /* second third: zeros, written so the pages really exist */
    memset(buf + a, 0, (b - a) * 8);
    /* last third: a repeating text pattern */
    static const char pattern[] = "stasis mixedmem: the quick brown fox jumps over the lazy dog 0123456789\n";
    unsigned char *p = (unsigned char *)(buf + b);
    size_t plen = sizeof pattern - 1, n3 = (nwords - b) * 8;
    for (size_t i = 0; i < n3; i++)
        p[i] = (unsigned char)pattern[i % plen];

    const uint64_t sum0 = checksum(buf, nwords);
    printf("mixedmem %lu MiB sum=%016" PRIx64 "\n", mib, sum0);
    fflush(stdout);

    uint64_t sum = sum0;
    for (long n = 1;; n++) {
        if (n % 10 == 0) {
            sum = checksum(buf, nwords);
            if (sum != sum0) {
                printf("CHECKSUM MISMATCH at tick %ld: expected %016" PRIx64 " got %016" PRIx64 "\n",
                       n, sum0, sum);
                fflush(stdout);
                exit(3);
            }
        }
        printf("tick %ld sum=%016" PRIx64 "\n", n, sum);
        fflush(stdout);
        sleep_ms(100);
    }
}
