/* stasis-fastlaunch: dmtcp_launch / stasis launch without a JVM, for the common case.
 *
 * The bin/ script runs it first for a launch:  stasis-fastlaunch SCRIPT HOME PROG ARGS...
 * (SCRIPT: the bin/ script itself, HOME: the installation, PROG: the command name, ARGS: the
 * user's arguments). It joins a coordinator that already runs, takes the outcome of plugin
 * resolution from the launch plan the Java front end cached (docs/architecture.md, "Fast
 * launch"), builds the program's environment exactly as the Java front end would, and execs the
 * program. Whatever it cannot do with certainty it hands to the Java front end (fl_fallback)
 * before it has printed or changed anything, so the Java front end's behaviour and messages
 * remain the reference. */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_coord.h"
#include "fl_env.h"
#include "fl_exec.h"
#include "fl_fallback.h"
#include "fl_options.h"
#include "fl_paths.h"
#include "fl_plan.h"
#include "fl_progenv.h"
#include "fl_text.h"

extern char **environ;

static char *current_dir(void)
{
    size_t size = PATH_MAX;
    for (;;) {
        char *buf = fl_alloc(size);
        if (getcwd(buf, size)) return buf;
        free(buf);
        if (size > (1u << 20)) return 0;
        size *= 2;
    }
}

/* Natives.locate: the agent must be readable, the restorer executable. */
static char *agent_of(const char *home)
{
    char *lib = fl_path_resolve(home, "lib");
    char *agent = fl_path_resolve(lib, "libstasis.so");
    char *restorer = fl_path_resolve(lib, "stasis-restore");
    struct stat a, r;
    int ok = stat(agent, &a) == 0 && S_ISREG(a.st_mode) && access(agent, R_OK) == 0 && stat(restorer, &r) == 0
        && S_ISREG(r.st_mode) && access(restorer, X_OK) == 0;
    free(lib);
    free(restorer);
    if (!ok) fl_fallback("the installation's natives are incomplete");
    return agent;
}

/* The plan for this launch, checked against the request and the files it records. */
static void load_plan(const char *home, const struct fl_launch *o, const struct fl_env *env, const char *cwd,
                      struct fl_plan *plan)
{
    struct fl_request req;
    fl_plan_request(home, o, env, cwd, &req);
    char *file = fl_plan_file(env, &req);
    if (!file) fl_fallback("no cache directory for launch plans (neither XDG_CACHE_HOME nor HOME is absolute)");
    struct fl_str text = {0}, changed = {0};
    const char *why = 0;
    if (fl_plan_read(file, &text, &why) < 0 || fl_plan_parse(fl_str_get(&text), text.len, &req, plan, &why) < 0)
        fl_fallback(why);
    if (fl_plan_verify(plan, &changed) < 0) fl_fallback(changed.p);
    if (plan->warnings_hidden && o->quiet < 2)
        fl_fallback("the launch plan was made with -q -q, so it does not know the warnings to print");
    fl_debug("using the launch plan %s", file);
    fl_str_free(&text);
    free(file);
}

static void print_warnings(const char *prog, const struct fl_plan *plan, int quiet)
{
    if (quiet >= 2) return;
    for (size_t i = 0; i < plan->nwarnings; i++) fprintf(stderr, "%s: warning: %s\n", prog, plan->warnings[i]);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "stasis-fastlaunch: an internal part of the bin/ scripts "
                        "(usage: stasis-fastlaunch SCRIPT HOME PROG ARGS...); run dmtcp_launch instead\n");
        return 1;
    }
    const char *home = argv[2], *prog = argv[3];
    fl_fallback_init(argv[1], prog, argc - 4, argv + 4);
    /* strerror in the user's language, as in the JVM (which sets the locale from the environment) */
    setlocale(LC_ALL, "");

    const char *name;
    int first = 4;
    if (fl_streq(prog, "dmtcp_launch")) {
        name = "dmtcp_launch";
    } else if (fl_streq(prog, "stasis") && argc > 4 && fl_streq(argv[4], "launch")) {
        name = "stasis launch";
        first = 5;
    } else {
        fl_fallback("not a launch command");
    }

    struct fl_env env = {0};
    fl_env_load(&env, environ);
    char *cwd = current_dir();
    if (!cwd) fl_fallback("cannot tell the current directory");
    struct fl_launch o;
    const char *why = 0;
    if (fl_options_resolve(argc - first, argv + first, &env, cwd, &o, &why) < 0) fl_fallback(why);

    char *h = fl_path_normalize(home);
    char *agent = agent_of(h);
    struct fl_plan plan;
    load_plan(h, &o, &env, cwd, &plan);

    struct fl_found found;
    fl_find_program(o.program, fl_env_raw(&env, "PATH"), cwd, &found);
    if (!found.path) {
        /* Java prints text through its own charset; only plain text is certain to match. */
        if (!fl_is_plain_ascii(found.error)) fl_fallback("an error message with non-ASCII text");
        print_warnings(prog, &plan, o.quiet);
        fprintf(stderr, "%s: %s\n", name, found.error);
        return found.exit_code;
    }
    if (fl_prepare_dir(o.ckpt_dir) < 0) fl_fallback("the checkpoint directory cannot be created or written");
    struct fl_session session;
    if (fl_coord_join(&o, &env, &session, &why) < 0) fl_fallback(why);

    fl_program_env(&env, &o, &session, agent, &plan);
    /* Java would go on from the state this leaves, so handing over after it is still exact. */
    if (fl_signals_as_java_leaves_them() < 0) fl_fallback("cannot reset the signal state");
    fl_debug("running %s", found.path);
    print_warnings(prog, &plan, o.quiet);
    struct fl_str error = {0};
    int code = 1;
    fl_exec(found.path, o.argv, fl_env_block(&env), &error, &code);
    fprintf(stderr, "%s: %s\n", name, fl_str_get(&error));
    return code;
}
