/* stasis-fastlaunch: the environment as the Java front end sees it (System.getenv()), and the
 * edits that turn it into the program's environment. */
#ifndef STASIS_FL_ENV_H
#define STASIS_FL_ENV_H
#include <stddef.h>

struct fl_env {
    char **entries; /* "NAME=VALUE" */
    size_t n, cap;
};

/* Java's view of `environ`: entries without '=' are skipped, and of two entries with the same
 * name the first one counts. The strings are shared with `environ`. */
void fl_env_load(struct fl_env *e, char **environ);

/* The value of NAME, or NULL when unset (Env.vars().get). */
const char *fl_env_raw(const struct fl_env *e, const char *name);
/* Env.get: NULL when unset or empty (DMTCP treats both alike). */
const char *fl_env_get(const struct fl_env *e, const char *name);

void fl_env_set(struct fl_env *e, const char *name, const char *value);
/* Sets a "NAME=VALUE" entry as it is. */
void fl_env_put(struct fl_env *e, const char *entry);
void fl_env_unset(struct fl_env *e, const char *name);

/* The entries as a NULL-terminated array for execve. */
char **fl_env_block(struct fl_env *e);

#endif
