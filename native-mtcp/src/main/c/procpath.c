/* /proc paths with virtual ids (pidvirt.h): "/proc/<pid>/...", "/proc/<pid>/task/<tid>/..."
 * and "/proc/self/task/<tid>/..." name the process or thread by the number the program knows,
 * which after a restart is not the kernel's.
 *
 * The program's path is given to the real call first, as it is: a bad pointer gets the
 * kernel's EFAULT, and a process never restarted pays one test. Only when the kernel has read
 * the path (the call succeeded, or failed looking it up) do we read it too, and when it names
 * a translated id the call is undone (a descriptor closed) and made again with the kernel's
 * numbers. Paths relative to a descriptor of /proc are not translated. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "pidvirt.h"
#include "sys.h"
#include "text.h"

#define EXPORT __attribute__((visibility("default")))
#define PROC_BUF 4096

/* "<number>" at *p followed by '/' or the end, as a positive id; 0 otherwise. */
static int id_at(const char **p)
{
    if (**p < '1' || **p > '9') return 0;
    const char *q = *p;
    uint64_t v = sx_parse_u64(&q, 10);
    if ((*q && *q != '/') || v > 0x7fffffff) return 0;
    *p = q;
    return (int)v;
}

/* path rewritten into buf with the kernel's ids, or path itself when nothing changes. */
static const char *proc_path(const char *path, char *buf, size_t cap)
{
    if (!sx_startswith(path, "/proc/")) return path;
    const char *p = path + 6;
    int pid = 0;
    if (sx_startswith(p, "self") && (p[4] == '/' || !p[4])) p += 4;
    else if (!(pid = id_at(&p))) return path;
    int tid = 0;
    const char *rest = p;
    if (sx_startswith(p, "/task/")) {
        const char *q = p + 6;
        if ((tid = id_at(&q))) rest = q;
    }
    int rpid = pid ? sx_pid_real(pid) : 0, rtid = tid ? sx_pid_real(tid) : 0;
    if (rpid == pid && rtid == tid) return path;
    struct sx_buf b;
    sx_buf_init(&b, buf, cap);
    sx_buf_add(&b, "/proc/");
    if (pid) sx_buf_int(&b, rpid);
    else sx_buf_add(&b, "self");
    if (tid) {
        sx_buf_add(&b, "/task/");
        sx_buf_int(&b, rtid);
    }
    sx_buf_add(&b, rest);
    return b.len + 1 < cap ? buf : path;
}

/* After the call with the program's path: the path to call again with, or 0 to keep the
 * result (errno untouched). The path is read only when the kernel has read it. */
static const char *again(const char *path, int ok, char *buf, size_t cap)
{
    if (!ok) {
        int e = errno;
        if (e != ENOENT && e != ENOTDIR && e != EACCES && e != ESRCH && e != EPERM && e != ELOOP) return 0;
    }
    if (!path) return 0;
    const char *t = proc_path(path, buf, cap);
    return t == path ? 0 : t;
}

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static FILE *(*real_fopen)(const char *, const char *);
static DIR *(*real_opendir)(const char *);
static ssize_t (*real_readlink)(const char *, char *, size_t);
static ssize_t (*real_readlinkat)(int, const char *, char *, size_t);
static int (*real_access)(const char *, int);
static int (*real_faccessat)(int, const char *, int, int);
static int (*real_stat)(const char *, struct stat *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_fstatat)(int, const char *, struct stat *, int);
static int (*real_statx)(int, const char *, int, unsigned, struct statx *);

__attribute__((constructor(101))) static void resolve_real(void)
{
    /* a first call may come from a signal handler, where dlsym is unsafe */
    REAL(open);
    REAL(openat);
    REAL(__open_2);
    REAL(__openat_2);
    REAL(fopen);
    REAL(opendir);
    REAL(readlink);
    REAL(readlinkat);
    REAL(access);
    REAL(faccessat);
    REAL(stat);
    REAL(lstat);
    REAL(fstatat);
    REAL(statx);
}

