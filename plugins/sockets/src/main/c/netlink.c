/* netlink.h. Only system calls: the hooks run while the program's threads are stopped. */
#define _GNU_SOURCE
#include "netlink.h"
#include "say.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void netlink_record(struct sockrec *r)
{
    struct sockaddr_nl a;
    socklen_t l = sizeof a;
    memset(&a, 0, sizeof a);
    if (getsockname(r->fd, (struct sockaddr *)&a, &l) < 0) return; /* S_OTHER */
    r->nl_groups = a.nl_groups;
    int waiting = 0;
    if (ioctl(r->fd, FIONREAD, &waiting) < 0) waiting = 0;
    r->queue.len = waiting > 0 ? (uint64_t)waiting : 0; /* only counted: not kept */
    r->kind = S_NETLINK;
    r->key = r->inode;
}

int netlink_make(const struct sockrec *r)
{
    int s = socket(AF_NETLINK, r->type | SOCK_CLOEXEC, r->protocol);
    struct sockaddr_nl a;
    memset(&a, 0, sizeof a);
    a.nl_family = AF_NETLINK;
    a.nl_groups = r->nl_groups;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        say_warn("cannot make netlink ", r->what, " again (left closed): ", strerror(errno), NULL);
        if (s >= 0) close(s);
        return -1;
    }
    if (r->queue.len) {
        char n[24];
        say_warn(say_num(n, r->queue.len), " bytes of netlink messages waiting in ", r->what, " were dropped", NULL);
    }
    return s;
}
