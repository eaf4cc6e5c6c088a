/* Rebuilding a process tree from several images (restore_tree.h).
 *
 * Each image's header names the process's pid, parent, session and process group as the
 * program saw them. Processes are forked top-down so that every restored process is the real
 * child of its restored parent; a session leader calls setsid() and a group leader
 * setpgid(0, 0) before forking its own children, so those inherit both. A member of a group
 * led by another restored process joins it once the leader is there. All of it runs before
 * anything is torn down: a process that refuses its image takes the whole tree down with it. */
#include "restore_tree.h"

#include <stdint.h>
#include <sys/mman.h>

#include "image_format.h"
#include "sys.h"
#include "text.h"

#define SIGCHLD_NR 17

enum { ST_NONE = 0, ST_OK = 1, ST_REFUSED = 2 };

struct member {
    int32_t vpid, vppid, vsid, vpgid;
    volatile int32_t real;
    volatile int32_t group_ready; /* its session and group are set: members may join */
    volatile int32_t state;
};

struct shared {
    int32_t n;
    struct member m[SX_TREE_MAX];
};

static struct shared *T; /* shared by every process of the tree until it settles */
static int self = -1;

/* Memory shared between processes (MAP_SHARED anonymous memory, files deleted while mapped
 * such as POSIX semaphores, SysV segments): one memfd per object, made before the fork so that
 * every process maps the same one. Known by the (device, inode) the images recorded. */
#define MAX_SHM 256
static struct shm_obj {
    uint64_t dev, inode, size;
    int fd;
} shm[MAX_SHM];
static int nshm;

static void say(const char *a, const char *b)
{
    char mem[600];
    struct sx_buf l;
    sx_buf_init(&l, mem, sizeof mem);
    sx_buf_add(&l, "stasis-restore: ");
    sx_buf_add(&l, a);
    sx_buf_add(&l, b ? b : "");
    sx_buf_add(&l, "\n");
    sx_write_all(2, l.p, l.len);
}

static void nap_ms(long ms)
{
    struct {
        long s, ns;
    } ts = {ms / 1000, (ms % 1000) * 1000000};
    SX_SYS2(__NR_nanosleep, &ts, 0);
}

static int index_of(int32_t vpid)
{
    for (int i = 0; i < T->n; i++)
        if (T->m[i].vpid == vpid) return i;
    return -1;
}

static void set_identity(int i)
{
    struct member *me = &T->m[i];
    me->real = (int32_t)sx_getpid();
    long self_pid = sx_getpid();
    if (me->vsid == me->vpid) {
        /* already one when the restart itself was started as a session leader (a new terminal) */
        long r = SX_SYS1(__NR_getsid, 0) == self_pid ? 0 : SX_SYS0(__NR_setsid);
        if (r < 0) say("warning: cannot make a restored process a session leader again: ", sx_errno_text(r));
    } else if (me->vpgid == me->vpid) {
        long r = SX_SYS1(__NR_getpgid, 0) == self_pid ? 0 : SX_SYS2(__NR_setpgid, 0, 0);
        if (r < 0) say("warning: cannot make a restored process a group leader again: ", sx_errno_text(r));
    } else {
        int j = index_of(me->vpgid);
        if (j >= 0) {
            /* the leader is forked before us unless it is our own descendant: then give up */
            for (int waited = 0; !T->m[j].group_ready && waited < 2000; waited += 2) nap_ms(2);
            long r = T->m[j].group_ready ? SX_SYS2(__NR_setpgid, 0, T->m[j].real) : -3 /* ESRCH */;
            if (r < 0) say("warning: cannot put a restored process back into its process group: ", sx_errno_text(r));
        }
    }
    me->group_ready = 1;
}

/* In the process that will be member i: set its identity and fork its children, each of
 * which becomes its member in turn. Returns the member this process restores. */
static int become(int i)
{
    set_identity(i);
    for (int c = 0; c < T->n; c++) {
        if (c == i || T->m[c].vppid != T->m[i].vpid) continue;
        long pid = SX_SYS5(__NR_clone, SIGCHLD_NR, 0, 0, 0, 0);
        if (pid == 0) return become(c);
        if (pid < 0) {
            say("cannot fork a restored child process: ", sx_errno_text(pid));
            T->m[c].state = ST_REFUSED;
        }
    }
    return i;
}

/* Several independent processes: this process stays as their parent, as dmtcp_restart, and
 * ends with the first one's status. */
static __attribute__((noreturn)) void wait_for_roots(int first_root_pid)
{
    int code = 0, first_done = 0;
    for (;;) {
        int status = 0;
        long pid = SX_SYS4(__NR_wait4, -1, &status, 0, 0);
        if (pid == -4) continue;
        if (pid < 0) break;
        if (pid == first_root_pid && !first_done) {
            first_done = 1;
            code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
        }
    }
    sx_exit_group(code);
}

static int shared_object(const struct sx_region *r)
{
    return (r->kind & SX_R_SHARED) && !(r->kind & SX_R_SPECIAL) && ((r->kind & SX_R_ANON) || (r->kind & SX_R_DELETED));
}

static void note_shared(const struct sx_region *r)
{
    uint64_t need = r->offset + (r->end - r->start);
    for (int i = 0; i < nshm; i++)
        if (shm[i].dev == r->dev && shm[i].inode == r->inode) {
            if (need > shm[i].size) shm[i].size = need;
            return;
        }
    if (nshm == MAX_SHM) return; /* beyond: mapped as private shared memory, as before */
    shm[nshm++] = (struct shm_obj){r->dev, r->inode, need, -1};
}

