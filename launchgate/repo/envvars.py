"""The environment variables an app needs: every name its code reads (Python, JavaScript and
TypeScript, Ruby, Go) and its workflows set or pass from secrets, compared with the names its
`.env.example` documents. "A missing env var causes runtime crashes after release": a name
that is read but documented nowhere is the one a new operator will not know to set.

Only names and the files they appear in are collected, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from launchgate.repo.files import read_text, relative, walk

# Build tools inline variables with these prefixes into the client bundle: every visitor's
# browser can read their values.
PUBLIC_ENV_PREFIXES: tuple[str, ...] = (
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "PUBLIC_",
    "GATSBY_",
)
EXAMPLE_FILES: tuple[str, ...] = (
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "example.env",
    "sample.env",
)

_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"
_Q = r"""["']"""
_READS: dict[str, tuple[re.Pattern[str], ...]] = {
    "python": (
        re.compile(rf"os\.environ\s*\[\s*{_Q}{_NAME}{_Q}\s*\]"),
        re.compile(rf"(?:os\.environ\.get|os\.getenv|environ\.get|getenv)\(\s*{_Q}{_NAME}{_Q}"),
        re.compile(rf"os\.environ\.setdefault\(\s*{_Q}{_NAME}{_Q}"),
    ),
    "javascript": (
        re.compile(rf"process\.env\.{_NAME}"),
        re.compile(rf"process\.env\[\s*{_Q}{_NAME}{_Q}\s*\]"),
        re.compile(rf"import\.meta\.env\.{_NAME}"),
    ),
    "ruby": (
        re.compile(rf"ENV\[\s*{_Q}{_NAME}{_Q}\s*\]"),
        re.compile(rf"ENV\.fetch\(\s*{_Q}{_NAME}{_Q}"),
    ),
    "go": (re.compile(rf"os\.(?:Getenv|LookupEnv)\(\s*\"{_NAME}\""),),
}
_LANGUAGE_OF: dict[str, str] = {
    ".py": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".vue": "javascript",
    ".svelte": "javascript",
    ".astro": "javascript",
    ".rb": "ruby",
    ".erb": "ruby",
    ".go": "go",
}
# Names every runtime sets by itself: listing them as "undocumented" would be noise.
_PLATFORM_NAMES = frozenset(
    {
        "NODE_ENV",
        "HOME",
        "PATH",
        "PWD",
        "USER",
        "SHELL",
        "TERM",
        "LANG",
        "TMPDIR",
        "CI",
        "GITHUB_TOKEN",
        "PYTHONPATH",
        "DEV",
        "PROD",
        "MODE",
        "SSR",
        "BASE_URL",
    }
)
_SECRETS_REF = re.compile(r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_EXAMPLE_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.MULTILINE)
MAX_WORKFLOW_BYTES = 256 * 1024


@dataclass(frozen=True)
class EnvVar:
    name: str
    read_in: tuple[str, ...]  # files whose code reads it
    set_in: tuple[str, ...]  # workflows that set it (`env:`) or pass it (`secrets.X`)
    documented: bool  # listed in the example env file
    public: bool  # a build-time public prefix: shipped to every browser

    @property
    def undocumented(self) -> bool:
        return bool(self.read_in) and not self.documented and self.name not in _PLATFORM_NAMES


@dataclass(frozen=True)
class EnvInventory:
    variables: tuple[EnvVar, ...]
    example_file: str | None  # the example env file found, if any
    documented_only: tuple[str, ...]  # documented, but nothing reads them (stale docs?)

    def to_json(self) -> dict[str, Any]:
        return {
            "example_file": self.example_file,
            "documented_only": list(self.documented_only),
            "variables": [
                {
                    "name": v.name,
                    "read_in": list(v.read_in),
                    "set_in": list(v.set_in),
                    "documented": v.documented,
                    "public": v.public,
                    "undocumented": v.undocumented,
                }
                for v in self.variables
            ],
        }


def is_public(name: str) -> bool:
    return name.startswith(PUBLIC_ENV_PREFIXES)


def scan_env(root: Path) -> EnvInventory:
    reads = code_reads(root)
    sets = workflow_names(root)
    example_file, documented = example_names(root)
    names = sorted(set(reads) | set(sets))
    variables = tuple(
        EnvVar(
            name,
            tuple(sorted(reads.get(name, ()))),
            tuple(sorted(sets.get(name, ()))),
            name in documented,
            is_public(name),
        )
        for name in names
    )
    stale = tuple(sorted(documented - set(reads) - set(sets)))
    return EnvInventory(variables, example_file, stale)


def code_reads(root: Path) -> dict[str, set[str]]:
    """name -> the files that read it."""
    found: dict[str, set[str]] = {}
    for path in walk(root, frozenset(_LANGUAGE_OF)):
        text = read_text(path)
        if text is None:
            continue
        for name in names_read(text, _LANGUAGE_OF[path.suffix]):
            found.setdefault(name, set()).add(relative(root, path))
    return found


def names_read(text: str, language: str) -> set[str]:
    return {m.group(1) for pattern in _READS[language] for m in pattern.finditer(text)}


def workflow_names(root: Path) -> dict[str, set[str]]:
    """name -> the workflow files that set it in an `env:` block or pass `secrets.NAME`."""
    found: dict[str, set[str]] = {}
    for path in workflow_files(root):
        text = read_text(path)
        if text is None:
            continue
        where = relative(root, path)
        names = {m.group(1) for m in _SECRETS_REF.finditer(text)}
        names |= env_block_names(load_workflow(text))
        for name in names - {"GITHUB_TOKEN"}:
            found.setdefault(name, set()).add(where)
    return found


def workflow_files(root: Path) -> list[Path]:
    folder = root / ".github" / "workflows"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yml", ".yaml")
        and p.is_file()
        and not p.is_symlink()
        and p.stat().st_size <= MAX_WORKFLOW_BYTES
    )


def load_workflow(text: str) -> Any:
    """A workflow as data; None when it is not YAML. Aliases are refused: a workflow has no
    use for them, and expanding them is how a YAML bomb takes a machine's memory."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return None
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def env_block_names(workflow: Any) -> set[str]:
    """The names a workflow sets in an `env:` block (workflow, job or step level)."""
    names: set[str] = set()
    if not isinstance(workflow, Mapping):
        return names
    blocks: list[Any] = [workflow.get("env")]
    jobs = workflow.get("jobs")
    for job in jobs.values() if isinstance(jobs, Mapping) else ():
        if not isinstance(job, Mapping):
            continue
        blocks.append(job.get("env"))
        steps = job.get("steps")
        blocks += [s.get("env") for s in steps or () if isinstance(s, Mapping)]
    for block in blocks:
        if isinstance(block, Mapping):
            names |= {str(k) for k in block if re.fullmatch(_NAME, str(k))}
    return names


def example_names(root: Path) -> tuple[str | None, set[str]]:
    for name in EXAMPLE_FILES:
        path = root / name
        if path.is_file() and not path.is_symlink():
            text = read_text(path) or ""
            return name, {m.group(1) for m in _EXAMPLE_LINE.finditer(text)}
    return None, set()


def public_names(variables: Iterable[EnvVar]) -> list[str]:
    return [v.name for v in variables if v.public]
