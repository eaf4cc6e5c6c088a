/*
 * threads: 8 pthreads passing a token around a ring, each doing a "bank
 * transfer" while it holds the token; the main thread checks the invariants.
 *
 * Why: a checkpoint must stop and restore every thread, including threads
 * blocked in pthread_cond_wait() (a futex wait in the kernel) and a thread
 * sleeping while it holds the token.  If a thread is lost, restored with the
 * wrong registers, or a futex wake-up is lost, the ring stops or the money
 * does not add up, and this program says so.
 *
 * Invariants, checked continuously:
 *   - the total balance of the 8 accounts never changes (checked by every
 *     worker after each transfer and by the main thread every 100 ms);
 *   - the token ring is fair: per-thread transfer counts differ by <= 1;
 *   - every thread makes progress: a thread whose count did not move during
 *     STALL_LIMIT main-loop iterations (5 s of the program's own running time,
 *     so time spent killed/restarting does not count) is an error.
 *
 * Output: "round <n> total=<t>" every ~100 ms from the main thread; on a
 * violation "INVARIANT BROKEN: <why>" and exit status 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NTHREADS    8
#define INITIAL     1000L           /* starting balance of each account */
#define TOTAL       (NTHREADS * INITIAL)
#define STALL_LIMIT 50              /* main-loop iterations (100 ms each) */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv[NTHREADS];   /* one per thread: wake only the next */
static int turn;                           /* who holds the token */
static long balance[NTHREADS];
static unsigned long progress[NTHREADS];   /* transfers done by each thread */
static char broken[160];                   /* first violation found, under mu */

static void sleep_ns(long ns)
{
    struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* caller holds mu */
static long total_locked(void)
{
    long t = 0;
    for (int i = 0; i < NTHREADS; i++)
        t += balance[i];
    return t;
}

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(me + 1);

    pthread_mutex_lock(&mu);
    for (;;) {
        while (turn != me)
            pthread_cond_wait(&turn_cv[me], &mu);

        /* The transfer: move a random part of my balance to another account. */
        int to = (int)(xorshift64(&rng) % (NTHREADS - 1));
        if (to >= me)
            to++;
        long amount = balance[me] > 0 ? (long)(xorshift64(&rng) % (uint64_t)(balance[me] + 1)) : 0;
        balance[me] -= amount;
        balance[to] += amount;
        progress[me]++;
        long t = total_locked();
        if (t != TOTAL && !broken[0])
            snprintf(broken, sizeof broken, "thread %d saw total %ld, expected %ld", me, t, TOTAL);

        /* "Work" while holding the token but not the lock: the token is not
         * passed until we are done, so the ring pauses here.  It also keeps
         * the CPU use of this demo modest. */
        pthread_mutex_unlock(&mu);
        sleep_ns(500 * 1000L);
        pthread_mutex_lock(&mu);

        turn = (me + 1) % NTHREADS;
        pthread_cond_signal(&turn_cv[turn]);
    }
    return NULL;
}

int main(void)
{
    pthread_t tids[NTHREADS];
    unsigned long last[NTHREADS] = { 0 };
    int stalled[NTHREADS] = { 0 };

    for (int i = 0; i < NTHREADS; i++) {
        balance[i] = INITIAL;
        pthread_cond_init(&turn_cv[i], NULL);
    }
    for (int i = 0; i < NTHREADS; i++) {
        int rc = pthread_create(&tids[i], NULL, worker, (void *)(intptr_t)i);
        if (rc != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(rc));
            return 2;
        }
    }

    for (long n = 1;; n++) {
        sleep_ns(100 * 1000000L);

        pthread_mutex_lock(&mu);
        long t = total_locked();
        unsigned long lo = progress[0], hi = progress[0];
        for (int i = 0; i < NTHREADS; i++) {
            if (progress[i] < lo) lo = progress[i];
            if (progress[i] > hi) hi = progress[i];
            stalled[i] = progress[i] == last[i] ? stalled[i] + 1 : 0;
            last[i] = progress[i];
            if (stalled[i] > STALL_LIMIT && !broken[0])
                snprintf(broken, sizeof broken, "thread %d made no progress for %d rounds", i, stalled[i]);
        }
        if (t != TOTAL && !broken[0])
            snprintf(broken, sizeof broken, "total %ld, expected %ld", t, TOTAL);
        if (hi - lo > 1 && !broken[0])
            snprintf(broken, sizeof broken, "unfair ring: progress between %lu and %lu", lo, hi);
        char why[sizeof broken];
        memcpy(why, broken, sizeof why);
        pthread_mutex_unlock(&mu);

        printf("round %ld total=%ld\n", n, t);
        if (why[0]) {
            printf("INVARIANT BROKEN: %s\n", why);
            fflush(stdout);
            exit(1);
        }
        fflush(stdout);
    }
}
