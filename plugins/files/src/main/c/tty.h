/* Terminals: a restarted program runs in the terminal of the restart (a new one, after a
 * logout or on another machine), with the settings it had made (raw mode, no echo...).
 *
 * A pseudo-terminal whose master the computation holds itself (a terminal emulator, script,
 * expect, a process manager) is another matter: its pair is made anew at restart by a process
 * that held the master, and the processes that held the terminal side get the new one. */
#ifndef FILES_TTY_H
#define FILES_TTY_H
#include <stdint.h>
#include <sys/ioctl.h>
#include <termios.h>

enum tty_kind { TTY_NONE = 0, TTY_TERMINAL, TTY_MASTER };

struct tty_state {
    int kind;
    int have_settings;
    struct termios settings; /* a master's: those of its terminal side */
    int pty;                 /* the pseudo-terminal's number (a master's, or /dev/pts/<n>), else -1 */
    int have_size;
    struct winsize size;     /* a master's window size */
};

/* Whether the descriptor (whose /proc link is path) is a terminal or a pseudo-terminal master,
 * and the terminal's settings. */
void tty_capture(int fd, const char *path, struct tty_state *s);
/* A standard descriptor that is a terminal now gets the saved settings. */
void tty_restore_settings(int fd, const struct tty_state *s);
/* A terminal descriptor above the standard ones: the restart's terminal (the controlling one,
 * else a standard descriptor that is a terminal), opened with flags; -1 when there is none. */
int tty_reopen(int flags, const struct tty_state *s);

/* The number of this process's controlling terminal when it is a pseudo-terminal, else -1. */
int tty_controlling_pty(void);
/* A new pseudo-terminal pair with a master's saved settings and window size: fds[0] the
 * master, fds[1] the terminal side (neither becomes a controlling terminal). 0, or -1. */
int tty_pty_make(const struct tty_state *master, int fds[2]);
/* Reads what the terminal side wrote and the master has not read yet, without blocking: the
 * number of bytes put in buf (at most cap). */
uint32_t tty_pty_drain(int master, uint8_t *buf, uint32_t cap);
/* Writes bytes on the terminal side (opened by its number) so that the master reads them
 * again exactly, output processing off meanwhile. 0, or -1. */
int tty_pty_refill(int pty, const uint8_t *buf, uint32_t len);
/* The same through a descriptor of the terminal side. */
int tty_pty_write(int terminal, const uint8_t *buf, uint32_t len);
/* Reads what was typed at the master and the terminal side has not read yet (complete lines,
 * in canonical mode), by the terminal's number, without blocking: the bytes put in buf. */
uint32_t tty_pty_take_input(int pty, uint8_t *buf, uint32_t cap);
/* Types bytes at the master again, echo off meanwhile (they were echoed when first typed).
 * terminal is a descriptor of the terminal side, for its settings. 0, or -1. */
int tty_pty_retype(int master, int terminal, const uint8_t *buf, uint32_t len);

#endif
