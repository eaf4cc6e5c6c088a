/* A terminal emulator in miniature: the parent holds a pseudo-terminal master and runs a child
 * in a session of its own whose controlling terminal is the other side, with echo turned off.
 * Each round the parent types "ping <n>" and the child answers on its terminal
 * "pong <n> <ctty|NOCTTY> <fg|bg> <echo|noecho>": whether /dev/tty (its controlling terminal)
 * opens, whether its process group is the terminal's foreground one, and whether echo is still
 * off as it set it. The parent prints "round <n> <the child's answer>", or
 * "round <n> ECHOED" when its own typing comes back. Ends with "done <child status>".
 *
 *     ptyhost [rounds] [delay-ms]   */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int child(const char *terminal)
{
    setsid();
    int t = open(terminal, O_RDWR); /* the first terminal a session leader opens is its own */
    if (t < 0) return 2;
    dup2(t, 0);
    dup2(t, 1);
    dup2(t, 2);
    if (t > 2) close(t);
    struct termios tio;
    tcgetattr(0, &tio);
    tio.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(0, TCSANOW, &tio);
    printf("ready\n"); /* echo is off: the parent may type */
    fflush(stdout);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "quit", 4) == 0) return 0;
        long n = atol(line + 5);
        int tty = open("/dev/tty", O_RDWR);
        if (tty >= 0) close(tty);
        struct termios now;
        tcgetattr(0, &now);
        printf("pong %ld %s %s %s\n", n, tty >= 0 ? "ctty" : "NOCTTY", tcgetpgrp(0) == getpgrp() ? "fg" : "bg",
               (now.c_lflag & ECHO) ? "echo" : "noecho");
        fflush(stdout);
    }
    return 1;
}

/* The next line the child's side wrote, without its "\r\n"; 0 at end of input. */
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
        ssize_t k = read(master, buf + have, sizeof buf - have);
        if (k <= 0) return 0;
        have += (size_t)k;
    }
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
        perror("posix_openpt");
        return 1;
    }
    char terminal[64];
    if (ptsname_r(master, terminal, sizeof terminal) != 0) {
        perror("ptsname");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(master);
        _exit(child(terminal));
    }
    char line[256];
    while (read_line(master, line, sizeof line) && strcmp(line, "ready") != 0) {}
    for (long n = 1; n <= rounds; n++) {
        dprintf(master, "ping %ld\n", n);
        const char *got = "LOST";
        while (read_line(master, line, sizeof line)) {
            if (strncmp(line, "ping", 4) == 0) {
                got = "ECHOED";
                continue;
            }
            if (strncmp(line, "pong", 4) == 0) {
                if (strcmp(got, "ECHOED") != 0) got = line;
                break;
            }
        }
        printf("round %ld %s\n", n, got);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
    dprintf(master, "quit\n");
    int st = 0;
    waitpid(pid, &st, 0);
    printf("done %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 0;
}
