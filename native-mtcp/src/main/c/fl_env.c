/* stasis-fastlaunch: an environment table with Java's reading rules. */
#include "fl_env.h"

#include <stdlib.h>
#include <string.h>

#include "fl_fallback.h"
#include "fl_text.h"

static size_t name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

static long find(const struct fl_env *e, const char *name, size_t n)
{
    for (size_t i = 0; i < e->n; i++) {
        const char *x = e->entries[i];
        if (name_len(x) == n && memcmp(x, name, n) == 0) return (long)i;
    }
    return -1;
}

/* Room for one more entry and the terminating NULL. */
static void reserve(struct fl_env *e)
{
    if (e->n + 2 > e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        char **p = realloc(e->entries, cap * sizeof *p);
        if (!p) fl_fallback("out of memory");
        e->entries = p;
        e->cap = cap;
    }
}

static void append(struct fl_env *e, char *entry)
{
    reserve(e);
    e->entries[e->n++] = entry;
    e->entries[e->n] = 0;
}

void fl_env_load(struct fl_env *e, char **environ)
{
    for (char **x = environ; x && *x; x++) {
        if (!strchr(*x, '=')) continue;
        if (find(e, *x, name_len(*x)) >= 0) continue;
        append(e, *x);
    }
    reserve(e);
    e->entries[e->n] = 0;
}

const char *fl_env_raw(const struct fl_env *e, const char *name)
{
    long i = find(e, name, strlen(name));
    return i < 0 ? 0 : e->entries[i] + strlen(name) + 1;
}

const char *fl_env_get(const struct fl_env *e, const char *name)
{
    const char *v = fl_env_raw(e, name);
    return v && *v ? v : 0;
}

void fl_env_put(struct fl_env *e, const char *entry)
{
    char *copy = fl_strdup(entry);
    long i = find(e, copy, name_len(copy));
    if (i >= 0) e->entries[i] = copy;
    else append(e, copy);
}

void fl_env_set(struct fl_env *e, const char *name, const char *value)
{
    struct fl_str s = {0};
    fl_str_add(&s, name);
    fl_str_addc(&s, '=');
    fl_str_add(&s, value);
    fl_env_put(e, s.p);
    fl_str_free(&s);
}

void fl_env_unset(struct fl_env *e, const char *name)
{
    long i = find(e, name, strlen(name));
    if (i < 0) return;
    memmove(e->entries + i, e->entries + i + 1, (e->n - (size_t)i) * sizeof *e->entries);
    e->n--;
}

char **fl_env_block(struct fl_env *e)
{
    return e->entries;
}
