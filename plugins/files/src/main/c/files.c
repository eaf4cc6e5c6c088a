/* The files plugin's native half: open descriptors across checkpoint and restart.
 *
 * PRECHECKPOINT records every descriptor; for each pipe (and FIFO) the processes of the
 * computation elect one that drains it, so the bytes in flight are part of its image (this
 * plugin's memory is), and puts them straight back (see files_precheckpoint). RESTART: the
 * elected process makes each pipe anew and hands its ends to the others that held it
 * (stasis_handover_*); files and devices are reopened at their saved offsets; eventfd, timerfd, signalfd
 * and epoll are rebuilt (anon.c); terminals are the restart's, with the saved settings (tty.c),
 * except a pseudo-terminal whose master the computation holds: made anew like a pipe;
 * SysV semaphores and segments come back under their old ids (sysv.c); then the pipes are
 * refilled. The standard input, output and error the computation was given by its launch
 * become those of the restart, wherever the computation keeps them (stasis_launch_std); any
 * other descriptor on 0, 1 or 2 (a shell's "> out.txt" or "< in.txt", a pipeline, freopen) is
 * the computation's own and comes back like any other. Sockets are the sockets plugin's (its
 * RESTART runs before this one, so an epoll finds them back); without it they are named in a
 * warning and left closed, like kinds not handled yet.
 *
 * Files at restart (docs/architecture.md, "Open files at restart"):
 *  - a file open for writing is cut back to its size at the checkpoint if it grew (what was
 *    written after the checkpoint belongs to the run that was abandoned; the restarted program
 *    writes it again); one that is now shorter was changed by someone else: the restart is
 *    refused;
 *  - a file open only for reading is reopened as it is, with a warning if its size changed;
 *  - a file that is gone or cannot be opened any more refuses the restart, naming the file and
 *    the process: never a silently different file;
 *  - a file deleted while open is saved in this plugin's image section and comes back at
 *    restart as an unlinked file with the same contents and offset;
 *  - a file open for writing may be changed in place by the abandoned run: small ones are saved
 *    in the section and put back where they differ, larger ones are fingerprinted and a restart
 *    that finds them changed is refused (inplace.c);
 *  - a saved file of 1 MiB or more on the checkpoint directory's file system, when that one
 *    offers copy-on-write clones (xfs with reflink, btrfs), is saved as a clone beside the image
 *    instead of in it (reflink.c); the section then records the clone.
 *
 * Hooks run on the agent's checkpoint thread while the program's threads are stopped, maybe
 * inside libc holding its locks: only system-call wrappers here (no stdio, no malloc). */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include "anon.h"
#include "inplace.h"
#include "inotify.h"
#include "locks.h"
#include "procread.h"
#include "reflink.h"
#include "sysv.h"
#include "tty.h"
#include "text.h"

#include <dirent.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Descriptors of one process that can be saved. The records are static (hooks may not
 * allocate); pages of them never written stay untouched zero memory, which the image writer
 * does not store, so the room costs an image nothing. More fails the checkpoint, naming the
 * process: descriptors are never dropped silently. */
#define MAX_FDS 65536
#define DRAIN_CAP (8u << 20)

enum kind { K_PIPE, K_FIFO, K_FILE, K_ANON, K_TTY, K_INOTIFY, K_SOCKET, K_OTHER };

struct fdrec {
    int fd, kind, flags, fdflags;
    uint64_t inode;
    uint64_t dev;    /* regular files: the device, as /proc/locks shows it (major << 8 | minor) */
    int64_t offset;
    int64_t size;    /* regular files: size at the checkpoint */
    uint32_t mode;   /* st_mode at the checkpoint */
    int std_of;      /* 0, 1 or 2: the launch's standard descriptor of that number (the restart's at restart); -1 */
    int deleted;     /* unlinked while open: contents saved in the section */
    int saved;       /* contents saved in the section (deleted, written and small, or --ckpt-open-files) */
    int clone;       /* saved as a copy-on-write clone beside the image: 1 + its index in clones[]; 0 */
    struct anon_state anon; /* eventfd, timerfd, signalfd, epoll */
    struct tty_state tty;   /* terminals */
    uint32_t data_off, data_len; /* drained bytes of a pipe read end (a pty master's output), in drained[] */
    uint32_t in_off, in_len;     /* a pty master: typed input its terminal side had not read, in drained[] */
    /* Pipes and FIFOs: the process that drains this one and, for a pipe, makes it anew at
     * restart and hands it to the others (empty in images from before process trees: this
     * process then makes it alone); shared says another process of the computation holds it. */
    char maker[96];
    int shared;
    /* Regular files: dup_of is 1 + the index of an earlier record of this process with the same
     * open file (a dup: one offset), or 0; from_maker says the open file is shared with the
     * process named in maker (a fork), which reopens it and hands it over at restart. */
    int dup_of;
    int from_maker;
    char path[512];
};

static const struct stasis_plugin files;
static struct fdrec recs[MAX_FDS];
static int nrecs;
static uint8_t drained[DRAIN_CAP];
static uint32_t drained_len;


static void fd_link(int fd, char *out, size_t cap)
{
    char num[24];
    text_uint(num, (unsigned)fd);
    text_fail(out, cap, "/proc/self/fd/", num, 0);
}

static long fd_path(int fd, char *out, size_t cap)
{
    char link[32];
    fd_link(fd, link, sizeof link);
    ssize_t n = readlink(link, out, cap - 1);
    out[n > 0 ? n : 0] = 0;
    return n;
}

/* Which of the launch's standard descriptors fd is, or -1. A character device other than a
 * terminal counts only on 0, 1 or 2: a /dev/null the program opens itself is reopened by its
 * path, even when the launch's input was /dev/null too. */
static int launch_std_of(int fd, const struct stat *st)
{
    if (fd > 2 && S_ISCHR(st->st_mode) && !isatty(fd)) return -1;
    return stasis_launch_std((uint64_t)st->st_dev, (uint64_t)st->st_ino);
}

/* Descriptor numbers of this process, without opendir (which allocates): at most max of them
 * in out; returns how many there are (more than max when they did not fit). */
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
            if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
                int v = 0;
                for (const char *p = e->d_name; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
                if (v != dfd && n < max) out[n] = v;
                if (v != dfd) n++;
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
        if ((recs[i].kind == K_PIPE || recs[i].kind == K_FIFO) && recs[i].inode == inode &&
            (recs[i].flags & O_ACCMODE) == O_RDONLY)
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
    if (full) text_fail(err, errlen, "more data waiting in pipes than can be saved (8 MiB)", 0, 0);
    return full ? -1 : 0;
}

