/* stasis-fastlaunch: handing a launch back to the Java front end. */
#include "fl_fallback.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *script;
static const char *prog = "stasis-fastlaunch";
static int user_argc;
static char **user_argv;

void fl_fallback_init(const char *script_path, const char *prog_name, int argc, char **argv)
{
    script = script_path;
    prog = prog_name;
    user_argc = argc;
    user_argv = argv;
}

int fl_debug_enabled(void)
{
    const char *d = getenv("STASIS_DEBUG");
    return d && *d && strcmp(d, "0") != 0;
}

void fl_debug(const char *fmt, ...)
{
    if (!fl_debug_enabled()) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    fprintf(stderr, "%s: fast launch: %s\n", prog, line);
}

void fl_fallback(const char *why)
{
    fl_debug("handing over to the Java front end: %s", why);
    if (!script) {
        /* Called before init: we were not started by a bin/ script, so there is nobody to ask. */
        fprintf(stderr, "%s: %s\n", prog, why);
        exit(1);
    }
    size_t nenv = 0;
    for (char **e = environ; e && *e; e++) nenv++;
    /* Plain malloc, not fl_alloc: running out of memory is one of the reasons we get here. */
    char **argv = malloc(((size_t)user_argc + 2) * sizeof *argv);
    char **envp = malloc((nenv + 2) * sizeof *envp);
    if (!argv || !envp) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(1);
    }
    static char marker[] = FL_FALLBACK_VAR "=1";
    argv[0] = (char *)script;
    for (int i = 0; i < user_argc; i++) argv[i + 1] = user_argv[i];
    argv[user_argc + 1] = 0;
    size_t n = 0, name = strlen(FL_FALLBACK_VAR);
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, FL_FALLBACK_VAR, name) == 0 && (*e)[name] == '=') continue;
        envp[n++] = *e;
    }
    envp[n++] = marker;
    envp[n] = 0;
    execve(script, argv, envp);
    fprintf(stderr, "%s: cannot run the Java front end %s: %s\n", prog, script, strerror(errno));
    exit(1);
}
