"""Loads `.launchgate.yml` into typed, frozen config objects (docs/config.md).

Every error names the file, line and key. The YAML is composed into nodes first so each value
keeps its line; then one small schema-driven converter walks the dataclasses below. `${VAR}` is
read from the environment; values that came from the environment or from `headers` are recorded
in `Config.secret_values` so every output can redact them.
"""

from __future__ import annotations

import base64
import dataclasses
import difflib
import math
import os
import re
import types
import typing
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import yaml

from launchgate.address import connect_key, parse_hostport, parse_nameserver, valid_port
from launchgate.config.schema import ANONYMOUS, SECRET_FIELD, Config, LoadConfig, TenantProbe
from launchgate.errors import ConfigError
from launchgate.findings import FINDING_IDS, closest_finding_id
from launchgate.names import CHECK_NAMES, FAIL_ON_CHOICES, FINDING_ID_PATTERN, GATE_ON_CHOICES
from launchgate.redact import SIGNIFICANT_LENGTH, Redactor
from launchgate.report import Severity

DEFAULT_CONFIG_NAMES = (".launchgate.yml", ".launchgate.yaml")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9_*]([A-Za-z0-9_-]{0,62})?"
    r"(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})?)*\.?(:\d{1,5})?$"
)
# GitHub user names: letters, digits and single hyphens, at most 39 characters.
_GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_IDENTITY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SINGLE_BRACE = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
MISSING_CREDENTIALS_CHOICES = ("error", "skip")


# --- loading ----------------------------------------------------------------------------------


