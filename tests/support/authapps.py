"""Real login implementations on loopback, for the login, flow and access tests.

- `django_app()`: Django's own auth views (LoginView with the CSRF middleware, database
  sessions, `@login_required` pages, a JSON API per tenant), served by a threaded WSGI server
  on 127.0.0.1 in a thread. Every request it receives is recorded (`DjangoApp.requests`:
  method, Host, path, whether a Cookie or a password was sent) so a test can prove what never
  reached another host name.
- `token_app()`: a FastAPI OAuth2 password flow (`OAuth2PasswordRequestForm` -> bearer token)
  served by uvicorn on 127.0.0.1 in a thread.

Both are started once per test session (Django's settings are process-wide) and stopped at
the end; every request has the servers' own timeouts.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException

# At module level: FastAPI resolves the (string) annotations of the endpoints from here.
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

# Made at run time: no credential-shaped literal sits in the repository.
ALICE_PASSWORD = "alice-" + secrets.token_hex(12)  # pragma: allowlist secret
BOB_PASSWORD = "bob-" + secrets.token_hex(12)  # pragma: allowlist secret
ANN_PASSWORD = "ann-" + secrets.token_hex(12)  # pragma: allowlist secret

_LOGIN_TEMPLATE = """<!doctype html><title>Log in</title>
<form method="post" action="{{ form_action|default:'' }}">{% csrf_token %}{{ form.as_p }}
<input type="hidden" name="next" value="{{ next }}"><button type="submit">Log in</button></form>"""
_NO_CSRF_TEMPLATE = """<!doctype html><title>Log in</title>
<form method="post">{{ form.as_p }}<button type="submit">Log in</button></form>"""
_PAGE_TEMPLATE = """<!doctype html><title>Clients</title><h1>Clients of {{ user.username }}</h1>
<ul>{% for c in clients %}<li>{{ c.name }}</li>{% endfor %}</ul>
<form method="post" action="/accounts/logout/">{% csrf_token %}<button>Sign out</button></form>
<form method="post" action="/clients/new/">{% csrf_token %}
<input name="name" value=""><button type="submit">Add</button></form>"""


@dataclass
class Seen:
    method: str
    host: str
    path: str
    cookie: bool
    password: bool


@dataclass
class DjangoApp:
    url: str
    port: int
    requests: list[Seen] = field(default_factory=list)
    # client id -> (owner, name); the API of `/api/clients/<id>` can be made to leak.
    clients: dict[int, tuple[str, str]] = field(default_factory=dict)
    leak: bool = False

    def other_host_requests(self) -> list[Seen]:
        return [r for r in self.requests if not r.host.startswith("127.0.0.1")]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    timeout = 10


class _QuietHandler(WSGIRequestHandler):
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass


_STATE: dict[str, Any] = {"app": None, "wsgi": None}


def _configure_django(app_state: dict[str, Any]) -> Any:
    import django
    from django.conf import settings

    # A file, not :memory: (each server thread has its own connection); removed at exit.
    handle, db_name = tempfile.mkstemp(prefix="launchgate-django-", suffix=".sqlite3")
    os.close(handle)
    atexit.register(lambda: os.path.exists(db_name) and os.unlink(db_name))
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__ + "_urls",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db_name}},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {
                                "registration/login.html": _LOGIN_TEMPLATE,
                                "registration/login_nocsrf.html": _NO_CSRF_TEMPLATE,
                                "clients.html": _PAGE_TEMPLATE,
                            },
                        )
                    ],
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ],
                },
            }
        ],
        LOGIN_URL="/accounts/login/",
        LOGIN_REDIRECT_URL="/clients/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SESSION_COOKIE_HTTPONLY=True,
    )
    django.setup()
    _install_urls(app_state)
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    from django.contrib.auth.models import User

    User.objects.create_user("alice", "alice@acme.test", ALICE_PASSWORD)
    User.objects.create_user("bob", "bob@beta.test", BOB_PASSWORD)
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _install_urls(state: dict[str, Any]) -> None:
    import sys
    import types

    from django.contrib.auth import views as auth_views
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
    from django.shortcuts import render
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    def app() -> DjangoApp:
        assert state["app"] is not None
        return state["app"]

    @login_required
    def clients(request: Any) -> Any:
        mine = [
            {"id": i, "name": n}
            for i, (o, n) in app().clients.items()
            if o == request.user.username
        ]
        return render(request, "clients.html", {"clients": mine})

    @login_required
    def new_client(request: Any) -> Any:
        if request.method != "POST" or not request.POST.get("name"):
            return HttpResponse("name required", status=400)
        ident = max(app().clients, default=0) + 1
        app().clients[ident] = (request.user.username, request.POST["name"])
        return HttpResponseRedirect("/clients/")

    def api_clients(request: Any) -> Any:
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "login required"}, status=401)
        if request.method == "POST":  # CSRF-checked: the X-CSRFToken header must match
            name = json.loads(request.body or b"{}").get("name", "")
            if name == "boom":
                return HttpResponse("<h1>Server Error (500)</h1>", status=500)
            ident = max(app().clients, default=0) + 1
            app().clients[ident] = (request.user.username, name)
            return JsonResponse({"id": ident, "name": name}, status=201)
        mine = [
            {"id": i, "name": n}
            for i, (o, n) in app().clients.items()
            if o == request.user.username
        ]
        return JsonResponse({"results": mine})

    def api_client(request: Any, ident: int) -> Any:
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "login required"}, status=401)
        owner, name = app().clients.get(ident, ("", ""))
        if not owner or (owner != request.user.username and not app().leak):
            return JsonResponse({"detail": "not found"}, status=404)
        if request.method == "PATCH":
            name = json.loads(request.body or b"{}").get("name", name)
            app().clients[ident] = (owner, name)
        if request.method == "DELETE":
            del app().clients[ident]
            return HttpResponse(status=204)
        return JsonResponse({"id": ident, "name": name})

    @csrf_exempt
    def debug(request: Any) -> Any:
        """Echoes what it received: a page that would leak a session into a report."""
        return HttpResponse(
            f"<p>Cookie: {request.META.get('HTTP_COOKIE', '')}</p>"
            f"<p>Body: {request.body.decode('latin-1')}</p>"
        )

    def expire(request: Any) -> Any:
        request.session.flush()
        return HttpResponse("<p>session dropped</p>")

    def plain(request: Any) -> Any:
        return HttpResponse("<!doctype html><p>No form here</p>")

    def elsewhere(request: Any) -> Any:
        return HttpResponseRedirect(f"http://localhost:{request.get_port()}/accounts/login/")

    class OffHostLogin(auth_views.LoginView):
        def get_default_redirect_url(self) -> str:
            return f"http://localhost:{self.request.get_port()}/clients/"

    class UnprocessableLogin(auth_views.LoginView):
        """A failed login answered 422 with the form again (as Rails with Turbo does)."""

        def form_invalid(self, form: Any) -> Any:
            response = super().form_invalid(form)
            response.status_code = 422
            return response

    class OffHostFormLogin(auth_views.LoginView):
        def get_context_data(self, **kwargs: Any) -> Any:
            context = super().get_context_data(**kwargs)
            context["form_action"] = f"http://localhost:{self.request.get_port()}/accounts/login/"
            return context

    module = types.ModuleType(__name__ + "_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("accounts/login/", auth_views.LoginView.as_view()),
        path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/accounts/login/")),
        path(
            "accounts/login-nocsrf/",
            auth_views.LoginView.as_view(template_name="registration/login_nocsrf.html"),
        ),
        path("accounts/login-offhost/", OffHostLogin.as_view()),
        path("accounts/login-422/", UnprocessableLogin.as_view()),
        path("accounts/login-offhost-form/", OffHostFormLogin.as_view()),
        path("go-elsewhere/", elsewhere),
        path("plain/", plain),
        path("clients/", clients),
        path("clients/new/", new_client),
        path("api/clients", api_clients),
        path("api/clients/<int:ident>", api_client),
        path("debug/", debug),
        path("clients/expire/", expire),
    ]
    sys.modules[module.__name__] = module


def _recording(app: DjangoApp, wsgi: Any) -> Any:
    def handler(environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        text = body.decode("latin-1")
        app.requests.append(
            Seen(
                environ["REQUEST_METHOD"],
                environ.get("HTTP_HOST", ""),
                environ.get("PATH_INFO", ""),
                "HTTP_COOKIE" in environ,
                any(p in text for p in (ALICE_PASSWORD, BOB_PASSWORD)),
            )
        )
        return wsgi(environ, start_response)

    return handler


@contextmanager
def django_app() -> Iterator[DjangoApp]:
    """The Django app (configured once per process: its settings are process-wide), served
    on a fresh port with fresh data for the `with` block."""
    if _STATE["wsgi"] is None:
        _STATE["wsgi"] = _configure_django(_STATE)
    holder: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1",
        0,
        lambda e, s: holder["handler"](e, s),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    port = server.server_address[1]
    app = DjangoApp(f"http://127.0.0.1:{port}", port)
    _STATE["app"] = app
    holder["handler"] = _recording(app, _STATE["wsgi"])
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class TokenApp:
    url: str
    token: str


@contextmanager
def token_app() -> Iterator[TokenApp]:
    """A FastAPI OAuth2 password flow served by uvicorn on loopback."""
    token = "tok-" + secrets.token_hex(16)
    api = FastAPI()
    scheme = OAuth2PasswordBearer(tokenUrl="token")

    @api.post("/token")
    def issue(form: OAuth2PasswordRequestForm = Depends()) -> dict[str, str]:  # noqa: B008
        if form.username != "ann" or form.password != ANN_PASSWORD:
            raise HTTPException(status_code=400, detail="Incorrect username or password")
        return {"access_token": token, "token_type": "bearer"}

    @api.get("/echo")
    def echo(authorization: str = Header("")) -> dict[str, str]:
        return {"authorization": authorization}

    @api.get("/users/me")
    def me(bearer: str = Depends(scheme)) -> dict[str, str]:
        if bearer != token:
            raise HTTPException(status_code=401, detail="Not authenticated")
        return {"username": "ann"}

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, log_level="warning", timeout_keep_alive=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield TokenApp(f"http://127.0.0.1:{port}", token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
