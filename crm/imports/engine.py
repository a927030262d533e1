"""One import, from the file to the database: map the columns, check every row, and (when asked)
write the valid ones through the features' own services.

The preview and the apply are the same pass: the preview simply writes nothing. Each row is read,
checked against dictionaries of what exists (loaded once, so 50,000 rows do not make 50,000
look-ups) and against the rows before it, marked new / update / unchanged / error, and handed to
the caller, who keeps it on disk; nothing holds the whole file in memory. The caller commits once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from flask_babel import force_locale, format_number, gettext, ngettext

from crm.auth.models import User
from crm.errors import DomainError, StaleVersion
from crm.formula_guard import unneutralise
from crm.imports.reading import FileFormat, ImportFileError, read_rows
from crm.text_search import fold

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
MARKS = (NEW, UPDATE, UNCHANGED, ERROR)
# A cell that starts like this is a spreadsheet formula, not a value.
FORMULA_START = "="
MAX_CELL_LENGTH = 10_000
# The key of an error about the whole row rather than one of its cells.
ROW_ERROR = "row"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    help: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class RowOutcome:
    number: int
    mark: str
    label: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RowOutcome:
        return cls(**data)


@dataclass
class Checked:
    """A row's verdict, and what writing it needs (for the importer's `write`)."""

    outcome: RowOutcome
    payload: Any = None


class ImportAborted(ImportFileError):
    """Writing failed in a way that concerns the whole import; the caller rolls everything back."""


class Importer(ABC):
    """One kind of record. Subclasses list their columns, load what exists in `prepare`, judge
    a row in `check` (never writing) and write a checked row in `write` through the services."""

    key: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    def __init__(self, *, user: User, source: str = "import") -> None:
        self.user = user
        self.source = source

    def collect(self, values: dict[str, str]) -> None:  # noqa: B027 (optional hook)
        """The first pass over the file, before `prepare`: note what the file itself defines."""

    @abstractmethod
    def prepare(self) -> None: ...

    @abstractmethod
    def check(self, number: int, values: dict[str, str]) -> Checked: ...

    @abstractmethod
    def write(self, checked: Checked) -> None: ...

    def forget(self, checked: Checked) -> None:  # noqa: B027 (optional hook)
        """A write was refused after all: undo anything it left in the session."""

    def finish(self) -> None:  # noqa: B027 (optional hook)
        """Write whatever the importer batched up."""


@dataclass
class Summary:
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MARKS, 0))
    applied: bool = False
    written: int = 0

    @property
    def has_errors(self) -> bool:
        return self.counts[ERROR] > 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Summary:
        return cls(**data)


def header_key(text: str) -> str:
    """How headers are compared: "E-mail", "e_mail" and "EMAIL " are the same."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def guess_mapping(headers: list[str], columns: tuple[Column, ...]) -> dict[str, str]:
    """Each file header to the column it most likely means ("" when none)."""
    known: dict[str, str] = {}
    # A column's label as the reader sees it, and in English: a file may use either.
    with force_locale("en"):
        english = {column.key: str(column.label) for column in columns}
    for column in columns:
        for name in (column.key, str(column.label), english[column.key], *column.aliases):
            known.setdefault(header_key(name), column.key)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = known.get(header_key(header), "")
        if key in taken:
            key = ""
        mapping[header] = key
        if key:
            taken.add(key)
    return mapping


def read_header(path: Path, file_format: FileFormat) -> list[str]:
    for _, cells in read_rows(path, file_format):
        headers = [cell.strip() for cell in cells]
        if len(set(filter(None, headers))) != len([h for h in headers if h]):
            raise ImportFileError(gettext("Two columns have the same heading; give each its own."))
        return headers
    raise ImportFileError(gettext("The file is empty."))


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]
    # How many cells the row fills and how many headings there are, when the row fills more:
    # what is past the last heading belongs to no column (most often a separator in a value
    # that was not quoted, which shifts every cell after it), so the row is not imported.
    overflow: tuple[int, int] | None = None


def _mapped_rows(path: Path, file_format: FileFormat, mapping: Mapping[str, str]) -> Iterator[_Row]:
    rows = read_rows(path, file_format)
    header_row = next(rows, None)
    if header_row is None:
        raise ImportFileError(gettext("The file is empty."))
    headers = [cell.strip() for cell in header_row[1]]
    positions = [(index, mapping.get(header, "")) for index, header in enumerate(headers)]
    positions = [(index, key) for index, key in positions if key]
    for number, cells in rows:
        values = {key: (cells[index] if index < len(cells) else "") for index, key in positions}
        # Empty cells after the last heading hold nothing to lose (a trailing separator).
        filled = max((index + 1 for index, cell in enumerate(cells) if cell.strip()), default=0)
        overflow = (filled, len(headers)) if filled > len(headers) else None
        yield _Row(number, values, overflow)


def check_mapping(mapping: Mapping[str, str], columns: tuple[Column, ...]) -> list[str]:
    """What is wrong with a mapping: a required column with no header, or one column twice."""
    problems = []
    chosen = [key for key in mapping.values() if key]
    by_key = {column.key: column for column in columns}
    for key in sorted({key for key in chosen if chosen.count(key) > 1 and key in by_key}):
        problems.append(
            gettext("Two headings are mapped to “%(column)s”; keep one.", column=by_key[key].label)
        )
    for column in columns:
        if column.required and column.key not in chosen:
            problems.append(
                gettext(
                    "Choose the heading that holds “%(column)s” (it is required).",
                    column=column.label,
                )
            )
    unknown = [key for key in chosen if key not in by_key]
    if unknown:
        problems.append(gettext("Unknown column “%(column)s”.", column=unknown[0]))
    return problems


