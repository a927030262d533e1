from __future__ import annotations

import pytest

from crm.text_search import (
    MAX_QUERY_WORDS,
    contains_pattern,
    fold,
    prefix_range,
    prefix_words,
    word_patterns,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Štajerska", "stajerska"),
        ("Aleksander Saša Arsenovič", "aleksander sasa arsenovic"),
        ("PÉCS", "pecs"),
        ("Kraków", "krakow"),
        ("Łódź", "lodz"),
        ("Đakovo", "dakovo"),
        ("Straße", "strasse"),
        ("İzmir", "izmir"),
        ("Қызылорда", "кызылорда"),
        ("Әлеуетті Өңір ҰҒҮҺІ", "алеуетти онир угухи"),
        ("  Novo   mesto ", "novo mesto"),
    ],
)
def test_fold_strips_diacritics_and_case_but_keeps_scripts(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_like_wildcards_typed_by_users_are_taken_literally() -> None:
    assert contains_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_a_query_is_matched_word_by_word() -> None:
    assert word_patterns("Sasa  ARSENOVIČ") == ["%sasa%", "%arsenovic%"]
    # The dash between two names is not a word to find; a query of nothing else still is.
    assert word_patterns("Maribor – Kyzylorda maribor") == ["%maribor%", "%kyzylorda%"]
    assert word_patterns("%") == ["%\\%%"]
    # Regression: a dash typed without spaces joined two names into one word found nowhere.
    for joined in ("Maribor–Kyzylorda", "Maribor-Kyzylorda", "Maribor—KYZYLORDA"):
        assert word_patterns(joined) == ["%maribor%", "%kyzylorda%"]
    # A hyphenated name is still found, each of its parts being in it; a lone dash still is.
    assert word_patterns("Ust-Kamenogorsk") == ["%ust%", "%kamenogorsk%"]
    assert word_patterns("–") == ["%–%"]
    many = " ".join(f"word{n}" for n in range(MAX_QUERY_WORDS + 3))
    assert len(word_patterns(many)) == MAX_QUERY_WORDS
    assert word_patterns("   ") == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Štajerska", ["stajerska"]),
        ("mayor's  office", ["mayor", "s", "office"]),
        ("dr draft", ["draft"]),  # "dr" finds whatever "draft" finds
        ("draft dr draft", ["draft"]),
        ("Maribor–Kyzylorda", ["maribor", "kyzylorda"]),
        ("– %", []),
        ("a b c d e f g h", ["a", "b", "c", "d", "e", "f"]),
    ],
)
def test_prefix_words(query: str, words: list[str]) -> None:
    assert prefix_words(query) == words


@pytest.mark.parametrize(
    ("prefix", "inside", "outside"),
    [
        ("memo", ["memo", "memorandum", "memo\U0010ffff"], ["mem", "memp", "men"]),
        ("z", ["z", "zz", "zé"], ["y", "{", "é"]),
        ("кыз", ["кызылорда"], ["кыш", "кы"]),
        ("a\ud7ff", ["a\ud7ffx"], ["a\ue000", "b"]),
    ],
)
def test_prefix_range_holds_exactly_the_words_beginning_with_the_prefix(
    prefix: str, inside: list[str], outside: list[str]
) -> None:
    low, high = prefix_range(prefix)
    assert all(low <= word < high for word in inside)
    assert not any(low <= word < high for word in outside)


def test_a_prefix_no_word_can_begin_with_has_no_range() -> None:
    # The last code point is no letter or digit; an upper bound of it would miss longer words.
    with pytest.raises(ValueError, match="U\\+10FFFF"):
        prefix_range("memo\U0010ffff")
