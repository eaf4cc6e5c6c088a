/* stasis-fastlaunch: launch plan request, lookup, parsing and verification. */
#include "fl_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_fallback.h"
#include "fl_paths.h"

static void push(char ***list, size_t *n, char *item)
{
    char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p) fl_fallback("out of memory");
    p[(*n)++] = item;
    *list = p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *encoded(const char *s)
{
    struct fl_str e = {0};
    fl_str_enc(&e, s, strlen(s));
    fl_str_addn(&e, "", 0);
    return e.p;
}

static void line(struct fl_str *text, const char *keyword, const char *encoded_field)
{
    fl_str_add(text, keyword);
    fl_str_addc(text, ' ');
    fl_str_add(text, encoded_field);
    fl_str_addc(text, '\n');
}

/* The variables plugin resolution reads (EnabledSet, SiteConfig, LaunchCommand.resolve): every
 * one present is recorded, so that setting a new one changes the request. */
static int plugin_variable(const char *entry)
{
    const char *eq = strchr(entry, '=');
    char *name = fl_strndup(entry, (size_t)(eq - entry));
    int r = fl_startswith(name, "STASIS_PLUGIN_") || (fl_startswith(name, "DMTCP_") && fl_endswith(name, "_PLUGIN"))
        || fl_streq(name, "STASIS_CONFIG");
    free(name);
    return r;
}

static void sorted_lines(struct fl_str *text, const char *keyword, char **items, size_t n)
{
    if (n > 1) qsort(items, n, sizeof *items, cmp_str);
    for (size_t i = 0; i < n; i++) line(text, keyword, items[i]);
}

/* WithPlugins.classify: a path if it has a slash, ends in .jar or .so, or names something that
 * exists in the current directory; otherwise a plugin name. */
static void with_lines(const struct fl_launch *o, const char *cwd, struct fl_request *out)
{
    char **paths = 0;
    size_t npaths = 0;
    for (size_t i = 0; i < o->nwith; i++) {
        const char *e = o->with[i];
        char *resolved = fl_path_resolve(cwd, e);
        struct stat st;
        int path = strchr(e, '/') || fl_endswith(e, ".jar") || fl_endswith(e, ".so") || stat(resolved, &st) == 0;
        if (path) {
            push(&paths, &npaths, fl_path_normalize(resolved));
        } else {
            char *n = encoded(e);
            line(&out->text, "with-name", n);
            free(n);
        }
        free(resolved);
    }
    for (size_t i = 0; i < npaths; i++) {
        char *p = encoded(paths[i]);
        line(&out->text, "with-path", p);
        push(&out->required, &out->nrequired, p);
        free(paths[i]);
    }
    free(paths);
}

void fl_plan_request(const char *home, const struct fl_launch *o, const struct fl_env *env, const char *cwd,
                     struct fl_request *out)
{
    memset(out, 0, sizeof *out);
    char *h = fl_path_normalize(home);
    fl_str_add(&out->text, FL_PLAN_HEADER "\n");
    char *eh = encoded(h);
    line(&out->text, "home", eh);
    free(eh);

    char **items = 0;
    size_t n = 0;
    for (size_t i = 0; i < o->nopts; i++) push(&items, &n, encoded(o->opts[i]));
    sorted_lines(&out->text, "opt", items, n);
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);

    for (size_t i = 0; i < o->ndisabled; i++) {
        char *d = encoded(o->disabled[i]);
        line(&out->text, "disable", d);
        free(d);
    }

    items = 0;
    n = 0;
    for (size_t i = 0; i < env->n; i++)
        if (plugin_variable(env->entries[i])) push(&items, &n, encoded(env->entries[i]));
    sorted_lines(&out->text, "env", items, n);
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);

    with_lines(o, cwd, out);

    const char *config = fl_env_get(env, "STASIS_CONFIG");
    if (config) {
        char *r = fl_path_resolve(cwd, config);
        char *c = fl_path_normalize(r);
        char *ec = encoded(c);
        line(&out->text, "site-config", ec);
        push(&out->required, &out->nrequired, ec);
        free(r);
        free(c);
    }

    char *bundles = fl_path_resolve(h, "bundles");
    char *conf = fl_path_resolve(h, "etc/stasis.conf");
    push(&out->required, &out->nrequired, encoded(bundles));
    push(&out->required, &out->nrequired, encoded(conf));
    free(bundles);
    free(conf);
    free(h);
}

