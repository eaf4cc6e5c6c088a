/* Watches a directory with inotify and numbers each file created in it:
 * "<n> created <name> wd=<watch number>", so a test can check that after a restart the watch
 * (under the same number) still reports what happens in the directory.
 *
 *     inotifyprog DIR   */
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: inotifyprog DIR\n");
        return 2;
    }
    int fd = inotify_init1(IN_CLOEXEC);
    int unused = inotify_add_watch(fd, "/", IN_ATTRIB); /* so the watch below is number 2 */
    int wd = inotify_add_watch(fd, argv[1], IN_CREATE);
    if (fd < 0 || unused < 0 || wd < 0) {
        perror("inotify");
        return 1;
    }
    inotify_rm_watch(fd, unused);
    printf("watching wd=%d\n", wd);
    fflush(stdout);
    char buf[4096] __attribute__((aligned(8)));
    long n = 0;
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0) {
            perror("read");
            return 1;
        }
        for (char *p = buf; p < buf + got;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->mask & IN_CREATE) printf("%ld created %s wd=%d\n", ++n, e->len ? e->name : "?", e->wd);
            p += sizeof *e + e->len;
        }
        fflush(stdout);
    }
}
