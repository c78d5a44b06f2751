#!/usr/bin/env python3
"""A harness backend: an HTTP server that answers with its own name.

Listens on 0.0.0.0:PORT and [::]:PORT (IPv6 only, so both are separate
sockets). Responses:
  GET <any path>            "<name>\\n"
  GET /bytes?n=N            "<name>\\n" followed by N bytes of 'x' (N <= 64 MiB)
  GET /stream?seconds=S&interval=I
                            "<name> <i>\\n" every I seconds (default 0.1) for
                            S seconds (default 10, at most 3600): a long-lived
                            connection that keeps carrying data
  POST <any path>           "<name> <bytes received>\\n"
Keep-alive is off unless --keepalive (then HTTP/1.1 with Content-Length).
With --conn-log FILE, every accepted connection's peer "ADDR PORT" is
appended to FILE (a test can then tell which backend a client port reached).
Python 3 standard library only.
"""

import argparse
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BYTES = 64 << 20
MAX_STREAM_SECONDS = 3600


class Server4(ThreadingHTTPServer):
    address_family = socket.AF_INET
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True


class Server6(Server4):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def make_handler(name, keepalive, conn_log=None):
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keepalive else "HTTP/1.0"
        server_version = "evenflow-backend"

        def setup(self):
            super().setup()
            if conn_log:
                with log_lock:
                    conn_log.write(f"{self.client_address[0]} {self.client_address[1]}\n")
                    conn_log.flush()

        def log_message(self, fmt, *args):  # quiet: one line per request is noise
            pass

        def _reply(self, body, ctype="text/plain"):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if not keepalive:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _query(self):
            url = urlsplit(self.path)
            return url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}

        def do_HEAD(self):
            self._reply(b"")

        def do_GET(self):
            path, q = self._query()
            if path == "/bytes":
                n = min(max(int(q.get("n", "0")), 0), MAX_BYTES)
                self._reply(f"{name}\n".encode() + b"x" * n)
            elif path == "/stream":
                self._stream(float(q.get("seconds", "10")), float(q.get("interval", "0.1")))
            else:
                self._reply(f"{name}\n".encode())

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            got = 0
            while got < length:
                chunk = self.rfile.read(min(65536, length - got))
                if not chunk:
                    break
                got += len(chunk)
            self._reply(f"{name} {got}\n".encode())

        def _stream(self, seconds, interval):
            seconds = min(max(seconds, 0.0), MAX_STREAM_SECONDS)
            interval = min(max(interval, 0.001), 60.0)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            end = time.monotonic() + seconds
            i = 0
            while True:
                self.wfile.write(f"{name} {i}\n".encode())
                self.wfile.flush()
                i += 1
                if time.monotonic() + interval > end:
                    break
                time.sleep(interval)

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True, help="the body of every answer")
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--no-ipv6", action="store_true", help="listen on IPv4 only")
    ap.add_argument("--keepalive", action="store_true", help="HTTP/1.1 keep-alive")
    ap.add_argument("--ready-file", help="created once every socket listens")
    ap.add_argument("--conn-log", help="append each accepted peer's address and port")
    args = ap.parse_args()

    conn_log = open(args.conn_log, "a", encoding="ascii") if args.conn_log else None
    handler = make_handler(args.name, args.keepalive, conn_log)
    servers = [Server4(("0.0.0.0", args.port), handler)]
    if not args.no_ipv6:
        servers.append(Server6(("::", args.port), handler))
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    if args.ready_file:
        with open(args.ready_file, "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
