/* Children that had exited but were not yet waited for at the checkpoint (zombies).
 *
 * They are no workers (an exited process has no agent), so no image holds them, yet their
 * parent will wait for them: a shell that ran a command during the checkpoint, say. At
 * PRECHECKPOINT the parent notes each one's pid and wait status; after a restart it forks a
 * stand-in that ends the same way at once, under the old pid (pidvirt.c), for the program's
 * wait() to find. */
#include "agent.h"

#include <fcntl.h>

#include "pidvirt.h"
#include "procfs.h"
#include "sys.h"
#include "text.h"

#define MAX_ZOMBIES 256
#define MAX_PIDS_LISTED 65536

static struct {
    int32_t vpid, status;
} zombies[MAX_ZOMBIES];
static int nzombies;

/* Fields of /proc/<pid>/stat after the command name: state (3), ppid (4) ... exit_code (52). */
static int read_stat(int pid, char *state, int *ppid, int *exit_code)
{
    char path[40], buf[1024];
    struct sx_buf b;
    sx_buf_init(&b, path, sizeof path);
    sx_buf_add(&b, "/proc/");
    sx_buf_int(&b, pid);
    sx_buf_add(&b, "/stat");
    int fd = (int)sx_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return -1;
    long n = sx_read(fd, buf, sizeof buf - 1);
    sx_close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    const char *p = buf + n;
    while (p > buf && *p != ')') p--; /* the name may hold spaces and parentheses */
    if (*p != ')' || p[1] != ' ') return -1;
    p += 2;
    *state = *p;
    int field = 3;
    *exit_code = 0;
    while (*p && field < 52) {
        if (*p == ' ') {
            field++;
            const char *q = p + 1;
            if (field == 4) *ppid = (int)sx_parse_u64(&q, 10);
            if (field == 52) *exit_code = (int)sx_parse_u64(&q, 10);
        }
        p++;
    }
    return field == 52 ? 0 : -1;
}

/* Whether any child of ours has ended and is not yet waited for, asked without reaping it
 * (WNOWAIT): most processes have none, and are spared the walk over every process below. */
static int have_zombies(void)
{
    struct {
        int32_t signo, errno_, code, pad;
        int32_t pid;
        int32_t rest[27];
    } info = {0};
    long r = SX_SYS5(__NR_waitid, 0 /* P_ALL */, 0, &info,
                     4 /* WEXITED */ | 1 /* WNOHANG */ | 0x01000000 /* WNOWAIT */ | 0x40000000 /* __WALL */, 0);
    return r == 0 && info.pid != 0;
}

void sx_zombies_capture(void)
{
    static int pids[MAX_PIDS_LISTED];
    nzombies = 0;
    if (!have_zombies()) return;
    int self = (int)sx_getpid();
    /* /proc/<pid>/task/<tid>/children would be cheaper, but kernels without CONFIG_PROC_CHILDREN
     * do not have it: every process is looked at instead */
    int n = sx_proc_numbers("/proc", pids, MAX_PIDS_LISTED);
    for (int i = 0; i < n && nzombies < MAX_ZOMBIES; i++) {
        char state;
        int ppid = 0, code = 0;
        if (read_stat(pids[i], &state, &ppid, &code) < 0 || ppid != self || state != 'Z') continue;
        zombies[nzombies].vpid = sx_pid_virtual(pids[i]);
        zombies[nzombies].status = code;
        nzombies++;
    }
}

void sx_zombies_recreate(void)
{
    for (int i = 0; i < nzombies; i++) {
        int status = zombies[i].status;
        long pid = SX_SYS5(__NR_clone, 17 /* SIGCHLD */, 0, 0, 0, 0);
        if (pid == 0) {
            int sig = status & 0x7f;
            if (sig) {
                struct sx_kernel_sigaction dfl = {0};
                struct sx_rlimit none = {0, 0};
                uint64_t unblock = 1ull << (sig - 1);
                SX_SYS2(__NR_setrlimit, 4 /* RLIMIT_CORE */, &none); /* the original already dumped, or not */
                SX_SYS4(__NR_rt_sigaction, sig, &dfl, 0, 8);
                SX_SYS4(__NR_rt_sigprocmask, 1 /* SIG_UNBLOCK */, &unblock, 0, 8);
                SX_SYS2(__NR_kill, sx_getpid(), sig);
            }
            sx_exit_group((status >> 8) & 0xff);
        }
        if (pid < 0) {
            sx_log(1, "cannot recreate an exited child for its parent to wait for: ", sx_errno_text(pid), 0);
            continue;
        }
        sx_pid_map_add(zombies[i].vpid, (int)pid);
    }
}
