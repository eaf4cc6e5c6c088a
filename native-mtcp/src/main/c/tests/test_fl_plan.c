/* The launch plan as stasis-fastlaunch reads it: field encoding, file naming, the request it
 * computes, parsing (every malformed or foreign plan refused) and the state check against real
 * files. LaunchPlanTest on the Java side checks the writer against the same texts. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fl_paths.h"
#include "fl_plan.h"

static char *enc(const char *s)
{
    struct fl_str e = {0};
    fl_str_enc(&e, s, strlen(s));
    fl_str_addn(&e, "", 0);
    return e.p;
}

static int dec_ok(const char *s, const char *want)
{
    struct fl_str d = {0};
    int ok = fl_dec(s, strlen(s), &d) == 0 && strcmp(fl_str_get(&d), want) == 0;
    fl_str_free(&d);
    return ok;
}

static int dec_fails(const char *s)
{
    struct fl_str d = {0};
    int r = fl_dec(s, strlen(s), &d);
    fl_str_free(&d);
    return r < 0;
}

static void encoding(void)
{
    CHECK(strcmp(enc("plain/path-1.jar"), "plain/path-1.jar") == 0);
    CHECK(strcmp(enc("a b%\n\x7f\xc3\xa9"), "a%20b%25%0A%7F%C3%A9") == 0);
    CHECK(dec_ok("a%20b%25%0A%7F%C3%A9", "a b%\n\x7f\xc3\xa9"));
    CHECK(dec_ok("", ""));
    CHECK(dec_fails("%0"));     /* cut short */
    CHECK(dec_fails("%zz"));    /* not hex */
    CHECK(dec_fails("%0a"));    /* the writer uses upper case only */
    CHECK(dec_fails("%00"));    /* would end the C string */
    CHECK(dec_fails("a b"));    /* a raw space never appears in a field */
    /* FNV-1a 64 reference values */
    CHECK(fl_fnv1a64("", 0) == 0xcbf29ce484222325ull);
    CHECK(fl_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(fl_fnv1a64("foobar", 6) == 0x85944171f73967e8ull);
}

static void paths(void)
{
    CHECK(strcmp(fl_path_of("a//b/"), "a/b") == 0);
    CHECK(strcmp(fl_path_of("/"), "/") == 0);
    CHECK(strcmp(fl_path_of("//x//"), "/x") == 0);
    CHECK(strcmp(fl_path_normalize("/../a/./b/../c"), "/a/c") == 0);
    CHECK(strcmp(fl_path_normalize("/a/b/.."), "/a") == 0);
    CHECK(strcmp(fl_path_normalize("/.."), "/") == 0);
    CHECK(strcmp(fl_path_normalize("../a/../../b"), "../../b") == 0);
    CHECK(strcmp(fl_path_resolve("/x", ""), "/x") == 0);
    CHECK(strcmp(fl_path_resolve("/x", "y//z/"), "/x/y/z") == 0);
    CHECK(strcmp(fl_path_resolve("/x", "/abs/"), "/abs") == 0);
    CHECK(strcmp(fl_path_resolve("/", "y"), "/y") == 0);
    CHECK(strcmp(fl_path_resolve("/x", "./y"), "/x/./y") == 0); /* resolve does not normalise */
}

static char dir[] = "/tmp/test_fl_plan.XXXXXX";

static char *in_dir(const char *name)
{
    return fl_path_resolve(dir, name);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    CHECK(close(fd) == 0);
}

static struct fl_launch launch_with(char **opts, size_t nopts, char **with, size_t nwith)
{
    struct fl_launch o;
    memset(&o, 0, sizeof o);
    o.opts = opts;
    o.nopts = nopts;
    o.with = with;
    o.nwith = nwith;
    static char *disabled[] = {"zeta", "alpha"};
    o.disabled = disabled;
    o.ndisabled = 2;
    return o;
}

