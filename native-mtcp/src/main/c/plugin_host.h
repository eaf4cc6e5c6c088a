/* Event hooks inside the agent. Built-in modules (descriptors) and the native halves of
 * plugins (plugin_api.c, through the public SDK header stasis/plugin.h) register here.
 * Checkpoint-direction events run in order: built-in modules first, then plugins in the plugin
 * order the launch gave (STASIS_NATIVE_PLUGINS); RESUME and RESTART run in reverse, so layers
 * unwind like atfork. */
#ifndef STASIS_PLUGIN_HOST_H
#define STASIS_PLUGIN_HOST_H
#include <stddef.h>
#include <stdint.h>

struct sx_hooks {
    const char *name;
    /* Return 0, or -1 after writing a reason into err: the generation is then aborted. */
    int (*presuspend)(char *err, size_t errlen);
    int (*precheckpoint)(char *err, size_t errlen);
    void (*resume)(void);  /* after a checkpoint, before user threads run again */
    void (*restart)(void); /* in the restored process, before RESUME */
};

#define SX_RANK_BUILTIN 0

/* Registration happens at load time (constructors), before the first checkpoint. Lower ranks
 * run first in the checkpoint direction; equal ranks keep registration order. Returns 0, or -1
 * when the table is full. */
int sx_hooks_register_ranked(const struct sx_hooks *h, int rank);
static inline void sx_hooks_register(const struct sx_hooks *h) { sx_hooks_register_ranked(h, SX_RANK_BUILTIN); }

/* After a restart: plugins (colon-separated names) that the restart's configuration disables.
 * Their hooks are skipped from now on; built-in modules cannot be disabled. */
void sx_hooks_disable(const char *names);

enum sx_event { SX_EV_NONE = -1, SX_EV_PRESUSPEND, SX_EV_PRECHECKPOINT, SX_EV_RESUME, SX_EV_RESTART };
/* Runs one event of a generation across all hooks; for failing events returns -1 with the
 * hook's reason in err, and stores the hook's name in *failed. */
int sx_hooks_run(enum sx_event ev, uint32_t generation, char *err, size_t errlen, const char **failed);

/* What the hooks are inside of, for the plugin API: the event (SX_EV_NONE outside hooks), the
 * thread running them, the generation, and whether a restart's events are being delivered. */
struct sx_hook_state {
    enum sx_event event;
    long tid;
    uint32_t generation;
    int restarting;
};
const struct sx_hook_state *sx_hooks_state(void);

/* plugin_api.c: PLUGIN sections stored this generation, for the writer. Fills at most max
 * entries and returns how many there are. */
struct sx_plugin_section {
    const char *name;
    const void *data;
    uint64_t len;
    uint64_t map_len; /* the buffer's mapping, which the writer leaves out of the memory image */
};
int sx_plugin_sections(struct sx_plugin_section *out, int max);
/* plugin_api.c: an ABORT or KILL read while a plugin waited for the coordinator; the
 * checkpoint thread acts on it once the hook returns. Returns 1 once per ABORT. */
int sx_plugin_api_take_abort(char *reason, size_t cap);

/* plugin_api.c: sends the puts a hook gathered without waiting (stasis_kv_put_nowait); the
 * host calls it when a hook returns. */
void sx_plugin_api_flush(void);

/* The notes plugins left for this generation's result (stasis_note), "<plugin>: <text>" each,
 * separated by tabs; "" when none. Cleared at each PRESUSPEND. */
const char *sx_plugin_notes(void);
void sx_plugin_notes_clear(void);

#endif
