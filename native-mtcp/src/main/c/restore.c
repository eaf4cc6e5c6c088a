/* stasis-restore: turns this fresh process into the one saved in an image.
 *
 * Freestanding (no libc): it tears down its own address space. Steps:
 *   1. check the whole image (header, every checksum, trailer, files it maps, vdso layout)
 *      while nothing has been touched yet: any problem exits 2 with a message;
 *   2. copy itself, its stack and the image into a hole that no saved region uses;
 *   3. unmap everything else, move the kernel's vdso/vvar to the saved addresses, map every
 *      saved region and fill in the saved pages;
 *   4. restore the mm layout (brk, stack, args), tell the agent how to rejoin, recreate the
 *      threads and jump into each one's saved place inside the agent. */
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "clone_thread.h"
#include "crc32c.h"
#include "image_format.h"
#include "lz4.h"
#include "restore_tree.h"
#include "sys.h"
#include "text.h"

void sx_switch_stack(void *stack_top, void (*fn)(void)) __attribute__((noreturn));
void sx_resume_ctx(const struct sx_ctx *c) __attribute__((noreturn));
extern char __executable_start[], _end[];

#define MAX_INTERVALS 70000
#define MAX_FILLERS 8 /* threads that check and fill memory, at most one per core */
#define STACK_SIZE (1024 * 1024)
#define THREAD_STACK (32 * 1024)
#define EXIT_REFUSED 2
#define EXIT_BROKEN 3

struct interval {
    uint64_t start, end;
};

struct special {
    uint64_t cur, len, saved;
};

/* All state lives here, reached RIP-relative, so the restorer still works after copying
 * itself elsewhere; the only pointers in it are fixed up on that move. */
static struct {
    char image[4096];
    char host[64], secret[128], ckptdir[4096], disabled[512];
    uint32_t port, quiet, have_ckptdir;
    uint8_t *img;
    uint64_t img_len;
    uint64_t off_process, off_threads, off_regions;
    struct special special[3]; /* vvar, vvar_vclock, vdso */
    uint64_t hole, hole_len, img_off_in_hole, stack_off, threads_off, fillers_off, temp_off;
    uint32_t nfillers;
    uint32_t npids;
    struct sx_tree_pid pids[SX_TREE_MAX];
    struct interval iv[MAX_INTERVALS];
    long niv;
} R;

/* ---- output ---- */

static void say(const char *a, const char *b, const char *c)
{
    char mem[1200];
    struct sx_buf l;
    sx_buf_init(&l, mem, sizeof mem);
    sx_buf_add(&l, "stasis-restore: ");
    sx_buf_add(&l, a);
    sx_buf_add(&l, b ? b : "");
    sx_buf_add(&l, c ? c : "");
    sx_buf_add(&l, "\n");
    sx_write_all(2, l.p, l.len);
}

static __attribute__((noreturn)) void refuse(const char *problem, const char *detail)
{
    char mem[1024];
    struct sx_buf l;
    sx_buf_init(&l, mem, sizeof mem);
    sx_buf_add(&l, R.image);
    sx_buf_add(&l, ": ");
    sx_buf_add(&l, problem);
    say(mem, detail, 0);
    sx_tree_refused();
    sx_exit_group(EXIT_REFUSED);
}

static __attribute__((noreturn)) void broken(const char *what, long err)
{
    say("restart failed after the old process image was torn down: ", what, err ? sx_errno_text(err) : "");
    sx_exit_group(EXIT_BROKEN);
}

/* ---- arguments ---- */

static const char *env_get(char **envp, const char *name)
{
    size_t n = sx_strlen(name);
    for (; *envp; envp++)
        if (sx_startswith(*envp, name) && (*envp)[n] == '=') return *envp + n + 1;
    return 0;
}

