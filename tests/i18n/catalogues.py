"""Reading the gettext catalogues the way the tests need them."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "crm" / "translations"
TRANSLATED_LANGUAGES = ("sl", "ru", "kk")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def extract_messages() -> Catalog:
    """What `make translations` would extract now, as a catalogue."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(io.StringIO(file.read()))
    catalogue = Catalog()
    for _filename, _lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalogue.add(message, None, [], auto_comments=comments, context=context)
    return catalogue


def compile_stale_catalogues() -> None:
    """Build each .mo that is missing or older than its .po (`make` does the same)."""
    for language in TRANSLATED_LANGUAGES:
        source = po_path(language)
        compiled = source.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        catalogue = read_catalogue(language)
        with compiled.open("wb") as file:
            write_mo(file, catalogue)
