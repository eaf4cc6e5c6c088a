/* What the agent's files share. The agent is libstasis.so, preloaded into the target. */
#ifndef STASIS_AGENT_H
#define STASIS_AGENT_H
#include <stdint.h>
#include <signal.h>
#include "image_format.h"

#define SX_MAX_THREADS 4096

/* --- agent.c --- */
struct sx_agent {
    int active;
    int ckpt_signal;
    int quiet;
    int compress;
    int save_code; /* store the program's and libraries' pages (default), or refer to the files */
    int coord_fd;
    int coord_port;
    char coord_host[64];
    char secret[128];
    char ckptdir[4096];
    char upid[80];
    char compid[80];
    char program[256];
    int real_pid; /* the pid this agent joined with (a vfork child shares our memory, not our pid) */
    uint32_t generation;
    uint32_t peers; /* processes in the generation under way, as its last EVENT said */
    /* glibc layout facts found at start, for fixing up threads after restart */
    long tid_offset;    /* struct pthread's tid field, from the thread pointer */
    long robust_offset; /* the robust-futex list head */
    long rseq_offset;   /* __rseq_offset, or 0 when glibc registers no rseq */
    uint32_t rseq_len;
};
extern struct sx_agent sx_agent;
extern struct sx_restart_info sx_restart_info;
void sx_log(int level, const char *a, const char *b, const char *c);
/* In a child just forked: join as a new worker, then write a byte to notify_fd. */
void sx_agent_forked_child(int notify_fd);
void sx_agent_cloned_child(void); /* first thing in a clone() child, before it joins */
void sx_agent_exec_notice(int begin); /* around execve: begin=1 before, 0 after it failed */
/* Whether the caller is the checkpoint thread (hooks run there). */
int sx_agent_on_ckpt_thread(void);
/* The folder for files kept beside this process's image (SDK 1.4 stasis_image_files_dir): at a
 * checkpoint the one of the image it writes, at a restart the one of the image restored from. */
const char *sx_agent_image_files_dir(void);
/* Waits until no generation of this process is in progress (its image committed, or aborted). */
void sx_agent_wait_generation_done(void);

/* --- imagefiles.c: files plugins keep beside the image, named "g<generation>-..." --- */
void sx_image_files_dir(const char *image, char *out, size_t cap); /* <image without .dmtcp>.files */
/* keep=1: generation gen was committed, the files of every other one go; keep=0: gen was
 * aborted, its files go. The folder goes too when left empty. */
void sx_image_files_sweep(const char *dir, uint32_t gen, int keep);

/* --- wrappers.c --- */
/* The next definition of a libc function we wrap, looked up once (at load time from the
 * wrappers' constructors, or at first use when another library calls one earlier). */
void *sx_real(void **slot, const char *name);
#define REAL(name) ((__typeof__(real_##name))sx_real((void **)&real_##name, #name))

/* --- stdio.c: the standard descriptors the launch (or the restart) gave the computation --- */
#define SX_STDIO_TEXT_MAX 112
void sx_stdio_init(void);              /* at load: inherited, or this process's own (first of a launch) */
const char *sx_stdio_restarted(void);  /* after a restart: the restart's; the variable's new value */
int sx_stdio_which(uint64_t dev, uint64_t ino); /* 0, 1 or 2 when that open file is one of them; -1 */

/* --- follow.c: children and exec --- */
/* Holds fork() back while a generation is in progress (PRESUSPEND until RESUME or abort). */
void sx_fork_gate_close(void);
void sx_fork_gate_open(void);
void sx_fork_gate_reset(void); /* in a forked child: no fork of its own is under way */
/* Before this process ends or execs: waits while a generation is in progress, until its image
 * is committed, so that a process whose state was taken is not gone without an image. */
void sx_hold_for_checkpoint(void);
void sx_follow_hold_exits(void); /* at start: also holds the exit of a program returning from main */
/* At start: the variables and preloads a new program needs to stay under the agent. */
void sx_follow_save_env(void);
/* After a restart: children get the new coordinator and checkpoint directory. */
void sx_follow_restarted(void);
void sx_follow_refill_spares(void); /* while the program runs: room for the next restart's values */