static void read_args(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc < 2 || argv[1][0] == '-') {
        say("usage: stasis-restore IMAGE...   (normally run by dmtcp_restart / stasis restart)", 0, 0);
        sx_exit_group(EXIT_REFUSED);
    }
    /* one process per image, forked into the tree the images describe; this one takes its own */
    int mine = sx_tree_fork(argv + 1, (int)argc - 1);
    sx_copy_str(R.image, sizeof R.image, argv[1 + mine]);
    const char *v;
    if ((v = env_get(envp, "STASIS_COORD_HOST"))) sx_copy_str(R.host, sizeof R.host, v);
    if ((v = env_get(envp, "STASIS_COORD_SECRET"))) sx_copy_str(R.secret, sizeof R.secret, v);
    if ((v = env_get(envp, "STASIS_COORD_PORT"))) R.port = (uint32_t)sx_parse_u64(&v, 10);
    if ((v = env_get(envp, "STASIS_QUIET"))) R.quiet = (uint32_t)sx_parse_u64(&v, 10);
    if ((v = env_get(envp, "STASIS_DISABLED_PLUGINS"))) sx_copy_str(R.disabled, sizeof R.disabled, v);
    if ((v = env_get(envp, "STASIS_CKPT_DIR")) && v[0]) {
        sx_copy_str(R.ckptdir, sizeof R.ckptdir, v);
        R.have_ckptdir = 1;
    }
}

/* ---- checking the image ---- */

static uint32_t cpu_count(void)
{
    uint64_t mask[16] = {0};
    long n = SX_SYS3(__NR_sched_getaffinity, 0, sizeof mask, mask);
    uint32_t c = 0;
    for (long i = 0; i < n / 8; i++)
        for (uint64_t m = mask[i]; m; m &= m - 1) c++; /* no libgcc here for popcount */
    if (c < 1) c = 1;
    return c > MAX_FILLERS ? MAX_FILLERS : c;
}


static const struct sx_image_header *hdr(void) { return (const struct sx_image_header *)R.img; }
static const struct sx_region *regions(uint32_t *n)
{
    const uint32_t *head = (const uint32_t *)(R.img + R.off_regions);
    *n = head[0];
    return (const struct sx_region *)(head + 2);
}
static const struct sx_thread_record *threads(uint32_t *n)
{
    const uint32_t *head = (const uint32_t *)(R.img + R.off_threads);
    *n = head[0];
    return (const struct sx_thread_record *)(head + 2);
}