/* ---- files deleted while open: their contents travel in the image section ---- */

#define SECTION_MAGIC 0x44454c46u /* "FLED" */

struct saved_head {
    uint32_t magic, count;
};
struct saved_file {
    int32_t fd;
    uint32_t how; /* SAVED_BYTES: len bytes of contents follow; SAVED_CLONE: a struct reflink_ref (len is its size) */
    uint64_t len;
};
enum { SAVED_BYTES = 0, SAVED_CLONE = 1 };

/* This generation's clones, in the order of the saved records that use them. */
#define CLONES_MAX 4096
static struct reflink_ref clones[CLONES_MAX];

/* --ckpt-open-files and --allow-file-overwrite, as the launch set them (read at each checkpoint:
 * the values travel in this plugin's memory to the restart). */
static int ckpt_open_files, allow_overwrite;

static int env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] == '1';
}

/* Files deleted while open must be saved (there is no other copy); files open for writing as
 * far as the policy allows (inplace.c; the others are fingerprinted); with --ckpt-open-files
 * every regular file. A dup or a file shared with the process that reopens it at restart is
 * saved once, with the record that restores it. */
static int save_files(char *err, size_t errlen)
{
    ckpt_open_files = env_flag("STASIS_CKPT_OPEN_FILES");
    allow_overwrite = env_flag("STASIS_ALLOW_FILE_OVERWRITE");
    inplace_begin();
    reflink_begin();
    uint64_t total = sizeof(struct saved_head);
    uint32_t count = 0, nclones = 0;
    int failed = 0;
    for (int i = 0; i < nrecs && !failed; i++) {
        struct fdrec *r = &recs[i];
        r->saved = r->deleted;
        r->clone = 0;
        if (r->kind == K_FILE && !r->deleted && r->std_of < 0 && S_ISREG(r->mode) && !r->dup_of && !r->from_maker) {
            int writing = (r->flags & O_ACCMODE) != O_RDONLY;
            int taken = !ckpt_open_files && writing && inplace_take((uint64_t)r->size);
            r->saved = ckpt_open_files || taken;
            if (r->saved && nclones < CLONES_MAX && reflink_make(r->fd, r->path, (uint64_t)r->size, &clones[nclones]) == 0) {
                r->clone = ++nclones;
                if (taken) inplace_release((uint64_t)r->size);
            }
            if (writing && inplace_note(r->fd, !r->saved, err, errlen) < 0) failed = 1;
        } else if (r->deleted && nclones < CLONES_MAX &&
                   reflink_make(r->fd, r->path, (uint64_t)r->size, &clones[nclones]) == 0) {
            r->clone = ++nclones;
        }
        if (!r->saved) continue;
        total += sizeof(struct saved_file) + (r->clone ? sizeof(struct reflink_ref) : (uint64_t)r->size);
        count++;
    }
    /* the clones are durable before the image can be committed */
    if (reflink_sync(err, errlen) < 0 || failed) return -1;
    if (!count) return 0;
    /* filled in place: the contents are in memory once, however large */
    uint8_t *buf = stasis_section_buffer(&files, total);
    if (!buf) return text_fail(err, errlen, "no memory to save the open files in the image", 0, 0);
    struct saved_head head = {SECTION_MAGIC, count};
    memcpy(buf, &head, sizeof head);
    uint64_t at = sizeof head;
    int r = 0;
    for (int i = 0; i < nrecs && r == 0; i++) {
        if (!recs[i].saved) continue;
        if (recs[i].clone) {
            struct saved_file f = {recs[i].fd, SAVED_CLONE, sizeof(struct reflink_ref)};
            memcpy(buf + at, &f, sizeof f);
            memcpy(buf + at + sizeof f, &clones[recs[i].clone - 1], sizeof(struct reflink_ref));
            at += sizeof f + sizeof(struct reflink_ref);
            continue;
        }
        struct saved_file f = {recs[i].fd, SAVED_BYTES, (uint64_t)recs[i].size};
        memcpy(buf + at, &f, sizeof f);
        at += sizeof f;
        /* a descriptor open only for writing is read through a new open of the same file */
        int rfd = recs[i].fd;
        if ((recs[i].flags & O_ACCMODE) == O_WRONLY) {
            char link[32];
            fd_link(recs[i].fd, link, sizeof link);
            rfd = open(link, O_RDONLY | O_CLOEXEC);
        }
        uint64_t done = 0;
        while (rfd >= 0 && done < f.len) {
            ssize_t got = pread(rfd, buf + at + done, f.len - done, (off_t)done);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            done += (uint64_t)got;
        }
        if (rfd >= 0 && rfd != recs[i].fd) close(rfd);
        if (done != f.len) r = text_fail(err, errlen, "cannot read ", recs[i].path, " to save it in the image");
        at += f.len;
    }
    return r;
}

/* At restart: the section of saved files, read once. */
static uint8_t *section;
static size_t section_map;
static long section_len;

