"""Keys the build hands to the browser: a build-time public prefix on a private variable.

Next.js (`NEXT_PUBLIC_`), Vite (`VITE_`), Create React App (`REACT_APP_`), Expo
(`EXPO_PUBLIC_`), Nuxt (`NUXT_PUBLIC_`), SvelteKit (`PUBLIC_`) and Gatsby (`GATSBY_`) inline
variables with these prefixes into the client bundle: every visitor can read their values. A
variable with such a prefix is *exposed* when

* its name says it is private: SECRET, PRIVATE, PASSWORD, SERVICE_ROLE, a signing key, or a
  provider's secret-key name (`OPENAI_API_KEY`, `DATABASE_URL`, ...), followed by nothing but
  words like KEY or TOKEN (`..._SECRET_KEY` yes, `..._SECRET_SANTA_URL` no); or
* its value is a secret-key format: a finding of a detector that recognises a provider's
  format (detect-secrets' named detectors and launchgate's own, e.g. `sk_live_`,
  `sb_secret_`, a Supabase JWT whose payload says `service_role`), not a keyword or entropy
  guess and not a plain JWT; or
* in a workflow, its value comes from a secret whose name says it is private
  (`NEXT_PUBLIC_STRIPE_KEY: ${{ secrets.STRIPE_SECRET_KEY }}`).

Publishable keys are not exposures: names with PUBLISHABLE, ANON, PUBLIC_KEY or SITE_KEY,
Stripe's `pk_live_`, Supabase's `anon` JWT.

Where: committed env files (`.env`, `.env.local`, `.env.production`, ...: `NAME=value`),
workflow `env:` blocks, code that reads such a variable (`process.env.NAME`,
`import.meta.env.NAME`, SvelteKit's `$env/static/public`), and a Vite config that widens the
prefixes (`envPrefix`) or defines a private variable into client code (`define`). The name
alone ships it: a place counts whether or not a value is there. A line marked
`pragma: allowlist secret` is accepted. Values are judged in memory and never kept.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from launchgate.repo.envvars import PUBLIC_ENV_PREFIXES, env_block_names, load_workflow
from launchgate.repo.files import SKIPPED_DIRS
from launchgate.secrets.engine import Engine
from launchgate.secrets.tree import read_objects, text_lines, tree_blobs

# Words after which a private word may only be followed by these (STRIPE_SECRET_KEY).
_TAILS = frozenset(
    {"KEY", "KEYS", "TOKEN", "ACCESS", "HASH", "VALUE", "B64", "BASE64", "JSON", "PEM", "STRING"}
)
_PRIVATE_WORDS: tuple[tuple[str, ...], ...] = (
    ("SECRET",),
    ("SECRETS",),
    ("PRIVATE",),
    ("PASSWORD",),
    ("PASSWD",),
    ("SERVICE", "ROLE"),
    ("SIGNING", "KEY"),
)
# A provider's name for its secret key (the whole rest of the name after the prefix ends so).
_PROVIDER_SECRETS: tuple[tuple[str, ...], ...] = tuple(
    tuple(n.split("_"))
    for n in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "GROQ_API_KEY",
        "MISTRAL_API_KEY",
        "COHERE_API_KEY",
        "DEEPSEEK_API_KEY",
        "REPLICATE_API_TOKEN",
        "HF_TOKEN",
        "HUGGINGFACE_API_KEY",
        "ELEVENLABS_API_KEY",
        "PINECONE_API_KEY",
        "RESEND_API_KEY",
        "SENDGRID_API_KEY",
        "MAILGUN_API_KEY",
        "POSTMARK_SERVER_TOKEN",
        "POSTMARK_API_TOKEN",
        "TWILIO_AUTH_TOKEN",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "NPM_TOKEN",
        "SLACK_BOT_TOKEN",
        "DISCORD_BOT_TOKEN",
        "TELEGRAM_BOT_TOKEN",
        "SUPABASE_SERVICE_KEY",
        "STRIPE_RESTRICTED_KEY",
        "DATABASE_URL",
        "POSTGRES_URL",
        "POSTGRES_PRISMA_URL",
        "MONGODB_URI",
        "MONGO_URL",
        "REDIS_URL",
    )
)
# Meant for the browser, whatever else the name says.
_PUBLIC_WORDS: tuple[tuple[str, ...], ...] = (
    ("PUBLISHABLE",),
    ("ANON",),
    ("PUBLIC", "KEY"),
    ("SITE", "KEY"),
)
# Finding types that are guesses or not secret-key formats.
_NOT_KEY_FORMATS = frozenset(
    {
        "Secret Keyword",
        "Base64 High Entropy String",
        "Hex High Entropy String",
        "JSON Web Token",
        "Public IP (ipv4)",
    }
)

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ENV_LINE = re.compile(rf"^\s*(?:export\s+)?({_NAME})\s*=\s*(.*)$")
_YAML_KEY = re.compile(rf"^\s*-?\s*[\"']?({_NAME})[\"']?\s*:\s*(.*)$")
_SECRET_REF = re.compile(rf"\$\{{\{{\s*secrets\.({_NAME})\s*\}}\}}")
_CODE_READS = (
    re.compile(rf"process\.env\.({_NAME})"),
    re.compile(rf"process\.env\[\s*[\"'`]({_NAME})[\"'`]\s*\]"),
    re.compile(rf"import\.meta\.env\.({_NAME})"),
    re.compile(rf"import\.meta\.env\[\s*[\"'`]({_NAME})[\"'`]\s*\]"),
)
_SVELTE_PUBLIC = re.compile(r"import\s*\{([^}]*)\}\s*from\s*[\"']\$env/(?:static|dynamic)/public")
_ENV_PREFIX = re.compile(r"envPrefix\s*:\s*(\[[^\]]*\]|\"[^\"]*\"|'[^']*')")
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
_DEFINE_ONE = re.compile(rf"[\"'`](?:process\.env|import\.meta\.env)\.({_NAME})[\"'`]\s*:")
_DEFINE_ALL = re.compile(r"[\"'`]process\.env[\"'`]\s*:\s*(?:JSON\.stringify\(\s*)?process\.env\b")
_PRAGMA = re.compile(r"pragma: ?(?:allow|white)list[ -]secret")

_CODE_SUFFIXES = frozenset(
    {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte", ".astro"}
)
_BUNDLER_CONFIGS = ("vite.config.", "webpack.config.")
# Strings that can start a public variable's name: a file without one needs no reading.
_PREFIX_HINTS = (b"PUBLIC_", b"VITE_", b"REACT_APP_", b"GATSBY_", b"envPrefix", b"define")


@dataclass(frozen=True)
class Exposure:
    """A private variable shipped to the browser at this place (never its value)."""

    path: str
    line: int
    name: str
    where: str  # "env file" | "workflow env" | "code" | "Vite config"
    reason: str  # why it is private, in words (no value)

    @property
    def group(self) -> str:
        """Shared by every place of this variable."""
        return hashlib.sha256(f"exposed-to-browser\0{self.name}".encode()).hexdigest()[:12]


def private_name(name: str) -> str:
    """Why a variable's name (its prefix removed) says it is private ("" when it does not)."""
    words = tuple(w for w in name.upper().split("_") if w)
    if any(_contains(words, public) >= 0 for public in _PUBLIC_WORDS):
        return ""
    for private in _PRIVATE_WORDS:
        at = _contains(words, private)
        if at >= 0 and all(w in _TAILS for w in words[at + len(private) :]):
            return f"its name says {'_'.join(private)}"
    for provider in _PROVIDER_SECRETS:
        if words[-len(provider) :] == provider:
            return f"{'_'.join(provider)} is the provider's secret key"
    return ""


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> int:
    for start in range(len(words) - len(part) + 1):
        if words[start : start + len(part)] == part:
            return start
    return -1


