/* libstasis: the agent preloaded into every program run under Stasis.
 *
 * At start it joins the coordinator and starts a checkpoint thread. That thread follows the
 * coordinator's barriers (docs/protocol.md): it stops the user threads, records process
 * state, snapshots the process with a copy-on-write child that writes the image while the
 * program runs on, and commits or aborts the generation. After a restart the same thread
 * wakes up inside the restored memory, rejoins the coordinator and lets the program go on. */
#define _GNU_SOURCE
#include "agent.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <gnu/libc-version.h>

#include "coord.h"
#include "pidvirt.h"
#include "plugin_host.h"
#include "restart_signals.h"
#include "sys.h"
#include "text.h"

struct sx_agent sx_agent;
struct sx_restart_info sx_restart_info;

static struct sx_process_state saved_ps;
static struct sx_image_header header;
static struct sx_thread_record records[SX_MAX_THREADS + 1];
static char msgbuf[SX_MSG_MAX + 1];
static char outbuf[8192];
static char image_path[4200], tmp_path[4200], files_dir[4300], restored_files_dir[4300];
static char hostname[256];

/* the generation in flight */
static int suspended;
static int hooks_entered; /* a checkpoint-direction event ran this generation: RESUME must follow */
static long writer_pid;
static int result_fd = -1;
static char inline_result[32]; /* "ok <bytes>" of an image written without a child */
static uint32_t current_gen;
static int ckpt_thread_virtual; /* the checkpoint thread's tid as the program would see it */
static __thread int on_ckpt_thread; /* thread-local, so still set in the thread after a restart */

int sx_agent_on_ckpt_thread(void) { return on_ckpt_thread; }

/* From PRESUSPEND until this process's image is committed (renamed into place) or the
 * generation is aborted: a process must not end or exec meanwhile. */
static volatile int in_generation;

void sx_agent_wait_generation_done(void)
{
    for (int waited_ms = 0; __atomic_load_n(&in_generation, __ATOMIC_SEQ_CST) && waited_ms < 600000; waited_ms += 2) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        SX_SYS2(__NR_nanosleep, &ts, 0); /* the checkpoint signal may stop this thread here */
    }
}

enum { STEP_OK = 0, STEP_FAIL = -1, STEP_RESTARTED = 1 };

void sx_log(int level, const char *a, const char *b, const char *c)
{
    if (level > 0 && sx_agent.quiet >= (level == 1 ? 2 : 1)) return;
    struct sx_buf l;
    char mem[1024];
    sx_buf_init(&l, mem, sizeof mem);
    sx_buf_add(&l, "[stasis] ");
    sx_buf_add(&l, a ? a : "");
    sx_buf_add(&l, b ? b : "");
    sx_buf_add(&l, c ? c : "");
    sx_buf_add(&l, "\n");
    sx_write_all(2, l.p, l.len);
}

static void send_msg(const struct sx_buf *b)
{
    if (sx_agent.coord_fd >= 0 && sx_coord_send(sx_agent.coord_fd, b) < 0)
        sx_log(1, "lost the coordinator while sending", 0, 0);
}

/* Answers one barrier. error == 0 means ok; plugin names the hook that failed, if one did. */
static void arrive(const char *name, uint32_t gen, const char *error, const char *plugin, const char *image)
{
    struct sx_buf b;
    sx_msg_begin(&b, outbuf, sizeof outbuf, "ARRIVE");
    sx_msg_kv(&b, "name", name);
    sx_msg_kvi(&b, "generation", gen);
    sx_msg_kvi(&b, "ok", error ? 0 : 1);
    if (error) sx_msg_kv(&b, "error", error);
    if (plugin) sx_msg_kv(&b, "plugin", plugin);
    if (image) sx_msg_kv(&b, "image", image);
    /* what plugins want the checkpoint's result to say (stasis_note) */
    if (!error && sx_streq(name, "PRECHECKPOINT") && sx_plugin_notes()[0]) sx_msg_kv(&b, "note", sx_plugin_notes());
    send_msg(&b);
}

/* ---- startup ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    SX_SYS2(__NR_clock_gettime, CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t fnv64(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (uint8_t)*s++) * 1099511628211ull;
    return h;
}

static uint64_t fs_base(void)
{
    uint64_t fs = 0;
    sx_arch_prctl(0x1003, (unsigned long)&fs);
    return fs;
}

/* Where glibc keeps a thread's tid, robust list and rseq area, relative to the thread
 * pointer: needed to fix each thread up after restart, when the kernel gives new tids. */