ProgressCallback = Callable[[str, int, int], None]


def run(
    path: Path,
    file_format: FileFormat,
    importer: Importer,
    mapping: Mapping[str, str],
    *,
    apply: bool,
    all_or_nothing: bool = True,
    on_row: Callable[[RowOutcome], None] = lambda outcome: None,
    on_progress: ProgressCallback = lambda phase, done, total: None,
) -> Summary:
    """Check (and with `apply`, write) every row. Raises `ImportFileError` for a file that cannot
    be imported at all. With `all_or_nothing`, one bad row means nothing is written; the caller
    rolls back when `summary.applied` is false."""
    problems = check_mapping(mapping, importer.columns)
    if problems:
        raise ImportFileError(" ".join(problems))

    summary = Summary()
    on_progress("reading", 0, 0)
    for row in _mapped_rows(path, file_format, mapping):
        summary.total += 1
        if row.overflow is None:
            importer.collect(row.values)
        if summary.total % 5000 == 0:
            on_progress("reading", summary.total, 0)
    if summary.total == 0:
        raise ImportFileError(gettext("The file has a header row but no rows to import."))

    importer.prepare()
    phase = "applying" if apply else "checking"
    on_progress(phase, 0, summary.total)
    writing = apply
    for done, row in enumerate(_mapped_rows(path, file_format, mapping), start=1):
        if row.overflow:
            checked = _overflowing(row.number, *row.overflow)
        else:
            checked = _check(importer, row.number, row.values)
        outcome = checked.outcome
        if writing and outcome.mark in (NEW, UPDATE):
            try:
                importer.write(checked)
            except ImportFileError:
                raise
            except DomainError as error:
                importer.forget(checked)
                outcome.mark = ERROR
                outcome.errors[error.field or ROW_ERROR] = (
                    gettext(
                        "Someone changed this record while the file was being imported; import "
                        "the file again to apply this row."
                    )
                    if isinstance(error, StaleVersion)
                    else error.message
                )
            else:
                summary.written += 1
        summary.counts[outcome.mark] += 1
        if outcome.mark == ERROR and all_or_nothing and writing:
            # Nothing will be kept; go on checking so the user sees every problem at once.
            writing = False
        on_row(outcome)
        if done % 250 == 0:
            on_progress(phase, done, summary.total)
    if writing:
        importer.finish()
    on_progress(phase, summary.total, summary.total)
    summary.applied = apply and not (all_or_nothing and summary.has_errors)
    if apply and not summary.applied:
        summary.written = 0
    return summary


def _overflowing(number: int, cells: int, headings: int) -> Checked:
    """A row with more cells than headings: an error row, not checked further (its cells are
    likely shifted, so what they would say about each column is no help) and never written."""
    message = gettext(
        "Row %(number)d has more cells than headings (%(cells)d cells, %(headings)d headings), "
        "so it is not imported. Put quotes around a value that holds the separator, or give "
        "the extra cells a heading.",
        number=number,
        cells=cells,
        headings=headings,
    )
    return Checked(RowOutcome(number, ERROR, errors={ROW_ERROR: message}))


def _check(importer: Importer, number: int, values: dict[str, str]) -> Checked:
    bad_cells: dict[str, str] = {}
    for key, value in values.items():
        if "\x00" in value:
            # PostgreSQL refuses to store it: said here, not found when the rows are written.
            bad_cells[key] = gettext("This cell holds a NUL character; remove it.")
        elif value.lstrip().startswith(FORMULA_START):
            bad_cells[key] = gettext("This cell holds a formula; type the value itself.")
        elif len(value) > MAX_CELL_LENGTH:
            bad_cells[key] = ngettext(
                "This cell is longer than %(count)s character.",
                "This cell is longer than %(count)s characters.",
                MAX_CELL_LENGTH,
                count=format_number(MAX_CELL_LENGTH),
            )
    # The apostrophe an export puts before "=1+1" is its guard, not part of the value: taken off
    # here, for every kind, so that a file exported and imported back changes nothing. The
    # formula check above reads the cell as it came, so "'=1+1" is text and "=1+1" a formula.
    cleaned = {key: unneutralise(value).strip() for key, value in values.items()}
    if bad_cells:
        checked = importer.check(
            number, {key: ("" if key in bad_cells else value) for key, value in cleaned.items()}
        )
        checked.outcome.mark = ERROR
        checked.outcome.errors = {**checked.outcome.errors, **bad_cells}
        return checked
    checked = importer.check(number, cleaned)
    if checked.outcome.errors:
        checked.outcome.mark = ERROR
    return checked


def close_matches(name: str, candidates: Mapping[str, str], limit: int = 3) -> list[str]:
    """The display names whose folded form is closest to `name` (candidates: folded -> shown)."""
    import difflib

    folded = fold(name)
    pool = candidates
    if len(candidates) > 5000 and folded:
        # difflib compares with every candidate; on a huge list, only those that begin alike.
        pool = {key: shown for key, shown in candidates.items() if key[:1] == folded[:1]}
    matches = difflib.get_close_matches(folded, list(pool), n=limit, cutoff=0.6)
    return [pool[match] for match in matches]