static void map_image(void)
{
    int fd = (int)sx_open(R.image, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) refuse("cannot open: ", sx_errno_text(fd));
    struct stat st;
    if (SX_SYS2(__NR_fstat, fd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFREG) refuse("not a regular file", 0);
    if (st.st_size == 0) refuse("the file is empty", 0);
    if ((uint64_t)st.st_size < SX_HEADER_SIZE) refuse("too short to be a checkpoint image", 0);
    R.img_len = ((uint64_t)st.st_size + SX_PAGE - 1) & ~(SX_PAGE - 1);
    long p = sx_mmap(0, R.img_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    sx_close(fd);
    if (p < 0 && p > -4096) refuse("cannot map: ", sx_errno_text(p));
    R.img = (uint8_t *)p;
    R.img_len = (uint64_t)st.st_size;
}

/* Payload checksums, checked by one thread per core before anything is torn down.
 * Checker k takes every n-th section; any mismatch is reported once all have finished. */
static volatile int checker_tid[MAX_FILLERS];
static volatile int payload_bad;

/* Work sharing for the checker and filler threads: each claims the next section from a shared
 * counter, so a thread that drew cheap sections takes more. Each walks the list once (forward
 * only, claims only grow), so the cost stays linear. */
static volatile long next_section;

static void each_claimed_section(void (*fn)(const struct sx_section_header *, const uint8_t *))
{
    long index = 0;
    uint64_t off = SX_HEADER_SIZE;
    for (;;) {
        long want = __atomic_fetch_add(&next_section, 1, __ATOMIC_SEQ_CST);
        const struct sx_section_header *s = (const void *)(R.img + off);
        while (index < want && s->type != SX_SEC_TRAILER) {
            off += sizeof *s + s->payload_size;
            s = (const void *)(R.img + off);
            index++;
        }
        if (s->type == SX_SEC_TRAILER) return;
        fn(s, R.img + off + sizeof *s);
    }
}

static void check_section(const struct sx_section_header *s, const uint8_t *payload)
{
    if (sx_crc32c(0, payload, s->payload_size) != s->payload_crc) payload_bad = 1;
}

static void check_part(const void *arg)
{
    each_claimed_section(check_section);
    if ((long)arg != 0) sx_exit(0);
}

static void verify_payloads(void)
{
    uint64_t stack_len = (uint64_t)(MAX_FILLERS + 1) * 64 * 1024;
    long stacks = sx_mmap(0, stack_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t n = (stacks < 0 && stacks > -4096) ? 1 : R.nfillers;
    next_section = 0;
    for (uint32_t k = 1; k < n; k++)
        if (sx_clone_thread(SX_CLONE_THREAD_FLAGS | SX_CLONE_PARENT_SETTID | SX_CLONE_CHILD_CLEARTID,
                            (uint8_t *)stacks + (uint64_t)(k + 1) * 64 * 1024, 0, check_part, (const void *)(long)k,
                            (int *)&checker_tid[k]) < 0)
            payload_bad = 2;
    check_part((const void *)0);
    for (uint32_t k = 1; k < n; k++) sx_clone_thread_join(&checker_tid[k]);
    if (payload_bad == 2) refuse("cannot start checker threads", 0);
    if (payload_bad) refuse("corrupt data (checksum mismatch in a section)", 0);
}

/* A table section's count and record size agree with its payload size. */
static int table_fits(uint64_t body, uint64_t record_size)
{
    const struct sx_section_header *h = (const void *)(R.img + body - sizeof *h);
    const uint32_t *head = (const uint32_t *)(R.img + body);
    return h->payload_size >= 8 && head[1] == record_size && (uint64_t)head[0] * record_size + 8 == h->payload_size;
}

static void check_image(void)
{
    struct sx_image_header h = *hdr();
    if (sx_strlen(SX_IMAGE_MAGIC) != 8 || *(const uint64_t *)h.magic != *(const uint64_t *)SX_IMAGE_MAGIC)
        refuse("not a Stasis checkpoint image", 0);
    if (h.version > SX_IMAGE_VERSION) refuse("written by a newer Stasis (format version too new)", 0);
    uint32_t want = h.header_crc;
    h.header_crc = 0;
    if (sx_crc32c(0, &h, sizeof h) != want) refuse("corrupt header (checksum mismatch)", 0);
    if (!sx_streq(h.arch, "x86_64")) refuse("made on another architecture: ", h.arch);

    uint64_t off = SX_HEADER_SIZE, count = 0;
    for (;;) {
        if (off + sizeof(struct sx_section_header) > R.img_len)
            refuse("truncated or incomplete: no completion trailer (was the checkpoint interrupted?)", 0);
        const struct sx_section_header *s = (const void *)(R.img + off);
        if (sx_crc32c(0, s, offsetof(struct sx_section_header, header_crc)) != s->header_crc)
            refuse("corrupt section header (checksum mismatch)", 0);
        uint64_t body = off + sizeof *s;
        if (s->payload_size > R.img_len - body) refuse("truncated: a section runs past the end of the file", 0);
        if (s->type == SX_SEC_TRAILER) {
            if (sx_crc32c(0, R.img + body, s->payload_size) != s->payload_crc) refuse("corrupt trailer", 0);
            const struct sx_trailer *t = (const void *)(R.img + body);
            if (s->payload_size < sizeof *t || t->sections != count || t->trailer_offset != off)
                refuse("inconsistent trailer", 0);
            break;
        }
        if (s->type == SX_SEC_PROCESS) R.off_process = body;
        if (s->type == SX_SEC_THREADS) R.off_threads = body;
        if (s->type == SX_SEC_REGIONS) R.off_regions = body;
        if (s->type == SX_SEC_MEMORY && (s->flags & SX_SECF_LZ4) == 0 && s->payload_size != s->raw_size)
            refuse("corrupt memory section", 0);
        count++;
        off = body + s->payload_size;
    }
    if (!R.off_process || !R.off_threads || !R.off_regions) refuse("incomplete: a required section is missing", 0);
    if (!table_fits(R.off_threads, sizeof(struct sx_thread_record)) || !table_fits(R.off_regions, sizeof(struct sx_region)))
        refuse("corrupt thread or region table", 0);
    verify_payloads();
    uint32_t nt;
    const struct sx_thread_record *t = threads(&nt);
    int leader = 0;
    for (uint32_t i = 0; i < nt; i++) leader |= (t[i].flags & SX_T_LEADER) != 0;
    if (!nt || !leader) refuse("no main thread recorded", 0);
}

/* ---- the current address space ---- */

static char maps_buf[1 << 20];

/* Calls fn for every line of /proc/self/maps (start, end, name). */
static void each_mapping(void (*fn)(uint64_t, uint64_t, const char *))
{
    int fd = (int)sx_open("/proc/self/maps", O_RDONLY, 0);
    if (fd < 0) return;
    long len = 0, r;
    while (len < (long)sizeof maps_buf - 1 && (r = sx_read(fd, maps_buf + len, sizeof maps_buf - 1 - (size_t)len)) > 0)
        len += r;
    sx_close(fd);
    maps_buf[len] = 0;
    char *p = maps_buf;
    while (*p) {
        char *line = p;
        while (*p && *p != '\n') p++;
        if (*p) *p++ = 0;
        const char *q = line;
        uint64_t s = sx_parse_u64(&q, 16);
        q++;
        uint64_t e = sx_parse_u64(&q, 16);
        for (int field = 0; field < 4 && *q; field++) {
            while (*q == ' ') q++;
            while (*q && *q != ' ') q++;
        }
        while (*q == ' ') q++;
        fn(s, e, q);
    }
}

static int special_index(const char *name)
{
    if (sx_streq(name, "[vvar]")) return 0;
    if (sx_streq(name, "[vvar_vclock]")) return 1;
    if (sx_streq(name, "[vdso]")) return 2;
    return -1;
}

static void note_current(uint64_t s, uint64_t e, const char *name)
{
    int i = special_index(name);
    if (i >= 0) {
        R.special[i].cur = s;
        R.special[i].len = e - s;
    }
    if (R.niv < MAX_INTERVALS) R.iv[R.niv++] = (struct interval){s, e};
}

/* Regions whose contents come from their file alone: private mappings (only modified pages
 * are saved) and read-only shared ones (nothing is saved). The file must be unchanged. */
static int needs_file(const struct sx_region *r)
{
    if (!(r->kind & SX_R_FILE) || (r->kind & (SX_R_DELETED | SX_R_SAVED))) return 0;
    return !(r->kind & SX_R_SHARED) || !(r->prot & PROT_WRITE);
}

static void check_layout(void)
{
    uint32_t n;
    const struct sx_region *r = regions(&n);
    each_mapping(note_current);
    static const uint32_t kinds[3] = {SX_R_VVAR, SX_R_VVAR_VCLOCK, SX_R_VDSO};
    for (int i = 0; i < 3; i++) {
        uint64_t saved_len = 0;
        for (uint32_t k = 0; k < n; k++)
            if (r[k].kind & kinds[i]) {
                R.special[i].saved = r[k].start;
                saved_len = r[k].end - r[k].start;
            }
        if (saved_len != R.special[i].len)
            refuse("this kernel's vdso/vvar layout differs from the one the image was made on "
                   "(restart on a machine with the same kernel)", 0);
    }
    if (R.special[2].len && R.special[2].saved - R.special[0].saved != R.special[2].cur - R.special[0].cur)
        refuse("this kernel places vdso and vvar differently from the one the image was made on", 0);
    for (uint32_t k = 0; k < n; k++) {
        if (R.niv < MAX_INTERVALS) R.iv[R.niv++] = (struct interval){r[k].start, r[k].end};
        if (!needs_file(&r[k])) continue;
        struct stat st;
        long e = SX_SYS2(__NR_stat, r[k].path, &st);
        if (e < 0) refuse("needs a file that is gone: ", r[k].path);
        uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
        if ((uint64_t)st.st_size != r[k].file_size || mtime != r[k].file_mtime_ns)
            refuse("a file the program had mapped has changed since the checkpoint: ", r[k].path);
    }
}

/* Finds room for the restorer that no saved region and nothing mapped now uses. */
static uint64_t find_hole(uint64_t len)
{
    /* insertion sort: a few thousand intervals at most */
    for (long i = 1; i < R.niv; i++) {
        struct interval x = R.iv[i];
        long j = i - 1;
        while (j >= 0 && R.iv[j].start > x.start) {
            R.iv[j + 1] = R.iv[j];
            j--;
        }
        R.iv[j + 1] = x;
    }
    uint64_t cand = 0x10000000ull;
    for (long i = 0; i < R.niv; i++) {
        if (R.iv[i].end <= cand) continue;
        if (R.iv[i].start >= cand + len) break;
        cand = (R.iv[i].end + 0xfffffull) & ~0xfffffull;
    }
    if (cand + len > 0x7ff000000000ull) refuse("no free address range for the restorer", 0);
    return cand;
}

/* ---- phase 2, running from the hole ---- */

static void unmap_other(uint64_t s, uint64_t e, const char *name)
{
    if (s >= R.hole && e <= R.hole + R.hole_len) return;
    if (special_index(name) >= 0 || sx_streq(name, "[vsyscall]")) return;
    sx_munmap((void *)s, e - s);
}

static void move_specials(void)
{
    uint64_t temp = R.hole + R.temp_off;
    for (int i = 0; i < 3; i++) {
        if (!R.special[i].len) continue;
        long r = SX_SYS5(__NR_mremap, R.special[i].cur, R.special[i].len, R.special[i].len, 3, temp);
        if (r < 0) broken("cannot move the vdso: ", r);
        R.special[i].cur = temp;
        temp += R.special[i].len;
    }
    for (int i = 0; i < 3; i++) {
        if (!R.special[i].len) continue;
        long r = SX_SYS5(__NR_mremap, R.special[i].cur, R.special[i].len, R.special[i].len, 3, R.special[i].saved);
        if (r < 0) broken("cannot move the vdso: ", r);
    }
}

static int writable_during_fill(const struct sx_region *r)
{
    /* a read-only shared file mapping cannot be written; its file holds the data */
    return !((r->kind & SX_R_SHARED) && (r->kind & SX_R_FILE) && !(r->prot & PROT_WRITE));
}

static void map_regions(void)
{
    uint32_t n;
    const struct sx_region *r = regions(&n);
    for (uint32_t k = 0; k < n; k++) {
        if (r[k].kind & SX_R_SPECIAL) continue;
        uint64_t len = r[k].end - r[k].start;
        int prot = (int)r[k].prot | PROT_READ | (writable_during_fill(&r[k]) ? PROT_WRITE : 0);
        int flags = MAP_FIXED | ((r[k].kind & SX_R_SHARED) ? MAP_SHARED : MAP_PRIVATE);
        long p = -1;
        int shared_fd = sx_tree_shared_fd(&r[k]);
        if (shared_fd >= 0) {
            p = sx_mmap((void *)r[k].start, len, prot, MAP_FIXED | MAP_SHARED, shared_fd, r[k].offset);
        } else if ((r[k].kind & SX_R_FILE) && !(r[k].kind & (SX_R_DELETED | SX_R_SAVED))) {
            int want_write = (r[k].kind & SX_R_SHARED) && (r[k].prot & PROT_WRITE);
            int fd = (int)sx_open(r[k].path, want_write ? O_RDWR : O_RDONLY, 0);
            if (fd >= 0) {
                p = sx_mmap((void *)r[k].start, len, prot, flags, fd, r[k].offset);
                sx_close(fd);
            } else if (needs_file(&r[k])) {
                broken("cannot open a mapped file: ", fd);
            } else {
                say("warning: ", r[k].path, " is gone; its shared mapping comes back as memory");
            }
        }
        if (p < 0 && p > -4096) {
            if (r[k].kind & SX_R_STACK) flags |= MAP_GROWSDOWN;
            p = sx_mmap((void *)r[k].start, len, prot | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
        }
        if (p < 0 && p > -4096) broken("cannot map memory: ", p);
    }
}

static const struct sx_region *region_of(uint64_t addr)
{
    uint32_t n;
    const struct sx_region *r = regions(&n);
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (r[mid].end <= addr) lo = mid + 1;
        else if (r[mid].start > addr) hi = mid;
        else return &r[mid];
    }
    return 0;
}

#define FILLER_STACK (64 * 1024)
/* Set to each filler's tid at clone and cleared by the kernel when it has fully exited:
 * only then is it safe for the agent to unmap the restorer's code the filler ran. */
static volatile int filler_tid[MAX_FILLERS];

static void fill_section(const struct sx_section_header *s, const uint8_t *payload)
{
    if (s->type != SX_SEC_MEMORY) return;
    const struct sx_region *r = region_of(s->addr);
    if (!r || s->addr + s->raw_size > r->end) broken("memory outside the saved regions", 0);
    if (!writable_during_fill(r)) return;
    /* one call faults in the whole chunk instead of a trap per page */
    SX_SYS3(__NR_madvise, s->addr, s->raw_size, 23 /* MADV_POPULATE_WRITE */);
    if (s->flags & SX_SECF_LZ4) {
        long got = sx_lz4_decompress(payload, s->payload_size, (uint8_t *)s->addr, s->raw_size);
        if (got != (long)s->raw_size) broken("corrupt compressed memory", 0);
    } else {
        memcpy((void *)s->addr, payload, s->raw_size);
    }
}

static void fill_part(const void *arg)
{
    each_claimed_section(fill_section);
    if ((long)arg != 0) sx_exit(0);
}

static void fill_memory(void)
{
    uint8_t *stacks = (uint8_t *)(R.hole + R.fillers_off);
    next_section = 0;
    for (long k = 1; k < (long)R.nfillers; k++) {
        long e = sx_clone_thread(SX_CLONE_THREAD_FLAGS | SX_CLONE_PARENT_SETTID | SX_CLONE_CHILD_CLEARTID,
                                 stacks + (uint64_t)k * FILLER_STACK, 0, fill_part, (const void *)k,
                                 (int *)&filler_tid[k]);
        if (e < 0) broken("cannot start a filler thread: ", e);
    }
    fill_part((const void *)0);
    for (long k = 1; k < (long)R.nfillers; k++) sx_clone_thread_join(&filler_tid[k]);
}

static void protect_regions(void)
{
    uint32_t n;
    const struct sx_region *r = regions(&n);
    for (uint32_t k = 0; k < n; k++) {
        if (r[k].kind & SX_R_SPECIAL) continue;
        long e = sx_mprotect((void *)r[k].start, r[k].end - r[k].start, (int)r[k].prot);
        if (e < 0) broken("cannot set memory protection: ", e);
        /* the program kept these from its children (V8's heap): its forks must not see them */
        if ((r[k].kind & SX_R_DONTFORK) &&
            (e = SX_SYS3(__NR_madvise, r[k].start, r[k].end - r[k].start, 10 /* MADV_DONTFORK */)) < 0)
            broken("cannot mark memory MADV_DONTFORK: ", e);
        if ((r[k].kind & SX_R_WIPEONFORK) &&
            (e = SX_SYS3(__NR_madvise, r[k].start, r[k].end - r[k].start, 18 /* MADV_WIPEONFORK */)) < 0)
            broken("cannot mark memory MADV_WIPEONFORK: ", e);
    }
}

static void restore_mm(void)
{
    const struct sx_process_state *ps = (const void *)(R.img + R.off_process);
    struct {
        uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
        uint64_t arg_start, arg_end, env_start, env_end;
        uint64_t auxv;
        uint32_t auxv_size, exe_fd;
    } map = {ps->start_code, ps->end_code, ps->start_data, ps->end_data, ps->start_brk, ps->brk,
             ps->start_stack, ps->arg_start, ps->arg_end, ps->env_start, ps->env_end, 0, 0, 0xffffffffu};
    long e = SX_SYS5(__NR_prctl, 35 /* PR_SET_MM */, 14 /* PR_SET_MM_MAP */, &map, sizeof map, 0);
    if (e < 0 && !R.quiet) say("warning: cannot restore the heap layout (brk): ", sx_errno_text(e), 0);
}

static void tell_agent(void)
{
    struct sx_restart_info *ri = (struct sx_restart_info *)hdr()->restart_info_addr;
    const struct sx_region *r = region_of((uint64_t)ri);
    if (!r || !(r->prot & PROT_WRITE)) broken("the image does not hold the agent's restart block", 0);
    memset(ri, 0, sizeof *ri);
    ri->magic = SX_RESTART_MAGIC;
    ri->quiet = R.quiet;
    ri->coord_port = R.port;
    ri->have_ckptdir = R.have_ckptdir;
    sx_copy_str(ri->coord_host, sizeof ri->coord_host, R.host);
    sx_copy_str(ri->secret, sizeof ri->secret, R.secret);
    sx_copy_str(ri->ckptdir, sizeof ri->ckptdir, R.ckptdir);
    sx_copy_str(ri->image, sizeof ri->image, R.image);
    ri->hole_start = R.hole;
    ri->hole_len = R.hole_len;
    if (hdr()->flags & SX_FLAG_RESTART_INFO_V2) sx_copy_str(ri->disabled_plugins, sizeof ri->disabled_plugins, R.disabled);
    if (hdr()->flags & SX_FLAG_RESTART_INFO_V3) {
        uint32_t n = R.npids < SX_MAX_RESTART_PIDS ? R.npids : SX_MAX_RESTART_PIDS;
        for (uint32_t i = 0; i < n; i++) {
            ri->pids[i][0] = R.pids[i].vpid;
            ri->pids[i][1] = R.pids[i].real;
        }
        ri->npids = n;
    }
}

static void thread_entry(const void *arg)
{
    const struct sx_thread_record *t = arg;
    if (t->comm[0]) SX_SYS2(__NR_prctl, 15 /* PR_SET_NAME */, t->comm);
    sx_resume_ctx(&t->ctx);
}

static __attribute__((noreturn)) void start_threads(void)
{
    uint32_t n;
    const struct sx_thread_record *t = threads(&n);
    const struct sx_thread_record *leader = 0;
    uint8_t *stacks = (uint8_t *)(R.hole + R.threads_off);
    for (uint32_t i = 0; i < n; i++) {
        if ((t[i].flags & SX_T_LEADER) && !leader) {
            leader = &t[i];
            continue;
        }
        long e = sx_clone_thread(SX_CLONE_THREAD_FLAGS | SX_CLONE_SETTLS, stacks + (uint64_t)(i + 1) * THREAD_STACK,
                                 t[i].fs_base, thread_entry, &t[i], 0);
        if (e < 0) broken("cannot recreate a thread: ", e);
    }
    sx_arch_prctl(0x1002 /* ARCH_SET_FS */, leader->fs_base);
    thread_entry(leader);
    __builtin_unreachable();
}

static __attribute__((noreturn)) void phase2(void)
{
    each_mapping(unmap_other);
    move_specials();
    map_regions();
    sx_tree_close_shared();
    fill_memory();
    restore_mm();
    tell_agent();
    protect_regions();
    start_threads();
}

/* ---- phase 1 ---- */

void sx_restore_main(long *sp)
{
    uint64_t all = ~0ull;
    SX_SYS4(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, &all, 0, 8);
    read_args(sp);
    R.nfillers = cpu_count();
    map_image();
    check_image();
    check_layout();
    /* every process of the tree has checked its image, or none goes on */
    if (sx_tree_settle(R.pids, &R.npids) < 0) sx_exit_group(EXIT_REFUSED);

    uint32_t nt;
    threads(&nt);
    uint64_t code_len = ((uint64_t)(_end - __executable_start) + SX_PAGE - 1) & ~(SX_PAGE - 1);
    uint64_t img_len = (R.img_len + SX_PAGE - 1) & ~(SX_PAGE - 1);
    uint64_t special_len = R.special[0].len + R.special[1].len + R.special[2].len;
    R.img_off_in_hole = code_len;
    R.stack_off = R.img_off_in_hole + img_len;
    R.threads_off = R.stack_off + STACK_SIZE;
    R.fillers_off = R.threads_off + (uint64_t)(nt + 2) * THREAD_STACK;
    R.temp_off = R.fillers_off + (uint64_t)(MAX_FILLERS + 1) * FILLER_STACK;
    R.hole_len = R.temp_off + special_len + SX_PAGE;
    R.hole = find_hole(R.hole_len);

    long p = sx_mmap((void *)R.hole, R.img_off_in_hole, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p < 0 && p > -4096) refuse("cannot reserve memory for the restorer: ", sx_errno_text(p));
    p = sx_mmap((void *)(R.hole + R.stack_off), R.hole_len - R.stack_off, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p < 0 && p > -4096) refuse("cannot reserve memory for the restorer: ", sx_errno_text(p));
    long m = SX_SYS5(__NR_mremap, R.img, img_len, img_len, 3 /* MAYMOVE|FIXED */, R.hole + R.img_off_in_hole);
    if (m < 0) refuse("cannot move the image mapping: ", sx_errno_text(m));
    R.img = (uint8_t *)(R.hole + R.img_off_in_hole);

    /* From here on nothing may refuse: the copy below carries the state as it is now. */
    memcpy((void *)R.hole, __executable_start, (uint64_t)(_end - __executable_start));
    uint64_t delta = R.hole - (uint64_t)__executable_start;
    sx_switch_stack((void *)(R.hole + R.stack_off + STACK_SIZE), (void (*)(void))((uint64_t)phase2 + delta));
}
