"""The Internet checksum (RFC 1071), shared by the harness's packet
crafters (tcpspoof.py, udpecho.py). Python 3 standard library only."""

import struct


def csum(b):
    """The one's-complement sum of b's 16-bit words, complemented."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
