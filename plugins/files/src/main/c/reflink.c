/* Saved files as copy-on-write clones beside the image (see reflink.h; docs/architecture.md,
 * "Saved files as copy-on-write clones").
 *
 * A file the plugin saves (deleted while open, open for writing and small, every regular file
 * with --ckpt-open-files) used to be copied into the image: its bytes read while the program's
 * threads are stopped, written again by the image writer, and held in memory meanwhile. Where
 * the file and the checkpoint directory share a file system that shares extents between files
 * (xfs with reflink, btrfs), ioctl(FICLONE) makes a copy that costs no data at all: the clone
 * shares the file's blocks until either is written, and the file system copies a block only
 * then. So the clone is taken at PRECHECKPOINT (the threads are stopped: it holds the
 * checkpoint's contents), into "<image>.files/g<generation>-fd<fd>-<name>", fsynced before the
 * hook returns (the image is committed without looking at it again), and the image records its
 * name, size and the CRC32C of its first and last 4 KiB.
 *
 * Anything else (another file system, one without reflink, no room for the folder) falls back
 * to the copy in the image without a word. Removing the clones of older generations is the
 * agent's (SDK 1.4): when this process's image is committed, every other generation's files in
 * the folder go; a failed generation's go at its abort. So a checkpoint that fails halfway
 * leaves the previous image with its clones, and the folder holds one generation's at rest. */
#define _GNU_SOURCE
#include "reflink.h"

#include <stasis/plugin.h>

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EDGE 4096u       /* the checksummed head and tail of a clone */
#define MAPS_MAX 4096    /* clones mapped at one restart */

static int enabled;
static int dir_fd = -1;  /* the folder, opened at the generation's first clone */
static dev_t dir_dev;
static int dir_tried, dir_made, made;
/* A file system that refused a clone (ext4, xfs without reflink): not tried again in this run. */
static dev_t no_clone_dev;
static int no_clone_known;

void reflink_begin(void)
{
    const char *v = getenv("STASIS_FILE_CLONES");
    enabled = !(v && v[0] == '0');
    /* no close: after a restart this number, restored from the image, may be the program's */
    dir_fd = -1;
    dir_tried = dir_made = made = 0;
}

/* The folder beside the image, made when missing (mode 0700: the clones are the program's
 * files). 0, or -1 when there is none to be had. */
static int open_dir(void)
{
    if (dir_fd >= 0) return 0;
    if (dir_tried) return -1;
    dir_tried = 1;
    const char *dir = stasis_image_files_dir();
    if (!dir) return -1;
    if (mkdir(dir, 0700) == 0) dir_made = 1;
    else if (errno != EEXIST) return -1;
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (d >= 0 && fstat(d, &st) == 0) {
        dir_fd = d;
        dir_dev = st.st_dev;
        return 0;
    }
    if (d >= 0) close(d);
    if (dir_made) rmdir(dir);
    dir_made = 0;
    return -1;
}

/* "g<generation>-fd<fd>-<last component of path>", without the " (deleted)" the kernel adds. */
static void clone_name(char *out, size_t cap, int fd, const char *path)
{
    char gen[24], num[24], head[80], base[200];
    const char *slash = strrchr(path, '/');
    text_fail(base, sizeof base, slash ? slash + 1 : path, 0, 0);
    size_t n = strlen(base);
    static const char deleted[] = " (deleted)";
    if (n >= sizeof deleted - 1 && strcmp(base + n - (sizeof deleted - 1), deleted) == 0) base[n - (sizeof deleted - 1)] = 0;
    text_uint(gen, stasis_generation());
    text_uint(num, (unsigned)fd);
    text_fail(head, sizeof head, "g", gen, "-fd");
    n = strlen(head);
    text_fail(head + n, sizeof head - n, num, "-", 0);
    text_fail(out, cap, head, base, 0);
}

/* CRC32C of the first and the last EDGE bytes (fewer for a smaller file); -1 on a short read. */
static int edges(int fd, uint64_t size, uint32_t *head, uint32_t *tail)
{
    static uint8_t buf[EDGE];
    uint64_t n = size < EDGE ? size : EDGE;
    uint64_t at[2] = {0, size - n};
    uint32_t *out[2] = {head, tail};
    for (int k = 0; k < 2; k++) {
        uint64_t done = 0;
        while (done < n) {
            ssize_t got = pread(fd, buf + done, n - done, (off_t)(at[k] + done));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return -1;
            done += (uint64_t)got;
        }
        *out[k] = stasis_crc32c(0, buf, n);
    }
    return 0;
}

