/* Minimal test helpers: count checks, print failures, exit non-zero if any failed. */
#ifndef STASIS_TEST_CHECK_H
#define STASIS_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>
static int checks_run, checks_failed;
#define CHECK(cond)                                                               \
    do {                                                                          \
        checks_run++;                                                             \
        if (!(cond)) {                                                            \
            checks_failed++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)
static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, checks_run - checks_failed, checks_failed);
    return checks_failed ? 1 : 0;
}
#endif
