/* stasis-fastlaunch's launch options: what it resolves must be what LaunchCommand.resolve
 * resolves (LaunchOptionsTest has the Java side of the same cases), and every form it is not
 * sure about must be handed to Java rather than guessed. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "check.h"
#include "fl_options.h"
#include "fl_text.h"

#define CWD "/work/dir"

static char *environment[32];

/* Resolves args (NULL-terminated) in an environment of "NAME=VALUE" strings set by env(). */
static int resolve(struct fl_launch *o, const char **why, ...)
{
    static char *args[32]; /* o->argv points into it */
    int n = 0;
    va_list ap;
    va_start(ap, why);
    for (char *a; (a = va_arg(ap, char *)) != 0 && n < 31;) args[n++] = a;
    va_end(ap);
    args[n] = 0;
    struct fl_env env = {0};
    fl_env_load(&env, environment);
    *why = 0;
    return fl_options_resolve(n, args, &env, CWD, o, why);
}

static void env(const char *first, ...)
{
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *e = first; e && n < 31; e = va_arg(ap, const char *)) environment[n++] = (char *)e;
    va_end(ap);
    environment[n] = 0;
}

static void defaults(void)
{
    env(NULL);
    struct fl_launch o;
    const char *why;
    CHECK(resolve(&o, &why, "prog", "-x", "--y", NULL) == 0);
    CHECK(strcmp(o.host, "localhost") == 0 && o.port == 7779 && !o.join && !o.has_interval);
    CHECK(o.gzip == 1 && strcmp(o.ckpt_dir, CWD) == 0 && o.ckpt_signal == 12 && o.quiet == 0);
    CHECK(strcmp(o.tmp_dir, "/tmp") == 0);
    CHECK(strcmp(o.program, "prog") == 0 && o.argc == 3 && strcmp(o.argv[1], "-x") == 0);
    CHECK(o.nopts == 0 && o.ndisabled == 0 && o.nwith == 0);
}

static void options_and_environment(void)
{
    env("DMTCP_COORD_HOST=  node7 ", "DMTCP_COORD_PORT= 7000", "DMTCP_CHECKPOINT_DIR=ck//pts/../imgs/",
        "TMPDIR=t", "DMTCP_QUIET=5", "DMTCP_GZIP=No", "DMTCP_SIGCKPT=10", "DMTCP_CHECKPOINT_INTERVAL=30", NULL);
    struct fl_launch o;
    const char *why;
    CHECK(resolve(&o, &why, "prog", NULL) == 0);
    CHECK(strcmp(o.host, "node7") == 0 && o.port == 7000 && o.gzip == 0 && o.ckpt_signal == 10 && o.quiet == 2);
    CHECK(strcmp(o.ckpt_dir, CWD "/ck/imgs") == 0 && strcmp(o.tmp_dir, CWD "/t") == 0);
    CHECK(o.has_interval && o.interval == 30);

    /* options win over variables; -j drops the interval from the environment */
    CHECK(resolve(&o, &why, "-j", "-h", "other", "--coord-port=7100", "--ckptdir", "/abs/", "--gzip", "--tmpdir=/x/../y",
                  "--ckpt-signal", "14", "-q", "--coord-logfile", "log", "prog", NULL) == 0);
    CHECK(o.join && strcmp(o.host, "other") == 0 && o.port == 7100 && o.gzip == 1 && o.ckpt_signal == 14);
    CHECK(strcmp(o.ckpt_dir, "/abs") == 0 && strcmp(o.tmp_dir, "/y") == 0 && o.quiet == 1 && !o.has_interval);

    /* the seeds' job scripts attach values to short options: dmtcp_launch -p$port -i 8 ... */
    CHECK(resolve(&o, &why, "-p40000", "-i8", "-hnode9", "prog", NULL) == 0);
    CHECK(o.port == 40000 && o.has_interval && o.interval == 8 && strcmp(o.host, "node9") == 0);

    env("DMTCP_TMPDIR=/d", "TMPDIR=/t", "DMTCP_QUIET=-3", NULL);
    CHECK(resolve(&o, &why, "-i", "0", "-q", "-q", "--quiet", "prog", NULL) == 0);
    CHECK(strcmp(o.tmp_dir, "/d") == 0 && o.quiet == 2 && o.has_interval && o.interval == 0);
    CHECK(resolve(&o, &why, "prog", NULL) == 0 && o.quiet == 0);

    /* a blank host is localhost; an empty variable counts as unset */
    env("DMTCP_COORD_HOST= \t", "DMTCP_COORD_PORT=", NULL);
    CHECK(resolve(&o, &why, "prog", NULL) == 0 && strcmp(o.host, "localhost") == 0 && o.port == 7779);
}

