#!/usr/bin/env python3
"""Runs a command in a new pseudo-terminal for a test (Java has no pty API).

    ptyrun.py INPUT-FILE COMMAND [ARG...]

The command gets a new session whose controlling terminal is the slave of a new pty (stdin,
stdout and stderr). Everything the terminal shows (the program's output and whatever the
terminal echoes) is copied to this script's stdout. Bytes appended to INPUT-FILE are typed into
the terminal. Whenever the terminal's ECHO flag changes, a line 'ptyrun: echo=on|off' goes to
stderr. Exits with the command's exit status (128 + signal if it was killed) once it has ended
and its output is drained.
"""
import os, pty, select, sys, termios, time

def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: ptyrun.py INPUT-FILE COMMAND [ARG...]\n")
        return 2
    infile, argv = sys.argv[1], sys.argv[2:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    sys.stderr.write("ptyrun: child %d\n" % pid)
    sys.stderr.flush()
    offset, echo, status = 0, None, None
    out = sys.stdout.buffer
    while True:
        try:
            lflag = termios.tcgetattr(master)[3]
            now = "on" if lflag & termios.ECHO else "off"
            if now != echo:
                echo = now
                sys.stderr.write("ptyrun: echo=%s\n" % echo)
                sys.stderr.flush()
        except termios.error:
            pass
        try:
            with open(infile, "rb") as f:
                f.seek(offset)
                data = f.read()
            if data:
                os.write(master, data)
                offset += len(data)
        except FileNotFoundError:
            pass
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                chunk = b""
            if chunk:
                out.write(chunk)
                out.flush()
                continue
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                deadline = time.time() + 1.0
        elif time.time() > deadline or not r:
            break
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)

if __name__ == "__main__":
    sys.exit(main())
