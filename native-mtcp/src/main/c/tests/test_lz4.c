/* LZ4 round trips over the kinds of memory a checkpoint meets, and rejection of damaged
 * blocks (the restorer must never write out of bounds on a corrupt image). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lz4.h"

static uint32_t table[1 << SX_LZ4_HASH_LOG];

static void roundtrip(const uint8_t *src, size_t n, int expect_smaller)
{
    size_t cap = sx_lz4_bound(n);
    uint8_t *c = malloc(cap), *d = malloc(n + 16);
    size_t cn = sx_lz4_compress(src, n, c, cap, table);
    CHECK(cn > 0);
    if (expect_smaller) CHECK(cn < n / 2);
    long dn = sx_lz4_decompress(c, cn, d, n);
    CHECK(dn == (long)n);
    CHECK(memcmp(src, d, n) == 0);
    /* a too-small output buffer is refused, not overrun */
    if (n > 1) CHECK(sx_lz4_decompress(c, cn, d, n - 1) < 0);
    /* truncated input is refused */
    if (cn > 2) {
        long t = sx_lz4_decompress(c, cn - 2, d, n);
        CHECK(t < 0 || t < (long)n);
    }
    free(c);
    free(d);
}

int main(void)
{
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    roundtrip(buf, n, 0); /* random */
    memset(buf, 0, n);
    roundtrip(buf, n, 1); /* zeros */
    for (size_t i = 0; i < n; i++) buf[i] = "The quick brown fox jumps over the lazy dog. "[i % 45];
    roundtrip(buf, n, 1); /* text */
    for (size_t len = 0; len < 40; len++) roundtrip(buf, len, 0); /* tiny inputs */

    /* incompressible data gives up when the caller's cap is below the input size */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    uint8_t *c = malloc(n);
    CHECK(sx_lz4_compress(buf, n, c, n - n / 16, table) == 0);

    /* garbage never crashes the decoder */
    uint8_t out[4096];
    for (int trial = 0; trial < 20000; trial++) {
        uint8_t junk[64];
        for (int i = 0; i < 64; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            junk[i] = (uint8_t)x;
        }
        long r = sx_lz4_decompress(junk, (size_t)(x % 64), out, sizeof out);
        CHECK(r <= (long)sizeof out);
    }
    free(c);
    free(buf);
    return check_summary("test_lz4");
}
