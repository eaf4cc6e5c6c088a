/* Memory the program keeps from its children: MADV_DONTFORK and MADV_WIPEONFORK.
 *
 * The image is written by a copy-on-write child of the program (writer.c). A region marked
 * MADV_DONTFORK is not in that child at all, and one marked MADV_WIPEONFORK is there but
 * empty, so without care both would be missing from the image, and the restarted program
 * would fault on them or read zeros. V8 (Node.js) marks its whole heap and code space
 * MADV_DONTFORK, so every Node.js restart crashed.
 *
 * So, while the program's threads are stopped and just before the clone, the checkpoint
 * thread finds those regions (the "dc" and "wf" flags in /proc/self/smaps), lifts the marks
 * (MADV_DOFORK, MADV_KEEPONFORK), makes the child, and puts the marks back at once. The
 * child records the marks with the regions (SX_R_DONTFORK, SX_R_WIPEONFORK) so that the
 * restorer puts them back too and the restarted program's own forks behave as before.
 *
 * Reading smaps walks every page table and costs about 10 ms per GiB of resident memory,
 * which would lengthen every checkpoint's pause. The regions can only be marked by madvise,
 * so the agent's madvise (and syscall(SYS_madvise)) wrapper notes that the program ever asked
 * for either mark, and smaps is read only then. The note is ordinary memory of the process,
 * so it survives a restart with the image. */
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "sys.h"
#include "text.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

#define MAX_RANGES 65536

struct range {
    uint64_t start, end;
    uint32_t kind; /* SX_R_DONTFORK and/or SX_R_WIPEONFORK */
};

static volatile int marks_seen;
static struct range *ranges; /* mapped on first need: MAX_RANGES records */
static int nranges;
static int lifted; /* ranges [0, lifted) have their marks taken off right now */

void sx_nofork_note_advice(int advice)
{
    if (advice == MADV_DONTFORK || advice == MADV_WIPEONFORK) __atomic_store_n(&marks_seen, 1, __ATOMIC_RELAXED);
}

/* libc's madvise is the bare system call; making it here needs no dlsym, which is not safe
 * from everywhere a program may call madvise (an allocator of its own, early start). */
__attribute__((visibility("default"))) int madvise(void *addr, size_t len, int advice)
{
    sx_nofork_note_advice(advice);
    long r = SX_SYS3(__NR_madvise, addr, len, advice);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return 0;
}

/* The two-letter flags of one "VmFlags:" line. */
static uint32_t kind_of_flags(const char *p, const char *end)
{
    uint32_t k = 0;
    while (p + 1 < end) {
        if (p[0] == 'd' && p[1] == 'c' && (p + 2 == end || p[2] == ' ' || p[2] == '\n')) k |= SX_R_DONTFORK;
        if (p[0] == 'w' && p[1] == 'f' && (p + 2 == end || p[2] == ' ' || p[2] == '\n')) k |= SX_R_WIPEONFORK;
        while (p < end && *p != ' ') p++;
        while (p < end && *p == ' ') p++;
    }
    return k;
}

static void handle_line(const char *line, size_t len, uint64_t *cur_start, uint64_t *cur_end, int *overflow)
{
    if (len == 0) return;
    char c = line[0];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) { /* a region's first line */
        const char *p = line;
        *cur_start = sx_parse_u64(&p, 16);
        p++;
        *cur_end = sx_parse_u64(&p, 16);
        return;
    }
    if (len > 8 && sx_startswith(line, "VmFlags:")) {
        uint32_t k = kind_of_flags(line + 8, line + len);
        if (!k) return;
        if (nranges == MAX_RANGES) {
            *overflow = 1;
            return;
        }
        ranges[nranges++] = (struct range){*cur_start, *cur_end, k};
    }
}

