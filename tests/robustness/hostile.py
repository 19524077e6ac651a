"""Hostile input for the fuzz tests: Hypothesis strategies for text and JSON, the forms a page
offers (found by reading its HTML, so a new form is fuzzed without anyone listing it), and
how to send what a browser could not (lone surrogates, invalid UTF-8, wrong types).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from hypothesis import strategies as st

# What people paste, and what attackers try: each is a whole value on its own.
EDGE_STRINGS = [
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\u0085",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\ufffe",
    "\U0010ffff",
    "\u202eevil\u202c",
    "\u200b\u200d",
    "e\u0301",
    "👩‍👩‍👧‍👦",
    "مرحبا",
    "Cześć, dzień dobry",
    "=1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "' OR 1=1 --",
    '"; DROP TABLE concerns; --',
    "../../etc/passwd",
    "%00",
    "%s%n",
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "2026-02-30",
    "NaN",
    "null",
    "true",
]

# Characters a person could type or paste, any script, plus every control code.
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=120)
printable_text = st.text(max_size=300)
control_text = st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=40)
huge_text = st.builds(
    lambda unit, times: unit * times,
    st.sampled_from(["a", "é", "界", "😀", " ", "\n"]),
    st.integers(min_value=1_000, max_value=40_000),
)
hostile_text = st.one_of(
    st.sampled_from(EDGE_STRINGS), any_text, printable_text, control_text, huge_text
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def form_body(fields: list[tuple[str, str]]) -> bytes:
    """URL-encode fields as a browser would, except that lone surrogates go through as the
    (invalid) UTF-8 bytes they would have, which no browser sends but anyone can."""
    return "&".join(
        f"{quote_plus(name, errors='surrogatepass')}={quote_plus(value, errors='surrogatepass')}"
        for name, value in fields
    ).encode("ascii")


def multipart_safe(value: str) -> str:
    """Multipart bodies are built by Werkzeug's test client, which needs valid UTF-8."""
    return value.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    value: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    multipart: bool
    fields: tuple[Field, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.action} (from {self.page})"


def forms_on(page: str, html: bytes | str) -> list[Form]:
    """Every form on a page that posts back to this service, with its fields."""
    soup = BeautifulSoup(html, "html.parser")
    found: list[Form] = []
    for node in soup.find_all("form"):
        if not isinstance(node, Tag):
            continue
        action = urljoin(page, str(node.get("action") or page))
        if urlsplit(action).netloc not in ("", "localhost"):
            continue
        method = str(node.get("method") or "get").upper()
        multipart = str(node.get("enctype") or "") == "multipart/form-data"
        found.append(
            Form(page, urlsplit(action).path or page, method, multipart, tuple(_fields(node)))
        )
    return found


def _fields(form: Tag) -> list[Field]:
    fields: dict[str, Field] = {}
    for node in form.find_all(["input", "textarea", "select", "button"]):
        if not isinstance(node, Tag) or not node.get("name"):
            continue
        name = str(node["name"])
        if node.name == "textarea":
            fields[name] = Field(name, "textarea", node.get_text())
        elif node.name == "select":
            options = tuple(str(o.get("value", o.get_text())) for o in node.find_all("option"))
            fields[name] = Field(name, "select", options[0] if options else "", options)
        else:
            kind = str(node.get("type") or ("submit" if node.name == "button" else "text"))
            value = str(node.get("value", ""))
            earlier = fields.get(name)
            if kind in ("radio", "checkbox", "submit"):
                choices = (*(earlier.choices if earlier else ()), value)
                fields[name] = Field(name, kind, choices[0], choices)
            else:
                fields[name] = Field(name, kind, value)
    return list(fields.values())


def fill(form: Form, draw: Any) -> list[tuple[str, Any]]:
    """Values for a form: each field left as the page had it, set to one of its choices, or
    set to something hostile; a file input gets hostile bytes."""
    values: list[tuple[str, Any]] = []
    for field in form.fields:
        if field.kind == "file":
            content = draw(st.one_of(st.binary(max_size=2_000), hostile_text.map(_utf8)))
            values.append((field.name, (io.BytesIO(content), draw(_file_names))))
            continue
        options = [st.just(field.value), hostile_text]
        if field.choices:
            options.insert(0, st.sampled_from(field.choices))
        if draw(st.integers(0, 5)) == 0:
            continue  # a field missing altogether
        values.append((field.name, draw(st.one_of(*options))))
    return values


_file_names = st.sampled_from(["concerns.csv", "concerns.xlsx", "x.exe", "", "../../x.csv"])


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
