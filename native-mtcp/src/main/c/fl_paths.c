/* stasis-fastlaunch: java.nio.file.Path's string rules (UnixPath). */
#include "fl_paths.h"

#include <stdlib.h>
#include <string.h>

#include "fl_text.h"

char *fl_path_of(const char *s)
{
    struct fl_str out = {0};
    for (const char *p = s; *p; p++) {
        if (*p == '/' && out.len > 0 && out.p[out.len - 1] == '/') continue;
        fl_str_addc(&out, *p);
    }
    if (out.len > 1 && out.p[out.len - 1] == '/') out.p[--out.len] = 0;
    if (!out.p) fl_str_addn(&out, "", 0);
    return out.p;
}

char *fl_path_resolve(const char *base, const char *child)
{
    char *c = fl_path_of(child);
    if (c[0] == '/') return c;
    char *b = fl_path_of(base);
    if (!c[0]) {
        free(c);
        return b;
    }
    struct fl_str out = {0};
    fl_str_add(&out, b);
    if (out.len > 0 && out.p[out.len - 1] != '/') fl_str_addc(&out, '/');
    fl_str_add(&out, c);
    free(b);
    free(c);
    return out.p;
}

char *fl_path_normalize(const char *path)
{
    char *p = fl_path_of(path);
    int absolute = p[0] == '/';
    size_t n = strlen(p);
    /* the names kept so far, as (start, length) in p */
    size_t *start = fl_alloc((n + 1) * sizeof *start);
    size_t *len = fl_alloc((n + 1) * sizeof *len);
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        if (p[i] == '/') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && p[j] != '/') j++;
        size_t l = j - i;
        if (l == 1 && p[i] == '.') {
            /* dropped */
        } else if (l == 2 && p[i] == '.' && p[i + 1] == '.') {
            if (count > 0 && !(len[count - 1] == 2 && p[start[count - 1]] == '.' && p[start[count - 1] + 1] == '.')) {
                count--;
            } else if (!absolute) {
                start[count] = i;
                len[count++] = l;
            }
        } else {
            start[count] = i;
            len[count++] = l;
        }
        i = j;
    }
    struct fl_str out = {0};
    if (absolute) fl_str_addc(&out, '/');
    for (size_t k = 0; k < count; k++) {
        if (k > 0) fl_str_addc(&out, '/');
        fl_str_addn(&out, p + start[k], len[k]);
    }
    if (!out.p) fl_str_addn(&out, "", 0);
    free(start);
    free(len);
    free(p);
    return out.p;
}
