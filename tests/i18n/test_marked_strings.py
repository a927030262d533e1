"""Every string meant for a person is marked for translation, in templates and in Python.

The scanners read the sources themselves, so a new page or flash message in plain English fails
here before it reaches a Kazakh reader as English.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "crm"

# Words that read the same in every language: names and formats, not prose.
UNTRANSLATED_WORDS = {
    "Twinning", "CSV", "PDF", "XLSX", "JSON", "API", "ISO", "vCard", "iCalendar", "E.164",
    "SVG", "HTML", "UTC", "OpenAPI", "ICS", "URL", "ID", "BOM", "e.g.", "htmx",
}  # fmt: skip
LETTER = re.compile(r"[^\W\d_]")
TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
JINJA_CONSTRUCT = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
# Attributes a person reads or hears (a screen reader reads aria-label and title).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "aria-description"}
# A line that deliberately shows fixed text (a code sample, a brand) says so.
IGNORE_MARK = "i18n: ignore"


def _is_prose(text: str) -> bool:
    words = [word for word in text.replace("\x00", " ").split() if word not in UNTRANSLATED_WORDS]
    return any(LETTER.search(word) for word in words)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES and _is_prose(value):
                self.found.append((self.getpos()[0], f"{name}={value!r}"))
        if tag == "input" and values.get("type") in {"submit", "button"}:
            value = values.get("value") or ""
            if _is_prose(value):
                self.found.append((self.getpos()[0], f"value={value!r}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and _is_prose(data):
            self.found.append((self.getpos()[0], data.strip()))


def unmarked_template_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of the prose in `source` that is outside `_()` and `{% trans %}`."""

    def blank(match: re.Match[str]) -> str:
        # Keep the line count, so that findings point at the right line.
        return "\x00" + "\n" * match.group(0).count("\n")

    kept_lines = [line if IGNORE_MARK not in line else "" for line in source.split("\n")]
    stripped = JINJA_CONSTRUCT.sub(blank, TRANS_BLOCK.sub(blank, "\n".join(kept_lines)))
    collector = _TextCollector()
    collector.feed(stripped)
    collector.close()
    return collector.found


TEMPLATE_FILES = sorted(
    path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt", ".svg"}
)


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_marked_for_translation(path: Path) -> None:
    found = unmarked_template_text(path.read_text(encoding="utf-8"))
    assert not found, "Mark these for translation with _() or {% trans %}:\n" + "\n".join(
        f"  {path.relative_to(ROOT)}:{line}: {text}" for line, text in found
    )


def test_the_template_scanner_finds_plain_text_and_accepts_marked_text() -> None:
    assert unmarked_template_text("<p>Hello</p>") == [(1, "Hello")]
    assert unmarked_template_text('<a title="Open it">x</a>')[0][1].startswith("title=")
    assert unmarked_template_text("<p>{{ _('Hello') }} · {{ name }}</p>") == []
    assert unmarked_template_text("<p>{% trans n=3 %}{{ n }} tasks{% endtrans %}</p>") == []
    assert unmarked_template_text("<script>let a = 'x';</script><b>CSV</b>") == []


# --- Python -------------------------------------------------------------------------------

MARKERS = {
    "_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext",
    "lazy_pgettext", "npgettext", "N_",
}  # fmt: skip
# Calls whose first argument, or whose `message`-like keyword, a person reads.
PERSON_FACING_CALLS = {
    "flash", "ValidationError", "StopValidation", "echo", "secho", "ClickException",
    "BadParameter", "UsageError", "abort", "confirm", "prompt",
}  # fmt: skip
MESSAGE_KEYWORDS = {"message", "description", "label", "invalid_choice_message"}
# The JSON API's descriptions and errors are a contract for programs, kept in English; the domain
# messages it passes on come from the services, which are scanned.
API_PACKAGE = PACKAGE / "api"
# A WTForms field's first positional argument is its label.
FIELD_SUFFIX = "Field"


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_plain_text(node: ast.AST | None) -> bool:
    """A literal str (or f-string, or concatenation of them) that holds prose."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _is_prose(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_plain_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    return False


def _domain_error_names(trees: dict[Path, ast.Module]) -> set[str]:
    """DomainError and every class that inherits from it, anywhere in the package."""
    names = {"DomainError", "StaleVersion"}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names


def unmarked_python_text(
    tree: ast.Module, source: str, error_names: set[str]
) -> list[tuple[int, str]]:
    lines = source.split("\n")
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in MARKERS:
            if node.args and isinstance(node.args[0], ast.JoinedStr):
                found.append((node.lineno, "an f-string inside a translation call"))
            continue
        watched = name in PERSON_FACING_CALLS or name in error_names
        is_field = name.endswith(FIELD_SUFFIX) and name[:1].isupper()
        candidates: list[ast.AST] = []
        if (watched or is_field) and node.args:
            candidates.append(node.args[0])
        if name == "abort" and len(node.args) > 1:
            candidates.append(node.args[1])
        candidates += [kw.value for kw in node.keywords if kw.arg in MESSAGE_KEYWORDS]
        for candidate in candidates:
            if _is_plain_text(candidate) and IGNORE_MARK not in lines[node.lineno - 1]:
                found.append((node.lineno, ast.unparse(candidate)[:80]))
    return found


def _python_sources() -> dict[Path, tuple[str, ast.Module]]:
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if API_PACKAGE in path.parents:
            continue
        source = path.read_text(encoding="utf-8")
        sources[path] = (source, ast.parse(source))
    return sources


def test_python_text_for_people_is_marked_for_translation() -> None:
    sources = _python_sources()
    error_names = _domain_error_names({path: tree for path, (_, tree) in sources.items()})
    problems = [
        f"  {path.relative_to(ROOT)}:{line}: {text}"
        for path, (source, tree) in sources.items()
        for line, text in unmarked_python_text(tree, source, error_names)
    ]
    assert not problems, "Mark these with gettext/lazy_gettext:\n" + "\n".join(problems)


def test_the_python_scanner_finds_plain_messages_and_accepts_marked_ones() -> None:
    def scan(code: str) -> list[tuple[int, str]]:
        return unmarked_python_text(ast.parse(code), code, {"DomainError"})

    assert scan('flash("Saved.", "success")') == [(1, "'Saved.'")]
    assert scan('flash(f"Welcome, {name}.")')
    assert scan('name = StringField("Name", validators=[Length(max=3, message="Too long")])')
    assert scan('raise DomainError("No.")')
    assert scan('click.echo(f"Sent {n} reports.")')
    assert scan('gettext(f"Hello {name}")')
    assert scan('flash(gettext("Saved."), "success")') == []
    assert scan('name = StringField(_l("Name"))') == []
    assert scan('raise DomainError(gettext("No %(x)s.", x=1))') == []
    assert scan("click.echo(path)") == []


PLURAL_BLOCK = re.compile(
    r"{%-?\s*trans\s+(\w+)[^%]*%}(?:(?!endtrans).)*?{%-?\s*pluralize\s*-?%}", re.S
)


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_plural_blocks_count_with_a_number(path: Path) -> None:
    """A bare {% pluralize %} counts with the block's first variable: it must be the number."""
    source = path.read_text(encoding="utf-8")
    wrong = [match.group(1) for match in PLURAL_BLOCK.finditer(source) if match.group(1) != "count"]
    assert not wrong, f"{path.name}: put count= first, or name it: {{% pluralize count %}}"
