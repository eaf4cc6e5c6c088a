/* Fault-free reads of the program's memory (probe.h): process_vm_readv on ourselves copies
 * what is readable and stops at the first page that is not, where a plain load would raise
 * SIGSEGV. */
#include "probe.h"

#include <stdint.h>
#include <sys/uio.h>

#include "sys.h"

#define PAGE 4096u

size_t sx_probe_read(void *dst, const void *src, size_t n)
{
    if (n == 0) return 0;
    struct iovec local = {dst, n}, remote = {(void *)src, n};
    long r = SX_SYS6(__NR_process_vm_readv, sx_getpid(), &local, 1, &remote, 1, 0);
    if (r == -38 /* ENOSYS */ || r == -1 /* EPERM: a sandbox forbids it */) {
        /* no way to probe: trust the pointer, as before */
        const char *s = src;
        char *d = dst;
        for (size_t i = 0; i < n; i++) d[i] = s[i];
        return n;
    }
    return r < 0 ? 0 : (size_t)r;
}

size_t sx_probe_write(void *dst, const void *src, size_t n)
{
    if (n == 0) return 0;
    struct iovec local = {(void *)src, n}, remote = {dst, n};
    long r = SX_SYS6(__NR_process_vm_writev, sx_getpid(), &local, 1, &remote, 1, 0);
    if (r == -38 || r == -1) {
        const char *s = src;
        char *d = dst;
        for (size_t i = 0; i < n; i++) d[i] = s[i];
        return n;
    }
    return r < 0 ? 0 : (size_t)r;
}

int sx_probe_string(const char *s)
{
    if (!s) return 0;
    char chunk[512];
    for (uintptr_t at = (uintptr_t)s;;) {
        /* never across a page boundary: a short read then means exactly "unreadable" */
        size_t n = PAGE - (at & (PAGE - 1));
        if (n > sizeof chunk) n = sizeof chunk;
        size_t got = sx_probe_read(chunk, (const void *)at, n);
        for (size_t i = 0; i < got; i++)
            if (!chunk[i]) return 1;
        if (got < n) return 0;
        at += n;
    }
}

int sx_probe_strv(char *const *v)
{
    if (!v) return 1;
    char *ptrs[64];
    for (char *const *at = v;;) {
        size_t want = sizeof ptrs;
        size_t to_page = PAGE - ((uintptr_t)at & (PAGE - 1));
        if (to_page < want) want = to_page;
        size_t got = sx_probe_read(ptrs, at, want) / sizeof(char *);
        if (got == 0) return 0;
        for (size_t i = 0; i < got; i++) {
            if (!ptrs[i]) return 1;
            if (!sx_probe_string(ptrs[i])) return 0;
        }
        at += got;
    }
}
