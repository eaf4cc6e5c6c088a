/* Writing the image (docs/image-format.md).
 *
 * Normally this runs in a copy-on-write child of the target, made the moment all threads
 * were stopped, so the program resumes while its snapshot is written. The child has no
 * usable libc (other threads' locks were copied mid-use), so this file uses raw system
 * calls and its own threads (sx_clone_thread) to compress in parallel. */
#include "agent.h"
#include "plugin_host.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <fcntl.h>

#include "clone_thread.h"
#include "crc32c.h"
#include "lz4.h"
#include "sys.h"
#include "text.h"


#define MAX_REGIONS 65536
#define MAX_SCRATCH 32
#define MAX_WORKERS 8
#define CHUNK_PAGES (SX_MEMORY_CHUNK / SX_PAGE)
#define WORKER_STACK (256 * 1024)

enum sel { SEL_NONE, SEL_ANON, SEL_COW, SEL_RESIDENT, SEL_FILE_ALL };

struct item {
    uint64_t start;
    uint32_t npages;
    uint32_t region;
};

struct worker {
    uint32_t *table;
    uint8_t *out;    /* compressed output */
    uint8_t *copy;   /* a whole chunk read through /proc/self/mem (unreadable regions) */
    uint8_t *stable; /* the private copy a section is made from */
};

/* Everything the writer threads share; they coordinate through atomics only. */
static struct {
    int fd, pagemap_fd, mem_fd;
    int compress;
    struct sx_region *regions;
    uint8_t *region_sel;
    int nregions;
    struct item *items;
    long nitems;
    long nshared_items; /* items [0, nshared_items) are shared memory: saved first */
    long end_item;      /* the current pool works on [next_item, end_item) */
    volatile long next_item;
    volatile uint64_t file_off;
    volatile uint64_t sections;
    volatile uint64_t memory_bytes;
    volatile long error; /* first -errno seen */
    /* each helper thread's tid until it has completely exited (CLONE_CHILD_CLEARTID): only then
     * may its stack be reused by the next pool */
    volatile int worker_tid[MAX_WORKERS];
    struct worker workers[MAX_WORKERS];
    uint64_t scratch_start[MAX_SCRATCH], scratch_end[MAX_SCRATCH];
    int nscratch;
    int nforeign; /* the first scratch entries are plugin section buffers: left out, not ours to free */
} W;

static void *scratch(size_t len)
{
    long p = sx_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0 && p > -4096) return 0;
    if (W.nscratch < MAX_SCRATCH) {
        W.scratch_start[W.nscratch] = (uint64_t)p;
        W.scratch_end[W.nscratch] = (uint64_t)p + ((len + SX_PAGE - 1) & ~(SX_PAGE - 1));
        W.nscratch++;
    }
    return (void *)p;
}