def public_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    return next((p for p in prefixes if name.startswith(p) and len(name) > len(p)), "")


def key_format(engine: Engine, path: str, line: str) -> str:
    """The secret-key format on this line, if any ("" when none): a finding of a detector
    that knows a provider's format, not a keyword/entropy guess and not a plain JWT."""
    hits = engine.judge(path, line)
    return next((h.type for h in hits if h.type not in _NOT_KEY_FORMATS), "")


class _Finder:
    def __init__(self, engine: Engine, prefixes: tuple[str, ...]) -> None:
        self.engine = engine
        self.prefixes = prefixes

    def exposed(
        self, path: str, line_no: int, name: str, where: str, line: str, value: str | None
    ) -> Exposure | None:
        prefix = public_prefix(name, self.prefixes)
        if not prefix or _PRAGMA.search(line):
            return None
        reason = private_name(name[len(prefix) :])
        if not reason and value:
            source = _SECRET_REF.search(value)
            if source and private_name(source.group(1)):
                reason = f"its value is the secret {source.group(1)}"
            else:
                found = key_format(self.engine, path, line)
                reason = f"its value is a {found}" if found else ""
        return Exposure(path, line_no, name, where, reason) if reason else None

    def env_file(self, path: str, lines: list[str]) -> Iterator[Exposure]:
        for index, line in enumerate(lines):
            match = _ENV_LINE.match(line)
            if match:
                found = self.exposed(
                    path, index + 1, match.group(1), "env file", line, match.group(2).strip()
                )
                if found:
                    yield found

    def workflow(self, path: str, lines: list[str]) -> Iterator[Exposure]:
        names = env_block_names(load_workflow("\n".join(lines)))
        for index, line in enumerate(lines):
            match = _YAML_KEY.match(line)
            if match and match.group(1) in names:
                found = self.exposed(
                    path, index + 1, match.group(1), "workflow env", line, match.group(2).strip()
                )
                if found:
                    yield found

    def code(self, path: str, lines: list[str]) -> Iterator[Exposure]:
        for index, line in enumerate(lines):
            names = [m.group(1) for pattern in _CODE_READS for m in pattern.finditer(line)]
            for svelte in _SVELTE_PUBLIC.finditer(line):
                names += [n.split(" as ")[0].strip() for n in svelte.group(1).split(",")]
            for name in dict.fromkeys(n for n in names if n):
                found = self.exposed(path, index + 1, name, "code", line, None)
                if found:
                    yield found

    def bundler_config(self, path: str, lines: list[str]) -> Iterator[Exposure]:
        for index, line in enumerate(lines):
            if _PRAGMA.search(line):
                continue
            if _DEFINE_ALL.search(line):
                yield Exposure(
                    path,
                    index + 1,
                    "process.env",
                    "Vite config",
                    "`define` puts every environment variable into client code",
                )
            for match in _DEFINE_ONE.finditer(line):
                reason = private_name(match.group(1))
                if reason:
                    yield Exposure(
                        path,
                        index + 1,
                        match.group(1),
                        "Vite config",
                        f"`define` puts it into client code and {reason}",
                    )


