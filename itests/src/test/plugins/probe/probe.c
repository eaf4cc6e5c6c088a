/* A test plugin with only a native half: prints one line per event, so that a test can check
 * the order of events across plugins, and exercises the KV store and both barriers at
 * PRECHECKPOINT (every process publishes, meets the others, and reads its value back). */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include <string.h>
#include <unistd.h>

static void line(const char *event, const char *extra)
{
    char buf[200];
    size_t n = 0;
    const char *parts[] = {"[probe] ", event, extra ? " " : "", extra ? extra : "", "\n", 0};
    for (int i = 0; parts[i]; i++) {
        size_t k = strlen(parts[i]);
        if (n + k > sizeof buf) break;
        memcpy(buf + n, parts[i], k);
        n += k;
    }
    ssize_t w = write(2, buf, n);
    (void)w;
}

static const struct stasis_plugin probe;

static int presuspend(char *err, size_t errlen)
{
    (void)err, (void)errlen;
    line("PRESUSPEND", 0);
    return 0;
}

static int precheckpoint(char *err, size_t errlen)
{
    char pid[16], got[32];
    long p = getpid();
    int d = 0;
    char tmp[16];
    do tmp[d++] = (char)('0' + p % 10); while ((p /= 10) && d < 15);
    for (int i = 0; i < d; i++) pid[i] = tmp[d - 1 - i];
    pid[d] = 0;
    if (stasis_kv_put(&probe, pid, "seen") < 0 || stasis_barrier(&probe, "published") < 0 ||
        stasis_local_barrier(&probe, "published-here") < 0 || stasis_kv_get(&probe, pid, got, sizeof got) != 4 ||
        strcmp(got, "seen") != 0) {
        strncpy(err, "the coordinator's store or barriers did not answer as expected", errlen - 1);
        err[errlen - 1] = 0;
        return -1;
    }
    line("PRECHECKPOINT", "kv=ok");
    return 0;
}

static void resume(void) { line("RESUME", 0); }
static void restart(void) { line("RESTART", 0); }

static const struct stasis_plugin probe = {STASIS_SDK_INIT, "probe", presuspend, precheckpoint, resume, restart};

__attribute__((constructor)) static void probe_init(void) { stasis_register(&probe); }
