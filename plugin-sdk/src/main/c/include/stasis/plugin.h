/* Stasis plugin SDK 1.7: the native half of a plugin.
 *
 * A plugin's native half is a shared object that the launch preloads into the program right
 * after the Stasis agent (libstasis.so), in plugin order. It registers itself from a
 * constructor, and the agent then calls its hooks on the checkpoint thread at each event:
 *
 *     checkpoint:  PRESUSPEND -> (threads stopped) -> PRECHECKPOINT -> (image written) -> RESUME
 *     restart:     (memory restored) -> RESTART -> RESUME
 *
 * PRESUSPEND and PRECHECKPOINT run in plugin order (the agent's own modules first); RESUME and
 * RESTART run in reverse, so that a plugin layered on another finds it still intact while it
 * unwinds. Every process of the computation passes each event together: the coordinator
 * releases the next one only when all have finished the last.
 *
 * Building: compile with -fPIC -shared, include this header, and do not link against
 * libstasis.so: its functions are found at load time because the agent is always loaded
 * first. The plugin's bundle names the object in its Bundle-NativeCode manifest header.
 *
 *     #include <stasis/plugin.h>
 *
 *     static int my_precheckpoint(char *err, size_t errlen);
 *     static const struct stasis_plugin me = {
 *         STASIS_SDK_INIT, "counter", 0, my_precheckpoint, 0, 0,
 *     };
 *     __attribute__((constructor)) static void init(void) { stasis_register(&me); }
 *
 * Versioning (docs/plugins-sdk-versioning.md): a plugin built against SDK 1.x runs on any
 * Stasis whose SDK is 1.y with y >= x. Within a major version, functions and fields are only
 * ever added at the end; none is removed or changes meaning.
 *
 * Threads: hooks are called on the agent's checkpoint thread. During PRECHECKPOINT and
 * RESTART every other thread of the program is stopped, possibly inside libc while holding
 * its locks: a hook there must not call malloc, stdio or anything else that may take a lock
 * the program could hold. The functions below are safe in every hook. */
#ifndef STASIS_PLUGIN_H
#define STASIS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STASIS_SDK_MAJOR 1
#define STASIS_SDK_MINOR 7
/* The first two fields of every struct stasis_plugin. */
#define STASIS_SDK_INIT STASIS_SDK_MAJOR, STASIS_SDK_MINOR

struct stasis_plugin {
    uint32_t sdk_major, sdk_minor; /* STASIS_SDK_INIT: the SDK this plugin was built against */
    const char *name;              /* the bundle's Stasis-Plugin-Name */

    /* Checkpoint direction. Return 0 to go on, or -1 after writing a one-line reason into
     * err (at most errlen bytes, NUL-terminated): the coordinator then aborts this
     * generation in every process, reports "plugin <name>: <reason>" in its status and to
     * the command that asked for the checkpoint, and the program runs on. Either may be 0. */
    int (*presuspend)(char *err, size_t errlen);   /* user threads still run */
    int (*precheckpoint)(char *err, size_t errlen); /* user threads stopped */

    /* Unwinding direction; cannot fail. Either may be 0. */
    void (*resume)(void);  /* after the image is taken (and after RESTART), before user threads run */
    void (*restart)(void); /* in the restored process, before RESUME */
};

/* Registers a plugin; call it from a constructor. Returns 0, or -1 when the agent refuses the
 * plugin (an SDK newer than the agent's, no name, or the agent is not loaded), after logging
 * why on standard error. A refused plugin's hooks are never called. */
int stasis_register(const struct stasis_plugin *plugin);

/* The generation being checkpointed (during PRESUSPEND..RESUME), or the one restored from
 * (during RESTART and the RESUME after it). Generations count from 1. */
uint32_t stasis_generation(void);

/* 1 while the events of a restart are being delivered (RESTART and the RESUME after it),
 * 0 otherwise. */
int stasis_restarting(void);

/* ---- The plugin's own image section ----
 *
 * During PRESUSPEND or PRECHECKPOINT a plugin may store data of its own (any size the memory
 * allows: the buffer is mapped to its size, not copied again by the writer); it is
 * written into this generation's image as a PLUGIN section under the plugin's name (a later
 * call in the same generation replaces it). During RESTART the plugin reads it back from the
 * image it is being restored from. (The plugin's memory is restored too; a section is for
 * state that must be read from the file, or looked at with 'stasis inspect'.) */

/* Returns 0, or -1 when called outside PRESUSPEND/PRECHECKPOINT, or there is no memory. */
int stasis_section_write(const struct stasis_plugin *plugin, const void *data, size_t len);

/* Copies at most cap bytes of the plugin's section into buf and returns the section's full
 * length (more than cap means the copy was cut short). Returns -1 when the image has no
 * section of this plugin, when called outside RESTART, or when the section is damaged
 * (its checksum does not match). */
long stasis_section_read(const struct stasis_plugin *plugin, void *buf, size_t cap);

