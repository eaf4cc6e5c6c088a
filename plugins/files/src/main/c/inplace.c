/* Files changed in place after a checkpoint (see inplace.h and docs/architecture.md, "Files
 * changed in place").
 *
 * Appending was always caught (the file is longer at restart and is cut back), rewriting the
 * middle was not: a database the abandoned run kept committing to came back newer than the
 * program's memory, and the program failed later on a constraint. So at each checkpoint every
 * regular file open for writing is noted: inode, size, modification and change time (ns), and
 * either its contents go into the image (the policy: each file up to PER_FILE, all of them up
 * to TOTAL per process) or, for larger ones, a CRC32C per 1 MiB block is kept in this plugin's
 * memory, which is part of the image: 4 bytes per MiB, so 4 KiB for a 1 GiB file.
 *
 * Cost. Fingerprinting reads the file while the program's threads are stopped: from the page
 * cache at a few GB/s, CRC32C with SSE4.2 faster than that (docs give the numbers measured), so
 * roughly a quarter of a second per GiB. It is paid only for a file that changed since the
 * previous checkpoint: an unchanged one (same inode, size, mtime and ctime, its ctime older than
 * that checkpoint by more than the time stamp granularity) keeps its fingerprints. At restart
 * the same test skips the file; otherwise the blocks up to the checkpoint's size are read again
 * and compared.
 *
 * Time stamps alone would not do: a write within the same clock tick as the checkpoint leaves
 * mtime and ctime equal, so a change time less than MARGIN_NS before the notes were taken is
 * never trusted. */
#define _GNU_SOURCE
#include "inplace.h"

#include <stasis/plugin.h>

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1u << 20)
#define NOTES_MAX 65536 /* as many as the files plugin has records (MAX_FDS): every file open for writing gets one */
#define FP_MAX (1u << 20)                   /* blocks per generation: 1 TiB of files */
#define MARGIN_NS (2ll * 1000 * 1000 * 1000) /* beyond any file system's time stamp granularity */
#define DEFAULT_PER_FILE (16ull << 20)
#define DEFAULT_TOTAL (64ull << 20)

struct note {
    int32_t fd;
    int32_t fp_valid;  /* fingerprints were taken */
    uint64_t ino, dev, size;
    int64_t mtime_ns, ctime_ns, taken_ns;
    uint32_t fp_off, fp_count; /* in fps[] of the same generation slot */
};

/* Two slots: this generation's notes, and the previous one's to reuse fingerprints from. The
 * slot in use after a restart is the checkpoint's (this memory is restored). */
static struct note notes[2][NOTES_MAX];
static uint32_t nnotes[2];
static uint32_t fps[2][FP_MAX];
static uint32_t nfps[2];
static int slot;
static uint64_t per_file = DEFAULT_PER_FILE, total = DEFAULT_TOTAL, taken;
static int64_t now_ns;

/* "16M", "1G", "4096": bytes; -1 when it is none of these. */
static int64_t parse_size(const char *s, const char **end)
{
    if (*s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (1ull << 50)) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    int shift = *s == 'K' || *s == 'k' ? 10 : *s == 'M' || *s == 'm' ? 20 : *s == 'G' || *s == 'g' ? 30 : 0;
    if (shift) s++;
    if (v > (1ull << 50) >> shift) return -1;
    *end = s;
    return (int64_t)(v << shift);
}

/* The policy; a value that cannot be read keeps the defaults, with a warning (the launch checks
 * the option, so only a variable set by hand gets here). */
static void read_policy(void)
{
    per_file = DEFAULT_PER_FILE;
    total = DEFAULT_TOTAL;
    const char *v = getenv("STASIS_SAVE_WRITTEN_FILES");
    if (!v || !v[0]) return;
    const char *end;
    int64_t a = parse_size(v, &end), b = -1;
    if (a >= 0 && *end == ',') b = parse_size(end + 1, &end);
    else if (a >= 0 && *end == 0) b = a == 0 ? 0 : (int64_t)(DEFAULT_TOTAL > (uint64_t)a ? DEFAULT_TOTAL : (uint64_t)a);
    if (a < 0 || b < 0 || *end != 0) {
        text_warn("STASIS_SAVE_WRITTEN_FILES=", v, " is not PER_FILE[,TOTAL] (such as 16M,64M): the defaults apply");
        return;
    }
    per_file = (uint64_t)a;
    total = (uint64_t)b;
}

