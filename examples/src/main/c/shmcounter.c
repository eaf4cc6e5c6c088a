/* Two processes sharing anonymous MAP_SHARED memory: a counter guarded by a process-shared
 * mutex, and each process's own tally. Invariant: counter == parent's tally + child's tally.
 * The parent prints "<round> <counter> <parent tally> <child tally> ok|BROKEN" every delay;
 * the child's tally growing in the parent's view shows the memory is still shared.
 *
 *     shmcounter [rounds] [delay-ms]   */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    pthread_mutex_t lock;
    long counter;
    long tally[2];
    int stop;
};

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, 0);
}

static void bump(struct shared *s, int who)
{
    pthread_mutex_lock(&s->lock);
    s->counter++;
    s->tally[who]++;
    pthread_mutex_unlock(&s->lock);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    struct shared *s = mmap(0, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->lock, &a);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        while (!s->stop) {
            bump(s, 1);
            nap_ms(delay_ms / 2 + 1);
        }
        return 0;
    }
    for (long n = 1; n <= rounds; n++) {
        bump(s, 0);
        pthread_mutex_lock(&s->lock);
        long c = s->counter, p = s->tally[0], k = s->tally[1];
        pthread_mutex_unlock(&s->lock);
        printf("%ld %ld %ld %ld %s\n", n, c, p, k, c == p + k ? "ok" : "BROKEN");
        fflush(stdout);
        nap_ms(delay_ms);
    }
    s->stop = 1;
    waitpid(child, 0, 0);
    printf("done\n");
    return 0;
}
