#!/usr/bin/python3
"""A stand-in for a QEMU console, for testing the harness's own logic.

Each argument is one action, done in order:
  line:TEXT      print TEXT with CR LF, as the PL011 console does
  partial:TEXT   print TEXT without a line end
  sleep:SECONDS  pause
  child          start a grandchild (sleep 600) and print `child PID`
  ignore-term    ignore SIGTERM from now on (the harness must SIGKILL)
  exit:N         exit with status N
  hang           sleep forever
After the last action it exits 0.
"""

import os
import signal
import subprocess
import sys
import time

for action in sys.argv[1:]:
    verb, _, arg = action.partition(":")
    if verb == "line":
        sys.stdout.write(arg + "\r\n")
    elif verb == "partial":
        sys.stdout.write(arg)
    elif verb == "sleep":
        sys.stdout.flush()
        time.sleep(float(arg))
    elif verb == "child":
        p = subprocess.Popen(["sleep", "600"])
        sys.stdout.write("child %d\r\n" % p.pid)
    elif verb == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif verb == "exit":
        sys.stdout.flush()
        os._exit(int(arg))
    elif verb == "hang":
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    else:
        sys.exit("fake_console: unknown action %r" % action)
    sys.stdout.flush()
