"""omgwire.py — the few frames the load scripts (fairness.py, flood.py) speak, from
docs/protocol.md: a frame, a SEARCH payload, and reading one whole answer frame."""
import struct


def frame(typ, ident, payload):
    return struct.pack("<IBBHI", len(payload), 1, typ, 0, ident) + payload


def search(q, limit=5000, flags=1):
    b = q.encode()
    return struct.pack("<I", len(b)) + b + b"\0" + struct.pack("<II", limit, flags)


def recv_frame(s):
    """(answer type, payload) of the next frame on socket S."""
    hdr = b""
    while len(hdr) < 12:
        c = s.recv(12 - len(hdr))
        if not c:
            raise EOFError
        hdr += c
    n = struct.unpack("<I", hdr[:4])[0]
    body = b""
    while len(body) < n:
        c = s.recv(min(1 << 20, n - len(body)))
        if not c:
            raise EOFError
        body += c
    return hdr[5], body
