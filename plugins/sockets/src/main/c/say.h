/* Short texts without stdio or malloc (hooks run while the program's threads may hold libc's
 * locks): joining parts, numbers, and warnings on standard error in one write. */
#ifndef SOCKETS_SAY_H
#define SOCKETS_SAY_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* The parts (up to a NULL) joined into out, cut to cap - 1 bytes. Returns -1, so that a hook
 * can write "return say_into(err, errlen, ..., NULL)". */
int say_into(char *out, size_t cap, ...) __attribute__((sentinel));

/* v in decimal into out (at least 21 bytes); returns out. */
char *say_num(char *out, uint64_t v);

/* "[stasis] sockets: " and the parts (up to a NULL), a newline, on standard error. */
void say_warn(const char *first, ...) __attribute__((sentinel));

#endif
