/* Holds locks on a file while it counts: a POSIX record lock (fcntl) on its first 10 bytes, and
 * a flock lock on a second file. Prints "<n> locked" every delay, so a test can check from
 * another process that both locks are still held after a restart.
 *
 *     lockholder FILE1 FILE2 [delay-ms]   */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lockholder FILE1 FILE2 [delay-ms]\n");
        return 2;
    }
    long delay_ms = argc > 3 ? atol(argv[3]) : 50;
    int a = open(argv[1], O_RDWR | O_CREAT, 0600);
    int b = open(argv[2], O_RDWR | O_CREAT, 0600);
    if (a < 0 || b < 0) {
        perror("open");
        return 1;
    }
    struct flock fl = {0};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 10;
    if (fcntl(a, F_SETLK, &fl) < 0 || flock(b, LOCK_EX | LOCK_NB) < 0) {
        perror("lock");
        return 1;
    }
    for (long n = 1;; n++) {
        printf("%ld locked\n", n);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
}
