#!/usr/bin/env python3
"""dgrampeers.py: two named Unix-domain datagram sockets connected to each other, one per process.

Why: a connected datagram socket takes datagrams from its peer only, and any number of them
(a stranger may queue only net.unix.max_dgram_qlen). A checkpoint taken while COUNT datagrams
wait must bring back every one, in order, still from the peer's name.

Usage: dgrampeers.py [COUNT]   (default 50), in a directory of its own.
The parent binds a.sock, the child b.sock, each connects to the other; the child sends COUNT
datagrams and prints "queued COUNT". The parent waits for a file named "go" to appear, then
reads them all with recvfrom and prints "ok" (or "BAD ..." and exits 3), answers "back"; the
child prints "child got back". The parent ends with "done".
"""
import os
import socket
import sys
import time


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    for name in ("a.sock", "b.sock", "go"):
        if os.path.exists(name):
            os.unlink(name)
    a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.bind("a.sock")
    b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.bind("b.sock")
    a.connect("b.sock")
    b.connect("a.sock")
    child = os.fork()
    if child == 0:
        a.close()
        for i in range(count):
            b.send(b"m%d" % i)
        print("queued", count, flush=True)
        print("child got", b.recv(100).decode(), flush=True)
        sys.exit(0)
    b.close()
    while not os.path.exists("go"):
        time.sleep(0.05)
    got = [a.recvfrom(100) for _ in range(count)]
    want = [(b"m%d" % i, "b.sock") for i in range(count)]
    if got != want:
        print("BAD", got, flush=True)
        sys.exit(3)
    print("ok", flush=True)
    a.send(b"back")
    _, status = os.waitpid(child, 0)
    print("done" if status == 0 else "child-bad", flush=True)


if __name__ == "__main__":
    main()
