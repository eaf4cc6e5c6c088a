/* Building short texts (messages, /proc paths) without stdio: hooks run while the program's
 * threads may hold libc's locks. */
#ifndef FILES_TEXT_H
#define FILES_TEXT_H
#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* a, b and c (each may be 0) joined into out, cut to cap - 1 bytes; returns -1, so that a hook
 * can write "return text_fail(err, errlen, ...)". */
static inline int text_fail(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    size_t n = 0;
    const char *parts[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        size_t k = parts[i] ? strlen(parts[i]) : 0;
        if (n + k >= cap) k = cap - 1 - n;
        memcpy(out + n, parts[i], k);
        n += k;
    }
    out[n] = 0;
    return -1;
}

/* v in decimal, NUL-terminated, into out (at least 21 bytes). */
static inline void text_uint(char *out, unsigned long v)
{
    char digits[20];
    int d = 0;
    do digits[d++] = (char)('0' + v % 10); while ((v /= 10) && d < 20);
    int n = 0;
    while (d) out[n++] = digits[--d];
    out[n] = 0;
}

/* "[stasis] files: <what><path><tail>" and a newline on standard error, in one write. */
static inline void text_warn(const char *what, const char *path, const char *tail)
{
    const char *parts[] = {"[stasis] files: ", what, path ? path : "", tail ? tail : "", "\n"};
    char line[768];
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t k = strlen(parts[i]);
        if (n + k > sizeof line) k = sizeof line - n;
        memcpy(line + n, parts[i], k);
        n += k;
    }
    ssize_t w = write(2, line, n);
    (void)w;
}

/* "<prefix><generation>/<host>/" into out: the start of a store key for an object of this host
 * (pipe inodes and SysV ids are only unique on one machine) in this generation. */
static inline void text_key_head(char *out, size_t cap, const char *prefix, unsigned long generation)
{
    static char host[65];
    if (!host[0]) {
        struct utsname u;
        text_fail(host, sizeof host, uname(&u) == 0 ? u.nodename : "localhost", 0, 0);
    }
    char gen[24], head[120];
    text_uint(gen, generation);
    text_fail(head, sizeof head, prefix, gen, "/");
    text_fail(out, cap, head, host, "/");
}

#endif
