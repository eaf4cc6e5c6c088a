/* stasis-fastlaunch: finding the program (PathLookup), preparing the checkpoint directory
 * (LaunchCommand.prepareDirectory) and replacing ourselves with the program (Exec.execve). */
#ifndef STASIS_FL_EXEC_H
#define STASIS_FL_EXEC_H

#include "fl_text.h"

/* Where the program is (path), or why it cannot be run (error, exit_code 127 or 126). */
struct fl_found {
    char *path;
    char *error;
    int exit_code;
};

/* Looks the program up as a POSIX shell does: a name with a slash as it is (against cwd), any
 * other in PATH (path_var, NULL when unset: then /usr/local/bin:/usr/bin:/bin). */
void fl_find_program(const char *program, const char *path_var, const char *cwd, struct fl_found *out);

/* Creates the directory and its missing parents; it must end up a writable directory.
 * 0, or -1 when it is not (the Java front end then reports why, in its words). */
int fl_prepare_dir(const char *dir);

/* Leaves the signal state as the Java front end leaves it for the program: the mask emptied,
 * and the signals the JVM takes over (a handler does not survive exec) back to their defaults
 * where our caller ignored them. 0, or -1 if the kernel refused a change. */
int fl_signals_as_java_leaves_them(void);

/* Executes path with argv and envp, a script without "#!" by /bin/sh, as the Java front end
 * does. Returns only on failure, with the message and exit code the Java front end gives. */
void fl_exec(const char *path, char **argv, char **envp, struct fl_str *error, int *exit_code);

#endif