static void load_saved(void)
{
    int any = 0;
    for (int i = 0; i < nrecs; i++) any |= recs[i].saved;
    section_len = any ? stasis_section_read(&files, 0, 0) : -1;
    if (section_len < (long)sizeof(struct saved_head)) return;
    section_map = ((size_t)section_len + 4095) & ~(size_t)4095;
    section = mmap(0, section_map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (section == MAP_FAILED || stasis_section_read(&files, section, (size_t)section_len) != section_len) {
        if (section != MAP_FAILED) munmap(section, section_map);
        section = 0;
    }
}

static void unload_saved(void)
{
    if (section) munmap(section, section_map);
    section = 0;
    reflink_unmap_all();
}

static void refuse_restart(const struct fdrec *r, const char *why);

/* The saved contents of the file that was open as r->fd; -1 when there are none. A copy kept as
 * a clone beside the image is mapped from there; one that is gone or not the checkpoint's
 * refuses the restart, naming the file and the clone. */
static int saved_copy(const struct fdrec *r, const uint8_t **data, uint64_t *len)
{
    int fd = r->fd;
    if (!section) return -1;
    struct saved_head head;
    memcpy(&head, section, sizeof head);
    uint64_t at = sizeof head;
    for (uint32_t k = 0; k < head.count && head.magic == SECTION_MAGIC; k++) {
        struct saved_file f;
        if (at + sizeof f > (uint64_t)section_len) break;
        memcpy(&f, section + at, sizeof f);
        at += sizeof f;
        if (at + f.len > (uint64_t)section_len) break;
        if (f.fd == fd && f.how == SAVED_CLONE && f.len >= sizeof(struct reflink_ref)) {
            struct reflink_ref ref;
            char why[600];
            memcpy(&ref, section + at, sizeof ref);
            *data = reflink_map(&ref, why, sizeof why);
            if (!*data) refuse_restart(r, why);
            *len = ref.size;
            return *data ? 0 : -1;
        }
        if (f.fd == fd && f.how == SAVED_BYTES) {
            *data = section + at;
            *len = f.len;
            return 0;
        }
        at += f.len;
    }
    return -1;
}

/* ---- pipes held by several processes ---- */

static int is_pipe(const struct fdrec *r) { return r->kind == K_PIPE || r->kind == K_FIFO; }

/* A pseudo-terminal (its inode field holds pty_key of its number). */
static int is_pty(const struct fdrec *r) { return r->kind == K_TTY && r->tty.pty >= 0; }

/* Whether record i is this process's first of its pipe, FIFO or pseudo-terminal. */
static int first_of_inode(int i)
{
    for (int k = 0; k < i; k++)
        if ((is_pipe(&recs[k]) || is_pty(&recs[k])) && recs[k].kind == recs[i].kind && recs[k].inode == recs[i].inode)
            return 0;
    return 1;
}

/* Whether record i is this process's first master of its pseudo-terminal. Not the same as
 * first_of_inode: a child that took the terminal side onto 0, 1 and 2 (login_tty) and kept the
 * master it inherited lists the terminal side first, and the master must still be drained and
 * made anew when this process is elected for it. */
static int first_master(int i)
{
    for (int k = 0; k < i; k++)
        if (is_pty(&recs[k]) && recs[k].tty.kind == TTY_MASTER && recs[k].inode == recs[i].inode) return 0;
    return 1;
}

static void pipe_key(char *out, size_t cap, const struct fdrec *r, const char *role)
{
    char ino[24];
    text_key_head(out, cap, "g", stasis_generation());
    text_uint(ino, r->inode);
    size_t n = strlen(out);
    text_fail(out + n, cap - n, ino, "/", role);
}

/* ---- pseudo-terminals whose master the computation holds ---- */

/* The key a pseudo-terminal pair is stored and asked for by (stasis_handover_ask): its number, kept apart
 * from pipe inodes and file keys. */
static uint64_t pty_key(int pty) { return (1ull << 62) | (uint64_t)(unsigned)pty; }


static void pty_store_key(char *out, size_t cap, int pty)
{
    char num[24];
    text_key_head(out, cap, "g", stasis_generation());
    text_uint(num, (unsigned)pty);
    size_t n = strlen(out);
    text_fail(out + n, cap - n, "pty", num, "/master");
}

/* This process's controlling terminal when it is an inside pseudo-terminal, and whether this
 * process leads its session (only a leader can take it back); the foreground process group. */
static int ctty_pty = -1;
static int ctty_leader;
static pid_t ctty_foreground;

/* ---- regular files open in several places through one open (dup, fork) ---- */

static int is_plain_file(const struct fdrec *r)
{
    return r->kind == K_FILE && !r->deleted && r->std_of < 0 && S_ISREG(r->mode);
}

static int same_open_file(long pid1, int fd1, long pid2, int fd2)
{
    return syscall(SYS_kcmp, pid1, pid2, 0 /* KCMP_FILE */, fd1, fd2) == 0;
}

/* The key a shared open file is asked for by (stasis_handover_ask): its device and inode, kept apart from
 * pipe inodes by the top bit. */
static uint64_t file_key(const struct fdrec *r) { return (1ull << 63) | ((r->dev << 40) ^ r->inode); }

static void file_store_key(char *out, size_t cap, const struct fdrec *r)
{
    char dev[24], ino[24];
    text_key_head(out, cap, "g", stasis_generation());
    text_uint(dev, r->dev);
    text_uint(ino, r->inode);
    size_t n = strlen(out);
    text_fail(out + n, cap - n, "f", dev, ".");
    n = strlen(out);
    text_fail(out + n, cap - n, ino, 0, 0);
}

/* Dups within this process, then an offer for every file: "<id> <real pid> <fd>" under the
 * file's key (the store keeps the last offer). */
static void offer_files(const char *me)
{
    long self = proc_real_pid(); /* the kernel's, for kcmp */
    char key[256], value[160], num[24];
    for (int i = 0; i < nrecs; i++) {
        struct fdrec *r = &recs[i];
        r->dup_of = r->from_maker = 0;
        if (!is_plain_file(r)) continue;
        for (int k = 0; k < i && !r->dup_of; k++)
            if (is_plain_file(&recs[k]) && !recs[k].dup_of && recs[k].dev == r->dev && recs[k].inode == r->inode &&
                same_open_file(self, recs[k].fd, self, r->fd))
                r->dup_of = k + 1;
        if (r->dup_of) continue;
        file_store_key(key, sizeof key, r);
        text_fail(value, sizeof value, me, " ", 0);
        text_uint(num, (unsigned long)self);
        size_t n = strlen(value);
        text_fail(value + n, sizeof value - n, num, " ", 0);
        text_uint(num, (unsigned)r->fd);
        n = strlen(value);
        text_fail(value + n, sizeof value - n, num, 0, 0);
        stasis_kv_put(&files, key, value);
    }
}

/* After the election barrier: an open file this process shares with the elected process
 * (the kernel compares the two: kcmp) comes from it at restart. */
static void match_files(const char *me)
{
    long self = proc_real_pid(); /* the kernel's, for kcmp */
    char key[256], value[160];
    for (int i = 0; i < nrecs; i++) {
        struct fdrec *r = &recs[i];
        if (!is_plain_file(r) || r->dup_of) continue;
        file_store_key(key, sizeof key, r);
        r->maker[0] = 0;
        if (stasis_kv_get(&files, key, value, sizeof value) < 0) continue;
        char *sp = strchr(value, ' ');
        if (!sp) continue;
        *sp = 0;
        char *end;
        long pid = strtol(sp + 1, &end, 10);
        int fd = (int)strtol(end, 0, 10);
        text_fail(r->maker, sizeof r->maker, value, 0, 0);
        r->from_maker = strcmp(value, me) != 0 && same_open_file(self, r->fd, pid, fd);
    }
}

/* Every process, at PRECHECKPOINT: elects for each pipe (and FIFO) the process that drains it
 * now and makes it anew at restart: one that reads it if any does, else one that writes it.
 * Each holder puts its id under the pipe's reader or writer key (the store keeps the last
 * one), a barrier, then everyone reads the same answer. */
static int elect_makers(char *err, size_t errlen)
{
    const char *me = stasis_process_id();
    char key[256], reader[96], writer[96];
    for (int i = 0; i < nrecs; i++) {
        if (!is_pipe(&recs[i]) || !first_of_inode(i)) continue;
        int reads = 0, writes = 0;
        for (int k = i; k < nrecs; k++) {
            if (!is_pipe(&recs[k]) || recs[k].inode != recs[i].inode) continue;
            reads |= (recs[k].flags & O_ACCMODE) != O_WRONLY;
            writes |= (recs[k].flags & O_ACCMODE) != O_RDONLY;
        }
        if (reads) pipe_key(key, sizeof key, &recs[i], "r"), stasis_kv_put(&files, key, me);
        if (writes) pipe_key(key, sizeof key, &recs[i], "w"), stasis_kv_put(&files, key, me);
    }
    for (int i = 0; i < nrecs; i++)
        if (is_pty(&recs[i]) && recs[i].tty.kind == TTY_MASTER)
            pty_store_key(key, sizeof key, recs[i].tty.pty), stasis_kv_put(&files, key, me);
    offer_files(me);
    if (sysv_capture(&files, err, errlen) < 0) return -1;
    /* every process passes here, pipes or not */
    if (stasis_barrier(&files, "pipes-claimed") < 0)
        return text_fail(err, errlen, "the other processes did not reach the pipe election", 0, 0);
    sysv_elected(&files);
    match_files(me);
    /* a pseudo-terminal whose master some process of ours holds is made anew by it */
    for (int i = 0; i < nrecs; i++) {
        struct fdrec *r = &recs[i];
        if (!is_pty(r)) continue;
        pty_store_key(key, sizeof key, r->tty.pty);
        r->maker[0] = 0;
        r->shared = stasis_kv_get(&files, key, r->maker, sizeof r->maker) >= 0;
    }
    for (int i = 0; i < nrecs; i++) {
        if (!is_pipe(&recs[i]) || !first_of_inode(i)) continue;
        pipe_key(key, sizeof key, &recs[i], "r");
        int has_reader = stasis_kv_get(&files, key, reader, sizeof reader) >= 0;
        pipe_key(key, sizeof key, &recs[i], "w");
        int has_writer = stasis_kv_get(&files, key, writer, sizeof writer) >= 0;
        const char *maker = has_reader ? reader : has_writer ? writer : me;
        int shared = (has_reader && strcmp(reader, me) != 0) || (has_writer && strcmp(writer, me) != 0);
        for (int k = i; k < nrecs; k++) {
            if (!is_pipe(&recs[k]) || recs[k].kind != recs[i].kind || recs[k].inode != recs[i].inode) continue;
            text_fail(recs[k].maker, sizeof recs[k].maker, maker, 0, 0);
            recs[k].shared = shared;
        }
    }
    return 0;
}

static void whoami(char *out, size_t cap);

static int capture(char *err, size_t errlen)
{
    enum { AGENT_ROOM = 8 }; /* the agent's own descriptors are listed too */
    static int fds[MAX_FDS + AGENT_ROOM];
    static char path[512];
    int n = list_fds(fds, MAX_FDS + AGENT_ROOM);
    int agents = 0;
    for (int i = 0; i < n && i < MAX_FDS + AGENT_ROOM; i++) agents += stasis_agent_fd(fds[i]);
    if (n - agents > MAX_FDS) {
        char who[64], count[24], max[24], what[120], most[80];
        whoami(who, sizeof who);
        text_uint(count, (unsigned)(n - agents));
        text_uint(max, MAX_FDS);
        text_fail(what, sizeof what, who, " has ", count);
        text_fail(most, sizeof most, " open descriptors, more than the files plugin can save (", max, "):");
        return text_fail(err, errlen, what, most, " checkpoint refused");
    }
    nrecs = 0;
    drained_len = 0;
    anon_capture_begin();
    locks_capture();
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
        struct stat st; /* one fstat per descriptor, for every use below */
        int known = fstat(fd, &st) == 0;
        r->std_of = known ? launch_std_of(fd, &st) : -1;
        nrecs++;
        if (strncmp(path, "pipe:[", 6) == 0) {
            r->kind = K_PIPE;
            for (const char *p = path + 6; *p >= '0' && *p <= '9'; p++) r->inode = r->inode * 10 + (uint64_t)(*p - '0');
        } else if (path[0] == '/') {
            if (known && S_ISFIFO(st.st_mode)) {
                /* a named pipe: drained and refilled like a pipe, reopened by its path */
                r->kind = K_FIFO;
                r->mode = st.st_mode;
                r->inode = (uint64_t)st.st_ino;
                continue;
            }
            if (known && S_ISCHR(st.st_mode)) {
                tty_capture(fd, path, &r->tty);
                if (r->tty.kind != TTY_NONE) {
                    r->kind = K_TTY;
                    if (r->tty.pty >= 0) r->inode = pty_key(r->tty.pty);
                    continue;
                }
            }
            r->kind = K_FILE;
            r->offset = lseek(fd, 0, SEEK_CUR);
            if (known) {
                r->inode = (uint64_t)st.st_ino;
                r->dev = ((uint64_t)major(st.st_dev) << 8) | minor(st.st_dev);
                r->size = st.st_size;
                r->mode = st.st_mode;
                r->deleted = S_ISREG(st.st_mode) && st.st_nlink == 0;
            }
        } else if (known && S_ISSOCK(st.st_mode)) {
            r->kind = K_SOCKET; /* the sockets plugin's, unless it is the launch's (std_of) */
        } else if (strcmp(path, "anon_inode:inotify") == 0) {
            r->kind = K_INOTIFY;
            inotify_capture(fd);
        } else if (anon_kind(path) != ANON_NONE) {
            r->kind = K_ANON;
            if (anon_capture(fd, anon_kind(path), &r->anon, err, errlen) < 0) return -1;
        } else {
            r->kind = K_OTHER;
        }
    }
    if (elect_makers(err, errlen) < 0) return -1;
    for (int i = 0; i < nrecs; i++) {
        struct fdrec *r = &recs[i];
        if ((r->kind == K_PIPE || r->kind == K_FIFO) && (r->flags & O_ACCMODE) == O_RDONLY &&
            !earlier_read_end(r->inode, i) && strcmp(r->maker, stasis_process_id()) == 0 && drain(r, err, errlen) < 0)
            return -1;
        /* what the terminal side wrote and the master has not read yet */
        if (is_pty(r) && r->tty.kind == TTY_MASTER && r->shared && first_master(i) &&
            strcmp(r->maker, stasis_process_id()) == 0) {
            r->data_off = drained_len;
            r->data_len = tty_pty_drain(r->fd, drained + drained_len, DRAIN_CAP - drained_len);
            drained_len += r->data_len;
            r->in_off = drained_len;
            r->in_len = tty_pty_take_input(r->tty.pty, drained + drained_len, DRAIN_CAP - drained_len);
            drained_len += r->in_len;
        }
    }
    ctty_pty = tty_controlling_pty();
    ctty_leader = getsid(0) == getpid();
    ctty_foreground = 0;
    for (int i = 0; i < nrecs && ctty_pty >= 0; i++)
        if (is_pty(&recs[i]) && recs[i].tty.kind == TTY_TERMINAL && recs[i].tty.pty == ctty_pty)
            ctty_foreground = tcgetpgrp(recs[i].fd);
    return save_files(err, errlen);
}

