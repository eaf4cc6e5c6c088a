/* Built-in descriptor support: pipes (with the data in flight), regular files and devices.
 *
 * At PRECHECKPOINT every pipe whose read end this process holds is drained into memory, so
 * its bytes are part of the image; RESUME refills them, after a checkpoint and after a
 * restart alike. At RESTART, pipes are made anew under the same descriptor numbers, and
 * files and devices are reopened at their saved offsets. Standard input, output and error stay those of the restart, like a
 * shell's redirections. Sockets and other kinds are not restored yet (the files and sockets
 * plugins take this over): the restart says so for each one. */
#include <fcntl.h>
#include <string.h>

#include "agent.h"
#include "plugin_host.h"
#include "procfs.h"
#include "sys.h"
#include "text.h"

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

static struct fdrec recs[MAX_FDS];
static int nrecs;
static uint8_t drained[DRAIN_CAP];
static uint32_t drained_len;

static long fd_path(int fd, char *out, size_t cap)
{
    char link[64];
    struct sx_buf b;
    sx_buf_init(&b, link, sizeof link);
    sx_buf_add(&b, "/proc/self/fd/");
    sx_buf_int(&b, fd);
    long n = SX_SYS3(__NR_readlink, link, out, cap - 1);
    out[n > 0 ? n : 0] = 0;
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
    SX_SYS3(__NR_fcntl, r->fd, F_SETFL, r->flags | O_NONBLOCK);
    for (;;) {
        if (drained_len == DRAIN_CAP) {
            SX_SYS3(__NR_fcntl, r->fd, F_SETFL, r->flags);
            sx_copy_str(err, errlen, "more data waiting in pipes than can be saved (8 MiB)");
            return -1;
        }
        long got = sx_read(r->fd, drained + drained_len, DRAIN_CAP - drained_len);
        if (got == -4) continue;
        if (got <= 0) break;
        drained_len += (uint32_t)got;
    }
    SX_SYS3(__NR_fcntl, r->fd, F_SETFL, r->flags);
    r->data_len = drained_len - r->data_off;
    return 0;
}

static int fds_precheckpoint(char *err, size_t errlen)
{
    static int fds[MAX_FDS];
    static char path[512];
    int n = sx_proc_numbers("/proc/self/fd", fds, MAX_FDS);
    nrecs = 0;
    drained_len = 0;
    for (int i = 0; i < n && nrecs < MAX_FDS; i++) {
        int fd = fds[i];
        if (fd == sx_agent.coord_fd) continue;
        if (fd_path(fd, path, sizeof path) <= 0) continue;
        struct fdrec *r = &recs[nrecs];
        memset(r, 0, sizeof *r);
        r->fd = fd;
        r->flags = (int)SX_SYS2(__NR_fcntl, fd, F_GETFL);
        r->fdflags = (int)SX_SYS2(__NR_fcntl, fd, F_GETFD);
        sx_copy_str(r->path, sizeof r->path, path);
        if (sx_startswith(path, "pipe:[")) {
            const char *p = path + 6;
            r->kind = K_PIPE;
            r->inode = sx_parse_u64(&p, 10);
            if ((r->flags & O_ACCMODE) == O_RDONLY && !earlier_read_end(r->inode, nrecs) && drain(r, err, errlen) < 0)
                return -1;
        } else if (path[0] == '/') {
            r->kind = K_FILE;
            r->offset = SX_SYS3(__NR_lseek, fd, 0, 1 /* SEEK_CUR */);
        } else {
            r->kind = K_OTHER;
        }
        nrecs++;
    }
    return 0;
}

/* Puts drained bytes back through a fresh write end reached via /proc. */
static void refill(const struct fdrec *r, int write_fd)
{
    if (!r->data_len) return;
    int own = write_fd < 0;
    if (own) {
        char link[64];
        struct sx_buf b;
        sx_buf_init(&b, link, sizeof link);
        sx_buf_add(&b, "/proc/self/fd/");
        sx_buf_int(&b, r->fd);
        write_fd = (int)sx_open(link, O_WRONLY | O_CLOEXEC, 0);
        if (write_fd < 0) {
            sx_log(1, "lost data waiting in pipe ", r->path, ": cannot refill it");
            return;
        }
    }
    if (sx_write_all(write_fd, drained + r->data_off, r->data_len) < 0)
        sx_log(1, "lost data waiting in pipe ", r->path, 0);
    if (own) sx_close(write_fd);
}

/* Also called when a generation is aborted, possibly without a PRECHECKPOINT of its own:
 * each drained byte goes back exactly once. */
static void fds_resume(void)
{
    for (int i = 0; i < nrecs; i++) {
        if (recs[i].kind == K_PIPE && recs[i].data_len) refill(&recs[i], -1);
        recs[i].data_len = 0;
    }
    drained_len = 0;
}

static void place(int from, const struct fdrec *r)
{
    SX_SYS3(__NR_dup3, from, r->fd, (r->fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0);
}

static void restore_pipe(int i)
{
    const struct fdrec *r = &recs[i];
    for (int k = 0; k < i; k++)
        if (recs[k].kind == K_PIPE && recs[k].inode == r->inode) return; /* made with an earlier end */
    int p[2];
    if (SX_SYS2(__NR_pipe2, p, O_CLOEXEC) < 0) {
        sx_log(1, "cannot recreate ", r->path, 0);
        return;
    }
    int hi[2] = {(int)SX_SYS3(__NR_fcntl, p[0], F_DUPFD_CLOEXEC, SCRATCH_FD),
                 (int)SX_SYS3(__NR_fcntl, p[1], F_DUPFD_CLOEXEC, SCRATCH_FD)};
    sx_close(p[0]);
    sx_close(p[1]);
    for (int k = i; k < nrecs; k++) {
        if (recs[k].kind != K_PIPE || recs[k].inode != r->inode || recs[k].fd <= 2) continue;
        place((recs[k].flags & O_ACCMODE) == O_RDONLY ? hi[0] : hi[1], &recs[k]);
        SX_SYS3(__NR_fcntl, recs[k].fd, F_SETFL, recs[k].flags);
    }
    sx_close(hi[0]);
    sx_close(hi[1]);
}

static void restore_file(const struct fdrec *r)
{
    int fd = (int)sx_open(r->path, r->flags & ~(O_CREAT | O_EXCL | O_TRUNC), 0);
    if (fd < 0) {
        sx_log(1, "cannot reopen ", r->path, sx_errno_text(fd)[0] ? " (left closed)" : 0);
        return;
    }
    if (r->offset > 0) SX_SYS3(__NR_lseek, fd, r->offset, 0);
    place(fd, r);
    if (fd != r->fd) sx_close(fd);
}

static void fds_restart(void)
{
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->kind == K_PIPE) restore_pipe(i);
        else if (r->fd <= 2) continue;
        else if (r->kind == K_FILE) restore_file(r);
        else sx_log(1, "descriptor kind not restored yet (left closed): ", r->path, 0);
    }
}

static const struct sx_hooks fd_hooks = {
    .name = "descriptors",
    .precheckpoint = fds_precheckpoint,
    .resume = fds_resume,
    .restart = fds_restart,
};

__attribute__((constructor)) static void fds_register(void) { sx_hooks_register(&fd_hooks); }
