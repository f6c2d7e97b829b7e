"""exposure: what the public can reach that it should not.

- `protected_paths` are requested WITHOUT credentials and must answer 401/403 or lead to a
  login page; 200 with data -> blocker. The configured global `headers` ARE sent (they open a
  preview's own protection, e.g. a Vercel bypass token, which is not the app's auth), except
  `Authorization`, `Cookie` and `Proxy-Authorization`, which are dropped for these probes.
- `staging_hosts` are requested like a stranger would: no configured headers at all, and a
  broken certificate does not count as protection. Serving the app (anything but 401/403, a
  login page, or a redirect to another host such as an SSO provider) -> blocker. A host that
  does not answer, or resolves to a private address, is not public: no finding.
- CORS on `cors_paths` with a foreign Origin: the origin reflected together with
  `Access-Control-Allow-Credentials: true` -> blocker; reflected without credentials, or `*`
  -> important.
- Mixed content on the https page (`url`): http:// scripts, stylesheets, frames, forms ->
  blocker; http:// images and media -> important.
- Secrets in client-side code (`scan_bundles`): the page's inline scripts, its same-site
  scripts and their source maps (bounded count and size; the configured headers go only to the
  exact configured hosts, never to other subdomains) are scanned with the secrets engine
  (detect-secrets' plugins). Hits -> blocker with type, URL, line and a short fingerprint,
  never the value. Entropy-only detectors are ignored here: minified bundles are full of
  hashes and inline images that look random.

Facts: none written or read.

One module per probe (`protected`, `cors`, `mixed_content`, `bundles`, `staging`), what they
share in `probe`, and the check that runs them in `check`.
"""

from launchgate.checks.exposure.check import ExposureCheck

__all__ = ["ExposureCheck"]
