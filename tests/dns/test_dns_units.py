"""The record parsers and graders of the dns check, without a server: SPF term syntax (RFC 7208),
DMARC tags (RFC 7489 / DMARCbis), DKIM keys, CAA issuer rules, the deployment map tables."""

from __future__ import annotations

import base64
import contextlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from launchgate.dns import caa, deployment_map, dkim, dmarc, spf
from tests.support.dns_support import dkim_txt, weak_rsa_public_key


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 -all",
        "v=spf1",
        "V=SPF1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 a:mail.example.com/24//64 ~all",
        "v=spf1 include:_spf.google.com include:%{d}.example.com exists:%{i}._spf.%{d} -all",
        "v=spf1 redirect=_spf.example.com",
        "v=spf1 ptr ptr:example.com ?all exp=explain.%{d}",
        "v=spf1 unknown-mod=%{l}.x -all",
        "v=spf1  a   mx  -all",
        "v=spf1 a:example.com. -all",
    ],
)
def test_valid_spf_records_parse(record):
    assert spf.parse_record(record) is not None


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=spf1 ip4:192.0.2.300 -all", "bad address"),
        ("v=spf1 ip4:192.0.2.0/33 -all", "bad prefix length"),
        ("v=spf1 ip4:2001:db8::1 -all", "ip4 with an IPv6 address"),
        ("v=spf1 ip6:2001:db8::/129 -all", "bad prefix length"),
        ("v=spf1 include -all", "needs ':domain'"),
        ("v=spf1 include:example -all", "bad domain"),
        ("v=spf1 include:exa%mple.com -all", "bad macro"),
        ("v=spf1 a/40 -all", "bad CIDR length"),
        ("v=spf1 all:x", "takes no argument"),
        ("v=spf1 foo:bar -all", "unknown mechanism"),
        ("v=spf1 *all", "unknown mechanism"),
        ("v=spf1 redirect=a.example.com redirect=b.example.com", "more than once"),
        ("v=spf1 -all exp=a.example.com exp=b.example.com", "more than once"),
        ("v=spf2.0/pra -all", "does not start with 'v=spf1'"),
    ],
)
def test_bad_spf_terms_are_permerrors(record, reason):
    with pytest.raises(spf.SpfSyntaxError, match=reason):
        spf.parse_record(record)


def test_spf_selection_is_exact():
    assert spf.is_spf("v=spf1 -all") and spf.is_spf("v=spf1")
    assert not spf.is_spf("v=spf10 -all") and not spf.is_spf("spf1 -all")


def test_spf_term_qualifiers():
    terms = spf.parse_record("v=spf1 +a -mx ~ip4:192.0.2.1 ?all")
    assert [(t.qualifier, t.name) for t in terms] == [
        ("+", "a"),
        ("-", "mx"),
        ("~", "ip4"),
        ("?", "all"),
    ]


def test_sender_macros_are_not_followed():
    assert spf.expand_plain("%{i}._spf.example.com", "example.com") is None
    assert spf.expand_plain("_spf.%{d}", "example.com") == "_spf.example.com"
    assert spf.expand_plain("Example.COM.", "x.test") == "example.com"


@pytest.mark.parametrize(
    ("record", "policy", "rua"),
    [
        ("v=DMARC1; p=reject; rua=mailto:d@example.com", "reject", ("mailto:d@example.com",)),
        ("v=DMARC1;p=quarantine;sp=none;np=reject;psd=n;t=y", "quarantine", ()),
        (
            "v=DMARC1; p=None; rua=mailto:a@x.test,mailto:b@y.test;",
            "none",
            ("mailto:a@x.test", "mailto:b@y.test"),
        ),
    ],
)
def test_dmarc_records_parse(record, policy, rua):
    parsed = dmarc.parse(record)
    assert (parsed.policy, parsed.rua) == (policy, rua)


def test_dmarcbis_removed_tags_are_ignored_not_errors():
    assert dmarc.parse("v=DMARC1; p=reject; pct=50; ri=3600; rf=afrf").ignored == (
        "pct",
        "rf",
        "ri",
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=DMARC1; rua=mailto:d@example.com", "p= is missing"),
        ("v=DMARC1; p=block", "not none, quarantine or reject"),
        ("p=reject; v=DMARC1", "must start with v=DMARC1"),
        ("v=DMARC1; p=reject; adkim=x", "adkim=x"),
        ("v=DMARC1; p=reject; p=none", "appears twice"),
        ("v=DMARC1; p=reject; rua=d@example.com", "not a URI"),
        ("v=DMARC1; p reject", "not a tag=value pair"),
    ],
)
def test_bad_dmarc_records(record, reason):
    with pytest.raises(dmarc.DmarcError, match=reason):
        dmarc.parse(record)


