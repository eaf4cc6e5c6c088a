/* The folder beside an image for files plugins keep outside it (SDK 1.4,
 * stasis_image_files_dir): "ckpt_<program>_<id>.files" next to "ckpt_<program>_<id>.dmtcp".
 * The files plugin puts copy-on-write clones of large files there rather than their bytes in
 * the image.
 *
 * Files in it are named "g<generation>-..." and belong to that generation's image. They must
 * not pile up, yet the committed image's must stay until a newer image has replaced it: a
 * checkpoint that fails halfway leaves the previous image the one to restart from, and it
 * refers to its own generation's files. So the agent, which alone knows when this process's
 * image is committed (the rename at COMMIT), sweeps the folder there: every other generation's
 * files go (the previous image's, now replaced, and any left by a generation that failed or by
 * a run killed mid-checkpoint); at an abort the aborted generation's go. Raw system calls only:
 * this runs on the checkpoint thread while the program runs, maybe inside libc. */
#include "agent.h"
#include "sys.h"
#include "text.h"

#include <fcntl.h>

void sx_image_files_dir(const char *image, char *out, size_t cap)
{
    static const char ext[] = ".dmtcp";
    size_t n = sx_strlen(image), e = sizeof ext - 1;
    if (n >= e && sx_streq(image + n - e, ext)) n -= e;
    struct sx_buf b;
    sx_buf_init(&b, out, cap);
    sx_buf_addn(&b, image, n);
    sx_buf_add(&b, ".files");
}

/* "g<digits>-": the generation a file belongs to; -1 for a name that is not ours. */
static int64_t generation_of(const char *name)
{
    if (name[0] != 'g' || name[1] < '0' || name[1] > '9') return -1;
    int64_t g = 0;
    const char *p = name + 1;
    for (; *p >= '0' && *p <= '9' && g < (1ll << 40); p++) g = g * 10 + (*p - '0');
    return *p == '-' ? g : -1;
}

/* One pass over the folder; returns how many files it removed. */
static int sweep_pass(int dfd, uint32_t gen, int keep)
{
    static char buf[16384];
    int removed = 0;
    if (SX_SYS3(__NR_lseek, dfd, 0, 0 /* SEEK_SET */) < 0) return 0;
    for (;;) {
        long got = SX_SYS3(__NR_getdents64, dfd, buf, sizeof buf);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            /* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name */
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            const char *name = buf + off + 19;
            int64_t g = generation_of(name);
            int mine = g == (int64_t)gen;
            if (g >= 0 && (keep ? !mine : mine) && SX_SYS3(__NR_unlinkat, dfd, name, 0) == 0) removed++;
            off += reclen;
        }
    }
    return removed;
}

void sx_image_files_sweep(const char *dir, uint32_t gen, int keep)
{
    int dfd = (int)sx_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd < 0) return; /* no folder: nothing was kept outside the image */
    /* removing entries while reading the directory may hide some from this pass: again until
     * a pass finds none */
    for (int i = 0; i < 8 && sweep_pass(dfd, gen, keep) > 0; i++) {}
    sx_close(dfd);
    SX_SYS1(__NR_rmdir, dir); /* only when empty: fails otherwise, which is fine */
}
