/* stasis-fastlaunch: strings, plan field encoding, Java's number and flag rules. */
#include "fl_text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fl_fallback.h"

void *fl_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) fl_fallback("out of memory");
    return p;
}

char *fl_strndup(const char *s, size_t n)
{
    char *p = fl_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *fl_strdup(const char *s)
{
    return fl_strndup(s, strlen(s));
}

static void reserve(struct fl_str *s, size_t more)
{
    if (more > SIZE_MAX / 2 - s->len) fl_fallback("out of memory");
    size_t need = s->len + more + 1;
    if (need <= s->cap) return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) fl_fallback("out of memory");
    s->p = p;
    s->cap = cap;
}

void fl_str_addn(struct fl_str *s, const char *t, size_t n)
{
    reserve(s, n);
    memcpy(s->p + s->len, t, n);
    s->len += n;
    s->p[s->len] = 0;
}

void fl_str_add(struct fl_str *s, const char *t)
{
    fl_str_addn(s, t, strlen(t));
}

void fl_str_addc(struct fl_str *s, char c)
{
    fl_str_addn(s, &c, 1);
}

void fl_str_addu(struct fl_str *s, uint64_t v)
{
    char tmp[24];
    int i = (int)sizeof tmp;
    do tmp[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
    fl_str_addn(s, tmp + i, sizeof tmp - (size_t)i);
}

void fl_str_addi(struct fl_str *s, int64_t v)
{
    if (v < 0) {
        fl_str_addc(s, '-');
        fl_str_addu(s, (uint64_t)(-(v + 1)) + 1);
    } else {
        fl_str_addu(s, (uint64_t)v);
    }
}

void fl_str_free(struct fl_str *s)
{
    free(s->p);
    s->p = 0;
    s->len = s->cap = 0;
}

const char *fl_str_get(const struct fl_str *s)
{
    return s->p ? s->p : "";
}

void fl_str_enc(struct fl_str *s, const char *t, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c > ' ' && c < 0x7f && c != '%') {
            fl_str_addc(s, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            fl_str_addn(s, e, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int fl_dec(const char *field, size_t n, struct fl_str *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)field[i];
        if (c == '%') {
            if (i + 2 >= n) return -1;
            int hi = hexval(field[i + 1]), lo = hexval(field[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            char d = (char)(hi << 4 | lo);
            if (d == 0) return -1;
            fl_str_addc(out, d);
            i += 2;
        } else if (c > ' ' && c < 0x7f) {
            fl_str_addc(out, (char)c);
        } else {
            return -1;
        }
    }
    if (!out->p) fl_str_addn(out, "", 0);
    return 0;
}

uint64_t fl_fnv1a64(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

int fl_streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

int fl_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int fl_endswith(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int fl_ascii_ieq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b)) a++, b++;
    return *a == 0 && *b == 0;
}

int fl_is_plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f) return 0;
    return 1;
}

char *fl_trim(const char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && (unsigned char)s[a] <= ' ') a++;
    while (n > a && (unsigned char)s[n - 1] <= ' ') n--;
    return fl_strndup(s + a, n - a);
}

int fl_is_blank(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) return -1;
        /* Character.isWhitespace on ASCII: space, \t \n \v \f \r and the separators 0x1c-0x1f */
        if (!(c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f))) return 0;
    }
    return 1;
}

/* Optional sign, then ASCII digits only, in int range: what Integer.parseInt accepts for ASCII. */
static int parse_int(const char *s, int *out)
{
    int neg = 0;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    if (!*s) return -1;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > (long long)INT_MAX + 1) return -1;
    }
    if (neg) v = -v;
    if (v > INT_MAX || v < INT_MIN) return -1;
    *out = (int)v;
    return 0;
}

int fl_java_env_int(const char *s, int *out)
{
    char *t = fl_trim(s);
    int r = parse_int(t, out);
    free(t);
    return r;
}

int fl_java_option_int(const char *s, int *out)
{
    return parse_int(s, out);
}

int fl_java_env_flag(const char *s)
{
    static const char *const on[] = {"1", "yes", "true", "on"};
    static const char *const off[] = {"0", "no", "false", "off"};
    char *t = fl_trim(s);
    int r = -1;
    for (size_t i = 0; i < 4 && r < 0; i++) {
        if (fl_ascii_ieq(t, on[i])) r = 1;
        else if (fl_ascii_ieq(t, off[i])) r = 0;
    }
    free(t);
    return r;
}