static void refill(const struct fdrec *r);

/* A pty master's unread input goes back at once, through its terminal side opened by number. */
static void retype_now(const struct fdrec *r)
{
    char num[24], path[48];
    text_uint(num, (unsigned)r->tty.pty);
    text_fail(path, sizeof path, "/dev/pts/", num, 0);
    int t = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t < 0 || tty_pty_retype(r->fd, t, drained + r->in_off, r->in_len) < 0)
        text_warn("lost input waiting in pseudo-terminal ", r->path, ": cannot type it again");
    if (t >= 0) close(t);
}

/* Pipes and named pipes are drained into memory (so their bytes are in the image) and put
 * back at once, while every process of the computation is still stopped: were they put back at
 * RESUME, a writer in another process could resume first and its new bytes would overtake the
 * old ones. The drained copy stays for the image until RESUME forgets it. */
static int files_precheckpoint(char *err, size_t errlen)
{
    int r = capture(err, errlen);
    for (int i = 0; i < nrecs; i++) {
        if ((recs[i].kind == K_PIPE || recs[i].kind == K_FIFO) && recs[i].data_len) refill(&recs[i]);
        if (is_pty(&recs[i]) && recs[i].data_len &&
            tty_pty_refill(recs[i].tty.pty, drained + recs[i].data_off, recs[i].data_len) < 0)
            text_warn("lost output waiting in pseudo-terminal ", recs[i].path, ": cannot write it back");
        if (is_pty(&recs[i]) && recs[i].in_len) retype_now(&recs[i]);
    }
    return r;
}

