/* ssi_pid with virtual pids (pidvirt.h): a struct signalfd_siginfo read from a signalfd carries
 * the sender's real pid (or the child's, for SIGCHLD), which after a restart is not the number
 * the program knows.
 *
 * read() is the hottest call a program makes, so the agent does not look at what every read
 * returns. It notes which descriptors are signalfds in a bitmap: signalfd() and
 * syscall(SYS_signalfd4) note theirs, dup/dup2/dup3 carry the mark to the copy (and clear it
 * on a number they overwrite), and after a restart (or an exec that took the pid table over)
 * /proc/self/fd is read once to note the signalfds the files plugin rebuilt. read(), readv()
 * and __read_chk() then pay one load and one branch (sx_pid_live) until the process has a pid
 * table, and one more bit test after it. Only a read of a marked descriptor looks further.
 *
 * A mark can go stale: close() is not wrapped (libc closes descriptors internally, close_range
 * exists, and a wrapper would put a cost on every close), so a number may be reused for
 * something else. A marked read is therefore checked: a signalfd only ever returns whole
 * 128-byte records, so any other length forgets the mark at once; a read of whole records asks
 * /proc/self/fd/<n> whether it is still a signalfd (one readlink per signalfd read after a
 * restart, a read that was woken by a signal anyway) and forgets the mark when it is not.
 * Descriptors at or above SX_SIGFD_MAX are not followed, nor copies made with
 * fcntl(F_DUPFD), nor signalfds read through libc's own internal reads (stdio). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "agent.h"
#include "pidvirt.h"
#include "sys.h"
#include "text.h"

#define EXPORT __attribute__((visibility("default")))
#define SX_SIGFD_MAX 65536 /* the descriptors the files plugin follows */
#define RECORD 128u        /* sizeof(struct signalfd_siginfo), fixed by the kernel ABI */
#define OFF_SIGNO 0u
#define OFF_CODE 8u
#define OFF_PID 12u

_Static_assert(sizeof(struct signalfd_siginfo) == RECORD, "signalfd_siginfo is 128 bytes");
_Static_assert(__builtin_offsetof(struct signalfd_siginfo, ssi_code) == OFF_CODE, "ssi_code");
_Static_assert(__builtin_offsetof(struct signalfd_siginfo, ssi_pid) == OFF_PID, "ssi_pid");

static uint64_t marks[SX_SIGFD_MAX / 64];

static int marked(int fd)
{
    return (unsigned)fd < SX_SIGFD_MAX && (__atomic_load_n(&marks[(unsigned)fd / 64], __ATOMIC_RELAXED) >> ((unsigned)fd % 64) & 1);
}

static void mark(int fd, int on)
{
    if ((unsigned)fd >= SX_SIGFD_MAX) return;
    uint64_t bit = (uint64_t)1 << ((unsigned)fd % 64);
    if (on) __atomic_fetch_or(&marks[(unsigned)fd / 64], bit, __ATOMIC_RELAXED);
    else __atomic_fetch_and(&marks[(unsigned)fd / 64], ~bit, __ATOMIC_RELAXED);
}

/* Whether fd is a signalfd now, as /proc says; unknown when /proc cannot say. */
static int is_signalfd(int fd, int unknown)
{
    char path[32], link[32];
    struct sx_buf b;
    sx_buf_init(&b, path, sizeof path);
    sx_buf_add(&b, "/proc/self/fd/");
    sx_buf_int(&b, fd);
    long n = SX_SYS4(__NR_readlinkat, -100 /* AT_FDCWD */, path, link, sizeof link - 1);
    if (n == -2 /* ENOENT: closed meanwhile */) return 0;
    if (n < 0) return unknown;
    link[n] = 0;
    return sx_streq(link, "anon_inode:[signalfd]");
}

/* The same test as siginfo.c's: which records carry a process's pid in ssi_pid. */
static int carries_pid(uint32_t signo, int32_t code)
{
    switch (code) {
    case SI_USER: case SI_QUEUE: case SI_TKILL: case SI_MESGQ:
        return 1;
    default:
        return signo == SIGCHLD && code >= CLD_EXITED && code <= CLD_CONTINUED;
    }
}

/* Bytes at a logical offset of what readv() filled, which may straddle its buffers. */
static void iov_copy(const struct iovec *iov, int cnt, size_t off, void *val, size_t len, int store)
{
    uint8_t *v = val;
    for (int i = 0; i < cnt && len; i++) {
        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        uint8_t *p = (uint8_t *)iov[i].iov_base + off;
        size_t k = iov[i].iov_len - off;
        if (k > len) k = len;
        for (size_t j = 0; j < k; j++) {
            if (store) p[j] = v[j];
            else v[j] = p[j];
        }
        v += k;
        len -= k;
        off = 0;
    }
}