class _Loc:
    """Where values came from: the file name and the line of each dotted key."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[str, int] = {}
        self.secrets: set[str] = set()
        # Dotted key -> the `${VAR}` names its value was built from (for error messages).
        self.env_refs: dict[str, list[str]] = {}
        # Keys set from the command line, each with the flag that set it (`--set`, `--url`).
        self.overridden: dict[str, str] = {}
        # Dotted key -> the `${VAR}` names in it whose value is empty.
        self.empty_refs: dict[str, list[str]] = {}
        # `missing_credentials: skip`: identity -> why its credentials are missing.
        self.skip_missing = False
        self.unavailable: dict[str, str] = {}
        # Literal values of credential fields (`password: ...`), redacted everywhere.
        self.credentials: set[str] = set()

    def error(self, key: str, message: str) -> ConfigError:
        """An error at `key`, located at its own line or the nearest parent's. A value read
        from the environment is never shown: it reads "the value of ${VAR}" instead."""
        message = self.scrub(key, message)
        for dotted, flag in self.overridden.items():
            if key == dotted or key.startswith(dotted + ".") or key.startswith(dotted + "["):
                if flag == "--set":
                    return ConfigError(message, file=flag, key=key or None)
                return ConfigError(message, file=flag)
        probe, line = key, self.lines.get(key)
        while line is None and probe:
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if parent == probe:
                break
            probe, line = parent, self.lines.get(parent)
        return ConfigError(message, file=self.file, line=line, key=key or None)

    def scrub(self, key: str, message: str) -> str:
        names = self.env_refs.get(key) or [
            n for k, refs in self.env_refs.items() if key.startswith(k) for n in refs
        ]
        label = "the value of " + (
            ", ".join(f"${{{n}}}" for n in names) if names else "an environment variable"
        )
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in dict.fromkeys((repr(secret)[1:-1], secret)):
                if not form:
                    continue
                for quote in ("'", '"'):  # any length, when it is the whole quoted value
                    message = message.replace(f"{quote}{form}{quote}", f"<{label}>")
                if len(form) >= MIN_SCRUB_LENGTH:
                    message = message.replace(form, f"<{label}>")
                # Values are shown cut at 40 characters: a cut secret is still a secret.
                for size in range(min(len(form) - 1, 60), MIN_SCRUB_LENGTH - 1, -1):
                    cut = form[:size]
                    message = message.replace(cut + "'", f"<{label}>'")
                    message = message.replace(cut + '"', f'<{label}>"')
        # Any other piece of 12 characters or more (a value cut elsewhere, split at a `=`).
        long_forms = [
            form
            for secret in self.secrets
            for form in (secret, repr(secret)[1:-1])
            if len(form) >= SIGNIFICANT_LENGTH
        ]
        return Redactor(long_forms, mask=f"<{label}>").text(message) if long_forms else message


# Shorter environment values are only hidden where they form a whole quoted value.
MIN_SCRUB_LENGTH = 4


def find_config(repo: str | Path) -> Path | None:
    for name in DEFAULT_CONFIG_NAMES:
        candidate = Path(repo) / name
        if candidate.is_file():
            return candidate
    return None


def load_config(
    path: str | Path | None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
    missing_credentials: str = "error",
) -> Config:
    """Load and validate a config file (None: defaults only), then apply dotted overrides
    such as {"url": "https://x", "checks.load.users": 5} from the CLI or the Action.

    `flags` names the command-line flag behind an override (e.g. {"url": "--url"}) so its
    errors point there; other overrides are reported as `--set`.

    `missing_credentials`: "error" (default) makes an identity whose `${VAR}` is unset or
    empty a config error; "skip" (a fork pull request, which gets no secrets) records it in
    `Config.unavailable_identities` instead, and the checks skip what needs it."""
    env = os.environ if env is None else env
    if path is None:
        loc = _Loc("config")
        raw: dict[str, Any] = {}
        base_dir = Path.cwd()
    else:
        path = Path(path)
        loc = _Loc(str(path))
        raw = _read_yaml(path, loc)
        base_dir = path.parent
    loc.skip_missing = missing_credentials == "skip"
    raw = _expand_env(raw, "", env, loc)
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value, loc, (flags or {}).get(dotted, "--set"))
    config: Config = _build(Config, raw, "", loc)
    ca_bundle = config.ca_bundle
    if ca_bundle and not Path(ca_bundle).is_absolute():
        ca_bundle = str((base_dir / ca_bundle).resolve())
    if ca_bundle and not Path(ca_bundle).is_file():
        raise loc.error("ca_bundle", f"file not found: {ca_bundle}")
    _cross_check(config, loc)
    secrets = set(loc.secrets) | _url_credentials(config.url) | loc.credentials
    secrets.update(v for v in config.headers.values() if v)
    for route in config.checks.load.routes:
        secrets.update(v for v in route.headers.values() if v)
    for identity in config.identities.values():
        secrets.update(v for v in identity.headers.values() if v)
    for flow in config.checks.smoke.flows:
        for step in flow.steps:
            secrets.update(v for v in step.headers.values() if v)
    if config.watch.webhook:
        secrets.add(config.watch.webhook)
    return dataclasses.replace(
        config,
        ca_bundle=ca_bundle,
        source=None if path is None else str(path),
        secret_values=frozenset(s for s in secrets if s),
        unavailable_identities=dict(loc.unavailable),
    )


def _url_credentials(url: str | None) -> set[str]:
    """A password in the URL, and the Basic auth header value a client derives from it."""
    parts = urllib.parse.urlsplit(url or "")
    if not parts.password:
        return set()
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password)
    basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {parts.password, password, basic}


# YAML bombs: a config is a few hundred values. These bounds turn a billion-laughs file, a
# recursive alias or deep nesting into a config error in well under a second (PyYAML would
# expand, or recurse, until memory or the stack runs out).
MAX_YAML_DEPTH = 50
MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_ANCHORS = 32
MAX_YAML_ALIASES = 128
MAX_YAML_VALUES = 10_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _read_yaml(path: Path, loc: _Loc) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"config file is larger than {MAX_CONFIG_BYTES // 1_000_000} MB; a "
            "launchgate config is a few KB (is this the right file?)",
            file=str(path),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("file is not valid UTF-8", file=str(path), line=line) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ConfigError(
            "config file is empty (delete it, or set at least `url:`)", file=str(path)
        )
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "but got '?'" in problem:
            problem += (
                " (inside [ ] or { } a `?` starts a key: quote the value, e.g. '/search?q=x')"
            )
        raise ConfigError(
            f"invalid YAML: {problem}", file=str(path), line=mark.line + 1 if mark else None
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ConfigError(
            f"invalid YAML: character {exc.character!r} is not allowed", file=str(path), line=line
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"invalid YAML: {message}", file=str(path)) from None
    if node is None:
        raise ConfigError("config file is empty", file=str(path))
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ConfigError(
            f"expected a mapping of settings at the top level, got {kind}",
            file=str(path),
            line=node.start_mark.line + 1,
        )
    value = _Walk(loc, yaml.SafeLoader("")).plain(node, "")
    assert isinstance(value, dict)
    return value


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer with bounded depth, anchors and aliases, and no recursive alias
    (an alias inside the value its anchor names)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open: list[str | None] = []  # the anchors of the nodes being composed
        self._anchors_seen = 0
        self._aliases_seen = 0

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # PyYAML's scanner slows down with every open `[` or `{` it looks ahead through:
        # refuse deep flow nesting before the composer ever sees it.
        if self.flow_level >= MAX_YAML_DEPTH:
            raise _bomb(f"values nested more than {MAX_YAML_DEPTH} levels deep", self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases_seen += 1
            if event.anchor in self._open:
                raise _yaml_error(
                    f"the alias *{event.anchor} is inside the value its anchor "
                    f"&{event.anchor} names (a recursive alias): write the "
                    "value out",
                    event.start_mark,
                )
            if self._aliases_seen > MAX_YAML_ALIASES:
                raise _bomb(f"more than {MAX_YAML_ALIASES} aliases (*name)", event.start_mark)
        elif getattr(event, "anchor", None) is not None:
            self._anchors_seen += 1
            if self._anchors_seen > MAX_YAML_ANCHORS:
                raise _bomb(f"more than {MAX_YAML_ANCHORS} anchors (&name)", event.start_mark)
        if len(self._open) >= MAX_YAML_DEPTH:
            raise _bomb(f"values nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
        self._open.append(getattr(event, "anchor", None))
        try:
            return typing.cast(yaml.Node, super().compose_node(parent, index))
        finally:
            self._open.pop()


def _yaml_error(problem: str, mark: Any) -> yaml.composer.ComposerError:
    return yaml.composer.ComposerError(None, None, problem, mark)


def _bomb(problem: str, mark: Any) -> yaml.composer.ComposerError:
    return _yaml_error(f"{problem}; a launchgate config needs far fewer", mark)


class _Walk:
    """Turns YAML nodes into plain values, counting what aliases expand to."""

    def __init__(self, loc: _Loc, loader: yaml.SafeLoader) -> None:
        self.loc = loc
        self.loader = loader
        self.values = 0

    def plain(self, node: yaml.Node, key: str, depth: int = 0) -> Any:
        """A node as plain Python values, recording each key's line."""
        self.values += 1
        if self.values > MAX_YAML_VALUES or depth > MAX_YAML_DEPTH:
            raise ConfigError(
                f"the YAML expands to more than {MAX_YAML_VALUES:,} values or "
                f"{MAX_YAML_DEPTH} levels (aliases of aliases?); a launchgate "
                "config needs far fewer",
                file=self.loc.file,
                line=node.start_mark.line + 1,
                key=key or None,
            )
        self.loc.lines.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, f"{key}[{i}]", depth + 1) for i, item in enumerate(node.value)]
        return _construct(node, key, self.loc, self.loader)

    def _mapping(self, node: yaml.MappingNode, key: str, depth: int) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                # `<<: *defaults` (or a list of them): the mapping's own keys win, then the
                # earlier mappings of the list.
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise ConfigError(
                            "a merge key `<<` takes a mapping, an alias to one (`<<: "
                            "*defaults`) or a list of them",
                            file=self.loc.file,
                            line=key_node.start_mark.line + 1,
                            key=key or None,
                        )
                    for name, value in self._mapping(source, key, depth + 1).items():
                        merged.setdefault(name, value)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(
                    "mapping keys must be plain names",
                    file=self.loc.file,
                    line=key_node.start_mark.line + 1,
                    key=key or None,
                )
            name = str(_construct(key_node, key, self.loc, self.loader))
            child = f"{key}.{name}" if key else name
            if name in out:
                raise ConfigError(
                    "duplicate key",
                    file=self.loc.file,
                    line=key_node.start_mark.line + 1,
                    key=child,
                )
            self.loc.lines[child] = key_node.start_mark.line + 1
            out[name] = self.plain(value_node, child, depth + 1)
        return {**merged, **out}