char *fl_plan_file(const struct fl_env *env, const struct fl_request *r)
{
    const char *xdg = fl_env_get(env, "XDG_CACHE_HOME");
    const char *home = fl_env_get(env, "HOME");
    char *dir;
    if (xdg && xdg[0] == '/') dir = fl_path_resolve(xdg, "stasis");
    else if (home && home[0] == '/') dir = fl_path_resolve(home, ".cache/stasis");
    else return 0;
    struct fl_str f = {0};
    fl_str_add(&f, dir);
    fl_str_add(&f, "/launch-");
    static const char hex[] = "0123456789abcdef";
    uint64_t key = fl_fnv1a64(fl_str_get(&r->text), r->text.len);
    for (int shift = 60; shift >= 0; shift -= 4) fl_str_addc(&f, hex[(key >> shift) & 15]);
    fl_str_add(&f, ".plan");
    free(dir);
    return f.p;
}

static int private_to_us(const struct stat *st)
{
    return st->st_uid == geteuid() && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int fl_plan_read(const char *file, struct fl_str *text, const char **why)
{
    char *dir = fl_strdup(file);
    char *slash = strrchr(dir, '/');
    if (slash) *(slash == dir ? slash + 1 : slash) = 0;
    struct stat st;
    int dir_ok = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && private_to_us(&st);
    free(dir);
    if (!dir_ok) {
        *why = "the plan cache directory is missing, or not ours alone";
        return -1;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        *why = errno == ENOENT ? "no launch plan cached for this request yet" : "cannot open the launch plan";
        return -1;
    }
    int r = -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !private_to_us(&st)) {
        *why = "the launch plan is not a private file of ours";
    } else if ((uint64_t)st.st_size > FL_PLAN_MAX_BYTES) {
        *why = "the launch plan is too large";
    } else {
        char buf[8192];
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                *why = "cannot read the launch plan";
                break;
            }
            if (n == 0) {
                r = 0;
                break;
            }
            if (text->len + (size_t)n > FL_PLAN_MAX_BYTES) {
                *why = "the launch plan is too large";
                break;
            }
            fl_str_addn(text, buf, (size_t)n);
        }
    }
    if (close(fd) < 0 && r == 0) {
        *why = "cannot read the launch plan";
        r = -1;
    }
    return r;
}

/* One space-separated field starting at *p within the line [.., end): decoded into out. */
static int field(const char **p, const char *end, struct fl_str *out)
{
    const char *s = *p;
    const char *e = s;
    while (e < end && *e != ' ') e++;
    if (e == s) return -1;
    if (fl_dec(s, (size_t)(e - s), out) < 0) return -1;
    *p = e < end ? e + 1 : e;
    return 0;
}

static int keyword(const char *line, const char *end, const char *kw, const char **rest)
{
    size_t n = strlen(kw);
    if ((size_t)(end - line) < n || memcmp(line, kw, n) != 0) return 0;
    if (line + n == end) {
        *rest = end;
        return 1;
    }
    if (line[n] != ' ') return 0;
    *rest = line + n + 1;
    return 1;
}

/* The encoded path field of a state line. */
static int state_path_is(const char *rest, const char *end, const char *encoded_path)
{
    const char *e = rest;
    while (e < end && *e != ' ') e++;
    return (size_t)(e - rest) == strlen(encoded_path) && memcmp(rest, encoded_path, (size_t)(e - rest)) == 0;
}

