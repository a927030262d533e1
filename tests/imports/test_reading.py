"""Encodings, separators and file kinds are recognised; what cannot be read gets a message."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from crm.imports.reading import ImportFileError, detect_format, read_rows

ROWS = [["name", "country"], ["Štajerska", "SI"], ["Қызылорда облысы", "KZ"]]
SLOVENIAN = [["name", "country"], ["Štajerska", "SI"], ["Murska Sobota", "SI"], ["Žalec", "SI"]]
RUSSIAN = [["name", "country"], ["Кызылорда", "KZ"], ["Алматы", "KZ"], ["Шымкент", "KZ"]]


def _write(
    tmp_path: Path, rows: list[list[str]], encoding: str, sep: str, bom: bytes = b""
) -> Path:
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    path = tmp_path / "file.csv"
    path.write_bytes(bom + text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("rows", "encoding", "bom", "sep", "expected"),
    [
        (ROWS, "utf-8", b"", ",", "utf-8"),
        (ROWS, "utf-8", codecs.BOM_UTF8, ";", "utf-8-sig"),
        (ROWS, "utf-16-le", codecs.BOM_UTF16_LE, "\t", "utf-16"),  # Excel's "Unicode text"
        (ROWS, "utf-16-le", b"", "\t", "utf-16-le"),
        (SLOVENIAN, "cp1250", b"", ";", "cp1250"),
        (RUSSIAN, "cp1251", b"", ";", "cp1251"),
    ],
)
def test_encodings_and_separators_are_detected(
    tmp_path: Path, rows: list[list[str]], encoding: str, bom: bytes, sep: str, expected: str
) -> None:
    path = _write(tmp_path, rows, encoding, sep, bom)
    found = detect_format(path)
    assert (found.kind, found.encoding, found.separator) == ("csv", expected, sep)
    assert [cells for _, cells in read_rows(path, found)] == rows


def test_an_encoding_can_be_overridden(tmp_path: Path) -> None:
    path = _write(tmp_path, SLOVENIAN, "cp1250", ",")
    forced = detect_format(path, encoding="cp1251", separator=",")
    assert forced.encoding == "cp1251"
    cells = [cells for _, cells in read_rows(path, forced)]
    assert cells[1][0] != "Štajerska"  # read as asked, even if wrongly


def test_an_override_that_cannot_decode_the_file_is_a_message(tmp_path: Path) -> None:
    path = _write(tmp_path, SLOVENIAN, "cp1250", ",")
    with pytest.raises(ImportFileError, match="cannot be read as UTF-8"):
        found = detect_format(path, encoding="utf-8", separator=",")
        list(read_rows(path, found))


def test_mixed_encodings_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "name,country\nŠtajerska,SI\n".encode() + "Žalec,SI\n".encode("cp1250") + b"Celje,SI\n"
    )
    with pytest.raises(ImportFileError, match="mixes encodings: line 3"):
        detect_format(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (bytes(range(256)) * 4, "not a text file"),
    ],
)
def test_files_that_are_not_spreadsheets(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        detect_format(path)


def test_a_damaged_xlsx_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    found = detect_format(path)
    assert found.kind == "xlsx"
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        list(read_rows(path, found))


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/worksheets/sheet1.xml", b"<not xml"),
        ("xl/workbook.xml", b"<x"),
        ("xl/styles.xml", b"<<<"),
    ],
)
def test_a_workbook_whose_xml_does_not_parse_is_a_message(
    tmp_path: Path, part: str, content: bytes
) -> None:
    # openpyxl raises the XML parser's ParseError (a SyntaxError): it was a 500.
    import io
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["name", "country"])
    workbook.active.append(["Ptuj", "SI"])
    made = io.BytesIO()
    workbook.save(made)
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(made) as good, zipfile.ZipFile(path, "w") as damaged:
        for item in good.infolist():
            damaged.writestr(item.filename, content if item.filename == part else good.read(item))
    found = detect_format(path)
    with pytest.raises(ImportFileError, match=r"not a readable XLSX|damaged"):
        list(read_rows(path, found))


@pytest.mark.parametrize(("first_line", "sep"), [("sep=;", ";"), ("SEP=,", ","), ("sep=\t", "\t")])
def test_excels_separator_line_names_the_separator_and_is_no_row(
    tmp_path: Path, first_line: str, sep: str
) -> None:
    """Regression: a file opening with Excel's "sep=;" line had that line read as its headings
    (and a comma guessed as the separator), so no column could be mapped."""
    path = tmp_path / "file.csv"
    body = "\r\n".join(sep.join(row) for row in ROWS)
    path.write_bytes(f"{first_line}\r\n{body}\r\n".encode())
    file_format = detect_format(path)
    assert file_format.separator == sep
    # Numbered as Excel shows them, without the line it hides.
    assert list(read_rows(path, file_format)) == [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]


def test_an_excel_separator_line_naming_another_separator_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(b"sep=|\r\nname|country\r\nCelje|SI\r\n")
    with pytest.raises(ImportFileError) as refused:
        detect_format(path)
    assert "Choose a semicolon, a comma or a tab" in refused.value.message
