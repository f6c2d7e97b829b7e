"""A tiny authoritative DNS responder built with dnspython, for the demo (which cannot assume
knotd on a user's machine) and for tests that need a server failing on purpose.

`ZoneServer({origin: zone_text})` answers on 127.0.0.1 (UDP and TCP, one free port) from the
zones given: CNAMEs followed inside served zones, NXDOMAIN / NODATA with the SOA, REFUSED for
names outside every zone, and SERVFAIL for the names in `servfail`. It runs in background
threads until the context manager exits.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterable, Mapping

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

MAX_CNAME_HOPS = 8


class ZoneServer:
    def __init__(self, zones: Mapping[str, str], servfail: Iterable[str] = ()) -> None:
        self.zones = {
            dns.name.from_text(origin): dns.zone.from_text(
                text, origin=origin, relativize=False, check_origin=False
            )
            for origin, text in zones.items()
        }
        self.servfail = {dns.name.from_text(n) for n in servfail}
        self.queries = 0
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []
        self.port = 0

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> ZoneServer:
        responder = self
        for _ in range(20):
            udp = _UdpServer(("127.0.0.1", 0), _UdpHandler, responder)
            try:
                tcp = _TcpServer(("127.0.0.1", udp.server_address[1]), _TcpHandler, responder)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise OSError("no free port for the DNS responder")
        self.port = int(udp.server_address[1])
        self._servers = [udp, tcp]
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = [], []

    def answer(self, wire: bytes) -> bytes | None:
        self.queries += 1
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        response = dns.message.make_response(query)
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        self._fill(response, question.name, question.rdtype)
        return response.to_wire()

    def _zone_for(self, name: dns.name.Name) -> dns.zone.Zone | None:
        matches = [origin for origin in self.zones if name.is_subdomain(origin)]
        return self.zones[max(matches, key=len)] if matches else None

    def _fill(
        self, response: dns.message.Message, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> None:
        for hop in range(MAX_CNAME_HOPS):
            if qname in self.servfail:
                response.set_rcode(dns.rcode.SERVFAIL)
                return
            zone = self._zone_for(qname)
            if zone is None:
                if hop == 0:
                    response.set_rcode(dns.rcode.REFUSED)
                return
            response.flags |= dns.flags.AA
            node = zone.get_node(qname)
            if node is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
                self._soa(response, zone)
                return
            found = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if found is not None:
                response.answer.append(_rrset(qname, found))
                return
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                self._soa(response, zone)
                return
            response.answer.append(_rrset(qname, cname))
            qname = cname[0].target

    @staticmethod
    def _soa(response: dns.message.Message, zone: dns.zone.Zone) -> None:
        if zone.origin is None:
            return
        soa = zone.get_rdataset(zone.origin, dns.rdatatype.SOA)
        if soa is not None:
            response.authority.append(_rrset(zone.origin, soa))


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    return rrset


class _UdpServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, responder: ZoneServer) -> None:
        self.responder = responder
        super().__init__(address, handler)


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, responder: ZoneServer) -> None:
        self.responder = responder
        super().__init__(address, handler)


class _UdpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        reply = self.server.responder.answer(data)  # type: ignore[attr-defined]
        if reply is not None:
            sock.sendto(reply, self.client_address)


class _TcpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(2)
        try:
            header = conn.recv(2)
            if len(header) < 2:
                return
            (length,) = struct.unpack("!H", header)
            data = b""
            while len(data) < length:
                chunk = conn.recv(length - len(data))
                if not chunk:
                    return
                data += chunk
            reply = self.server.responder.answer(data)  # type: ignore[attr-defined]
            if reply is not None:
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return