int fl_plan_parse(const char *text, size_t len, const struct fl_request *r, struct fl_plan *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (len < r->text.len || memcmp(text, fl_str_get(&r->text), r->text.len) != 0) {
        *why = "the cached plan was made for another request (a hash collision, or another format)";
        return -1;
    }
    char *seen = calloc(r->nrequired ? r->nrequired : 1, 1);
    if (!seen) fl_fallback("out of memory");
    const char *p = text + r->text.len, *stop = text + len;
    int ended = 0;
    *why = 0;
    while (p < stop && !*why) {
        if (ended) {
            *why = "the launch plan goes on after its end line";
            break;
        }
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        if (!nl) {
            *why = "the launch plan ends in the middle of a line";
            break;
        }
        const char *rest;
        struct fl_str a = {0}, b = {0};
        if (keyword(p, nl, "stat", &rest) || keyword(p, nl, "none", &rest)) {
            for (size_t i = 0; i < r->nrequired; i++)
                if (state_path_is(rest, nl, r->required[i])) seen[i] = 1;
            push(&out->state, &out->nstate, fl_strndup(p, (size_t)(nl - p)));
        } else if (keyword(p, nl, "warn", &rest)) {
            /* the whole rest is one field; an empty warning is an empty field */
            if (rest < nl && fl_dec(rest, (size_t)(nl - rest), &a) < 0) *why = "a malformed warn line";
            else push(&out->warnings, &out->nwarnings, fl_strdup(fl_str_get(&a)));
        } else if (keyword(p, nl, "warnings-hidden", &rest) && rest == nl) {
            out->warnings_hidden = 1;
        } else if (keyword(p, nl, "preload", &rest)) {
            if (field(&rest, nl, &a) < 0 || field(&rest, nl, &b) < 0 || rest != nl) {
                *why = "a malformed preload line";
            } else {
                size_t names = out->npreloads;
                push(&out->preload_names, &names, fl_strdup(a.p));
                push(&out->preload_paths, &out->npreloads, fl_strdup(b.p));
            }
        } else if (keyword(p, nl, "setenv", &rest)) {
            if (field(&rest, nl, &a) < 0 || rest != nl || a.p[0] == '=' || !strchr(a.p, '='))
                *why = "a malformed setenv line";
            else push(&out->setenv, &out->nsetenv, fl_strdup(a.p));
        } else if (keyword(p, nl, "end", &rest) && rest == nl) {
            ended = 1;
        } else {
            *why = "an unknown line in the launch plan";
        }
        fl_str_free(&a);
        fl_str_free(&b);
        p = nl + 1;
    }
    if (!*why && !ended) *why = "the launch plan has no end line (cut short?)";
    for (size_t i = 0; i < r->nrequired && !*why; i++)
        if (!seen[i]) *why = "the launch plan does not record a file it depends on";
    free(seen);
    return *why ? -1 : 0;
}

void fl_plan_state_line(const char *path, struct fl_str *out)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fl_str_add(out, "none ");
        fl_str_enc(out, path, strlen(path));
        return;
    }
    fl_str_add(out, "stat ");
    fl_str_enc(out, path, strlen(path));
    fl_str_add(out, S_ISREG(st.st_mode) ? " f " : S_ISDIR(st.st_mode) ? " d " : " o ");
    fl_str_addi(out, (int64_t)st.st_size);
    fl_str_addc(out, ' ');
    fl_str_addi(out, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    fl_str_addc(out, ' ');
    fl_str_addi(out, (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);
    fl_str_addc(out, ' ');
    fl_str_addu(out, (uint64_t)st.st_ino);
}

int fl_plan_verify(const struct fl_plan *p, struct fl_str *why)
{
    for (size_t i = 0; i < p->nstate; i++) {
        const char *recorded = p->state[i];
        const char *f = recorded + 5; /* after "stat " or "none " */
        const char *end = strchr(f, ' ');
        struct fl_str path = {0}, now = {0};
        if (fl_dec(f, end ? (size_t)(end - f) : strlen(f), &path) < 0) {
            fl_str_add(why, "a malformed state line in the launch plan");
            return -1;
        }
        fl_plan_state_line(path.p, &now);
        int same = fl_streq(fl_str_get(&now), recorded);
        if (!same) {
            fl_str_add(why, path.p);
            fl_str_add(why, " changed since the launch plan was made");
        }
        fl_str_free(&path);
        fl_str_free(&now);
        if (!same) return -1;
    }
    return 0;
}