/* Puts drained bytes back through a fresh write end reached via /proc. */
static void refill(const struct fdrec *r)
{
    char link[32];
    fd_link(r->fd, link, sizeof link);
    int w = open(link, O_WRONLY | O_CLOEXEC);
    if (w < 0) {
        text_warn("lost data waiting in pipe ", r->path, ": cannot refill it");
        return;
    }
    const uint8_t *p = drained + r->data_off;
    uint32_t left = r->data_len;
    while (left > 0) {
        ssize_t k = write(w, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            text_warn("lost data waiting in pipe ", r->path, 0);
            break;
        }
        p += k;
        left -= (uint32_t)k;
    }
    close(w);
}

/* After a checkpoint (or an aborted generation) the bytes are back in their pipes already:
 * forget the copy. */
static void files_resume(void)
{
    for (int i = 0; i < nrecs; i++) recs[i].data_len = recs[i].in_len = 0;
    drained_len = 0;
}

/* Puts a new object under the descriptor number the program knew; the object may already have
 * been given that number (it was free). */
static void place(int from, const struct fdrec *r)
{
    if (from == r->fd) fcntl(from, F_SETFD, r->fdflags & FD_CLOEXEC);
    else dup3(from, r->fd, (r->fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0);
}

/* The launch's standard descriptors become the restart's (restore_launch_std); everything else
 * this process had is restored here. */
static int restores_here(const struct fdrec *r) { return r->std_of < 0; }

/* A pair made anew at restart (one held across processes) whose key is this record's. */
static int remade_pair(const struct fdrec *r) { return r->kind == K_PIPE || (is_pty(r) && r->shared); }

/* A remade pair under this process's numbers: a pipe's read end or a pseudo-terminal's master
 * gets ends[0], the other side ends[1]. */
static void place_pair(uint64_t key, const int ends[2])
{
    for (int k = 0; k < nrecs; k++) {
        const struct fdrec *r = &recs[k];
        if (!remade_pair(r) || r->inode != key || !restores_here(r)) continue;
        int first = r->kind == K_PIPE ? (r->flags & O_ACCMODE) == O_RDONLY : r->tty.kind == TTY_MASTER;
        place(first ? ends[0] : ends[1], r);
        fcntl(r->fd, F_SETFL, r->flags);
    }
}

#define MAX_PIPES MAX_FDS /* at most one per record */
static struct made {
    uint64_t inode;
    int ends[2];  /* kept above the program's numbers (high) until handed out */
    int borrowed; /* the program's own descriptor (a file), not ours to close */
} made[MAX_PIPES];
static int nmade;

static int made_lookup(uint64_t inode, int fds[2])
{
    for (int i = 0; i < nmade; i++)
        if (made[i].inode == inode) {
            fds[0] = made[i].ends[0];
            fds[1] = made[i].ends[1];
            return 0;
        }
    return -1;
}

static int i_make(const struct fdrec *r) { return !r->maker[0] || strcmp(r->maker, stasis_process_id()) == 0; }

/* Above every number the program's descriptors are restored into (set by files_restart):
 * descriptors of ours kept there while the program's are placed are never overwritten, also
 * in a program that uses numbers in the thousands. */
static int scratch_floor = 1024;

/* Moves a descriptor of ours out of the range the program's numbers are restored into. */
static int high(int fd)
{
    if (fd < 0 || fd >= scratch_floor) return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, scratch_floor);
    if (h < 0) text_warn("no descriptor number free above the program's (RLIMIT_NOFILE): ", strerror(errno), 0);
    close(fd);
    return h;
}

