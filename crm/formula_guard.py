"""The apostrophe that exports put before a cell a spreadsheet would run as a formula, and the
import's inverse that takes it off again.

Both live here, side by side, so that what one adds the other removes exactly: an export read
back by the import is the data it was made from, never the data with a stray "'" in front.
"""

from __future__ import annotations

# A spreadsheet would run a cell that starts like a formula; a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"

Cell = str | int | None


def _looks_guarded(text: str) -> bool:
    """Whether `text` is apostrophes followed by a formula start ("'=1", "''+x")."""
    rest = text.lstrip(GUARD)
    return len(rest) < len(text) and rest.startswith(FORMULA_STARTS)


def neutralise(value: Cell) -> Cell:
    """The cell as an export writes it: a formula-like text gets an apostrophe in front.

    A text that already looks guarded ("'=1", typed so by someone used to spreadsheets) gets one
    too, so that `unneutralise` can always take exactly one off and give the text back as it was.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or _looks_guarded(value)):
        return GUARD + value
    return value


def unneutralise(text: str) -> str:
    """A cell as the import reads it: the apostrophe `neutralise` added taken off; any other
    apostrophe ("'Ndrangheta", "O'Brien") stays."""
    if _looks_guarded(text):
        return text[len(GUARD) :]
    return text
