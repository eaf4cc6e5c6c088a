/* sx_clone_thread (clone_thread.S): a thread sharing this address space, made without libc. */
#ifndef STASIS_CLONE_THREAD_H
#define STASIS_CLONE_THREAD_H

#include "sys.h"

#define SX_CLONE_THREAD_FLAGS (0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000) /* VM FS FILES SIGHAND THREAD SYSVSEM */
#define SX_CLONE_SETTLS 0x80000
#define SX_CLONE_PARENT_SETTID 0x100000
#define SX_CLONE_CHILD_CLEARTID 0x200000

/* Runs fn(arg) on stack_top (with thread pointer tls when flags has SX_CLONE_SETTLS) and
 * exits the thread when fn returns. With SX_CLONE_PARENT_SETTID | SX_CLONE_CHILD_CLEARTID,
 * *tid_word holds the thread's id until it has completely exited, then 0 (futex-woken).
 * Returns the new thread's id or a negative errno. */
long sx_clone_thread(unsigned long flags, void *stack_top, unsigned long tls, void (*fn)(const void *),
                     const void *arg, int *tid_word);

/* Waits until a thread made with SX_CLONE_CHILD_CLEARTID has completely exited: only then may
 * its stack be reused, or the code it ran be unmapped. */
static inline void sx_clone_thread_join(volatile int *tid_word)
{
    int t;
    while ((t = __atomic_load_n(tid_word, __ATOMIC_SEQ_CST)) != 0) sx_futex(tid_word, SX_FUTEX_WAIT, t, 0);
}

#endif
