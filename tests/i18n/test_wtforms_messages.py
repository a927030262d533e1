"""WTForms' built-in messages come from our catalogue (WTForms' own has no Slovenian)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length

from crm.i18n import wtforms_messages


class _Catalogue:
    """Stands in for Flask-Babel's translations of some language, and notes what was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ugettext(self, string: str) -> str:
        self.asked.append(string)
        return f"[sl] {string}"

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        self.asked.append(singular)
        return f"[sl] {singular if n == 1 else plural}"


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> _Catalogue:
    fake = _Catalogue()
    monkeypatch.setattr(wtforms_messages, "get_translations", lambda: fake)
    return fake


class _FlaskForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(min=3)])


class _PlainForm(Form):
    name = StringField("Name", validators=[DataRequired()])


def test_flask_wtf_is_not_left_to_load_wtforms_own_catalogues(app: Flask) -> None:
    assert app.config["WTF_I18N_ENABLED"] is False


def test_a_required_fields_message_comes_through_our_catalogue(
    app: Flask, catalogue: _Catalogue
) -> None:
    with app.test_request_context(method="POST"):
        form = _FlaskForm(formdata=MultiDict({"name": ""}), meta={"csrf": False})
        assert not form.validate()
    assert form.name.errors == ["[sl] This field is required."]
    assert "This field is required." in catalogue.asked


def test_plural_messages_are_looked_up_and_then_filled_in_by_wtforms(
    app: Flask, catalogue: _Catalogue
) -> None:
    with app.test_request_context(method="POST"):
        form = _FlaskForm(formdata=MultiDict({"name": "ab"}), meta={"csrf": False})
        assert not form.validate()
    assert form.name.errors == ["[sl] Field must be at least 3 characters long."]


def test_a_plain_wtforms_form_inside_a_page_uses_our_catalogue_too(
    app: Flask, catalogue: _Catalogue
) -> None:
    with app.test_request_context():
        form = _PlainForm(formdata=MultiDict({"name": ""}))
        assert not form.validate()
    assert form.name.errors == ["[sl] This field is required."]


def test_in_english_the_message_is_wtforms_own(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _FlaskForm(formdata=MultiDict({"name": ""}), meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["This field is required."]


def test_the_listed_messages_are_wtforms_own_msgids() -> None:
    from pathlib import Path

    import wtforms

    pot = (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").read_text(encoding="utf-8")
    for message in wtforms_messages.WTFORMS_MESSAGES:
        args: Any = message._args  # the msgid (and plural) the lazy string was made with
        assert f'msgid "{args[0]}"' in pot
