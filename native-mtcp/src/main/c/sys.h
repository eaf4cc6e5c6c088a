/* Raw Linux x86-64 system calls.
 *
 * Used wherever libc must not be: the restorer (no libc at all), and the checkpoint path
 * inside the target, which runs while user threads are stopped and may hold libc locks.
 * Every call returns the kernel's result: a negative errno on failure, never touching
 * the thread-local errno. */
#ifndef STASIS_SYS_H
#define STASIS_SYS_H

#include <stdint.h>
#include <stddef.h>
#include <asm/unistd.h>

static inline long sx_syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define SX_SYS0(n) sx_syscall6((n), 0, 0, 0, 0, 0, 0)
#define SX_SYS1(n, a) sx_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define SX_SYS2(n, a, b) sx_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SX_SYS3(n, a, b, c) sx_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SX_SYS4(n, a, b, c, d) sx_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SX_SYS5(n, a, b, c, d, e) sx_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SX_SYS6(n, a, b, c, d, e, f) \
    sx_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static inline long sx_read(int fd, void *buf, size_t n) { return SX_SYS3(__NR_read, fd, buf, n); }
static inline long sx_write(int fd, const void *buf, size_t n) { return SX_SYS3(__NR_write, fd, buf, n); }
static inline long sx_pread(int fd, void *buf, size_t n, uint64_t off)
{
    return SX_SYS4(__NR_pread64, fd, buf, n, off);
}
static inline long sx_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
    return SX_SYS4(__NR_pwrite64, fd, buf, n, off);
}
static inline long sx_open(const char *path, int flags, int mode)
{
    return SX_SYS4(__NR_openat, -100 /* AT_FDCWD */, path, flags, mode);
}
static inline long sx_close(int fd) { return SX_SYS1(__NR_close, fd); }
static inline long sx_mmap(void *addr, size_t len, int prot, int flags, int fd, uint64_t off)
{
    return SX_SYS6(__NR_mmap, addr, len, prot, flags, fd, off);
}
static inline long sx_munmap(void *addr, size_t len) { return SX_SYS2(__NR_munmap, addr, len); }
static inline long sx_mprotect(void *addr, size_t len, int prot) { return SX_SYS3(__NR_mprotect, addr, len, prot); }
static inline long sx_getpid(void) { return SX_SYS0(__NR_getpid); }
static inline long sx_gettid(void) { return SX_SYS0(__NR_gettid); }
static inline long sx_tgkill(int tgid, int tid, int sig) { return SX_SYS3(__NR_tgkill, tgid, tid, sig); }
static inline long sx_exit(int code) { return SX_SYS1(__NR_exit, code); }
static inline __attribute__((noreturn)) void sx_exit_group(int code)
{
    for (;;) SX_SYS1(__NR_exit_group, code);
}
static inline long sx_futex(volatile int *uaddr, int op, int val, const void *timeout)
{
    return SX_SYS6(__NR_futex, uaddr, op, val, timeout, 0, 0);
}
static inline long sx_arch_prctl(int code, unsigned long addr) { return SX_SYS2(__NR_arch_prctl, code, addr); }

/* Where the agent keeps the descriptors it holds while the program runs, above what programs
 * use: a program that closes or reuses a number it did not open (shells do) must not hit ours. */
#define SX_HIGH_FD 820

/* Moves fd to SX_HIGH_FD or above (close-on-exec); returns the new number, or fd if it cannot. */
static inline int sx_fd_high(int fd)
{
    long high = SX_SYS3(__NR_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */, SX_HIGH_FD);
    if (high < 0) return fd;
    SX_SYS1(__NR_close, fd);
    return (int)high;
}

#define SX_FUTEX_WAIT 0
#define SX_FUTEX_WAKE 1
#define SX_PAGE 4096UL

/* Write a whole buffer, retrying short writes and EINTR. Returns 0 or -errno. */
static inline long sx_write_all(int fd, const void *buf, size_t n)
{
    const char *p = (const char *)buf;
    while (n > 0) {
        long r = sx_write(fd, p, n);
        if (r == -4 /* EINTR */) continue;
        if (r < 0) return r;
        if (r == 0) return -5; /* EIO */
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static inline long sx_pwrite_all(int fd, const void *buf, size_t n, uint64_t off)
{
    const char *p = (const char *)buf;
    while (n > 0) {
        long r = sx_pwrite(fd, p, n, off);
        if (r == -4) continue;
        if (r < 0) return r;
        if (r == 0) return -5;
        p += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

#endif
