/* stasis-fastlaunch: launch option parsing and resolution. The reference is picocli's parse of
 * LaunchCommand (stop at the first positional) and LaunchCommand.resolve; any form whose
 * outcome is not certain is declined, never guessed: the Java front end then parses it. */
#include "fl_options.h"

#include <stdlib.h>
#include <string.h>

#include "fl_fallback.h"
#include "fl_paths.h"
#include "fl_text.h"

enum kind { FLAG, TEXT, NUMBER, DECLINE };

enum id {
    O_HOST, O_PORT, O_JOIN, O_ANY, O_INTERVAL, O_GZIP, O_NO_GZIP, O_CKPTDIR, O_OPEN_FILES, O_OVERWRITE,
    O_SIGNAL, O_WITH, O_BATCH, O_PTRACE, O_MODIFY_ENV, O_PATHVIRT, O_IB, O_NO_ALLOC, O_NO_DL, O_NO_ALL,
    O_SPADES, O_TMPDIR, O_QUIET, O_LOGFILE, O_DECLINED, O_COUNT
};

struct option {
    const char *name;
    enum kind kind;
    enum id id;
    /* for plugin options: the name the launch plan records (picocli's longest name) */
    const char *plan_name;
};

static const struct option options[] = {
    {"-h", TEXT, O_HOST, 0},
    {"--coord-host", TEXT, O_HOST, 0},
    {"-p", NUMBER, O_PORT, 0},
    {"--coord-port", NUMBER, O_PORT, 0},
    {"-j", FLAG, O_JOIN, 0},
    {"--join-coordinator", FLAG, O_JOIN, 0},
    {"--any-coordinator", FLAG, O_ANY, 0},
    {"-i", NUMBER, O_INTERVAL, 0},
    {"--interval", NUMBER, O_INTERVAL, 0},
    {"--gzip", FLAG, O_GZIP, 0},
    {"--no-gzip", FLAG, O_NO_GZIP, 0},
    {"--ckptdir", TEXT, O_CKPTDIR, 0},
    {"--ckpt-open-files", FLAG, O_OPEN_FILES, "--checkpoint-open-files"},
    {"--checkpoint-open-files", FLAG, O_OPEN_FILES, "--checkpoint-open-files"},
    {"--allow-file-overwrite", FLAG, O_OVERWRITE, "--allow-file-overwrite"},
    {"--ckpt-signal", NUMBER, O_SIGNAL, 0},
    {"--with-plugin", TEXT, O_WITH, "--with-plugin"},
    {"--batch-queue", FLAG, O_BATCH, "--batch-queue"},
    {"--rm", FLAG, O_BATCH, "--batch-queue"},
    {"--ptrace", FLAG, O_PTRACE, "--ptrace"},
    {"--modify-env", FLAG, O_MODIFY_ENV, "--modify-env"},
    {"--pathvirt", FLAG, O_PATHVIRT, "--pathvirt"},
    {"--ib", FLAG, O_IB, "--infiniband"},
    {"--infiniband", FLAG, O_IB, "--infiniband"},
    {"--disable-alloc-plugin", FLAG, O_NO_ALLOC, "--disable-alloc-plugin"},
    {"--disable-dl-plugin", FLAG, O_NO_DL, "--disable-dl-plugin"},
    {"--disable-all-plugins", FLAG, O_NO_ALL, "--disable-all-plugins"},
    {"--spades", FLAG, O_SPADES, "--spades"},
    {"--tmpdir", TEXT, O_TMPDIR, 0},
    {"-q", FLAG, O_QUIET, 0},
    {"--quiet", FLAG, O_QUIET, 0},
    {"--coord-logfile", TEXT, O_LOGFILE, 0},
    /* They start a coordinator, write a file for the user, or print help: Java's business. */
    {"--new-coordinator", DECLINE, O_DECLINED, 0},
    {"--no-coordinator", DECLINE, O_DECLINED, 0},
    {"--port-file", DECLINE, O_DECLINED, 0},
    {"--help", DECLINE, O_DECLINED, 0},
    {"--version", DECLINE, O_DECLINED, 0},
};

struct given {
    int count;
    const char *value;
    const char *plan_name;
};

static const struct option *lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strlen(options[i].name) == n && memcmp(options[i].name, name, n) == 0) return &options[i];
    return 0;
}

/* --disable-<name>-plugin with name [a-z][a-z0-9-]*: LaunchCommand's unmatched-option rule. The
 * name, or NULL. */
