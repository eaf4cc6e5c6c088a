/* LZ4 block compressor and decompressor, written for Stasis.
 * Greedy matching with a 4-byte hash and an acceleration step on misses, so incompressible
 * pages (random data) are crossed quickly instead of dominating checkpoint time. */
#include "lz4.h"

#include <string.h>

#define MINMATCH 4
#define LASTLITERALS 5
#define MFLIMIT 12
#define MAX_OFFSET 65535

static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - SX_LZ4_HASH_LOG); }

/* Emits a length continuation (the part of a length beyond the 4-bit token field). */
static inline uint8_t *put_len(uint8_t *op, size_t len)
{
    while (len >= 255) {
        *op++ = 255;
        len -= 255;
    }
    *op++ = (uint8_t)len;
    return op;
}

/* Appends one sequence. match_len == 0 means "last literals only". Returns NULL when cap
 * would be exceeded. */
static uint8_t *emit(uint8_t *op, uint8_t *oend, const uint8_t *lit, size_t lit_len, size_t offset,
                     size_t match_len)
{
    size_t need = 1 + lit_len / 255 + 1 + lit_len + 2 + match_len / 255 + 1;
    if ((size_t)(oend - op) < need) return NULL;
    uint8_t *token = op++;
    uint8_t t = 0;
    if (lit_len >= 15) {
        t = 15 << 4;
        op = put_len(op, lit_len - 15);
    } else {
        t = (uint8_t)(lit_len << 4);
    }
    memcpy(op, lit, lit_len);
    op += lit_len;
    if (match_len) {
        *op++ = (uint8_t)(offset & 0xff);
        *op++ = (uint8_t)(offset >> 8);
        size_t ml = match_len - MINMATCH;
        if (ml >= 15) {
            t |= 15;
            op = put_len(op, ml - 15);
        } else {
            t |= (uint8_t)ml;
        }
    }
    *token = t;
    return op;
}

size_t sx_lz4_compress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, uint32_t *table)
{
    uint8_t *op = dst;
    uint8_t *oend = dst + cap;
    size_t anchor = 0;

    if (n >= MFLIMIT + 1) {
        size_t ip = 0;
        const size_t limit = n - MFLIMIT;
        const size_t match_limit = n - LASTLITERALS;
        unsigned misses = 0;
        memset(table, 0, SX_LZ4_TABLE_BYTES);
        while (ip < limit) {
            uint32_t seq = rd32(src + ip);
            uint32_t h = hash4(seq);
            size_t ref = table[h];
            table[h] = (uint32_t)ip;
            if (ref < ip && ip - ref <= MAX_OFFSET && rd32(src + ref) == seq) {
                while (ip > anchor && ref > 0 && src[ip - 1] == src[ref - 1]) {
                    ip--;
                    ref--;
                }
                size_t len = MINMATCH;
                for (;;) {
                    if (ip + len + 8 <= match_limit) {
                        uint64_t d = rd64(src + ip + len) ^ rd64(src + ref + len);
                        if (d) {
                            len += (size_t)__builtin_ctzll(d) >> 3;
                            break;
                        }
                        len += 8;
                        continue;
                    }
                    while (ip + len < match_limit && src[ip + len] == src[ref + len]) len++;
                    break;
                }
                op = emit(op, oend, src + anchor, ip - anchor, ip - ref, len);
                if (!op) return 0;
                ip += len;
                anchor = ip;
                if (ip < limit) table[hash4(rd32(src + ip - 2))] = (uint32_t)(ip - 2);
                misses = 0;
            } else {
                ip += 1 + (misses++ >> 5);
            }
        }
    }
    op = emit(op, oend, src + anchor, n - anchor, 0, 0);
    if (!op) return 0;
    return (size_t)(op - dst);
}

/* Fixed-size copies the compiler turns into plain moves, even in the freestanding restorer
 * (built with -fno-builtin, where a plain memcpy call would stay a call). */
static inline void copy8(uint8_t *d, const uint8_t *s) { __builtin_memcpy(d, s, 8); }
static inline void copy16(uint8_t *d, const uint8_t *s) { __builtin_memcpy(d, s, 16); }

long sx_lz4_decompress(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap)
{
    const uint8_t *ip = src;
    const uint8_t *iend = src + srclen;
    uint8_t *op = dst;
    uint8_t *oend = dst + cap;

    while (ip < iend) {
        unsigned token = *ip++;
        size_t lit = token >> 4;
        if (lit == 15) {
            unsigned b;
            do {
                if (ip >= iend) return -1;
                b = *ip++;
                lit += b;
            } while (b == 255);
        }
        if ((size_t)(iend - ip) < lit || (size_t)(oend - op) < lit) return -1;
        if (lit <= 16 && iend - ip >= 16 && oend - op >= 16) {
            copy16(op, ip); /* may copy past the literals; later output overwrites it */
        } else {
            memcpy(op, ip, lit);
        }
        op += lit;
        ip += lit;
        if (ip == iend) break; /* the last sequence has literals only */
        if (iend - ip < 2) return -1;
        size_t off = (size_t)ip[0] | ((size_t)ip[1] << 8);
        ip += 2;
        if (off == 0 || off > (size_t)(op - dst)) return -1;
        size_t ml = token & 15;
        if (ml == 15) {
            unsigned b;
            do {
                if (ip >= iend) return -1;
                b = *ip++;
                ml += b;
            } while (b == 255);
        }
        ml += MINMATCH;
        if ((size_t)(oend - op) < ml) return -1;
        const uint8_t *m = op - off;
        uint8_t *mend = op + ml;
        if (off >= 32 && (size_t)(oend - op) >= ml + 32) {
            /* long matches of repeating data: 32-byte steps, which cannot overlap at this distance */
            while (op < mend) {
                copy16(op, m);
                copy16(op + 16, m + 16);
                op += 32;
                m += 32;
            }
            op = mend;
        } else if (off >= 8 && (size_t)(oend - op) >= ml + 8) {
            /* 8-byte steps never overlap when the distance is at least 8 */
            while (op < mend) {
                copy8(op, m);
                op += 8;
                m += 8;
            }
            op = mend;
        } else {
            while (op < mend) *op++ = *m++;
        }
    }
    return (long)(op - dst);
}
