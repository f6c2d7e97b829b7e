"""`secrets.exposed-to-browser` (issue 14 part 3) on real repositories: a Next.js app with a
committed `.env.local`, a Vite app (config and code), a SvelteKit import, a workflow's `env:`
blocks, and a change that adds a public private variable without a value. Values are generated
at run time and never printed: assertions compare names, paths and lines."""

from __future__ import annotations

import json
import random
from pathlib import Path

from launchgate.secrets.browser import private_name
from launchgate.secrets.engine import Engine
from launchgate.secrets.scan import ScanOptions, scan_repository
from tests.conftest import assert_no_secret, run_cli
from tests.support.secrets_fixture import (
    commit,
    git,
    new_repo,
    random_string,
    supabase_jwt,
)

ENGINE = Engine()
RNG = random.Random(1403)
EXPOSED = "secrets.exposed-to-browser"


def _exposures(repo: Path, tmp_path: Path, **kwargs) -> set[tuple[str, int, str]]:
    scan = scan_repository(
        str(repo), ScanOptions(cache=str(tmp_path / "cache"), **kwargs), engine=ENGINE
    )
    return {(e.path, e.line, e.name) for e in scan.exposures}


def _report(repo: Path, tmp_path: Path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "r.json"
    md = tmp_path / "r.md"
    result = run_cli(
        "check",
        "--repo",
        str(repo),
        "--only",
        "secrets",
        "--json",
        str(out),
        "--markdown",
        str(md),
        *args,
    )
    return json.loads(out.read_text()), out.read_text() + md.read_text() + result.output


def test_names_that_say_private_and_names_that_do_not():
    for name in (
        "STRIPE_SECRET_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "WEBHOOK_SECRET",
        "STRIPE_WEBHOOK_SIGNING_SECRET",
        "INNGEST_SIGNING_KEY",
        "DB_PASSWORD",
        "FIREBASE_PRIVATE_KEY",
        "OPENAI_API_KEY",
        "DATABASE_URL",
        "JWT_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "supabase_service_role_key",
    ):
        assert private_name(name), name
    for name in (
        "STRIPE_PUBLISHABLE_KEY",
        "SUPABASE_ANON_KEY",
        "SUPABASE_URL",
        "SECRET_SANTA_URL",
        "PASSWORD_MIN_LENGTH",
        "PRIVACY_POLICY_URL",
        "RECAPTCHA_SITE_KEY",
        "VAPID_PUBLIC_KEY",
        "FIREBASE_API_KEY",
        "API_URL",
        "PRIVATE_BETA_ENABLED",
        "SENTRY_DSN",
    ):
        assert not private_name(name), name


def test_nextjs_env_local_and_the_code_that_reads_it(tmp_path):
    repo = new_repo(tmp_path)
    secret_key = "sk_" + "live_" + random_string(RNG, 24)  # pragma: allowlist secret
    service_role = supabase_jwt(RNG, "service_role")
    anon = supabase_jwt(RNG, "anon")
    (repo / ".env.local").write_text(
        "NEXT_PUBLIC_SUPABASE_URL=https://abcdefghijklmnop.supabase.co\n"
        f"NEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\n"
        f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{random_string(RNG, 24)}\n"
        f"NEXT_PUBLIC_STRIPE_SECRET_KEY={secret_key}\n"  # line 4: the name
        f'NEXT_PUBLIC_SUPABASE_KEY="{service_role}"\n'  # line 5: the value
        "NEXT_PUBLIC_SECRET_SANTA_URL=https://santa.example.com\n"
        f"STRIPE_SECRET_KEY={secret_key}\n"
    )  # server only: no exposure
    (repo / "app").mkdir()
    (repo / "app" / "checkout.tsx").write_text(
        "export default function Checkout() {\n"
        "  const url = process.env.NEXT_PUBLIC_SUPABASE_URL\n"
        "  const stripe = loadStripe(process.env.NEXT_PUBLIC_STRIPE_SECRET_KEY!)\n"
        "  return null\n}\n"
    )
    commit(repo, "next app", 1)
    assert _exposures(repo, tmp_path) == {
        (".env.local", 4, "NEXT_PUBLIC_STRIPE_SECRET_KEY"),
        (".env.local", 5, "NEXT_PUBLIC_SUPABASE_KEY"),
        ("app/checkout.tsx", 3, "NEXT_PUBLIC_STRIPE_SECRET_KEY"),
    }
    report, text = _report(repo, tmp_path)
    exposed = [f for f in report["findings"] if f["id"] == EXPOSED]
    assert {f["severity"] for f in exposed} == {"blocker"} and len(exposed) == 3
    by_line = {(f["location"]["path"], f["location"]["line"]): f for f in exposed}
    assert "its value is a Supabase service_role Key" in by_line[(".env.local", 5)]["detail"]
    # the two places of NEXT_PUBLIC_STRIPE_SECRET_KEY are one entry in the comment
    assert len({f["group"] for f in exposed}) == 2
    assert "*2 places:*" in text
    for value in (secret_key, service_role, anon):
        assert_no_secret(text, value)


def test_vite_config_and_code(tmp_path):
    repo = new_repo(tmp_path)
    (repo / "vite.config.ts").write_text(
        "import { defineConfig } from 'vite'\n"
        "export default defineConfig({\n"
        "  envPrefix: ['VITE_', 'APP_'],\n"
        "  define: {\n"
        "    'process.env.OPENAI_API_KEY': JSON.stringify(process.env.OPENAI_API_KEY),\n"
        "    'process.env.APP_VERSION': JSON.stringify('1.0'),\n"
        "  },\n})\n"
    )
    (repo / "src").mkdir()
    (repo / "src" / "supabase.ts").write_text(
        "import { createClient } from '@supabase/supabase-js'\n"
        "const url = import.meta.env.VITE_SUPABASE_URL\n"
        "export const anon = createClient(url, import.meta.env.VITE_SUPABASE_ANON_KEY)\n"
        "export const admin = createClient(url, import.meta.env.VITE_SUPABASE_SERVICE_ROLE_KEY)\n"
        "export const hook = import.meta.env.APP_WEBHOOK_SECRET\n"
    )
    (repo / "src" / "routes").mkdir()
    (repo / "src" / "routes" / "+page.svelte").write_text(
        "<script>\n  import { PUBLIC_SITE_NAME, PUBLIC_STRIPE_SECRET_KEY } "
        "from '$env/static/public'\n</script>\n"
    )
    commit(repo, "vite app", 1)
    assert _exposures(repo, tmp_path) == {
        ("vite.config.ts", 5, "OPENAI_API_KEY"),
        ("src/supabase.ts", 4, "VITE_SUPABASE_SERVICE_ROLE_KEY"),
        ("src/supabase.ts", 5, "APP_WEBHOOK_SECRET"),  # APP_ is public by envPrefix
        ("src/routes/+page.svelte", 2, "PUBLIC_STRIPE_SECRET_KEY"),
    }


def test_workflow_env_blocks(tmp_path):
    repo = new_repo(tmp_path)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(
        "name: deploy\non: push\n"
        "env:\n"
        "  NEXT_PUBLIC_API_URL: https://api.example.com\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        "      NEXT_PUBLIC_STRIPE_KEY: ${{ secrets.STRIPE_SECRET_KEY }}\n"  # line 9
        "      REACT_APP_SENTRY_DSN: ${{ secrets.SENTRY_DSN }}\n"
        "    steps:\n"
        "      - run: npm run build\n"
        "        env:\n"
        "          VITE_SUPABASE_SERVICE_ROLE_KEY: ${{ secrets.SUPABASE_KEY }}\n"  # line 14
        "          GATSBY_ALGOLIA_SEARCH_KEY: ${{ secrets.ALGOLIA_SEARCH_KEY }}\n"
        "      - run: echo NEXT_PUBLIC_DB_PASSWORD=x  # not an env block\n"
    )
    commit(repo, "workflow", 1)
    assert _exposures(repo, tmp_path) == {
        (".github/workflows/deploy.yml", 9, "NEXT_PUBLIC_STRIPE_KEY"),
        (".github/workflows/deploy.yml", 14, "VITE_SUPABASE_SERVICE_ROLE_KEY"),
    }


def test_in_the_change_a_name_without_a_value_is_a_blocker(tmp_path):
    repo = new_repo(tmp_path)
    (repo / ".env.example").write_text("EXPO_PUBLIC_API_URL=\n")
    commit(repo, "base", 1)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / ".env.example").write_text("EXPO_PUBLIC_API_URL=\nEXPO_PUBLIC_OPENAI_API_KEY=\n")
    (repo / "README.md").write_text("# app\n")
    commit(repo, "feature", 2)
    # diff only: the change's added lines
    assert _exposures(repo, tmp_path, history=False, diff=True) == set()  # no base given
    scan = scan_repository(
        str(repo), ScanOptions(history=False, cache=str(tmp_path / "c")), base="main", engine=ENGINE
    )
    assert [(e.path, e.line, e.name) for e in scan.exposures] == [
        (".env.example", 2, "EXPO_PUBLIC_OPENAI_API_KEY")
    ]
    report, _text = _report(repo, tmp_path, "--base", "main", "--head", "feature")
    [finding] = [f for f in report["findings"] if f["id"] == EXPOSED]
    assert finding["severity"] == "blocker" and "This change adds it" in finding["detail"]
    assert report["verdict"] == "fail"


