/* stasis-fastlaunch: ProgramEnvironment.forLaunch. */
#include "fl_progenv.h"

#include <stdlib.h>
#include <string.h>

#include "fl_text.h"

char *fl_preload(const char *const *first, size_t nfirst, const char *existing)
{
    struct fl_str out = {0};
    for (size_t i = 0; i < nfirst; i++) {
        if (i) fl_str_addc(&out, ':');
        fl_str_add(&out, first[i]);
    }
    for (const char *p = existing; p && *p;) {
        while (*p == ':' || *p == ' ') p++;
        const char *e = p;
        while (*e && *e != ':' && *e != ' ') e++;
        if (e == p) break;
        char *part = fl_strndup(p, (size_t)(e - p));
        int skip = fl_endswith(part, "/libstasis.so") || fl_streq(part, "libstasis.so");
        for (size_t i = 0; i < nfirst && !skip; i++) skip = fl_streq(part, first[i]);
        if (!skip) {
            if (out.len) fl_str_addc(&out, ':');
            fl_str_add(&out, part);
        }
        free(part);
        p = e;
    }
    if (!out.p) fl_str_addn(&out, "", 0);
    return out.p;
}

static void set_int(struct fl_env *env, const char *name, long v)
{
    struct fl_str s = {0};
    fl_str_addi(&s, v);
    fl_env_set(env, name, s.p);
    fl_str_free(&s);
}

void fl_program_env(struct fl_env *env, const struct fl_launch *o, const struct fl_session *c, const char *agent,
                    const struct fl_plan *plugins)
{
    /* forLaunch reads LD_PRELOAD from the base environment, not from what a plugin sets below */
    const char *base_preload = fl_env_raw(env, "LD_PRELOAD");

    /* ProgramEnvironment.common */
    fl_env_unset(env, "STASIS_INHERITED_FDS");
    fl_env_unset(env, "STASIS_LAUNCH_STDIO"); /* the first process of the launch notes its own */
    fl_env_set(env, "STASIS_COORD_HOST", c->numeric_host);
    set_int(env, "STASIS_COORD_PORT", c->port);
    fl_env_set(env, "STASIS_COORD_SECRET", c->secret);
    set_int(env, "STASIS_QUIET", o->quiet);
    fl_env_set(env, "DMTCP_COORD_HOST", c->host);
    set_int(env, "DMTCP_COORD_PORT", c->port);

    /* forLaunch: a new computation claims management afresh */
    fl_env_unset(env, "STASIS_MANAGED_PID"); /* legacy */
    fl_env_unset(env, "STASIS_PID_MAP");
    for (size_t i = 0; i < plugins->nsetenv; i++) fl_env_put(env, plugins->setenv[i]);

    const char **first = fl_alloc((plugins->npreloads + 1) * sizeof *first);
    first[0] = agent;
    for (size_t i = 0; i < plugins->npreloads; i++) first[i + 1] = plugins->preload_paths[i];
    char *preload = fl_preload(first, plugins->npreloads + 1, base_preload);
    fl_env_set(env, "LD_PRELOAD", preload);
    free(preload);
    free(first);

    if (plugins->npreloads == 0) {
        fl_env_unset(env, "STASIS_NATIVE_PLUGINS");
    } else {
        struct fl_str names = {0};
        for (size_t i = 0; i < plugins->npreloads; i++) {
            if (i) fl_str_addc(&names, ':');
            fl_str_add(&names, plugins->preload_names[i]);
        }
        fl_env_set(env, "STASIS_NATIVE_PLUGINS", names.p);
        fl_str_free(&names);
    }
    fl_env_set(env, "STASIS_CKPT_DIR", o->ckpt_dir);
    fl_env_set(env, "STASIS_GZIP", o->gzip ? "1" : "0");
    /* the files plugin's: set only when given, as forLaunch does */
    fl_env_unset(env, "STASIS_CKPT_OPEN_FILES");
    fl_env_unset(env, "STASIS_ALLOW_FILE_OVERWRITE");
    if (o->ckpt_open_files) fl_env_set(env, "STASIS_CKPT_OPEN_FILES", "1");
    if (o->allow_file_overwrite) fl_env_set(env, "STASIS_ALLOW_FILE_OVERWRITE", "1");
    set_int(env, "STASIS_CKPT_SIGNAL", o->ckpt_signal);
    fl_env_set(env, "STASIS_TMPDIR", o->tmp_dir);
}