def _construct(node: yaml.Node, key: str, loc: _Loc, loader: yaml.SafeLoader) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise ConfigError(
            f"cannot read value: {exc}".splitlines()[0],
            file=loc.file,
            line=node.start_mark.line + 1,
            key=key or None,
        ) from None


def _expand_env(value: Any, key: str, env: Mapping[str, str], loc: _Loc) -> Any:
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{key}.{k}" if key else k, env, loc) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{key}[{i}]", env, loc) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            identity = _identity_of(key)
            if not env.get(name) and identity and loc.skip_missing:
                state = "is not set" if name not in env else "is empty"
                loc.unavailable.setdefault(identity, f"${{{name}}} {state}")
                return ""
            if name not in env:
                raise loc.error(key, f"environment variable ${{{name}}} is not set")
            loc.secrets.add(env[name])
            loc.env_refs.setdefault(key, []).append(name)
            if not env[name]:
                loc.empty_refs.setdefault(key, []).append(name)
            return env[name]

        return _ENV_REF.sub(substitute, value)
    return value


def _identity_of(key: str) -> str | None:
    """`identities.alice.login.fields.password` -> `alice`."""
    parts = key.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "identities" else None


def _check_not_empty_ref(key: str, loc: _Loc) -> None:
    """A `${VAR}` that is empty inside a credential (`"Bearer ${TOKEN}"` as well as a bare
    `"${TOKEN}"`) is an error: the gate never sends half a credential."""
    names = loc.empty_refs.get(key)
    if names and not (loc.skip_missing and _identity_of(key)):
        refs = ", ".join(f"${{{n}}}" for n in names)
        raise loc.error(
            key,
            f"{refs} is empty, so this credential would be incomplete (in "
            "CI: is the secret set for this workflow? Fork pull requests get "
            "no secrets)",
        )


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any, loc: _Loc, flag: str) -> None:
    parts = dotted.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(
                "cannot set a key inside a value that is not a mapping",
                file=flag,
                key=".".join(parts[: i + 1]),
            )
        node = child
    node[parts[-1]] = value
    loc.overridden[dotted] = flag


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({_short_number(value)})"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"a {type(value).__name__}"


