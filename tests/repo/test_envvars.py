"""The env-var inventory on a repository fixture with every language the scan reads."""

from __future__ import annotations

from pathlib import Path

from launchgate.repo.envvars import scan_env

FILES = {
    "app/settings.py": 'import os\nDB = os.environ["DATABASE_URL"]\n'
    'DEBUG = os.getenv("DEBUG", "0")\nX = os.environ.get(\'SENTRY_DSN\')\n',
    "web/src/client.ts": "const u = process.env.NEXT_PUBLIC_API_URL;\n"
    "const k = import.meta.env.VITE_SUPABASE_ANON_KEY;\n"
    "const n = process.env.NODE_ENV;\n",
    "web/server.js": "const s = process.env['STRIPE_SECRET_KEY'];\n",
    "worker/main.go": 'package main\nimport "os"\nfunc main() { os.Getenv("REDIS_URL") }\n',
    "lib/mailer.rb": "ENV['SMTP_PASSWORD']\nENV.fetch(\"SMTP_HOST\")\n",
    "node_modules/dep/index.js": "process.env.DEPENDENCY_ONLY\n",
    ".env.example": "DATABASE_URL=postgres://localhost/app\nexport DEBUG=0\nOLD_FLAG=1\n",
    ".github/workflows/deploy.yml": (
        "on: push\nenv:\n  APP_ENV: production\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: ./deploy\n        env:\n"
        "          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
        "          SENTRY_DSN: ${{ secrets.SENTRY_DSN }}\n"
    ),
}


def make_repo(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_every_language_and_workflow_is_read(tmp_path):
    inventory = scan_env(make_repo(tmp_path))
    by_name = {v.name: v for v in inventory.variables}
    assert set(by_name) == {
        "DATABASE_URL",
        "DEBUG",
        "SENTRY_DSN",
        "NEXT_PUBLIC_API_URL",
        "VITE_SUPABASE_ANON_KEY",
        "NODE_ENV",
        "STRIPE_SECRET_KEY",
        "REDIS_URL",
        "SMTP_PASSWORD",
        "SMTP_HOST",
        "APP_ENV",
        "DEPLOY_TOKEN",
    }
    assert by_name["REDIS_URL"].read_in == ("worker/main.go",)
    assert by_name["SENTRY_DSN"].set_in == (".github/workflows/deploy.yml",)
    assert by_name["DEPLOY_TOKEN"].read_in == () and not by_name["DEPLOY_TOKEN"].undocumented


def test_undocumented_public_and_stale_names(tmp_path):
    inventory = scan_env(make_repo(tmp_path))
    assert inventory.example_file == ".env.example"
    undocumented = sorted(v.name for v in inventory.variables if v.undocumented)
    assert undocumented == [
        "NEXT_PUBLIC_API_URL",
        "REDIS_URL",
        "SENTRY_DSN",
        "SMTP_HOST",
        "SMTP_PASSWORD",
        "STRIPE_SECRET_KEY",
        "VITE_SUPABASE_ANON_KEY",
    ]
    assert sorted(v.name for v in inventory.variables if v.public) == [
        "NEXT_PUBLIC_API_URL",
        "VITE_SUPABASE_ANON_KEY",
    ]
    assert inventory.documented_only == ("OLD_FLAG",)


def test_no_value_is_collected(tmp_path):
    text = str(scan_env(make_repo(tmp_path)).to_json())
    assert "postgres://" not in text and "production" not in text


def test_a_yaml_bomb_workflow_is_not_expanded(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bomb.yml").write_text(bomb + "env:\n  SHOULD_NOT_APPEAR: 1\n", encoding="utf-8")
    assert scan_env(tmp_path).variables == ()
