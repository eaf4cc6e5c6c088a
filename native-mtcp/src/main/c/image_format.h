/* The on-disk image format (docs/image-format.md) and the records shared by the agent,
 * which writes images, and the restorer, which reads them. Little-endian, fixed sizes. */
#ifndef STASIS_IMAGE_FORMAT_H
#define STASIS_IMAGE_FORMAT_H
#include <stdint.h>

#define SX_IMAGE_MAGIC "STASISIM"
#define SX_IMAGE_VERSION 1u
#define SX_HEADER_SIZE 4096u
#define SX_FLAG_COMPRESSED 1u
/* the agent's sx_restart_info has the fields after hole_len (disabled_plugins) */
#define SX_FLAG_RESTART_INFO_V2 2u
/* the agent's sx_restart_info also has the pid table after disabled_plugins */
#define SX_FLAG_RESTART_INFO_V3 4u

#define SX_SEC_PROCESS 1u
#define SX_SEC_THREADS 2u
#define SX_SEC_REGIONS 3u
#define SX_SEC_MEMORY 4u
#define SX_SEC_PLUGIN 5u
#define SX_SEC_TRAILER 65535u
#define SX_SECF_LZ4 1u
#define SX_MEMORY_CHUNK (1u << 20) /* raw bytes per MEMORY section at most */

struct sx_image_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint32_t header_crc;
    uint32_t flags;
    char arch[16];
    uint64_t created_ns;
    uint32_t uid, gid, pid, generation, peers, reserved0;
    uint64_t restart_info_addr;
    /* The process's place in its tree, as the program sees it (virtual pids, like pid above);
     * zero in images of older agents. */
    uint32_t ppid, sid, pgid, tree_flags;
    char upid[80];
    char compid[80];
    char program[256];
    char hostname[256];
    char kernel[128];
    char libc[64];
    char exe[1024];
    char plugins[1024];
    char bundles[1024]; /* the launch's --with-plugin bundles, colon-separated (empty if too long) */
    char reserved2[64];
};
_Static_assert(sizeof(struct sx_image_header) == SX_HEADER_SIZE, "header size");

struct sx_section_header {
    uint32_t type;
    uint32_t flags;
    uint64_t addr;
    uint64_t payload_size;
    uint64_t raw_size;
    uint32_t payload_crc;
    uint32_t reserved[2];
    uint32_t header_crc; /* CRC32C of the 44 bytes before it */
};
_Static_assert(sizeof(struct sx_section_header) == 48, "section header size");

struct sx_trailer {
    char magic[8]; /* "STASEND" */
    uint64_t sections;
    uint64_t trailer_offset;
    uint64_t memory_bytes;
};

/* Region kinds (struct sx_region.kind). */
#define SX_R_SHARED 0x1u
#define SX_R_PRIVATE 0x2u
#define SX_R_ANON 0x4u
#define SX_R_FILE 0x8u
#define SX_R_STACK 0x10u
#define SX_R_HEAP 0x20u
#define SX_R_VDSO 0x40u
#define SX_R_VVAR 0x80u
#define SX_R_VVAR_VCLOCK 0x100u
#define SX_R_DELETED 0x200u
#define SX_R_GROWSDOWN 0x400u
#define SX_R_SAVED 0x800u /* a file's pages saved in full: restored as memory, the file is not needed */
#define SX_R_DONTFORK 0x1000u   /* the program marked it MADV_DONTFORK: marked again at restart */
#define SX_R_WIPEONFORK 0x2000u /* the program marked it MADV_WIPEONFORK: marked again at restart */
#define SX_R_SPECIAL (SX_R_VDSO | SX_R_VVAR | SX_R_VVAR_VCLOCK)

struct sx_region {
    uint64_t start, end, offset;
    uint32_t prot, kind;
    uint64_t inode, dev, file_size, file_mtime_ns;
    char path[256];
};
_Static_assert(sizeof(struct sx_region) == 320, "region record size");

/* Callee-saved registers and the resume point of a stopped thread (see ctx.S). */
struct sx_ctx {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

#define SX_T_LEADER 1u
#define SX_T_CKPT 2u

struct sx_thread_record {
    int32_t tid;
    uint32_t flags;
    uint64_t fs_base;
    struct sx_ctx ctx;
    uint64_t pending; /* signals pending for this thread only (bit n-1 = signal n) */
    char comm[16];
    uint64_t reserved[4];
};

struct sx_kernel_sigaction {
    uint64_t handler, flags, restorer, mask;
};

struct sx_itimer {
    int64_t interval_sec, interval_usec, value_sec, value_usec;
};

struct sx_rlimit {
    uint64_t cur, max;
};

#define SX_NSIG 64
#define SX_NRLIMIT 16
#define SX_MAX_PTIMERS 64

/* A POSIX timer (timer_create), restored under the same id. */
struct sx_ptimer {
    int32_t id, clockid, signo, notify; /* notify: 0 signal to process, 1 none, 4 to one thread */
    uint64_t sigval;
    int32_t target_tid, reserved;
    int64_t interval_sec, interval_nsec, value_sec, value_nsec; /* value = time remaining */
};

struct sx_process_state {
    /* mm layout from /proc/self/stat, restored with prctl(PR_SET_MM, PR_SET_MM_MAP) */
    uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
    uint64_t arg_start, arg_end, env_start, env_end;
    uint32_t umask;
    uint32_t nthreads;
    struct sx_kernel_sigaction sigactions[SX_NSIG + 1];
    struct sx_itimer itimers[3];
    struct sx_rlimit rlimits[SX_NRLIMIT];
    uint64_t shared_pending;
    uint32_t nptimers, reserved;
    struct sx_ptimer ptimers[SX_MAX_PTIMERS];
    char cwd[4096];
};

/* Filled in by the restorer inside the restored agent (its address is in the header), so
 * the agent knows how to rejoin. */
#define SX_RESTART_MAGIC 0x52535458u /* "XTSR" */
#define SX_MAX_RESTART_PIDS 1024
struct sx_restart_info {
    uint32_t magic;
    uint32_t quiet;
    uint32_t coord_port;
    uint32_t have_ckptdir;
    char coord_host[64];
    char secret[128];
    char ckptdir[4096];
    char image[4096];
    uint64_t hole_start, hole_len; /* the restorer's own memory, for the agent to unmap */
    /* Written only when the image header has SX_FLAG_RESTART_INFO_V2 (older agents' blocks
     * end above): plugins disabled at restart time, colon-separated, whose hooks must not run. */
    char disabled_plugins[512];
    /* Written only when the header has SX_FLAG_RESTART_INFO_V3: the pid each process of the
     * restarted tree had at the checkpoint (virtual) and has now (real), for every image the
     * restorer was given. The agent adds its threads to it. */
    uint32_t npids, reserved_pids;
    int32_t pids[SX_MAX_RESTART_PIDS][2];
};

#endif
