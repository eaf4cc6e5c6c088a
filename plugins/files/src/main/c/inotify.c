/* inotify across a restart (inotify.h). The kernel tells a watch's inode but not its path, and
 * finding a path from an inode needs a privilege (open_by_handle_at): the wrappers below
 * remember the path each watch was added with. */
#define _GNU_SOURCE
#include "inotify.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <stasis/plugin.h>

#include "procread.h"
#include "text.h"

#define MAX_WATCHES 1024

static struct watch {
    int fd, wd, live, keep;
    uint32_t mask;
    char path[512];
} watches[MAX_WATCHES];
static int nwatches;

__attribute__((visibility("default"))) int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
    int wd = STASIS_NEXT(inotify_add_watch)(fd, path, mask);
    if (wd < 0 || !path) return wd;
    struct watch *w = 0;
    for (int i = 0; i < nwatches && !w; i++)
        if (watches[i].live && watches[i].fd == fd && watches[i].wd == wd) w = &watches[i];
    for (int i = 0; i < nwatches && !w; i++)
        if (!watches[i].live) w = &watches[i];
    if (!w && nwatches < MAX_WATCHES) w = &watches[nwatches++];
    if (!w) return wd;
    /* IN_MASK_ADD adds to the watch's mask; otherwise the new mask replaces it */
    uint32_t old = (w->live && w->fd == fd && w->wd == wd) ? w->mask : 0;
    w->mask = (mask & IN_MASK_ADD) ? (old | (mask & ~IN_MASK_ADD)) : mask;
    w->fd = fd;
    w->wd = wd;
    text_fail(w->path, sizeof w->path, path, 0, 0);
    w->live = 1;
    return wd;
}

__attribute__((visibility("default"))) int inotify_rm_watch(int fd, int wd)
{
    int r = STASIS_NEXT(inotify_rm_watch)(fd, wd);
    for (int i = 0; i < nwatches; i++)
        if (watches[i].live && watches[i].fd == fd && watches[i].wd == wd) watches[i].live = 0;
    return r;
}

void inotify_capture(int fd)
{
    static char buf[16384];
    char num[24], path[48];
    text_uint(num, (unsigned)fd);
    text_fail(path, sizeof path, "/proc/self/fdinfo/", num, 0);
    for (int i = 0; i < nwatches; i++)
        if (watches[i].fd == fd) watches[i].keep = 0;
    if (proc_read(path, buf, sizeof buf) < 0) return;
    /* "inotify wd:1 ino:... sdev:... mask:..." per watch, the numbers in hex */
    for (const char *p = strstr(buf, "inotify wd:"); p; p = strstr(p + 1, "inotify wd:")) {
        int wd = (int)strtol(p + 11, 0, 16);
        for (int i = 0; i < nwatches; i++)
            if (watches[i].live && watches[i].fd == fd && watches[i].wd == wd) watches[i].keep = 1;
    }
    /* a descriptor number the program closed and reused: its old watches are gone */
    for (int i = 0; i < nwatches; i++)
        if (watches[i].fd == fd && !watches[i].keep) watches[i].live = 0;
}

int inotify_restore(int old_fd, int flags)
{
    int fd = inotify_init1(flags & (IN_NONBLOCK | IN_CLOEXEC));
    if (fd < 0) return -1;
    for (int done = 0;;) {
        struct watch *next = 0;
        for (int i = 0; i < nwatches; i++)
            if (watches[i].live && watches[i].fd == old_fd && watches[i].wd > done && (!next || watches[i].wd < next->wd))
                next = &watches[i];
        if (!next) break;
        /* numbers are handed out in turn: used-up ones are skipped by adding and removing a
         * watch on the root directory */
        for (int guard = 0; guard < 100000; guard++) {
            int wd = STASIS_NEXT(inotify_add_watch)(fd, next->path, next->mask);
            if (wd < 0 || wd >= next->wd) break;
            STASIS_NEXT(inotify_rm_watch)(fd, wd);
        }
        done = next->wd;
    }
    return fd;
}