def _short_number(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 20 else text[:17] + "..."


def _build(cls: type[Any], value: Any, key: str, loc: _Loc) -> Any:
    if not isinstance(value, dict):
        raise loc.error(key, f"expected a mapping, got {_type_name(value)}")
    hints = typing.get_type_hints(cls)
    settable = {
        f.metadata.get("key", f.name): f
        for f in dataclasses.fields(cls)
        if not f.metadata.get("internal")
    }
    for name in value:
        if name not in settable:
            hint = difflib.get_close_matches(str(name), list(settable), n=1, cutoff=0.6)
            suggestion = (
                f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(settable)}"
            )
            raise loc.error(f"{key}.{name}" if key else str(name), f"unknown key{suggestion}")
    kwargs: dict[str, Any] = {}
    for name, fld in settable.items():
        child = f"{key}.{name}" if key else name
        if name in value:
            kwargs[fld.name] = _coerce(hints[fld.name], value[name], child, fld.metadata, loc)
        elif fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING:
            raise loc.error(key, f"missing required key '{name}'")
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, key: str, meta: Mapping[str, Any], loc: _Loc) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType) and type(None) in args:
        if value is None:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _coerce(inner, value, key, meta, loc)
    kind = meta.get("kind")
    if origin is tuple:
        if not isinstance(value, list):
            if isinstance(value, str) and args[0] is str:
                value = [value]
            else:
                raise loc.error(key, f"expected a list, got {_type_name(value)}")
        return tuple(
            _coerce(args[0], item, f"{key}[{i}]", meta, loc) for i, item in enumerate(value)
        )
    if origin in (Mapping, dict) or tp is Mapping:
        return _coerce_mapping(args, value, key, kind, loc)
    if dataclasses.is_dataclass(tp):
        return _build(typing.cast(type, tp), {} if value is None else value, key, loc)
    if tp is Any:
        if kind == "credentials":  # a JSON body: its secret-looking fields are secrets
            _note_credentials(key.rsplit(".", 1)[-1], value, key, loc)
        return value
    if tp is Severity:
        return _coerce_severity(value, key, loc)
    if tp is bool:
        if not isinstance(value, bool):
            raise loc.error(key, f"expected true or false, got {_type_name(value)}")
        return value
    if tp is float and kind == "duration":
        return _check_range(parse_duration(value, key, loc), key, meta, loc)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise loc.error(key, f"expected a whole number, got {_type_name(value)}")
        return _check_range(value, key, meta, loc)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise loc.error(key, f"expected a number, got {_type_name(value)}")
        return _check_range(_finite(value, key, loc), key, meta, loc)
    if tp is str:
        return _coerce_str(value, key, kind, loc)
    raise loc.error(key, f"unsupported setting type {tp!r}")  # pragma: no cover - schema bug


