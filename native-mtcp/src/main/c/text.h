/* Tiny string helpers that take no locks and allocate nothing: usable on the checkpoint
 * path (user threads stopped) and in the restorer (no libc). */
#ifndef STASIS_TEXT_H
#define STASIS_TEXT_H
#include <stddef.h>
#include <stdint.h>

static inline size_t sx_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static inline int sx_streq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static inline int sx_startswith(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}

/* Bounded string builder: never overflows, always NUL-terminated. */
struct sx_buf {
    char *p;
    size_t len, cap;
};

static inline void sx_buf_init(struct sx_buf *b, char *mem, size_t cap)
{
    b->p = mem;
    b->len = 0;
    b->cap = cap;
    if (cap) mem[0] = 0;
}

static inline void sx_buf_add(struct sx_buf *b, const char *s)
{
    while (*s && b->len + 1 < b->cap) b->p[b->len++] = *s++;
    if (b->cap) b->p[b->len] = 0;
}

static inline void sx_buf_addn(struct sx_buf *b, const char *s, size_t n)
{
    while (n-- && *s && b->len + 1 < b->cap) b->p[b->len++] = *s++;
    if (b->cap) b->p[b->len] = 0;
}

static inline void sx_buf_int(struct sx_buf *b, int64_t v)
{
    char tmp[24];
    int i = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do tmp[i++] = (char)('0' + u % 10); while ((u /= 10) && i < 23);
    if (v < 0) sx_buf_add(b, "-");
    while (i--) {
        char c[2] = {tmp[i], 0};
        sx_buf_add(b, c);
    }
}

static inline void sx_buf_hex(struct sx_buf *b, uint64_t v, int min_digits)
{
    char tmp[17];
    int i = 0;
    do tmp[i++] = "0123456789abcdef"[v & 15]; while ((v >>= 4) && i < 16);
    while (i < min_digits && i < 16) tmp[i++] = '0';
    while (i--) {
        char c[2] = {tmp[i], 0};
        sx_buf_add(b, c);
    }
}

static inline void sx_copy_str(char *dst, size_t cap, const char *src)
{
    struct sx_buf b;
    sx_buf_init(&b, dst, cap);
    sx_buf_add(&b, src);
}

/* Parses an unsigned number in the given base; stops at the first non-digit. */
static inline uint64_t sx_parse_u64(const char **sp, int base)
{
    const char *s = *sp;
    uint64_t v = 0;
    for (;;) {
        int d;
        char c = *s;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else break;
        v = v * (uint64_t)base + (uint64_t)d;
        s++;
    }
    *sp = s;
    return v;
}

/* Plain words for the errors a checkpoint or restart can meet; no locale, no locks. */
static inline const char *sx_errno_text(long e)
{
    if (e < 0) e = -e;
    switch (e) {
    case 1: return "operation not permitted";
    case 2: return "no such file or directory";
    case 5: return "input/output error";
    case 12: return "out of memory";
    case 13: return "permission denied";
    case 17: return "file exists";
    case 20: return "not a directory";
    case 21: return "is a directory";
    case 22: return "invalid argument";
    case 24: return "too many open files";
    case 27: return "file too large";
    case 28: return "no space left on device";
    case 30: return "read-only file system";
    case 110: return "connection timed out";
    case 111: return "connection refused";
    case 122: return "disk quota exceeded";
    default: return "system error";
    }
}

#endif