static void find_glibc_layout(void)
{
    uint64_t fs = fs_base();
    int tid = (int)sx_gettid();
    for (long off = 0x100; off < 0x900; off += 4) {
        if (*(int *)(fs + (uint64_t)off) == tid) {
            sx_agent.tid_offset = off;
            break;
        }
    }
    uint64_t head = 0, len = 0;
    if (SX_SYS3(__NR_get_robust_list, 0, &head, &len) == 0 && head) sx_agent.robust_offset = (long)(head - fs);
    const long *rseq_off = dlsym(RTLD_DEFAULT, "__rseq_offset");
    const unsigned int *rseq_size = dlsym(RTLD_DEFAULT, "__rseq_size");
    if (rseq_off && rseq_size && *rseq_size) {
        sx_agent.rseq_offset = *rseq_off;
        sx_agent.rseq_len = *rseq_size > 32 ? *rseq_size : 32;
    }
}

static void read_program_name(void)
{
    int fd = (int)sx_open("/proc/self/comm", O_RDONLY, 0);
    long n = fd >= 0 ? sx_read(fd, sx_agent.program, 255) : 0;
    if (fd >= 0) sx_close(fd);
    if (n < 0) n = 0;
    sx_agent.program[n] = 0;
    for (long i = 0; i < n; i++)
        if (sx_agent.program[i] == '\n' || sx_agent.program[i] == '/') sx_agent.program[i] = 0;
    if (!sx_agent.program[0]) sx_copy_str(sx_agent.program, sizeof sx_agent.program, "program");
}

static int hello(int restart, const char *image)
{
    struct sx_buf b;
    sx_msg_begin(&b, outbuf, sizeof outbuf, "HELLO");
    sx_msg_kv(&b, "role", "worker");
    sx_msg_kv(&b, "secret", sx_agent.secret);
    sx_msg_kv(&b, "proto", "1");
    sx_msg_kv(&b, "upid", sx_agent.upid);
    sx_msg_kvi(&b, "pid", sx_getpid());
    sx_msg_kv(&b, "host", hostname);
    sx_msg_kv(&b, "program", sx_agent.program);
    sx_msg_kvi(&b, "restart", restart);
    sx_msg_kvi(&b, "generation", restart ? sx_agent.generation : 0);
    sx_msg_kv(&b, "compid", restart ? sx_agent.compid : "");
    sx_msg_kvi(&b, "peers", restart ? (long)header.peers : 0);
    sx_msg_kv(&b, "image", image ? image : "");
    /* For the coordinator's front end, verbatim from the launch: the enabled plugins and the
     * --with-plugin bundles (whose Java halves it calls when a generation completes), and the
     * plugins' variables for the restart script. */
    const char *bundles = getenv("STASIS_PLUGIN_BUNDLES");
    const char *script_env = getenv("STASIS_SCRIPT_ENV");
    const char *plugins = getenv("STASIS_ENABLED_PLUGINS");
    sx_msg_kv(&b, "plugins", plugins ? plugins : "");
    sx_msg_kv(&b, "bundles", bundles ? bundles : "");
    sx_msg_kv(&b, "script_env", script_env ? script_env : "");
    if (sx_coord_send(sx_agent.coord_fd, &b) < 0) return -1;
    struct sx_msg m;
    if (sx_coord_recv(sx_agent.coord_fd, msgbuf, &m) < 0) return -1;
    if (!sx_streq(m.verb, "WELCOME")) {
        sx_log(0, "the coordinator refused this process: ", sx_msg_get(&m, "reason"), 0);
        return -1;
    }
    const char *compid = sx_msg_get(&m, "compid");
    if (compid) sx_copy_str(sx_agent.compid, sizeof sx_agent.compid, compid);
    return 0;
}

static int join_coordinator(int restart, const char *image)
{
    int fd = sx_coord_connect(sx_agent.coord_host, sx_agent.coord_port, 10000);
    if (fd < 0) {
        char where[96];
        struct sx_buf b;
        sx_buf_init(&b, where, sizeof where);
        sx_buf_add(&b, sx_agent.coord_host);
        sx_buf_add(&b, ":");
        sx_buf_int(&b, sx_agent.coord_port);
        sx_log(0, "cannot reach the coordinator at ", where, "; this process runs on without checkpoints");
        return -1;
    }
    sx_agent.coord_fd = fd;
    if (hello(restart, image) < 0) {
        sx_close(fd);
        sx_agent.coord_fd = -1;
        return -1;
    }
    return 0;
}

/* ---- one checkpoint ---- */