static void request(void)
{
    char *home = in_dir("stasis");
    char *local = in_dir("local.jar");
    write_file(local, "x");
    char *exists = in_dir("plainname");
    write_file(exists, "x");
    char *opts[] = {"--with-plugin=a b:c", "--batch-queue", "--allow-file-overwrite"};
    char *with[] = {"named", "plainname", "local.jar", "sub/../x.so"};
    struct fl_launch o = launch_with(opts, 3, with, 4);
    char *environ_[] = {"PATH=/bin", "STASIS_PLUGIN_PTRACE=1", "DMTCP_PLUGIN=x", "DMTCP_SLURM_PLUGIN=0",
                        "STASIS_CONFIG=conf//site.conf", "DMTCP_PLUGINS=no", "STASIS_PLUGIN_PTRACE=ignored",
                        "DMTCP_GZIP=1", 0};
    struct fl_env env = {0};
    fl_env_load(&env, environ_);
    struct fl_request r;
    fl_plan_request(home, &o, &env, dir, &r);

    struct fl_str want = {0};
    fl_str_add(&want, "stasis-launch-plan 1\nhome ");
    fl_str_add(&want, home);
    fl_str_add(&want, "\nopt --allow-file-overwrite\nopt --batch-queue\nopt --with-plugin=a%20b:c\n"
                      "disable zeta\ndisable alpha\n"
                      "env DMTCP_PLUGIN=x\nenv DMTCP_SLURM_PLUGIN=0\nenv STASIS_CONFIG=conf//site.conf\n"
                      "env STASIS_PLUGIN_PTRACE=1\n"
                      "with-name named\nwith-path ");
    fl_str_add(&want, exists);
    fl_str_add(&want, "\nwith-path ");
    fl_str_add(&want, local);
    fl_str_add(&want, "\nwith-path ");
    fl_str_add(&want, dir);
    fl_str_add(&want, "/x.so\nsite-config ");
    fl_str_add(&want, dir);
    fl_str_add(&want, "/conf/site.conf\n");
    CHECK(strcmp(fl_str_get(&r.text), fl_str_get(&want)) == 0);
    if (strcmp(fl_str_get(&r.text), fl_str_get(&want)) != 0)
        fprintf(stderr, "request:\n%s\nexpected:\n%s\n", fl_str_get(&r.text), fl_str_get(&want));
    /* the with paths, the site file, bundles/ and etc/stasis.conf must have state lines */
    CHECK(r.nrequired == 6);

    /* the file: XDG_CACHE_HOME first, HOME second, nothing relative */
    char *e1[] = {"HOME=/home/u", "XDG_CACHE_HOME=/xdg/", 0};
    char *e2[] = {"HOME=/home/u", "XDG_CACHE_HOME=relative", 0};
    char *e3[] = {"HOME=", 0};
    struct fl_env x1 = {0}, x2 = {0}, x3 = {0};
    fl_env_load(&x1, e1);
    fl_env_load(&x2, e2);
    fl_env_load(&x3, e3);
    char *f1 = fl_plan_file(&x1, &r), *f2 = fl_plan_file(&x2, &r);
    CHECK(fl_startswith(f1, "/xdg/stasis/launch-") && fl_endswith(f1, ".plan") && strlen(f1) == 19 + 16 + 5);
    CHECK(fl_startswith(f2, "/home/u/.cache/stasis/launch-"));
    CHECK(strcmp(f1 + strlen("/xdg/stasis/"), f2 + strlen("/home/u/.cache/stasis/")) == 0);
    CHECK(fl_plan_file(&x3, &r) == 0);

    /* LaunchPlanTest expects the same name for this request */
    struct fl_launch bare = launch_with(0, 0, 0, 0);
    bare.ndisabled = 0;
    char *no_env[] = {0};
    struct fl_env empty = {0};
    fl_env_load(&empty, no_env);
    struct fl_request minimal;
    fl_plan_request("/opt/stasis", &bare, &empty, dir, &minimal);
    CHECK(strcmp(fl_str_get(&minimal.text), "stasis-launch-plan 1\nhome /opt/stasis\n") == 0);
    CHECK(fl_endswith(fl_plan_file(&x1, &minimal), "/launch-ad1e4ad012c89c38.plan"));
}

/* A complete plan text for request r with the given body. */
static char *plan_text(const struct fl_request *r, const char *body)
{
    struct fl_str t = {0};
    fl_str_add(&t, fl_str_get(&r->text));
    fl_str_add(&t, body);
    return t.p;
}

static int parses(const struct fl_request *r, const char *body, struct fl_plan *p)
{
    char *t = plan_text(r, body);
    const char *why = 0;
    int rc = fl_plan_parse(t, strlen(t), r, p, &why);
    CHECK(rc == 0 || why != 0);
    free(t);
    return rc == 0;
}

