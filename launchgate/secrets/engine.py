"""detect-secrets' judgement, fast: a provable pre-filter in front of the real plugins/filters.

Exactness by construction: every line that survives the pre-filter is judged by detect-secrets
1.5.0 itself (its default plugins and filters, or those a repository's baseline configures,
called through its own `_scan_line` and `_is_filtered_out`, verification off). The
pre-filter only decides which lines are worth that cost, and it passes every line any
enabled plugin could flag:

* each regex-based plugin's pattern has a *necessary core* below (a literal prefix, or the
  plugin's own shape reduced to something cheap); a line the plugin flags contains that core.
  Case-insensitive plugins get case-insensitive cores; `\\w`/`\\d` are used as (Unicode)
  supersets of the plugins' character classes;
* the high-entropy plugins only look at quoted runs of their charset (`(['"])([cs]+)\\1`), and
  Shannon entropy is at most log2(distinct characters): more than L bits needs more than 2**L
  distinct characters (23 for base64 at 4.5, 9 for hex at 3.0; one fewer is allowed for
  float rounding). Charsets and limits are read from the configured plugin objects
  (`Prefilter.for_plugins`), never retyped, so a charset change in detect-secrets or a
  baseline's own limit cannot make the pre-filter unsound.

Lines over MAX_LINE_CHARS are judged in overlapping tiles around the pre-filter's matches
(`Engine._judge_long`). Each hit also carries `value_id`, a salted sha256 of the whole
secret (`secret_id`): detect-secrets' hash covers only what a regex captures (every GitHub
token hashes as sha1("ghp")), so it cannot tell secrets apart.

`tests/secrets/test_secrets_prefilter.py` pins the plugin/filter set (a new detect-secrets fails it)
and checks the property with generated strings for every plugin regex.

Deliberate differences from calling `detect_secrets.core.scan.scan_diff` on a patch:
* `common.is_invalid_file` is disabled: history paths are usually not in the working tree;
* a baseline's empty `plugins_used` / `filters_used` list means the defaults (detect-secrets
  would scan with no plugin and pass);
* `pragma: allowlist nextline secret` is judged against the real previous line of the file
  (scan_diff indexes its context by target line number into the list of *added* lines, so it
  only honours the pragma in brand-new files); the caller supplies that previous line.

On top of the judgement, `noise_reason` marks well-known non-secrets (SRI integrity hashes,
obvious placeholders, lockfiles detect-secrets does not know): the check does not report them,
but they stay visible to the parity benchmark and in the metrics.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from launchgate.errors import LaunchgateError

ENGINE_VERSION = "2"

# Lines longer than this (minified bundles, generated data) are judged in windows around each
# pre-filter match: detect-secrets needs seconds per megabyte on the whole line.
MAX_LINE_CHARS = 1_000_000

# KeywordDetector's denylist (lower-case; searched in ASCII-lower-cased bytes, so the one
# non-ASCII letter is spelled in both cases).
_KEYWORDS = (
    rb"api_?key|auth_?key|service_?key|account_?key|db_?key|database_?key|priv_?key|"
    rb"private_?key|client_?key|db_?pass|database_?pass|key_?pass|password|passwd|pwd|secret|"
    rb"contrase(?:\xc3\xb1|\xc3\x91)a|contrasena"
)
# The pre-filter works on the raw UTF-8 bytes of git's output, where a Unicode character is
# 1-4 bytes: a Unicode class of the plugins (\w, \d, case-insensitive letters) is widened to
# its ASCII part plus any non-ASCII byte, which accepts a superset.
_W = rb"[\w\x80-\xff-]"
# Case-insensitive plugins: literal triggers (fast scans of the lower-cased bytes), then the
# triggered line is checked against the verifying patterns, each necessary for its plugins.
_CI_TRIGGERS = (rb"key", rb"pass", rb"pw", rb"secret", rb"contrase", rb"token")
_CI_VERIFY: tuple[tuple[bytes, tuple[str, ...]], ...] = (
    (_KEYWORDS, ("KeywordDetector", "IbmCosHmacDetector")),  # IbmCosHmac needs "secret"
    # keyword, operator, long value: Cloudant (24/64), IBM Cloud IAM (44), SoftLayer (64)
    (
        rb"(?:key|pwd|pw|password|pass|token)[\"']?\]?[ =:>]+[\"']?" + _W + rb"{24}",
        ("CloudantDetector", "IbmCloudIamDetector", "SoftlayerDetector"),
    ),
)
# Case-insensitive plugins with a literal core of their own (searched in lower-cased bytes).
_CI_CORES: tuple[tuple[bytes, tuple[str, ...]], ...] = (
    (rb"aws", ("AWSKeyDetector",)),  # secret access key form
    (rb"cloudant\.com", ("CloudantDetector",)),
    (rb"softlayer.{1,4}com/soap", ("SoftlayerDetector",)),  # the plugin's unescaped dots
    (rb"xox[abposr]-", ("SlackDetector",)),
    (rb"hooks\.slack\.com/services/", ("SlackDetector",)),
)
# Case-sensitive plugins (and case-free cores), searched in the raw bytes.
_CS_CORES: tuple[tuple[bytes, tuple[str, ...]], ...] = (
    (rb"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]", ("IPPublicDetector",)),
    (rb"AKC|AP[0-9A-F\x80-\xff]", ("ArtifactoryDetector",)),
    (rb"A3T|ABIA|ACCA|AKIA|ASIA", ("AWSKeyDetector",)),
    (rb"AccountKey=", ("AzureStorageKeyDetector",)),
    (rb"://[^:/?#\[\]@!$&'()*+,;=\s]+:[^:/?#\[\]@!$&'()*+,;=\s]+@", ("BasicAuthDetector",)),
    # 6 characters are 6 to 24 bytes (UTF-8 spends up to 4 bytes on a Unicode digit)
    (rb"\." + _W + rb"{6,24}\." + _W + rb"{27}", ("DiscordBotTokenDetector",)),
    (rb"gh[pousr]_", ("GitHubTokenDetector",)),
    (rb"gl[a-z]{2,5}-", ("GitLabTokenDetector",)),
    (rb"GR1348941", ("GitLabTokenDetector",)),
    (rb"eyJ", ("JwtTokenDetector",)),
    (rb"-us[0-9]", ("MailchimpDetector",)),
    (rb"_authToken=", ("NpmDetector",)),
    (rb"T3BlbkFJ", ("OpenAIDetector",)),
    (rb"PRIVATE KEY|PuTTY-User-Key-File-2", ("PrivateKeyDetector",)),  # pragma: allowlist secret
    (rb"pypi-AgE", ("PypiTokenDetector",)),
    (rb"SG\.", ("SendGridDetector",)),
    (rb"sq0csp-", ("SquareOAuthDetector",)),
    (rb"k_live_", ("StripeDetector",)),
    (rb":(?<=[0-9\x80-\xff]{8}:)", ("TelegramBotTokenDetector",)),
    (rb"AC[a-z0-9]{32}", ("TwilioKeyDetector",)),
    (rb"SK[a-z0-9]{32}", ("TwilioKeyDetector",)),
)
# Python's IGNORECASE equates these non-ASCII letters with ASCII ones (U+0130 and U+0131
# with i, U+017F with s, U+212A with k); bytes.lower() does not, so a line holding one is a
# candidate for every case-insensitive plugin.
_FOLD_SPECIAL = tuple(
    re.compile(re.escape(c)) for c in (b"\xc4\xb0", b"\xc4\xb1", b"\xc5\xbf", b"\xe2\x84\xaa")
)
ENTROPY_PLUGINS = ("Base64HighEntropyString", "HexHighEntropyString")
_CI_PLUGINS = frozenset(n for _c, names in _CI_VERIFY + _CI_CORES for n in names)
PREFILTERED_PLUGINS = frozenset(
    [n for _c, names in _CI_VERIFY + _CI_CORES + _CS_CORES for n in names] + list(ENTROPY_PLUGINS)
)

# Each core is searched on its own: an alternation of them defeats the regex engine's
# literal-prefix scan and runs several times slower.
_TRIGGERS = tuple(re.compile(t) for t in _CI_TRIGGERS)
_VERIFIERS = tuple((re.compile(c), frozenset(n)) for c, n in _CI_VERIFY)
CI_PREFILTERS = tuple((re.compile(c), frozenset(n)) for c, n in _CI_CORES)
CS_PREFILTERS = tuple((re.compile(c), frozenset(n)) for c, n in _CS_CORES)
_ENTROPY = frozenset(ENTROPY_PLUGINS)
# Default entropy limits (the plugins' own defaults; a baseline may set others).
DEFAULT_LIMITS = {"Base64HighEntropyString": 4.5, "HexHighEntropyString": 3.0}

# detect-secrets accepts `allowlist` and the older `whitelist` in a same-line pragma.
_PRAGMA_COMMENT = re.compile(
    r"\s*(?:#|//|/\*|--|<!--|')[ \t]*pragma: ?(?:allow|white)list[ -]secret.*$"
)
_PRAGMA_WORDS = ("allowlist", "whitelist")

# Well-known non-secrets that detect-secrets flags (reported as noise, never as findings).
_SRI = re.compile(r"^sha(?:256|384|512)-[A-Za-z0-9+/]{43,86}={0,2}$")
_SRI_LINE = re.compile(r"integrity\s*[=:]", re.IGNORECASE)
_PLACEHOLDER_WORDS = (
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourpassword",
    "dummy",
    "redacted",
    "xxxx",
    "****",
    "todo",
    "replace_me",
    "replace-me",
    "fixme",
    "fake",
)
_EXTRA_LOCKFILES = frozenset(
    {
        "pnpm-lock.yaml",
        "npm-shrinkwrap.json",
        "uv.lock",
        "go.sum",
        "bun.lock",
        "mix.lock",
        "pubspec.lock",
        "flake.lock",
        "gradle.lockfile",
        "Package.resolved",
        "conda-lock.yml",
    }
)
# A value made of one or two distinct characters ("xxxxxxxx", "abababab") is a placeholder,
# but only from this length on: a short password like "q9" is real (detect-secrets has no such
# rule at all; launchgate keeps as close to it as it can).
_PLACEHOLDER_MIN_LEN = 4


# Every rule table above, hashed into the cache key: changing a rule starts a fresh cache
# without anyone remembering to bump ENGINE_VERSION.
RULES_DIGEST = hashlib.sha256(
    repr(
        (
            _KEYWORDS,
            _CI_TRIGGERS,
            _CI_VERIFY,
            _CI_CORES,
            _CS_CORES,
            [p.pattern for p in _FOLD_SPECIAL],
            _PRAGMA_COMMENT.pattern,
            _SRI.pattern,
            _SRI_LINE.pattern,
            _PLACEHOLDER_WORDS,
            sorted(_EXTRA_LOCKFILES),
            _PLACEHOLDER_MIN_LEN,
        )
    ).encode()
).hexdigest()[:16]


@dataclass(frozen=True)
class RawHit:
    """One secret detect-secrets reports on a line: type and sha1 (never the value);
    `noise` names why launchgate does not report it ("" when it is reported)."""

    type: str
    hashed_secret: str
    noise: str = ""
    value_id: str = ""  # secret_id(): tells apart values detect-secrets hashes alike


@dataclass(frozen=True)
class EntropyRule:
    """One high-entropy plugin as the pre-filter sees it: its own charset (read from the
    plugin instance, never retyped) and the fewest distinct characters that can exceed its
    limit (Shannon entropy is at most log2(distinct characters))."""

    name: str
    charset: frozenset[int]
    min_distinct: int


@dataclass(frozen=True)
class DerivedCore:
    """A necessary literal set of launchgate plugins' regexes (see `literals`), compiled:
    every line one of `plugins` flags contains one of the strings (`folded`: in the
    ASCII-lower-cased line)."""

    regex: re.Pattern[bytes]
    plugins: frozenset[str]
    folded: bool


@dataclass(frozen=True)
class Prefilter:
    """The pre-filter's configured part: the entropy rules, and the cores derived from
    launchgate's own plugins (both read from the plugin objects the engine runs)."""

    entropy: tuple[EntropyRule, ...]
    quoted: re.Pattern[bytes]
    min_run: int
    cores: tuple[DerivedCore, ...] = ()

    @property
    def folded_plugins(self) -> frozenset[str]:
        return frozenset(n for core in self.cores if core.folded for n in core.plugins)

    @property
    def derived_plugins(self) -> frozenset[str]:
        return frozenset(n for core in self.cores for n in core.plugins)

    @classmethod
    def for_plugins(cls, plugins: list[object]) -> Prefilter:
        rules = []
        for plugin in plugins:
            charset = getattr(plugin, "charset", None)
            limit = getattr(plugin, "entropy_limit", None)
            if charset is None or limit is None:
                continue
            rules.append(
                EntropyRule(
                    type(plugin).__name__,
                    frozenset(charset.encode("ascii")),
                    min_distinct_for(float(limit)),
                )
            )
        cores = derive_cores(plugins)
        if not rules:
            return cls((), re.compile(rb"(?!)"), 1, cores)
        union = sorted(frozenset().union(*(r.charset for r in rules)))
        char_class = re.escape(bytes(union))
        min_run = min(r.min_distinct for r in rules)
        quoted = re.compile(rb"(['\"])([" + char_class + rb"]{" + str(min_run).encode() + rb",})\1")
        return cls(tuple(rules), quoted, min_run, cores)

    def entropy_plugins(self, run: bytes) -> frozenset[str]:
        distinct = set(run)
        return frozenset(
            r.name
            for r in self.entropy
            if len(distinct) >= r.min_distinct and distinct <= r.charset
        )

    def key(self) -> list[object]:
        entropy: list[object] = [
            [r.name, bytes(sorted(r.charset)).decode(), r.min_distinct] for r in self.entropy
        ]
        return entropy + [
            [c.regex.pattern.decode(), sorted(c.plugins), c.folded] for c in self.cores
        ]


