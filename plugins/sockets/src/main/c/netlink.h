/* Netlink sockets (AF_NETLINK): the ones libc opens for itself (getaddrinfo, if_nameindex) and
 * those a program keeps to hear of routes, links or device events. At restart the socket is
 * made again with its protocol and bound to the multicast groups it had joined (the first 32;
 * NETLINK_ADD_MEMBERSHIP groups beyond are not seen), its port id given by the kernel anew.
 * Messages waiting in it (answers to requests sent before the checkpoint, notifications) are
 * not kept: a warning says how many bytes were dropped. */
#ifndef SOCKETS_NETLINK_H
#define SOCKETS_NETLINK_H
#include "sockrec.h"

void netlink_record(struct sockrec *r);
/* At restart: the socket made and bound again, or -1 after a warning. */
int netlink_make(const struct sockrec *r);

#endif