/* A shared open file received from the process that reopened it, under this process's number. */
static void place_shared_file(uint64_t key, int fd)
{
    for (int k = 0; k < nrecs; k++) {
        const struct fdrec *r = &recs[k];
        if (!r->from_maker || file_key(r) != key) continue;
        place(fd, r);
    }
}

/* Record locks on a received file, once the copies we received are closed (closing any
 * descriptor of a file drops this process's locks on it). */
static void relock_shared_file(uint64_t key)
{
    for (int k = 0; k < nrecs; k++)
        if (recs[k].from_maker && file_key(&recs[k]) == key) locks_restore(recs[k].fd, recs[k].dev, recs[k].inode, recs[k].path);
}

/* Every process: the maker of each pipe makes it and puts its ends under the old numbers;
 * then (barrier) the others ask it for theirs; then (barrier) it answers and they receive. */
static void restore_pipes(void)
{
    static int asked[MAX_PIPES];
    static uint64_t asked_inode[MAX_PIPES];
    int nasked = 0;
    nmade = 0;
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->kind != K_PIPE || !first_of_inode(i) || !i_make(r) || !restores_here(r) || nmade == MAX_PIPES) continue;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            text_warn("cannot recreate ", r->path, 0);
            continue;
        }
        struct made *m = &made[nmade++];
        m->inode = r->inode;
        m->borrowed = 0;
        m->ends[0] = high(p[0]);
        m->ends[1] = high(p[1]);
        place_pair(r->inode, m->ends);
    }
    /* pseudo-terminals whose master this process was elected for: made anew, with what the
     * terminal side had written and the master not read yet */
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (!is_pty(r) || r->tty.kind != TTY_MASTER || !r->shared || !first_master(i) || !i_make(r) ||
            nmade == MAX_PIPES)
            continue;
        int p[2];
        if (tty_pty_make(&r->tty, p) < 0) {
            text_warn("cannot make a pseudo-terminal again for ", r->path, " (left closed)");
            continue;
        }
        struct made *m = &made[nmade++];
        m->inode = r->inode;
        m->borrowed = 0;
        m->ends[0] = high(p[0]);
        m->ends[1] = high(p[1]);
        place_pair(m->inode, m->ends);
        if (r->data_len && tty_pty_write(m->ends[1], drained + r->data_off, r->data_len) < 0)
            text_warn("lost output waiting in pseudo-terminal ", r->path, 0);
        if (r->in_len && tty_pty_retype(m->ends[0], m->ends[1], drained + r->in_off, r->in_len) < 0)
            text_warn("lost input waiting in pseudo-terminal ", r->path, 0);
    }
    /* open files this process reopened and was elected for: offered to the others */
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (!is_plain_file(r) || r->dup_of || r->from_maker || strcmp(r->maker, stasis_process_id()) != 0 ||
            nmade == MAX_PIPES)
            continue;
        /* handed out as it is, never a copy: closing any descriptor of a file would drop the
         * record locks this process holds on it */
        struct made *m = &made[nmade++];
        m->inode = file_key(r);
        m->ends[0] = m->ends[1] = r->fd;
        m->borrowed = 1;
    }
    int listener = nmade ? high(stasis_handover_listen(&files)) : -1;
    if (nmade && listener < 0) text_warn("cannot offer pipes to the other processes: ", "socket", " failed");
    if (stasis_barrier(&files, "pipes-made") < 0) text_warn("no barrier with the other processes: ", "pipes", " may be lost");
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (!remade_pair(r) || !first_of_inode(i) || i_make(r) || !restores_here(r) || nasked == MAX_PIPES) continue;
        int c = high(stasis_handover_ask(&files, r->maker, r->inode));
        if (c < 0) {
            text_warn("cannot reach the process that makes ", r->path, " again (left closed)");
            continue;
        }
        asked_inode[nasked] = r->inode;
        asked[nasked++] = c;
    }
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (!r->from_maker || nasked == MAX_PIPES) continue;
        int c = high(stasis_handover_ask(&files, r->maker, file_key(r)));
        if (c < 0) {
            text_warn("cannot reach the process that reopens ", r->path, " for both (left closed)");
            continue;
        }
        asked_inode[nasked] = file_key(r);
        asked[nasked++] = c;
    }
    if (stasis_barrier(&files, "pipes-asked") < 0) text_warn("no barrier with the other processes: ", "pipes", " may be lost");
    if (listener >= 0) {
        stasis_handover_serve(listener, made_lookup);
        close(listener);
    }
    for (int i = 0; i < nasked; i++) {
        int ends[2];
        if (stasis_handover_receive(asked[i], ends) < 0) {
            text_warn("did not receive a pipe from the process that made it (left closed)", "", 0);
            continue;
        }
        /* moved out of the way first: a received end may have landed on a number we restore */
        ends[0] = high(ends[0]);
        ends[1] = high(ends[1]);
        place_pair(asked_inode[i], ends);
        place_shared_file(asked_inode[i], ends[0]);
        close(ends[0]);
        close(ends[1]);
        relock_shared_file(asked_inode[i]);
    }
    for (int i = 0; i < nmade; i++) {
        if (made[i].borrowed) continue;
        close(made[i].ends[0]);
        close(made[i].ends[1]);
    }
}

/* This process, for messages: its name and pid. */
static void whoami(char *out, size_t cap)
{
    char comm[32] = {0};
    int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : 0;
    if (fd >= 0) close(fd);
    while (n > 0 && (comm[n - 1] == '\n' || comm[n - 1] == 0)) comm[--n] = 0;
    char pid[24];
    text_uint(pid, (unsigned long)getpid());
    text_fail(out, cap, comm, " pid ", pid);
}

/* The policy for a file that cannot be restored as it was: the restart is refused, loudly. */
static void refuse_restart(const struct fdrec *r, const char *why)
{
    char who[64], what[700], line[900];
    whoami(who, sizeof who);
    text_fail(what, sizeof what, r->path, why, " (process ");
    text_fail(line, sizeof line, what, who, ")");
    text_warn("restart refused: ", line, "; a file the program had open must be there as it was");
    _exit(3);
}

/* A saved copy goes back where the file was when it is gone; for a file open for writing also
 * where it differs (the abandoned run wrote it after the checkpoint: inplace.c); for one open
 * only for reading, with --allow-file-overwrite. Said on standard error, naming the file and the
 * process; a file only cut back to its size at the checkpoint (appended to) is not mentioned. */
