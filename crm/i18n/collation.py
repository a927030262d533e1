"""Alphabetical order as each language has it: Č after C in Slovenian, Қ after К in Kazakh.

No ICU here (an embassy machine may lack it), so each language's alphabet is written out; a
letter outside it (a Latin name in a Cyrillic list, say) sorts after the alphabet by its folded
form, and accents a language does not count as letters only break ties.
"""

from __future__ import annotations

from functools import lru_cache

from crm.text_search import fold

ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "sl": "abcčćdđefghijklmnopqrsštuvwxyzž",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}
_POSITIONS = {
    language: {letter: index for index, letter in enumerate(alphabet)}
    for language, alphabet in ALPHABETS.items()
}


# Remembered: a page sorts the same few hundred names (sectors, owners, countries) every time,
# at some 15 µs a name.
@lru_cache(maxsize=8192)
def sort_key(text: str, language: str) -> tuple[tuple[tuple[int, int | str], ...], str, str]:
    positions = _POSITIONS.get(language, _POSITIONS["en"])
    primary = []
    for letter in text.casefold():
        if letter in positions:
            primary.append((0, positions[letter]))
            continue
        base = fold(letter)
        if base and all(ch in positions for ch in base):
            primary.extend((0, positions[ch]) for ch in base)
        elif base.strip():
            primary.append((1, base))
    return tuple(primary), fold(text), text
