#!/usr/bin/env python3
"""A tiny authoritative DNS server for Signet's tests (needs dnslib).

    python dns_server.py --port PORT --records FILE

Listens on 127.0.0.1:PORT, UDP and TCP. FILE is JSON, {"_pki-validation.shop.test": ["token1", "token2"], ...},
re-read on every query (a missing file means no records); names are compared case-insensitively, without the
trailing dot. A TXT query for a listed name gets its strings (authoritative answer); any other type for a listed
name gets NOERROR with no answers; any other name gets NXDOMAIN. Prints "ready" once both sockets listen, and
exits cleanly on SIGTERM or SIGINT.
"""

import argparse
import json
import signal
import socket
import struct
import sys
import threading

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    records = {}
    for name, values in data.items():
        if isinstance(values, str):
            values = [values]
        records[name.rstrip(".").lower()] = [str(v) for v in values]
    return records


def txt_rdata(value):
    # A TXT record holds strings of at most 255 bytes each; longer values are split.
    raw = value.encode("utf-8")
    return TXT([raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""])


def answer(packet, records_path):
    request = DNSRecord.parse(packet)
    reply = request.reply()  # QR, RD copied, AA set
    reply.header.aa = 1
    try:
        records = load(records_path)
    except (OSError, ValueError) as e:
        print(f"dns_server: cannot read {records_path}: {e}", file=sys.stderr, flush=True)
        reply.header.rcode = RCODE.SERVFAIL
        return reply.pack()
    q = request.q
    name = str(q.qname).rstrip(".").lower()
    if name not in records:
        reply.header.rcode = RCODE.NXDOMAIN
    elif q.qtype == QTYPE.TXT:
        for value in records[name]:
            reply.add_answer(RR(q.qname, QTYPE.TXT, rdata=txt_rdata(value), ttl=0))
    return reply.pack()


def safe_answer(packet, records_path):
    try:
        return answer(packet, records_path)
    except Exception as e:  # a malformed query: answer FORMERR if there is an id to answer, else nothing
        print(f"dns_server: bad query: {e}", file=sys.stderr, flush=True)
        if len(packet) >= 2:
            return packet[:2] + struct.pack("!HHHHH", 0x8001, 0, 0, 0, 0)
        return None


def serve_udp(sock, records_path):
    while True:
        try:
            packet, addr = sock.recvfrom(65535)
        except OSError:
            return
        data = safe_answer(packet, records_path)
        if data is not None:
            try:
                sock.sendto(data, addr)
            except OSError:
                pass


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve_tcp_conn(conn, records_path):
    with conn:
        conn.settimeout(10)
        try:
            while True:
                head = recv_exact(conn, 2)
                if head is None:
                    return
                packet = recv_exact(conn, struct.unpack("!H", head)[0])
                if packet is None:
                    return
                data = safe_answer(packet, records_path)
                if data is None:
                    return
                conn.sendall(struct.pack("!H", len(data)) + data)
        except OSError:
            return


def serve_tcp(sock, records_path):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=serve_tcp_conn, args=(conn, records_path), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--records", required=True, help="JSON file: {name: [TXT strings]}")
    args = parser.parse_args()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", args.port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", args.port))
    tcp.listen(16)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for target, sock in ((serve_udp, udp), (serve_tcp, tcp)):
        threading.Thread(target=target, args=(sock, args.records), daemon=True).start()

    print("ready", flush=True)
    while not stop.wait(0.5):
        pass
    udp.close()
    tcp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