void inplace_begin(void)
{
    read_policy();
    slot ^= 1;
    nnotes[slot] = 0;
    nfps[slot] = 0;
    taken = 0;
    struct timespec ts;
    now_ns = clock_gettime(CLOCK_REALTIME, &ts) == 0 ? ts.tv_sec * 1000000000ll + ts.tv_nsec : 0;
}

int inplace_take(uint64_t size)
{
    if (!per_file || size > per_file || size > total - taken) return 0;
    taken += size;
    return 1;
}

void inplace_release(uint64_t size) { taken = size < taken ? taken - size : 0; }

static int64_t ns(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

/* The file has not changed since the note was taken, by its inode, size and times; trusted only
 * when its last change was clearly before the note. */
static int unchanged_since(const struct note *n, const struct stat *st)
{
    return n->ino == (uint64_t)st->st_ino && n->dev == (uint64_t)st->st_dev && n->size == (uint64_t)st->st_size &&
           n->mtime_ns == ns(st->st_mtim) && n->ctime_ns == ns(st->st_ctim) && n->ctime_ns + MARGIN_NS < n->taken_ns;
}

static const struct note *find(int s, int fd)
{
    for (uint32_t i = 0; i < nnotes[s]; i++)
        if (notes[s][i].fd == fd) return &notes[s][i];
    return 0;
}

/* A descriptor for reading the file open as fd (which may be open for writing only). */
static int open_for_reading(int fd)
{
    char num[24], link[40];
    text_uint(num, (unsigned)fd);
    text_fail(link, sizeof link, "/proc/self/fd/", num, 0);
    return open(link, O_RDONLY | O_CLOEXEC);
}

/* Reads up to len bytes at off; returns how many (short at the end of the file), or -1. */
static int64_t read_at(int fd, uint8_t *buf, uint64_t len, uint64_t off)
{
    uint64_t done = 0;
    while (done < len) {
        ssize_t got = pread(fd, buf + done, len - done, (off_t)(off + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        if (got == 0) break;
        done += (uint64_t)got;
    }
    return (int64_t)done;
}

static uint8_t *block_buffer(void)
{
    void *b = mmap(0, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return b == MAP_FAILED ? 0 : b;
}

/* CRC32C of each block of [0, size) of rfd into out; 0, or -1 when the file cannot be read
 * that far. */
static int fingerprint(int rfd, uint64_t size, uint32_t *out)
{
    uint8_t *buf = block_buffer();
    if (!buf) return -1;
    int r = 0;
    for (uint64_t off = 0, i = 0; off < size && r == 0; off += BLOCK, i++) {
        uint64_t n = size - off < BLOCK ? size - off : BLOCK;
        if (read_at(rfd, buf, n, off) != (int64_t)n) r = -1;
        else out[i] = stasis_crc32c(0, buf, n);
    }
    munmap(buf, BLOCK);
    return r;
}

int inplace_note(int fd, int with_fingerprint, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return 0; /* nothing to note: restart finds no note and says so */
    if (nnotes[slot] == NOTES_MAX) return 0;
    struct note *n = &notes[slot][nnotes[slot]++];
    memset(n, 0, sizeof *n);
    n->fd = fd;
    n->ino = (uint64_t)st.st_ino;
    n->dev = (uint64_t)st.st_dev;
    n->size = (uint64_t)st.st_size;
    n->mtime_ns = ns(st.st_mtim);
    n->ctime_ns = ns(st.st_ctim);
    n->taken_ns = now_ns;
    if (!with_fingerprint) return 0;
    uint64_t blocks = (n->size + BLOCK - 1) / BLOCK;
    if (blocks > FP_MAX - nfps[slot]) return 0; /* beyond the table: restart cannot tell, and says so */
    n->fp_off = nfps[slot];
    n->fp_count = (uint32_t)blocks;
    /* the same file unchanged since the previous checkpoint: its fingerprints still hold */
    const struct note *old = 0;
    for (uint32_t i = 0; i < nnotes[slot ^ 1] && !old; i++) {
        const struct note *o = &notes[slot ^ 1][i];
        if (o->fp_valid && o->fp_count == blocks && unchanged_since(o, &st)) old = o;
    }
    if (old) {
        memcpy(&fps[slot][n->fp_off], &fps[slot ^ 1][old->fp_off], blocks * sizeof(uint32_t));
    } else {
        int rfd = open_for_reading(fd);
        if (rfd < 0) return 0; /* write-only for us: restart cannot tell if it changed, and says so */
        int r = fingerprint(rfd, n->size, &fps[slot][n->fp_off]);
        close(rfd);
        if (r < 0) {
            char path[600];
            char link[40], num[24];
            text_uint(num, (unsigned)fd);
            text_fail(link, sizeof link, "/proc/self/fd/", num, 0);
            ssize_t k = readlink(link, path, sizeof path - 1);
            path[k > 0 ? k : 0] = 0;
            return text_fail(err, errlen, "cannot read ", path, " to fingerprint it (a file open for writing)");
        }
    }
    nfps[slot] += (uint32_t)blocks;
    n->fp_valid = 1;
    return 0;
}

/* " in place since the checkpoint (bytes A to B differ, and more may)": the first block that
 * differs, within the checkpoint's size. */
static void differ_text(char *out, size_t cap, uint64_t block, uint64_t size)
{
    char a[24], b[24], head[80];
    uint64_t end = (block + 1) * BLOCK < size ? (block + 1) * BLOCK : size;
    text_uint(a, (unsigned long)(block * BLOCK));
    text_uint(b, (unsigned long)(end ? end - 1 : 0));
    text_fail(head, sizeof head, " in place since the checkpoint (bytes ", a, " to ");
    text_fail(out, cap, head, b, " differ, and more may)");
}

int inplace_changed(int fd, const char *path, uint64_t size, char *why, size_t whylen)
{
    static const char remedy[] = "; it was not saved in the image (larger than --save-written-files allows): launch with --ckpt-open-files to save it";
    const struct note *n = find(slot, fd);
    struct stat st;
    if (n && stat(path, &st) == 0 && unchanged_since(n, &st)) return 0;
    if (!n || !n->fp_valid || n->size != size) {
        text_fail(why, whylen, " may have been changed in place since the checkpoint (it could not be fingerprinted)", remedy, 0);
        return -1;
    }
    int rfd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t *buf = block_buffer();
    int r = 0;
    for (uint64_t off = 0, i = 0; off < size && r == 0 && rfd >= 0 && buf; off += BLOCK, i++) {
        uint64_t len = size - off < BLOCK ? size - off : BLOCK;
        int64_t got = read_at(rfd, buf, len, off);
        if (got < 0) r = -1;
        else if (got != (int64_t)len || stasis_crc32c(0, buf, len) != fps[slot][n->fp_off + i]) {
            char d[160];
            differ_text(d, sizeof d, i, size);
            text_fail(why, whylen, " was changed", d, remedy);
            r = 1;
        }
    }
    if (rfd < 0 || !buf || r < 0) {
        text_fail(why, whylen, " may have been changed in place since the checkpoint (it cannot be read to compare)", remedy, 0);
        r = -1;
    }
    if (buf) munmap(buf, BLOCK);
    if (rfd >= 0) close(rfd);
    return r;
}

int inplace_unchanged(int fd, const struct stat *st, uint64_t len)
{
    const struct note *n = find(slot, fd);
    return n && n->size == len && unchanged_since(n, st);
}

int inplace_put_back(int fd, int out, const uint8_t *data, uint64_t len)
{
    const struct note *n = find(slot, fd);
    struct stat st;
    if (fstat(out, &st) != 0) return -1;
    if (n && n->size == len && unchanged_since(n, &st)) return 0;
    uint8_t *buf = block_buffer();
    if (!buf) return -1;
    int wrote = 0, r = 0;
    for (uint64_t off = 0; off < len && r == 0; off += BLOCK) {
        uint64_t k = len - off < BLOCK ? len - off : BLOCK;
        int64_t got = read_at(out, buf, k, off);
        if (got == (int64_t)k && memcmp(buf, data + off, k) == 0) continue;
        for (uint64_t done = 0; done < k;) {
            ssize_t w = pwrite(out, data + off + done, k - done, (off_t)(off + done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                r = -1;
                break;
            }
            done += (uint64_t)w;
        }
        wrote = 1;
    }
    munmap(buf, BLOCK);
    if (r == 0 && (uint64_t)st.st_size > len && ftruncate(out, (off_t)len) != 0) r = -1;
    return r < 0 ? -1 : wrote;
}
