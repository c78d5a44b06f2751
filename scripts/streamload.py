#!/usr/bin/env python3
"""Long-lived TCP connections through the evenflow harness.

  streamload.py URL [-n N] [--seconds S] [--interval I] [--connect-timeout T]
                [--stall T]

Opens N connections to URL, a backend_server.py /stream endpoint, each asking
for S seconds of lines every I seconds ("<backend> <i>"). Every connection is
watched to its end and classified:
  complete  the server streamed for the whole time and closed cleanly
  reset     the connection was reset (ECONNRESET/EPIPE): it broke
  eof       it ended early without a reset (also a break)
  timeout   no line for --stall seconds (default 5 intervals + 2 s)
  failed    it never connected
Prints one JSON object: {"n", "by_outcome": {...}, "max_gap_s", "connections":
[{"sport", "backend", "outcome", "lines", "max_gap_s"}, ...]} (max_gap_s: the
longest wait for data, of a connection and of all). Bounded: every connection ends by
S + 30 s. Python 3 standard library only.
"""

import argparse
import json
import socket
import sys
import threading
import time
from urllib.parse import urlsplit


def one(host, port, path, seconds, interval, connect_timeout, stall, out):
    res = {"sport": 0, "backend": "", "outcome": "failed", "lines": 0, "max_gap_s": 0.0}
    out.append(res)
    try:
        s = socket.create_connection((host, port), timeout=connect_timeout)
    except OSError as e:
        res["error"] = type(e).__name__
        return
    res["sport"] = s.getsockname()[1]
    t0 = time.monotonic()
    deadline = t0 + seconds + 30
    try:
        s.settimeout(stall)
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        buf = b""
        last = time.monotonic()
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            now = time.monotonic()
            res["max_gap_s"] = round(max(res["max_gap_s"], now - last), 3)
            last = now
            if not chunk:
                break
            buf += chunk
            if b"\r\n\r\n" in buf:
                body = buf.split(b"\r\n\r\n", 1)[1]
                lines = body.split(b"\n")
                res["lines"] = len(lines) - 1
                if res["lines"] and not res["backend"]:
                    res["backend"] = lines[0].split(b" ")[0].decode()
        # the server streams for `seconds`, then closes: a clean end after
        # that long is complete (on a loaded machine it writes fewer lines
        # than seconds / interval, so lines do not tell)
        res["outcome"] = "complete" if time.monotonic() - t0 >= seconds - 0.5 and res["lines"] else "eof"
    except (ConnectionResetError, BrokenPipeError):
        res["outcome"] = "reset"
    except socket.timeout:
        res["outcome"] = "timeout"
    except OSError as e:
        res["outcome"] = "reset"
        res["error"] = type(e).__name__
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--connect-timeout", type=float, default=5.0)
    ap.add_argument("--stall", type=float, default=0.0)
    args = ap.parse_args()
    stall = args.stall or 5 * args.interval + 2
    u = urlsplit(args.url)
    if u.scheme != "http" or not u.hostname or not (1 <= args.n <= 5000) or \
            not (0 < args.seconds <= 600) or not (0.01 <= args.interval <= 10):
        print("streamload.py: bad arguments", file=sys.stderr)
        return 2
    path = f"/stream?seconds={args.seconds}&interval={args.interval}"
    results, threads = [], []
    for _ in range(args.n):
        t = threading.Thread(target=one, daemon=True,
                             args=(u.hostname, u.port or 80, path, args.seconds,
                                   args.interval, args.connect_timeout, stall, results))
        t.start()
        threads.append(t)
        time.sleep(0.005)  # a ramp, not a burst of SYNs
    for t in threads:
        t.join(args.seconds + 40)
    by = {}
    for r in results:
        by[r["outcome"]] = by.get(r["outcome"], 0) + 1
    gap = max([r["max_gap_s"] for r in results] + [0.0])
    json.dump({"n": args.n, "by_outcome": by, "max_gap_s": gap, "connections": results},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
