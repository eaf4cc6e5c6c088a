/* rewriter FILE MIB: keeps rewriting the middle of a big file in place, as a database does.
 *
 * The file is made MIB MiB long, every 4 KiB block holding its own number. Then step n writes
 * the value STEP | n into block n % blocks (the middle of the file, never its end) through one
 * descriptor kept open, reads it back through another, and prints n. Nothing is appended, so a
 * restart that only compares sizes cannot see that the abandoned run went on writing: the
 * restarted program would find blocks newer than its memory. At each step it checks the block
 * it writes next still holds what it wrote there last ("MISMATCH at", a bad marker for the
 * tests), so a file that is not the checkpoint's shows.
 *
 * Usage: rewriter FILE MIB [N]. Output: n, one per line, every 100 ms. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096
#define STEP (1ull << 63) /* marks a value written by a step, never equal to a block's first value */

static uint64_t expected_in(uint64_t block, uint64_t n, uint64_t blocks)
{
    /* what step n-1 left in block: the last step m < n with m % blocks == block, else the block's
     * own number from the start */
    if (n <= 1) return block;
    uint64_t last = n - 1;
    uint64_t m = last - ((last % blocks + blocks - block) % blocks);
    return m >= 1 && m <= last ? (STEP | m) : block;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rewriter FILE MIB [N]\n");
        return 2;
    }
    uint64_t blocks = (uint64_t)atol(argv[2]) * (1u << 20) / BLOCK;
    long limit = argc > 3 ? atol(argv[3]) : 0;
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || blocks < 2) {
        perror(argv[1]);
        return 1;
    }
    static uint64_t buf[BLOCK / 8];
    for (uint64_t b = 0; b < blocks; b++) {
        for (size_t i = 0; i < BLOCK / 8; i++) buf[i] = b;
        if (pwrite(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK) {
            perror("WRITE FAILED");
            return 1;
        }
    }
    for (uint64_t n = 1; limit == 0 || n <= (uint64_t)limit; n++) {
        uint64_t b = n % blocks;
        if (pread(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK) {
            perror("READ FAILED");
            return 1;
        }
        uint64_t want = expected_in(b, n, blocks);
        if (buf[0] != want || buf[BLOCK / 8 - 1] != want) {
            printf("MISMATCH at %llu: block %llu holds %#llx, expected %#llx\n", (unsigned long long)n,
                   (unsigned long long)b, (unsigned long long)buf[0], (unsigned long long)want);
            fflush(stdout);
            return 3;
        }
        for (size_t i = 0; i < BLOCK / 8; i++) buf[i] = STEP | n;
        if (pwrite(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK) {
            perror("WRITE FAILED");
            return 1;
        }
        printf("%llu\n", (unsigned long long)n);
        fflush(stdout);
        struct timespec ts = {0, 100 * 1000 * 1000};
        while (nanosleep(&ts, &ts) != 0) {}
    }
    return 0;
}