static char *disabled_name(const char *arg)
{
    static const char pre[] = "--disable-", post[] = "-plugin";
    size_t n = strlen(arg), a = sizeof pre - 1, b = sizeof post - 1;
    if (n <= a + b || !fl_startswith(arg, pre) || !fl_endswith(arg, post)) return 0;
    const char *name = arg + a;
    size_t len = n - a - b;
    if (!(name[0] >= 'a' && name[0] <= 'z')) return 0;
    for (size_t i = 1; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
    }
    return fl_strndup(name, len);
}

static void push(char ***list, size_t *n, char *item)
{
    char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p) fl_fallback("out of memory");
    p[(*n)++] = item;
    *list = p;
}

/* The option tokens up to the program. -1 (and *why) on anything not certain. */
static int parse(int argc, char **args, struct given *g, struct fl_launch *out, const char **why)
{
    int i = 0;
    for (; i < argc; i++) {
        const char *a = args[i];
        if (a[0] != '-') break;
        if (fl_streq(a, "-") || fl_streq(a, "--")) {
            *why = "a lone '-' or '--' before the program";
            return -1;
        }
        const char *eq = fl_startswith(a, "--") ? strchr(a, '=') : 0;
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        const struct option *o = lookup(a, n);
        const char *attached = 0;
        if (!o && a[1] != '-' && a[2] != '=') {
            /* -p40000, as in DMTCP job scripts: a short option that takes a value, value attached */
            const struct option *s = lookup(a, 2);
            if (s && s->kind != FLAG) o = s, attached = a + 2;
        }
        if (!o) {
            char *name = eq ? 0 : disabled_name(a);
            if (!name) {
                *why = "an option this program does not know (clustered, attached value, or only known to Java)";
                return -1;
            }
            push(&out->disabled, &out->ndisabled, name);
            continue;
        }
        if (o->kind == DECLINE) {
            *why = "an option only the Java front end handles";
            return -1;
        }
        struct given *x = &g[o->id];
        if (x->count > 0 && o->id != O_QUIET) {
            *why = "an option given twice";
            return -1;
        }
        x->count++;
        x->plan_name = o->plan_name;
        if (o->kind == FLAG) {
            if (eq) {
                *why = "a flag with a value";
                return -1;
            }
            continue;
        }
        const char *v = attached ? attached : eq ? eq + 1 : (i + 1 < argc ? args[++i] : 0);
        if (!v || !v[0] || v[0] == '-') {
            *why = "an option value that is missing, empty or starts with '-'";
            return -1;
        }
        x->value = v;
    }
    if (i >= argc) {
        *why = "no program given";
        return -1;
    }
    out->program = args[i];
    out->argv = args + i;
    out->argc = argc - i;
    return 0;
}

static int number(const struct given *x, int *out)
{
    return fl_java_option_int(x->value, out);
}

/* Env.integer; 0 and *set=0 when unset, 0 and *set=1 with *out, -1 when Java would refuse it. */
static int env_int(const struct fl_env *env, const char *name, int *set, int *out)
{
    const char *v = fl_env_get(env, name);
    *set = v != 0;
    return v ? fl_java_env_int(v, out) : 0;
}

/* Env.flag: -2 when unset, -1 when Java would refuse it, else 0 or 1. */
static int env_flag(const struct fl_env *env, const char *name)
{
    const char *v = fl_env_get(env, name);
    return v ? fl_java_env_flag(v) : -2;
}

static int coordinator(const struct given *g, const struct fl_env *env, struct fl_launch *out, const char **why)
{
    if (g[O_JOIN].count && g[O_ANY].count) {
        *why = "two coordinator modes";
        return -1;
    }
    out->join = g[O_JOIN].count > 0;

    const char *h = g[O_HOST].count ? g[O_HOST].value : fl_env_get(env, "DMTCP_COORD_HOST");
    int blank = h ? fl_is_blank(h) : 1;
    if (blank < 0) {
        *why = "a coordinator host with non-ASCII characters";
        return -1;
    }
    out->host = blank ? fl_strdup("localhost") : fl_trim(h);

    int set = 0, port = 7779;
    if (g[O_PORT].count) {
        if (number(&g[O_PORT], &port) < 0) goto bad;
    } else if (env_int(env, "DMTCP_COORD_PORT", &set, &port) < 0) {
        goto bad;
    }
    if (port < 0 || port > 65535) goto bad;
    out->port = port;

    if (g[O_INTERVAL].count && out->join) goto bad;
    int interval = 0;
    set = 0;
    if (g[O_INTERVAL].count) {
        if (number(&g[O_INTERVAL], &interval) < 0) goto bad;
        set = 1;
    } else if (env_int(env, "DMTCP_CHECKPOINT_INTERVAL", &set, &interval) < 0) {
        goto bad;
    }
    if (set && interval < 0) goto bad;
    /* with --join-coordinator the running coordinator keeps its own interval */
    out->has_interval = set && !out->join;
    out->interval = interval;
    return 0;
bad:
    *why = "a coordinator option or variable Java would refuse";
    return -1;
}

