/* sock_diag queries for one Unix-domain socket at a time, by inode (unixdiag.h). Only system
 * calls: the hooks run while the program's threads may hold libc locks. */
#define _GNU_SOURCE
#include "unixdiag.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int unixdiag_open(void)
{
    return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

int unixdiag_get(int nl, uint64_t inode, struct unix_info *info)
{
    memset(info, 0, sizeof *info);
    if (nl < 0) return -1;
    struct {
        struct nlmsghdr h;
        struct unix_diag_req r;
    } q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = sizeof q;
    q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.h.nlmsg_flags = NLM_F_REQUEST;
    q.h.nlmsg_seq = (uint32_t)inode;
    q.r.sdiag_family = AF_UNIX;
    q.r.udiag_states = ~0u;
    q.r.udiag_ino = (uint32_t)inode;
    q.r.udiag_show = UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
    q.r.udiag_cookie[0] = q.r.udiag_cookie[1] = ~0u; /* INET_DIAG_NOCOOKIE: any */
    struct sockaddr_nl to = {.nl_family = AF_NETLINK};
    ssize_t k;
    while ((k = sendto(nl, &q, sizeof q, 0, (struct sockaddr *)&to, sizeof to)) < 0 && errno == EINTR) {}
    if (k != (ssize_t)sizeof q) return -1;
    /* one answer (a unix_diag_msg or an error), a few hundred bytes at most */
    union {
        struct nlmsghdr h;
        char space[8192];
    } a;
    for (;;) {
        while ((k = recv(nl, &a, sizeof a, 0)) < 0 && errno == EINTR) {}
        if (k < (ssize_t)sizeof(struct nlmsghdr)) return -1;
        for (struct nlmsghdr *h = &a.h; NLMSG_OK(h, (unsigned)k); h = NLMSG_NEXT(h, k)) {
            if (h->nlmsg_seq != (uint32_t)inode) continue; /* an answer to an earlier question */
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return -1;
            struct unix_diag_msg *m = NLMSG_DATA(h);
            if (m->udiag_ino != (uint32_t)inode) return -1;
            info->state = m->udiag_state;
            int left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
            for (struct rtattr *at = (struct rtattr *)(m + 1); RTA_OK(at, left); at = RTA_NEXT(at, left)) {
                if (at->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(at) >= sizeof(uint32_t))
                    info->peer = *(uint32_t *)RTA_DATA(at);
                else if (at->rta_type == UNIX_DIAG_RQLEN && RTA_PAYLOAD(at) >= sizeof(struct unix_diag_rqlen))
                    info->backlog = (int)((struct unix_diag_rqlen *)RTA_DATA(at))->udiag_wqueue;
                else if (at->rta_type == UNIX_DIAG_SHUTDOWN && RTA_PAYLOAD(at) >= 1) {
                    info->shutdown = *(uint8_t *)RTA_DATA(at);
                    info->has_shutdown = 1;
                }
            }
            return 0;
        }
    }
}
