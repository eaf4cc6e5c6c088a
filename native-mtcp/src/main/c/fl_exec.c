/* stasis-fastlaunch: program lookup, checkpoint directory, exec. */
#include "fl_exec.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_paths.h"

static int is_regular(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_directory(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void fail(struct fl_found *out, int code, const char *program, const char *what, const char *detail,
                 const char *after)
{
    struct fl_str e = {0};
    fl_str_add(&e, program);
    fl_str_add(&e, what);
    if (detail) {
        fl_str_add(&e, detail);
        fl_str_add(&e, after);
    }
    out->path = 0;
    out->error = e.p;
    out->exit_code = code;
}

void fl_find_program(const char *program, const char *path_var, const char *cwd, struct fl_found *out)
{
    memset(out, 0, sizeof *out);
    if (!program[0]) {
        out->error = fl_strdup("no program given");
        out->exit_code = 127;
        return;
    }
    if (strchr(program, '/')) {
        char *p = fl_path_resolve(cwd, program);
        if (access(p, F_OK) != 0) fail(out, 127, program, ": no such file or directory", 0, 0);
        else if (is_directory(p)) fail(out, 126, program, ": is a directory", 0, 0);
        else if (access(p, X_OK) != 0) fail(out, 126, program, ": permission denied (not executable)", 0, 0);
        else out->path = fl_strdup(p);
        free(p);
        return;
    }
    const char *path = path_var ? path_var : "/usr/local/bin:/usr/bin:/bin";
    char *not_executable = 0;
    for (const char *d = path;;) {
        const char *end = strchr(d, ':');
        char *dir = fl_strndup(d, end ? (size_t)(end - d) : strlen(d));
        char *base = dir[0] ? fl_path_resolve(cwd, dir) : fl_strdup(cwd);
        char *candidate = fl_path_resolve(base, program);
        free(dir);
        free(base);
        if (is_regular(candidate)) {
            if (access(candidate, X_OK) == 0) {
                out->path = candidate;
                free(not_executable);
                return;
            }
            if (!not_executable) not_executable = fl_strdup(candidate);
        }
        free(candidate);
        if (!end) break;
        d = end + 1;
    }
    if (not_executable) fail(out, 126, program, ": permission denied (", not_executable, " is not executable)");
    else fail(out, 127, program, ": command not found", 0, 0);
    free(not_executable);
}

int fl_prepare_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) return -1;
        /* mkdir -p, component by component (the mode is 0777 less the umask, as Java's) */
        char *p = fl_strdup(dir);
        for (char *s = p + 1;; s++) {
            if (*s != '/' && *s != 0) continue;
            char c = *s;
            *s = 0;
            if (mkdir(p, 0777) != 0 && !(errno == EEXIST && is_directory(p))) {
                free(p);
                return -1;
            }
            *s = c;
            if (!c) break;
        }
        free(p);
    } else if (!S_ISDIR(st.st_mode)) {
        return -1;
    }
    return is_directory(dir) && access(dir, W_OK) == 0 ? 0 : -1;
}

/* The signals the Java front end's JVM installs handlers for (HotSpot: QUIT, ILL, BUS, FPE, SEGV,
 * USR2, PIPE, XFSZ; NIO: __SIGRTMAX - 2). A handler does not survive exec, so a program it
 * launches finds them at their defaults even when our caller ignored them. */
static const int jvm_signals[] = {SIGQUIT, SIGILL, SIGBUS, SIGFPE, SIGSEGV, SIGUSR2, SIGPIPE, SIGXFSZ, 64 - 2};

int fl_signals_as_java_leaves_them(void)
{
    for (size_t i = 0; i < sizeof jvm_signals / sizeof jvm_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(jvm_signals[i], 0, &old) != 0) return -1;
        if (old.sa_handler != SIG_IGN) continue;
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        if (sigemptyset(&dfl.sa_mask) != 0 || sigaction(jvm_signals[i], &dfl, 0) != 0) return -1;
    }
    sigset_t none;
    if (sigemptyset(&none) != 0 || sigprocmask(SIG_SETMASK, &none, 0) != 0) return -1;
    return 0;
}

void fl_exec(const char *path, char **argv, char **envp, struct fl_str *error, int *exit_code)
{
    execve(path, argv, envp);
    int err = errno;
    fl_str_add(error, "cannot execute ");
    fl_str_add(error, path);
    fl_str_add(error, ": ");
    fl_str_add(error, strerror(err));
    if (err == ENOEXEC) {
        /* A script without a #! line: /bin/sh runs it, as execvp and the shells do. */
        size_t n = 0;
        while (argv[n]) n++;
        char **sh = calloc(n + 2, sizeof *sh);
        if (sh) {
            sh[0] = "/bin/sh";
            sh[1] = (char *)path;
            for (size_t i = 1; i < n; i++) sh[i + 1] = argv[i];
            execve("/bin/sh", sh, envp);
            fl_str_add(error, " (and /bin/sh failed: ");
            fl_str_add(error, strerror(errno));
            fl_str_add(error, ")");
            free(sh);
        }
    }
    *exit_code = err == ENOENT ? 127 : 126;
}