/* ConnectionOptions.tmpDir: --tmpdir, DMTCP_TMPDIR, TMPDIR, /tmp, against the current directory. */
static char *tmp_dir(const struct given *g, const struct fl_env *env, const char *cwd)
{
    const char *t = g[O_TMPDIR].count ? g[O_TMPDIR].value : fl_env_get(env, "DMTCP_TMPDIR");
    if (!t) t = fl_env_get(env, "TMPDIR");
    char *r = fl_path_resolve(cwd, t ? t : "/tmp");
    char *n = fl_path_normalize(r);
    free(r);
    return n;
}

static int quiet(const struct given *g, const struct fl_env *env, int *out)
{
    if (g[O_QUIET].count) {
        *out = g[O_QUIET].count > 2 ? 2 : g[O_QUIET].count;
        return 0;
    }
    int set = 0, q = 0;
    if (env_int(env, "DMTCP_QUIET", &set, &q) < 0) return -1;
    *out = !set ? 0 : q < 0 ? 0 : q > 2 ? 2 : q;
    return 0;
}

/* The plan's "opt" tokens: each plugin-related option given, by its longest name. */
static void plan_options(const struct given *g, struct fl_launch *out)
{
    for (int id = 0; id < O_COUNT; id++) {
        if (!g[id].count || !g[id].plan_name) continue;
        struct fl_str s = {0};
        fl_str_add(&s, g[id].plan_name);
        if (g[id].value) {
            fl_str_addc(&s, '=');
            fl_str_add(&s, g[id].value);
        }
        push(&out->opts, &out->nopts, s.p);
    }
}

/* --with-plugin or DMTCP_PLUGIN: split(":"), trim, drop empty entries. */
static void with_plugins(const struct given *g, const struct fl_env *env, struct fl_launch *out)
{
    const char *list = g[O_WITH].count ? g[O_WITH].value : fl_env_get(env, "DMTCP_PLUGIN");
    if (!list) return;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *raw = fl_strndup(p, n);
        char *t = fl_trim(raw);
        free(raw);
        if (t[0]) push(&out->with, &out->nwith, t);
        else free(t);
        if (!end) break;
        p = end + 1;
    }
}

int fl_options_resolve(int argc, char **args, const struct fl_env *env, const char *cwd, struct fl_launch *out,
                       const char **why)
{
    struct given g[O_COUNT];
    memset(g, 0, sizeof g);
    memset(out, 0, sizeof *out);
    if (parse(argc, args, g, out, why) < 0) return -1;

    if (g[O_GZIP].count && g[O_NO_GZIP].count) {
        *why = "--gzip and --no-gzip together";
        return -1;
    }
    if (g[O_GZIP].count || g[O_NO_GZIP].count) {
        out->gzip = g[O_GZIP].count > 0;
    } else {
        int f = env_flag(env, "DMTCP_GZIP");
        if (f == -1) goto bad_env;
        out->gzip = f != 0;
    }

    out->ckpt_open_files = g[O_OPEN_FILES].count > 0;
    out->allow_file_overwrite = g[O_OVERWRITE].count > 0;

    const char *dir = g[O_CKPTDIR].count ? g[O_CKPTDIR].value : fl_env_get(env, "DMTCP_CHECKPOINT_DIR");
    char *r = fl_path_resolve(cwd, dir ? dir : "");
    out->ckpt_dir = fl_path_normalize(r);
    free(r);

    int set = 0, sig = 12;
    if (g[O_SIGNAL].count) {
        if (number(&g[O_SIGNAL], &sig) < 0) goto bad_env;
    } else if (env_int(env, "DMTCP_SIGCKPT", &set, &sig) < 0) {
        goto bad_env;
    }
    if (sig < 1 || sig > 64 || sig == 9 || sig == 19) {
        *why = "an invalid checkpoint signal";
        return -1;
    }
    out->ckpt_signal = sig;

    /* Only checked here (Java refuses bad values); the plan records them with the environment. */
    if (env_flag(env, "DMTCP_ALLOC_PLUGIN") == -1 || env_flag(env, "DMTCP_DL_PLUGIN") == -1) goto bad_env;

    out->tmp_dir = tmp_dir(g, env, cwd);
    if (coordinator(g, env, out, why) < 0) return -1;
    if (quiet(g, env, &out->quiet) < 0) goto bad_env;
    plan_options(g, out);
    with_plugins(g, env, out);
    return 0;
bad_env:
    *why = "an option value or environment variable Java would refuse";
    return -1;
}
