/* The files plugin's native half: open descriptors across checkpoint and restart.
 *
 * PRECHECKPOINT records every descriptor and drains each pipe this process reads from, so the
 * bytes in flight are part of the image (this plugin's memory is); RESUME puts them back, after
 * a checkpoint, an aborted generation and a restart alike. RESTART makes pipes anew under their
 * old numbers and reopens files and devices at their saved offsets. Standard input, output and
 * error stay those of the restart, like a shell's redirections. Kinds not handled yet (sockets,
 * eventfd, epoll, ...) are named in a warning and left closed.
 *
 * Hooks run on the agent's checkpoint thread while the program's threads are stopped, maybe
 * inside libc holding its locks: only system-call wrappers here (no stdio, no malloc). */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS 1024
#define DRAIN_CAP (8u << 20)
#define SCRATCH_FD 900 /* new objects are made up here first, then moved into place */

enum kind { K_PIPE, K_FILE, K_OTHER };

struct fdrec {
    int fd, kind, flags, fdflags;
    uint64_t inode;
    int64_t offset;
    uint32_t data_off, data_len; /* drained bytes of a pipe read end, in drained[] */
    char path[512];
};

static const struct stasis_plugin files;
static struct fdrec recs[MAX_FDS];
static int nrecs;
static uint8_t drained[DRAIN_CAP];
static uint32_t drained_len;

static void warn(const char *what, const char *path, const char *tail)
{
    const char *parts[] = {"[stasis] files: ", what, path, tail ? tail : "", "\n"};
    char line[768];
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t k = strlen(parts[i]);
        if (n + k > sizeof line) k = sizeof line - n;
        memcpy(line + n, parts[i], k);
        n += k;
    }
    ssize_t w = write(2, line, n);
    (void)w;
}

static void set_error(char *err, size_t errlen, const char *text)
{
    size_t n = strlen(text);
    if (n >= errlen) n = errlen - 1;
    memcpy(err, text, n);
    err[n] = 0;
}

static void fd_link(int fd, char *out, size_t cap)
{
    /* "/proc/self/fd/<fd>" without snprintf */
    const char *pre = "/proc/self/fd/";
    size_t n = strlen(pre);
    memcpy(out, pre, n);
    char digits[12];
    int d = 0;
    unsigned v = (unsigned)fd;
    do digits[d++] = (char)('0' + v % 10); while ((v /= 10) && d < 11);
    while (d && n + 1 < cap) out[n++] = digits[--d];
    out[n] = 0;
}

static long fd_path(int fd, char *out, size_t cap)
{
    char link[32];
    fd_link(fd, link, sizeof link);
    ssize_t n = readlink(link, out, cap - 1);
    out[n > 0 ? n : 0] = 0;
    return n;
}

/* Descriptor numbers of this process, without opendir (which allocates). */
static int list_fds(int *out, int max)
{
    static char buf[32768];
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    int n = 0;
    for (;;) {
        ssize_t got = getdents64(dfd, buf, sizeof buf);
        if (got <= 0) break;
        for (ssize_t off = 0; off < got;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && n < max) {
                int v = 0;
                for (const char *p = e->d_name; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
                if (v != dfd) out[n++] = v;
            }
            off += e->d_reclen;
        }
    }
    close(dfd);
    return n;
}

static const struct fdrec *earlier_read_end(uint64_t inode, int upto)
{
    for (int i = 0; i < upto; i++)
        if (recs[i].kind == K_PIPE && recs[i].inode == inode && (recs[i].flags & O_ACCMODE) == O_RDONLY)
            return &recs[i];
    return 0;
}

/* Reads everything waiting in a pipe without blocking. */
static int drain(struct fdrec *r, char *err, size_t errlen)
{
    r->data_off = drained_len;
    fcntl(r->fd, F_SETFL, r->flags | O_NONBLOCK);
    int full = 0;
    for (;;) {
        if (drained_len == DRAIN_CAP) {
            full = 1;
            break;
        }
        ssize_t got = read(r->fd, drained + drained_len, DRAIN_CAP - drained_len);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        drained_len += (uint32_t)got;
    }
    fcntl(r->fd, F_SETFL, r->flags);
    /* recorded even when full, so that RESUME puts back what was taken */
    r->data_len = drained_len - r->data_off;
    if (full) set_error(err, errlen, "more data waiting in pipes than can be saved (8 MiB)");
    return full ? -1 : 0;
}

