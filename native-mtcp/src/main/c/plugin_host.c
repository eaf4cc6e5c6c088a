/* The agent's hook registry (see plugin_host.h). */
#include "plugin_host.h"

#include "sys.h"
#include "agent.h"
#include "text.h"

#define MAX_HOOKS 64

struct entry {
    const struct sx_hooks *h;
    int rank;
    int disabled;
};

static struct entry hooks[MAX_HOOKS];
static int nhooks;
static struct sx_hook_state state = {SX_EV_NONE, 0, 0, 0};

int sx_hooks_register_ranked(const struct sx_hooks *h, int rank)
{
    if (nhooks >= MAX_HOOKS) return -1;
    /* Constructors of preloaded objects run in an order the loader chooses: sort here so that
     * the order is the launch's, whatever order registrations arrive in. */
    int at = nhooks;
    while (at > 0 && hooks[at - 1].rank > rank) {
        hooks[at] = hooks[at - 1];
        at--;
    }
    hooks[at].h = h;
    hooks[at].rank = rank;
    hooks[at].disabled = 0;
    nhooks++;
    return 0;
}

const struct sx_hook_state *sx_hooks_state(void) { return &state; }

static int listed(const char *list, const char *name)
{
    size_t n = sx_strlen(name);
    for (const char *s = list; s && *s;) {
        const char *e = s;
        while (*e && *e != ':') e++;
        if ((size_t)(e - s) == n && sx_startswith(s, name)) return 1;
        s = *e ? e + 1 : e;
    }
    return 0;
}

void sx_hooks_disable(const char *names)
{
    for (int i = 0; i < nhooks; i++) {
        if (hooks[i].rank == SX_RANK_BUILTIN || !listed(names, hooks[i].h->name)) continue;
        hooks[i].disabled = 1;
        sx_log(1, "plugin ", hooks[i].h->name, " is disabled by the restart's configuration: its hooks no longer run");
    }
}

static int run_forward(enum sx_event ev, char *err, size_t errlen, const char **failed)
{
    for (int i = 0; i < nhooks; i++) {
        const struct sx_hooks *h = hooks[i].h;
        if (hooks[i].disabled) continue;
        int (*fn)(char *, size_t) = ev == SX_EV_PRESUSPEND ? h->presuspend : h->precheckpoint;
        if (!fn) continue;
        char reason[400];
        reason[0] = 0;
        int failed_here = fn(reason, sizeof reason) < 0;
        sx_plugin_api_flush();
        if (failed_here) {
            reason[sizeof reason - 1] = 0;
            /* the name travels separately (ARRIVE plugin=), and the coordinator puts it first */
            sx_copy_str(err, errlen, reason[0] ? reason : "failed");
            if (failed) *failed = h->name;
            return -1;
        }
    }
    return 0;
}

int sx_hooks_run(enum sx_event ev, uint32_t generation, char *err, size_t errlen, const char **failed)
{
    state.event = ev;
    state.tid = sx_gettid();
    state.generation = generation;
    if (ev == SX_EV_RESTART) state.restarting = 1;
    int r = 0;
    if (ev == SX_EV_RESUME || ev == SX_EV_RESTART) {
        for (int i = nhooks - 1; i >= 0; i--) {
            if (hooks[i].disabled) continue;
            if (ev == SX_EV_RESUME && hooks[i].h->resume) hooks[i].h->resume();
            if (ev == SX_EV_RESTART && hooks[i].h->restart) hooks[i].h->restart();
            sx_plugin_api_flush();
        }
    } else {
        r = run_forward(ev, err, errlen, failed);
    }
    if (ev == SX_EV_RESUME) state.restarting = 0;
    state.event = SX_EV_NONE;
    return r;
}
