# SPDX-License-Identifier: GPL-2.0-or-later
# threadset.py - a process whose threads come and go on command (tests/threadset.sh)
#
# Usage: python3 threadset.py NAME FIFO STATUS THREADS
# Names itself NAME, starts THREADS idle threads, prints "ready pid=P", then reads commands
# from the FIFO, a line each: "add N" starts N more threads, "end N" ends the N newest,
# "swap N" ends the N oldest and starts N new ones (as many threads as before, other IDs).
# After each command, once /proc shows it done, it appends "done SEQ tids=T,..." (every
# task of the process, sorted) to STATUS; "quit" ends it.
import os
import sys
import threading

name, fifo, status, nthreads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open('/proc/self/comm', 'w') as f:
    f.write(name)
workers = []


def idle(ev, ids):
    ids.append(threading.get_native_id())
    ev.wait()


def add():
    ev, ids = threading.Event(), []
    t = threading.Thread(target=idle, args=(ev, ids))
    t.start()
    while not ids:
        threading.Event().wait(0.001)
    workers.append((t, ev, ids[0]))


def end(i):
    t, ev, tid = workers.pop(i)
    ev.set()
    t.join()
    while os.path.exists('/proc/self/task/%d' % tid):  # the kernel's part of its exit
        threading.Event().wait(0.001)


for _ in range(nthreads):
    add()
print('ready pid=%d' % os.getpid(), flush=True)
seq = 0
while True:
    with open(fifo) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == 'quit':
                sys.exit(0)
            n = int(words[1])
            for _ in range(n):
                if words[0] == 'add':
                    add()
                elif words[0] == 'end':
                    end(-1)
                else:
                    end(0)
                    add()
            seq += 1
            tids = sorted(int(t) for t in os.listdir('/proc/self/task'))
            with open(status, 'a') as s:
                s.write('done %d tids=%s\n' % (seq, ','.join(map(str, tids))))