/* Lists the marked regions from /proc/self/smaps. 0, or -1 with a reason in err. */
static int find_marked(char *err, size_t errlen)
{
    static char buf[65536];
    static char line[4096];
    nranges = 0;
    if (!ranges) {
        long p = sx_mmap(0, MAX_RANGES * sizeof(struct range), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p < 0 && p > -4096) {
            sx_copy_str(err, errlen, "no memory to list the regions marked MADV_DONTFORK");
            return -1;
        }
        ranges = (struct range *)p;
    }
    int fd = (int)sx_open("/proc/self/smaps", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        sx_copy_str(err, errlen, "cannot read /proc/self/smaps for the regions marked MADV_DONTFORK");
        return -1;
    }
    uint64_t cur_start = 0, cur_end = 0;
    int overflow = 0;
    size_t ll = 0;
    for (;;) {
        long got = sx_read(fd, buf, sizeof buf);
        if (got == -EINTR) continue;
        if (got < 0) {
            sx_close(fd);
            sx_copy_str(err, errlen, "cannot read /proc/self/smaps for the regions marked MADV_DONTFORK");
            return -1;
        }
        if (got == 0) break;
        for (long i = 0; i < got; i++) {
            if (buf[i] != '\n') {
                if (ll < sizeof line - 1) line[ll++] = buf[i];
                continue;
            }
            line[ll] = 0;
            handle_line(line, ll, &cur_start, &cur_end, &overflow);
            ll = 0;
        }
    }
    sx_close(fd);
    if (overflow) {
        sx_copy_str(err, errlen, "too many memory regions marked MADV_DONTFORK or MADV_WIPEONFORK");
        return -1;
    }
    return 0;
}

static long set_marks(const struct range *r, int on)
{
    uint64_t len = r->end - r->start;
    if (r->kind & SX_R_DONTFORK) {
        long e = SX_SYS3(__NR_madvise, r->start, len, on ? MADV_DONTFORK : MADV_DOFORK);
        if (e < 0) return e;
    }
    if (r->kind & SX_R_WIPEONFORK) {
        long e = SX_SYS3(__NR_madvise, r->start, len, on ? MADV_WIPEONFORK : MADV_KEEPONFORK);
        if (e < 0) return e;
    }
    return 0;
}

int sx_nofork_lift(char *err, size_t errlen)
{
    nranges = 0;
    lifted = 0;
    if (!__atomic_load_n(&marks_seen, __ATOMIC_RELAXED)) return 0;
    if (find_marked(err, errlen) < 0) return -1;
    for (int i = 0; i < nranges; i++) {
        long e = set_marks(&ranges[i], 0);
        if (e < 0) {
            sx_nofork_restore();
            struct sx_buf b;
            sx_buf_init(&b, err, errlen);
            sx_buf_add(&b, "cannot take the fork mark off memory at 0x");
            sx_buf_hex(&b, ranges[i].start, 1);
            sx_buf_add(&b, " for the image: ");
            sx_buf_add(&b, sx_errno_text(e));
            return -1;
        }
        lifted = i + 1;
    }
    return 0;
}

void sx_nofork_restore(void)
{
    for (int i = 0; i < lifted; i++) {
        long e = set_marks(&ranges[i], 1);
        if (e < 0) sx_log(1, "cannot mark memory MADV_DONTFORK again after a checkpoint: ", sx_errno_text(e), 0);
    }
    lifted = 0;
}

uint32_t sx_nofork_kind(uint64_t start, uint64_t *end)
{
    /* smaps lists regions in address order, so the ranges are sorted: the first that ends
     * above start is the only one that can hold it or cut [start, *end) */
    int lo = 0, hi = nranges;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ranges[mid].end <= start) lo = mid + 1;
        else hi = mid;
    }
    if (lo == nranges) return 0;
    const struct range *r = &ranges[lo];
    if (r->start <= start) {
        if (r->end < *end) *end = r->end;
        return r->kind;
    }
    if (r->start < *end) *end = r->start;
    return 0;
}
