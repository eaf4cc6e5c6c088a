/* Two processes sharing a SysV shared memory segment, guarded by a SysV semaphore: a counter
 * and each process's own tally. Invariant: counter == parent's tally + child's tally. The
 * parent prints "<round> <counter> <parent tally> <child tally> ok|BROKEN shm=<id> sem=<id>"
 * every delay (the ids as the program knows them, which must not change across a restart).
 * Both objects are removed when the program ends.
 *
 *     sysvcounter [rounds] [delay-ms]   */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    long counter;
    long tally[2];
    int stop;
};

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, 0);
}

static void sem_add(int sem, int delta)
{
    struct sembuf op = {0, (short)delta, SEM_UNDO};
    while (semop(sem, &op, 1) < 0) {
        perror("semop");
        nap_ms(100);
    }
}

static void bump(int sem, struct shared *s, int who)
{
    sem_add(sem, -1);
    s->counter++;
    s->tally[who]++;
    sem_add(sem, 1);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 20;
    int shm = shmget(IPC_PRIVATE, sizeof(struct shared), IPC_CREAT | 0600);
    int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (shm < 0 || sem < 0) {
        perror("shmget/semget");
        return 1;
    }
    struct shared *s = shmat(shm, 0, 0);
    if (s == (void *)-1) {
        perror("shmat");
        return 1;
    }
    union {
        int val;
    } one = {1};
    semctl(sem, 0, SETVAL, one);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        while (!s->stop) {
            bump(sem, s, 1);
            nap_ms(delay_ms / 2 + 1);
        }
        shmdt(s);
        return 0;
    }
    for (long n = 1; n <= rounds; n++) {
        bump(sem, s, 0);
        sem_add(sem, -1);
        long c = s->counter, p = s->tally[0], k = s->tally[1];
        sem_add(sem, 1);
        printf("%ld %ld %ld %ld %s shm=%d sem=%d\n", n, c, p, k, c == p + k ? "ok" : "BROKEN", shm, sem);
        fflush(stdout);
        nap_ms(delay_ms);
    }
    s->stop = 1;
    waitpid(child, 0, 0);
    shmdt(s);
    shmctl(shm, IPC_RMID, 0);
    semctl(sem, 0, IPC_RMID);
    printf("done\n");
    return 0;
}