static void image_names(void)
{
    struct sx_buf b;
    sx_buf_init(&b, image_path, sizeof image_path);
    sx_buf_add(&b, sx_agent.ckptdir);
    sx_buf_add(&b, "/ckpt_");
    sx_buf_add(&b, sx_agent.program);
    sx_buf_add(&b, "_");
    sx_buf_add(&b, sx_agent.upid);
    sx_buf_add(&b, ".dmtcp");
    sx_buf_init(&b, tmp_path, sizeof tmp_path);
    sx_buf_add(&b, image_path);
    sx_buf_add(&b, ".tmp");
    sx_image_files_dir(image_path, files_dir, sizeof files_dir);
}

const char *sx_agent_image_files_dir(void)
{
    if (sx_hooks_state()->restarting) {
        if (!sx_restart_info.image[0]) return 0;
        sx_image_files_dir(sx_restart_info.image, restored_files_dir, sizeof restored_files_dir);
        return restored_files_dir;
    }
    image_names();
    return files_dir;
}

static void fill_header(uint32_t gen, uint32_t peers)
{
    struct utsname u;
    memset(&header, 0, sizeof header);
    memcpy(header.magic, SX_IMAGE_MAGIC, 8);
    header.version = SX_IMAGE_VERSION;
    header.header_size = SX_HEADER_SIZE;
    header.flags = (sx_agent.compress ? SX_FLAG_COMPRESSED : 0) | SX_FLAG_RESTART_INFO_V2 | SX_FLAG_RESTART_INFO_V3;
    sx_copy_str(header.arch, sizeof header.arch, "x86_64");
    header.created_ns = now_ns();
    header.uid = (uint32_t)SX_SYS0(__NR_getuid);
    header.gid = (uint32_t)SX_SYS0(__NR_getgid);
    header.pid = (uint32_t)sx_pid_virtual((int)sx_getpid());
    header.ppid = (uint32_t)sx_pid_virtual((int)SX_SYS0(__NR_getppid));
    long sid = SX_SYS1(__NR_getsid, 0), pgid = SX_SYS1(__NR_getpgid, 0);
    header.sid = sid > 0 ? (uint32_t)sx_pid_virtual((int)sid) : 0;
    header.pgid = pgid > 0 ? (uint32_t)sx_pid_virtual((int)pgid) : 0;
    header.generation = gen;
    header.peers = peers;
    header.restart_info_addr = (uint64_t)&sx_restart_info;
    sx_copy_str(header.upid, sizeof header.upid, sx_agent.upid);
    sx_copy_str(header.compid, sizeof header.compid, sx_agent.compid);
    sx_copy_str(header.program, sizeof header.program, sx_agent.program);
    sx_copy_str(header.hostname, sizeof header.hostname, hostname);
    if (SX_SYS1(__NR_uname, &u) == 0) sx_copy_str(header.kernel, sizeof header.kernel, u.release);
    const char *enabled = getenv("STASIS_ENABLED_PLUGINS");
    if (enabled) sx_copy_str(header.plugins, sizeof header.plugins, enabled);
    /* a restart without the restart script's variables finds the bundles here; a list too long
     * for the field is left out rather than cut (the script still carries it) */
    const char *bundles = getenv("STASIS_PLUGIN_BUNDLES");
    if (bundles && sx_strlen(bundles) < sizeof header.bundles) sx_copy_str(header.bundles, sizeof header.bundles, bundles);
    sx_copy_str(header.libc, sizeof header.libc, gnu_get_libc_version());
    long n = SX_SYS3(__NR_readlink, "/proc/self/exe", header.exe, sizeof header.exe - 1);
    header.exe[n > 0 ? n : 0] = 0;
}

/* Takes the snapshot. Returns STEP_OK in the running program (a child now writes the
 * image), STEP_FAIL with err set, or STEP_RESTARTED when this thread was just restored. */
