#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# processes.py - the same CPU-bound work in N processes (multiprocessing); compare with threads.py
#
#   python3 processes.py [WORKERS] [ROUNDS]
#   taskscope compare 'python3 threads.py' 'python3 processes.py'
#
# The same work(ROUNDS) as threads.py, each in a process of its own: every process has its
# own interpreter and its own global interpreter lock, so they run on different CPUs at
# once; each also has its own address space, and the results come back through a queue.
import multiprocessing
import sys


def work(rounds):
    acc = 0
    for i in range(rounds):
        acc = (acc + i * i) % 1000003
    return acc


def run(rounds, queue):
    queue.put(work(rounds))


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3000000
    queue = multiprocessing.Queue()
    pool = [multiprocessing.Process(target=run, args=(rounds, queue), name="worker%d" % k)
            for k in range(workers)]
    for p in pool:
        p.start()
    results = [queue.get() for _ in pool]
    for p in pool:
        p.join()
    print("processes: %d workers, %d rounds each, result %d" % (workers, rounds, sum(results)))


if __name__ == "__main__":
    main()