/* ---- Key-value store and barriers (the coordinator's) ----
 *
 * Keys live in the plugin's namespace ("<name>/<key>"), shared by every process of the
 * computation, for the coordinator's lifetime: publish at one event, query at a later one
 * (the coordinator's barrier between events orders them). Keys and values are text without
 * newlines; a value is at most 60000 bytes. Callable from hooks only. */

/* Returns 0, or -1 (no coordinator, bad key or value, not in a hook). */
int stasis_kv_put(const struct stasis_plugin *plugin, const char *key, const char *value);

/* Copies the value (NUL-terminated, cut to cap-1 bytes) and returns its full length; -1 when
 * the key is not set; -2 on error (no coordinator, not in a hook). */
long stasis_kv_get(const struct stasis_plugin *plugin, const char *key, char *out, size_t cap);

/* Waits until every process of the computation (stasis_barrier) or every process of the
 * computation on this host (stasis_local_barrier) has reached the barrier of this name.
 * Returns 0, or -1 when the generation was aborted meanwhile or the coordinator is gone.
 * Callable from hooks only; every process must call the same barriers in the same order. */
int stasis_barrier(const struct stasis_plugin *plugin, const char *name);
int stasis_local_barrier(const struct stasis_plugin *plugin, const char *name);

/* 1 when fd is one of the agent's own descriptors (its coordinator connection), which a plugin
 * that records or restores descriptors must leave alone; 0 otherwise. */
int stasis_agent_fd(int fd);

/* (SDK 1.1) A name for this process, unique among the processes of the computation and the
 * same after a restart (it is part of the saved state): for keys in the store, or for telling
 * which process an election picked. Printable, at most 95 bytes. */
const char *stasis_process_id(void);

/* (SDK 1.2) How many times this process's threads have been stopped for a checkpoint and let go
 * again (aborted checkpoints and restarts count too). The stop is a signal, and a few blocking
 * calls fail with EINTR after any signal handler, SA_RESTART or not (semop, msgrcv, ...). A
 * wrapper reads this number before such a call; when the call fails with EINTR and the number
 * has moved, the program's own signals had nothing to do with it and the call can be made
 * again. Readable from any thread at any time. */
uint32_t stasis_resumes(void);

/* (SDK 1.3) Which standard descriptor of the command that started the computation an open file
 * is: 0, 1 or 2 when the device and inode (st_dev, st_ino of fstat; a pipe's inode is the pipe)
 * are those of its standard input, output or error; -1 otherwise. That command is dmtcp_launch,
 * and after a restart dmtcp_restart: at a restart these descriptors become the restart's,
 * wherever the computation keeps them, while those the computation opened or redirected itself
 * (a shell's "> out.txt", a pipeline, freopen) are its own and come back like any other. */
int stasis_launch_std(uint64_t dev, uint64_t ino);

/* (SDK 1.3) The same as stasis_section_write without the copy: returns a zeroed buffer of len
 * bytes that is this generation's section, for the plugin to fill during the same hook (large
 * data, such as file contents, is then in memory once). A later call replaces it. NULL outside
 * PRESUSPEND/PRECHECKPOINT or when there is no memory. */
void *stasis_section_buffer(const struct stasis_plugin *plugin, size_t len);

/* (SDK 1.3) CRC32C (Castagnoli, as java.util.zip.CRC32C; the SSE4.2 instruction where the CPU has
 * it): pass 0 first, then the previous result to continue over more data. Callable anywhere. */
uint32_t stasis_crc32c(uint32_t crc, const void *data, size_t len);

/* (SDK 1.4) The folder beside the image for files a plugin keeps outside the image (the files
 * plugin's copy-on-write clones of large files): the image's path with ".dmtcp" replaced by
 * ".files" (ckpt_<program>_<id>.files). During PRESUSPEND..RESUME of a checkpoint it is the
 * folder of the image this generation writes; during RESTART and the RESUME after it, that of
 * the image this process is restored from (so a checkpoint directory moved as a whole keeps
 * working). NULL outside hooks. The folder is not created: the plugin makes it (mode 0700).
 *
 * A file in it named "g<generation>-<anything>" belongs to that generation: once a generation
 * commits, the agent removes the files of every other generation (an older one's, or one that
 * failed), and the files of a generation that is aborted, and the folder when it is left empty.
 * So the folder holds what the committed image refers to, plus, during a checkpoint, the files
 * of the generation under way. The plugin must make its files durable (fsync) before its hook
 * returns: the image is committed without looking at them. */
const char *stasis_image_files_dir(void);

/* (SDK 1.5) 1 when a native plugin of this name is registered in this process (enabled for the
 * computation), 0 otherwise: a plugin that leaves some kind of descriptor to another one (the
 * files plugin leaves sockets to the sockets plugin) warns only when that one is not there. */
int stasis_plugin_registered(const char *name);