static void set_error(long e)
{
    long zero = 0;
    __atomic_compare_exchange_n(&W.error, &zero, e, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void seal_section(struct sx_section_header *h, const void *payload)
{
    h->payload_crc = sx_crc32c(0, payload, h->payload_size);
    h->header_crc = sx_crc32c(0, h, offsetof(struct sx_section_header, header_crc));
}

/* Reserves room at the end of the file and writes one section there. */
static void put_section(struct sx_section_header *h, const void *payload)
{
    seal_section(h, payload);
    uint64_t off = __atomic_fetch_add(&W.file_off, sizeof *h + h->payload_size, __ATOMIC_SEQ_CST);
    struct iovec iov[2] = {{h, sizeof *h}, {(void *)payload, h->payload_size}};
    uint64_t want = sizeof *h + h->payload_size;
    uint64_t done = 0;
    while (done < want) {
        long r = SX_SYS4(__NR_pwritev, W.fd, iov, 2, off + done);
        if (r == -4) continue;
        if (r <= 0) {
            set_error(r ? r : -5);
            return;
        }
        done += (uint64_t)r;
        for (int i = 0; i < 2 && r > 0; i++) {
            size_t take = (size_t)r < iov[i].iov_len ? (size_t)r : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            r -= (long)take;
        }
    }
    __atomic_add_fetch(&W.sections, 1, __ATOMIC_SEQ_CST);
}

/* ---- /proc/self/maps ---- */

/* The first piece of [*start, end) at or above *start that none of the writer's own buffers (nor
 * a plugin's section buffer) covers: the kernel may merge them with the program's neighbouring
 * mappings into one line of /proc/self/maps, even on both sides of a program region. Returns 0
 * with the piece in [*start, *piece_end), or -1 when nothing is left. */
static int next_piece(uint64_t *start, uint64_t end, uint64_t *piece_end)
{
    uint64_t s = *start;
    for (;;) {
        int moved = 0;
        for (int i = 0; i < W.nscratch; i++)
            if (W.scratch_start[i] <= s && W.scratch_end[i] > s) {
                s = W.scratch_end[i];
                moved = 1;
            }
        if (!moved) break;
    }
    if (s >= end) return -1;
    uint64_t e = end;
    for (int i = 0; i < W.nscratch; i++)
        if (W.scratch_start[i] > s && W.scratch_start[i] < e) e = W.scratch_start[i];
    *start = s;
    *piece_end = e;
    return 0;
}

static void classify(struct sx_region *r, const char *perms, const char *path)
{
    r->prot = (perms[0] == 'r' ? 1u : 0) | (perms[1] == 'w' ? 2u : 0) | (perms[2] == 'x' ? 4u : 0);
    r->kind = perms[3] == 's' ? SX_R_SHARED : SX_R_PRIVATE;
    size_t n = sx_strlen(path);
    const char *del = " (deleted)";
    if (n > 10 && sx_streq(path + n - 10, del)) {
        r->kind |= SX_R_DELETED;
        n -= 10;
    }
    if (n >= sizeof r->path) n = sizeof r->path - 1;
    memcpy(r->path, path, n);
    r->path[n] = 0;
    if (path[0] == '/') {
        r->kind |= SX_R_FILE;
        if (sx_startswith(path, "/dev/zero") || sx_startswith(path, "/SYSV") || sx_startswith(path, "/memfd:"))
            r->kind = (r->kind & ~SX_R_FILE) | SX_R_ANON;
    } else {
        r->kind |= SX_R_ANON;
        if (sx_streq(r->path, "[heap]")) r->kind |= SX_R_HEAP;
        else if (sx_streq(r->path, "[stack]")) r->kind |= SX_R_STACK | SX_R_GROWSDOWN;
        else if (sx_streq(r->path, "[vdso]")) r->kind |= SX_R_VDSO;
        else if (sx_streq(r->path, "[vvar]")) r->kind |= SX_R_VVAR;
        else if (sx_streq(r->path, "[vvar_vclock]")) r->kind |= SX_R_VVAR_VCLOCK;
    }
}

static enum sel selection(const struct sx_region *r)
{
    if (r->kind & SX_R_SPECIAL) return SEL_NONE;
    if (r->kind & SX_R_SAVED) return SEL_FILE_ALL;
    /* a read-only shared file mapping (the JDK's lib/modules...) holds nothing its file does not */
    if ((r->kind & SX_R_SHARED) && (r->kind & SX_R_FILE) && !(r->kind & SX_R_DELETED) && !(r->prot & 2))
        return SEL_NONE;
    if (r->kind & SX_R_SHARED) return SEL_RESIDENT;
    if ((r->kind & SX_R_FILE) && !(r->kind & SX_R_DELETED)) return SEL_COW;
    return SEL_ANON;
}

static int read_maps(char *err, size_t errlen)
{
    static char buf[65536];
    static char line[8192];
    int fd = (int)sx_open("/proc/self/maps", O_RDONLY, 0);
    if (fd < 0) {
        sx_copy_str(err, errlen, "cannot read /proc/self/maps");
        return -1;
    }
    size_t ll = 0;
    for (;;) {
        long got = sx_read(fd, buf, sizeof buf);
        if (got <= 0) break;
        for (long i = 0; i < got; i++) {
            if (buf[i] != '\n') {
                if (ll < sizeof line - 1) line[ll++] = buf[i];
                continue;
            }
            line[ll] = 0;
            ll = 0;
            const char *p = line;
            uint64_t start = sx_parse_u64(&p, 16);
            p++;
            uint64_t end = sx_parse_u64(&p, 16);
            p++;
            char perms[5] = {p[0], p[1], p[2], p[3], 0};
            p += 5;
            uint64_t offset = sx_parse_u64(&p, 16);
            p++;
            uint64_t major = sx_parse_u64(&p, 16);
            p++;
            uint64_t minor = sx_parse_u64(&p, 16);
            p++;
            uint64_t inode = sx_parse_u64(&p, 10);
            while (*p == ' ') p++;
            if (sx_streq(p, "[vsyscall]") || sx_streq(p, "[uprobes]")) continue;
            uint64_t piece = start, piece_end;
            while (next_piece(&piece, end, &piece_end) == 0) {
                /* a region whose fork mark was lifted for the clone may have merged with a
                 * neighbour: cut it where the marks change, and keep them with it */
                uint32_t marks = sx_nofork_kind(piece, &piece_end);
                if (W.nregions == MAX_REGIONS) {
                    sx_copy_str(err, errlen, "too many memory regions");
                    sx_close(fd);
                    return -1;
                }
                struct sx_region *r = &W.regions[W.nregions++];
                memset(r, 0, sizeof *r);
                r->start = piece;
                r->end = piece_end;
                r->offset = offset + (piece - start);
                r->inode = inode;
                r->dev = (major << 8) | minor;
                classify(r, perms, p);
                r->kind |= marks;
                if ((r->kind & SX_R_FILE) && !(r->kind & SX_R_DELETED)) {
                    struct stat st;
                    if (SX_SYS2(__NR_stat, r->path, &st) == 0) {
                        r->file_size = (uint64_t)st.st_size;
                        r->file_mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
                    }
                }
                piece = piece_end;
            }
        }
    }
    sx_close(fd);
    return 0;
}

/* ---- memory ---- */

static int page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    uint64_t acc = 0;
    for (int i = 0; i < 512; i += 8)
        acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
    return acc == 0;
}

/* Every section is made from a private copy of its pages, never from live memory: the
 * writer runs on the checkpoint thread's stack and updates its own globals, so some saved
 * pages change while they are being saved. Compressing live bytes is not just imprecise
 * there: LZ4 may encode a byte that never changed as a match against an earlier copy whose
 * literals are read later, after they changed, so the restored byte would be wrong (this
 * corrupted saved return addresses). The copy also keeps each checksum true to its data. */
static void emit_run(struct worker *wk, uint64_t addr, const uint8_t *data, size_t len)
{
    const uint8_t *src = data;
    if (data < wk->copy || data >= wk->copy + SX_MEMORY_CHUNK) {
        memcpy(wk->stable, data, len);
        src = wk->stable;
    }
    struct sx_section_header h = {0};
    h.type = SX_SEC_MEMORY;
    h.addr = addr;
    h.raw_size = len;
    h.payload_size = len;
    const void *payload = src;
    size_t c = W.compress ? sx_lz4_compress(src, len, wk->out, len - len / 16, wk->table) : 0;
    if (c) {
        h.payload_size = c;
        h.flags = SX_SECF_LZ4;
        payload = wk->out;
    }
    put_section(&h, payload);
    __atomic_add_fetch(&W.memory_bytes, len, __ATOMIC_SEQ_CST);
}

static void select_pages(const struct item *it, enum sel mode, uint8_t *sel)
{
    if (mode == SEL_RESIDENT) {
        if (SX_SYS3(__NR_mincore, it->start, (uint64_t)it->npages * SX_PAGE, sel) < 0)
            memset(sel, 1, it->npages);
        for (uint32_t k = 0; k < it->npages; k++) sel[k] &= 1;
        return;
    }
    if (mode == SEL_FILE_ALL) {
        /* pages past the end of the file would fault (SIGBUS) if read */
        const struct sx_region *r = &W.regions[it->region];
        for (uint32_t k = 0; k < it->npages; k++)
            sel[k] = r->offset + (it->start - r->start) + (uint64_t)k * SX_PAGE < r->file_size;
        return;
    }
    uint64_t pm[CHUNK_PAGES];
    long got = sx_pread(W.pagemap_fd, pm, (size_t)it->npages * 8, (it->start / SX_PAGE) * 8);
    if (got != (long)it->npages * 8) {
        memset(sel, 1, it->npages); /* cannot tell: save everything readable */
        return;
    }
    for (uint32_t k = 0; k < it->npages; k++) {
        int present = (pm[k] >> 63) & 1, swapped = (pm[k] >> 62) & 1, file = (pm[k] >> 61) & 1;
        sel[k] = mode == SEL_ANON ? (present | swapped) : ((present && !file) || swapped);
    }
}

static void process_item(struct worker *wk, const struct item *it)
{
    const struct sx_region *r = &W.regions[it->region];
    uint8_t sel[CHUNK_PAGES];
    select_pages(it, (enum sel)W.region_sel[it->region], sel);
    int any = 0;
    for (uint32_t k = 0; k < it->npages; k++) any |= sel[k];
    if (!any) return;

    const uint8_t *base = (const uint8_t *)it->start;
    if (!(r->prot & 1)) {
        /* unreadable (PROT_NONE, guard pages...): read through /proc/self/mem instead */
        long got = sx_pread(W.mem_fd, wk->copy, (size_t)it->npages * SX_PAGE, it->start);
        if (got != (long)((uint64_t)it->npages * SX_PAGE)) return;
        base = wk->copy;
    }
    uint32_t k = 0;
    while (k < it->npages) {
        if (!sel[k] || page_is_zero(base + (uint64_t)k * SX_PAGE)) {
            k++;
            continue;
        }
        uint32_t first = k;
        while (k < it->npages && sel[k] && !page_is_zero(base + (uint64_t)k * SX_PAGE)) k++;
        emit_run(wk, it->start + (uint64_t)first * SX_PAGE, base + (uint64_t)first * SX_PAGE,
                 (size_t)(k - first) * SX_PAGE);
        if (W.error) return;
    }
}

static void worker_main(const void *arg)
{
    struct worker *wk = (struct worker *)arg;
    for (;;) {
        long i = __atomic_fetch_add(&W.next_item, 1, __ATOMIC_SEQ_CST);
        if (i >= W.end_item || W.error) break;
        process_item(wk, &W.items[i]);
    }
}

/* Saves items [from, to) with one thread per worker (the caller is worker 0); returns when all
 * are done. */
static void run_pool(long from, long to, int nworkers, uint8_t *stacks)
{
    W.next_item = from;
    W.end_item = to;
    for (int i = 1; i < nworkers; i++) {
        long t = sx_clone_thread(SX_CLONE_THREAD_FLAGS | SX_CLONE_PARENT_SETTID | SX_CLONE_CHILD_CLEARTID,
                                 stacks + (size_t)WORKER_STACK * (size_t)(i + 1), 0, worker_main, &W.workers[i],
                                 (int *)&W.worker_tid[i]);
        if (t < 0) W.worker_tid[i] = 0; /* the others do its share */
    }
    worker_main(&W.workers[0]);
    for (int i = 1; i < nworkers; i++) sx_clone_thread_join(&W.worker_tid[i]);
}

static int cpu_count(void)
{
    uint64_t mask[16] = {0};
    long n = SX_SYS3(__NR_sched_getaffinity, 0, sizeof mask, mask);
    if (n <= 0) return 1;
    int c = 0;
    for (long i = 0; i < n / 8; i++) c += __builtin_popcountll(mask[i]);
    return c > 0 ? c : 1;
}

/* Code is saved whole (unless STASIS_SAVE_CODE=0), so an image survives updates of the program,
 * its libraries and Stasis itself: every private mapping of a file that is mapped executable anywhere (all segments of
 * the program and of each library) is stored in full and comes back as memory. Other private
 * file mappings (data files) keep only their modified pages and need their file at restart. */
static void mark_code_files(void)
{
    enum { MAX_CODE_FILES = 1024 };
    static uint64_t code_dev[MAX_CODE_FILES], code_ino[MAX_CODE_FILES];
    int ncode = 0;
    for (int i = 0; i < W.nregions && ncode < MAX_CODE_FILES; i++) {
        const struct sx_region *x = &W.regions[i];
        if ((x->prot & 4) && (x->kind & SX_R_FILE)) {
            code_dev[ncode] = x->dev;
            code_ino[ncode++] = x->inode;
        }
    }
    for (int i = 0; i < W.nregions; i++) {
        struct sx_region *r = &W.regions[i];
        if (!(r->kind & SX_R_FILE) || (r->kind & (SX_R_SHARED | SX_R_DELETED))) continue;
        for (int k = 0; k < ncode; k++) {
            if (code_ino[k] == r->inode && code_dev[k] == r->dev) {
                r->kind |= SX_R_SAVED;
                break;
            }
        }
    }
}

static int plan_items(char *err, size_t errlen)
{
    long total = 0;
    for (int i = 0; i < W.nregions; i++) {
        W.region_sel[i] = (uint8_t)selection(&W.regions[i]);
        if (W.region_sel[i] != SEL_NONE)
            total += (long)((W.regions[i].end - W.regions[i].start) / SX_MEMORY_CHUNK) + 1;
    }
    W.items = scratch((size_t)total * sizeof(struct item) + SX_PAGE);
    if (!W.items) {
        sx_copy_str(err, errlen, "out of memory planning the image");
        return -1;
    }
    /* Shared memory first: the copy-on-write child sees it live, so it is saved while the
     * program's threads are still stopped (see sx_write_job.shared_done_fd). */
    W.nitems = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < W.nregions; i++) {
            if (W.region_sel[i] == SEL_NONE || (W.region_sel[i] == SEL_RESIDENT) != (pass == 0)) continue;
            for (uint64_t a = W.regions[i].start; a < W.regions[i].end; a += SX_MEMORY_CHUNK) {
                uint64_t e = a + SX_MEMORY_CHUNK < W.regions[i].end ? a + SX_MEMORY_CHUNK : W.regions[i].end;
                W.items[W.nitems++] = (struct item){a, (uint32_t)((e - a) / SX_PAGE), (uint32_t)i};
            }
        }
        if (pass == 0) W.nshared_items = W.nitems;
    }
    return 0;
}

