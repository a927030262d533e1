"""Lists sort the way each language's alphabet runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from crm.i18n.collation import sort_key


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sl", ["Ciper", "Cookovi otoki", "Curaçao", "Čad", "Češka", "Črna gora", "Dánsko"]),
        ("kk", ["Австрия", "Әзірбайжан", "Кения", "Қазақстан", "Қытай", "Өзбекстан",
                "Пәкістан", "Пуэрто-Рико", "Ұлыбритания", "Үндістан", "Ямайка", "Maribor"]),
        ("ru", ["Ель", "Ёлки", "Железный", "Maribor"]),
        ("en", ["Čad", "Ciper", "Curaçao", "Dánsko"]),
    ],
)  # fmt: skip
def test_words_sort_in_the_languages_order(language: str, words: list[str]) -> None:
    shuffled = list(reversed(words))
    assert sorted(shuffled, key=lambda word: sort_key(word, language)) == words


def test_the_country_list_puts_kazakhstan_where_a_kazakh_reader_looks(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer", language="kk")
    page = client.get("/localities/new").get_data(as_text=True)
    assert page.index(">Кения<") < page.index(">Қазақстан<") < page.index(">Қытай<")
    assert page.index(">Қытай<") < page.index(">Лаос<")
