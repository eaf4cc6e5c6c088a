#!/usr/bin/env python3
"""netwatch.py: a counter that keeps a netlink socket open to hear of network changes.

Why: programs that follow links and addresses (daemons, MPI libraries, monitoring agents)
keep an AF_NETLINK socket bound to multicast groups, and libc opens netlink sockets of its
own for getaddrinfo and if_nameindex. After a restart the socket must still be there, bound
to the same groups, and usable: each tick asks the kernel for the list of links through it.

Usage: netwatch.py [N]  prints 1, 2, ... every 100 ms (N of them; default forever). Prints
"NETLINK BROKEN ..." and exits 3 when the socket is gone, lost its groups or does not answer.
"""
import socket
import struct
import sys
import time

RTMGRP_LINK = 1
RTMGRP_IPV4_IFADDR = 0x10
RTM_GETLINK = 18
NLM_F_REQUEST = 1
NLM_F_DUMP = 0x300
NLMSG_DONE = 3


def links(s, seq):
    """How many links the kernel lists in answer to a dump request on s."""
    request = struct.pack("=IHHII", 16 + 16, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + bytes(16)
    s.send(request)
    count = 0
    while True:
        data = s.recv(65536)
        at = 0
        while at + 16 <= len(data):
            length, kind, _, answer_seq, _ = struct.unpack_from("=IHHII", data, at)
            if length < 16:
                return count
            if answer_seq == seq:
                if kind == NLMSG_DONE:
                    return count
                if kind == 16:  # RTM_NEWLINK
                    count += 1
            at += (length + 3) & ~3


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else None
    groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, groups))
    s.settimeout(5)
    n, seq = 0, 0
    while limit is None or n < limit:
        n += 1
        seq += 1
        try:
            _, bound_groups = s.getsockname()
            found = links(s, seq)
        except OSError as e:
            print("NETLINK BROKEN at", n, e, flush=True)
            sys.exit(3)
        if bound_groups != groups or found < 1:
            print("NETLINK BROKEN at", n, "groups", bound_groups, "links", found, flush=True)
            sys.exit(3)
        print(n, flush=True)
        time.sleep(0.1)


if __name__ == "__main__":
    main()