static void error_text(char *err, size_t errlen, const char *what, const char *path, long e)
{
    struct sx_buf b;
    sx_buf_init(&b, err, errlen);
    sx_buf_add(&b, what);
    sx_buf_add(&b, path);
    sx_buf_add(&b, ": ");
    sx_buf_add(&b, sx_errno_text(e));
}

static void put_meta(uint32_t type, const void *payload, uint64_t len)
{
    struct sx_section_header h = {0};
    h.type = type;
    h.payload_size = len;
    h.raw_size = len;
    put_section(&h, payload);
}

/* A table section: u32 count, u32 record size, then the records (image-format.md). */
static int put_table(uint32_t type, const void *records, uint32_t count, uint32_t size)
{
    uint32_t head[2] = {count, size};
    uint64_t len = sizeof head + (uint64_t)count * size;
    uint8_t *payload = scratch(len);
    if (!payload) return -1;
    memcpy(payload, head, sizeof head);
    memcpy(payload + sizeof head, records, (uint64_t)count * size);
    put_meta(type, payload, len);
    return 0;
}

/* Plugin sections are written as sections of their own; their buffers stay out of the memory
 * image, like the writer's own. */
static int note_plugin_sections(struct sx_plugin_section *out, int max)
{
    int n = sx_plugin_sections(out, max);
    if (n > max) n = max;
    for (int i = 0; i < n && W.nscratch < MAX_SCRATCH; i++) {
        W.scratch_start[W.nscratch] = (uint64_t)out[i].data;
        W.scratch_end[W.nscratch] = (uint64_t)out[i].data + out[i].map_len;
        W.nscratch++;
    }
    W.nforeign = W.nscratch;
    return n;
}

