#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# capture.py - how tests/fuzz/corpus/ was made: real /proc text of this machine, hostile names
#
# Run as root from the source tree (python3 tests/fuzz/capture.py); it rewrites the
# corpus directories it knows. Threads and files with hostile names are made first, so
# that the kernel's own text carries them: a comm of "x) R 1 (", newline, ESC, BEL,
# the bytes C2 9B (a C1 control in UTF-8), U+202E (right-to-left override), spaces; file
# names with spaces, a newline and " (deleted)". smaps, maps and numa_maps are cut to a
# few whole entries so that each seed stays a few KiB.
import ctypes
import mmap
import os
import signal
import subprocess
import sys
import threading
import time

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15

HOSTILE = [
    b"x) R 1 (",
    b"a\nb\x1b[31mred\x07",
    b"\xc2\x9b\xe2\x80\xaeevil",
    b"my (odd) app",
]


def put(kind, name, data):
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def entries(text):
    """smaps text split into its entries (a header line and its field lines)"""
    out, cur = [], []
    for line in text.split(b"\n")[:-1]:
        if line[:1] in b"0123456789abcdef" and b"-" in line.split(b" ")[0]:
            if cur:
                out.append(cur)
            cur = [line]
        else:
            cur.append(line)
    if cur:
        out.append(cur)
    return [b"\n".join(e) + b"\n" for e in out]


def main():
    stop = threading.Event()
    try:
        capture(stop)
    finally:
        stop.set()


def capture(stop):
    ready = []

    def named(name):
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)
        ready.append(threading.get_native_id())
        stop.wait()

    threads = [threading.Thread(target=named, args=(n,)) for n in HOSTILE]
    for t in threads:
        t.start()
    while len(ready) < len(threads):
        time.sleep(0.01)

    # files with hostile names, mapped; one deleted while mapped
    tmp = "/tmp/taskscope corpus"
    os.makedirs(tmp, exist_ok=True)
    maps = []
    for fname in ["a b.dat", "x\ny.dat", "name (deleted)", "gone.dat"]:
        p = os.path.join(tmp, fname)
        with open(p, "wb") as f:
            f.write(b"\1" * 8192)
        f = open(p, "r+b")
        m = mmap.mmap(f.fileno(), 8192)
        m[0]
        maps.append((f, m))
    os.unlink(os.path.join(tmp, "gone.dat"))

    me = os.getpid()
    tids = [me] + ready
    for i, tid in enumerate(tids):
        base = "/proc/%d/task/%d/" % (me, tid)
        put("stat", "thread%d" % i, read(base + "stat"))
        put("status", "thread%d" % i, read(base + "status"))
        put("sched", "thread%d" % i, read(base + "sched"))
        put("schedstat", "thread%d" % i, read(base + "schedstat"))
        put("syscall", "sleeping%d" % i, read(base + "syscall"))
    put("stat", "kthreadd", read("/proc/2/stat"))
    put("status", "kthreadd", read("/proc/2/status"))
    put("stat", "init", read("/proc/1/stat"))
    put("status", "init", read("/proc/1/status"))
    put("sched", "init", read("/proc/1/sched"))
    put("schedstat", "init", read("/proc/1/schedstat"))

    # a spinning process: "running"; then stopped outside a system call: "-1 SP PC"
    spin = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
    time.sleep(0.3)
    put("syscall", "running", read("/proc/%d/syscall" % spin.pid))
    spin.send_signal(signal.SIGSTOP)
    time.sleep(0.2)
    put("syscall", "stopped", read("/proc/%d/syscall" % spin.pid))
    spin.kill()
    spin.wait()

    # smaps, maps, numa_maps: the entries of the hostile files, the heap, the stack and
    # the specials, a few to a file
    smaps = entries(read("/proc/self/smaps"))
    mlines = read("/proc/self/maps").split(b"\n")[:-1]
    numa = read("/proc/self/numa_maps").split(b"\n")[:-1]
    keep = lambda e: any(k in e.split(b"\n")[0] for k in
                         [b"taskscope corpus", b"[heap]", b"[stack]", b"[vdso]", b"[vvar]",
                          b"[vsyscall]"])
    chosen = [e for e in smaps if keep(e)] + smaps[:2]
    for i in range(0, len(chosen), 3):
        group = chosen[i:i + 3]
        put("smaps", "self%d" % (i // 3), b"".join(group))
        starts = [e.split(b"-")[0] for e in group]
        put("maps", "self%d" % (i // 3),
            b"".join(l + b"\n" for l in mlines if l.split(b"-")[0] in starts))
        put("numa_maps", "self%d" % (i // 3),
            b"".join(l + b"\n" for l in numa if l.split(b" ")[0] in starts))
    put("smaps_rollup", "self", read("/proc/self/smaps_rollup"))
    try:
        put("smaps_rollup", "parent", read("/proc/%d/smaps_rollup" % os.getppid()))
    except OSError:
        pass

    # pagemap: 64 entries of the mapped files, the heap and the stack
    with open("/proc/self/pagemap", "rb") as pm:
        for i, e in enumerate(smaps):
            head = e.split(b"\n")[0]
            if not keep(e) or b"[vsyscall]" in head:
                continue
            start = int(head.split(b"-")[0], 16)
            pm.seek(start // 4096 * 8)
            put("pagemap", "self%d" % i, pm.read(64 * 8))

    # cmdline: this one, init's, a kernel thread's (empty)
    put("cmdline", "self", read("/proc/self/cmdline"))
    put("cmdline", "init", read("/proc/1/cmdline"))
    put("cmdline", "kthreadd", read("/proc/2/cmdline"))
    put("cmdline", "hostile", b"sh\0-c\0echo 'a b'\x1b[2J\0\xc2\x9b\xe2\x80\xae\0")

    # cpu lists the kernel writes, and what a user types
    for f in ["online", "possible", "present"]:
        put("cpulist", f, read("/sys/devices/system/cpu/" + f))
    for line in read("/proc/self/status").split(b"\n"):
        if line.startswith(b"Cpus_allowed_list:"):
            put("cpulist", "allowed", line.split(b"\t")[-1])
    put("cpulist", "typed", b"0-3,8,10-11:2")

    # the sanitizer: every hostile name, the real comms of this machine's first tasks
    for i, n in enumerate(HOSTILE):
        put("sanitize", "hostile%d" % i, b"\x40" + n)	# first byte: the output size
    put("sanitize", "mixed", b"\x10" + "caf\u00e9 \u202e\u200b\ufeff".encode() + b"\xff\xc0\x80")
    for pid in ["1", "2"]:
        put("sanitize", "comm" + pid, b"\xff" + read("/proc/%s/comm" % pid))

    put("pidlist", "one", b"1")
    put("pidlist", "some", ("%d,%d,1" % (me, tids[1])).encode())
    for name, s in [("mem", b"64M"), ("frac", b"1.5GiB"), ("bytes", b"4096"),
                    ("delay", b"0.1"), ("neg", b"-42")]:
        put("numbers", name, s)
    for name, s in [("plus", b"+AFFINITY,PSS"), ("list", b"pid,tid,comm,cpu"),
                    ("maps", b"ADDRESS,KIND,RSS,NAME"), ("bad", b"PID,\x1bNOPE")]:
        put("columns", name, s)

    stop.set()
    for t in threads:
        t.join()
    for f, m in maps:
        m.close()
        f.close()
    for fname in os.listdir(tmp):
        os.unlink(os.path.join(tmp, fname))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
