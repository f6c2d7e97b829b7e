"""detect-secrets' judgement, fast: a provable pre-filter in front of the real plugins/filters.

Exactness by construction: every line that survives the pre-filter is judged by detect-secrets
1.5.0 itself (its default plugins and filters, called through its own `_scan_line` and
`_is_filtered_out`, verification off). The pre-filter only decides which lines are worth that
cost, and it passes every line any default plugin could flag:

* each regex-based plugin's pattern has a *necessary core* below (a literal prefix, or the
  plugin's own shape reduced to something cheap); a line the plugin flags contains that core.
  Case-insensitive plugins get case-insensitive cores; `\\w`/`\\d` are used as (Unicode)
  supersets of the plugins' character classes;
* the high-entropy plugins only look at quoted runs of their charset (`(['"])([cs]+)\\1`), and
  Shannon entropy is at most log2(distinct characters): more than 3.0 bits (hex) needs 9
  distinct characters, more than 4.5 bits (base64) needs 23. So a line needs a quoted run of
  base64-charset characters with at least 9 distinct ones (hex is a subset of that charset).

`tests/test_secrets_prefilter.py` pins the plugin/filter set (a new detect-secrets fails it)
and checks the property with generated strings for every plugin regex.

Deliberate differences from calling `detect_secrets.core.scan.scan_diff` on a patch:
* `common.is_invalid_file` is disabled: history paths are usually not in the working tree;
* `pragma: allowlist nextline secret` is judged against the real previous line of the file
  (scan_diff indexes its context by target line number into the list of *added* lines, so it
  only honours the pragma in brand-new files); the caller supplies that previous line.

On top of the judgement, `noise_reason` marks well-known non-secrets (SRI integrity hashes,
obvious placeholders, lockfiles detect-secrets does not know): the check does not report them,
but they stay visible to the parity benchmark and in the metrics.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

ENGINE_VERSION = "1"

# Lines longer than this are not judged (detect-secrets' keyword regexes backtrack
# quadratically on them); they are counted and reported in the summary instead.
MAX_LINE_CHARS = 200_000

_KEYWORDS = (
    "api_?key|auth_?key|service_?key|account_?key|db_?key|database_?key|priv_?key|"
    "private_?key|client_?key|db_?pass|database_?pass|key_?pass|password|passwd|pwd|secret|"
    "contraseña|contrasena"
)
# Necessary cores, case-insensitive (plugins compiled with re.IGNORECASE).
# (core, plugins it is necessary for). Case-insensitive cores (plugins compiled with
# re.IGNORECASE) are lower-case and searched in `fold(text)`.
_CI_CORES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (_KEYWORDS, ("KeywordDetector", "IbmCosHmacDetector")),   # IbmCosHmac needs "secret"
    (r"aws", ("AWSKeyDetector",)),                             # secret access key form
    # keyword, operator, long value: Cloudant (24/64), IBM Cloud IAM (44), SoftLayer (64)
    (r"(?:key|pw|pass|token)[\"']?\]?[ =:>]+[\"']?[\w-]{24}",
     ("CloudantDetector", "IbmCloudIamDetector", "SoftlayerDetector")),
    (r"cloudant\.com", ("CloudantDetector",)),
    (r"softlayer.com/soap", ("SoftlayerDetector",)),           # the plugin's unescaped dots
    (r"xox[abposr]-", ("SlackDetector",)),
    (r"hooks\.slack\.com/services/", ("SlackDetector",)),
    (r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]", ("IPPublicDetector",)),
)
_CS_CORES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"AKC|AP[\dA-F]", ("ArtifactoryDetector",)),
    (r"A3T|ABIA|ACCA|AKIA|ASIA", ("AWSKeyDetector",)),
    (r"AccountKey=", ("AzureStorageKeyDetector",)),
    (r"://[^:/?#\[\]@!$&'()*+,;=\s]+:[^:/?#\[\]@!$&'()*+,;=\s]+@", ("BasicAuthDetector",)),
    (r"\.[\w-]{6}\.[\w-]{27}", ("DiscordBotTokenDetector",)),
    (r"gh[pousr]_", ("GitHubTokenDetector",)),
    (r"glpat-|gldt-|glft-|glsoat-|glrt-|GR1348941|glcbt-|glimt-|glptt-|glagent-|gloas-",
     ("GitLabTokenDetector",)),
    (r"eyJ", ("JwtTokenDetector",)),
    (r"-us[0-9]", ("MailchimpDetector",)),
    (r"_authToken=", ("NpmDetector",)),
    (r"T3BlbkFJ", ("OpenAIDetector",)),
    (r"PRIVATE KEY|PuTTY-User-Key-File-2", ("PrivateKeyDetector",)),
    (r"pypi-AgE", ("PypiTokenDetector",)),
    (r"SG\.", ("SendGridDetector",)),
    (r"sq0csp-", ("SquareOAuthDetector",)),
    (r"[rs]k_live_", ("StripeDetector",)),
    (r"\d{8}:", ("TelegramBotTokenDetector",)),
    (r"AC[a-z0-9]{32}|SK[a-z0-9]{32}", ("TwilioKeyDetector",)),
)
ENTROPY_PLUGINS = ("Base64HighEntropyString", "HexHighEntropyString")
PREFILTERED_PLUGINS = frozenset(
    [n for _c, names in _CI_CORES + _CS_CORES for n in names] + list(ENTROPY_PLUGINS))
# Each core is searched on its own: an alternation of them defeats the regex engine's
# literal-prefix scan and runs 5x slower. Case-insensitive cores run on `fold(text)`.
CI_PREFILTERS = tuple((re.compile(c), frozenset(n)) for c, n in _CI_CORES)
CS_PREFILTERS = tuple((re.compile(c), frozenset(n)) for c, n in _CS_CORES)
_ENTROPY = frozenset(ENTROPY_PLUGINS)
_HEX = frozenset("0123456789abcdefABCDEF")
_B64 = r"A-Za-z0-9+/\-_="
QUOTED_PREFILTER = re.compile(rf"(['\"])([{_B64}]{{9,}})\1")
MIN_DISTINCT_HEX = 9      # entropy > 3.0 bits needs more than 2**3 distinct characters
MIN_DISTINCT_B64 = 23     # entropy > 4.5 bits needs more than 2**4.5 distinct characters

# Well-known non-secrets that detect-secrets flags (reported as noise, never as findings).
_SRI = re.compile(r"^sha(?:256|384|512)-[A-Za-z0-9+/]{43,86}={0,2}$")
_SRI_LINE = re.compile(r"integrity\s*[=:]", re.IGNORECASE)
_PLACEHOLDER_WORDS = ("example", "placeholder", "changeme", "change_me", "change-me", "your_",
                      "your-", "yourpassword", "dummy", "redacted", "xxxx", "****", "todo",
                      "replace_me", "replace-me", "fixme", "fake")
_EXTRA_LOCKFILES = frozenset({"pnpm-lock.yaml", "npm-shrinkwrap.json", "uv.lock", "go.sum",
                              "bun.lock", "mix.lock", "pubspec.lock", "flake.lock",
                              "gradle.lockfile", "Package.resolved", "conda-lock.yml"})


@dataclass(frozen=True)
class RawHit:
    """One secret detect-secrets reports on a line: type and sha1 (never the value);
    `noise` names why launchgate does not report it ("" when it is reported)."""

    type: str
    hashed_secret: str
    noise: str = ""


def fold(text: str) -> str:
    """Lower-case `text` keeping every offset, so that a case-sensitive search for a lower-case
    ASCII core on the result finds every re.IGNORECASE match on `text`. Besides str.lower(),
    Python's IGNORECASE equates U+0130, U+0131 (i) and U+017F (s) with ASCII letters (U+212A
    lowers to k); U+0130 is the one character whose lower() is two characters long."""
    if text.isascii():
        return text.lower()
    if "\u0130" in text:
        text = text.replace("\u0130", "i")
    low = text.lower()
    if "\u0131" in low:
        low = low.replace("\u0131", "i")
    if "\u017f" in low:
        low = low.replace("\u017f", "s")
    return low


def could_contain_secret(line: str) -> bool:
    """The pre-filter for one line: False only when no enabled plugin can flag it."""
    return bool(candidate_lines(line))


def plugins_for_line(line: str) -> frozenset[str]:
    """The plugins whose necessary core occurs in `line` (the only ones worth running)."""
    found = candidate_lines(line)
    return next(iter(found.values())) if found else frozenset()


def _entropy_candidate(run: str) -> bool:
    distinct = set(run)
    if len(distinct) >= MIN_DISTINCT_B64:
        return True
    return len(distinct) >= MIN_DISTINCT_HEX and distinct <= _HEX


def candidate_lines(text: str) -> dict[int, frozenset[str]]:
    """Start offset of each line of `text` that passes the pre-filter -> the plugins whose
    core it contains. No core matches across a newline, so each match marks one line."""
    found: dict[int, frozenset[str]] = {}
    rfind = text.rfind
    folded = fold(text)
    for haystack, regexes in ((folded, CI_PREFILTERS), (text, CS_PREFILTERS)):
        for regex, names in regexes:
            for match in regex.finditer(haystack):
                start = rfind("\n", 0, match.start()) + 1
                previous = found.get(start)
                found[start] = names if previous is None else previous | names
    pos = 0
    search = QUOTED_PREFILTER.search
    while True:
        match = search(text, pos)
        if match is None:
            break
        if _entropy_candidate(match.group(2)):
            start = rfind("\n", 0, match.start()) + 1
            previous = found.get(start)
            found[start] = _ENTROPY if previous is None else previous | _ENTROPY
            line_end = text.find("\n", match.start())
            pos = len(text) if line_end < 0 else line_end + 1
        else:
            pos = match.start() + 1  # overlapping starts: a later quote may open another run
    return found


def path_matches(path: str, globs: tuple[str, ...]) -> bool:
    """`exclude_paths` semantics: fnmatch on the repo-relative path (`*` crosses `/`), or on
    any leading directory (so `vendor` and `vendor/*` both exclude the tree)."""
    if not globs:
        return False
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(p, g) for g in globs for p in prefixes)


class Engine:
    """detect-secrets 1.5.0's default plugins and filters, configured once per process."""

    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import get_plugins, get_settings

        settings = get_settings()
        settings.clear()
        settings.configure_plugins([{"name": cls.__name__} for cls in
                                    get_mapping_from_secret_type_to_class().values()])
        settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
        self._plugins = get_plugins()
        unknown = {type(p).__name__ for p in self._plugins} - PREFILTERED_PLUGINS
        if unknown:  # a detect-secrets upgrade added a plugin the pre-filter knows nothing of
            raise RuntimeError(f"no pre-filter for detect-secrets plugin(s) {sorted(unknown)}")
        self._judged: dict[tuple[str, str], tuple[RawHit, ...]] = {}
        self.settings_key = self._settings_key()

    @staticmethod
    def _settings_key() -> str:
        from detect_secrets.__version__ import VERSION
        from detect_secrets.settings import get_settings

        blob = json.dumps({"engine": ENGINE_VERSION, "detect_secrets": VERSION,
                           "settings": get_settings().json(), "max_line": MAX_LINE_CHARS},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @staticmethod
    def settings_json() -> dict[str, object]:
        from detect_secrets.settings import get_settings

        data: dict[str, object] = get_settings().json()
        return data

    def path_is_scanned(self, path: str) -> bool:
        return _path_is_scanned(path)

    def judge(self, path: str, line: str,
              plugins: frozenset[str] | None = None) -> tuple[RawHit, ...]:
        """Secrets detect-secrets reports on `line` of a file named `path`, judged with an
        empty previous line (see `allowlisted_by_previous`). `plugins` are the plugins whose
        pre-filter core the line contains (computed when not given): the others cannot flag
        it. Memoized: identical added lines of one path are judged once."""
        key = (path, line)
        cached = self._judged.get(key)
        if cached is None:
            names = plugins_for_line(line) if plugins is None else plugins
            cached = self._judge(path, line, names) if names else ()
            if len(self._judged) > 200_000:
                self._judged.clear()
            self._judged[key] = cached
        return cached

    def _judge(self, path: str, raw_line: str, names: frozenset[str]) -> tuple[RawHit, ...]:
        # detect-secrets' _process_line_based_plugins for one line, with the plugins that can
        # match it. Its line filters short-circuit the whole line, so running them only when a
        # plugin found something gives the same answer.
        from detect_secrets.core.scan import _is_filtered_out, _scan_line
        from detect_secrets.util.code_snippet import get_code_snippet

        line = raw_line.rstrip()
        context = get_code_snippet(lines=[raw_line], line_number=1)
        hits: dict[tuple[str, str], RawHit] = {}
        for plugin in self._plugins:
            if type(plugin).__name__ not in names:
                continue
            for secret in _scan_line(plugin=plugin, filename=path, line=line, line_number=1,
                                     context=context):
                if _is_filtered_out(required_filter_parameters=["context"],
                                    filename=secret.filename, secret=secret.secret_value,
                                    plugin=plugin, line=line, context=context):
                    continue
                value = secret.secret_value or ""
                noise = noise_reason(path, line, value)
                hits[(secret.type, secret.secret_hash)] = RawHit(secret.type,
                                                                  secret.secret_hash, noise)
        if hits and _is_filtered_out(required_filter_parameters=["line"], filename=path,
                                     line=line, context=context):
            return ()
        return tuple(sorted(hits.values(), key=lambda h: (h.type, h.hashed_secret)))

    @staticmethod
    def allowlisted_by_previous(path: str, line: str, previous: str) -> bool:
        """`pragma: allowlist nextline secret` on the line before (detect-secrets' own regex)."""
        from detect_secrets.filters.allowlist import is_line_allowlisted
        from detect_secrets.util.code_snippet import get_code_snippet

        context = get_code_snippet(lines=[previous, line], line_number=2)
        return bool(is_line_allowlisted(path, line.rstrip(), context))

    def scan_lines(self, path: str, lines: list[str]) -> Iterator[tuple[int, RawHit]]:
        """Judge whole-file content (1-based line numbers), with real previous lines."""
        if not self.path_is_scanned(path):
            return
        for index, line in enumerate(lines):
            if len(line) > MAX_LINE_CHARS:
                continue
            hits = self.judge(path, line)
            if hits and index and self.allowlisted_by_previous(path, line, lines[index - 1]):
                continue
            for hit in hits:
                yield index + 1, hit


@lru_cache(maxsize=65536)
def _path_is_scanned(path: str) -> bool:
    from detect_secrets.core.scan import _is_filtered_out

    return not _is_filtered_out(required_filter_parameters=["filename"], filename=path)


def noise_reason(path: str, line: str, value: str) -> str:
    """Why a detect-secrets hit is a well-known non-secret ("" when it may be real)."""
    if os.path.basename(path) in _EXTRA_LOCKFILES:
        return "lockfile"
    if _SRI.match(value) or (_SRI_LINE.search(line) and value.startswith(("sha256-", "sha384-",
                                                                          "sha512-"))):
        return "sri-hash"
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(lowered)) <= 2:
        return "placeholder"
    return ""