static int snapshot(uint32_t gen, uint32_t peers, char *err, size_t errlen)
{
    static struct sx_ctx self;
    ckpt_thread_virtual = sx_pid_virtual((int)sx_gettid());
    image_names();
    fill_header(gen, peers);
    if (sx_ctx_save(&self) != 0) return STEP_RESTARTED;

    char comm[16] = {0};
    SX_SYS2(__NR_prctl, 16 /* PR_GET_NAME */, comm);
    int nthreads = sx_threads_records(records, SX_MAX_THREADS + 1, &self, fs_base(), comm);
    saved_ps.nthreads = (uint32_t)nthreads;
    struct sx_write_job job = {tmp_path, &header, &saved_ps, records, nthreads, sx_agent.compress, sx_agent.save_code, -1};

    int pipefd[2], shared[2];
    if (SX_SYS2(__NR_pipe2, pipefd, O_CLOEXEC) < 0) {
        sx_copy_str(err, errlen, "cannot create a pipe for the image writer");
        return STEP_FAIL;
    }
    if (SX_SYS2(__NR_pipe2, shared, O_CLOEXEC) < 0) {
        sx_close(pipefd[0]);
        sx_close(pipefd[1]);
        sx_copy_str(err, errlen, "cannot create a pipe for the image writer");
        return STEP_FAIL;
    }
    /* memory the program keeps from its children must be in this one */
    if (sx_nofork_lift(err, errlen) < 0) {
        sx_close(pipefd[0]);
        sx_close(pipefd[1]);
        sx_close(shared[0]);
        sx_close(shared[1]);
        return STEP_FAIL;
    }
    long parent = sx_getpid();
    long pid = SX_SYS5(__NR_clone, 0 /* no exit signal: invisible to the program's wait() */, 0, 0, 0, 0);
    if (pid == 0) {
        char werr[512];
        /* if the program dies mid-checkpoint the generation is aborted: stop writing too */
        SX_SYS2(__NR_prctl, 1 /* PR_SET_PDEATHSIG */, 9);
        if (SX_SYS0(__NR_getppid) != parent) {
            SX_SYS1(__NR_unlink, tmp_path);
            sx_exit_group(1);
        }
        sx_close(sx_agent.coord_fd);
        sx_close(pipefd[0]);
        sx_close(shared[0]);
        job.shared_done_fd = shared[1];
        long size = sx_write_image(&job, werr, sizeof werr);
        struct sx_buf b;
        char out[640];
        sx_buf_init(&b, out, sizeof out);
        if (size >= 0) {
            sx_buf_add(&b, "ok ");
            sx_buf_int(&b, size);
        } else {
            sx_buf_add(&b, "err ");
            sx_buf_add(&b, werr);
            SX_SYS1(__NR_unlink, tmp_path);
        }
        sx_write_all(pipefd[1], b.p, b.len);
        sx_exit_group(size >= 0 ? 0 : 1);
    }
    sx_nofork_restore();
    sx_close(pipefd[1]);
    sx_close(shared[1]);
    /* the read end stays open while the program runs on: out of its way (a shell may close a
     * low number it believes its own, and the writer would then die of SIGPIPE) */
    pipefd[0] = sx_fd_high(pipefd[0]);
    if (pid > 0) {
        /* Shared memory is not copied by the clone: threads stay stopped until the child has
         * saved it (one byte, or end of file if the child died). */
        char done;
        while (sx_read(shared[0], &done, 1) == -4) {}
    }
    sx_close(shared[0]);
    if (pid < 0) {
        /* no memory for a copy-on-write child: write in place while threads stay stopped */
        sx_close(pipefd[0]);
        long size = sx_write_image(&job, err, errlen);
        if (size < 0) {
            SX_SYS1(__NR_unlink, tmp_path);
            return STEP_FAIL;
        }
        struct sx_buf b;
        sx_buf_init(&b, inline_result, sizeof inline_result);
        sx_buf_add(&b, "ok ");
        sx_buf_int(&b, size);
        result_fd = -1;
        writer_pid = 0;
        return STEP_OK;
    }
    writer_pid = pid;
    result_fd = pipefd[0];
    return STEP_OK;
}

static void durable(const char *result)
{
    struct sx_buf b;
    sx_msg_begin(&b, outbuf, sizeof outbuf, "DURABLE");
    sx_msg_kvi(&b, "generation", current_gen);
    if (sx_startswith(result, "ok ")) {
        sx_msg_kv(&b, "ok", "1");
        sx_msg_kv(&b, "image", image_path);
        sx_msg_kv(&b, "bytes", result + 3);
    } else {
        sx_msg_kv(&b, "ok", "0");
        sx_msg_kv(&b, "error", sx_startswith(result, "err ") ? result + 4 : "the image writer died");
        sx_msg_kv(&b, "image", image_path);
    }
    send_msg(&b);
}

static void collect_writer(void)
{
    char res[640];
    long n = 0, r;
    while (n < (long)sizeof res - 1 && (r = sx_read(result_fd, res + n, sizeof res - 1 - (size_t)n)) > 0) n += r;
    res[n > 0 ? n : 0] = 0;
    sx_close(result_fd);
    result_fd = -1;
    if (writer_pid > 0) SX_SYS4(__NR_wait4, writer_pid, 0, 0x80000000 /* __WCLONE */, 0);
    writer_pid = 0;
    durable(res);
}

