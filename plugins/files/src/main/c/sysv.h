/* SysV semaphore sets and shared memory segments across a restart, under the ids the program
 * knows (sysv.c). Driven by files.c's hooks; uses only the SDK. */
#ifndef FILES_SYSV_H
#define FILES_SYSV_H
#include <stddef.h>
#include <stasis/plugin.h>

/* PRECHECKPOINT, before the election barrier: records every set and segment this process
 * knows, their values and sizes, and offers to remake each (the store keeps the last offer). */
int sysv_capture(const struct stasis_plugin *me, char *err, size_t errlen);
/* After the election barrier: which process remakes each. */
void sysv_elected(const struct stasis_plugin *me);
/* RESTART, every process: makers remake (or reuse) and publish the new ids; a barrier; then
 * everyone maps the old ids to them and attaches segments where they were. */
void sysv_restart(const struct stasis_plugin *me);

#endif