static void put_back_saved(const struct fdrec *r)
{
    const uint8_t *data;
    uint64_t len;
    if (!r->saved) return;
    struct stat st;
    int exists = stat(r->path, &st) == 0;
    int writing = (r->flags & O_ACCMODE) != O_RDONLY;
    if (exists && !writing && !allow_overwrite) return;
    /* as the checkpoint left it: the copy is not even looked at (a clone is not needed) */
    if (exists && writing && inplace_unchanged(r->fd, &st, (uint64_t)r->size)) return;
    if (saved_copy(r, &data, &len) < 0) return;
    int fd = open(r->path, O_RDWR | O_CREAT | O_CLOEXEC, r->mode & 07777);
    int changed = fd >= 0 ? inplace_put_back(r->fd, fd, data, len) : -1;
    if (fd >= 0) close(fd);
    if (changed < 0) refuse_restart(r, " cannot be written back from the copy saved in the image");
    if (exists && !changed) return;
    char who[64], what[700];
    whoami(who, sizeof who);
    text_fail(what, sizeof what, r->path, " (process ", who);
    text_warn(!exists ? "was gone, made again from the copy saved in the image: "
              : writing ? "changed since the checkpoint, overwrote with the copy saved in the image: "
                        : "--allow-file-overwrite: overwrote with the copy saved in the image: ",
              what, ")");
}

/* A file open for writing that was not saved: refused when its contents changed where the
 * program had been (its fingerprints, inplace.c), before anything touches it. */
static void check_in_place(const struct fdrec *r, int fd)
{
    char why[400];
    struct stat st;
    if (r->saved || (r->flags & O_ACCMODE) == O_RDONLY || !S_ISREG(r->mode)) return;
    if (fstat(fd, &st) == 0 && st.st_size < r->size) return; /* refused below, as shorter */
    if (inplace_changed(r->fd, r->path, (uint64_t)r->size, why, sizeof why) == 0) return;
    close(fd);
    refuse_restart(r, why);
}

static void restore_file(const struct fdrec *r)
{
    put_back_saved(r);
    int fd = open(r->path, r->flags & ~(O_CREAT | O_EXCL | O_TRUNC));
    if (fd < 0) {
        refuse_restart(r, errno == ENOENT ? " is gone" : errno == EACCES ? " can no longer be opened (permission denied)"
                                                                          : " can no longer be opened");
        return;
    }
    check_in_place(r, fd);
    struct stat st;
    int writing = (r->flags & O_ACCMODE) != O_RDONLY;
    if (S_ISREG(r->mode) && fstat(fd, &st) == 0 && st.st_size != r->size) {
        if (writing && st.st_size > r->size) {
            /* written after the checkpoint by the run that was abandoned: the program writes it again */
            if (ftruncate(fd, r->size) < 0) refuse_restart(r, " cannot be cut back to its size at the checkpoint");
        } else if (writing) {
            refuse_restart(r, r->saved ? " is shorter than at the checkpoint: it was changed since (launch with"
                                         " --allow-file-overwrite to have the saved copy put back)"
                                       : " is shorter than at the checkpoint: it was changed since");
        } else {
            text_warn("changed since the checkpoint (reopened as it is now): ", r->path, 0);
        }
    }
    if (r->offset > 0) lseek(fd, r->offset, SEEK_SET);
    place(fd, r);
    if (fd != r->fd) close(fd);
    locks_restore(r->fd, r->dev, r->inode, r->path);
}

/* A file deleted while open: a fresh unlinked file with the saved contents. */
static void restore_deleted(const struct fdrec *r, const uint8_t *data, uint64_t len)
{
    char dir[600], name[700];
    size_t n = strlen(r->path);
    const char *suffix = " (deleted)";
    size_t sl = strlen(suffix);
    if (n >= sl && strcmp(r->path + n - sl, suffix) == 0) n -= sl;
    while (n > 0 && r->path[n - 1] != '/') n--;
    memcpy(dir, r->path, n);
    dir[n] = 0;
    int fd = -1;
    const char *dirs[] = {dir, "/tmp/"};
    for (int i = 0; i < 2 && fd < 0; i++) {
        text_fail(name, sizeof name, dirs[i], ".stasis-restored-", "XXXXXX");
        fd = mkostemp(name, O_CLOEXEC);
        if (fd >= 0) unlink(name);
    }
    if (fd < 0) {
        refuse_restart(r, " (deleted while open) cannot be recreated: no writable directory");
        return;
    }
    uint64_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            refuse_restart(r, " (deleted while open) cannot be recreated: write failed");
            return;
        }
        done += (uint64_t)w;
    }
    fcntl(fd, F_SETFL, r->flags & (O_APPEND | O_NONBLOCK));
    lseek(fd, r->offset, SEEK_SET);
    place(fd, r);
    if (fd != r->fd) close(fd);
}

/* Files deleted while open, from the section. */
static void restore_all_deleted(void)
{
    for (int i = 0; i < nrecs; i++) {
        if (!recs[i].deleted) continue;
        const uint8_t *data;
        uint64_t len;
        if (saved_copy(&recs[i], &data, &len) < 0) refuse_restart(&recs[i], " (deleted while open) cannot be read from the image");
        else restore_deleted(&recs[i], data, len);
    }
}

/* Opens a named pipe again by its path. Read ends first, everywhere (a barrier between the
 * two passes): opening a write end without a reader fails. Nonblocking, so that neither open
 * waits for the other side; the saved flags are put back after. */
static void restore_fifo(const struct fdrec *r)
{
    int fd = open(r->path, (r->flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO && (r->flags & O_ACCMODE) == O_WRONLY) {
        /* nobody reads it (the reader was not checkpointed with us): open both ways instead */
        fd = open(r->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    }
    if (fd < 0) {
        refuse_restart(r, errno == ENOENT ? " (a named pipe) is gone" : " (a named pipe) can no longer be opened");
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        refuse_restart(r, " is no longer a named pipe");
        return;
    }
    fcntl(fd, F_SETFL, r->flags);
    place(fd, r);
    if (fd != r->fd) close(fd);
}

static void restore_fifos(int writers)
{
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->kind != K_FIFO || r->std_of >= 0) continue;
        if (((r->flags & O_ACCMODE) != O_RDONLY) == writers) restore_fifo(r);
    }
}

/* The restart's standard descriptors, moved out of the way before anything is put on 0, 1
 * and 2 (-1 where the restart had none). */
static int restart_std[3] = {-1, -1, -1};

static void keep_restart_std(void)
{
    for (int k = 0; k < 3; k++) restart_std[k] = fcntl(k, F_DUPFD_CLOEXEC, scratch_floor);
}