/* Out of line: a marked descriptor's read returned n > 0 bytes after a restart. */
static __attribute__((noinline)) void fix_records(int fd, const struct iovec *iov, int cnt, size_t n)
{
    /* when /proc cannot say, a marked descriptor returning whole records is taken for one */
    if (n % RECORD != 0 || !is_signalfd(fd, 1)) {
        mark(fd, 0);
        return;
    }
    for (size_t off = 0; off < n; off += RECORD) {
        uint32_t signo, pid;
        int32_t code;
        iov_copy(iov, cnt, off + OFF_SIGNO, &signo, 4, 0);
        iov_copy(iov, cnt, off + OFF_CODE, &code, 4, 0);
        if (!carries_pid(signo, code)) continue;
        iov_copy(iov, cnt, off + OFF_PID, &pid, 4, 0);
        uint32_t v = (uint32_t)sx_pid_virtual((int)pid);
        if (v != pid) iov_copy(iov, cnt, off + OFF_PID, &v, 4, 1);
    }
}

extern void __chk_fail(void) __attribute__((noreturn));
extern ssize_t __read(int fd, void *buf, size_t n); /* libc's read, a cancellation point as read is */

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    ssize_t r = __read(fd, buf, n);
    if (__builtin_expect(sx_pid_live != 0, 0) && r > 0 && marked(fd)) {
        struct iovec one = {buf, (size_t)r};
        fix_records(fd, &one, 1, (size_t)r);
    }
    return r;
}

/* The fortified read (_FORTIFY_SOURCE, a length not known when compiling): same check as libc. */
EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (n > buflen) __chk_fail();
    return read(fd, buf, n);
}

static ssize_t (*real_readv)(int, const struct iovec *, int);

EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
    ssize_t r = REAL(readv)(fd, iov, cnt);
    if (__builtin_expect(sx_pid_live != 0, 0) && r > 0 && marked(fd)) fix_records(fd, iov, cnt, (size_t)r);
    return r;
}

static long fail_errno(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

long sx_sigfd_created(long r)
{
    if (r >= 0) mark((int)r, 1);
    return r;
}

/* The kernel's call itself (libc's signalfd is only this): the size is the kernel's sigset. */
EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
    return (int)fail_errno(sx_sigfd_created(SX_SYS4(__NR_signalfd4, fd, mask, 8, flags)));
}

/* A copy is a signalfd when the original is; a number overwritten is whatever it now holds. */
static long copied(int from, long r)
{
    if (r >= 0) mark((int)r, marked(from));
    return r;
}

EXPORT int dup(int fd) { return (int)fail_errno(copied(fd, SX_SYS1(__NR_dup, fd))); }
EXPORT int dup2(int fd, int to) { return (int)fail_errno(copied(fd, SX_SYS2(__NR_dup2, fd, to))); }
EXPORT int dup3(int fd, int to, int flags) { return (int)fail_errno(copied(fd, SX_SYS3(__NR_dup3, fd, to, flags))); }

/* After a restart (all user threads stopped) or at an agent start that took a pid table: the
 * marks become what /proc/self/fd shows. Only the checkpoint thread or the agent's start calls
 * this, one at a time (the static buffer). */
void sx_sigfd_rescan(void)
{
    static char buf[4096];
    int dfd = (int)sx_open("/proc/self/fd", 0x10000 /* O_DIRECTORY */ | 02000000 /* O_CLOEXEC */, 0);
    if (dfd < 0) return; /* no /proc: keep the marks the wrappers made */
    for (unsigned i = 0; i < SX_SIGFD_MAX / 64; i++) __atomic_store_n(&marks[i], 0, __ATOMIC_RELAXED);
    for (;;) {
        long got = SX_SYS3(__NR_getdents64, dfd, buf, sizeof buf);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            const char *name = buf + off + 19;
            if (name[0] >= '0' && name[0] <= '9') {
                const char *p = name;
                int fd = (int)sx_parse_u64(&p, 10);
                if (fd != dfd && (unsigned)fd < SX_SIGFD_MAX && is_signalfd(fd, 0)) mark(fd, 1);
            }
            off += reclen;
        }
    }
    sx_close(dfd);
}