def kind_of(path: str) -> str:
    """Which scan a file gets ("" for none)."""
    parts = path.split("/")
    name = parts[-1]
    if name.startswith(".env"):
        # a folder named `env` (skipped as a virtualenv elsewhere) is where env files go
        return "" if any(p in SKIPPED_DIRS - {"env"} for p in parts[:-1]) else "env"
    if any(part in SKIPPED_DIRS for part in parts[:-1]):
        return ""
    if path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml")):
        return "workflow"
    if name.startswith(_BUNDLER_CONFIGS):
        return "bundler"
    if os.path.splitext(name)[1] in _CODE_SUFFIXES:
        return "code"
    return ""


def extra_prefixes(lines: Iterable[str]) -> tuple[str, ...]:
    """Prefixes a Vite config's `envPrefix` adds (a string or a list of strings)."""
    found: list[str] = []
    for match in _ENV_PREFIX.finditer("\n".join(lines)):
        found += [p for p in _QUOTED.findall(match.group(1)) if p.strip()]
    return tuple(found)


def find_exposures(
    engine: Engine, files: dict[str, list[str]], more_prefixes: tuple[str, ...] = ()
) -> list[Exposure]:
    """Every exposure in these files (path -> lines); `more_prefixes`: those a Vite config
    elsewhere in the tree adds."""
    kinds = {path: kind_of(path) for path in files}
    prefixes = tuple(
        dict.fromkeys(
            PUBLIC_ENV_PREFIXES
            + more_prefixes
            + tuple(
                p
                for path, kind in kinds.items()
                if kind == "bundler" and os.path.basename(path).startswith("vite.config.")
                for p in extra_prefixes(files[path])
            )
        )
    )
    finder = _Finder(engine, prefixes)
    scans = {
        "env": finder.env_file,
        "workflow": finder.workflow,
        "code": finder.code,
        "bundler": finder.bundler_config,
    }
    found: list[Exposure] = []
    for path in sorted(files):
        kind = kinds[path]
        if kind == "bundler":
            found += finder.code(path, files[path])
        if kind:
            found += scans[kind](path, files[path])
    return sorted(set(found), key=lambda e: (e.path, e.line, e.name))


def exposures_at(
    repo: str, commit: str, engine: Engine, paths: set[str] | None = None
) -> list[Exposure]:
    """The exposures in `commit`'s files (only `paths`, when given). The prefixes a Vite
    config adds are read from every Vite config of the tree, and files holding them are
    read too (not only those with a well-known prefix)."""
    engine.activate()
    every = tree_blobs(repo, commit)
    configs = {
        b.oid
        for b in every
        if kind_of(b.path) == "bundler" and os.path.basename(b.path).startswith("vite.config.")
    }
    more: list[str] = []
    for _oid, content in read_objects(repo, configs):
        lines = text_lines(content) if content is not None else None
        more += extra_prefixes(lines) if lines is not None else []
    hints = _PREFIX_HINTS + tuple(p.encode() for p in more)
    blobs = [b for b in every if kind_of(b.path) and (paths is None or b.path in paths)]
    by_oid: dict[str, list[str]] = {}
    for blob in blobs:
        by_oid.setdefault(blob.oid, []).append(blob.path)
    files: dict[str, list[str]] = {}
    for oid, content in read_objects(repo, by_oid):
        if content is None or not any(hint in content for hint in hints):
            continue
        lines = text_lines(content)
        if lines is not None:
            for path in by_oid[oid]:
                files[path] = lines
    return find_exposures(engine, files, tuple(dict.fromkeys(more)))
