"""dns: the domain and app hosts resolve, no CNAME dangles or invites a subdomain takeover, and
email authentication (SPF, DMARC, DKIM, MX) and CAA are sound; plus the deployment map.

Config `checks.dns` (domain, hosts, nameservers, dkim_selectors, sends_email, timeout); hosts
default to every host named elsewhere in the config. No domain and no hosts -> skipped. Without
a domain only host resolution runs. A DNS timeout or SERVFAIL (after retries) is "could not
verify": the check ends in `error` with the findings gathered so far, never "record missing".
After a timeout no further lookups are attempted (each would wait just as long).

Facts read (written by other checks, all optional):
- `tls.certificates`: {host: {"issuer_org": str, "issuer_cn": str}} -> CAA vs the live CA.
- `http.response_headers`: {host: {header: value}} -> CDN/host in the deployment map.
Facts written: `dns.deployment_map` (the rows also in metrics.dns.deployment_map).

The steps live in `hosts` (A/AAAA, CNAME, NS), `email` (MX, DMARC, DKIM), `spf` and
`issuance` (CAA), each with its finding text; they share `state.DnsRun`. `check` runs them.
"""

from launchgate.checks.dns.check import DnsCheck

__all__ = ["DnsCheck"]