def test_pragma_accepts_and_fingerprints_survive_moves(tmp_path):
    repo = new_repo(tmp_path)
    env = repo / ".env.production"
    env.write_text(
        "VITE_SECRET_SAUCE_LABEL=Spicy  # pragma: allowlist secret\nVITE_WEBHOOK_SECRET=\n"
    )
    commit(repo, "one", 1)
    first, _ = _report(repo, tmp_path)
    env.write_text("# production settings\n\n" + env.read_text())
    commit(repo, "move", 2)
    second, _ = _report(repo, tmp_path)

    def places(report: dict) -> list[tuple[int, str]]:
        return [
            (f["location"]["line"], f["fingerprint"])
            for f in report["findings"]
            if f["id"] == EXPOSED
        ]

    assert [line for line, _fp in places(first)] == [2]
    assert [line for line, _fp in places(second)] == [4]
    assert [fp for _l, fp in places(first)] == [fp for _l, fp in places(second)]


def test_env_files_in_a_folder_named_env_are_read():
    """`env` is skipped as a virtualenv for code, but `config/env/.env.production` is an
    env file like any other (it was never read)."""
    from launchgate.secrets.browser import find_exposures, kind_of

    found = find_exposures(
        Engine(),
        {
            "config/env/.env.production": ["NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY="],
            "node_modules/pkg/.env": ["NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY="],
        },
    )
    assert [(e.path, e.name) for e in found] == [
        ("config/env/.env.production", "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY")
    ]
    assert kind_of("env/lib/site.js") == ""


def test_a_vite_env_prefix_is_honoured_in_files_without_a_well_known_prefix(tmp_path):
    """`envPrefix: ['APP_']` ships APP_* to the browser; an env file holding only APP_*
    names was skipped unread (no well-known prefix in it), and in the change the Vite
    config, not being changed, added no prefix."""
    import subprocess

    from launchgate.secrets.browser import exposures_at

    def git(*args: str) -> str:
        return subprocess.run(
            [
                "git",
                "-C",
                str(tmp_path),
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t.invalid",
                *args,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "vite.config.ts").write_text("export default { envPrefix: ['APP_'] }\n")
    (tmp_path / ".env.production").write_text("APP_STRIPE_SECRET_KEY=\n")
    git("add", "-A")
    git("commit", "-qm", "x")
    head = git("rev-parse", "HEAD")
    for paths in (None, {".env.production"}):
        found = exposures_at(str(tmp_path), head, Engine(), paths)
        assert [(e.path, e.name) for e in found] == [
            (".env.production", "APP_STRIPE_SECRET_KEY")
        ], paths
