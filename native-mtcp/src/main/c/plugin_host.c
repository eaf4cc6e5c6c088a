/* The agent's hook registry (see plugin_host.h). */
#include "plugin_host.h"

#include "text.h"

#define MAX_HOOKS 64

static const struct sx_hooks *hooks[MAX_HOOKS];
static int nhooks;

void sx_hooks_register(const struct sx_hooks *h)
{
    if (nhooks < MAX_HOOKS) hooks[nhooks++] = h;
}

int sx_hooks_run(enum sx_event ev, char *err, size_t errlen, const char **failed)
{
    if (ev == SX_EV_RESUME || ev == SX_EV_RESTART) {
        for (int i = nhooks - 1; i >= 0; i--) {
            if (ev == SX_EV_RESUME && hooks[i]->resume) hooks[i]->resume();
            if (ev == SX_EV_RESTART && hooks[i]->restart) hooks[i]->restart();
        }
        return 0;
    }
    for (int i = 0; i < nhooks; i++) {
        int (*fn)(char *, size_t) = ev == SX_EV_PRESUSPEND ? hooks[i]->presuspend : hooks[i]->precheckpoint;
        if (!fn) continue;
        char reason[400];
        reason[0] = 0;
        if (fn(reason, sizeof reason) < 0) {
            struct sx_buf b;
            sx_buf_init(&b, err, errlen);
            sx_buf_add(&b, hooks[i]->name);
            sx_buf_add(&b, ": ");
            sx_buf_add(&b, reason[0] ? reason : "failed");
            if (failed) *failed = hooks[i]->name;
            return -1;
        }
    }
    return 0;
}
