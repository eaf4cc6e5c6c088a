/* stasis-fastlaunch: dmtcp_launch's options and environment variables, resolved as
 * LaunchCommand.resolve resolves them, for the cases this program handles with certainty. */
#ifndef STASIS_FL_OPTIONS_H
#define STASIS_FL_OPTIONS_H
#include <stddef.h>

#include "fl_env.h"

struct fl_launch {
    /* coordinator: joined (-j), or joined if one answers (the default --any-coordinator) */
    char *host; /* option or DMTCP_COORD_HOST, trimmed; "localhost" when blank */
    int port;
    int join;
    int has_interval, interval; /* to set on the coordinator (never with join) */

    int gzip;
    int ckpt_open_files, allow_file_overwrite; /* for the files plugin's native half */
    char *ckpt_dir; /* absolute, normalised */
    int ckpt_signal;
    char *tmp_dir; /* absolute, normalised */
    int quiet;     /* 0..2 */

    /* What the launch plan's request records about plugin options (LaunchPlan, "opt" and
     * "disable" lines): the plugin-related options given, named by their longest name, and the
     * names of --disable-<name>-plugin options in the order given. */
    char **opts;
    size_t nopts;
    char **disabled;
    size_t ndisabled;
    /* --with-plugin or DMTCP_PLUGIN, split at ':' and trimmed, empty entries left out */
    char **with;
    size_t nwith;

    /* the program as typed, and its arguments after it */
    const char *program;
    char **argv; /* argv[0] is the program */
    int argc;
};

/* Resolves the launch arguments (those after the command name; `args[0]` is the first option or
 * the program) against the environment and the current directory. Returns 0, or -1 with *why
 * saying what this program does not handle (then the Java front end must run the launch: it
 * may be a usage error, an option only Java knows, or a mode that starts a coordinator). */
int fl_options_resolve(int argc, char **args, const struct fl_env *env, const char *cwd, struct fl_launch *out,
                       const char **why);

#endif
