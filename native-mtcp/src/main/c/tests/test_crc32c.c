/* CRC32C must match java.util.zip.CRC32C, which checks images on the Java side. */
#include <string.h>

#include "check.h"
#include "crc32c.h"

int main(void)
{
    CHECK(sx_crc32c(0, "123456789", 9) == 0xE3069283u); /* the standard check value */
    CHECK(sx_crc32c(0, "", 0) == 0);
    /* chaining equals one pass */
    const char *s = "checkpoint and restart, continuing where it left off";
    size_t n = strlen(s);
    CHECK(sx_crc32c(sx_crc32c(0, s, 10), s + 10, n - 10) == sx_crc32c(0, s, n));
    /* unaligned starts give the same answer */
    char buf[80];
    memcpy(buf + 3, s, n);
    CHECK(sx_crc32c(0, buf + 3, n) == sx_crc32c(0, s, n));
    return check_summary("test_crc32c");
}
