"""Diacritics- and case-insensitive matching that behaves the same on SQLite and PostgreSQL.

Searchable text is folded once, in Python, into a `*_folded` column when a row is written; a query
is folded the same way and each of its words matched with LIKE against that column. Neither
database needs an extension (`unaccent`, ICU) and both give the same answers.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, and_, or_, true

# Letters that carry no combining mark to strip, so NFKD leaves them alone.
_SPECIAL_LETTERS = str.maketrans(
    {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ħ": "h"}
)
# Kazakh's own Cyrillic letters, read as the Russian letters a Russian keyboard types for them:
# "Кызылорда" finds Қызылорда облысы. (NFKD already takes ё to е and й to и.)
KAZAKH_LETTERS = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"}
)

LIKE_ESCAPE = "\\"
# Hyphen, the Unicode dashes and the minus sign: "Maribor–Kyzylorda" typed without spaces is the
# two names, as "Maribor – Kyzylorda" is.
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212]")
# A query's words are matched one by one; a pasted paragraph is not turned into a hundred LIKEs.
MAX_QUERY_WORDS = 6


def fold(text: str) -> str:
    """Lower-case `text` and strip its diacritics: "Štajerska" and "STAJERSKA" give "stajerska".

    Scripts other than Latin keep their script: Cyrillic is found when typed in Cyrillic, with
    Kazakh letters read as their Russian neighbours (Қызылорда folds to кызылорда).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.translate(_SPECIAL_LETTERS).translate(KAZAKH_LETTERS).split())


def contains_pattern(query: str) -> str:
    """A LIKE pattern (with `LIKE_ESCAPE`) matching folded text that contains the folded query.

    `%` and `_` typed by a user are matched literally, not as wildcards.
    """
    escaped = (
        fold(query)
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def word_patterns(query: str) -> list[str]:
    """One `contains_pattern` per word of the folded query, so that "kyzylorda maribor" finds
    Maribor – Kyzylorda Region, and "arsenovic sasa" finds Aleksander Saša Arsenovič.

    A dash splits words, typed with spaces around it or not; a word with no letter or digit (the
    dash typed between two places) is left out, unless the query holds nothing else; a repeated
    word counts once; words past `MAX_QUERY_WORDS` are left.
    """
    words = fold(query).split()
    # A hyphenated name ("Ust-Kamenogorsk", "KZ-43") is still found: each of its parts is in it.
    parts = [part for word in words for part in _DASHES.split(word) if part]
    meaningful = [part for part in parts if any(ch.isalnum() for ch in part)] or words
    return [contains_pattern(word) for word in dict.fromkeys(meaningful)][:MAX_QUERY_WORDS]


def matches_every_word(query: str, *columns: ColumnElement[str]) -> ColumnElement[bool]:
    """True where each word of `query` is in at least one of the folded text `columns`."""
    return and_(
        true(),  # a query that folds to nothing (a lone combining mark) narrows nothing
        *(
            or_(*(column.like(pattern, escape=LIKE_ESCAPE) for column in columns))
            for pattern in word_patterns(query)
        ),
    )


# A word of an indexed title or of a query: a run of letters and digits. Punctuation, dashes and
# "_" separate words ("mayor's" is "mayor" and "s", "renewable_energy" two words).
_WORD = re.compile(r"[^\W_]+")


def words_of(folded: str) -> list[str]:
    """The distinct words of already folded text, in their order: what a word index holds."""
    return list(dict.fromkeys(_WORD.findall(folded)))


def prefix_words(query: str) -> list[str]:
    """The words of `query`, folded and split as `words_of` splits a title, each to be found as
    the beginning of a word: "memo stajer" finds "Štajerska: send the memorandum". A word that
    begins another of the query's words is left out (it finds whatever the longer one finds);
    words past `MAX_QUERY_WORDS` are left. A query of punctuation alone has no words."""
    words = words_of(fold(query))
    kept = [w for w in words if not any(o != w and o.startswith(w) for o in words)]
    return kept[:MAX_QUERY_WORDS]


def prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds `low <= word < high` holding exactly the words that begin with `prefix` (not
    empty), in code point order: SQLite's binary collation, and PostgreSQL's "C" collation.

    A range, not LIKE 'prefix%': SQLite's LIKE uses an index only under its ASCII-only NOCASE
    collation, PostgreSQL's only with a pattern operator class; a range is an index seek on both.
    """
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        # No code point follows it, so no string bounds the range from above; and no word ends
        # so, since the last code point is neither a letter nor a digit.
        raise ValueError("a word prefix cannot end in U+10FFFF")
    following = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1  # surrogates are no text
    return prefix, prefix[:-1] + chr(following)
