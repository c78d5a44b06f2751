#!/usr/bin/env python3
"""HTTP load for the evenflow harness: N requests, each on a new TCP connection.

  httpload.py URL [-n N] [-c C] [--max-time S] [--timeout S] [--rate R]
              [--post-bytes B] [--source-port P] [--details]

Runs at most N requests (GET, or POST of B bytes) with C in flight, each on
its own TCP connection, and stops starting new ones after --max-time seconds;
every request is bounded by --timeout. With --rate, request k starts no
earlier than k/R seconds after the start (a steady rate of new connections).
With --source-port P, request k binds its socket to local port P+k (so a test
can ask `evenflow lookup` where that flow goes); --details adds a "details"
list: one {"sport", "ok", "body", "error", "connected", "t"} per request, in
start order ("connected": the handshake completed; "t": wall-clock start).
Prints one JSON object on stdout:

  {"url": ..., "requests": started, "ok": n, "failed": n,
   "by_body": {"backend1": n, ...},   first word of each answer's body
   "errors": {"ECONNREFUSED": n, "TimeoutError": n, ...},
   "not_started": n, "elapsed_s": s, "rate_per_s": r,
   "latency_ms": {"p50": ..., "p90": ..., "p99": ..., "max": ...}}

Exit status: 0 when every request started got a 200 answer and all N were
started, 1 otherwise, 2 on a usage error. Python 3 standard library only;
the pieces (one_request, run_requests) are importable for other load shapes.
"""

import argparse
import errno
import http.client
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Target:
    host: str
    port: int
    path: str
    url: str

    @classmethod
    def parse(cls, url):
        u = urlsplit(url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"{url}: only http://HOST[:PORT]/PATH URLs")
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        return cls(u.hostname, u.port or 80, path, url)


@dataclass
class Outcome:
    ok: bool
    body_key: str = ""  # first word of the body (the backend's name)
    error: str = ""     # error class when not ok
    latency_s: float = 0.0
    index: int = -1     # start order
    sport: int = 0      # local port
    connected: bool = False  # the TCP handshake completed
    t_start: float = 0.0     # wall-clock start (time.time())


def one_request(target, timeout, post_bytes=None, sport=0):
    """One request on a fresh TCP connection; never raises."""
    t0, wall = time.monotonic(), time.time()
    conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout,
                                      source_address=("", sport) if sport else None)
    connected = False

    def done(out):
        out.connected, out.t_start = connected, wall
        if conn.sock and not out.sport:
            out.sport = conn.sock.getsockname()[1]
        return out

    try:
        conn.connect()
        connected = True
        sport = sport or conn.sock.getsockname()[1]
        if post_bytes is None:
            conn.request("GET", target.path, headers={"Connection": "close"})
        else:
            conn.request("POST", target.path, body=b"p" * post_bytes,
                         headers={"Connection": "close",
                                  "Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        body = resp.read()
        dt = time.monotonic() - t0
        if resp.status != 200:
            return done(Outcome(False, error=f"HTTP {resp.status}", latency_s=dt, sport=sport))
        words = body.split(None, 2)
        key = words[0].decode("utf-8", "replace") if words else ""
        if post_bytes is not None and (len(words) < 2 or words[1] != str(post_bytes).encode()):
            return done(Outcome(False, key, "post body truncated", dt, sport=sport))
        return done(Outcome(True, key, latency_s=dt, sport=sport))
    except (OSError, http.client.HTTPException) as e:
        # errno name when there is one (ECONNREFUSED, EHOSTUNREACH), else the class.
        err = errno.errorcode.get(getattr(e, "errno", None) or 0, type(e).__name__)
        return done(Outcome(False, error=err, latency_s=time.monotonic() - t0, sport=sport))
    finally:
        conn.close()


@dataclass
class Result:
    url: str
    total: int
    started: int = 0
    outcomes: list = field(default_factory=list)
    elapsed_s: float = 0.0

    def summary(self, details=False):
        ok = [o for o in self.outcomes if o.ok]
        lat = sorted(o.latency_s for o in ok)

        def pct(p):
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 2)

        s = {
            "url": self.url,
            "requests": self.started,
            "ok": len(ok),
            "failed": len(self.outcomes) - len(ok),
            "by_body": dict(sorted(Counter(o.body_key for o in ok).items())),
            "errors": dict(sorted(Counter(o.error for o in self.outcomes if not o.ok).items())),
            "not_started": self.total - self.started,
            "elapsed_s": round(self.elapsed_s, 3),
            "rate_per_s": round(len(self.outcomes) / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "latency_ms": {"p50": pct(50), "p90": pct(90), "p99": pct(99),
                           "max": round(lat[-1] * 1000, 2) if lat else None},
        }
        if details:
            s["details"] = [{"sport": o.sport, "ok": o.ok, "body": o.body_key, "error": o.error,
                             "connected": o.connected, "t": round(o.t_start, 3)}
                            for o in sorted(self.outcomes, key=lambda o: o.index)]
        return s


def run_requests(target, total, concurrency, max_time, timeout, rate=None, post_bytes=None,
                 source_port=0):
    """total requests, concurrency in flight, none started after max_time."""
    res = Result(target.url, total)
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + max_time

    def worker():
        while True:
            with lock:
                if res.started >= total or time.monotonic() >= deadline:
                    return
                k = res.started
                res.started += 1
            if rate:
                delay = start + k / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            sport = source_port + k if source_port else 0
            out = one_request(target, timeout, post_bytes, sport)
            out.index = k
            with lock:
                res.outcomes.append(out)

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(max(1, min(concurrency, total)))]
    for t in threads:
        t.start()
    # Every request is bounded by timeout (connect and each read), so this ends.
    for t in threads:
        t.join(max(0.0, deadline + 2 * timeout + 5 - time.monotonic()))
    res.elapsed_s = time.monotonic() - start
    with lock:
        # A request still hanging past every bound counts as failed.
        done = {o.index for o in res.outcomes}
        res.outcomes.extend(Outcome(False, error="hung", index=k,
                                    sport=source_port + k if source_port else 0)
                            for k in range(res.started) if k not in done)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("url")
    ap.add_argument("-n", "--requests", type=int, default=100)
    ap.add_argument("-c", "--concurrency", type=int, default=8)
    ap.add_argument("--max-time", type=float, default=60.0,
                    help="start no request after this many seconds (default 60)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="per-request socket timeout in seconds (default 5)")
    ap.add_argument("--rate", type=float, help="new connections per second")
    ap.add_argument("--post-bytes", type=int, help="POST this many bytes instead of GET")
    ap.add_argument("--source-port", type=int, default=0,
                    help="request k binds local port P+k")
    ap.add_argument("--details", action="store_true", help="one entry per request")
    args = ap.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.max_time <= 0 or args.timeout <= 0:
        ap.error("-n, -c, --max-time and --timeout must be positive")
    if args.source_port and not 0 < args.source_port + args.requests <= 65536:
        ap.error("--source-port: P+N must stay within 1..65535")
    try:
        target = Target.parse(args.url)
    except ValueError as e:
        ap.error(str(e))
    res = run_requests(target, args.requests, args.concurrency, args.max_time,
                       args.timeout, args.rate, args.post_bytes, args.source_port)
    s = res.summary(args.details)
    json.dump(s, sys.stdout)
    sys.stdout.write("\n")
    return 0 if s["failed"] == 0 and s["not_started"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