static long write_image(const struct sx_write_job *job, char *err, unsigned long errlen)
{
    static struct sx_plugin_section sections[32];
    int nsections = note_plugin_sections(sections, 32);
    W.compress = job->compress;
    W.regions = scratch(sizeof(struct sx_region) * MAX_REGIONS);
    W.region_sel = scratch(MAX_REGIONS);
    int nworkers = cpu_count();
    if (nworkers > MAX_WORKERS) nworkers = MAX_WORKERS;
    for (int i = 0; i < nworkers; i++) {
        struct worker *wk = &W.workers[i];
        wk->table = scratch(SX_LZ4_TABLE_BYTES);
        wk->out = scratch(sx_lz4_bound(SX_MEMORY_CHUNK));
        wk->copy = scratch(SX_MEMORY_CHUNK);
        wk->stable = scratch(SX_MEMORY_CHUNK);
        if (!wk->table || !wk->out || !wk->copy || !wk->stable) nworkers = i;
    }
    uint8_t *stacks = scratch((size_t)WORKER_STACK * MAX_WORKERS);
    if (!W.regions || !W.region_sel || !stacks || nworkers == 0) {
        sx_copy_str(err, errlen, "out of memory for the image writer");
        return -1;
    }
    if (read_maps(err, errlen) < 0) return -1;
    if (job->save_code) mark_code_files();
    if (plan_items(err, errlen) < 0) return -1;

    W.pagemap_fd = (int)sx_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
    W.mem_fd = (int)sx_open("/proc/self/mem", O_RDONLY | O_CLOEXEC, 0);
    W.fd = (int)sx_open(job->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (W.fd < 0) {
        error_text(err, errlen, "cannot create ", job->tmp_path, W.fd);
        return -1;
    }

    struct sx_image_header *hd = job->header;
    hd->header_crc = 0;
    hd->header_crc = sx_crc32c(0, hd, SX_HEADER_SIZE);
    long r = sx_pwrite_all(W.fd, hd, SX_HEADER_SIZE, 0);
    if (r < 0) {
        error_text(err, errlen, "cannot write ", job->tmp_path, r);
        return -1;
    }
    W.file_off = SX_HEADER_SIZE;
    put_meta(SX_SEC_PROCESS, job->ps, sizeof *job->ps);
    if (put_table(SX_SEC_THREADS, job->threads, (uint32_t)job->nthreads, sizeof(struct sx_thread_record)) < 0 ||
        put_table(SX_SEC_REGIONS, W.regions, (uint32_t)W.nregions, sizeof(struct sx_region)) < 0) {
        sx_copy_str(err, errlen, "out of memory for the thread and region tables");
        return -1;
    }
    for (int i = 0; i < nsections; i++) put_meta(SX_SEC_PLUGIN, sections[i].data, sections[i].len);

    run_pool(0, W.nshared_items, nworkers, stacks);
    if (job->shared_done_fd >= 0) {
        sx_write_all(job->shared_done_fd, "s", 1);
        sx_close(job->shared_done_fd);
    }
    run_pool(W.nshared_items, W.nitems, nworkers, stacks);
    if (W.error) {
        error_text(err, errlen, "cannot write ", job->tmp_path, W.error);
        return -1;
    }

    struct sx_trailer t = {"STASEND", W.sections, W.file_off, W.memory_bytes};
    struct sx_section_header th = {0};
    th.type = SX_SEC_TRAILER;
    th.payload_size = th.raw_size = sizeof t;
    put_section(&th, &t);
    long fs = SX_SYS1(__NR_fsync, W.fd);
    if (W.error || fs < 0) {
        error_text(err, errlen, "cannot write ", job->tmp_path, W.error ? W.error : fs);
        return -1;
    }
    return (long)W.file_off;
}

/* Descriptors and buffers go on every path: in the rare in-place write (no copy-on-write
 * child) they would otherwise stay in the program. */
static void release(void)
{
    if (W.fd >= 0) sx_close(W.fd);
    if (W.pagemap_fd >= 0) sx_close(W.pagemap_fd);
    if (W.mem_fd >= 0) sx_close(W.mem_fd);
    for (int i = W.nforeign; i < W.nscratch; i++) sx_munmap((void *)W.scratch_start[i], W.scratch_end[i] - W.scratch_start[i]);
}

long sx_write_image(const struct sx_write_job *job, char *err, unsigned long errlen)
{
    memset(&W, 0, sizeof W);
    W.fd = W.pagemap_fd = W.mem_fd = -1;
    long size = write_image(job, err, errlen);
    release();
    return size;
}
