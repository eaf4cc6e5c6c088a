/* Reading a /proc file whole into a caller's buffer, and going through it line by line, with
 * system calls only (hooks run while the program's threads may hold libc's locks). */
#ifndef FILES_PROCREAD_H
#define FILES_PROCREAD_H
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Reads path into buf (NUL-terminated, cut to cap - 1 bytes); returns its length, or -1. */
static inline long proc_read(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t len = 0;
    ssize_t got;
    while (len < cap - 1 && (got = read(fd, buf + len, cap - 1 - len)) > 0) len += (size_t)got;
    close(fd);
    buf[len] = 0;
    return (long)len;
}

/* Calls fn on each line of text (which it cuts into lines in place). */
static inline void proc_each_line(char *text, void (*fn)(char *line, void *arg), void *arg)
{
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = 0;
        fn(line, arg);
        if (!end) break;
        line = end + 1;
    }
}

/* This process's pid as the kernel knows it, which /proc/locks shows and kcmp takes: read from
 * the /proc/self link, which no translation touches (getpid() and syscall(SYS_getpid) give the
 * program's virtual pid after a restart). -1 when /proc is not there. */
static inline long proc_real_pid(void)
{
    char buf[24];
    ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
    if (n <= 0) return -1;
    long pid = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) pid = pid * 10 + (buf[i] - '0');
    return pid;
}

#endif