/* Reads the region table of one image (the check of each image comes later, in its process). */
static void scan_regions(const char *image)
{
    int fd = (int)sx_open(image, 0, 0);
    if (fd < 0) return;
    uint64_t off = SX_HEADER_SIZE;
    struct sx_section_header h;
    while (sx_pread(fd, &h, sizeof h, off) == (long)sizeof h && h.type != SX_SEC_TRAILER && h.type != SX_SEC_MEMORY) {
        if (h.type == SX_SEC_REGIONS && !(h.flags & SX_SECF_LZ4) && h.payload_size >= 8 && h.payload_size < (1ull << 30)) {
            uint64_t len = (h.payload_size + SX_PAGE - 1) & ~(SX_PAGE - 1);
            long p = sx_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p > 0 || p < -4096) {
                if (sx_pread(fd, (void *)p, h.payload_size, off + sizeof h) == (long)h.payload_size) {
                    const uint32_t *head = (const uint32_t *)p;
                    const struct sx_region *r = (const struct sx_region *)(head + 2);
                    if (head[1] == sizeof *r && (uint64_t)head[0] * sizeof *r + 8 == h.payload_size)
                        for (uint32_t k = 0; k < head[0]; k++)
                            if (shared_object(&r[k])) note_shared(&r[k]);
                }
                sx_munmap((void *)p, len);
            }
            break;
        }
        off += sizeof h + h.payload_size;
    }
    sx_close(fd);
}

static void make_shared_objects(void)
{
    for (int i = 0; i < nshm; i++) {
        long fd = SX_SYS2(__NR_memfd_create, "stasis-shared", 1 /* MFD_CLOEXEC */);
        if (fd >= 0 && SX_SYS2(__NR_ftruncate, fd, shm[i].size) < 0) {
            sx_close((int)fd);
            fd = -1;
        }
        if (fd < 0) say("warning: cannot recreate memory shared between processes: ", sx_errno_text(fd));
        /* above the numbers the program's descriptors are restored into */
        long high = fd >= 0 ? SX_SYS3(__NR_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */, 1000) : -1;
        if (fd >= 0) sx_close((int)fd);
        shm[i].fd = (int)high;
    }
}

int sx_tree_shared_fd(const struct sx_region *r)
{
    if (!shared_object(r)) return -1;
    for (int i = 0; i < nshm; i++)
        if (shm[i].dev == r->dev && shm[i].inode == r->inode) return shm[i].fd;
    return -1;
}

void sx_tree_close_shared(void)
{
    for (int i = 0; i < nshm; i++)
        if (shm[i].fd >= 0) sx_close(shm[i].fd);
    nshm = 0;
}

int sx_tree_fork(char *const *images, int n)
{
    if (n > SX_TREE_MAX) {
        say("too many images for one restart", 0);
        sx_exit_group(2);
    }
    long p = sx_mmap(0, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p < 0 && p > -4096) {
        say("cannot allocate the process table: ", sx_errno_text(p));
        sx_exit_group(2);
    }
    T = (struct shared *)p;
    T->n = n;
    for (int i = 0; i < n; i++) {
        struct sx_image_header h;
        int fd = (int)sx_open(images[i], 0 /* O_RDONLY */, 0);
        long got = fd >= 0 ? sx_pread(fd, &h, sizeof h, 0) : fd;
        if (fd >= 0) sx_close(fd);
        if (got != (long)sizeof h) {
            say(images[i], ": cannot read the image header");
            sx_exit_group(2);
        }
        T->m[i] = (struct member){(int32_t)h.pid, (int32_t)h.ppid, (int32_t)h.sid, (int32_t)h.pgid, 0, 0, ST_NONE};
    }
    for (int i = 0; i < n; i++) scan_regions(images[i]);
    make_shared_objects();
    int roots[SX_TREE_MAX], nroots = 0;
    for (int i = 0; i < n; i++)
        if (T->m[i].vppid == 0 || index_of(T->m[i].vppid) < 0 || T->m[i].vppid == T->m[i].vpid) roots[nroots++] = i;
    if (nroots == 0) {
        say("the images' parent links form a cycle", 0);
        sx_exit_group(2);
    }
    if (nroots == 1) return self = become(roots[0]);
    int first = -1;
    for (int r = 0; r < nroots; r++) {
        long pid = SX_SYS5(__NR_clone, SIGCHLD_NR, 0, 0, 0, 0);
        if (pid == 0) return self = become(roots[r]);
        if (pid < 0) {
            say("cannot fork a restored process: ", sx_errno_text(pid));
            T->m[roots[r]].state = ST_REFUSED;
        }
        if (first < 0) first = (int)pid;
    }
    sx_tree_close_shared();
    wait_for_roots(first);
}

void sx_tree_refused(void)
{
    if (T && self >= 0) __atomic_store_n(&T->m[self].state, ST_REFUSED, __ATOMIC_SEQ_CST);
}

int sx_tree_settle(struct sx_tree_pid *out, uint32_t *nout)
{
    __atomic_store_n(&T->m[self].state, ST_OK, __ATOMIC_SEQ_CST);
    for (int waited = 0;; waited += 2) {
        int pending = 0, refused = 0;
        for (int i = 0; i < T->n; i++) {
            int s = __atomic_load_n(&T->m[i].state, __ATOMIC_SEQ_CST);
            pending += s == ST_NONE;
            refused += s == ST_REFUSED;
        }
        if (refused) return -1;
        if (!pending) break;
        if (waited > 600000) {
            say("gave up waiting for the other restored processes to check their images", 0);
            return -1;
        }
        nap_ms(2);
    }
    for (int i = 0; i < T->n; i++) out[i] = (struct sx_tree_pid){T->m[i].vpid, T->m[i].real};
    *nout = (uint32_t)T->n;
    return 0;
}
