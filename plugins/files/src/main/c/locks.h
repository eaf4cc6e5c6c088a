/* Record locks (fcntl) and flock locks a process holds on its open files, taken again at
 * restart on the reopened descriptors. */
#ifndef FILES_LOCKS_H
#define FILES_LOCKS_H
#include <stdint.h>

/* PRECHECKPOINT: the locks this process holds now, from /proc/locks. */
void locks_capture(void);
/* RESTART, once the file is open again as fd: takes the locks it held on the file that had this
 * device and inode at the checkpoint. Returns -1 (after a warning naming path) when another
 * process holds a conflicting lock now. */
int locks_restore(int fd, uint64_t dev, uint64_t inode, const char *path);

#endif