def derive_cores(plugins: list[object]) -> tuple[DerivedCore, ...]:
    """The pre-filter cores of launchgate's plugins among `plugins`: for each regex, its
    necessary literals (`literals.necessary_literals`); plugins sharing a literal set share
    one search. A plugin without a usable literal raises `EngineSettingsError`."""
    from launchgate.secrets.literals import NoLiteral, necessary_literals, search_patterns
    from launchgate.secrets.plugins import LaunchgateDetector

    grouped: dict[tuple[frozenset[str], bool], set[str]] = {}
    for plugin in plugins:
        if not isinstance(plugin, LaunchgateDetector):
            continue
        for regex in plugin.denylist:
            try:
                found = necessary_literals(regex)
            except NoLiteral as exc:
                raise EngineSettingsError(
                    f"no pre-filter for {type(plugin).__name__}: {exc}"
                ) from None
            grouped.setdefault((found.strings, found.folded), set()).add(type(plugin).__name__)
    cores = []
    for (strings, folded), names in sorted(grouped.items(), key=lambda item: sorted(item[0][0])):
        for pattern in search_patterns(strings):
            cores.append(DerivedCore(re.compile(pattern), frozenset(names), folded))
    return tuple(cores)


def min_distinct_for(limit: float) -> int:
    """Fewest distinct characters whose entropy can exceed `limit` bits (a hair lower than
    exact, so a float rounding can never make the bound unsound)."""
    return max(1, math.floor(2**limit * (1 - 1e-9)) + 1)


