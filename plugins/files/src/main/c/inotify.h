/* inotify instances and their watches, made anew at restart under the same watch numbers. */
#ifndef FILES_INOTIFY_H
#define FILES_INOTIFY_H

/* PRECHECKPOINT: which watches of the instance open as fd are alive (its fdinfo lists them). */
void inotify_capture(int fd);
/* RESTART: a new instance with the watches the one open as old_fd had, added again by path in
 * the order of their numbers; returns its descriptor (any number), or -1. Events that were
 * queued at the checkpoint are not carried over. */
int inotify_restore(int old_fd, int flags);

#endif
