# SPDX-License-Identifier: GPL-2.0-or-later
# tsjob.py - the phases of a python job a shell test drives: the job marks each phase with a
# file in the test's directory and waits for the test's go-ahead file
#
# lib.sh puts this directory on PYTHONPATH: `from tsjob import Phases`.

import os
import time


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
