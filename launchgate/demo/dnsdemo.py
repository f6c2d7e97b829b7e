"""The demo's DNS: zones for `acme-admin.test` served by the in-process responder
(launchgate/demo/dnsserver.py) on loopback, so the dns check and the deployment map run in the
demo without knotd or network. The setup is sound but unfinished: DMARC only monitors
(p=none) and there is no CAA record, both `later` findings."""

from __future__ import annotations

from launchgate.demo.dnsserver import ZoneServer

DOMAIN = "acme-admin.test"
HOSTS = ["admin.acme-admin.test", "api.acme-admin.test"]

_SOA = "@ 300 IN SOA ns1.{ns}. hostmaster.{ns}. 1 3600 600 86400 300\n"
ZONES = {
    ".": _SOA.format(ns="root") + "@ 300 IN NS ns1.root.\n",
    "acme-admin.test.": _SOA.format(ns="cloudflare.com")
    + """\
@ 300 IN NS ns1.cloudflare.com.
@ 300 IN NS ns2.cloudflare.com.
@ 300 IN A 192.0.2.10
admin 300 IN CNAME cname.vercel-dns.com.
api 300 IN CNAME acme-api.herokudns.com.
@ 300 IN MX 1 aspmx.l.google.com.
@ 300 IN TXT "v=spf1 include:_spf.google.com include:sendgrid.net ~all"
_dmarc 300 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@acme-admin.test"
""",
    "vercel-dns.com.": _SOA.format(ns="vercel-dns.com") + "cname 300 IN A 76.76.21.21\n",
    "herokudns.com.": _SOA.format(ns="herokudns.com") + "acme-api 300 IN A 192.0.2.40\n",
    "google.com.": _SOA.format(ns="google.com")
    + """\
_spf 300 IN TXT "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ~all"
aspmx.l 300 IN A 192.0.2.25
""",
    "sendgrid.net.": _SOA.format(ns="sendgrid.net")
    + '@ 300 IN TXT "v=spf1 ip4:167.89.0.0/17 ~all"\n',
}


def demo_dns_server() -> ZoneServer:
    return ZoneServer(ZONES)


def demo_dns_config(nameserver: str) -> dict[str, object]:
    return {
        "domain": DOMAIN,
        "hosts": HOSTS,
        "nameservers": [nameserver],
        "timeout": 2,
        "dkim_selectors": [],
    }