static void plugin_options(void)
{
    env("DMTCP_PLUGIN=ignored-when-the-option-is-given", NULL);
    struct fl_launch o;
    const char *why;
    CHECK(resolve(&o, &why, "--rm", "--ib", "--ckpt-open-files", "--with-plugin", " a : :b.jar:", "--disable-foo-plugin",
                  "--disable-alloc-plugin", "--disable-x9-plugin", "prog", NULL) == 0);
    CHECK(o.ndisabled == 2 && strcmp(o.disabled[0], "foo") == 0 && strcmp(o.disabled[1], "x9") == 0);
    CHECK(o.nwith == 2 && strcmp(o.with[0], "a") == 0 && strcmp(o.with[1], "b.jar") == 0);
    /* recorded by their longest names, as picocli's matched options are */
    int batch = 0, ib = 0, files = 0, with = 0, alloc = 0;
    for (size_t i = 0; i < o.nopts; i++) {
        batch += strcmp(o.opts[i], "--batch-queue") == 0;
        ib += strcmp(o.opts[i], "--infiniband") == 0;
        files += strcmp(o.opts[i], "--checkpoint-open-files") == 0;
        with += strcmp(o.opts[i], "--with-plugin= a : :b.jar:") == 0;
        alloc += strcmp(o.opts[i], "--disable-alloc-plugin") == 0;
    }
    CHECK(o.nopts == 5 && batch && ib && files && with && alloc);

    env("DMTCP_PLUGIN=x:y", NULL);
    CHECK(resolve(&o, &why, "prog", NULL) == 0 && o.nwith == 2 && o.nopts == 0);
}

static void declined(void)
{
    static const char *const cases[][4] = {
        {"-jq", "prog"},                         /* clustered short options */
        {"-p=7779", "prog"},                     /* attached value with '=' */
        {"--gzip", "--gzip", "prog"},            /* repeated */
        {"--gzip", "--no-gzip", "prog"},         /* both ways */
        {"--ptrace=true", "prog"},               /* a flag given a value */
        {"--new-coordinator", "prog"},           /* starts a coordinator */
        {"--no-coordinator", "prog"},            /* ditto */
        {"--port-file", "f", "prog"},            /* writes a file */
        {"--help"},                              /* Java prints help */
        {"--version"},
        {"--", "prog"},                          /* end of options */
        {"-", "prog"},
        {"--no-such-option", "prog"},            /* maybe a plugin's option */
        {"--disable-Foo-plugin", "prog"},        /* not a plugin name */
        {"--disable-foo-plugin=1", "prog"},
        {"-p", "-1", "prog"},                    /* a value that looks like an option */
        {"-p", "70000", "prog"},                 /* out of range */
        {"-p", "0x10", "prog"},                  /* not decimal */
        {"-p", "0", "prog"},                     /* fine for Java, but a new coordinator: checked later */
        {"-qp7779", "prog"},                     /* a cluster ending in an option with a value */
        {"-p-1", "prog"},                        /* an attached value that looks like an option */
        {"--ckptdir=", "prog"},                  /* empty value */
        {"--ckpt-signal", "9", "prog"},          /* SIGKILL */
        {"-j", "-i", "5", "prog"},               /* -i is not allowed with -j */
        {"-j", "--any-coordinator", "prog"},     /* two modes */
        {"-q"},                                  /* no program */
        {"-h", "prog"},                          /* -h takes the program as its value: no program */
    };
    env(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *args[5] = {0};
        int n = 0;
        while (n < 4 && cases[i][n]) args[n] = (char *)cases[i][n], n++;
        struct fl_env e = {0};
        fl_env_load(&e, environment);
        struct fl_launch o;
        const char *why = 0;
        int r = fl_options_resolve(n, args, &e, CWD, &o, &why);
        /* -p 0 parses; the coordinator step declines it (a new coordinator needs Java) */
        if (fl_streq(cases[i][0], "-p") && fl_streq(cases[i][1], "0")) {
            CHECK(r == 0 && o.port == 0);
            continue;
        }
        CHECK(r < 0 && why);
        if (r == 0) fprintf(stderr, "case %zu (%s ...) was not declined\n", i, cases[i][0]);
    }

    /* variables Java refuses, or whose meaning needs Unicode rules (a no-break space as the host) */
    static const char *const bad_env[] = {"DMTCP_GZIP=maybe", "DMTCP_COORD_PORT=x", "DMTCP_QUIET=1.5",
                                          "DMTCP_SIGCKPT=19", "DMTCP_ALLOC_PLUGIN=2", "DMTCP_DL_PLUGIN=yes please",
                                          "DMTCP_CHECKPOINT_INTERVAL=-1", "DMTCP_COORD_HOST=\xc2\xa0"};
    for (size_t i = 0; i < sizeof bad_env / sizeof bad_env[0]; i++) {
        env(bad_env[i], NULL);
        struct fl_launch o;
        const char *why;
        int r = resolve(&o, &why, "prog", NULL);
        CHECK(r < 0 && why);
        if (r == 0) fprintf(stderr, "accepted %s\n", bad_env[i]);
    }
    struct fl_launch o;
    const char *why;
    /* Not blank, whatever the text: Java's trim keeps it, and the coordinator step decides. */
    env("DMTCP_COORD_HOST= n\xc3\xb6" "de ", NULL);
    CHECK(resolve(&o, &why, "prog", NULL) == 0 && strcmp(o.host, "n\xc3\xb6" "de") == 0);
    env("DMTCP_CHECKPOINT_INTERVAL=soon", NULL);
    CHECK(resolve(&o, &why, "-j", "prog", NULL) < 0); /* Java parses it before dropping it for -j */
    env("DMTCP_GZIP=maybe", NULL);
    CHECK(resolve(&o, &why, "--no-gzip", "prog", NULL) == 0); /* not read when the option is given */
}

int main(void)
{
    defaults();
    options_and_environment();
    plugin_options();
    declined();
    return check_summary("test_fl_options");
}
