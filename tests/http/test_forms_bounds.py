"""Reading forms and excerpts stays linear on hostile markup (review of issue 11): html.parser
rescans the rest of a page from every `<` that opens no whole tag (50 KB of `<a <a ...` took
35 s, a 500 KB answer hours), and every flow step and access answer is read for a login form.
Well-formed markup reads back the same."""

from __future__ import annotations

import time

import pytest

from launchgate.http.flow import excerpt
from launchgate.http.forms import has_login_form, parse_forms, well_formed

pytestmark = pytest.mark.timeout(60)

HOSTILE = {
    "unclosed start tags": "<a " * 100_000,
    "unclosed end tags": "</a " * 100_000,
    "processing instructions": "<?" * 100_000,
    "quotes that never close": '<a "' + "<a " * 100_000,
}


@pytest.mark.parametrize("markup", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markup_is_read_in_linear_time(markup: str) -> None:
    page = f"<html><body>{markup}<form method=post><input type=password name=p></form>"
    started = time.monotonic()
    assert parse_forms(markup, "http://app.test/") == []
    assert has_login_form(page)  # the form after the junk is not swallowed by it
    excerpt(markup)
    assert time.monotonic() - started < 5


def test_well_formed_markup_reads_back_the_same() -> None:
    html = (
        '<!doctype html><p>1 < 2</p><form method="post" action="/in">'
        '<input type=hidden name=csrf value="a<b>&amp;c"><input type=password name=p>'
        "<textarea name=t>x<y</textarea><!-- <form action=/old> --></form>"
    )
    (form,) = parse_forms(html, "http://app.test/")
    assert form.action == "http://app.test/in" and form.method == "POST"
    assert form.fields == (("csrf", "a<b>&c"), ("p", ""), ("t", "x<y"))
    assert (
        well_formed("<b>bold</b> <!DOCTYPE html> <a <a href='/x'>")
        == "<b>bold</b> <!DOCTYPE html> &lt;a <a href='/x'>"
    )
