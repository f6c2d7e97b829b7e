"""launchgate.address, the one host/port/URL parser, on the nasty cases: IPv6 literals with and
without brackets, default ports, IDNA, trailing dots, upper case, `//host` and bad ports."""

from __future__ import annotations

import pytest

from launchgate.address import (
    HostPort,
    connect_key,
    connect_target,
    host_of,
    is_ip_literal,
    normalize_host,
    origin,
    parse_hostport,
    parse_nameserver,
    split_host,
    strip_port,
    url_hostport,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", HostPort("example.com", None)),
        ("Example.COM.", HostPort("example.com", None)),
        ("example.com:8443", HostPort("example.com", 8443)),
        ("host.test.:443", HostPort("host.test", 443)),
        ("[::1]:8443", HostPort("::1", 8443)),
        ("[::1]", HostPort("::1", None)),
        ("::1", HostPort("::1", None)),
        ("[2001:DB8::1]:443", HostPort("2001:db8::1", 443)),
        ("Bücher.example", HostPort("xn--bcher-kva.example", None)),
        ("bücher.example:8443", HostPort("xn--bcher-kva.example", 8443)),
    ],
)
def test_split_host(value, expected):
    assert split_host(value) == expected


def test_netloc_leaves_the_default_port_out():
    assert split_host("example.com:443").netloc("https") == "example.com"
    assert split_host("example.com:443").netloc("http") == "example.com:443"
    assert split_host("[::1]:8443").netloc("https") == "[::1]:8443"
    assert split_host("::1").netloc("http") == "[::1]"
    assert HostPort("example.com", None).for_scheme("http") == 80


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com:443", HostPort("example.com", 443)),
        ("Example.com.:443", HostPort("example.com", 443)),
        ("[::1]:8443", HostPort("::1", 8443)),
        ("::1:8443", HostPort("::1", 8443)),  # unbracketed: the last colon starts the port
        ("127.0.0.1:0", HostPort("127.0.0.1", 0)),  # the range is the caller's to check
    ],
)
def test_parse_hostport(value, expected):
    assert parse_hostport(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "example.com:",
        ":443",
        "[::1]",
        "[::1]x:1",
        "example.com:http",
        "example.com:123456",
        "a b:443",
        "//example.com:443",
        "user@example.com:443",
    ],
)
def test_parse_hostport_refuses(value):
    with pytest.raises(ValueError):
        parse_hostport(value)


def test_connect_key_matches_however_the_host_is_spelled():
    assert connect_key("Example.com.", 443) == connect_key("example.com", 443) == "example.com:443"
    assert connect_key("::1", 443) == connect_key("[::1]", 443) == "[::1]:443"
    assert connect_key("bücher.example", 443) == "xn--bcher-kva.example:443"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.1.1.1", ("1.1.1.1", 53)),
        ("127.0.0.1:5300", ("127.0.0.1", 5300)),
        ("::1", ("::1", 53)),
        ("[::1]", ("::1", 53)),
        ("[::1]:5300", ("::1", 5300)),
    ],
)
def test_parse_nameserver(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ns1.example.com",
        "1.1.1.1:x",
        "1.1.1.1:0",
        "1.1.1.1:65536",
        "1.1.1.1.",
        "[::1]x",
        "[::1]:x",
        "",
        "1.1.1.1:53:53",
    ],
)
def test_parse_nameserver_refuses(text):
    with pytest.raises(ValueError):
        parse_nameserver(text)


@pytest.mark.parametrize(
    ("url", "host", "port", "url_origin"),
    [
        ("HTTPS://App.Example.com:443/x?y", "app.example.com", 443, "https://app.example.com"),
        ("http://h:8080/", "h", 8080, "http://h:8080"),
        ("https://example.com./", "example.com", None, "https://example.com"),
        ("http://[::1]:8000/a", "::1", 8000, "http://[::1]:8000"),
        ("https://[::1]/", "::1", None, "https://[::1]"),
        (
            "https://user:pw@bücher.example/",  # pragma: allowlist secret
            "xn--bcher-kva.example",
            None,  # pragma: allowlist secret
            "https://xn--bcher-kva.example",
        ),
        ("//example.com/path", "example.com", None, "://example.com"),
        ("/just/a/path", "", None, "://"),
    ],
)
def test_urls(url, host, port, url_origin):
    assert host_of(url) == host
    assert url_hostport(url) == HostPort(host, port)
    assert origin(url) == url_origin


def test_a_bad_url_port_is_a_value_error():
    with pytest.raises(ValueError):
        url_hostport("http://example.com:99999/")
    assert host_of("http://example.com:99999/") == "example.com"


def test_helpers():
    assert strip_port("Example.com:8443") == "example.com"
    assert strip_port("[::1]:443") == "::1"
    assert is_ip_literal("[::1]") and is_ip_literal("10.0.0.1")
    assert not is_ip_literal("example.com")
    assert normalize_host(" [FE80::1] ") == "fe80::1"
    assert normalize_host("a" * 64 + ".ü") == ("a" * 64 + ".ü")  # IDNA refuses: kept


def test_connect_target_fills_in_the_scheme_port():
    assert connect_target("https://Example.com./x") == ("example.com", 443)
    assert connect_target("http://[::1]/") == ("::1", 80)
    assert connect_target("https://example.com:8443/") == ("example.com", 8443)
    with pytest.raises(ValueError):
        connect_target("https://example.com:99999/")