static int files_precheckpoint(char *err, size_t errlen)
{
    static int fds[MAX_FDS];
    static char path[512];
    int n = list_fds(fds, MAX_FDS);
    nrecs = 0;
    drained_len = 0;
    for (int i = 0; i < n && nrecs < MAX_FDS; i++) {
        int fd = fds[i];
        if (stasis_agent_fd(fd)) continue;
        if (fd_path(fd, path, sizeof path) <= 0) continue;
        struct fdrec *r = &recs[nrecs];
        memset(r, 0, sizeof *r);
        r->fd = fd;
        r->flags = fcntl(fd, F_GETFL);
        r->fdflags = fcntl(fd, F_GETFD);
        memcpy(r->path, path, sizeof r->path);
        nrecs++;
        if (strncmp(path, "pipe:[", 6) == 0) {
            r->kind = K_PIPE;
            for (const char *p = path + 6; *p >= '0' && *p <= '9'; p++) r->inode = r->inode * 10 + (uint64_t)(*p - '0');
            if ((r->flags & O_ACCMODE) == O_RDONLY && !earlier_read_end(r->inode, nrecs - 1) && drain(r, err, errlen) < 0)
                return -1;
        } else if (path[0] == '/') {
            r->kind = K_FILE;
            r->offset = lseek(fd, 0, SEEK_CUR);
        } else {
            r->kind = K_OTHER;
        }
    }
    return 0;
}

/* Puts drained bytes back through a fresh write end reached via /proc. */
static void refill(const struct fdrec *r)
{
    char link[32];
    fd_link(r->fd, link, sizeof link);
    int w = open(link, O_WRONLY | O_CLOEXEC);
    if (w < 0) {
        warn("lost data waiting in pipe ", r->path, ": cannot refill it");
        return;
    }
    const uint8_t *p = drained + r->data_off;
    uint32_t left = r->data_len;
    while (left > 0) {
        ssize_t k = write(w, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            warn("lost data waiting in pipe ", r->path, 0);
            break;
        }
        p += k;
        left -= (uint32_t)k;
    }
    close(w);
}

/* Also called when a generation is aborted, possibly without a PRECHECKPOINT of its own:
 * each drained byte goes back exactly once. */
static void files_resume(void)
{
    for (int i = 0; i < nrecs; i++) {
        if (recs[i].kind == K_PIPE && recs[i].data_len) refill(&recs[i]);
        recs[i].data_len = 0;
    }
    drained_len = 0;
}

static void place(int from, const struct fdrec *r)
{
    dup3(from, r->fd, (r->fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0);
}

static void restore_pipe(int i)
{
    const struct fdrec *r = &recs[i];
    for (int k = 0; k < i; k++)
        if (recs[k].kind == K_PIPE && recs[k].inode == r->inode) return; /* made with an earlier end */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        warn("cannot recreate ", r->path, 0);
        return;
    }
    int hi[2] = {fcntl(p[0], F_DUPFD_CLOEXEC, SCRATCH_FD), fcntl(p[1], F_DUPFD_CLOEXEC, SCRATCH_FD)};
    close(p[0]);
    close(p[1]);
    for (int k = i; k < nrecs; k++) {
        if (recs[k].kind != K_PIPE || recs[k].inode != r->inode || recs[k].fd <= 2) continue;
        place((recs[k].flags & O_ACCMODE) == O_RDONLY ? hi[0] : hi[1], &recs[k]);
        fcntl(recs[k].fd, F_SETFL, recs[k].flags);
    }
    close(hi[0]);
    close(hi[1]);
}

static void restore_file(const struct fdrec *r)
{
    int fd = open(r->path, r->flags & ~(O_CREAT | O_EXCL | O_TRUNC));
    if (fd < 0) {
        warn("cannot reopen ", r->path, " (left closed)");
        return;
    }
    if (r->offset > 0) lseek(fd, r->offset, SEEK_SET);
    place(fd, r);
    if (fd != r->fd) close(fd);
}

static void files_restart(void)
{
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->kind == K_PIPE) restore_pipe(i);
        else if (r->fd <= 2) continue;
        else if (r->kind == K_FILE) restore_file(r);
        else warn("descriptor kind not restored yet (left closed): ", r->path, 0);
    }
}

static const struct stasis_plugin files = {
    STASIS_SDK_INIT, "files", 0, files_precheckpoint, files_resume, files_restart,
};

__attribute__((constructor)) static void files_init(void) { stasis_register(&files); }
