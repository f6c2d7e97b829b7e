"""The DNS client every DNS and email-auth part shares: one dnspython resolver, a cache, CNAME
chains followed explicitly, retries, and a clear line between "missing" and "could not verify".

`nameservers` (config `checks.dns.nameservers`, e.g. "127.0.0.1:5300") selects a specific
resolver, port included; without it the system resolver (/etc/resolv.conf) is used. CNAME
chains are followed here rather than trusted to the server: an authoritative server (or a
resolver that stops at a zone cut) may answer with the CNAME alone, and the check needs every
hop to recognise dangling targets and hosting providers.

A timeout or SERVFAIL is retried, then raised as `DnsUnavailable`: the caller reports "could
not verify", never "record missing". NXDOMAIN and empty answers are ordinary `Lookup` results.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from launchgate.address import parse_nameserver

MAX_CHAIN = 8
ATTEMPTS = 2
RETRY_PAUSE_S = 0.1


class DnsUnavailable(Exception):
    """The DNS could not answer (timeout, SERVFAIL, REFUSED, no resolver): not a missing record.
    `timed_out` tells the caller that further queries would likely wait just as long."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class BadName(ValueError):
    """The text is not a valid DNS name (a config or record syntax problem, not a DNS one)."""


@dataclass(frozen=True)
class Lookup:
    """One answered question. `chain` lists the CNAME targets followed from `name`, in order;
    `records` are the rdata of `rdtype` at the end of the chain (empty when there are none)."""

    name: str
    rdtype: str
    nxdomain: bool
    chain: tuple[str, ...]
    records: tuple[Any, ...]

    @property
    def final(self) -> str:
        return self.chain[-1] if self.chain else self.name

    @property
    def void(self) -> bool:
        """RFC 7208 §4.6.4: NXDOMAIN, or NOERROR with no answer."""
        return not self.records


def normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def check_name(name: str) -> dns.name.Name:
    try:
        parsed = dns.name.from_text(normalize(name) + ".")
    except (dns.exception.DNSException, UnicodeError) as exc:
        raise BadName(f"{name!r} is not a valid DNS name ({exc})") from None
    if len(parsed.labels) < 2 or any(not label for label in parsed.labels[:-1]):
        raise BadName(f"{name!r} is not a valid DNS name")
    return parsed


def _nameserver(text: str) -> dns.nameserver.Do53Nameserver:
    return dns.nameserver.Do53Nameserver(*parse_nameserver(text))


class DnsClient:
    """Cached lookups against one resolver configuration. `queries` counts wire queries."""

    def __init__(
        self, nameservers: Sequence[str] = (), timeout: float = 3.0, attempts: int = ATTEMPTS
    ) -> None:
        if nameservers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [_nameserver(ns) for ns in nameservers]
        else:
            try:
                resolver = dns.resolver.Resolver()
            except dns.exception.DNSException as exc:
                raise DnsUnavailable(
                    f"no system DNS resolver configured ({exc}); set checks.dns.nameservers"
                ) from None
        resolver.timeout = timeout
        resolver.lifetime = timeout
        resolver.cache = None
        self._resolver = resolver
        self._attempts = max(1, attempts)
        self._cache: dict[tuple[str, str], Lookup] = {}
        self.queries = 0
        self.where = ", ".join(nameservers) if nameservers else "the system resolver"

    def lookup(self, name: str, rdtype: str) -> Lookup:
        """Records of `rdtype` at `name`, following CNAMEs. Raises DnsUnavailable, BadName."""
        key = (normalize(name), rdtype)
        if key not in self._cache:
            self._cache[key] = self._lookup(key[0], rdtype)
        return self._cache[key]

    def txt(self, name: str) -> tuple[Lookup, tuple[str, ...]]:
        """TXT records at `name`, each record's strings joined (RFC 7208 §3.3)."""
        found = self.lookup(name, "TXT")
        texts = tuple(b"".join(r.strings).decode("utf-8", errors="replace") for r in found.records)
        return found, texts

    def _lookup(self, name: str, rdtype: str) -> Lookup:
        check_name(name)
        chain: list[str] = []
        current = name
        for _ in range(MAX_CHAIN):
            response, nxdomain = self._query(current, rdtype)
            hops, records = _walk_answer(response, current, rdtype) if response else ([], ())
            for hop in hops:
                if hop in chain or hop == name:
                    raise DnsUnavailable(f"CNAME loop at {name}")
                chain.append(hop)
            if records or nxdomain or not hops:
                return Lookup(name, rdtype, nxdomain, tuple(chain), records)
            current = hops[-1]
        raise DnsUnavailable(f"CNAME chain from {name} longer than {MAX_CHAIN} hops")

    def _query(self, name: str, rdtype: str) -> tuple[dns.message.Message | None, bool]:
        """One question, retried on timeout/SERVFAIL: (response, nxdomain)."""
        problem = ""
        timed_out = False
        for attempt in range(self._attempts):
            if attempt:
                time.sleep(RETRY_PAUSE_S)
            self.queries += 1
            try:
                answer = self._resolver.resolve(
                    name + ".", rdtype, raise_on_no_answer=False, search=False
                )
                return answer.response, False
            except dns.resolver.NXDOMAIN as exc:
                responses = exc.kwargs.get("responses") or {}
                return next(iter(responses.values()), None), True
            except dns.resolver.LifetimeTimeout:
                problem, timed_out = f"no answer within {self._resolver.lifetime:g} s", True
            except dns.resolver.NoNameservers as exc:
                problem, timed_out = _servfail_reason(exc), False
            except dns.exception.DNSException as exc:
                problem, timed_out = f"{type(exc).__name__}: {exc}", False
        raise DnsUnavailable(
            f"{name} {rdtype}: {problem} from {self.where} ({self._attempts} attempts)",
            timed_out=timed_out,
        )


def _servfail_reason(exc: dns.resolver.NoNameservers) -> str:
    errors = exc.kwargs.get("errors") or []
    for error in errors:
        text = str(error[3]) if len(error) > 3 else ""
        if "REFUSED" in text:
            return "REFUSED (the server does not serve this name)"
        if "SERVFAIL" in text:
            return "SERVFAIL"
    return "the server failed to answer"


def _walk_answer(
    response: dns.message.Message, qname: str, rdtype: str
) -> tuple[list[str], tuple[Any, ...]]:
    """CNAME hops from `qname` inside one response, and the `rdtype` records at the end."""
    hops: list[str] = []
    current = dns.name.from_text(qname + ".")
    wanted = dns.rdatatype.from_text(rdtype)
    for _ in range(MAX_CHAIN):
        for rrset in response.answer:
            if rrset.name == current and rrset.rdtype == wanted:
                return hops, tuple(rrset)
        cname = next(
            (
                rrset
                for rrset in response.answer
                if rrset.name == current and rrset.rdtype == dns.rdatatype.CNAME
            ),
            None,
        )
        if cname is None:
            break
        current = cname[0].target
        hops.append(normalize(current.to_text()))
    return hops, ()
