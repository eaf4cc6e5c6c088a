/* A program run in a terminal: it turns the terminal's echo off, then numbers each line it
 * reads, "<n> <line> echo=on|off", so a test can see that after a restart in a new terminal it
 * still reads its input there, with the settings it made.
 *
 *     ttyecho   (stdin and stdout a terminal)   */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
    struct termios t;
    if (tcgetattr(0, &t) != 0) {
        fprintf(stderr, "ttyecho: standard input is not a terminal\n");
        return 2;
    }
    t.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(0, TCSANOW, &t);
    printf("ready\n");
    fflush(stdout);
    char line[512];
    for (long n = 1; fgets(line, sizeof line, stdin); n++) {
        line[strcspn(line, "\n")] = 0;
        struct termios now;
        int echo = tcgetattr(0, &now) == 0 && (now.c_lflag & ECHO);
        printf("%ld %s echo=%s\n", n, line, echo ? "on" : "off");
        fflush(stdout);
    }
    return 0;
}
