/* Terminals across a restart (tty.h). */
#define _GNU_SOURCE
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "text.h"

/* "/dev/pts/<n>": n, else -1. */
static int pts_number(const char *path)
{
    if (strncmp(path, "/dev/pts/", 9) != 0 || path[9] < '0' || path[9] > '9') return -1;
    int n = 0;
    for (const char *p = path + 9; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        n = n * 10 + (*p - '0');
    }
    return n;
}

void tty_capture(int fd, const char *path, struct tty_state *s)
{
    memset(s, 0, sizeof *s);
    s->pty = -1;
    if (strcmp(path, "/dev/ptmx") == 0 || strcmp(path, "/dev/pts/ptmx") == 0) {
        s->kind = TTY_MASTER;
        unsigned int n;
        if (ioctl(fd, TIOCGPTN, &n) == 0) s->pty = (int)n;
        /* on a master these are its terminal side's */
        s->have_settings = ioctl(fd, TCGETS, &s->settings) == 0;
        s->have_size = ioctl(fd, TIOCGWINSZ, &s->size) == 0;
        return;
    }
    if (ioctl(fd, TCGETS, &s->settings) == 0) {
        s->kind = TTY_TERMINAL;
        s->have_settings = 1;
        s->pty = pts_number(path);
    }
}

void tty_restore_settings(int fd, const struct tty_state *s)
{
    struct termios now;
    if (s->kind != TTY_TERMINAL || !s->have_settings || ioctl(fd, TCGETS, &now) != 0) return;
    ioctl(fd, TCSETS, &s->settings);
}

int tty_reopen(int flags, const struct tty_state *s)
{
    int fd = open("/dev/tty", (flags & (O_ACCMODE | O_NONBLOCK | O_APPEND)) | O_NOCTTY | O_CLOEXEC);
    for (int std = 0; fd < 0 && std <= 2; std++) {
        struct termios t;
        if (ioctl(std, TCGETS, &t) == 0) fd = fcntl(std, F_DUPFD_CLOEXEC, 3);
    }
    if (fd >= 0) tty_restore_settings(fd, s);
    return fd;
}

int tty_controlling_pty(void)
{
    /* field 7 of /proc/self/stat, tty_nr; the name before it may hold spaces and parentheses */
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    for (int field = 2; field < 7; field++) {
        p = strchr(p + 1, ' ');
        if (!p) return -1;
    }
    unsigned long dev = strtoul(p + 1, 0, 10);
    unsigned int maj = major(dev), min = minor(dev);
    /* Unix98 pseudo-terminals: majors 136 to 143, 256 numbers each */
    if (maj < 136 || maj > 143) return -1;
    return (int)((maj - 136) * 256 + min);
}

static int open_pts(int pty, int flags)
{
    char num[24], path[48];
    text_uint(num, (unsigned)pty);
    text_fail(path, sizeof path, "/dev/pts/", num, 0);
    return open(path, flags | O_NOCTTY | O_CLOEXEC);
}

int tty_pty_make(const struct tty_state *master, int fds[2])
{
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    unsigned int n;
    int unlock = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &n) < 0) {
        close(m);
        return -1;
    }
    int t = open_pts((int)n, O_RDWR);
    if (t < 0) {
        close(m);
        return -1;
    }
    if (master->have_settings) ioctl(t, TCSETS, &master->settings);
    if (master->have_size) ioctl(m, TIOCSWINSZ, &master->size);
    fds[0] = m;
    fds[1] = t;
    return 0;
}

uint32_t tty_pty_drain(int master, uint8_t *buf, uint32_t cap)
{
    int fl = fcntl(master, F_GETFL);
    if (fl < 0) return 0;
    fcntl(master, F_SETFL, fl | O_NONBLOCK);
    uint32_t got = 0;
    while (got < cap) {
        ssize_t k = read(master, buf + got, cap - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (uint32_t)k;
    }
    fcntl(master, F_SETFL, fl);
    return got;
}

int tty_pty_refill(int pty, const uint8_t *buf, uint32_t len)
{
    if (!len) return 0;
    int t = open_pts(pty, O_WRONLY);
    if (t < 0) return -1;
    int r = tty_pty_write(t, buf, len);
    close(t);
    return r;
}

int tty_pty_write(int t, const uint8_t *buf, uint32_t len)
{
    struct termios was, raw;
    int have = ioctl(t, TCGETS, &was) == 0;
    if (have) {
        raw = was;
        raw.c_oflag &= ~(tcflag_t)OPOST; /* the bytes were processed when first written */
        ioctl(t, TCSETS, &raw);
    }
    int r = 0;
    for (uint32_t done = 0; done < len;) {
        ssize_t k = write(t, buf + done, len - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            r = -1;
            break;
        }
        done += (uint32_t)k;
    }
    if (have) ioctl(t, TCSETS, &was);
    return r;
}

uint32_t tty_pty_take_input(int pty, uint8_t *buf, uint32_t cap)
{
    int t = open_pts(pty, O_RDONLY | O_NONBLOCK);
    if (t < 0) return 0;
    uint32_t got = 0;
    while (got < cap) {
        ssize_t k = read(t, buf + got, cap - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (uint32_t)k;
    }
    close(t);
    return got;
}

int tty_pty_retype(int master, int terminal, const uint8_t *buf, uint32_t len)
{
    struct termios was, quiet;
    int have = ioctl(terminal, TCGETS, &was) == 0;
    if (have) {
        quiet = was;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL); /* it was echoed when first typed */
        ioctl(terminal, TCSETS, &quiet);
    }
    int r = 0;
    for (uint32_t done = 0; done < len;) {
        ssize_t k = write(master, buf + done, len - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            r = -1;
            break;
        }
        done += (uint32_t)k;
    }
    if (have) ioctl(terminal, TCSETS, &was);
    return r;
}