static void commit(uint32_t gen)
{
    struct sx_buf b;
    long r = SX_SYS2(__NR_rename, tmp_path, image_path);
    int dfd = (int)sx_open(sx_agent.ckptdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd >= 0) {
        SX_SYS1(__NR_fsync, dfd);
        sx_close(dfd);
    }
    if (r == 0) sx_agent.generation = gen;
    /* the previous image is replaced: its files beside it (and any a failed generation left) go */
    if (r == 0) sx_image_files_sweep(files_dir, gen, 1);
    sx_msg_begin(&b, outbuf, sizeof outbuf, "COMMITTED");
    sx_msg_kvi(&b, "generation", gen);
    sx_msg_kvi(&b, "ok", r == 0);
    if (r) sx_msg_kv(&b, "error", sx_errno_text(r));
    sx_msg_kv(&b, "image", image_path);
    send_msg(&b);
    __atomic_store_n(&in_generation, 0, __ATOMIC_SEQ_CST);
}

static void abort_generation(void)
{
    __atomic_store_n(&in_generation, 0, __ATOMIC_SEQ_CST);
    if (writer_pid > 0) {
        SX_SYS2(__NR_kill, writer_pid, 9);
        SX_SYS4(__NR_wait4, writer_pid, 0, 0x80000000, 0);
        writer_pid = 0;
    }
    if (result_fd >= 0) {
        sx_close(result_fd);
        result_fd = -1;
    }
    SX_SYS1(__NR_unlink, tmp_path);
    /* files a plugin made for this generation beside the image; never the committed one's (an
     * abort while a restart is under way names the restored generation) */
    if (current_gen > sx_agent.generation) {
        image_names();
        sx_image_files_sweep(files_dir, current_gen, 0);
    }
    if (hooks_entered) {
        /* undo what PRESUSPEND/PRECHECKPOINT quiesced (drained pipes, plugins' state) */
        char err[64];
        sx_hooks_run(SX_EV_RESUME, current_gen, err, sizeof err, 0);
        hooks_entered = 0;
    }
    if (suspended) {
        sx_threads_resume();
        suspended = 0;
    }
    sx_restart_signals_close(); /* a restart given up: the program's signals are its own again */
    sx_fork_gate_open();
}

static void after_restart(void);
static int rescan_signalfds; /* set by a restart, done at its RESUME */

static void on_event(const struct sx_msg *m)
{
    const char *name = sx_msg_get(m, "name");
    const char *g = sx_msg_get(m, "generation");
    const char *peers_s = sx_msg_get(m, "peers");
    uint32_t gen = 0, peers = 1;
    if (g) gen = (uint32_t)sx_parse_u64(&g, 10);
    if (peers_s) peers = (uint32_t)sx_parse_u64(&peers_s, 10);
    sx_agent.peers = peers;
    if (!name) return;
    char err[600];
    const char *failed = 0;
    err[0] = 0;
    if (sx_streq(name, "PRESUSPEND")) {
        current_gen = gen;
        __atomic_store_n(&in_generation, 1, __ATOMIC_SEQ_CST);
        sx_fork_gate_close(); /* a child forked from now on would miss this generation */
        sx_plugin_notes_clear();
        hooks_entered = 1;
        if (sx_hooks_run(SX_EV_PRESUSPEND, gen, err, sizeof err, &failed) < 0) {
            arrive(name, gen, err, failed, 0);
            return;
        }
    } else if (sx_streq(name, "SUSPEND")) {
        current_gen = gen;
        if (sx_threads_suspend(err, sizeof err) < 0) {
            sx_threads_resume();
            arrive(name, gen, err, 0, 0);
            return;
        }
        suspended = 1;
    } else if (sx_streq(name, "PRECHECKPOINT")) {
        sx_procstate_capture(&saved_ps);
        sx_zombies_capture();
        hooks_entered = 1;
        if (sx_hooks_run(SX_EV_PRECHECKPOINT, gen, err, sizeof err, &failed) < 0) {
            arrive(name, gen, err, failed, 0);
            return;
        }
    } else if (sx_streq(name, "WRITE")) {
        int r = snapshot(gen, peers, err, sizeof err);
        if (r == STEP_RESTARTED) {
            after_restart();
            return;
        }
        if (r == STEP_FAIL) {
            arrive(name, gen, err, 0, image_path);
            return;
        }
        arrive(name, gen, 0, 0, image_path);
        if (result_fd < 0) durable(inline_result); /* written in place: already durable */
        return;
    } else if (sx_streq(name, "RESTART")) {
        sx_hooks_run(SX_EV_RESTART, sx_agent.generation, err, sizeof err, 0);
        sx_restart_signals_check();
    } else if (sx_streq(name, "RESUME")) {
        sx_restart_signals_close(); /* the restart is complete: signals go to the program again */
        if (rescan_signalfds) sx_sigfd_rescan(); /* the plugins' signalfds are back; threads still stopped */
        rescan_signalfds = 0;
        if (suspended) {
            sx_hooks_run(SX_EV_RESUME, gen, err, sizeof err, 0);
            sx_threads_resume();
            sx_follow_refill_spares(); /* malloc is safe again */
        }
        suspended = 0;
        hooks_entered = 0;
        sx_fork_gate_open();
    }
    arrive(name, gen, 0, 0, 0);
}