@lru_cache(maxsize=1)
def default_prefilter() -> Prefilter:
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    from launchgate.secrets.plugins import plugin_classes

    return Prefilter.for_plugins(
        [Base64HighEntropyString(), HexHighEntropyString(), *(cls() for cls in plugin_classes())]
    )


def could_contain_secret(line: str, prefilter: Prefilter | None = None) -> bool:
    """The pre-filter for one line: False only when no enabled plugin can flag it."""
    return bool(plugins_for_line(line, prefilter))


def plugins_for_line(line: str, prefilter: Prefilter | None = None) -> frozenset[str]:
    """The plugins whose necessary core occurs in `line` (the only ones worth running)."""
    found = candidate_lines(
        line.encode("utf-8", errors="surrogatepass").replace(b"\n", b" "), prefilter
    )
    return next(iter(found.values())) if found else frozenset()


def candidate_lines(data: bytes, prefilter: Prefilter | None = None) -> dict[int, frozenset[str]]:
    """Start offset of each line of `data` (UTF-8) that passes the pre-filter -> the plugins
    whose core it contains. No core matches across a newline, so a match marks one line."""
    found: dict[int, frozenset[str]] = {}
    line_start = _LineStarts(data)

    def mark(position: int, names: frozenset[str]) -> None:
        start = line_start(position)
        previous = found.get(start)
        found[start] = names if previous is None else previous | names

    for position, _end, names in _core_matches(
        data, prefilter or default_prefilter(), whole_lines=True
    ):
        mark(position, names)
    return found