int reflink_make(int fd, const char *path, uint64_t size, struct reflink_ref *ref)
{
    struct stat st;
    if (!enabled || size < REFLINK_MIN || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    if (no_clone_known && st.st_dev == no_clone_dev) return -1;
    if (open_dir() < 0 || st.st_dev != dir_dev) return -1; /* another file system: no clone */
    char link[40], num[24];
    text_uint(num, (unsigned)fd);
    text_fail(link, sizeof link, "/proc/self/fd/", num, 0);
    int src = open(link, O_RDONLY | O_CLOEXEC); /* the program's may be open for writing only */
    if (src < 0) return -1;
    memset(ref, 0, sizeof *ref);
    clone_name(ref->name, sizeof ref->name, fd, path);
    /* a leftover of the same name (a generation a killed run did not finish) is replaced */
    int dst = openat(dir_fd, ref->name, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    int ok = dst >= 0;
    if (ok && ioctl(dst, FICLONE, src) < 0) {
        if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL || errno == EXDEV || errno == ENOSYS) {
            no_clone_dev = st.st_dev;
            no_clone_known = 1;
        }
        ok = 0;
    }
    struct stat cs;
    /* the size the checkpoint noted; longer only if someone outside the computation appends */
    if (ok && (fstat(dst, &cs) != 0 || (uint64_t)cs.st_size < size)) ok = 0;
    if (ok && (uint64_t)cs.st_size > size && ftruncate(dst, (off_t)size) != 0) ok = 0;
    if (ok && edges(dst, size, &ref->crc_head, &ref->crc_tail) < 0) ok = 0;
    if (ok && fsync(dst) != 0) ok = 0;
    if (dst >= 0) close(dst);
    close(src);
    if (!ok) {
        if (dst >= 0) unlinkat(dir_fd, ref->name, 0);
        return -1;
    }
    ref->size = size;
    made++;
    return 0;
}

int reflink_sync(char *err, size_t errlen)
{
    int r = 0;
    if (dir_fd < 0) return 0;
    if (made && fsync(dir_fd) != 0) r = text_fail(err, errlen, "cannot make the clones of saved files durable: ", strerror(errno), 0);
    const char *dir = stasis_image_files_dir();
    if (dir && dir_made && !made) rmdir(dir); /* made for nothing (no reflink here) */
    if (dir && dir_made && made && r == 0) {
        /* the folder's own entry, in the checkpoint directory */
        char parent[4400];
        text_fail(parent, sizeof parent, dir, 0, 0);
        char *slash = strrchr(parent, '/');
        if (slash) *(slash == parent ? slash + 1 : slash) = 0;
        int p = open(slash ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p < 0 || fsync(p) != 0) r = text_fail(err, errlen, "cannot make the folder of clones durable: ", dir, 0);
        if (p >= 0) close(p);
    }
    close(dir_fd);
    dir_fd = -1;
    return r;
}

static struct {
    void *p;
    size_t len;
} maps[MAPS_MAX];
static int nmaps;

const uint8_t *reflink_map(const struct reflink_ref *ref, char *why, size_t whylen)
{
    static char path[4600];
    static const char head[] = " was saved as a copy-on-write clone beside the image, ";
    const char *dir = stasis_image_files_dir();
    char name[sizeof ref->name + 1];
    memcpy(name, ref->name, sizeof ref->name);
    name[sizeof ref->name] = 0;
    text_fail(path, sizeof path, dir ? dir : "(no image folder)", "/", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        text_fail(why, whylen, head, path,
                  errno == ENOENT ? ", which is gone (an image needs its .files folder beside it, under the same name:"
                                    " move or copy them together)"
                                  : ", which cannot be opened");
        return 0;
    }
    struct stat st;
    uint32_t h = 0, t = 0;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != ref->size || edges(fd, ref->size, &h, &t) < 0 ||
        h != ref->crc_head || t != ref->crc_tail) {
        close(fd);
        text_fail(why, whylen, head, path, ", which is not the clone the checkpoint made (its size or contents differ)");
        return 0;
    }
    static const uint8_t empty[1];
    if (!ref->size) {
        close(fd);
        return empty;
    }
    void *p = nmaps < MAPS_MAX ? mmap(0, ref->size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED) {
        text_fail(why, whylen, head, path, ", which cannot be mapped to be read");
        return 0;
    }
    maps[nmaps].p = p;
    maps[nmaps].len = ref->size;
    nmaps++;
    return p;
}

void reflink_unmap_all(void)
{
    for (int i = 0; i < nmaps; i++) munmap(maps[i].p, maps[i].len);
    nmaps = 0;
}