static void drop_restart_std(void)
{
    for (int k = 0; k < 3; k++) {
        if (restart_std[k] >= 0) close(restart_std[k]);
        restart_std[k] = -1;
    }
}

/* One of the launch's standard descriptors: the restart's of the same number goes where the
 * program kept it (a terminal gets the saved settings). */
static void restore_launch_std(const struct fdrec *r)
{
    int from = restart_std[r->std_of];
    if (from < 0) return; /* the restart has none: nor has the program */
    place(from, r);
    if (r->kind == K_TTY) tty_restore_settings(r->fd, &r->tty);
}

/* A terminal the launch did not give: the restart's terminal, with the saved settings. */
static void restore_tty(const struct fdrec *r)
{
    if (r->tty.kind == TTY_MASTER) {
        text_warn("pseudo-terminal masters are not restored yet (left closed): ", r->path, 0);
        return;
    }
    int fd = tty_reopen(r->flags, &r->tty);
    if (fd < 0) {
        text_warn("no terminal to give the program in place of ", r->path, " (left closed)");
        return;
    }
    place(fd, r);
    if (fd != r->fd) close(fd);
}

/* A session leader whose controlling terminal was an inside pseudo-terminal takes the new one
 * (the restorer made it a session leader again, with no terminal), with its foreground group. */
static void take_controlling_pty(void)
{
    if (ctty_pty < 0 || !ctty_leader) return;
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (!is_pty(r) || !r->shared || r->tty.kind != TTY_TERMINAL || r->tty.pty != ctty_pty) continue;
        if (ioctl(r->fd, TIOCSCTTY, 0) < 0) {
            text_warn("cannot make the new pseudo-terminal the controlling terminal again: ", strerror(errno), 0);
            return;
        }
        if (ctty_foreground > 0) tcsetpgrp(r->fd, ctty_foreground);
        return;
    }
}

static void restore_inotify(const struct fdrec *r)
{
    int fd = inotify_restore(r->fd, r->flags | ((r->fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0));
    if (fd < 0) {
        text_warn("cannot make anew (left closed): ", r->path, 0);
        return;
    }
    place(fd, r);
    if (fd != r->fd) close(fd);
}

/* eventfds, timerfds and signalfds first, then epolls, which watch them and everything else. */
static void restore_anon(int epolls)
{
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->kind != K_ANON || r->std_of >= 0 || (r->anon.kind == ANON_EPOLL) != epolls) continue;
        int fd = anon_restore(&r->anon, r->flags);
        if (fd < 0) {
            text_warn("cannot make anew (left closed): ", r->path, 0);
            continue;
        }
        place(fd, r);
        if (fd != r->fd) close(fd);
    }
}

/* The scratch floor just above the program's highest descriptor, with room above it within
 * RLIMIT_NOFILE (the checkpoint's again by now): when the program's numbers fill the soft
 * limit it is raised toward the hard one while descriptors are restored. 1 when raised, *was
 * the limit to put back. */
static int scratch_room(struct rlimit *was)
{
    int top = 2;
    for (int i = 0; i < nrecs; i++)
        if (recs[i].fd > top) top = recs[i].fd;
    scratch_floor = top + 1;
    if (getrlimit(RLIMIT_NOFILE, was) < 0) return 0;
    /* at most two of ours per record (a pipe's ends), and a few sockets */
    rlim_t want = (rlim_t)scratch_floor + 2 * (rlim_t)nrecs + 64;
    if (was->rlim_cur >= want || was->rlim_cur >= was->rlim_max) return 0;
    struct rlimit more = {want < was->rlim_max ? want : was->rlim_max, was->rlim_max};
    return setrlimit(RLIMIT_NOFILE, &more) == 0;
}

static void files_restart(void)
{
    struct rlimit nofile;
    int raised = scratch_room(&nofile);
    load_saved();
    keep_restart_std();
    for (int i = 0; i < nrecs; i++) {
        const struct fdrec *r = &recs[i];
        if (r->std_of >= 0) restore_launch_std(r);
        else if (r->kind == K_PIPE) continue; /* below, with the other processes */
        else if (r->kind == K_FIFO) continue; /* below, readers before writers */
        else if (is_pty(r) && r->shared) continue; /* with the pipes: the pair is made anew */
        else if (r->kind == K_TTY) restore_tty(r);
        else if (r->kind == K_FILE && !r->deleted && (r->dup_of || r->from_maker)) continue; /* below */
        else if (r->kind == K_FILE && !r->deleted) restore_file(r);
        else if (r->kind == K_FILE) continue; /* below, from the section */
        else if (r->kind == K_INOTIFY) restore_inotify(r);
        else if (r->kind == K_ANON) continue; /* below, once what an epoll watches is back */
        else if (r->kind == K_SOCKET && stasis_plugin_registered("sockets")) continue; /* restored already */
        else if (r->kind == K_SOCKET) text_warn("socket not restored, the sockets plugin is disabled (left closed): ", r->path, 0);
        else text_warn("descriptor kind not restored yet (left closed): ", r->path, 0);
    }
    restore_pipes();
    take_controlling_pty();
    for (int i = 0; i < nrecs; i++) /* dups: the same open file, so one offset */
        if (recs[i].kind == K_FILE && recs[i].dup_of) place(recs[recs[i].dup_of - 1].fd, &recs[i]);
    sysv_restart(&files);
    restore_all_deleted();
    restore_fifos(0);
    /* every process of the computation passes here, FIFOs or not: writers open once all readers have */
    int fifos = 0;
    for (int i = 0; i < nrecs; i++) fifos |= recs[i].kind == K_FIFO;
    if (stasis_barrier(&files, "fifo-readers-open") < 0 && fifos)
        text_warn("no barrier with the other processes: ", "named pipes", " may fail to reopen");
    restore_fifos(1);
    restore_anon(0);
    restore_anon(1);
    /* the saved bytes go back now, before RESUME lets any process of the computation run */
    for (int i = 0; i < nrecs; i++)
        if (is_pipe(&recs[i]) && recs[i].data_len && restores_here(&recs[i])) refill(&recs[i]);
    unload_saved();
    drop_restart_std();
    if (raised) setrlimit(RLIMIT_NOFILE, &nofile);
}

static const struct stasis_plugin files = {
    STASIS_SDK_INIT, "files", 0, files_precheckpoint, files_resume, files_restart,
};

__attribute__((constructor)) static void files_init(void) { stasis_register(&files); }
