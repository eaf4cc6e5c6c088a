/* Reading memory the program hands us without faulting on a bad pointer. A wrapper must give
 * a bad pointer the kernel's answer (EFAULT), never crash inside the agent; these probes cost
 * a system call, so only rare paths use them (exec, the checkpoint signal's disposition).
 * Hot wrappers instead give the pointer to the kernel first and read it only once the kernel
 * has (procpath.c). */
#ifndef STASIS_PROBE_H
#define STASIS_PROBE_H
#include <stddef.h>

/* Copies up to n bytes from src into dst; returns how many could be read (n when all). */
size_t sx_probe_read(void *dst, const void *src, size_t n);
/* Copies n bytes from src to dst; returns how many could be written (n when all). */
size_t sx_probe_write(void *dst, const void *src, size_t n);
/* Whether the NUL-terminated string at s can be read to its end. */
int sx_probe_string(const char *s);
/* Whether the NULL-terminated array of strings v (an argv or envp) and every string in it can
 * be read; NULL counts as readable (the kernel takes it as empty). */
int sx_probe_strv(char *const *v);

#endif