/* ---- restart ---- */

/* No coordinator to drive RESTART and RESUME: run them here, so the program at least gets its
 * descriptors back and goes on (it cannot be checkpointed again). */
static void resume_unmanaged(void)
{
    char err[64];
    sx_hooks_run(SX_EV_RESTART, sx_agent.generation, err, sizeof err, 0);
    sx_hooks_run(SX_EV_RESUME, sx_agent.generation, err, sizeof err, 0);
    sx_sigfd_rescan();
    sx_threads_resume();
    suspended = 0;
    sx_fork_gate_open();
}

/* The restorer's table of the restarted tree, plus this process's threads: each keeps the
 * number it had before (itself virtual when an earlier restart mapped it). */
static void restore_pid_map(const struct sx_restart_info *ri)
{
    static int thread_virtual[SX_MAX_THREADS];
    int n = 0;
    for (int i = 0; i < SX_MAX_THREADS; i++) {
        int old = sx_threads_old_tid(i);
        if (old < 0) break;
        thread_virtual[n++] = sx_pid_virtual(old); /* the table as it was at the checkpoint */
    }
    sx_pid_map_clear();
    if (ri->magic == SX_RESTART_MAGIC && (header.flags & SX_FLAG_RESTART_INFO_V3))
        for (uint32_t i = 0; i < ri->npids && i < SX_MAX_RESTART_PIDS; i++) sx_pid_map_add(ri->pids[i][0], ri->pids[i][1]);
    else
        sx_pid_map_add((int)header.pid, (int)sx_getpid());
    for (int i = 0; i < n; i++) {
        int now = sx_threads_new_tid(sx_threads_old_tid(i));
        if (now > 0) sx_pid_map_add(thread_virtual[i], now);
    }
    /* the checkpoint thread itself */
    sx_pid_map_add(ckpt_thread_virtual, (int)sx_gettid());
}

static void after_restart(void)
{
    struct sx_restart_info *ri = &sx_restart_info;
    sx_fix_thread_after_restart(fs_base(), 0);
    sx_threads_await_restored();
    writer_pid = 0;
    result_fd = -1;
    suspended = 1; /* user threads wait in the handler until RESUME */
    if (ri->hole_len) sx_munmap((void *)ri->hole_start, ri->hole_len);
    sx_agent.real_pid = (int)sx_getpid();
    in_generation = 0; /* the image holds the moment before this generation's commit */
    restore_pid_map(ri);
    sx_zombies_recreate();
    sx_procstate_restore(&saved_ps);
    sx_siginfo_restarted();
    rescan_signalfds = 1;
    sx_crashnote_arm();
    if (ri->magic == SX_RESTART_MAGIC) sx_hooks_disable(ri->disabled_plugins);
    int old_coord_fd = sx_agent.coord_fd; /* the image's: a number the program did not use */
    sx_agent.coord_fd = -1;
    if (ri->magic != SX_RESTART_MAGIC) {
        sx_log(0, "restarted without coordinator details; running on unmanaged", 0, 0);
        resume_unmanaged();
        return;
    }
    sx_agent.quiet = (int)ri->quiet;
    sx_copy_str(sx_agent.coord_host, sizeof sx_agent.coord_host, ri->coord_host);
    sx_agent.coord_port = (int)ri->coord_port;
    sx_copy_str(sx_agent.secret, sizeof sx_agent.secret, ri->secret);
    if (ri->have_ckptdir) sx_copy_str(sx_agent.ckptdir, sizeof sx_agent.ckptdir, ri->ckptdir);
    sx_agent.generation = header.generation;
    sx_follow_restarted();
    image_names();
    SX_SYS1(__NR_unlink, tmp_path); /* what a writer killed with the old process left behind */
    {
        struct utsname u;
        if (SX_SYS1(__NR_uname, &u) == 0) sx_copy_str(hostname, sizeof hostname, u.nodename);
    }
    if (join_coordinator(1, ri->image) < 0) {
        resume_unmanaged();
        return;
    }
    /* The new connection goes where the old one was: the files plugin restores the program's
     * descriptors by number, and the first free number above SX_HIGH_FD now may be one of them
     * (a program with thousands, or one that inherited a descriptor there over exec). */
    if (old_coord_fd > 2 && old_coord_fd != sx_agent.coord_fd &&
        SX_SYS3(__NR_dup3, sx_agent.coord_fd, old_coord_fd, O_CLOEXEC) == old_coord_fd) {
        sx_close(sx_agent.coord_fd);
        sx_agent.coord_fd = old_coord_fd;
    }
    sx_restart_signals_open(); /* until RESUME: SIGTERM and SIGINT must still end the process */
}

