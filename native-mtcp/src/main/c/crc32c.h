/* CRC32C (Castagnoli), the checksum of every image section. */
#ifndef STASIS_CRC32C_H
#define STASIS_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: pass 0 to start; the result of one call feeds the next. */
uint32_t sx_crc32c(uint32_t crc, const void *data, size_t len);

#endif
