#!/usr/bin/env python3
"""UDP echo through the evenflow harness, for datagrams larger than the MTU.

  udpecho.py server --port P --name NAME --bind ADDR... [--ready-file F]
      answers every datagram to ADDR:P with "NAME " + the datagram, from ADDR
      (the VIP: a socket bound to any address would answer from another)
  udpecho.py client ADDR PORT [--size 4000] [--flows 20] [--count 3] [--timeout 2]
      from --flows source ports, --count datagrams each of --size bytes; each
      answer must be its datagram whole, and every answer of a flow from one
      backend. Prints {"sent", "ok", "bad", "lost", "flows_split",
      "by_backend"}.
  udpecho.py orphan ADDR PORT
      sends (IPv4, raw) the second fragment of a datagram whose first is never
      sent: what the LB must count and drop.
Python 3 standard library only; bounded by the timeouts.
"""

import argparse
import json
import os
import select
import socket
import struct
import sys

from inetsum import csum


def server(args):
    socks = []
    for addr in args.bind:
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, args.port))
        socks.append(s)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    prefix = args.name.encode() + b" "
    while True:
        for s in select.select(socks, [], [])[0]:
            data, peer = s.recvfrom(65535)
            s.sendto(prefix + data, peer)


def client(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    out = {"sent": 0, "ok": 0, "bad": 0, "lost": 0, "flows_split": 0, "by_backend": {}}
    for flow in range(args.flows):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        s.connect((args.addr, args.port))
        backends = set()
        for k in range(args.count):
            payload = bytes((flow * 7 + k + i) & 0xff for i in range(args.size))
            s.send(payload)
            out["sent"] += 1
            try:
                data = s.recv(65535)
            except socket.timeout:
                out["lost"] += 1
                continue
            name, _, echoed = data.partition(b" ")
            if echoed != payload:
                out["bad"] += 1
                continue
            out["ok"] += 1
            backends.add(name.decode())
            out["by_backend"][name.decode()] = out["by_backend"].get(name.decode(), 0) + 1
        out["flows_split"] += len(backends) > 1
        s.close()
    print(json.dumps(out))



def orphan(args):
    dst = socket.inet_aton(args.addr)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.connect((args.addr, 0))
    src = socket.inet_aton(s.getsockname()[0])
    body = os.urandom(64)
    # offset 185 (1480 bytes), no MF: the last fragment of an unseen datagram
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0x4242, 185, 64, 17, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    s.send(hdr + body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("server")
    sv.add_argument("--port", type=int, required=True)
    sv.add_argument("--name", required=True)
    sv.add_argument("--bind", nargs="+", required=True)
    sv.add_argument("--ready-file")
    cl = sub.add_parser("client")
    cl.add_argument("addr")
    cl.add_argument("port", type=int)
    cl.add_argument("--size", type=int, default=4000)
    cl.add_argument("--flows", type=int, default=20)
    cl.add_argument("--count", type=int, default=3)
    cl.add_argument("--timeout", type=float, default=2.0)
    orp = sub.add_parser("orphan")
    orp.add_argument("addr")
    orp.add_argument("port", type=int)
    args = ap.parse_args()
    {"server": server, "client": client, "orphan": orphan}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