/* A call returning an int or ssize_t that creates nothing: made again as it is. */
#define PATH_CALL(type, path, call_with)                                                       \
    do {                                                                                       \
        type r_ = call_with(path);                                                             \
        if (!sx_pid_live) return r_;                                                           \
        char buf_[PROC_BUF];                                                                   \
        const char *t_ = again(path, r_ >= 0, buf_, sizeof buf_);                              \
        return t_ ? call_with(t_) : r_;                                                        \
    } while (0)

/* A call that makes a descriptor: closed before it is made again. */
#define FD_CALL(path, call_with)                                                               \
    do {                                                                                       \
        int fd_ = call_with(path);                                                             \
        if (!sx_pid_live) return fd_;                                                          \
        char buf_[PROC_BUF];                                                                   \
        const char *t_ = again(path, fd_ >= 0, buf_, sizeof buf_);                             \
        if (!t_) return fd_;                                                                   \
        if (fd_ >= 0) sx_close(fd_);                                                           \
        return call_with(t_);                                                                  \
    } while (0)

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
#define WITH(p) REAL(open)(p, flags, mode)
    FD_CALL(path, WITH);
#undef WITH
}
EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
#define WITH(p) REAL(openat)(dirfd, p, flags, mode)
    FD_CALL(path, WITH);
#undef WITH
}
EXPORT int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

/* what _FORTIFY_SOURCE builds call for open(path, flags) with flags not known at compile time */
EXPORT int __open_2(const char *path, int flags)
{
#define WITH(p) REAL(__open_2)(p, flags)
    FD_CALL(path, WITH);
#undef WITH
}
EXPORT int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));
EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
#define WITH(p) REAL(__openat_2)(dirfd, p, flags)
    FD_CALL(path, WITH);
#undef WITH
}
EXPORT int __openat64_2(int dirfd, const char *path, int flags) __attribute__((alias("__openat_2")));

EXPORT FILE *fopen(const char *path, const char *mode)
{
    FILE *f = REAL(fopen)(path, mode);
    if (!sx_pid_live) return f;
    char buf[PROC_BUF];
    const char *t = again(path, f != 0, buf, sizeof buf);
    if (!t) return f;
    if (f) fclose(f);
    return REAL(fopen)(t, mode);
}
EXPORT FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));

EXPORT DIR *opendir(const char *path)
{
    DIR *d = REAL(opendir)(path);
    if (!sx_pid_live) return d;
    char buf[PROC_BUF];
    const char *t = again(path, d != 0, buf, sizeof buf);
    if (!t) return d;
    if (d) closedir(d);
    return REAL(opendir)(t);
}

EXPORT ssize_t readlink(const char *path, char *out, size_t cap)
{
#define WITH(p) REAL(readlink)(p, out, cap)
    PATH_CALL(ssize_t, path, WITH);
#undef WITH
}

EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t cap)
{
#define WITH(p) REAL(readlinkat)(dirfd, p, out, cap)
    PATH_CALL(ssize_t, path, WITH);
#undef WITH
}

EXPORT int access(const char *path, int mode)
{
#define WITH(p) REAL(access)(p, mode)
    PATH_CALL(int, path, WITH);
#undef WITH
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
#define WITH(p) REAL(faccessat)(dirfd, p, mode, flags)
    PATH_CALL(int, path, WITH);
#undef WITH
}

EXPORT int stat(const char *path, struct stat *st)
{
#define WITH(p) REAL(stat)(p, st)
    PATH_CALL(int, path, WITH);
#undef WITH
}
EXPORT int stat64(const char *path, struct stat64 *st) __attribute__((alias("stat")));

EXPORT int lstat(const char *path, struct stat *st)
{
#define WITH(p) REAL(lstat)(p, st)
    PATH_CALL(int, path, WITH);
#undef WITH
}
EXPORT int lstat64(const char *path, struct stat64 *st) __attribute__((alias("lstat")));

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
#define WITH(p) REAL(fstatat)(dirfd, p, st, flags)
    PATH_CALL(int, path, WITH);
#undef WITH
}
EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags) __attribute__((alias("fstatat")));

EXPORT int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *out)
{
#define WITH(p) REAL(statx)(dirfd, p, flags, mask, out)
    PATH_CALL(int, path, WITH);
#undef WITH
}
