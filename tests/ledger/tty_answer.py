#!/usr/bin/env python3
"""Run a command on a pseudo-terminal and answer its prompts.

    tty_answer.py PROMPT ANSWER [PROMPT ANSWER...] -- CMD [ARG...]

Each ANSWER (and a newline) is typed once PROMPT has appeared on the
terminal; the prompts must come in that order.  Everything the command
wrote is copied to standard output; the exit status is the command's
(or 3 when a prompt never came before the command ended).  No timing:
it waits for the text, and for the command's end.
"""
import os
import pty
import sys


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    pairs = args[:sep]
    cmd = args[sep + 1:]
    if len(pairs) % 2 or not cmd:
        sys.exit("usage: tty_answer.py PROMPT ANSWER ... -- CMD [ARG...]")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = b""
    i = 0
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        while i < len(pairs) and pairs[i].encode() in seen:
            seen = seen.split(pairs[i].encode(), 1)[1]
            os.write(fd, pairs[i + 1].encode() + b"\n")
            i += 2
    _, status = os.waitpid(pid, 0)
    if i < len(pairs):
        print("\ntty_answer: prompt %r never came" % pairs[i], file=sys.stderr)
        sys.exit(3)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
