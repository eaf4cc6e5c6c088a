/* Reading /proc/self without libc (see sys.h for why). */
#ifndef STASIS_PROCFS_H
#define STASIS_PROCFS_H

/* Lists the numeric entries of a /proc directory (/proc/self/task, /proc/self/fd) into out.
 * The descriptor used to read the directory is not listed. Returns how many, or -errno. */
int sx_proc_numbers(const char *dir, int *out, int max);

#endif
