/* stasis-fastlaunch: the launch plan the Java front end caches (docs/architecture.md, "Fast
 * launch"; LaunchPlan.java writes it). A plan is the outcome of plugin resolution for one
 * request, with the state of every file that resolution read; it is used only while both the
 * request and that state are exactly as recorded. */
#ifndef STASIS_FL_PLAN_H
#define STASIS_FL_PLAN_H
#include <stddef.h>

#include "fl_env.h"
#include "fl_options.h"
#include "fl_text.h"

#define FL_PLAN_HEADER "stasis-launch-plan 1"
/* Larger plans are not ours. */
#define FL_PLAN_MAX_BYTES (1u << 20)

/* What a launch asks of plugin resolution: the request lines of its plan, and the files whose
 * state the plan must record (encoded as in the plan). */
struct fl_request {
    struct fl_str text;
    char **required;
    size_t nrequired;
};

/* The request of this launch: installation, plugin options, plugin variables, --with-plugin
 * entries (classified as names or paths the way PluginSetup.WithPlugins does) and the file
 * STASIS_CONFIG names. */
void fl_plan_request(const char *home, const struct fl_launch *o, const struct fl_env *env, const char *cwd,
                     struct fl_request *out);

/* Where the plan of this request is cached ($XDG_CACHE_HOME/stasis or $HOME/.cache/stasis, file
 * launch-<FNV-1a of the request>.plan); NULL when neither variable gives an absolute directory. */
char *fl_plan_file(const struct fl_env *env, const struct fl_request *r);

/* Reads a plan file, refusing one that could have been planted: the file and its directory must
 * belong to us and be writable by nobody else, and the file must not be a symbolic link.
 * 0, or -1 with *why. */
int fl_plan_read(const char *file, struct fl_str *text, const char **why);

struct fl_plan {
    char **state; /* "stat ..." and "none ..." lines, as written */
    size_t nstate;
    int warnings_hidden; /* written with -q -q: the warnings were not seen */
    char **warnings;     /* decoded, without the "<prog>: warning: " prefix */
    size_t nwarnings;
    char **preload_names, **preload_paths; /* native plugin halves, in plugin order */
    size_t npreloads;
    char **setenv; /* decoded "NAME=VALUE" */
    size_t nsetenv;
};

/* Parses plan text written for request r. 0, or -1 with *why when the text is not a complete
 * plan for exactly this request (another request, a truncated file, an unknown line). */
int fl_plan_parse(const char *text, size_t len, const struct fl_request *r, struct fl_plan *out, const char **why);

/* Whether every recorded file is still as recorded: 0, or -1 with the first difference in why. */
int fl_plan_verify(const struct fl_plan *p, struct fl_str *why);

/* The state line of a file now: "stat <path> <f|d|o> <size> <mtime ns> <ctime ns> <inode>" or,
 * when it cannot be examined, "none <path>" (stat follows symbolic links, as Java does). */
void fl_plan_state_line(const char *path, struct fl_str *out);

#endif
