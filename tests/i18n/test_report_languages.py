"""The weekly report in each reader's language: its PDF sets their letters, its e-mail speaks it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from crm.db import session
from crm.reports.services import set_subscription
from tests.factories import make_user
from tests.i18n.catalogues import read_catalogue
from tests.reports.test_email import Inbox, inbox  # noqa: F401 (a fixture)
from tests.reports.test_outputs import week_with_moves  # noqa: F401 (a fixture)


def translation(language: str, english: str) -> str:
    entry = read_catalogue(language).get(english)
    assert entry is not None and entry.string, english
    return str(entry.string)


def fonts_of(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            # Subset fonts are named ABCDEF+Family.
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.usefixtures("week_with_moves")
@pytest.mark.parametrize("language", ["kk", "sl", "ru"])
def test_the_pdf_is_in_the_readers_language_and_in_a_font_that_has_its_letters(
    client: FlaskClient, login_as: Callable[..., int], language: str
) -> None:
    login_as("officer", language=language)
    response = client.get("/reports/weekly?week=2026-W07&format=pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert translation(language, "Open pairings") in text
    assert "Қызылорда" in text or "Kyzylorda" in text
    # DejaVu covers Latin with diacritics and Cyrillic with Kazakh's letters: nothing falls back
    # to another font, whose missing glyphs would print as boxes.
    fonts = fonts_of(reader)
    assert fonts and all(font.replace("-", "").startswith("DejaVu") for font in fonts), fonts


@pytest.mark.usefixtures("week_with_moves")
def test_each_subscriber_gets_the_report_in_their_own_language(
    app: Flask,
    runner,
    inbox: Inbox,  # noqa: F811
) -> None:
    with app.app_context():
        for language in ("kk", "sl", ""):
            user = make_user(email=f"reader-{language or 'default'}@example.com", language=language)
            set_subscription(user, True)
        session.commit()
    result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert result.exit_code == 0, result.output
    by_address = {message["To"].split("<")[1].rstrip(">"): message for message in inbox.messages}
    for address, language in (
        ("reader-kk@example.com", "kk"),
        ("reader-sl@example.com", "sl"),
    ):
        message = by_address[address]
        assert message["Subject"].startswith(
            translation(language, "Twinning weekly report: %(week)s").split("%(week)s")[0]
        )
        parts = {part.get_content_type(): part for part in message.walk()}
        html = parts["text/html"].get_payload(decode=True).decode()
        assert f'<html lang="{language}">' in html
        assert translation(language, "Open pairings") in html
    default = by_address["reader-default@example.com"]
    assert default["Subject"].startswith("Twinning weekly report: Week 7 of 2026")


def test_chart_labels_get_the_room_long_names_need(app: Flask) -> None:
    import re
    from types import SimpleNamespace

    from crm.reports.charts import MAX_LABEL_WIDTH, funnel_svg

    names = ["Меморандумға қол қойылды", "Prospect", "Ж" * 80]
    rows = [SimpleNamespace(stage_name=name, open=3, previous_open=2) for name in names]
    with app.test_request_context():
        svg = str(funnel_svg(SimpleNamespace(funnel=rows)))
    labels = re.findall(r'<text x="(\d+)" [^>]*text-anchor="end"([^>]*)>([^<]+)</text>', svg)
    assert [text for _, _, text in labels] == names
    for x, attributes, text in labels:
        # Right-aligned at x: it fits from 0 to x, or is squeezed to fit there.
        assert len(text) * 7.5 <= int(x) or "textLength" in attributes, text
    assert "textLength" not in labels[0][1]
    assert int(labels[0][0]) <= MAX_LABEL_WIDTH
    # Regression: the column was worked out at 7 px a letter, and Chromium's sans-serif drew
    # "Предварительные переговоры" (191 px) 5 px left of the chart's edge.
    russian = [SimpleNamespace(stage_name="Предварительные переговоры", open=1, previous_open=0)]
    with app.test_request_context():
        svg = str(funnel_svg(SimpleNamespace(funnel=russian)))
    (x,) = re.findall(r'<text x="(\d+)" [^>]*text-anchor="end"', svg)
    assert int(x) >= 195