def candidate_spans(
    data: bytes, prefilter: Prefilter | None = None
) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, plugins) of every pre-filter match in `data` (one long line): the places
    a plugin could flag, for judging a huge line in windows."""
    return list(_core_matches(data, prefilter or default_prefilter(), whole_lines=False))


class _LineStarts:
    """The start of the line holding a position. Each regex yields its matches in increasing
    order, so each lookup searches back only to the previous position: on one huge line
    (an 11 MB minified file) a plain `rfind` back to the line's start for every match is
    quadratic."""

    def __init__(self, data: bytes) -> None:
        self._rfind = data.rfind
        self._position = 0
        self._start = 0

    def __call__(self, position: int) -> int:
        if position < self._position:  # a new regex's matches: start over
            self._start = self._rfind(b"\n", 0, position) + 1
        else:
            newline = self._rfind(b"\n", self._position, position)
            if newline >= 0:
                self._start = newline + 1
        self._position = position
        return self._start


def _core_matches(
    data: bytes, prefilter: Prefilter, whole_lines: bool
) -> Iterator[tuple[int, int, frozenset[str]]]:
    find = data.find
    folded = data.lower()
    if whole_lines:
        triggered: set[int] = set()
        line_start = _LineStarts(data)
        for trigger in _TRIGGERS:
            for match in trigger.finditer(folded):
                triggered.add(line_start(match.start()))
        for start in triggered:
            end = find(b"\n", start)
            end = len(data) if end < 0 else end
            for regex, names in _VERIFIERS:
                if regex.search(folded, start, end):
                    yield start, end, names
    else:
        for regex, names in _VERIFIERS:
            for match in regex.finditer(folded):
                yield match.start(), match.end(), names
    for haystack, regexes in ((folded, CI_PREFILTERS), (data, CS_PREFILTERS)):
        for regex, names in regexes:
            for match in regex.finditer(haystack):
                yield match.start(), match.end(), names
    for core in prefilter.cores:
        for match in core.regex.finditer(folded if core.folded else data):
            yield match.start(), match.end(), core.plugins
    ci_plugins = _CI_PLUGINS | prefilter.folded_plugins
    for special in _FOLD_SPECIAL:
        for match in special.finditer(data):
            yield match.start(), match.end(), ci_plugins
    pos = 0
    search = prefilter.quoted.search
    while True:
        quoted = search(data, pos)
        if quoted is None:
            break
        names = prefilter.entropy_plugins(quoted.group(2))
        if names:
            yield quoted.start(), quoted.end(), names
            if whole_lines:
                # The line is a candidate for `names`; only a later run that another plugin
                # accepts can add to that (a base64 run first must not hide a hex secret).
                line_end = find(b"\n", quoted.start())
                line_end = len(data) if line_end < 0 else line_end
                for rule in prefilter.entropy:
                    if rule.name not in names:
                        later = _later_run(data, rule, quoted.end() - 1, line_end)
                        if later is not None:
                            yield later, line_end, frozenset({rule.name})
                pos = line_end + 1
                continue
            pos = quoted.end() - 1  # the closing quote may open the next run
        else:
            pos = quoted.start() + 1  # overlapping starts: a later quote may open another run


@functools.lru_cache(maxsize=16)
def _run_regex(charset: frozenset[int], min_run: int) -> re.Pattern[bytes]:
    """A quoted run of one plugin's charset; the closing quote is only looked at, so it can
    open the next run (`'ab'cd'` holds two)."""
    char_class = re.escape(bytes(sorted(charset)))
    return re.compile(rb"(['\"])([" + char_class + rb"]{" + str(min_run).encode() + rb",})(?=\1)")


def _later_run(data: bytes, rule: EntropyRule, start: int, end: int) -> int | None:
    """Where a quoted run between `start` and `end` that `rule` can accept begins, if any."""
    for match in _run_regex(rule.charset, rule.min_distinct).finditer(data, start, end):
        if len(set(match.group(2))) >= rule.min_distinct:
            return match.start()
    return None


def path_matches(path: str, globs: tuple[str, ...]) -> bool:
    """`exclude_paths` semantics: fnmatch on the repo-relative path (`*` crosses `/`), or on
    any leading directory (so `vendor` and `vendor/*` both exclude the tree)."""
    if not globs:
        return False
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(p, g) for g in globs for p in prefixes)


class EngineSettingsError(LaunchgateError):
    """A baseline asks for detect-secrets settings the engine cannot honour exactly."""


# A line over MAX_LINE_CHARS is cut into tiles of WINDOW_CHARS bytes that overlap by
# WINDOW_OVERLAP; each tile holding a pre-filter match is judged as a line of its own. The
# tile is chosen so that WINDOW_BEFORE bytes before the match are in it too: a core is not
# always where a secret starts (OpenAI's `T3BlbkFJ` sits in the middle of the key). Only a
# quoted high-entropy run can be longer than the overlap: it gets a window of its own.
WINDOW_CHARS = 8192
WINDOW_OVERLAP = 1024
WINDOW_BEFORE = 256


class Engine:
    """detect-secrets 1.5.0's plugins and filters, configured once per process.

    `baseline`: a detect-secrets baseline whose settings to honour the way `detect-secrets-hook
    --baseline` does (`plugins_used`: only those plugins, with their limits; `filters_used`:
    its regex exclusions and other filters). Without one: every default plugin and filter.
    """

    def __init__(self, baseline: dict[str, Any] | None = None) -> None:
        from detect_secrets.settings import get_plugins

        from launchgate.secrets.plugins import by_name

        self._source, self._own = _settings_source(baseline)
        try:
            self._configure()
            self._plugins = [*get_plugins(), *(by_name()[n]() for n in self._own)]
        except (TypeError, ValueError, KeyError, ImportError, OSError) as exc:
            # e.g. a plugin this detect-secrets does not have, a limit out of range
            Engine()  # leave detect-secrets configured with the defaults
            raise EngineSettingsError(
                "the baseline's detect-secrets settings cannot be used: "
                + (str(exc)[:200] or _unknown_plugins(self._source))
            ) from None
        unknown = {type(p).__name__ for p in self._plugins} - PREFILTERED_PLUGINS - set(self._own)
        if unknown:  # a custom plugin, or a detect-secrets upgrade the pre-filter predates
            raise EngineSettingsError(
                f"no pre-filter for detect-secrets plugin(s) {sorted(unknown)}"
            )
        self.prefilter = Prefilter.for_plugins(list(self._plugins))
        self._judged: dict[tuple[str | int, ...], tuple[tuple[RawHit, ...], bool]] = {}
        self.settings_key = self._settings_key()

    def _configure(self) -> None:
        from detect_secrets.filters import regex
        from detect_secrets.settings import (
            cache_bust,
            configure_settings_from_baseline,
            get_settings,
        )

        cache_bust()  # also replaces the settings singleton: configure the new one after
        for cached in (
            regex._get_line_exclusion_regex,
            regex._get_file_exclusion_regex,
            regex._get_secret_exclusion_regex,
        ):
            cached.cache_clear()
        get_settings().clear()
        configure_settings_from_baseline(self._source)
        get_settings().disable_filters("detect_secrets.filters.common.is_invalid_file")
        _path_is_scanned.cache_clear()

    def activate(self) -> None:
        """Re-assert the engine's detect-secrets settings (process-global in detect-secrets):
        another engine, or code that used `detect_secrets.settings.default_settings()`,
        may have changed them meanwhile."""
        if self.settings_key != self._settings_key():
            self._configure()
            self._judged.clear()

    def _settings_key(self) -> str:
        from detect_secrets.__version__ import VERSION
        from detect_secrets.settings import get_settings

        from launchgate import __version__
        from launchgate.secrets.plugins import rules_digest

        settings = get_settings()
        blob = json.dumps(
            {
                "engine": ENGINE_VERSION,
                "launchgate": __version__,
                "rules": RULES_DIGEST,
                "detect_secrets": VERSION,
                "own_plugins": [self._own, rules_digest()],
                "value_id": [_SECRET_ID_SALT.decode(), _MIN_OWN_VALUE],
                "plugins": settings.plugins,
                "filters": settings.filters,
                "max_line": MAX_LINE_CHARS,
                "window": [WINDOW_CHARS, WINDOW_OVERLAP, WINDOW_BEFORE],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def settings_json(self) -> dict[str, object]:
        """The settings as a baseline records them: detect-secrets' own, plus launchgate's
        plugins the way `detect-secrets scan --plugin` records a custom plugin (a `path`,
        relative: see `launchgate.secrets.plugins`)."""
        from detect_secrets.settings import get_settings

        from launchgate.secrets.plugins import baseline_path, by_name

        data: dict[str, Any] = get_settings().json()
        own = [{"name": name, "path": baseline_path(by_name()[name])} for name in self._own]
        data["plugins_used"] = sorted(
            [*data["plugins_used"], *own], key=lambda entry: str(entry["name"]).lower()
        )
        return data

    def path_is_scanned(self, path: str) -> bool:
        return _path_is_scanned(path)

    def judge(
        self, path: str, line: str, plugins: frozenset[str] | None = None
    ) -> tuple[RawHit, ...]:
        """Secrets detect-secrets reports on `line` of a file named `path`, judged with an
        empty previous line (see `allowlisted_by_previous`). `plugins` are the plugins whose
        pre-filter core the line contains (computed when not given): the others cannot flag
        it. Memoized: identical added lines of one path are judged once."""
        hits, allowlisted = self._judged_line(path, line, plugins)
        return () if allowlisted else hits

    def judge_ignoring_pragmas(self, path: str, line: str) -> tuple[tuple[RawHit, ...], bool]:
        """(hits as if the line had no `pragma: allowlist secret`, whether it has one)."""
        return self._judged_line(path, line, None)

    def _judged_line(
        self, path: str, line: str, plugins: frozenset[str] | None
    ) -> tuple[tuple[RawHit, ...], bool]:
        # a huge line is remembered by its digest, not kept itself (the history and the
        # files at head hold the same minified bundle)
        long = len(line) > MAX_LINE_CHARS
        key: tuple[str | int, ...] = (
            (path, hashlib.sha256(line.encode("utf-8", "surrogatepass")).hexdigest(), len(line))
            if long
            else (path, line)
        )
        cached = self._judged.get(key)
        if cached is None and long:
            cached = self._judge_long(path, line)
        elif cached is None:
            names = plugins_for_line(line, self.prefilter) if plugins is None else plugins
            cached = self._judge(path, line, names) if names else ((), False)
        if key not in self._judged:
            if len(self._judged) > 200_000:
                self._judged.clear()
            self._judged[key] = cached
        return cached

    def _judge_long(self, path: str, line: str) -> tuple[tuple[RawHit, ...], bool]:
        """A huge line (a minified bundle) in windows around each pre-filter match: each
        window gets exactly detect-secrets' verdict as a line of its own; the whole line's
        line filters (exclusions, allowlist pragma) then apply as they would to the line."""
        data = line.encode("utf-8", errors="surrogatepass")
        windows: dict[tuple[int, int], frozenset[str]] = {}
        step = WINDOW_CHARS - WINDOW_OVERLAP
        for start, end, names in candidate_spans(data, self.prefilter):
            if end - start > WINDOW_OVERLAP:  # a long quoted run: a window of its own
                key = (max(0, start - 64), min(len(data), end + 64))
            else:  # the fixed tile that holds the match and what precedes it
                tile = max(0, start - WINDOW_BEFORE) // step * step
                key = (tile, min(len(data), tile + WINDOW_CHARS))
            windows[key] = windows.get(key, frozenset()) | names
        merged = sorted((a, b, names) for (a, b), names in windows.items())
        hits: dict[tuple[str, str, str], RawHit] = {}
        for start, end, names in merged:
            window = data[start:end].decode("utf-8", errors="ignore")
            for hit in self._plugin_hits(path, window, names, window):
                hits.setdefault((hit.type, hit.hashed_secret, hit.value_id), hit)
        kept, allowlisted = self._apply_line_verdict(path, line.rstrip(), line, list(hits.values()))
        return tuple(sorted(kept, key=_hit_order)), allowlisted

    def _judge(
        self, path: str, raw_line: str, names: frozenset[str]
    ) -> tuple[tuple[RawHit, ...], bool]:
        # detect-secrets' _process_line_based_plugins for one line, with the plugins that can
        # match it. Its line filters short-circuit the whole line, so running them only when a
        # plugin found something gives the same answer. The allowlist filter is kept apart so
        # that a secret allowlisted at head can be told from one deleted since.
        hits = self._plugin_hits(path, raw_line.rstrip(), names, raw_line)
        kept, allowlisted = self._apply_line_verdict(path, raw_line.rstrip(), raw_line, hits)
        return tuple(sorted(kept, key=_hit_order)), allowlisted

    def _apply_line_verdict(
        self, path: str, line: str, raw_line: str, hits: list[RawHit]
    ) -> tuple[list[RawHit], bool]:
        """The hits the line filters keep, and whether the line is allowlisted. A heuristic
        line filter (detect-secrets' guesses, e.g. `is_indirect_reference`) drops only the
        hits of loose rules: a checksummed or exact provider format is a secret wherever it
        sits, even in `Client(token="...")`."""
        if not hits:
            return [], False
        dropped, dropped_loose, allowlisted = self._line_verdict(path, line, raw_line)
        if dropped:
            return [], False
        if dropped_loose:
            hits = [h for h in hits if h.type in strict_types()]
        return hits, allowlisted and bool(hits)

    def _plugin_hits(
        self, path: str, line: str, names: frozenset[str], raw_line: str
    ) -> list[RawHit]:
        from detect_secrets.core.scan import _is_filtered_out, _scan_line
        from detect_secrets.util.code_snippet import get_code_snippet

        context = get_code_snippet(lines=[raw_line], line_number=1)
        hits: dict[tuple[str, str, str], RawHit] = {}
        for plugin in self._plugins:
            if type(plugin).__name__ not in names:
                continue
            if getattr(plugin, "strength", "loose") in STRICT_STRENGTHS:
                found = _strict_secrets(plugin, path, line, context)
            else:
                found = [
                    secret
                    for secret in _scan_line(
                        plugin=plugin, filename=path, line=line, line_number=1, context=context
                    )
                    if not _is_filtered_out(
                        required_filter_parameters=["context"],
                        filename=secret.filename,
                        secret=secret.secret_value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    )
                ]
            for secret in found:
                value = secret.secret_value or ""
                value_id = secret_id(_full_values(plugin, line, value))
                noise = noise_reason(path, line, value)
                hits[(secret.type, secret.secret_hash, value_id)] = RawHit(
                    secret.type, secret.secret_hash, noise, value_id
                )
        return list(hits.values())

    @staticmethod
    def _line_verdict(path: str, line: str, raw_line: str) -> tuple[bool, bool, bool]:
        """(a line filter drops the line, a heuristic line filter drops it, the line carries
        an allowlist pragma)."""
        from detect_secrets.settings import get_filters
        from detect_secrets.util.code_snippet import get_code_snippet
        from detect_secrets.util.inject import call_function_with_arguments

        context = get_code_snippet(lines=[raw_line], line_number=1)
        allowlisted = heuristic = False
        for line_filter in get_filters():
            if "line" not in line_filter.injectable_variables:
                continue
            try:
                filtered = call_function_with_arguments(
                    line_filter, filename=path, line=line, context=context
                )
            except TypeError:  # needs `secret` too: detect-secrets skips it here as well
                continue
            if filtered:
                if line_filter.path.startswith(_HEURISTIC_FILTERS):
                    heuristic = True
                elif not line_filter.path.endswith("is_line_allowlisted"):
                    return True, True, False
                else:
                    allowlisted = True
        return False, heuristic, allowlisted

    @staticmethod
    def allowlisted_by_previous(path: str, line: str, previous: str) -> bool:
        """`pragma: allowlist nextline secret` on the line before (detect-secrets' own regex)."""
        from detect_secrets.filters.allowlist import is_line_allowlisted
        from detect_secrets.util.code_snippet import get_code_snippet

        context = get_code_snippet(lines=[previous, line], line_number=2)
        return bool(is_line_allowlisted(path, line.rstrip(), context))

    def scan_lines(self, path: str, lines: list[str]) -> Iterator[tuple[int, RawHit]]:
        """Judge whole-file content (1-based line numbers), with real previous lines."""
        for line_no, hit, allowlisted in self.scan_lines_with_pragmas(path, lines):
            if not allowlisted:
                yield line_no, hit

    def scan_lines_with_pragmas(
        self, path: str, lines: list[str], only: Iterable[int] | None = None
    ) -> Iterator[tuple[int, RawHit, bool]]:
        """Like scan_lines, but also yields allowlisted hits, flagged. `only`: the 0-based
        indexes of the lines worth judging (those `candidate_lines` passes); others are
        skipped, which changes nothing (no plugin can flag them)."""
        self.activate()
        if not self.path_is_scanned(path):
            return
        for index in range(len(lines)) if only is None else sorted(only):
            line = lines[index]
            hits, allowlisted = self.judge_ignoring_pragmas(path, line)
            if not hits and any(word in line for word in _PRAGMA_WORDS):
                # A trailing pragma comment can change what detect-secrets captures (or
                # hide the value from the keyword rules): judge the line without it.
                bare = _PRAGMA_COMMENT.sub("", line)
                if bare != line:
                    hits = self.judge_ignoring_pragmas(path, bare)[0]
                    allowlisted = bool(hits)
            if hits and not allowlisted and index:
                allowlisted = self.allowlisted_by_previous(path, line, lines[index - 1])
            for hit in hits:
                yield index + 1, hit, allowlisted


# Rules whose match proves a provider's format (launchgate's `checksum` and `exact`
# plugins): detect-secrets' heuristic filters, written for keyword and entropy guesses, do not
# apply to them; user-configured filters and the allowlist pragma do.
STRICT_STRENGTHS = ("checksum", "exact")
_HEURISTIC_FILTERS = "detect_secrets.filters.heuristic."


@lru_cache(maxsize=1)
def strict_types() -> frozenset[str]:
    """The secret types of launchgate's strict plugins."""
    from launchgate.secrets.plugins import plugin_classes

    return frozenset(
        str(cls.secret_type) for cls in plugin_classes() if cls.strength in STRICT_STRENGTHS
    )


def _strict_secrets(plugin: Any, path: str, line: str, context: Any) -> list[Any]:
    """A strict plugin's secrets on `line`, through every filter detect-secrets would apply
    to them (the ones taking the secret or its context) except the heuristic ones."""
    from detect_secrets.settings import get_filters
    from detect_secrets.util.inject import call_function_with_arguments

    kept = []
    filters = [
        f
        for f in get_filters()
        if not f.path.startswith(_HEURISTIC_FILTERS)
        and {"secret", "context"} & f.injectable_variables
    ]
    for secret in plugin.analyze_line(filename=path, line=line, line_number=1, context=context):
        dropped = False
        for secret_filter in filters:
            try:
                dropped = bool(
                    call_function_with_arguments(
                        secret_filter,
                        filename=path,
                        secret=secret.secret_value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    )
                )
            except TypeError:  # a parameter this call does not have, as in detect-secrets
                continue
            if dropped:
                break
        if not dropped:
            kept.append(secret)
    return kept


def _unknown_plugins(source: dict[str, Any]) -> str:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    known = {cls.__name__ for cls in classes}
    names = [
        str(p.get("name"))
        for p in source.get("plugins_used", [])
        if p.get("name") not in known or "path" in p
    ]
    return f"unknown or custom plugin(s) {', '.join(names)}" if names else "invalid settings"


def _hit_order(hit: RawHit) -> tuple[str, str, str]:
    return hit.type, hit.hashed_secret, hit.value_id


def _settings_source(baseline: dict[str, Any] | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(the part of a baseline that configures detect-secrets, with defaults where it says
    nothing as `detect-secrets-hook` does for a baseline without `plugins_used`; the names of
    launchgate's own plugins to run).

    launchgate's plugins are taken out of `plugins_used` and recognised by name (a file a
    baseline names is never imported). A baseline that lists none of them predates them: all
    run. One that lists some runs those. Any other plugin with a `path` is a custom plugin
    the pre-filter cannot know: refused before detect-secrets would import its file."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    from launchgate.secrets.plugins import by_name

    ours = by_name()
    source: dict[str, Any] = {}
    listed = baseline.get("plugins_used") if baseline else None
    entries = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    own = tuple(sorted({str(e.get("name")) for e in entries if e.get("name") in ours}))
    theirs = [e for e in entries if e.get("name") not in ours]
    custom = sorted(str(e.get("name")) for e in theirs if "path" in e)
    if custom:
        raise EngineSettingsError(
            "the baseline's detect-secrets settings cannot be used: unknown or custom "
            f"plugin(s) {', '.join(custom)} (launchgate does not load plugin files; no "
            "pre-filter for them)"
        )
    if not own:
        own = tuple(sorted(ours))
    # An empty `plugins_used` makes detect-secrets scan nothing ("No plugins to scan with!")
    # and pass; a gate must not pass silently, so it means the defaults here.
    if theirs:
        source["plugins_used"] = theirs
    elif entries:  # only launchgate's plugins listed: detect-secrets' own are not wanted
        source["plugins_used"] = []
    else:
        classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
        source["plugins_used"] = [{"name": cls.__name__} for cls in classes]
    # Likewise an empty `filters_used` (a hand-made baseline) keeps the default filters;
    # detect-secrets itself always writes the full list.
    if baseline and isinstance(baseline.get("filters_used"), list) and baseline["filters_used"]:
        source["filters_used"] = baseline["filters_used"]
    return source, own


def _full_values(plugin: object, line: str, value: str) -> str:
    """What tells two secrets of one type apart. When a plugin's regex captures only a leading
    prefix of the secret (every GitHub token's detect-secrets value is "ghp") or a very short
    part of it, the whole matches that captured `value` on this line; otherwise the value (so
    the same key under another variable name stays the same secret)."""
    denylist = getattr(plugin, "denylist", None)
    if not denylist or type(plugin).__name__ == "KeywordDetector":
        return value
    whole: set[str] = set()
    for regex in denylist:
        for match in regex.finditer(line):
            for group in range(1, (match.re.groups or 0) + 1):
                if match.group(group) != value:
                    continue
                if match.start(group) == match.start() or len(value) < _MIN_OWN_VALUE:
                    whole.add(match.group(0))
    return "\0".join(sorted(whole)) if whole else value


# A captured value shorter than this is not taken to identify a secret on its own.
_MIN_OWN_VALUE = 8


def secret_id(value: str) -> str:
    """A salted sha256 of a secret's full value, to group and fingerprint secrets. Computed in
    memory; only this hash is stored (in the cache), never the value."""
    return hashlib.sha256(_SECRET_ID_SALT + value.encode("utf-8", "surrogatepass")).hexdigest()


_SECRET_ID_SALT = b"launchgate.secret-id.v1\0"


@lru_cache(maxsize=65536)
def _path_is_scanned(path: str) -> bool:
    from detect_secrets.core.scan import _is_filtered_out

    return not _is_filtered_out(required_filter_parameters=["filename"], filename=path)


def noise_reason(path: str, line: str, value: str) -> str:
    """Why a detect-secrets hit is a well-known non-secret ("" when it may be real)."""
    if os.path.basename(path) in _EXTRA_LOCKFILES:
        return "lockfile"
    if _SRI.match(value) or (
        _SRI_LINE.search(line) and value.startswith(("sha256-", "sha384-", "sha512-"))
    ):
        return "sri-hash"
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or (
        len(value) >= _PLACEHOLDER_MIN_LEN and len(set(lowered)) <= 2
    ):
        return "placeholder"
    return ""
