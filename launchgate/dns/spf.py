"""SPF (RFC 7208), implemented here: record selection, term syntax, and a static evaluation
that walks the record the way a receiver would for a sender that matches nothing (the worst
case), counting DNS-lookup terms and void lookups through `include` and `redirect`.

What a receiver would do, and what this module reports:
- more than one `v=spf1` record -> permerror (§4.5)
- a term that does not parse, `redirect`/`exp` twice, an `include` or `redirect` target with no
  SPF record -> permerror (§4.6, §5.2, §6.1)
- more than 10 terms that query DNS (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) ->
  permerror (§4.6.4); more than 2 void lookups (NXDOMAIN or empty answer) -> permerror
- the effective `all` (through `redirect` when there is no `all`): `+all` authorises the whole
  internet, `?all` or no `all` at all says nothing.
Mechanisms after `all` are never evaluated, so they are not counted (but they are parsed).
Domain specs holding sender macros (`%{i}`, `%{s}`, ...) cannot be resolved without a
message: the lookup is counted, its target is not followed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from launchgate.dns.resolver import BadName, DnsClient, DnsUnavailable, check_name

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
# Walking stops here: enough to say how far over the limit a record is, bounded in time.
LOOKUP_CAP = 40
MX_NAME_LIMIT = 10
LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})

_VERSION = re.compile(r"^v=spf1( |$)", re.IGNORECASE)
_MECH = re.compile(r"^([+\-~?]?)([a-z0-9]+)(.*)$", re.IGNORECASE)
_MODIFIER = re.compile(r"^([a-z][a-z0-9_.\-]*)=(.*)$", re.IGNORECASE)
_MACRO = re.compile(r"%\{([slodiphcrtv])([0-9]*)(r?)([.\-+,/_=]*)\}", re.IGNORECASE)
_DUAL_CIDR = re.compile(r"^(?:/([0-9]{1,2}))?(?://([0-9]{1,3}))?$")
_TOPLABEL = re.compile(r"^(?=.*[a-z])[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?$", re.IGNORECASE)


class SpfSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    text: str
    name: str  # mechanism or modifier name, lower case
    qualifier: str = "+"  # for mechanisms
    domain_spec: str | None = None
    modifier: bool = False


def is_spf(text: str) -> bool:
    return bool(_VERSION.match(text))


def parse_record(text: str) -> tuple[Term, ...]:
    """The terms of one `v=spf1` record; SpfSyntaxError names the first bad term."""
    if not is_spf(text):
        raise SpfSyntaxError("the record does not start with 'v=spf1'")
    terms: list[Term] = []
    seen_modifiers: set[str] = set()
    for raw in text[len("v=spf1") :].split(" "):
        if not raw:
            continue
        term = parse_term(raw)
        if term.modifier and term.name in ("redirect", "exp"):
            if term.name in seen_modifiers:
                raise SpfSyntaxError(f"'{term.name}=' appears more than once")
            seen_modifiers.add(term.name)
        terms.append(term)
    return tuple(terms)


def parse_term(raw: str) -> Term:
    modifier = _MODIFIER.match(raw)
    if modifier and modifier.group(1).lower() not in MECHANISMS:
        name, value = modifier.group(1).lower(), modifier.group(2)
        if name in ("redirect", "exp"):
            check_domain_spec(value, raw)
        else:
            check_macro_string(value, raw)
        return Term(raw, name, domain_spec=value, modifier=True)
    match = _MECH.match(raw)
    if not match or match.group(2).lower() not in MECHANISMS:
        raise SpfSyntaxError(f"unknown mechanism or bad term {raw!r}")
    qualifier, name, rest = match.group(1) or "+", match.group(2).lower(), match.group(3)
    return Term(raw, name, qualifier, _mechanism_arg(name, rest, raw))


def _mechanism_arg(name: str, rest: str, raw: str) -> str | None:
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"'all' takes no argument: {raw!r}")
        return None
    if name in ("include", "exists"):
        if not rest.startswith(":") or len(rest) < 2:
            raise SpfSyntaxError(f"'{name}' needs ':domain': {raw!r}")
        return check_domain_spec(rest[1:], raw)
    if name in ("ip4", "ip6"):
        _check_ip(name, rest, raw)
        return None
    if name == "ptr":
        if not rest:
            return None
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"bad term {raw!r}")
        return check_domain_spec(rest[1:], raw)
    # a / mx: [:domain-spec][/cidr4][//cidr6]
    spec, cidr = rest, ""
    slash = rest.find("/")
    if slash >= 0:
        spec, cidr = rest[:slash], rest[slash:]
    _check_dual_cidr(cidr, raw)
    if not spec:
        return None
    if not spec.startswith(":") or len(spec) < 2:
        raise SpfSyntaxError(f"bad term {raw!r}")
    return check_domain_spec(spec[1:], raw)


def _check_ip(name: str, rest: str, raw: str) -> None:
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"'{name}' needs ':address': {raw!r}")
    address, _, prefix = rest[1:].partition("/")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise SpfSyntaxError(f"bad address in {raw!r}") from None
    if (name == "ip4") != (ip.version == 4):
        raise SpfSyntaxError(f"{name} with an IPv{ip.version} address: {raw!r}")
    limit = 32 if name == "ip4" else 128
    if "/" in rest and not (
        prefix.isascii()
        and prefix.isdigit()
        and int(prefix) <= limit
        and (len(prefix) == 1 or not prefix.startswith("0"))
    ):
        raise SpfSyntaxError(f"bad prefix length in {raw!r}")


def _check_dual_cidr(cidr: str, raw: str) -> None:
    match = _DUAL_CIDR.match(cidr)
    if (
        not match
        or (match.group(1) and int(match.group(1)) > 32)
        or (match.group(2) and int(match.group(2)) > 128)
    ):
        raise SpfSyntaxError(f"bad CIDR length in {raw!r}")


def check_macro_string(value: str, raw: str) -> None:
    stripped = _MACRO.sub("", value).replace("%%", "").replace("%_", "").replace("%-", "")
    if "%" in stripped:
        raise SpfSyntaxError(f"bad macro in {raw!r}")
    if any(not 0x21 <= ord(ch) <= 0x7E for ch in stripped):
        raise SpfSyntaxError(f"invalid character in {raw!r}")


def check_domain_spec(value: str, raw: str) -> str:
    """RFC 7208 §7.1: a macro string ending in a macro expansion or a top label."""
    check_macro_string(value, raw)
    if has_macro(value) and _MACRO.search(value.rstrip(".").rsplit(".", 1)[-1]):
        return value
    labels = value.rstrip(".").split(".")
    if len(labels) < 2 or not _TOPLABEL.match(labels[-1]) or any(not label for label in labels):
        raise SpfSyntaxError(f"bad domain {value!r} in {raw!r}")
    return value


def has_macro(value: str) -> bool:
    return "%" in value


def expand_plain(spec: str, domain: str) -> str | None:
    """The target when it needs no sender data (`%{d}` and `%{o}` are the current domain);
    None when a sender macro makes it unknowable before a message arrives."""
    if not has_macro(spec):
        return spec.rstrip(".").lower()
    if re.search(r"%\{[slihcrtvp]", spec, re.IGNORECASE):
        return None
    text = re.sub(r"%\{[do]\}", domain, spec, flags=re.IGNORECASE)
    return None if "%" in text else text.rstrip(".").lower()


@dataclass
class SpfReport:
    """What walking one domain's SPF found. `problems` are permerror reasons, in order."""

    domain: str
    records: tuple[str, ...] = ()
    lookups: int = 0
    void_lookups: int = 0
    void_names: list[str] = field(default_factory=list)
    all_qualifier: str | None = None
    all_from: str | None = None
    syntax_errors: list[str] = field(default_factory=list)
    include_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    plus_all_includes: list[str] = field(default_factory=list)  # included records ending +all
    capped: bool = False

    @property
    def missing(self) -> bool:
        return not self.records


