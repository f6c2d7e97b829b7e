"""Which answers are the app's login page (launchgate.load.answers), and when a status is a
failure because the route expects another."""

from __future__ import annotations

import pytest

from launchgate.load.answers import is_login_answer, status_error

FORM = b'<form><input name="u"><input type="password" name="p"></form>'


@pytest.mark.parametrize(
    ("requested", "final", "redirected", "ctype", "body", "expected"),
    [
        ("/clients", "http://h/accounts/login/?next=/clients", True, "text/html", b"", True),
        ("/clients", "http://h/session/new", True, "text/html", b"", True),
        ("/clients", "http://h/clients/", True, "text/html", b"<h1>Clients</h1>", False),
        ("/clients", "http://h/", True, "text/html; charset=utf-8", FORM, True),  # home = login
        ("/reports", "http://h/reports", False, "text/html", b"<h1>Sign in</h1>" + FORM, True),
        ("/reports", "http://h/reports", False, "application/json", FORM, False),
        ("/signup", "http://h/signup", False, "text/html", FORM + FORM, False),  # two passwords
        ("/login", "http://h/login", False, "text/html", FORM, False),  # the route is the login
        ("/clients", "http://h/clients", False, "text/html", b"x" * 70_000 + FORM, False),
        ("/clients", "http://h/blog/logging-in-depth", True, "text/html", b"", False),
    ],
)
def test_is_login_answer(requested, final, redirected, ctype, body, expected):
    assert is_login_answer(requested, final, redirected, ctype, body) is expected


def test_an_identity_login_page_counts_whatever_its_path():
    """The identity's own login page (Session.login_path) is a login page even when its path
    does not look like one."""
    assert not is_login_answer("/clients", "http://h/enter", True, "text/html", b"")
    assert is_login_answer(
        "/clients", "http://h/enter?next=/clients", True, "text/html", b"", login_paths=("/enter",)
    )


def test_status_error():
    assert status_error(200, None) is None
    assert status_error(201, 201) is None
    assert status_error(200, 303) == "HTTP 200, expected 303"
    assert status_error(0, 303) is None  # no answer at all: the connection error says why
