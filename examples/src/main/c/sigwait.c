/*
 * sigwait: signals, an interval timer and a thread blocked in a system call.
 *
 * Why: a checkpoint interrupts threads wherever they are.  Here one thread is
 * almost always blocked in read() on a pipe, and SIGALRM arrives every 3 s
 * from alarm(), i.e. from a kernel timer that lives outside the process's
 * memory.  A correct restart must: keep the SIGALRM handler installed (with
 * SA_RESTART, so the blocked read() is restarted, never failing with EINTR),
 * re-arm the pending alarm, recreate the pipe with any byte still in it, and
 * resume the reader in its read().
 *
 * Checks (each is an error exit with a message):
 *   - bytes arrive in order: the n-th byte read has the value n mod 256
 *     ("OUT OF ORDER", exit 4; "READ FAILED" if read() fails or sees EOF);
 *   - alarms keep coming: an armed alarm that has not fired within 60 main
 *     loop iterations (6 s of the program's own running time) is lost
 *     ("ALARM LOST", exit 5);
 *   - the reader keeps up: more than 20 bytes written but not read
 *     ("READER STALLED", exit 6).
 *
 * Output: every 100 ms "count <n> alarms=<a>" from the main thread; every
 * 500 ms the main thread writes a byte and the reader prints "got <n>".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;     /* incremented by the handler */
static int pipefd[2];
static atomic_ulong reader_got;          /* bytes read so far */

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    /* nanosleep is never restarted automatically (not even with SA_RESTART):
     * continue with the remaining time. */
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static void *reader(void *arg)
{
    (void)arg;
    unsigned long got = 0;
    for (;;) {
        unsigned char c;
        ssize_t r = read(pipefd[0], &c, 1);
        if (r != 1) {
            printf("READ FAILED: read returned %zd (%s)\n", r, r < 0 ? strerror(errno) : "end of file");
            fflush(stdout);
            exit(4);
        }
        got++;
        if (c != (unsigned char)(got & 0xff)) {
            printf("OUT OF ORDER: byte %lu has value %u, expected %lu\n", got, c, got & 0xff);
            fflush(stdout);
            exit(4);
        }
        atomic_store(&reader_got, got);
        printf("got %lu\n", got);
        fflush(stdout);
    }
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0 || pipe(pipefd) != 0) {
        perror("sigwait: setup");
        return 2;
    }
    pthread_t tid;
    if (pthread_create(&tid, NULL, reader, NULL) != 0) {
        perror("sigwait: pthread_create");
        return 2;
    }

    unsigned long written = 0;
    int seen_alarms = alarms, since_armed = 0;
    alarm(3);
    for (long n = 1;; n++) {
        sleep_ms(100);

        int a = alarms;
        if (a != seen_alarms) {          /* it fired: arm the next one */
            seen_alarms = a;
            since_armed = 0;
            alarm(3);
        } else if (++since_armed > 60) {
            printf("ALARM LOST: armed for %d iterations, alarms=%d\n", since_armed, a);
            fflush(stdout);
            exit(5);
        }

        if (n % 5 == 0) {
            unsigned char c = (unsigned char)(++written & 0xff);
            while (write(pipefd[1], &c, 1) != 1) {
                if (errno != EINTR) {
                    printf("WRITE FAILED: %s\n", strerror(errno));
                    fflush(stdout);
                    exit(4);
                }
            }
            if (written - atomic_load(&reader_got) > 20) {
                printf("READER STALLED: written %lu, read %lu\n", written, atomic_load(&reader_got));
                fflush(stdout);
                exit(6);
            }
        }
        printf("count %ld alarms=%d\n", n, a);
        fflush(stdout);
    }
}
