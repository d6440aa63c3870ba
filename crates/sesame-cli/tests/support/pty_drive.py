"""Runs a command on a pseudo-terminal and answers its prompts, as a person would.

  pty_drive.py '["sesame", "saml", "login", ...]' '[["Password for", "secret\\r"], ["Role", "Read\\r"]]'

Each pair waits (up to 30 s) for the text to appear on the terminal after the previous pair's
text (so the same prompt can be answered twice), then types the answer.
Prints everything the terminal showed; exits with the command's exit code.
"""

import json
import os
import pty
import select
import sys
import time

argv = json.loads(sys.argv[1])
script = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

seen = b""


def pump(timeout):
    global seen
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    seen += data
    return True


at = 0
for expect, answer in script:
    deadline = time.time() + 30
    while seen.find(expect.encode(), at) < 0:
        if time.time() > deadline or not pump(0.2):
            sys.stdout.write(seen.decode(errors="replace"))
            sys.exit(f"pty_drive: never saw {expect!r}")
    at = seen.find(expect.encode(), at) + len(expect.encode())
    time.sleep(0.2)
    os.write(fd, answer.encode())

deadline = time.time() + 60
while time.time() < deadline and pump(0.5):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
