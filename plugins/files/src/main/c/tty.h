/* Terminals: a restarted program runs in the terminal of the restart (a new one, after a
 * logout or on another machine), with the settings it had made (raw mode, no echo...). */
#ifndef FILES_TTY_H
#define FILES_TTY_H
#include <termios.h>

enum tty_kind { TTY_NONE = 0, TTY_TERMINAL, TTY_MASTER };

struct tty_state {
    int kind;
    int have_settings;
    struct termios settings;
};

/* Whether the descriptor (whose /proc link is path) is a terminal or a pseudo-terminal master,
 * and the terminal's settings. */
void tty_capture(int fd, const char *path, struct tty_state *s);
/* A standard descriptor that is a terminal now gets the saved settings. */
void tty_restore_settings(int fd, const struct tty_state *s);
/* A terminal descriptor above the standard ones: the restart's terminal (the controlling one,
 * else a standard descriptor that is a terminal), opened with flags; -1 when there is none. */
int tty_reopen(int flags, const struct tty_state *s);

#endif
