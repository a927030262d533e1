"""The password policy: long enough, and not something a guesser tries first.

A guesser starts with the common passwords, then the same with digits and symbols around them
("password2026!"), sequences and repetitions ("123456789012", "qwertyuiop12", "xkxkxkxkxkxk")
and the account's own name and e-mail address. So the policy looks at the *substance* of a
password: its letters, once repetitions and keyboard or alphabet runs are taken out. A
passphrase keeps nearly all of its letters; a guessable password keeps almost none, or a common
word, or the user's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path

from flask_babel import gettext, ngettext

from crm.errors import DomainError

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Fewer letters than this, once runs and repetitions are out, is no substance at all: it leaves
# all-digit passwords, sequences and "abc" padded with digits to a guesser's first tries.
SUBSTANCE_MIN_LENGTH = 4
# Four in a row ("abcd", "dcba", "asdf") is a run; three ("rst", "wer", "tre") is in too many words.
RUN_MIN_LENGTH = 4
# Alphabets and keyboard rows (US, QWERTZ as in Slovenia, AZERTY, Russian and Kazakh ЙЦУКЕН),
# read both ways.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",
    "yxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
)
# The same for digits and the symbols above them on a keyboard ("7890", "!@#$").
_OTHER_SEQUENCES = ("01234567890", "!@#$%^&*()")
# Fewer different characters than this among a password's digits and symbols, once their runs
# are out, is no more substance than its few letters give.
OTHER_SUBSTANCE_MIN_LENGTH = 6
# Digits with the separators of dates, times and phone numbers, and nothing else.
_DIGITS_AND_SEPARATORS = re.compile(r"[\d\s./:+()_-]*")
# A piece of up to four characters said three times or more in a row ("aaaa", "xkxkxk").
_REPEATS = re.compile(r"(.{1,4}?)\1{2,}")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _longest_common() -> int:
    return max(map(len, common_passwords()))


def _letters(text: str) -> str:
    """The letters of `text`, case and accents dropped: "Potočnik 85!" -> "potocnik"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalpha())


@cache
def _run_pairs(sequences: tuple[str, ...] = _SEQUENCES) -> tuple[frozenset[tuple[str, str]], ...]:
    """For each sequence and its reverse, the pairs of neighbours in it."""
    pairs = []
    for sequence in sequences:
        # "й" is "и" once accents are dropped, as in passwords; digits and symbols stay.
        letters = _letters(sequence) or sequence
        for ordered in (letters, letters[::-1]):
            pairs.append(frozenset(pairwise(ordered)))
    return tuple(pairs)


def _without_runs(text: str, sequences: tuple[str, ...] = _SEQUENCES) -> str:
    """`text` less its runs of RUN_MIN_LENGTH or more: "dragonqwerty" -> "dragon"."""
    kept = []
    start = 0
    while start < len(text):
        longest = 1
        for pairs in _run_pairs(sequences):
            end = start
            while end + 1 < len(text) and (text[end], text[end + 1]) in pairs:
                end += 1
            longest = max(longest, end - start + 1)
        if longest >= RUN_MIN_LENGTH:
            start += longest
        else:
            kept.append(text[start])
            start += 1
    return "".join(kept)


def _repeated_unit(text: str) -> str:
    """The piece that `text` repeats ("dragondragon" -> "dragon"), or `text` itself."""
    # A string is a repetition exactly when it turns up inside itself doubled, before the end.
    period = (text + text).find(text, 1)
    return text[:period] if 0 < period < len(text) else text


def _substance(password: str) -> str:
    """The letters that are left once repetitions and runs are taken out of the password."""
    letters = _REPEATS.sub(r"\1", _repeated_unit(_letters(password)))
    return _repeated_unit(_without_runs(letters))