/* ---- the checkpoint thread ---- */

static void *ckpt_thread(void *arg)
{
    (void)arg;
    on_ckpt_thread = 1;
    if (sx_agent.tid_offset && *(int *)(fs_base() + (uint64_t)sx_agent.tid_offset) != (int)sx_gettid()) {
        sx_log(1, "unknown glibc thread layout; thread ids will not be fixed after restart", 0, 0);
        sx_agent.tid_offset = 0;
    }
    for (;;) {
        if (sx_agent.coord_fd < 0) return 0;
        struct pollfd p[3] = {{sx_agent.coord_fd, POLLIN, 0}, {result_fd, POLLIN, 0},
                              {sx_restart_signals_fd(), POLLIN, 0}};
        long r = SX_SYS3(__NR_poll, p, 3, -1); /* negative descriptors are skipped */
        if (r == -4) continue;
        if (r < 0) return 0;
        if (p[2].fd >= 0 && p[2].revents) {
            sx_restart_signals_take();
            continue;
        }
        if (result_fd >= 0 && p[1].revents) {
            collect_writer();
            continue;
        }
        if (!p[0].revents) continue;
        struct sx_msg m;
        int rr = sx_coord_recv(sx_agent.coord_fd, msgbuf, &m);
        if (rr < 0) {
            sx_log(1, "lost the coordinator; this process runs on but can no longer be checkpointed", 0, 0);
            abort_generation();
            sx_close(sx_agent.coord_fd);
            sx_agent.coord_fd = -1;
            return 0;
        }
        if (sx_streq(m.verb, "EVENT")) {
            on_event(&m);
            char why[256];
            if (sx_plugin_api_take_abort(why, sizeof why)) { /* read while a plugin waited */
                abort_generation();
                sx_log(1, "checkpoint aborted: ", why, 0);
            }
        }
        else if (sx_streq(m.verb, "COMMIT")) {
            const char *g = sx_msg_get(&m, "generation");
            commit(g ? (uint32_t)sx_parse_u64(&g, 10) : current_gen);
        } else if (sx_streq(m.verb, "ABORT")) {
            abort_generation();
            sx_log(1, "checkpoint aborted: ", sx_msg_get(&m, "reason"), 0);
        } else if (sx_streq(m.verb, "REFUSED")) {
            /* a restart the coordinator gave up (peers that never came): the process is not
             * whole without them, so it must not run on (protocol.md, "Restart") */
            sx_log(0, "", sx_msg_get(&m, "reason"), 0);
            sx_exit_group(3);
        } else if (sx_streq(m.verb, "KILL")) {
            SX_SYS2(__NR_kill, sx_getpid(), 9);
        }
    }
}

static void new_upid(void)
{
    struct sx_buf b;
    sx_buf_init(&b, sx_agent.upid, sizeof sx_agent.upid);
    sx_buf_hex(&b, fnv64(hostname), 16);
    sx_buf_add(&b, "-");
    sx_buf_int(&b, sx_getpid());
    sx_buf_add(&b, "-");
    sx_buf_hex(&b, now_ns() / 1000, 1);
}

static void start_checkpoint_thread(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    int r = pthread_create(&t, &attr, ckpt_thread, 0);
    pthread_sigmask(SIG_SETMASK, &old, 0);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        sx_log(0, "cannot start the checkpoint thread; this process will not be checkpointed", 0, 0);
        sx_close(sx_agent.coord_fd);
        sx_agent.coord_fd = -1;
        return;
    }
    pthread_setname_np(t, "stasis:ckpt");
    sx_agent.active = 1; /* only now: the checkpoint thread keeps the signal blocked */
}