def _coerce_mapping(
    args: tuple[Any, ...], value: Any, key: str, kind: str | None, loc: _Loc
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise loc.error(key, f"expected a mapping, got {_type_name(value)}")
    out: dict[str, Any] = {}
    value_type = args[1] if len(args) == 2 else str
    for name, item in value.items():
        child = f"{key}.{name}"
        if kind == "overrides":
            check = str(name).split(".")[0]
            if not FINDING_ID_PATTERN.match(str(name)) or check not in CHECK_NAMES:
                raise loc.error(
                    child,
                    "expected a finding id such as 'headers.csp-missing' "
                    f"(<check>.<kebab-case>, check one of "
                    f"{', '.join(CHECK_NAMES)})",
                )
            if str(name) not in FINDING_IDS:
                hint = closest_finding_id(str(name))
                raise loc.error(
                    child,
                    "no check reports this finding id"
                    + (
                        f"; did you mean '{hint}'?"
                        if hint
                        else " (each check's findings table in docs/ lists its ids)"
                    ),
                )
            out[str(name)] = _coerce_severity(item, child, loc)
            continue
        if kind == "connect-to":
            for part, label in ((str(name), "key"), (item, "value")):
                try:
                    hp = parse_hostport(part) if isinstance(part, str) else None
                except ValueError:
                    hp = None
                if hp is None:
                    raise loc.error(
                        child,
                        f"expected 'host:port' as {label}, e.g. "
                        '"example.com:443": "127.0.0.1:8443"',
                    )
                if not valid_port(hp.port):
                    raise loc.error(
                        child, f"the port of the {label} must be 1..65535, got {part!r}"
                    )
            # Lookups use the normalized host (case, trailing dot, IDNA, IPv6 brackets), so
            # the key is stored in the same form.
            key_hp = parse_hostport(str(name))
            name = connect_key(key_hp.host, key_hp.port or 0)
        if kind == "secret-values":
            _check_header(str(name), item, child, loc)
            _check_not_empty_ref(child, loc)
        if kind == "identities":
            _check_identity_name(str(name), child, loc)
        if kind == "credentials":
            _note_credentials(str(name), item, child, loc)
        out[str(name)] = _coerce(value_type, item, child, {}, loc)
    return out


def _check_identity_name(name: str, key: str, loc: _Loc) -> None:
    if name == ANONYMOUS:
        raise loc.error(
            key, f"'{ANONYMOUS}' is reserved: it means no credentials and needs no definition"
        )
    if not _IDENTITY_NAME.match(name):
        raise loc.error(key, "expected an identity name made of letters, digits, '_', '.' and '-'")


def _note_credentials(name: str, value: Any, key: str, loc: _Loc) -> None:
    """Values sent to log in or fill a form: an empty `${VAR}` in them is an error, and the
    value of a secret-looking field (`password`, `token`, ...) is redacted everywhere."""
    if isinstance(value, dict):
        for child_name, item in value.items():
            _note_credentials(str(child_name), item, f"{key}.{child_name}", loc)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _note_credentials(name, item, f"{key}[{i}]", loc)
        return
    _check_not_empty_ref(key, loc)
    if (
        SECRET_FIELD.search(name)
        and isinstance(value, str | int)
        and not isinstance(value, bool)
        and str(value)
    ):
        loc.credentials.add(str(value))


def _coerce_severity(value: Any, key: str, loc: _Loc) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise loc.error(
            key, f"expected one of blocker, important, later; got {_type_name(value)}"
        ) from None


def _coerce_str(value: Any, key: str, kind: str | None, loc: _Loc) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise loc.error(key, f"expected text, got {_type_name(value)}")
    text = str(value)
    if kind == "url":
        return validate_url(text, lambda msg: loc.error(key, msg))
    if kind == "fail-on" and text not in FAIL_ON_CHOICES:
        raise loc.error(key, f"expected one of {', '.join(FAIL_ON_CHOICES)}; got {text!r}")
    if kind == "gate-on" and text not in GATE_ON_CHOICES:
        raise loc.error(key, f"expected one of {', '.join(GATE_ON_CHOICES)}; got {text!r}")
    if kind == "path":
        _check_path(text, key, loc)
    if kind == "template-path":  # `{{id}}` is filled in from a captured value at run time
        _check_path(_TEMPLATE.sub("1", text), key, loc)
        if "{{" in _TEMPLATE.sub("", text):
            raise loc.error(
                key,
                "expected `{{name}}` placeholders made of letters, digits "
                f"and '_', got {text!r}",
            )
    if kind == "identity" and text != ANONYMOUS and not _IDENTITY_NAME.match(text):
        raise loc.error(key, f"expected an identity name, got {text!r}")
    if kind == "method" and text.upper() not in {
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
    }:
        raise loc.error(key, f"expected an HTTP method such as GET or POST, got {text!r}")
    if kind == "method":
        return text.upper()
    if kind == "host" and not _HOSTNAME.match(text):
        raise loc.error(key, f"expected a host name such as 'www.example.com', got {text!r}")
    if kind == "nameserver" and not _valid_nameserver(text):
        raise loc.error(
            key,
            f"expected an IP address with an optional port, e.g. '127.0.0.1:5300', got {text!r}",
        )
    if kind == "secret-url" and not text.strip():
        return ""  # an unset optional secret (Actions passes ""): no webhook, said at run time
    if kind == "secret-url":  # the URL is the credential: never echoed in the error
        validate_url(
            text,
            lambda _msg: loc.error(
                key,
                'expected an http(s):// URL with a host, e.g. "${SLACK_WEBHOOK_URL}" '
                "(the value is not shown: it is a secret)",
            ),
        )
    if kind == "github-login" and not _GITHUB_LOGIN.match(text):
        raise loc.error(key, f"expected a GitHub user name such as 'ops-lead', got {text!r}")
    if kind == "tls-version" and text not in ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"):
        raise loc.error(key, f"expected TLSv1.2 or TLSv1.3 (or TLSv1, TLSv1.1), got {text!r}")
    return text


def _check_path(text: str, key: str, loc: _Loc) -> None:
    """A path on the app's own origin: `//host/x`, `/\\host/x` (browsers read `\\` as `/`)
    and control characters or whitespace (urllib drops tabs and newlines, which turns
    `/\t/host` into `//host`) could lead the gate to another host."""
    if not text.startswith("/"):
        raise loc.error(key, f"expected a path starting with '/', got {text!r}")
    if text.startswith(("//", "/\\")):
        raise loc.error(
            key,
            f"expected a path on the app's own host, got {text!r} (a "
            "path starting with '//' or '/\\' names another host)",
        )
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise loc.error(
            key,
            f"expected a path without spaces or control characters, got "
            f"{text!r} (write a space as %20)",
        )
    base = "http://launchgate.invalid"
    if urllib.parse.urlsplit(urllib.parse.urljoin(base, text)).netloc != base[7:]:
        raise loc.error(key, f"expected a path on the app's own host, got {text!r}")


# RFC 7230 token characters: what a header name may contain.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _check_header(name: str, value: Any, key: str, loc: _Loc) -> None:
    """Names are RFC 7230 tokens; values printable ASCII (httpx refuses anything else, so a
    bad value would fail every request). The value is never shown: it may be a secret."""
    if not _HEADER_NAME.match(name):
        raise loc.error(
            key,
            "expected a header name made of letters, digits and "
            "!#$%&'*+.^_`|~- (no spaces, colons or other characters)",
        )
    if isinstance(value, str) and any(not (" " <= ch <= "~" or ch == "\t") for ch in value):
        raise loc.error(
            key,
            "a header value must be printable ASCII on one line (no line "
            "breaks, control characters or letters such as 'ä'); the value "
            "is not shown",
        )
    if (
        isinstance(value, str)
        and not value.strip()
        and not (loc.skip_missing and _identity_of(key))
    ):
        raise loc.error(
            key,
            "the header value is empty (in CI: is the secret behind its "
            "${VAR} set for this workflow? Fork pull requests get no secrets)",
        )


def _valid_nameserver(text: str) -> bool:
    try:
        parse_nameserver(text)
    except ValueError:
        return False
    return True


def _finite(value: float, key: str, loc: _Loc) -> float:
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise loc.error(key, f"expected a finite number, got {_type_name(value)}")
    return number


def _check_range(value: float, key: str, meta: Mapping[str, Any], loc: _Loc) -> Any:
    low, high = meta.get("min"), meta.get("max")
    show = _duration_text if meta.get("kind") == "duration" else _short_number
    if low is not None and value < low:
        raise loc.error(key, f"must be at least {show(low)}, got {show(value)}")
    if high is not None and value > high:
        raise loc.error(key, f"must be at most {show(high)} (a hard cap), got {show(value)}")
    return value


def _duration_text(seconds: float) -> str:
    """600 -> '10m (600 s)', 45 -> '45s': durations are shown the way they are written."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m ({seconds:g} s)"
    return f"{seconds:g}s"


def parse_duration(value: Any, key: str, loc: _Loc) -> float:
    """`30s`, `2m`, `500ms`, `1h` or a number of seconds."""
    if isinstance(value, bool):
        raise loc.error(key, f"expected a duration such as 30s or 2m, got {_type_name(value)}")
    if isinstance(value, int | float):
        return _finite(value, key, loc)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise loc.error(key, f"expected a duration such as 30s, 2m or 45, got {_type_name(value)}")
    number = _finite(float(match.group(1)), key, loc)
    return number * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]


def validate_url(text: str, error: typing.Callable[[str], Exception]) -> str:
    """An absolute http(s) URL with a host; anything else is refused with a clear message."""
    import httpx  # here, not at the top: the CLI starts faster without it

    if any(ch.isspace() or not ch.isprintable() for ch in text.strip()):
        raise error(
            f"invalid URL {redact_url(text)!r}: it contains spaces or control "
            "characters (write a space as %20)"
        )
    try:
        parts = urllib.parse.urlsplit(text.strip())
        port = parts.port
        httpx.URL(text.strip())
    except (ValueError, httpx.InvalidURL) as exc:
        raise error(f"invalid URL {redact_url(text)!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise error(f"invalid URL {redact_url(text)!r}: only http:// and https:// are supported")
    if not parts.hostname:
        raise error(f"invalid URL {redact_url(text)!r}: it has no host")
    del port
    return text.strip()


def redact_url(url: str) -> str:
    """Drop user:password from a URL before it is shown anywhere."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"[redacted]@{netloc}"))


def parse_set_option(option: str) -> tuple[str, Any]:
    """`--set checks.load.users=5`: the value is read as a YAML scalar."""
    if "=" not in option:
        raise ConfigError("expected KEY=VALUE, e.g. checks.load.users=5", file="--set", key=option)
    dotted, text = option.split("=", 1)
    dotted = dotted.strip()
    if not re.fullmatch(r"[a-z_]+(\.[a-z_0-9-]+)*", dotted):
        raise ConfigError(
            "expected a dotted key such as checks.load.users", file="--set", key=dotted
        )
    if not text.strip():
        return dotted, ""
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except yaml.YAMLError:
        return dotted, text
    if node is None:
        return dotted, None
    loc = _Loc("--set")
    try:
        return dotted, _Walk(loc, yaml.SafeLoader("")).plain(node, dotted)
    except ConfigError as exc:
        if "expands to more than" in str(exc):
            raise
        return dotted, text


def _cross_check_routes(load: LoadConfig, loc: _Loc) -> None:
    seen: set[str] = set()
    for index, route in enumerate(load.routes):
        key = f"checks.load.routes[{index}]"
        if route.name in seen:  # samples, metrics and findings are keyed by the name
            raise loc.error(
                f"{key}.name", f"duplicate route name {route.name!r}: each route needs its own name"
            )
        seen.add(route.name)
        if (
            route.p95_target_ms is not None
            and route.p95_blocker_ms is not None
            and route.p95_target_ms > route.p95_blocker_ms
        ):
            raise loc.error(
                f"{key}.p95_target_ms",
                f"target ({route.p95_target_ms:g} ms) is above the route's blocker "
                f"budget ({route.p95_blocker_ms:g} ms)",
            )


def _cross_check_identities(config: Config, loc: _Loc) -> None:
    for name, identity in config.identities.items():
        key = f"identities.{name}"
        if identity.login is None and not identity.headers:
            raise loc.error(
                key,
                "an identity needs `login:` (a form or an API login) or "
                "`headers:` (static credentials)",
            )
        login = identity.login
        if login is None:
            continue
        if (login.page is None) == (login.path is None):
            raise loc.error(
                f"{key}.login",
                "expected either `page:` (an HTML login form) or `path:` (an API login), not both",
            )
        if login.page is not None:
            if not login.fields:
                raise loc.error(
                    f"{key}.login",
                    "a form login needs `fields:` (e.g. {username: ..., password: ...})",
                )
            for extra in ("json", "form", "token"):
                if getattr(login, extra) is not None:
                    raise loc.error(
                        f"{key}.login.{extra}",
                        f"`{extra}:` belongs to an API login (`path:`), not a form login",
                    )
        else:
            if (login.json is None) == (login.form is None):
                raise loc.error(
                    f"{key}.login",
                    "an API login needs exactly one of `json:` "
                    "or `form:` (the OAuth2 password flow is form:)",
                )
            if login.fields:
                raise loc.error(
                    f"{key}.login.fields",
                    "`fields:` belongs to a form login "
                    "(`page:`); an API login sends `json:` "
                    "or `form:`",
                )
            if login.token is not None:
                _check_dotted(login.token, f"{key}.login.token", "access_token", loc)


def _check_dotted(text: str, key: str, example: str, loc: _Loc) -> None:
    """A dotted path into a JSON answer: an empty one names the whole answer (a token that is
    the whole JSON object, ids that are the list itself), which is never what was meant."""
    if not [part for part in text.split(".") if part.strip()]:
        raise loc.error(key, f"expected a dotted path into the JSON answer, e.g. {example}")


def _identity_refs(config: Config) -> list[tuple[str, str]]:
    """Every (dotted key, identity name) the checks refer to."""
    refs: list[tuple[str, str]] = [
        (f"checks.load.as[{i}]", n) for i, n in enumerate(config.checks.load.as_)
    ]
    for i, flow in enumerate(config.checks.smoke.flows):
        refs.append((f"checks.smoke.flows[{i}].as", flow.as_))
    for i, rule in enumerate(config.checks.access.rules):
        refs += [(f"checks.access.rules[{i}].allow", n) for n in rule.allow]
        refs += [(f"checks.access.rules[{i}].deny", n) for n in rule.deny]
    for i, probe in enumerate(config.checks.access.tenants):
        refs += [
            (f"checks.access.tenants[{i}].owner", probe.owner),
            (f"checks.access.tenants[{i}].other", probe.other),
        ]
    return refs


def _cross_check_journeys(config: Config, loc: _Loc) -> None:
    known = [*config.identities, ANONYMOUS]
    for key, name in _identity_refs(config):
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            # Backticks, not quotes: a name that starts like a secret value would be
            # scrubbed as a cut secret ("alice'" for a password "alice-...").
            raise loc.error(
                key,
                f"unknown identity `{name}`"
                + (
                    f"; did you mean `{hint[0]}`?"
                    if hint
                    else f"; define it under `identities:` (known: {', '.join(known)})"
                ),
            )
    for i, flow in enumerate(config.checks.smoke.flows):
        key = f"checks.smoke.flows[{i}]"
        if not flow.steps:
            raise loc.error(f"{key}.steps", "a flow needs at least one step")
        captured: set[str] = set()
        for j, step in enumerate(flow.steps):
            step_key = f"{key}.steps[{j}]"
            _cross_check_step(flow.name, step, j, step_key, flow.writes, captured, loc)
            captured.update(step.capture)
    for i, probe in enumerate(config.checks.access.tenants):
        key = f"checks.access.tenants[{i}]"
        if probe.owner == probe.other:
            raise loc.error(f"{key}.other", "owner and other must be different identities")
        _check_dotted(probe.ids, f"{key}.ids", "results.*.id", loc)
        if not _TEMPLATE.search(probe.item):
            raise loc.error(
                f"{key}.item",
                "expected a `{{id}}` placeholder for the ids "
                f"listed by the owner, e.g. {_item_hint(probe)}",
            )
    for i, rule in enumerate(config.checks.access.rules):
        both = set(rule.allow) & set(rule.deny)
        if both:
            raise loc.error(
                f"checks.access.rules[{i}].deny", f"`{sorted(both)[0]}` is both allowed and denied"
            )
        if not rule.allow and not rule.deny:
            raise loc.error(f"checks.access.rules[{i}]", "a rule needs `allow:` or `deny:`")


def _item_hint(probe: TenantProbe) -> str:
    """The probe's `item` as it was probably meant: `{id}` (one brace, as in Django or
    OpenAPI paths) doubled, else `{{id}}` appended to the list's path."""
    single = _SINGLE_BRACE.sub(r"{{\1}}", probe.item)
    if single != probe.item:
        return single
    return probe.list.split("?")[0].rstrip("/") + "/{{id}}"


def _cross_check_step(
    flow: str, step: Any, index: int, key: str, writes: bool, captured: set[str], loc: _Loc
) -> None:
    label = step.label(index)
    if (step.path is None) == (step.submit is None):
        raise loc.error(
            key, "a step needs either `path:` (a request) or `submit:` (an HTML form on a page)"
        )
    if step.submit is not None and (
        step.json is not None or step.form is not None or step.method != "GET"
    ):
        raise loc.error(
            key,
            "`submit:` sends the page's own form; `method`, `json` and "
            "`form` belong to a `path:` step",
        )
    if step.json is not None and step.form is not None:
        raise loc.error(key, "a step sends `json:` or `form:`, not both")
    for name, dotted in step.capture.items():
        _check_dotted(str(dotted), f"{key}.capture.{name}", "id", loc)
    for dotted in step.expect_json:
        _check_dotted(str(dotted), f"{key}.expect_json", "data.status", loc)
    if step.writes and not writes:
        what = "submits a form" if step.submit else f"is a {step.method}"
        raise loc.error(
            key,
            f"step {label!r} of flow {flow!r} {what}, which can change data: "
            "add `writes: true` to the flow to allow it",
        )
    texts = [
        step.path or "",
        step.submit.page if step.submit else "",
        *(str(v) for v in (step.form or {}).values()),
        *(str(v) for v in (step.submit.fields.values() if step.submit else ())),
    ]
    if step.json is not None:
        texts.append(str(step.json))
    texts += [str(v) for v in step.expect_json.values()]
    texts.append(step.expect_text or "")
    for text in texts:
        for name in _TEMPLATE.findall(text):
            if name not in captured:
                raise loc.error(
                    key,
                    f"`{{{{{name}}}}}` is not captured by an earlier step "
                    "(`capture: {" + name + ": dotted.path}`)",
                )


def _cross_check(config: Config, loc: _Loc) -> None:
    _cross_check_identities(config, loc)
    _cross_check_journeys(config, loc)
    load = config.checks.load
    if load.p95_target_ms > load.p95_blocker_ms:
        raise loc.error(
            "checks.load.p95_target_ms",
            f"target ({load.p95_target_ms:g} ms) is above the blocker budget "
            f"({load.p95_blocker_ms:g} ms)",
        )
    if load.warmup >= load.duration:
        raise loc.error(
            "checks.load.warmup",
            f"warm-up ({load.warmup:g}s) must be shorter than the duration ({load.duration:g}s)",
        )
    _cross_check_routes(load, loc)
    tls = config.checks.tls
    if tls.expiry_blocker_days > tls.expiry_important_days:
        raise loc.error(
            "checks.tls.expiry_blocker_days", "must not be larger than expiry_important_days"
        )