/* ---- Handing descriptors between processes at restart (SDK 1.5) ----
 *
 * An object several processes of the computation held (a pipe, a socket pair) is made anew at
 * RESTART by one of them, its maker, which hands it to the others:
 *
 *     maker:   make it; l = stasis_handover_listen(me)           (before barrier A)
 *     others:  c = stasis_handover_ask(me, maker_id, key)         (after A, before barrier B)
 *     maker:   stasis_handover_serve(l, lookup); close(l)         (after B)
 *     others:  stasis_handover_receive(c, fds)                    (after B)
 *
 * with maker_id the maker's stasis_process_id() and key any 64-bit name the plugin gives the
 * object (its old inode). Each object is two descriptors (a pipe's read and write end); lookup
 * fills them for a key and returns 0, or -1 for a key it does not know. The listener is an
 * abstract Unix socket named after the plugin and the maker (so plugins do not meet) and only
 * processes of the same user are answered. The descriptors returned are close-on-exec, at the
 * lowest free numbers: move them out of the way before placing the program's own. */

/* The maker's listening socket (nonblocking), or -1. */
int stasis_handover_listen(const struct stasis_plugin *plugin);
/* Asks maker for the object known by key; the connection to receive the answer on, or -1. */
int stasis_handover_ask(const struct stasis_plugin *plugin, const char *maker, uint64_t key);
/* Answers every request queued on listener; returns how many. */
int stasis_handover_serve(int listener, int (*lookup)(uint64_t key, int fds[2]));
/* Waits for the answer on conn (which it closes): fills fds and returns 0, or -1. */
int stasis_handover_receive(int conn, int fds[2]);

/* ---- Many keys at once (SDK 1.6) ----
 *
 * A hook that publishes or queries one key per socket, file or connection pays one round trip
 * to the coordinator for each while the program is stopped; these pay one for all. */

/* Sends the put without waiting for the coordinator's answer: it is applied before anything
 * this process sends later (a barrier, a get), as the coordinator reads in order. 0, or -1
 * (no coordinator, bad key or value, not in a hook). */
int stasis_kv_put_nowait(const struct stasis_plugin *plugin, const char *key, const char *value);
/* Gets n keys in one round trip: outs[i] (each cap bytes) receives the value of keys[i]
 * (NUL-terminated, cut to cap-1 bytes) and lens[i] its full length, or -1 when the key is not
 * set. Returns 0, or -1 on an error (no coordinator, bad key, not in a hook). */
int stasis_kv_get_many(const struct stasis_plugin *plugin, size_t n, const char *const *keys, char *const *outs,
                       size_t cap, long *lens);

/* ---- Notes for the checkpoint's result (SDK 1.6) ----
 *
 * During PRESUSPEND or PRECHECKPOINT: one line (no newline or tab, at most 1000 bytes) for the
 * result of this checkpoint, which the coordinator logs and dmtcp_command -bc prints, prefixed
 * with the process and the plugin: what the user should know although the checkpoint
 * succeeded, such as what will not come back at a restart. Returns 0, or -1 outside those hooks
 * or when the process's notes for this generation are full (4 KiB). */
int stasis_note(const struct stasis_plugin *plugin, const char *text);

/* ---- This host's address (SDK 1.7) ----
 *
 * The address this process reaches the coordinator from (IPv4): the one other hosts of the
 * computation can reach it by, for a plugin that must publish where it listens after a restart
 * on another host, where its old address is gone. Fills *out (a struct sockaddr_storage, port
 * 0) and returns 0, or -1 without a coordinator connection. */
struct sockaddr_storage;
int stasis_host_address(struct sockaddr_storage *out);

/* ---- Options ----
 *
 * The value the user gave one of the plugin's launch options (declared by its Java half,
 * shown in dmtcp_launch --help), by the option's full name ("--counter-start"); "true" for an
 * option without a value; NULL when not given and without a default. Read it at load time or
 * in a hook; the string stays valid for the life of the process. */
const char *stasis_option(const struct stasis_plugin *plugin, const char *option);

/* ---- Wrapping libc functions ----
 *
 * A plugin may define a libc function (open, close, ...) to see the program's calls. Its own
 * definition must call the next one, which is that of a plugin later in the order, or libc:
 *
 *     int close(int fd) { note_close(fd); return STASIS_NEXT(close)(fd); }
 *
 * STASIS_NEXT looks the function up once (dlsym(RTLD_NEXT) from the plugin's own object) and
 * caches it. Define _GNU_SOURCE before the first #include of the file. */
#ifdef _GNU_SOURCE
#include <dlfcn.h>
#define STASIS_NEXT(fn)                                                                        \
    (__extension__({                                                                           \
        static __typeof__(&fn) stasis_next_##fn;                                               \
        if (!stasis_next_##fn) stasis_next_##fn = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn);      \
        stasis_next_##fn;                                                                      \
    }))
#endif

#ifdef __cplusplus
}
#endif
#endif
