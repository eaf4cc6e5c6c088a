/* say.h */
#include "say.h"

#include <stdarg.h>

static size_t join(char *out, size_t cap, const char *first, va_list ap)
{
    size_t n = 0;
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t k = strlen(s);
        if (n + k >= cap) k = cap - 1 - n;
        memcpy(out + n, s, k);
        n += k;
    }
    out[n] = 0;
    return n;
}

int say_into(char *out, size_t cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    const char *first = va_arg(ap, const char *);
    join(out, cap, first, ap);
    va_end(ap);
    return -1;
}

char *say_num(char *out, uint64_t v)
{
    char d[20];
    int k = 0;
    do d[k++] = (char)('0' + v % 10); while ((v /= 10) && k < 20);
    int n = 0;
    while (k) out[n++] = d[--k];
    out[n] = 0;
    return out;
}

void say_warn(const char *first, ...)
{
    static const char head[] = "[stasis] sockets: ";
    char line[1024];
    memcpy(line, head, sizeof head - 1);
    va_list ap;
    va_start(ap, first);
    size_t n = sizeof head - 1 + join(line + sizeof head - 1, sizeof line - sizeof head, first, ap);
    va_end(ap);
    line[n++] = '\n';
    ssize_t w = write(2, line, n);
    (void)w;
}
