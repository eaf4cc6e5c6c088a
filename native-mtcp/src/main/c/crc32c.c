/* CRC32C with the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
 * Freestanding: used by the restorer too. Matches java.util.zip.CRC32C. */
#include "crc32c.h"

static uint32_t table[256];
static int mode; /* 0 = undecided, 1 = hardware, 2 = table */

static void decide(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (c & (1u << 20)) {
        mode = 1;
        return;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t x = i;
        for (int k = 0; k < 8; k++) x = (x >> 1) ^ (0x82F63B78u & (0u - (x & 1u)));
        table[i] = x;
    }
    mode = 2;
}

__attribute__((target("sse4.2"))) static uint32_t hw(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    while (len && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
        len--;
    }
    while (len >= 8) {
        c = __builtin_ia32_crc32di(c, *(const uint64_t *)p);
        p += 8;
        len -= 8;
    }
    while (len--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return (uint32_t)c;
}

static uint32_t sw(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t sx_crc32c(uint32_t crc, const void *data, size_t len)
{
    if (!mode) decide();
    crc = ~crc;
    crc = mode == 1 ? hw(crc, data, len) : sw(crc, data, len);
    return ~crc;
}
