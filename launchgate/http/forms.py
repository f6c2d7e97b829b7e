"""HTML forms as a browser submits them: the successful controls of a form with their
default values (hidden CSRF inputs such as Django's `csrfmiddlewaretoken`, Rails'
`authenticity_token`, Laravel's `_token`, Flask-WTF's `csrf_token` included), its absolute
action and its method. Used to log in through a login form and to submit a form in a flow."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


@dataclass(frozen=True)
class HtmlForm:
    action: str  # absolute URL
    method: str  # GET or POST
    # The controls a browser would send untouched, in document order: (name, value).
    fields: tuple[tuple[str, str], ...] = field(repr=False)
    # Every named control, submitted or not (text inputs, selects, ...): name -> input type.
    types: Mapping[str, str] = field(default_factory=dict)
    submit: tuple[str, str] | None = None  # the first named submit button

    @property
    def password_names(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.types.items() if t == "password")

    @property
    def has_password(self) -> bool:
        return bool(self.password_names)

    def filled(self, values: Mapping[str, str]) -> list[tuple[str, str]]:
        """The form data with `values` filled in (each replaces the control of that name, or
        is added), plus the submit button a click would send."""
        out: list[tuple[str, str]] = []
        done: set[str] = set()
        for name, value in self.fields:
            if name in values:
                if name not in done:
                    out.append((name, str(values[name])))
                    done.add(name)
                continue
            out.append((name, value))
        out += [(n, str(v)) for n, v in values.items() if n not in done]
        if self.submit:
            out.append(self.submit)
        return out


class _FormParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[HtmlForm] = []
        self._form: dict[str, str] | None = None
        self._fields: list[tuple[str, str]] = []
        self._types: dict[str, str] = {}
        self._submit: tuple[str, str] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str] | None = None
        self._option_text: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "base" and values.get("href"):
            self.base = urllib.parse.urljoin(self.base, values["href"])
        elif tag == "form":
            self._close_form()
            self._form = values
            self._fields, self._types, self._submit = [], {}, None
        elif self._form is None:
            return
        elif tag == "input":
            self._input(values)
        elif tag == "button" and values.get("type", "submit").lower() == "submit":
            if values.get("name") and self._submit is None:
                self._submit = (values["name"], values.get("value", ""))
        elif tag == "select" and values.get("name"):
            self._select, self._options = values["name"], []
            self._types[values["name"]] = "select"
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option, self._option_text = values, []
        elif tag == "textarea" and values.get("name"):
            self._textarea, self._text = values["name"], []
            self._types[values["name"]] = "textarea"

    def _input(self, values: dict[str, str]) -> None:
        name = values.get("name", "")
        kind = values.get("type", "text").lower() or "text"
        if kind in ("submit", "image") and name and self._submit is None:
            self._submit = (name, values.get("value", ""))
        if not name or kind in _NOT_SUBMITTED or "disabled" in values:
            return
        self._types.setdefault(name, kind)
        if kind in ("checkbox", "radio"):
            if "checked" in values:
                self._fields.append((name, values.get("value", "on")))
            return
        self._fields.append((name, values.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            if chosen:
                self._fields.append((self._select, chosen[0]))
            self._select = None
        elif tag == "form":
            self._close_form()

    def _close_option(self) -> None:
        if self._option is not None:
            value = self._option.get("value", "".join(self._option_text).strip())
            self._options.append((value, "selected" in self._option))
            self._option = None

    def _close_form(self) -> None:
        if self._form is None:
            return
        action = urllib.parse.urljoin(self.base, self._form.get("action", "").strip() or self.base)
        method = "POST" if self._form.get("method", "get").strip().lower() == "post" else "GET"
        self.forms.append(
            HtmlForm(
                action.split("#", 1)[0],
                method,
                tuple(self._fields),
                dict(self._types),
                self._submit,
            )
        )
        self._form = None

    def close(self) -> None:
        super().close()
        self._close_form()


# A start tag, an end tag or a declaration that closes before the next `<` (outside quotes).
# The character classes are disjoint, so a failed match stops at the next `<`: linear.
_WHOLE_TAG = re.compile(
    r"""<(?:/?[A-Za-z][^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*|![^<>-][^<>]*)>"""
)


def well_formed(html: str) -> str:
    """`html` with every `<` that does not open a whole tag, end tag, comment or declaration
    written as `&lt;` (what a browser shows for it anyway). html.parser rescans the rest of
    the page from each such `<` (Python < 3.13.4): 50 KB of `<a <a ...` took 35 s, and a
    hostile page could hold a check for hours. Values and text read back the same."""
    out: list[str] = []
    i, end = 0, len(html)
    while i < end:
        j = html.find("<", i)
        if j < 0:
            out.append(html[i:])
            break
        out.append(html[i:j])
        if html.startswith("<!--", j):
            close = html.find("-->", j + 4)
            stop = end if close < 0 else close + 3  # unclosed: a comment to the end
            out.append(html[j:stop])
            i = stop
            continue
        match = _WHOLE_TAG.match(html, j)
        if match:
            out.append(match.group())
            i = match.end()
        else:
            out.append("&lt;")
            i = j + 1
    return "".join(out)


def parse_forms(html: str, page_url: str) -> list[HtmlForm]:
    """Every form on the page, in document order (a malformed page yields what was read)."""
    parser = _FormParser(page_url)
    try:
        parser.feed(well_formed(html))
        parser.close()
    except Exception:  # html.parser gives up on some broken markup; keep what it read
        parser._close_form()
    return parser.forms


def has_password_form(html: str, page_url: str = "http://page.invalid/") -> bool:
    return any(form.has_password for form in parse_forms(html, page_url))


def has_login_form(html: str, page_url: str = "http://page.invalid/") -> bool:
    """A form with exactly one password input: a login form. A password change or sign-up
    form has two or three (old, new, confirm) and is not mistaken for the login page."""
    return any(len(form.password_names) == 1 for form in parse_forms(html, page_url))


def choose_form(
    forms: Collection[HtmlForm],
    wanted: Collection[str],
    *,
    need_password: bool = False,
    action: str | None = None,
) -> HtmlForm | None:
    """The form that has most of the `wanted` field names (the first on a tie); with
    `need_password`, only forms with a password input; with `action`, only forms whose
    action path is `action`."""
    candidates = [f for f in forms if f.has_password or not need_password]
    if action is not None:
        wanted_path = urllib.parse.urlsplit(action).path.rstrip("/")
        candidates = [
            f for f in candidates if urllib.parse.urlsplit(f.action).path.rstrip("/") == wanted_path
        ]
    if not candidates:
        return None
    return max(candidates, key=lambda f: sum(1 for n in wanted if n in f.types))
