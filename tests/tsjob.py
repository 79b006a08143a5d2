# SPDX-License-Identifier: GPL-2.0-or-later
# tsjob.py - the phases of a python job a shell test drives: the job marks each phase with a
# file in the test's directory and waits for the test's go-ahead file
#
# lib.sh puts this directory on PYTHONPATH: `from tsjob import Phases, start_thread`.

import os
import threading
import time


def start_thread(fn, *args):
    """Start a thread running fn(*args); return it and its native id once it runs."""
    tid = []
    running = threading.Event()

    def body():
        tid.append(threading.get_native_id())
        running.set()
        fn(*args)

    t = threading.Thread(target=body)
    t.start()
    running.wait()
    return t, tid[0]


class Phases:
    """Phase files in directory d."""

    def __init__(self, d):
        self.d = d

    def wait_for(self, name):
        """Wait until the test creates the file name."""
        while not os.path.exists(os.path.join(self.d, name)):
            time.sleep(0.02)

    def mark(self, name, text):
        """Create the file name holding text, whole at once (written aside, renamed)."""
        tmp = os.path.join(self.d, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(self.d, name))
