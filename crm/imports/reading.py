"""Reading an uploaded spreadsheet: what it is (CSV or XLSX), its encoding and separator, and its
rows one at a time, so a 50,000-row file never sits in memory whole.

Spreadsheets reach us from Excel on Slovenian and Kazakh desks: UTF-8 with or without a BOM,
UTF-16 with tabs ("Unicode text"), Windows-1250 for Latin letters with carons, Windows-1251 for
Cyrillic. The guess can always be overridden.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString

from crm.errors import DomainError

ENCODINGS: dict[str, str | LazyString] = {
    "utf-8": "UTF-8",
    "utf-8-sig": lazy_gettext("UTF-8 with BOM"),
    "utf-16": lazy_gettext("UTF-16 (Excel “Unicode text”)"),
    "cp1250": lazy_gettext("Windows-1250 (Central European)"),
    "cp1251": lazy_gettext("Windows-1251 (Cyrillic)"),
}
SEPARATORS = {
    ";": lazy_gettext("Semicolon ;"),
    ",": lazy_gettext("Comma ,"),
    "\t": lazy_gettext("Tab"),
}
SAMPLE_BYTES = 256 * 1024

_WORDS = re.compile(r"[^\W\d_]+")
_XLSX_MAGIC = b"PK\x03\x04"
_EXCEL_SEPARATOR_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(DomainError):
    """The file cannot be read at all; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    separator: str = ""
    # Excel's own first line, "sep=;", which names the separator and is no row of the table.
    separator_line: bool = False

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return gettext("Excel workbook (XLSX), first sheet")
        return gettext(
            "CSV, %(encoding)s, separated by %(separator)s",
            encoding=ENCODINGS.get(self.encoding, self.encoding),
            separator=str(SEPARATORS.get(self.separator, self.separator)).lower(),
        )


def detect_format(path: Path, *, encoding: str = "auto", separator: str = "auto") -> FileFormat:
    """What the file is; raises `ImportFileError` for anything that is not a CSV or XLSX."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE):
        raise ImportFileError(gettext("The file is empty."))
    if head.startswith(_XLSX_MAGIC):
        return FileFormat("xlsx")
    if head.startswith(_XLS_MAGIC):
        raise ImportFileError(
            gettext(
                "This is an old Excel 97–2003 workbook (.xls). "
                "Save it as .xlsx or CSV and upload it again."
            )
        )
    if head.startswith(b"%PDF") or head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff":
        raise ImportFileError(gettext("This is not a spreadsheet. Upload a CSV or an XLSX file."))
    chosen = detect_encoding(path, head) if encoding in ("", "auto") else encoding
    if chosen not in ENCODINGS and chosen not in ("utf-16-le", "utf-16-be"):
        raise ImportFileError(gettext("Unknown encoding “%(encoding)s”.", encoding=encoding))
    header = _first_line(path, chosen)
    named = _EXCEL_SEPARATOR_LINE.fullmatch(header.rstrip("\r\n"))
    if separator in ("", "auto"):
        separator = named.group(1) if named else detect_separator(header)
    if separator not in SEPARATORS:
        raise ImportFileError(gettext("Choose a semicolon, a comma or a tab as the separator."))
    return FileFormat("csv", chosen, separator, separator_line=named is not None)


def detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.3 and odd.count(0) == 0:
            return "utf-16-be"
        raise ImportFileError(gettext("This is not a text file. Upload a CSV or an XLSX file."))
    # Line by line over the whole file: a file that is UTF-8 in places and not in others has
    # been pasted together, and guessing would garble half of it.
    utf8_lines = 0
    first_bad: int | None = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                first_bad = first_bad or number
            else:
                utf8_lines += 1
            if first_bad and utf8_lines:
                raise ImportFileError(
                    gettext(
                        "The file mixes encodings: line %(line)d is not UTF-8 while other lines "
                        "are. Open it in a spreadsheet, save it again as CSV UTF-8, and upload "
                        "that.",
                        line=first_bad,
                    )
                )
    if first_bad is None:
        return "utf-8"
    return _guess_single_byte(head)


def _guess_single_byte(sample: bytes) -> str:
    """Windows-1250 or Windows-1251. Cyrillic words are made of high bytes only; Slovenian
    words mix ASCII letters with a č, š or ž here and there."""
    cyrillic_votes = latin_votes = 0
    for letters in _WORDS.findall(sample.decode("cp1251", errors="replace")):
        high = sum(1 for ch in letters if not ch.isascii())
        if high == 0:
            continue
        if high == len(letters) and len(letters) >= 2:
            cyrillic_votes += 1
        else:
            latin_votes += 1
    return "cp1251" if cyrillic_votes > latin_votes else "cp1250"


def detect_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _first_line(path: Path, encoding: str) -> str:
    try:
        with path.open(encoding=encoding, newline="") as handle:
            return handle.readline().lstrip("\ufeff")
    except UnicodeError as error:
        raise ImportFileError(
            gettext(
                "The file cannot be read as %(encoding)s. Choose another encoding.",
                encoding=ENCODINGS.get(encoding, encoding),
            )
        ) from error


def read_rows(path: Path, file_format: FileFormat) -> Iterator[tuple[int, list[str]]]:
    """(line or row number, cells) for every non-blank row, the header row included. After
    Excel's `sep=` line, which Excel does not show, the rows are numbered as Excel shows them."""
    if file_format.kind == "xlsx":
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path, file_format)


def _csv_rows(path: Path, file_format: FileFormat) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        with path.open(encoding=file_format.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=file_format.separator)
            for cells in reader:
                number = reader.line_num
                if number == 1 and file_format.separator_line:
                    continue
                if number == 1 and cells:
                    cells[0] = cells[0].lstrip("\ufeff")
                if any(cell.strip() for cell in cells):
                    yield number - file_format.separator_line, cells
    except UnicodeError as error:
        raise ImportFileError(
            gettext(
                "Line %(line)d cannot be read as %(encoding)s. "
                "Choose another encoding, or save the file again as CSV UTF-8.",
                line=number + 1,
                encoding=ENCODINGS.get(file_format.encoding, file_format.encoding),
            )
        ) from error
    except csv.Error as error:
        raise ImportFileError(
            gettext("Line %(line)d is not valid CSV (%(reason)s).", line=number + 1, reason=error)
        ) from error


# What a damaged workbook raises as openpyxl reads it: a broken ZIP, a missing part, XML that
# does not parse (a SyntaxError, from the standard library's parser or lxml's), a compression
# method Python's zipfile does not know.
DAMAGED_WORKBOOK = (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, NotImplementedError)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as handle:
        try:
            # read_only streams the sheet; formulas come back as their text ("=A1") so they can
            # be refused rather than silently evaluated.
            workbook = load_workbook(handle, read_only=True, data_only=False)
        except (*DAMAGED_WORKBOOK, InvalidFileException, OSError) as error:
            raise ImportFileError(
                gettext("This file looks like a ZIP but is not a readable XLSX workbook.")
            ) from error
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except (*DAMAGED_WORKBOOK, IndexError) as error:
            raise ImportFileError(gettext("The workbook is damaged and cannot be read.")) from error
        finally:
            workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