def _padded_words(lowered: str) -> Iterator[str]:
    """Each stretch of the password with nothing but digits, spaces and punctuation around it:
    "p@ssw0rd" in "p@ssw0rd2026!", "123456789" in "123456789012"."""
    letter_positions = [index for index, char in enumerate(lowered) if char.isalpha()]
    if letter_positions:
        # The stretch holds every letter.
        latest_start, earliest_end = letter_positions[0], letter_positions[-1] + 1
        shortest = 4
    else:
        # Any stretch of at least half the password: a shorter one, say "1992" in twelve random
        # digits, does not make it a common password (it is refused as predictable instead).
        latest_start, earliest_end = len(lowered), 0
        shortest = max(4, (len(lowered) + 1) // 2)
    for start in range(latest_start + 1):
        for end in range(
            max(earliest_end, start + shortest), min(len(lowered), start + _longest_common()) + 1
        ):
            yield lowered[start:end]


def is_common(password: str) -> bool:
    """The password is on the list, or a listed one padded with digits or symbols
    ("password2026!", "123456789012"), repeated ("dragondragon"), run into a sequence
    ("passwordqwer") or with digits in between ("pass1234word")."""
    common = common_passwords()
    lowered = password.strip().lower()
    if lowered in common or any(word in common for word in _padded_words(lowered)):
        return True
    return _repeated_unit(_letters(password)) in common or _substance(password) in common


def is_predictable(password: str) -> bool:
    """Next to no letters are left once runs and repetitions are out, and what else there is
    is a date, a number or a run: "123456789012", "abcdefghijkl", "qwertyuiop12",
    "xkxkxkxkxkxk", "abc-20260314". A generated password that drew few letters but many
    symbols ("7#4!9@x2$1&8") is not."""
    if len(_substance(password)) >= SUBSTANCE_MIN_LENGTH:
        return False
    unit = _repeated_unit(password)
    others = "".join(char for char in unit if not char.isalpha() and not char.isspace())
    symbols = [char for char in others if not _DIGITS_AND_SEPARATORS.fullmatch(char)]
    if len(symbols) < 3:  # a date or a number, a symbol or two added
        return True
    if _holds_a_listed_password(others):  # "00@*01011950*": a listed date among symbols
        return True
    # Counted as different characters: "00.0.000000000*" is three, "7#4!9@2$1&8" eleven.
    return len(set(_without_runs(others, _OTHER_SEQUENCES))) < OTHER_SUBSTANCE_MIN_LENGTH


def _holds_a_listed_password(text: str) -> bool:
    """Any stretch of four characters or more of `text` is a common password."""
    common = common_passwords()
    return any(
        text[start:end] in common
        for start in range(len(text))
        for end in range(start + 4, min(len(text), start + _longest_common()) + 1)
    )


# Enough for a person's names with an organisation after them; a longer name's later words
# still count one by one.
_NAME_WORDS_IN_RUNS = 12


def _personal_words(email: str, name: str) -> set[str]:
    """The account's e-mail and its local part, and each run of consecutive words of the local
    part or the name, in order or reversed, as letters: "Mojca Potočnik" and "potocnikmojca"
    for "Mojca Potočnik (Štajerska Chamber of Commerce)" as well as the whole name."""
    local_part = email.rpartition("@")[0]
    words = {email, local_part, name}
    for text in (local_part, name):
        parts = re.findall(r"[^\W\d_]+", text)
        words.update(parts)
        # Words as written between spaces too: "Novak Anna-Maria" is "Anna-Maria Novak"
        # reversed, which the letters' own words would reverse inside the first name.
        for stretches in (parts, text.split()):
            words.update(_runs(stretches[:_NAME_WORDS_IN_RUNS]))
    letters = {_letters(word) for word in words}
    letters.discard("")
    return letters


def _runs(words: list[str]) -> Iterator[str]:
    """Each stretch of two or more consecutive `words`, joined, in their order and reversed."""
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            stretch = words[start:end]
            yield "".join(stretch)
            yield "".join(reversed(stretch))


def is_personal(password: str, *, email: str = "", name: str = "") -> bool:
    """What the password is made of is the account's e-mail address or name, or a part of
    either: "newpartner@example.com", "newpartner2026!", "Mojca Potočnik 1985"."""
    personal = _personal_words(email, name)
    if not personal:
        return False
    return bool({_repeated_unit(_letters(password)), _substance(password)} & personal)


def check_password_strength(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that a guesser would try early; `email` and `name` are the account's,
    when known, so that a password made of them is refused too."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DomainError(
            ngettext(
                "A password needs at least %(num)d character.",
                "A password needs at least %(num)d characters.",
                PASSWORD_MIN_LENGTH,
            ),
            field="password",
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A password can be at most %(num)d character.",
                "A password can be at most %(num)d characters.",
                PASSWORD_MAX_LENGTH,
            ),
            field="password",
        )
    if is_common(password):
        raise DomainError(
            gettext(
                "That password is on the list of commonly used passwords; choose another "
                "(a few unrelated words make a good one)."
            ),
            field="password",
        )
    if is_predictable(password):
        raise DomainError(
            gettext(
                "That password is easy to guess: it is mostly a sequence (1234, abcd, qwerty), "
                "a repetition, or digits and symbols; choose another (a few unrelated words "
                "make a good one)."
            ),
            field="password",
        )
    if is_personal(password, email=email, name=name):
        raise DomainError(
            gettext(
                "That password is made of the account's own name or e-mail address, which are "
                "easy to guess; choose another (a few unrelated words make a good one)."
            ),
            field="password",
        )