class SpfWalker:
    """Walks a domain's SPF with a DnsClient; DnsUnavailable propagates (temperror)."""

    def __init__(self, client: DnsClient) -> None:
        self.client = client

    def walk(self, domain: str) -> SpfReport:
        report = SpfReport(domain)
        _, texts = self.client.txt(domain)
        report.records = tuple(t for t in texts if is_spf(t))
        if len(report.records) != 1:
            return report
        try:
            terms = parse_record(report.records[0])
        except SpfSyntaxError as exc:
            report.syntax_errors.append(f"{domain}: {exc}")
            return report
        report.all_qualifier, report.all_from = self._evaluate(report, domain, terms, (domain,))
        return report

    def _evaluate(
        self, report: SpfReport, domain: str, terms: tuple[Term, ...], path: tuple[str, ...]
    ) -> tuple[str | None, str | None]:
        """Walk one record's terms; returns its effective `all` qualifier and its domain."""
        redirect = None
        for term in terms:
            if term.modifier:
                if term.name == "redirect":
                    redirect = term
                continue
            if term.name == "all":
                return term.qualifier, domain
            if term.name in LOOKUP_TERMS:
                if not self._count(report):
                    return None, None
                self._mechanism(report, domain, term, path)
        if redirect is None:
            return None, None
        if not self._count(report):
            return None, None
        target = self._target(report, domain, redirect)
        if target is None:
            return None, None
        terms_of = self._child(report, target, redirect, path)
        if terms_of is None:
            return None, None
        return self._evaluate(report, target, terms_of, (*path, target))

    def _count(self, report: SpfReport) -> bool:
        if report.lookups >= LOOKUP_CAP:
            report.capped = True
            return False
        report.lookups += 1
        return True

    def _target(self, report: SpfReport, domain: str, term: Term) -> str | None:
        spec = term.domain_spec
        target = domain if spec is None else expand_plain(spec, domain)
        if target is None:
            report.warnings.append(
                f"{domain}: {term.text} depends on the sender; its target was not followed"
            )
            return None
        try:
            check_name(target)
        except BadName:
            report.syntax_errors.append(f"{domain}: bad domain in {term.text!r}")
            return None
        return target

    def _mechanism(self, report: SpfReport, domain: str, term: Term, path: tuple[str, ...]) -> None:
        if term.name == "ptr":
            report.warnings.append(f"{domain}: 'ptr' is slow and deprecated (RFC 7208 §5.5)")
            return
        target = self._target(report, domain, term)
        if target is None:
            return
        if term.name == "include":
            terms = self._child(report, target, term, path)
            if terms is not None:
                # An included `+all` matches every sender, so the include itself passes all
                # mail: the including record authorises the whole internet too.
                qualifier, _ = self._evaluate(report, target, terms, (*path, target))
                if qualifier == "+":
                    report.plus_all_includes.append(target)
        elif term.name == "a":
            v4, v6 = self.client.lookup(target, "A"), self.client.lookup(target, "AAAA")
            self._void(report, target, v4.void and v6.void)
        elif term.name == "mx":
            found = self.client.lookup(target, "MX")
            self._void(report, target, found.void)
            if len(found.records) > MX_NAME_LIMIT:
                report.include_errors.append(
                    f"{target}: more than {MX_NAME_LIMIT} MX names for {term.text!r}"
                )
        elif term.name == "exists":
            self._void(report, target, self.client.lookup(target, "A").void)

    def _child(
        self, report: SpfReport, target: str, term: Term, path: tuple[str, ...]
    ) -> tuple[Term, ...] | None:
        if target in path:
            report.include_errors.append(f"{term.text!r} loops back to {target}")
            return None
        report.includes.append(target)
        found, texts = self.client.txt(target)
        self._void(report, target, found.void)
        records = [t for t in texts if is_spf(t)]
        if len(records) != 1:
            what = "no SPF record" if not records else f"{len(records)} SPF records"
            report.include_errors.append(f"{term.text!r}: {target} has {what}")
            return None
        try:
            return parse_record(records[0])
        except SpfSyntaxError as exc:
            report.syntax_errors.append(f"{target}: {exc}")
            return None

    @staticmethod
    def _void(report: SpfReport, name: str, void: bool) -> None:
        if void:
            report.void_lookups += 1
            report.void_names.append(name)


__all__ = [
    "DnsUnavailable",
    "SpfReport",
    "SpfSyntaxError",
    "SpfWalker",
    "Term",
    "is_spf",
    "parse_record",
    "parse_term",
]
