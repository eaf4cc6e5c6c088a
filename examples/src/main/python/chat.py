#!/usr/bin/env python3
"""chat.py: an asyncio server and a client with many connections, over a Unix-domain socket or TCP.

Why: the shape of a Python service and its users. The server is asyncio's own
(start_server or start_unix_server: a listening socket, an epoll, one
accepted connection per client, asyncio's self-pipe); the client keeps many
connections open at once and uses each in turn, so most of them are idle at
any moment, as in a real service.

Usage:
  chat.py serve ADDRESS
      listen on ADDRESS (a socket path, or tcp:HOST:PORT); answer each line
      "<n> <k>" with "<n+1> <k>" on the same connection. Prints
      "serving ADDRESS" once it listens.
  chat.py talk ADDRESS CONNECTIONS ROUNDS
      open CONNECTIONS connections to ADDRESS; in round r (1..ROUNDS) send
      "<r> <k>" on every connection k, check every answer, print "round <r>",
      sleep 50 ms. Ends with "done" (exit 0). A wrong, lost or extra answer
      prints "MISMATCH ..." and exits 3; a closed connection prints
      "READ FAILED ..." and exits 4.
"""
import asyncio
import sys


def tcp(address):
    """(host, port) for "tcp:HOST:PORT", None for a socket path."""
    if not address.startswith("tcp:"):
        return None
    host, _, port = address[4:].rpartition(":")
    return host, int(port)


async def serve(address):
    async def answer(reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            n, k = line.split()
            writer.write(b"%d %s\n" % (int(n) + 1, k))
            await writer.drain()
        writer.close()

    where = tcp(address)
    if where:
        server = await asyncio.start_server(answer, host=where[0], port=where[1])
    else:
        server = await asyncio.start_unix_server(answer, path=address)
    print("serving", address, flush=True)
    async with server:
        await server.serve_forever()


async def connect(address):
    where = tcp(address)
    if where:
        return await asyncio.open_connection(where[0], where[1])
    return await asyncio.open_unix_connection(address)


async def talk(address, connections, rounds):
    conns = [await connect(address) for _ in range(connections)]
    for r in range(1, rounds + 1):
        for k, (_, writer) in enumerate(conns):
            writer.write(b"%d %d\n" % (r, k))
        for k, (reader, writer) in enumerate(conns):
            await writer.drain()
            line = await reader.readline()
            if not line:
                print("READ FAILED round", r, "connection", k, flush=True)
                sys.exit(4)
            if line != b"%d %d\n" % (r + 1, k):
                print("MISMATCH round", r, "connection", k, "got", line, flush=True)
                sys.exit(3)
        print("round", r, flush=True)
        await asyncio.sleep(0.05)
    print("done", flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        asyncio.run(serve(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "talk":
        asyncio.run(talk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
