/* A program that runs a child on a pseudo-terminal the way ssh daemons, expect and terminal
 * multiplexers do: openpty() + fork() with login_tty() in the child, or forkpty(). The child
 * becomes a session leader whose controlling terminal is the pty slave on 0, 1 and 2, turns
 * echo off and counts; at every step it writes
 *     "tick <n> <ttyname(0)> sid=<yes|NO> fg=<yes|NO> ctty=<yes|NO> leader=<yes|NO>"
 * (tcgetsid(0) == getsid(0); its group is the terminal's foreground group; /dev/tty opens;
 * getsid(0) == getpid()). After every fifth tick it waits for a line from the parent and answers
 * "echo <line>". With openpty-inherit the child keeps the master it inherited open (many
 * programs never close it), so both processes hold both sides. The parent reads the master, prints every line of the child as
 * "child <line>" and, on "tick <n>" with n a multiple of 5, types "msg <n>". Ends with
 * "done <child status>".
 *
 *     ptylogin openpty|openpty-inherit|forkpty [ticks] [delay-ms]   */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

static const char *yes(int b) { return b ? "yes" : "NO"; }

static int child(long ticks, long delay_ms)
{
    struct termios tio;
    if (tcgetattr(0, &tio) == 0) {
        tio.c_lflag &= ~(tcflag_t)ECHO; /* the parent's lines are answered, not echoed */
        tcsetattr(0, TCSANOW, &tio);
    }
    char line[256];
    for (long n = 1; n <= ticks; n++) {
        const char *name = ttyname(0);
        int tty = open("/dev/tty", O_RDWR);
        if (tty >= 0) close(tty);
        printf("tick %ld %s sid=%s fg=%s ctty=%s leader=%s\n", n, name ? name : "NONE",
               yes(tcgetsid(0) == getsid(0)), yes(tcgetpgrp(0) == getpgrp()), yes(tty >= 0),
               yes(getsid(0) == getpid()));
        fflush(stdout);
        if (n % 5 == 0) {
            if (!fgets(line, sizeof line, stdin)) return 3;
            line[strcspn(line, "\r\n")] = 0;
            printf("echo %s\n", line);
            fflush(stdout);
        }
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    return 0;
}

/* The next line the child's side wrote, without its "\r\n"; 0 at end of input (EIO once the
 * child and every holder of the terminal side are gone). */
static int read_line(int master, char *out, size_t cap)
{
    static char buf[4096];
    static size_t have;
    for (;;) {
        char *nl = memchr(buf, '\n', have);
        if (nl) {
            size_t len = (size_t)(nl - buf);
            size_t keep = len && buf[len - 1] == '\r' ? len - 1 : len;
            if (keep >= cap) keep = cap - 1;
            memcpy(out, buf, keep);
            out[keep] = 0;
            have -= len + 1;
            memmove(buf, nl + 1, have);
            return 1;
        }
        if (have == sizeof buf) have = 0; /* a line longer than the buffer: dropped */
        ssize_t k = read(master, buf + have, sizeof buf - have);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        have += (size_t)k;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "openpty";
    long ticks = argc > 2 ? atol(argv[2]) : 1000000;
    long delay_ms = argc > 3 ? atol(argv[3]) : 50;
    int master;
    pid_t pid;
    if (strcmp(mode, "forkpty") == 0) {
        pid = forkpty(&master, 0, 0, 0);
        if (pid < 0) {
            perror("forkpty");
            return 1;
        }
        if (pid == 0) _exit(child(ticks, delay_ms));
    } else if (strcmp(mode, "openpty") == 0 || strcmp(mode, "openpty-inherit") == 0) {
        int slave;
        if (openpty(&master, &slave, 0, 0, 0) < 0) {
            perror("openpty");
            return 1;
        }
        pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            if (strcmp(mode, "openpty") == 0) close(master);
            if (login_tty(slave) < 0) _exit(2);
            _exit(child(ticks, delay_ms));
        }
        close(slave);
    } else {
        fprintf(stderr, "usage: ptylogin openpty|openpty-inherit|forkpty [ticks] [delay-ms]\n");
        return 1;
    }
    char line[512];
    while (read_line(master, line, sizeof line)) {
        printf("child %s\n", line);
        fflush(stdout);
        long n;
        if (sscanf(line, "tick %ld", &n) == 1 && n % 5 == 0) dprintf(master, "msg %ld\n", n);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("done %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 0;
}
