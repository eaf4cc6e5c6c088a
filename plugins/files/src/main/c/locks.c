/* Record locks across a restart (locks.h). A POSIX lock belongs to the process and the file, so
 * any descriptor of the file takes it back; a flock lock belongs to the open file, so the first
 * descriptor restored for the file takes it. Locks are advisory: taken without waiting, and a
 * conflict (someone else locked the file since) is reported rather than waited for. */
#define _GNU_SOURCE
#include "locks.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procread.h"
#include "text.h"

#define MAX_LOCKS 256

static struct lock {
    int posix; /* else flock */
    int write;
    uint64_t dev, inode;
    int64_t start, end; /* end -1: to the end of the file */
    int taken;
} locks[MAX_LOCKS];
static int nlocks;

/* "1: POSIX  ADVISORY  WRITE 31472 fe:00:2155292 0 EOF" */
static void parse_line(char *line, void *arg)
{
    long self = *(const long *)arg;
    char *f[9];
    int n = 0;
    for (char *p = strtok(line, " "); p && n < 9; p = strtok(0, " ")) f[n++] = p;
    if (n < 8 || nlocks == MAX_LOCKS || strcmp(f[1], "->") == 0) return; /* "->": a waiter */
    int posix = strcmp(f[1], "POSIX") == 0, flock_ = strcmp(f[1], "FLOCK") == 0;
    if ((!posix && !flock_) || strtol(f[4], 0, 10) != self) return;
    char *dev = f[5];
    unsigned long major = strtoul(dev, &dev, 16);
    if (*dev != ':') return;
    unsigned long minor = strtoul(dev + 1, &dev, 16);
    if (*dev != ':') return;
    struct lock *l = &locks[nlocks++];
    l->posix = posix;
    l->write = strcmp(f[3], "WRITE") == 0;
    l->dev = ((uint64_t)major << 8) | minor;
    l->inode = strtoull(dev + 1, 0, 10);
    l->start = strtoll(f[6], 0, 10);
    l->end = strcmp(f[7], "EOF") == 0 ? -1 : strtoll(f[7], 0, 10);
    l->taken = 0;
}

void locks_capture(void)
{
    static char buf[65536];
    nlocks = 0;
    long self = proc_real_pid(); /* the kernel's, as /proc/locks shows it */
    if (proc_read("/proc/locks", buf, sizeof buf) >= 0) proc_each_line(buf, parse_line, &self);
}

int locks_restore(int fd, uint64_t dev, uint64_t inode, const char *path)
{
    int r = 0;
    for (int i = 0; i < nlocks; i++) {
        struct lock *l = &locks[i];
        if (l->taken || l->dev != dev || l->inode != inode) continue;
        int e;
        if (l->posix) {
            struct flock fl = {0};
            fl.l_type = l->write ? F_WRLCK : F_RDLCK;
            fl.l_whence = SEEK_SET;
            fl.l_start = l->start;
            fl.l_len = l->end < 0 ? 0 : l->end - l->start + 1;
            e = fcntl(fd, F_SETLK, &fl);
        } else {
            e = flock(fd, (l->write ? LOCK_EX : LOCK_SH) | LOCK_NB);
        }
        l->taken = 1;
        if (e < 0) {
            text_warn("another process holds a lock on ", path,
                      " now; the restarted program's lock on it could not be taken back");
            r = -1;
        }
    }
    return r;
}
