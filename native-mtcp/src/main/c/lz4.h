/* LZ4 block format: our own compressor (checkpoint side) and decompressor (restorer side).
 * The format is the public LZ4 block format, so images can be inspected with other tools. */
#ifndef STASIS_LZ4_H
#define STASIS_LZ4_H
#include <stddef.h>
#include <stdint.h>

#define SX_LZ4_HASH_LOG 14
#define SX_LZ4_TABLE_BYTES ((size_t)4 << SX_LZ4_HASH_LOG)

/* Worst-case compressed size of n input bytes. */
static inline size_t sx_lz4_bound(size_t n) { return n + n / 255 + 16; }

/* Compress src[0..n) into dst (capacity cap) using table (SX_LZ4_TABLE_BYTES of scratch).
 * Returns the compressed size, or 0 when the result would not fit in cap: callers pass
 * cap < n to give up early on incompressible data. n must be below 2^31. */
size_t sx_lz4_compress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, uint32_t *table);

/* Decompress one block. Returns the number of bytes produced, or -1 when the block is
 * malformed or would not fit in cap. Never reads or writes out of bounds. */
long sx_lz4_decompress(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap);

#endif
