"""Every text the app translates is one Babel finds: not inside an f-string, where its extractor
does not look. Such a text is shown untranslated, and nothing else says so: `make translations`
quietly drops it from the catalogues once no template holds the same words."""

from __future__ import annotations

import ast
from pathlib import Path

import crm

TRANSLATING = {
    "gettext",
    "ngettext",
    "pgettext",
    "npgettext",
    "lazy_gettext",
    "lazy_pgettext",
    "_l",
}


def _called_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def test_no_translated_text_is_inside_an_f_string() -> None:
    found = []
    for path in sorted(Path(crm.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for f_string in (node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)):
            for call in (node for node in ast.walk(f_string) if isinstance(node, ast.Call)):
                if _called_name(call) in TRANSLATING and call.args:
                    found.append(f"{path.relative_to(Path(crm.__file__).parent)}:{call.lineno}")
    assert found == []
