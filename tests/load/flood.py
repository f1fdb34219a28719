#!/usr/bin/env python3
"""flood.py SOCKET CONNECTIONS [PID [LOG]] — opens CONNECTIONS connections that each ask for a
large SEARCH and never read the answer, then times a PING and a small SEARCH from a client that
reads. Prints the worst round trips in ms and omgd's (PID's) peak RSS in MiB (issue 16, item 12).
With LOG (omgd's log), the connections stay open until omgd says it dropped those that did not
read (30 s at most): a slow build (ASan) takes longer than the 3 s of rounds to get there."""
import os, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from omgwire import frame, search, recv_frame  # noqa: E402

path, nconn = sys.argv[1], int(sys.argv[2])
pid = int(sys.argv[3]) if len(sys.argv) > 3 else 0
log = sys.argv[4] if len(sys.argv) > 4 else None


def rss_mib():
    if not pid: return 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0

hogs = []
big = frame(4, 1, search("a"))
for i in range(nconn):
    s = socket.socket(socket.AF_UNIX)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        s.connect(path)
        s.sendall(big)
    except OSError:
        s.close()
        continue
    hogs.append(s)
worst_ping = worst_search = 0.0
p = socket.socket(socket.AF_UNIX); p.connect(path)
deadline = time.monotonic() + 3
n = 0
while time.monotonic() < deadline:
    t0 = time.monotonic()
    p.sendall(frame(2, 7, b""))
    recv_frame(p)
    t1 = time.monotonic()
    p.sendall(frame(4, 8, search("zsh", 10)))
    typ, _ = recv_frame(p)
    t2 = time.monotonic()
    if typ != 0x84: raise SystemExit("search answered with type %02x" % typ)
    worst_ping = max(worst_ping, (t1 - t0) * 1000)
    worst_search = max(worst_search, (t2 - t1) * 1000)
    n += 1
    time.sleep(0.01)
if log:
    until = time.monotonic() + 30
    while time.monotonic() < until:
        with open(log, errors="replace") as f:
            if "did not read their answers dropped" in f.read():
                break
        time.sleep(0.1)
print("connections %d rounds %d worst ping %.1f ms worst search %.1f ms peak rss %d MiB" %
      (len(hogs), n, worst_ping, worst_search, rss_mib()))