__attribute__((constructor)) static void sx_agent_init(void)
{
    const char *port = getenv("STASIS_COORD_PORT");
    const char *host = getenv("STASIS_COORD_HOST");
    if (!port || !host) return;
    const char *sig = getenv("STASIS_CKPT_SIGNAL");
    const char *gz = getenv("STASIS_GZIP");
    const char *quiet = getenv("STASIS_QUIET");
    const char *dir = getenv("STASIS_CKPT_DIR");
    const char *secret = getenv("STASIS_COORD_SECRET");
    sx_agent.coord_fd = -1;
    sx_agent.ckpt_signal = sig ? atoi(sig) : 12;
    if (sx_agent.ckpt_signal < 1 || sx_agent.ckpt_signal > 64 || sx_agent.ckpt_signal == 9 ||
        sx_agent.ckpt_signal == 19)
        sx_agent.ckpt_signal = 12;
    sx_agent.compress = gz ? atoi(gz) != 0 : 1;
    const char *save_code = getenv("STASIS_SAVE_CODE");
    sx_agent.save_code = save_code ? atoi(save_code) != 0 : 1;
    sx_agent.quiet = quiet ? atoi(quiet) : 0;
    sx_agent.coord_port = atoi(port);
    sx_copy_str(sx_agent.coord_host, sizeof sx_agent.coord_host, host);
    sx_copy_str(sx_agent.secret, sizeof sx_agent.secret, secret ? secret : "");
    if (dir && dir[0]) sx_copy_str(sx_agent.ckptdir, sizeof sx_agent.ckptdir, dir);
    else if (!getcwd(sx_agent.ckptdir, sizeof sx_agent.ckptdir)) sx_copy_str(sx_agent.ckptdir, 2, ".");

    struct utsname u;
    if (uname(&u) == 0) sx_copy_str(hostname, sizeof hostname, u.nodename);
    read_program_name();
    sx_agent.real_pid = (int)sx_getpid();
    new_upid();
    sx_stdio_init();
    sx_follow_save_env();
    sx_follow_hold_exits();
    sx_pid_map_import(getenv(SX_PID_MAP_VAR), (int)sx_getpid(), (int)SX_SYS0(__NR_getppid));
    if (sx_pid_live) sx_sigfd_rescan(); /* signalfds kept over the exec */
    find_glibc_layout();
    if (join_coordinator(0, 0) < 0) return;
    sx_threads_install_handler();
    start_checkpoint_thread();
}

/* Around an exec (follow.c): the connection closes with the exec (close-on-exec) and the new
 * program joins afresh under the same pid; saying so first lets the coordinator keep the
 * computation for it (and not stop under --exit-on-last in between). Sent by the exec'ing
 * thread, not the checkpoint thread: a frame of a few bytes from the stack in one writev, which
 * TCP sends whole under the socket's lock (it only splits a write that waits for buffer room),
 * so it never lands inside one of the checkpoint thread's frames; signals are blocked meanwhile
 * so that no checkpoint stops this thread halfway through. Not from a vfork child (its exec is a
 * new process's) nor once the agent is inactive. A notice that cannot be sent is not an error:
 * the exec goes on, and the coordinator only sees the process leave, as before. */
void sx_agent_exec_notice(int begin)
{
    if (!sx_agent.active || sx_agent.coord_fd < 0 || on_ckpt_thread || (int)sx_getpid() != sx_agent.real_pid) return;
    char mem[64];
    struct sx_buf b;
    sx_msg_begin(&b, mem, sizeof mem, "EXEC");
    sx_msg_kv(&b, "state", begin ? "begin" : "failed");
    uint64_t all = ~(uint64_t)0, old;
    if (SX_SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &all, &old, 8) < 0) return;
    if (sx_coord_send(sx_agent.coord_fd, &b) < 0) sx_log(1, "could not tell the coordinator about an exec", 0, 0);
    if (SX_SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, 8) < 0)
        sx_log(0, "cannot restore the signal mask after telling the coordinator about an exec", 0, 0);
}

/* In the child of a fork() (follow.c): the parent's connection and any generation state are
 * the parent's; this process joins as a worker of its own, then tells the parent (notify_fd)
 * so that fork() returns there only once a checkpoint would include the child. */
/* A child made by clone() has libc's thread block of its parent's thread: it gets its own
 * thread id there (and a robust list), as fork() would have done. */
void sx_agent_cloned_child(void)
{
    sx_fix_thread_after_restart(fs_base(), 0);
}

void sx_agent_forked_child(int notify_fd)
{
    if (sx_agent.coord_fd >= 0) sx_close(sx_agent.coord_fd);
    sx_agent.coord_fd = -1;
    sx_agent.active = 0;
    writer_pid = 0;
    result_fd = -1;
    suspended = 0;
    hooks_entered = 0;
    in_generation = 0;
    sx_fork_gate_reset();
    sx_agent.real_pid = (int)sx_getpid();
    new_upid();
    int joined = join_coordinator(0, 0) == 0;
    SX_SYS6(__NR_sendto, notify_fd, "1", 1, 0x4000 /* MSG_NOSIGNAL */, 0, 0);
    sx_close(notify_fd);
    if (joined) start_checkpoint_thread();
}