def _joined(txt_rdata: str) -> str:
    return "".join(part.strip('"') for part in txt_rdata.split('" "'))


def test_dkim_key_sizes():
    assert dkim.parse(_joined(dkim_txt(2048))) == dkim.DkimKey("rsa", 2048)
    assert dkim.parse(_joined(dkim_txt(512))).bits == 512


def test_dkim_pkcs1_and_ed25519_keys():
    pkcs1 = weak_rsa_public_key(768).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    assert dkim.parse("p=" + base64.b64encode(pkcs1).decode()).bits == 768
    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    assert (
        dkim.parse("v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()).key_type == "ed25519"
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=DKIM1; k=rsa; p=", "revoked"),
        ("v=DKIM1; k=rsa", "p= is missing"),
        ("v=DKIM1; p=not*base64", "not valid base64"),
        ("v=DKIM1; p=" + base64.b64encode(b"junk").decode(), "does not hold an RSA"),
        ("k=rsa; v=DKIM1; p=AAAA", "must come first"),
        ("v=DKIM1; k=dsa; p=AAAA", "unknown key type"),
    ],
)
def test_unusable_dkim_records(record, reason):
    with pytest.raises(dkim.DkimError, match=reason):
        dkim.parse(record)


def _caa(*props: tuple[int, str, str]) -> caa.CaaSet:
    return caa.CaaSet("example.com", tuple(caa.CaaProperty(*p) for p in props))


def test_caa_rules():
    le = caa.issuer_domains({"issuer_org": "Let's Encrypt", "issuer_cn": "R11"})
    assert le == ("letsencrypt.org",)
    assert caa.issuer_domains({"issuer_org": "Unknown Corp"}) == ()
    assert not caa.forbids(_caa((0, "issue", "letsencrypt.org")), le)
    assert not caa.forbids(_caa((0, "issue", "letsencrypt.org; validationmethods=dns-01")), le)
    assert caa.forbids(_caa((0, "issue", "digicert.com")), le)
    assert caa.forbids(_caa((0, "issue", ";")), le)
    assert not caa.forbids(_caa((0, "iodef", "mailto:x@example.com")), le)
    assert caa.forbids(_caa((0, "issue", "letsencrypt.org"), (128, "tbs", "x")), le)
    assert caa.forbids(
        _caa((0, "issue", "letsencrypt.org"), (0, "issuewild", "pki.goog")), le, wildcard=True
    )


def test_deployment_map_tables():
    rows = deployment_map.build(
        ["kate.ns.cloudflare.com", "bob.ns.cloudflare.com"],
        [
            deployment_map.HostFacts("app.example.com", ("example.herokudns.com",), ()),
            deployment_map.HostFacts("example.com", (), ("76.76.21.21",)),
        ],
        ["example-com.mail.protection.outlook.com"],
        ["spf.protection.outlook.com", "sendgrid.net"],
        True,
        {"app.example.com": {"Via": "1.1 vegur"}, "api.example.com": {"x-vercel-id": "fra1"}},
    )
    where = {r["part"]: r["where"] for r in rows}
    assert where["DNS provider"].startswith("Cloudflare (")
    assert (
        where["app host app.example.com"]
        == "Heroku (CNAME example.herokudns.com); response headers show Heroku"
    )
    assert where["app host example.com"] == "Vercel (76.76.21.21)"
    assert where["app host api.example.com"] == "response headers show Vercel"
    assert where["mail in (MX)"].startswith("Microsoft 365")
    assert where["mail out (SPF)"] == "Microsoft 365, SendGrid (SPF include)"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_parsers_fail_only_with_their_own_errors(text):
    for parse, error in (
        (spf.parse_record, spf.SpfSyntaxError),
        (dmarc.parse, dmarc.DmarcError),
        (dkim.parse, dkim.DkimError),
    ):
        for candidate in (
            text,
            "v=spf1 " + text,
            "v=DMARC1; p=reject; " + text,
            "v=DKIM1; p=" + text,
        ):
            with contextlib.suppress(error):
                parse(candidate)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "mx",
                "-all",
                "~all",
                "ip4:",
                "ip6:",
                "/",
                "//",
                ":",
                "include:",
                "%{d}",
                "%{i}",
                "example.com",
                "1",
                "32",
                "²",
                "redirect=",
                "exists:",
                "ptr",
                "=",
                "+",
                "?",
                " ",
            ]
        ),
        max_size=12,
    )
)
def test_spf_parser_on_near_miss_records(parts):
    with contextlib.suppress(spf.SpfSyntaxError):
        spf.parse_record("v=spf1 " + "".join(parts))
