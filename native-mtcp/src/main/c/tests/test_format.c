/* The record layouts are a file format: their sizes and offsets must never drift from
 * docs/image-format.md, which the Java reader follows. */
#include <stddef.h>

#include "check.h"
#include "image_format.h"

int main(void)
{
    CHECK(sizeof(struct sx_image_header) == 4096);
    CHECK(offsetof(struct sx_image_header, version) == 8);
    CHECK(offsetof(struct sx_image_header, header_crc) == 16);
    CHECK(offsetof(struct sx_image_header, arch) == 24);
    CHECK(offsetof(struct sx_image_header, created_ns) == 40);
    CHECK(offsetof(struct sx_image_header, uid) == 48);
    CHECK(offsetof(struct sx_image_header, generation) == 60);
    CHECK(offsetof(struct sx_image_header, peers) == 64);
    CHECK(offsetof(struct sx_image_header, restart_info_addr) == 72);
    CHECK(offsetof(struct sx_image_header, upid) == 96);
    CHECK(offsetof(struct sx_image_header, compid) == 176);
    CHECK(offsetof(struct sx_image_header, program) == 256);
    CHECK(offsetof(struct sx_image_header, hostname) == 512);
    CHECK(offsetof(struct sx_image_header, kernel) == 768);
    CHECK(offsetof(struct sx_image_header, libc) == 896);
    CHECK(offsetof(struct sx_image_header, exe) == 960);
    CHECK(offsetof(struct sx_image_header, plugins) == 1984);
    CHECK(sizeof(struct sx_section_header) == 48);
    CHECK(offsetof(struct sx_section_header, addr) == 8);
    CHECK(offsetof(struct sx_section_header, payload_size) == 16);
    CHECK(offsetof(struct sx_section_header, raw_size) == 24);
    CHECK(offsetof(struct sx_section_header, payload_crc) == 32);
    CHECK(offsetof(struct sx_section_header, header_crc) == 44);
    CHECK(sizeof(struct sx_region) == 320);
    CHECK(offsetof(struct sx_region, prot) == 24);
    CHECK(offsetof(struct sx_region, kind) == 28);
    CHECK(offsetof(struct sx_region, path) == 64);
    CHECK(sizeof(struct sx_trailer) == 32);
    return check_summary("test_format");
}