/* --- threads.c: stopping and resuming user threads --- */
int sx_ctx_save(struct sx_ctx *c) __attribute__((returns_twice));
void sx_threads_install_handler(void);
/* Stops every thread but the caller. 0, or -1 with a reason in err. */
int sx_threads_suspend(char *err, unsigned long errlen);
void sx_threads_resume(void);
uint32_t sx_threads_resumes(void); /* how often sx_threads_resume ran: moves whenever stopped threads went on */
/* Fills records for the stopped threads plus the caller (the checkpoint thread). */
int sx_threads_records(struct sx_thread_record *out, int max, const struct sx_ctx *self_ctx, uint64_t self_fs,
                       const char *self_comm);
/* After restart: waits until every restored user thread has checked in. */
void sx_threads_await_restored(void);
/* Signal wrappers consult these to keep the checkpoint signal to ourselves. */
int sx_threads_user_action(const struct sigaction *act, struct sigaction *old);
void sx_fix_thread_after_restart(uint64_t fs_base, const char *comm);
/* After restart: the new tid of a thread known by its tid at checkpoint time, or 0. */
int sx_threads_new_tid(int old_tid);
/* The tid at checkpoint time of the i-th stopped thread; 0 for a slot that did not stop, -1
 * past the last. */
int sx_threads_old_tid(int i);

/* --- interrupted.c: calls the kernel never restarts after a handler --- */
/* The checkpoint handler calls these with its ucontext: on entry (the time of the
 * interruption) and before it returns (the thread's interrupted call is then retried by its
 * wrapper, unless a signal of the program's own is about to run its handler). */
void sx_interrupted_enter(const void *uc);
void sx_interrupted_leave(const void *uc, int ckpt_signal);

/* --- procstate.c: process-wide kernel state --- */
void sx_procstate_capture(struct sx_process_state *ps);
extern uint64_t sx_shared_pending; /* process-wide pending signals at the last checkpoint */
void sx_procstate_restore(const struct sx_process_state *ps);

/* --- zombies.c: exited children not yet waited for --- */
void sx_zombies_capture(void);  /* PRECHECKPOINT */
void sx_zombies_recreate(void); /* after a restart, once the pid table is loaded */

/* --- nofork.c: memory marked MADV_DONTFORK / MADV_WIPEONFORK --- */
void sx_nofork_note_advice(int advice); /* the madvise wrappers: the program asked for a mark */
/* Just before the writer's clone, threads stopped: takes the marks off every marked region so
 * the child gets its pages. 0, or -1 with a reason in err (nothing left lifted). */
int sx_nofork_lift(char *err, unsigned long errlen);
void sx_nofork_restore(void); /* right after the clone: the marks back on */
/* The marks of the region holding start (0 if none), with *end cut back to where that stops
 * being true. Valid in the writer for the list the last lift found. */
uint32_t sx_nofork_kind(uint64_t start, uint64_t *end);

/* --- crashnote.c: a crash after a restart is reported --- */
void sx_crashnote_arm(void); /* after a restart, dispositions restored */
/* The sigaction wrapper for signals other than the checkpoint signal. */
int sx_crashnote_armed(int sig); /* our crash handler is on sig, not the program's */
int sx_crashnote_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* --- writer.c: the image --- */
struct sx_write_job {
    const char *tmp_path;
    struct sx_image_header *header;
    const struct sx_process_state *ps;
    const struct sx_thread_record *threads;
    int nthreads;
    int compress;
    int save_code;
    int shared_done_fd; /* gets one byte once shared memory is saved; -1 when writing in place */
};
/* Writes and fsyncs the whole image. Returns the file size, or -1 with a reason in err. */
long sx_write_image(const struct sx_write_job *job, char *err, unsigned long errlen);

#endif
