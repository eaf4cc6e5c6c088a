/* deleted DIR: creates a 256 KiB file of a known pattern in DIR, keeps it open and deletes it,
 * then every 100 ms reads it back whole through the descriptor and checks every byte, printing
 * "tick <n> ok". A file deleted while open must come back intact after a restart. Prints
 * "DELETED FILE CORRUPTED ..." and exits 3 if not. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIZE (256 * 1024)

static uint8_t expect(size_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: deleted DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/deleted-while-open.dat", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    static uint8_t buf[SIZE];
    for (size_t i = 0; i < SIZE; i++) buf[i] = expect(i);
    if (write(fd, buf, SIZE) != SIZE || unlink(path) != 0) {
        perror("write/unlink");
        return 1;
    }
    for (long tick = 1;; tick++) {
        memset(buf, 0, SIZE);
        if (pread(fd, buf, SIZE, 0) != SIZE) {
            printf("DELETED FILE CORRUPTED: short read\n");
            return 3;
        }
        for (size_t i = 0; i < SIZE; i++) {
            if (buf[i] != expect(i)) {
                printf("DELETED FILE CORRUPTED at byte %zu\n", i);
                return 3;
            }
        }
        printf("tick %ld ok\n", tick);
        fflush(stdout);
        struct timespec ts = {0, 100 * 1000 * 1000};
        while (nanosleep(&ts, &ts) != 0) {}
    }
}
