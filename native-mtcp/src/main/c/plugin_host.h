/* Event hooks inside the agent. Built-in modules (descriptors today) and, with the plugin
 * bundles, the native halves of plugins register here. Checkpoint-direction events run in
 * registration order; RESUME and RESTART run in reverse, so layers unwind like atfork. */
#ifndef STASIS_PLUGIN_HOST_H
#define STASIS_PLUGIN_HOST_H
#include <stddef.h>

struct sx_hooks {
    const char *name;
    /* Return 0, or -1 after writing a reason into err: the generation is then aborted. */
    int (*presuspend)(char *err, size_t errlen);
    int (*precheckpoint)(char *err, size_t errlen);
    void (*resume)(void);  /* after a checkpoint, before user threads run again */
    void (*restart)(void); /* in the restored process, before RESUME */
};

/* Registration happens at load time (constructors), before the first checkpoint. */
void sx_hooks_register(const struct sx_hooks *h);

enum sx_event { SX_EV_PRESUSPEND, SX_EV_PRECHECKPOINT, SX_EV_RESUME, SX_EV_RESTART };
/* Runs one event across all hooks; for failing events returns -1 with err prefixed by the
 * hook's name, and stores that name in *failed. */
int sx_hooks_run(enum sx_event ev, char *err, size_t errlen, const char **failed);

#endif
