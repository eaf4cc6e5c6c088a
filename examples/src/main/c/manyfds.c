/* A program with thousands of open descriptors (default 10000): regular files at known
 * offsets (read-write, read-only, write-only with O_APPEND), dups of them (one offset per open
 * file), pipes holding bytes in flight (some nonblocking), and /dev/null opened both ways; some
 * close-on-exec. It raises its RLIMIT_NOFILE soft limit to the hard one first; a hard limit below
 * the count + 100 prints "skip: ..." and exits 77.
 *
 * Each tick it checks every descriptor: its flags and close-on-exec bit, a file's contents and
 * offset, that a dup moves with its original, a pipe's bytes (read out and written back through
 * its write end), /dev/null reading nothing and taking writes; then prints
 *     "tick <n> fds=<count> ok=<ok> bad=<bad> top=<highest descriptor>"
 * and the first few problems on stderr.
 *
 *     manyfds [count] [delay-ms]   (files in ./manyfds.d) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum kind { FILE_RW, FILE_RO, FILE_WA, DUP, PIPE_R, PIPE_W, DEVNULL };

struct expect {
    int fd, kind, flags, cloexec;
    int index;   /* the file or pipe number */
    int other;   /* a dup: the original's fd; a pipe end: the other end */
    off_t offset;
};

#define FILE_LEN 100

static struct expect *ex;
static int nex;

static void file_text(int i, char *out)
{
    memset(out, '.', FILE_LEN);
    int n = snprintf(out, FILE_LEN, "file %d of manyfds", i);
    out[n] = ' ';
    out[FILE_LEN - 1] = '\n';
}

static int pipe_text(int i, char *out) { return sprintf(out, "pipe %d\n", i); }

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void add(int fd, int kind, int index, int other, off_t offset)
{
    if (fd < 0) die("open");
    struct expect *e = &ex[nex++];
    e->fd = fd;
    e->kind = kind;
    e->index = index;
    e->other = other;
    e->offset = offset;
    e->cloexec = nex % 3 == 0;
    if (e->cloexec && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) die("F_SETFD");
    e->flags = fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK);
}

static void setup(int count)
{
    if (mkdir("manyfds.d", 0755) < 0 && errno != EEXIST) die("mkdir");
    int files = count / 4, dups = count / 5, pipes = count / 8;
    int nulls = count - files - dups - 2 * pipes;
    char text[FILE_LEN], path[64];
    for (int i = 0; i < files; i++) {
        snprintf(path, sizeof path, "manyfds.d/f%d", i);
        int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        file_text(i, text);
        if (w < 0 || write(w, text, FILE_LEN) != FILE_LEN) die("write");
        close(w);
        int kind = i % 3 == 0 ? FILE_RW : i % 3 == 1 ? FILE_RO : FILE_WA;
        int flags = kind == FILE_RW ? O_RDWR : kind == FILE_RO ? O_RDONLY : O_WRONLY | O_APPEND;
        int fd = open(path, flags);
        off_t off = i % 97;
        if (fd >= 0 && lseek(fd, off, SEEK_SET) != off) die("lseek");
        add(fd, kind, i, -1, off);
    }
    for (int i = 0; i < dups; i++) {
        const struct expect *orig = &ex[i % files];
        add(dup(orig->fd), DUP, orig->index, orig->fd, orig->offset);
    }
    for (int i = 0; i < pipes; i++) {
        int p[2];
        if (pipe(p) < 0) die("pipe");
        if (i % 4 == 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) die("O_NONBLOCK");
        char buf[32];
        int len = pipe_text(i, buf);
        if (write(p[1], buf, (size_t)len) != len) die("write pipe");
        add(p[0], PIPE_R, i, p[1], 0);
        add(p[1], PIPE_W, i, p[0], 0);
    }
    for (int i = 0; i < nulls; i++) add(open("/dev/null", i % 2 ? O_WRONLY : O_RDONLY), DEVNULL, i, -1, 0);
}

static int bad_said;

static int bad(const struct expect *e, const char *why)
{
    if (bad_said++ < 5) fprintf(stderr, "manyfds: fd %d (kind %d, #%d): %s\n", e->fd, e->kind, e->index, why);
    return 0;
}

static int check(const struct expect *e)
{
    int fl = fcntl(e->fd, F_GETFL);
    if (fl < 0) return bad(e, "not open");
    if ((fl & (O_ACCMODE | O_APPEND | O_NONBLOCK)) != e->flags) return bad(e, "flags differ");
    int fdfl = fcntl(e->fd, F_GETFD);
    if (fdfl < 0 || !!(fdfl & FD_CLOEXEC) != e->cloexec) return bad(e, "close-on-exec differs");
    char want[FILE_LEN], got[FILE_LEN + 1];
    switch (e->kind) {
    case FILE_RW:
    case FILE_RO:
    case FILE_WA: {
        if (lseek(e->fd, 0, SEEK_CUR) != e->offset) return bad(e, "offset differs");
        struct stat st;
        if (fstat(e->fd, &st) < 0 || st.st_size != FILE_LEN) return bad(e, "size differs");
        if (e->kind == FILE_WA) return 1;
        file_text(e->index, want);
        if (pread(e->fd, got, FILE_LEN, 0) != FILE_LEN || memcmp(got, want, FILE_LEN) != 0) return bad(e, "contents differ");
        return 1;
    }
    case DUP: {
        /* one open file: moving the original moves the dup */
        if (lseek(e->fd, 0, SEEK_CUR) != e->offset) return bad(e, "offset differs");
        off_t moved = e->offset + 1;
        if (lseek(e->other, moved, SEEK_SET) != moved) return bad(e, "cannot move the original");
        int same = lseek(e->fd, 0, SEEK_CUR) == moved;
        lseek(e->other, e->offset, SEEK_SET);
        return same ? 1 : bad(e, "not the same open file as its original");
    }
    case PIPE_R: {
        char text[32];
        int len = pipe_text(e->index, text);
        int avail = -1;
        if (ioctl(e->fd, FIONREAD, &avail) < 0 || avail != len) return bad(e, "bytes in flight lost or added");
        if (read(e->fd, got, (size_t)len) != len || memcmp(got, text, (size_t)len) != 0) return bad(e, "bytes in flight differ");
        /* back through the write end: the pipe still connects the two */
        if (write(e->other, text, (size_t)len) != len) return bad(e, "cannot write the bytes back");
        return 1;
    }
    case PIPE_W:
        return 1; /* checked with its read end */
    case DEVNULL:
        if ((e->flags & O_ACCMODE) == O_RDONLY) return read(e->fd, got, 1) == 0 ? 1 : bad(e, "/dev/null gave bytes");
        return write(e->fd, "x", 1) == 1 ? 1 : bad(e, "/dev/null took no write");
    }
    return bad(e, "unknown kind");
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    long delay_ms = argc > 2 ? atol(argv[2]) : 200;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die("getrlimit");
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)count + 100) {
        printf("skip: RLIMIT_NOFILE hard limit %llu is below %d\n", (unsigned long long)rl.rlim_max, count + 100);
        return 77;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit");
    ex = calloc((size_t)count, sizeof *ex);
    if (!ex) die("calloc");
    setup(count);
    int top = 0;
    for (int i = 0; i < nex; i++)
        if (ex[i].fd > top) top = ex[i].fd;
    for (long n = 1;; n++) {
        int ok = 0;
        bad_said = 0;
        for (int i = 0; i < nex; i++) ok += check(&ex[i]);
        printf("tick %ld fds=%d ok=%d bad=%d top=%d\n", n, nex, ok, nex - ok, top);
        fflush(stdout);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, 0);
    }
}
