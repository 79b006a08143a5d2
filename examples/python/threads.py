#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# threads.py - the same CPU-bound work on N threads (threading); compare with processes.py
#
#   python3 threads.py [WORKERS] [ROUNDS]
#   taskscope compare 'python3 threads.py' 'python3 processes.py'
#
# Each worker runs work(ROUNDS) on its own: no data is shared and no lock is taken, so the
# problem is as parallel as a problem gets. Every thread is an OS thread (a kernel task
# with its own TID); in CPython the global interpreter lock still lets one of them run
# Python code at a time.
import sys
import threading


def work(rounds):
    acc = 0
    for i in range(rounds):
        acc = (acc + i * i) % 1000003
    return acc


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3000000
    results = [None] * workers

    def run(k):
        results[k] = work(rounds)

    pool = [threading.Thread(target=run, args=(k,), name="worker%d" % k)
            for k in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print("threads: %d workers, %d rounds each, result %d" % (workers, rounds, sum(results)))


if __name__ == "__main__":
    main()
