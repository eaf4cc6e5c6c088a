/* The counter plugin's native half: counts the checkpoints of the process, keeps the count in
 * its own image section, and prints a line at every event.
 *
 * Hooks run while the program's threads are stopped, possibly inside malloc or stdio, so this
 * file prints with write(2) and formats into stack buffers: no stdio, no malloc in hooks. */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int precheckpoint(char *err, size_t errlen);
static int presuspend(char *err, size_t errlen);
static void resume(void);
static void restart(void);

static const struct stasis_plugin counter = {
    STASIS_SDK_INIT, "counter", presuspend, precheckpoint, resume, restart,
};

/* What the image section holds. */
struct saved {
    uint32_t magic;
    uint32_t checkpoints;
};
#define SAVED_MAGIC 0x434e5452u /* "CNTR" */

static uint32_t checkpoints; /* completed PRECHECKPOINTs of this computation */
static long fail_at;         /* --counter-fail-at: refuse the Nth checkpoint (0: never) */
static char label[64] = "counter";

static void say(const char *event, const char *extra, long value)
{
    char line[256];
    size_t n = 0;
    const char *parts[] = {"[", label, "] ", event, " generation=", 0};
    for (int i = 0; parts[i]; i++) {
        size_t k = strlen(parts[i]);
        memcpy(line + n, parts[i], k);
        n += k;
    }
    char num[24];
    long vals[2] = {(long)stasis_generation(), value};
    for (int v = 0; v < (extra ? 2 : 1); v++) {
        if (v) {
            line[n++] = ' ';
            size_t k = strlen(extra);
            memcpy(line + n, extra, k);
            n += k;
            line[n++] = '=';
        }
        int d = 0;
        unsigned long x = vals[v] < 0 ? (unsigned long)-vals[v] : (unsigned long)vals[v];
        do num[d++] = (char)('0' + x % 10); while ((x /= 10) && d < 20);
        if (vals[v] < 0) line[n++] = '-';
        while (d) line[n++] = num[--d];
    }
    line[n++] = '\n';
    ssize_t w = write(2, line, n);
    (void)w;
}

static void copy(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
}

static int presuspend(char *err, size_t errlen)
{
    (void)err, (void)errlen;
    say("PRESUSPEND", "checkpoints", checkpoints);
    return 0;
}

static int precheckpoint(char *err, size_t errlen)
{
    if (fail_at > 0 && checkpoints + 1 == (uint32_t)fail_at) {
        /* shown as "plugin counter: ..." in the coordinator's status and by dmtcp_command */
        copy(err, errlen, "refusing this checkpoint, as asked by --counter-fail-at");
        say("PRECHECKPOINT refused", "checkpoints", checkpoints);
        fail_at = 0; /* once: the next request succeeds */
        return -1;
    }
    checkpoints++;
    struct saved s = {SAVED_MAGIC, checkpoints};
    if (stasis_section_write(&counter, &s, sizeof s) < 0) {
        copy(err, errlen, "cannot store the counter in the image");
        return -1;
    }
    say("PRECHECKPOINT", "checkpoints", checkpoints);
    return 0;
}

static void resume(void) { say("RESUME", "checkpoints", checkpoints); }

static void restart(void)
{
    struct saved s;
    long n = stasis_section_read(&counter, &s, sizeof s);
    if (n != (long)sizeof s || s.magic != SAVED_MAGIC) {
        say("RESTART without a readable counter section", "length", n);
        return;
    }
    checkpoints = s.checkpoints;
    say("RESTART", "checkpoints", checkpoints);
}

static long number(const char *s)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    return s && *end == 0 ? v : 0;
}

__attribute__((constructor)) static void counter_init(void)
{
    const char *l = stasis_option(&counter, "--counter-label");
    if (l && *l) snprintf(label, sizeof label, "%s", l);
    fail_at = number(stasis_option(&counter, "--counter-fail-at"));
    stasis_register(&counter);
}
