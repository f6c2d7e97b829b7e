"""A labelled corpus of made-up credentials, generated (never stored) from a seed.

Every value is random text shaped by the provider's published format (checksums computed
here), so no real key is involved and nothing credential-shaped is committed. Each provider
gets positives in the places secrets are committed (.env files, YAML, JSON, code) and hard
negatives: documentation examples and placeholders, wrong checksums, publishable keys, and
everyday hashes, UUIDs and test fixtures. Used by tests/secrets/test_plugins.py and
benchmarks/secrets_recall.py.
"""

# ruff: noqa: E501  (one case per line: the corpus reads as a table)

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from launchgate.secrets.plugins._base import crc32_base62
from launchgate.secrets.plugins.packages import PYPI_LOCATIONS

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
B64URL = B62 + "-_"
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Case:
    provider: str  # corpus group ("github", ..., "everyday" for provider-less negatives)
    path: str
    line: str
    secret: bool
    note: str = ""


class Maker:
    """Random made-up values (seeded: the same corpus every run)."""

    def __init__(self, seed: int = 14) -> None:
        self.rng = random.Random(seed)

    def text(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def b64(self, nbytes: int, urlsafe: bool = False, pad: bool = True) -> str:
        raw = bytes(self.rng.randrange(256) for _ in range(nbytes))
        out = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
        return out if pad else out.rstrip("=")

    def checksummed(self, prefix: str) -> str:
        body = self.text(B62, 30)
        return prefix + body + crc32_base62(body)

    def wrong_checksum(self, prefix: str) -> str:
        token = self.checksummed(prefix)
        last = B62[(B62.index(token[-1]) + 1) % 62]
        return token[:-1] + last

    def github_pat(self) -> str:
        return f"github_pat_{self.text(B62, 22)}_{self.text(B62, 59)}"

    def pypi(self, test_index: bool = False) -> str:
        location = PYPI_LOCATIONS[1 if test_index else 0]
        ident = json.dumps({"version": 1, "nonce": self.text(HEX, 32)}).encode()
        caveat = json.dumps({"permissions": "user", "version": 1}).encode()
        data = (
            bytes([2, 1, len(location)])
            + location.encode()
            + bytes([2, len(ident)])
            + ident
            + bytes([0])
            + bytes([2, len(caveat)])
            + caveat
            + bytes([0, 0])
            + bytes([6, 32])
            + bytes(self.rng.randrange(256) for _ in range(32))
        )
        return "pypi-" + base64.urlsafe_b64encode(data).decode().rstrip("=")

    def jwt(self, claims: dict[str, object]) -> str:
        def part(obj: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{self.b64(32, True, False)}"

    def pem_body(self) -> str:
        der = bytes([0x30, 0x82, 0x04, 0xBD]) + bytes(self.rng.randrange(256) for _ in range(600))
        return base64.b64encode(der).decode()

    def password(self) -> str:
        return (
            self.text(string.ascii_letters + string.digits, 10)
            + self.rng.choice("!$*%&")
            + self.text(string.ascii_letters + string.digits, 5)
        )


def _pem(maker: Maker, label: str = "PRIVATE KEY") -> str:
    body = maker.pem_body()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def corpus(seed: int = 14) -> list[Case]:
    """The whole labelled corpus (positives and hard negatives, every provider)."""
    maker = Maker(seed)
    cases: list[Case] = []
    for build in _BUILDERS:
        cases.extend(build(maker))
    return cases


def _github(m: Maker) -> list[Case]:
    p = "github"
    ghp, gho, ghs = m.checksummed("ghp_"), m.checksummed("gho_"), m.checksummed("ghs_")
    return [
        Case(p, ".env", f"GITHUB_TOKEN={ghp}", True),
        Case(p, "deploy.py", f'client = Github("{gho}")', True, "inside a call"),
        Case(p, ".github/workflows/ci.yml", f"          token: {ghs}", True),
        Case(p, "config.json", f'{{"github": {{"pat": "{m.github_pat()}"}}}}', True),
        Case(p, "scripts/release.sh", f"export GH_TOKEN={m.github_pat()}", True),
        Case(
            p,
            "tests/test_auth.py",
            f'TOKEN = "{m.wrong_checksum("ghp_")}"',
            False,
            "fixture: checksum does not match",
        ),
        Case(
            p,
            "README.md",
            "Set `GITHUB_TOKEN=ghp_xxxxxxxx"  # pragma: allowlist secret
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxx`.",
            False,
        ),
        Case(
            p,
            "docs/setup.md",
            "token = ghp_1234567890abcdefghijklmnopqrstuvwxyz",  # pragma: allowlist secret
            False,
        ),
        Case(p, "docs/setup.md", "export GH_TOKEN=github_pat_<your-token-here>", False),
        Case(
            p,
            "docs/setup.md",
            "github_pat_11AAAAAAA0EXAMPLEEXAMPLE_EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE"
            "EXAMPLEEXAMPL",
            False,
            "docs example",
        ),
    ]


def _gitlab(m: Maker) -> list[Case]:
    p = "gitlab"
    return [
        Case(p, ".env", f"GITLAB_TOKEN=glpat-{m.text(B64URL, 20)}", True),
        Case(p, "runner/config.toml", f'  token = "glrt-{m.text(B64URL, 20)}"', True),
        Case(p, "flags.py", f'unleash_token = "glffct-{m.text(B64URL, 20)}"', True),
        Case(
            p,
            "ci.env",
            f"GL_TOKEN=glpat-{m.text(B64URL, 36)}.01.{m.text('0123456789abcdefghijklmnopqrstuvwxyz', 9)}",
            True,
            "routable token",
        ),
        Case(
            p,
            "README.md",
            "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",  # pragma: allowlist secret
            False,
        ),
        Case(p, "docs/ci.md", "token: glpat-<your_access_token>", False),
        Case(p, "docs/ci.md", "glpat-12345678901234567890", False),  # pragma: allowlist secret
    ]


def _slack(m: Maker) -> list[Case]:
    p = "slack"
    team, app = (
        "T" + m.text(string.ascii_uppercase + string.digits, 10),
        "A" + m.text(string.ascii_uppercase + string.digits, 10),
    )
    return [
        Case(
            p,
            ".env",
            f"SLACK_APP_TOKEN=xapp-1-{app}-{m.text(string.digits, 13)}-{m.text(HEX, 64)}",
            True,
        ),
        Case(p, "manifest.sh", f"CONFIG_TOKEN=xoxe.xoxp-1-{m.text(B62, 140)}", True),
        Case(p, "manifest.sh", f"REFRESH_TOKEN=xoxe-1-{m.text(B62, 140)}", True),
        Case(
            p,
            "scraper.py",
            f'session = "xoxc-{m.text(string.digits, 11)}-'
            f"{m.text(string.digits, 11)}-{m.text(string.digits, 12)}-"
            f'{m.text(HEX, 64)}"',
            True,
        ),
        Case(
            p,
            "notify.js",
            f'const hook = "https://hooks.slack.com/triggers/{team}/'
            f'{m.text(string.digits, 13)}/{m.text(HEX, 32)}";',
            True,
        ),
        Case(
            p,
            "notify.yml",
            f"  url: https://hooks.slack.com/workflows/{team}/{app}/"
            f"{m.text(string.digits, 18)}/{m.text(HEX, 32)}",
            True,
        ),
        Case(p, "docs/slack.md", "refresh_token: xoxe-1-abcdefg", False, "Slack's docs example"),
        Case(
            p, "docs/slack.md", "SLACK_APP_TOKEN=xapp-1-XXXXXXXXXXX-XXXXXXXXXXXXX-xxxxxxxx", False
        ),
        Case(
            p,
            "docs/slack.md",
            "https://hooks.slack.com/triggers/TXXXXXXXX/0000000000/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            False,
        ),
    ]


def _packages(m: Maker) -> list[Case]:
    p = "packages"
    npm = m.checksummed("npm_")
    return [
        Case(p, ".npmrc", f"//registry.example.invalid/:_authToken={npm}", True),
        Case(p, "publish.sh", f"NPM_TOKEN={m.checksummed('npm_')}", True),
        Case(p, ".pypirc", f"password = {m.pypi()}", True),
        Case(
            p,
            ".github/workflows/release.yml",
            f"          TWINE_PASSWORD: {m.pypi(test_index=True)}",
            True,
        ),
        Case(
            p,
            ".npmrc",
            f"//npm.pkg.example.com/:_authToken={m.text(B62, 40)}",
            True,
            "private registry token",
        ),
        Case(
            p, ".npmrc", f"_auth={base64.b64encode(('ci:' + m.password()).encode()).decode()}", True
        ),
        Case(p, ".npmrc", "//registry.example.invalid/:_authToken=${NPM_TOKEN}", False),
        Case(p, "docs/publish.md", "//registry.example.invalid/:_authToken=YOUR_NPM_TOKEN", False),
        Case(
            p,
            "tests/fixtures/npmrc",
            f"_authToken={m.wrong_checksum('npm_')}",
            False,
            "fixture: checksum does not match",
        ),
        Case(p, "docs/pypi.md", "password = pypi-AgEIcHlwaS5vcmc...", False),
        Case(
            p,
            "docs/pypi.md",
            "password = pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAACKlsz",
            False,
            "truncated example",
        ),
    ]


def _ai(m: Maker) -> list[Case]:
    p = "ai"
    return [
        Case(
            p,
            ".env",
            f"OPENAI_API_KEY=sk-proj-{m.text(B64URL, 74)}T3BlbkFJ{m.text(B64URL, 74)}",
            True,
        ),
        Case(
            p,
            "bot.py",
            f'client = OpenAI(api_key="sk-svcacct-{m.text(B64URL, 60)}T3BlbkFJ'
            f'{m.text(B64URL, 60)}")',
            True,
            "inside a call",
        ),
        Case(
            p,
            "agent.ts",
            f'const anthropic = new Anthropic({{ apiKey: "sk-ant-api03-'
            f'{m.text(B64URL, 93)}AA" }});',
            True,
        ),
        Case(p, ".env.local", f"ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{m.text(B64URL, 93)}AA", True),
        Case(p, "train.py", f'login(token="hf_{m.text(string.ascii_letters, 34)}")', True),
        Case(p, ".env", f"HF_TOKEN=hf_{m.text(string.ascii_letters, 34)}", True),
        Case(p, "README.md", "OPENAI_API_KEY=sk-proj-...", False),
        Case(
            p, "README.md", "export ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxx", False
        ),
        Case(
            p,
            "docs/hf.md",
            "huggingface-cli login --token hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            False,
        ),
        Case(
            p,
            "docs/hf.md",
            "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",  # pragma: allowlist secret
            False,
        ),
        Case(
            p, "docs/openai.md", "sk-proj-XXXXXXXXXXXXXXXXXXXXT3BlbkFJXXXXXXXXXXXXXXXXXXXX", False
        ),
    ]


def _cloud(m: Maker) -> list[Case]:
    p = "cloud"
    pem_escaped = _pem(m).replace("\n", "\\n")
    ref = m.text(string.ascii_lowercase, 20)
    service = m.jwt(
        {
            "iss": "supabase",
            "ref": ref,
            "role": "service_role",
            "iat": 1700000000,
            "exp": 2015576000,
        }
    )
    anon = m.jwt(
        {"iss": "supabase", "ref": ref, "role": "anon", "iat": 1700000000, "exp": 2015576000}
    )
    demo = m.jwt({"iss": "supabase-demo", "role": "service_role", "exp": 1983812996})
    sas = m.b64(32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return [
        Case(p, "sa.json", f'  "private_key": "{pem_escaped}",', True),
        Case(
            p,
            "deploy/creds.json",
            f'{{"type": "service_account", "private_key": '
            f'"{_pem(m).replace(chr(10), chr(92) + "n")}", '
            f'"client_email": "ci@proj.iam.gserviceaccount.com"}}',
            True,
        ),
        Case(
            p,
            "appsettings.json",
            f'  "ServiceBus": "Endpoint=sb://acme.servicebus.windows.net/;'
            f"SharedAccessKeyName=RootManageSharedAccessKey;"
            f'SharedAccessKey={m.b64(32)}",',
            True,
        ),
        Case(
            p,
            "upload.py",
            f'URL = "https://acme.blob.core.windows.net/media?sv=2022-11-02&ss=b'
            f'&srt=co&sp=rl&se=2030-01-01T00:00:00Z&spr=https&sig={sas}"',
            True,
        ),
        Case(p, ".env", f"DIGITALOCEAN_TOKEN=dop_v1_{m.text(HEX, 64)}", True),
        Case(p, "databricks.cfg", f"token = dapi{m.text(HEX, 32)}", True),
        Case(p, ".env.local", f"SUPABASE_SERVICE_ROLE_KEY={service}", True),
        Case(
            p,
            "server.ts",
            f'const supabase = createClient(url, "sb_secret_{m.text(B64URL, 31)}")',
            True,
        ),
        Case(
            p,
            "docs/gcp.md",
            '"private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n'  # pragma: allowlist secret
            '-----END PRIVATE KEY-----\\n",',
            False,
            "docs placeholder",
        ),
        Case(p, "docs/azure.md", "SharedAccessKey=<your-shared-access-key>", False),
        Case(
            p,
            "docs/do.md",
            "export DIGITALOCEAN_TOKEN=dop_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            False,
        ),
        Case(p, ".env.local", f"NEXT_PUBLIC_SUPABASE_ANON_KEY={anon}", False, "public anon key"),
        Case(p, "supabase/.env", f"SERVICE_ROLE_KEY={demo}", False, "CLI demo key"),
        Case(
            p,
            ".env.local",
            f"NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_{m.text(B64URL, 31)}",
            False,
            "publishable key",
        ),
        Case(p, "docs/databricks.md", "token = dapiXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", False),
    ]


def _devtools(m: Maker) -> list[Case]:
    p = "devtools"
    payload = base64.b64encode(
        json.dumps(
            {
                "iat": 1718000000.1,
                "url": "https://sentry.io",
                "region_url": "https://us.sentry.io",
                "org": "acme",
            }
        ).encode()
    ).decode()
    return [
        Case(
            p,
            ".env",
            f"JIRA_API_TOKEN=ATATT3{m.text(B64URL, 180)}={m.text('0123456789ABCDEF', 8)}",
            True,
        ),
        Case(p, ".sentryclirc", f"token=sntrys_{payload}_{m.text(B64URL, 43)}", True),
        Case(p, "ci.sh", f"SENTRY_AUTH_TOKEN=sntryu_{m.text(HEX, 64)}", True),
        Case(
            p,
            "settings.py",
            f'SENTRY_DSN = "https://{m.text(HEX, 32)}:{m.text(HEX, 32)}@sentry.acme.io/42"',
            True,
            "legacy DSN with secret key",
        ),
        Case(
            p,
            "shopify.rb",
            f'ShopifyAPI::Context.setup(api_key: key, access_token: "shpat_{m.text(HEX, 32)}")',
            True,
        ),
        Case(p, ".env", f"SHOPIFY_API_SECRET=shpss_{m.text(HEX, 32)}", True),
        Case(p, ".env", f"DOPPLER_TOKEN=dp.st.prd.{m.text(B62, 40)}", True),
        Case(p, "doppler.yaml", f"token: dp.pt.{m.text(B62, 43)}", True),
        Case(p, "vault.hcl", f'token = "hvs.CAES{m.text(B64URL, 90)}"', True),
        Case(
            p, "terraform.rc", f'  token = "{m.text(B62, 14)}.atlasv1.{m.text(B64URL, 67)}"', True
        ),
        Case(p, "docs/jira.md", "jira_token = ATATT3xFfGF0...B1F03", False, "docs example"),
        Case(
            p,
            "app.js",
            f'Sentry.init({{ dsn: "https://{m.text(HEX, 32)}@o4505.ingest.sentry.io/4505" }});',
            False,
            "public DSN",
        ),
        Case(
            p,
            "docs/shopify.md",
            "X-Shopify-Access-Token: shpat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            False,
        ),
        Case(
            p,
            "docs/vault.md",
            "id                  hvs.CAESIABcDeFgHiJkLmNoPqRsTuVwXyZ",
            False,
            "docs example",
        ),
        Case(
            p,
            "docs/doppler.md",
            "DOPPLER_TOKEN=dp.st.dev.YOUR_SERVICE_TOKEN_GOES_HERE_XXXXXXXXXXXX",
            False,
        ),
    ]


def _databases(m: Maker) -> list[Case]:
    p = "databases"
    return [
        Case(p, ".env", f"DATABASE_URL=postgresql://app:{m.password()}@db.internal:5432/app", True),
        Case(
            p,
            "settings.py",
            f'MONGO = "mongodb+srv://svc:{m.password()}@cluster0.x1y2z.mongodb.net/prod"',
            True,
        ),
        Case(
            p,
            "docker-compose.yml",
            f"      REDIS_URL: redis://:{m.password()}@cache:6379/0",
            True,
            "password-only",
        ),
        Case(
            p,
            "worker.py",
            f'broker_url = "amqps://worker:{m.password()}@mq.acme.io:5671/prod"',
            True,
        ),
        Case(
            p,
            "config/database.yml",
            f"  url: mysql://root:{m.password()}@mysql/app_production",
            True,
        ),
        Case(
            p,
            ".env.example",
            "DATABASE_URL=postgresql://use"  # pragma: allowlist secret
            "r:password@localhost:5432/mydb",
            False,
        ),
        Case(
            p,
            "docker-compose.yml",
            "      DATABASE_URL: postgres://postgres:postgres@db:5432/test",  # pragma: allowlist secret
            False,
            "default credentials",
        ),
        Case(p, "settings.py", 'url = f"postgresql://{user}:{password}@{host}/{db}"', False),
        Case(
            p, ".env.example", "DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD}@db/app", False
        ),
        Case(
            p,
            "docs/rabbit.md",
            "amqp://guest:guest@localhost:5672/",  # pragma: allowlist secret
            False,
        ),
        Case(p, "README.md", "redis://localhost:6379/0", False),
        Case(p, "docs/mysql.md", "mysql://user:<password>@host/db", False),
    ]


def _kubernetes(m: Maker) -> list[Case]:
    p = "kubernetes"

    def enc(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    docker = json.dumps({"auths": {"registry.acme.io": {"auth": enc("deploy:" + m.password())}}})
    return [
        Case(
            p,
            "k8s/secret.yaml",
            "  DATABASE_URL: " + enc(f"postgres://app:{m.password()}@db.prod.svc:5432/app"),
            True,
        ),
        Case(p, "k8s/tls.yaml", "  tls.key: " + enc(_pem(m)), True),
        Case(p, "k8s/pull.yaml", "  .dockerconfigjson: " + enc(docker), True),
        Case(p, "k8s/secret.yaml", "  api-token: " + enc(m.text(B62, 32)), True),
        Case(
            p, "k8s/secret.yaml", "  STRIPE_SECRET_KEY: " + enc("sk_live_" + m.text(B62, 24)), True
        ),
        Case(p, "k8s/secret.yaml", "  username: " + enc("admin"), False),
        Case(p, "k8s/secret.yaml", "  password: " + enc("password"), False, "docs example"),
        Case(p, "k8s/tls.yaml", "  tls.crt: " + enc(_pem(m, "CERTIFICATE")), False, "certificate"),
        Case(p, "k8s/configmap.yaml", "  public-key: " + m.b64(32), False),
    ]


def _everyday(m: Maker) -> list[Case]:
    """Provider-less hard negatives: hashes, ids and code every repository has."""
    p = "everyday"
    sha1 = hashlib.sha1(m.text(B62, 20).encode()).hexdigest()
    sha256 = hashlib.sha256(m.text(B62, 20).encode()).hexdigest()
    return [
        Case(p, "go.sum", f"github.com/acme/lib v1.2.3 h1:{m.b64(32)}", False, "lockfile hash"),
        Case(p, "package-lock.json", f'      "integrity": "sha512-{m.b64(64)}",', False, "SRI"),
        Case(p, "release.py", f'COMMIT = "{sha1}"', False, "git sha"),
        Case(p, "checksums.txt", f"{sha256}  launchgate-1.0.tar.gz", False, "sha256"),
        Case(
            p,
            "models.py",
            f'DEFAULT_TENANT = "{uuid.UUID(int=m.rng.getrandbits(128))}"',
            False,
            "uuid",
        ),
        Case(
            p,
            "tests/test_api.py",
            'headers = {"Authorization": "Bearer test-token"}',
            False,
            "fixture",
        ),
        Case(p, "app.py", 'API_KEY = os.environ["API_KEY"]', False),
        Case(p, "app.js", "const key = process.env.OPENAI_API_KEY;", False),
        Case(p, "docs/config.md", "api_key: your-api-key-here", False),
        Case(p, "tests/conftest.py", 'PASSWORD = "x" * 16', False),
        Case(p, "index.html", '<link rel="stylesheet" href="/static/app.css?v=3f9c2a1b">', False),
    ]


_BUILDERS: tuple[Callable[[Maker], list[Case]], ...] = (
    _github,
    _gitlab,
    _slack,
    _packages,
    _ai,
    _cloud,
    _devtools,
    _databases,
    _kubernetes,
    _everyday,
)

# The corpus group each launchgate plugin belongs to (for per-plugin scores).
PLUGIN_GROUPS = {
    "GitHubChecksumTokenDetector": "github",
    "GitHubFineGrainedTokenDetector": "github",
    "GitLabPrefixedTokenDetector": "gitlab",
    "SlackAppTokenDetector": "slack",
    "SlackWorkflowWebhookDetector": "slack",
    "NpmAccessTokenDetector": "packages",
    "NpmrcAuthDetector": "packages",
    "PyPIMacaroonDetector": "packages",
    "OpenAIKeyDetector": "ai",
    "AnthropicKeyDetector": "ai",
    "HuggingFaceTokenDetector": "ai",
    "GoogleServiceAccountKeyDetector": "cloud",  # pragma: allowlist secret
    "AzureSharedAccessKeyDetector": "cloud",  # pragma: allowlist secret
    "DigitalOceanTokenDetector": "cloud",
    "DatabricksTokenDetector": "cloud",
    "SupabaseSecretKeyDetector": "cloud",  # pragma: allowlist secret
    "SupabaseServiceRoleKeyDetector": "cloud",  # pragma: allowlist secret
    "AtlassianApiTokenDetector": "devtools",
    "SentryTokenDetector": "devtools",
    "ShopifyTokenDetector": "devtools",
    "DopplerTokenDetector": "devtools",
    "VaultTokenDetector": "devtools",
    "DatabaseUrlDetector": "databases",
    "KubernetesSecretDataDetector": "kubernetes",  # pragma: allowlist secret
    "KubernetesSecretEncodedCredentialDetector": "kubernetes",  # pragma: allowlist secret
}
