#!/usr/bin/env python3
"""fairness.py SOCKET BATCHES [QUERY LIMIT [PROBE]] — one connection pipelines BATCHES batches
of 100 SEARCHes (default: "a", limit 5000) and reads the answers; meanwhile another client
sends PROBE requests in a loop: "ping" (default) or "search" (a small SEARCH "zsh", limit 10,
which waits for the round's answering budget as any request but PING does). Prints the worst
and the median PROBE round trip in ms while the batches were being served, and the time the
batches took (issue 16, item 12)."""
import os, socket, struct, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from omgwire import frame, search, recv_frame  # noqa: E402

path, nbatch = sys.argv[1], int(sys.argv[2])
query = sys.argv[3] if len(sys.argv) > 3 else "a"
limit = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
probe = sys.argv[5] if len(sys.argv) > 5 else "ping"


item = search(query, limit)
batch = struct.pack("<I", 100) + b"".join(struct.pack("<BI", 4, len(item)) + item for _ in range(100))
hog = socket.socket(socket.AF_UNIX); hog.connect(path)
done = threading.Event()

def reader():
    for _ in range(nbatch):
        recv_frame(hog)
    done.set()

def writer():
    hog.sendall(b"".join(frame(8, i + 1, batch) for i in range(nbatch)))

t_r = threading.Thread(target=reader); t_r.start()
t_start = time.monotonic()
threading.Thread(target=writer, daemon=True).start()
time.sleep(0.05)
lat = []
p = socket.socket(socket.AF_UNIX); p.connect(path)
while not done.is_set():
    t0 = time.monotonic()
    if probe == "search":
        p.sendall(frame(4, 7, search("zsh", 10)))
    else:
        p.sendall(frame(2, 7, b""))
    recv_frame(p)
    lat.append((time.monotonic() - t0) * 1000)
t_r.join()
lat.sort()
print("%ss %d worst %.1f ms median %.1f ms batches %.0f ms p95 %.1f ms" % (probe, len(lat), lat[-1] if lat else 0,
      lat[len(lat) // 2] if lat else 0, (time.monotonic() - t_start) * 1000, lat[len(lat) * 95 // 100] if lat else 0))
