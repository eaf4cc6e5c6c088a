/* Termination signals while a restarted process waits for its restart to complete.
 *
 * A restarted process has every signal blocked until RESUME: the restorer blocks them all, the
 * user threads wait inside the checkpoint handler (whose mask is full) and the checkpoint thread
 * keeps them blocked. So a SIGTERM or SIGINT sent while the restart waits for peers (a partial
 * restart, a coordinator that never answers) stayed pending forever and the process could not be
 * stopped short of SIGKILL. While the restart waits, the checkpoint thread reads SIGTERM, SIGINT
 * and SIGHUP from a signalfd; one that arrives ends the process as the signal's default action
 * would (the program's own handler cannot run yet: its process is not back together), unless the
 * program ignores that signal, as it did before the checkpoint. Once the restart completes the
 * descriptor is closed and those signals reach the program as always. */
#include "agent.h"

#include <stdint.h>

#include "restart_signals.h"
#include "sys.h"
#include "text.h"

#define SFD_CLOEXEC_ 02000000
#define SFD_NONBLOCK_ 04000

static int sigfd = -1;

static uint64_t watched(void)
{
    return (1ull << (SIGTERM - 1)) | (1ull << (SIGINT - 1)) | (1ull << (SIGHUP - 1));
}

int sx_restart_signals_open(void)
{
    if (sigfd >= 0) return sigfd;
    uint64_t set = watched();
    /* they are blocked already (see above); block them explicitly in case a mask was restored */
    if (SX_SYS4(__NR_rt_sigprocmask, SIG_BLOCK, &set, 0, 8) < 0) return -1;
    long fd = SX_SYS4(__NR_signalfd4, -1, &set, 8, SFD_CLOEXEC_ | SFD_NONBLOCK_);
    if (fd < 0) {
        sx_log(1, "cannot watch for SIGTERM while the restart waits (signalfd failed)", 0, 0);
        return -1;
    }
    /* above the program's numbers: the files plugin gives the program its descriptors back under
     * their old numbers at RESTART, and one of them may be the lowest free number now */
    sigfd = sx_fd_high((int)fd);
    return sigfd;
}

int sx_restart_signals_fd(void)
{
    return sigfd;
}

void sx_restart_signals_close(void)
{
    if (sigfd < 0) return;
    SX_SYS1(__NR_close, sigfd);
    sigfd = -1;
}

/* After the plugins' RESTART hooks, which give the program its descriptors back under their old
 * numbers (dup3 over whatever is there): a program that had a descriptor at our number now has
 * it back, and it is the program's, never to be read or closed here. */
void sx_restart_signals_check(void)
{
    if (sigfd < 0) return;
    char path[32], link[64];
    struct sx_buf b;
    sx_buf_init(&b, path, sizeof path);
    sx_buf_add(&b, "/proc/self/fd/");
    sx_buf_int(&b, sigfd);
    long n = SX_SYS4(__NR_readlinkat, -100 /* AT_FDCWD */, path, link, sizeof link - 1);
    if (n < 0) return; /* no /proc: keep it */
    link[n] = 0;
    if (!sx_streq(link, "anon_inode:[signalfd]")) sigfd = -1;
}

static const char *signal_name(uint32_t signo)
{
    switch (signo) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "SIGHUP";
    }
}

/* Reads what arrived; ends the process on a signal the program does not ignore. */
void sx_restart_signals_take(void)
{
    if (sigfd < 0) return;
    uint8_t info[128]; /* struct signalfd_siginfo; ssi_signo is its first field */
    for (;;) {
        long n = SX_SYS3(__NR_read, sigfd, info, sizeof info);
        if (n != (long)sizeof info) return; /* EAGAIN: nothing (more) pending */
        uint32_t signo = *(uint32_t *)info;
        struct sx_kernel_sigaction act;
        if (SX_SYS4(__NR_rt_sigaction, signo, 0, &act, 8) == 0 && act.handler == (uint64_t)(uintptr_t)SIG_IGN)
            continue; /* the program ignores it: so does its restarted process */
        sx_log(0, "restart not completed: ", signal_name(signo), " received while waiting for the other processes "
               "of the computation; exiting");
        struct sx_kernel_sigaction dfl = {0, 0, 0, 0};
        uint64_t one = 1ull << (signo - 1);
        SX_SYS4(__NR_rt_sigaction, signo, &dfl, 0, 8);
        SX_SYS4(__NR_rt_sigprocmask, SIG_UNBLOCK, &one, 0, 8);
        SX_SYS3(__NR_tgkill, sx_getpid(), sx_gettid(), signo); /* dies here, as the default action says */
        sx_exit_group(128 + (int)signo);
    }
}
