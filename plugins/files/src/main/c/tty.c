/* Terminals across a restart (tty.h). */
#define _GNU_SOURCE
#include "tty.h"

#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void tty_capture(int fd, const char *path, struct tty_state *s)
{
    memset(s, 0, sizeof *s);
    if (strcmp(path, "/dev/ptmx") == 0 || strcmp(path, "/dev/pts/ptmx") == 0) {
        s->kind = TTY_MASTER;
        return;
    }
    if (ioctl(fd, TCGETS, &s->settings) == 0) {
        s->kind = TTY_TERMINAL;
        s->have_settings = 1;
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