static void parsing(void)
{
    char *home = in_dir("stasis");
    struct fl_launch o = launch_with(0, 0, 0, 0);
    o.ndisabled = 0;
    char *none_env[] = {0};
    struct fl_env env = {0};
    fl_env_load(&env, none_env);
    struct fl_request r;
    fl_plan_request(home, &o, &env, dir, &r);
    char *bundles = enc(fl_path_resolve(home, "bundles"));
    char *conf = enc(fl_path_resolve(home, "etc/stasis.conf"));
    struct fl_str state = {0};
    fl_str_add(&state, "none ");
    fl_str_add(&state, bundles);
    fl_str_add(&state, "\nstat ");
    fl_str_add(&state, conf);
    fl_str_add(&state, " f 10 1 2 3\n");
    const char *s = fl_str_get(&state);

    struct fl_plan p;
    struct fl_str body = {0};
    fl_str_add(&body, s);
    fl_str_add(&body, "warn plugin%20slurm%20is%20not%20installed\nwarn \npreload net /lib/net.so\n"
                      "setenv STASIS_NET_MODE=fast%20path\nsetenv EMPTY=\nend\n");
    CHECK(parses(&r, body.p, &p));
    CHECK(p.nstate == 2 && p.nwarnings == 2 && p.npreloads == 1 && p.nsetenv == 2 && !p.warnings_hidden);
    if (p.nwarnings == 2) {
        CHECK(strcmp(p.warnings[0], "plugin slurm is not installed") == 0);
        CHECK(strcmp(p.warnings[1], "") == 0);
    }
    if (p.npreloads == 1) CHECK(strcmp(p.preload_names[0], "net") == 0 && strcmp(p.preload_paths[0], "/lib/net.so") == 0);
    if (p.nsetenv == 2) CHECK(strcmp(p.setenv[0], "STASIS_NET_MODE=fast path") == 0 && strcmp(p.setenv[1], "EMPTY=") == 0);

    fl_str_free(&body);
    fl_str_add(&body, s);
    fl_str_add(&body, "warnings-hidden\nend\n");
    CHECK(parses(&r, body.p, &p) && p.warnings_hidden);

    /* refused: each one a plan that must not be used */
    const char *bad[] = {
        "end\n",                         /* records neither bundles/ nor etc/stasis.conf */
        "",                              /* no end line: cut short */
        "end",                           /* end line without its newline */
        "end\nend\n",                    /* something after the end */
        "frobnicate 1\nend\n",           /* an unknown line (a newer writer) */
        "preload onlyname\nend\n",       /* a preload without its path */
        "preload a /b c\nend\n",         /* ... or with an extra field */
        "setenv NOEQUALS\nend\n",        /* a variable without a value */
        "setenv =x\nend\n",              /* ... or without a name */
        "warn bad%zz\nend\n",            /* a malformed field */
        "warnings-hidden please\nend\n", /* a keyword with junk after it */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_str_free(&body);
        if (i > 0) fl_str_add(&body, s);
        fl_str_add(&body, bad[i]);
        int ok = parses(&r, body.p, &p);
        CHECK(!ok);
        if (ok) fprintf(stderr, "accepted bad plan body %zu: %s\n", i, bad[i]);
    }

    /* a plan for another request (another home) is refused, though the body would do */
    struct fl_request other;
    fl_plan_request(in_dir("other"), &o, &env, dir, &other);
    fl_str_free(&body);
    fl_str_add(&body, s);
    fl_str_add(&body, "end\n");
    char *t = plan_text(&other, body.p);
    const char *why = 0;
    CHECK(fl_plan_parse(t, strlen(t), &r, &p, &why) < 0 && why);
}

static void verification(void)
{
    char *file = in_dir("bundle.jar");
    char *absent = in_dir("absent.conf");
    write_file(file, "first");
    struct fl_str lines = {0};
    fl_plan_state_line(file, &lines);
    struct fl_str none = {0};
    fl_plan_state_line(absent, &none);
    CHECK(fl_startswith(fl_str_get(&lines), "stat ") && strstr(fl_str_get(&lines), " f 5 "));
    struct fl_str want_none = {0};
    fl_str_add(&want_none, "none ");
    fl_str_add(&want_none, enc(absent));
    CHECK(strcmp(fl_str_get(&none), want_none.p) == 0);

    struct fl_plan p;
    memset(&p, 0, sizeof p);
    char *state[] = {lines.p, none.p};
    p.state = state;
    p.nstate = 2;
    struct fl_str why = {0};
    CHECK(fl_plan_verify(&p, &why) == 0);

    /* same size, new content and time: the inode's times change */
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, 0);
    write_file(file, "other");
    CHECK(fl_plan_verify(&p, &why) < 0 && strstr(fl_str_get(&why), "bundle.jar"));

    /* a file that appears where the plan recorded none */
    struct fl_str now = {0};
    fl_plan_state_line(file, &now);
    state[0] = now.p;
    CHECK(fl_plan_verify(&p, &why) == 0);
    write_file(absent, "plugin.x = on\n");
    fl_str_free(&why);
    CHECK(fl_plan_verify(&p, &why) < 0 && strstr(fl_str_get(&why), "absent.conf"));
    unlink(absent);
    unlink(file);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    encoding();
    paths();
    request();
    parsing();
    verification();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_summary("test_fl_plan");
}
