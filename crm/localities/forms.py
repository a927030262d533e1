from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.forms import VersionField
from crm.localities.countries import country_choices, subdivision_country, subdivision_name
from crm.localities.models import LocalityKind
from crm.localities.services import NAME_MAX_LENGTH


class LocalityForm(FlaskForm):
    name = StringField(
        "Name as written locally",
        validators=[
            DataRequired("Give the name as it is written locally."),
            Length(max=NAME_MAX_LENGTH),
        ],
        description="In its own script and with its diacritics: Maribor, Қызылорда облысы.",
    )
    name_en = StringField(
        "English name",
        validators=[Optional(), Length(max=NAME_MAX_LENGTH)],
        description="Optional: Kyzylorda Region.",
    )
    other_names = TextAreaField(
        lazy_gettext("Names in other languages"),
        validators=[Optional(), Length(max=4000)],
        description=lazy_gettext(
            "Optional, one per line: a language code, a colon and the name, e.g. “ru: Кызылорда”. "
            "Search finds every one of them, and readers see the one in their language."
        ),
        render_kw={"rows": 3},
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in LocalityKind],
        validators=[DataRequired()],
    )
    country_code = SelectField("Country", validators=[DataRequired("Choose a country.")])
    subdivision_code = StringField(
        "ISO 3166-2 subdivision",
        validators=[Optional(), Length(max=10)],
        description="Optional, e.g. SI-070 for Maribor or KZ-43 for Kyzylorda Region.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = [
            SelectChoice("", "Choose a country…"),
            *(SelectChoice(code, name) for code, name in country_choices()),
        ]

    def validate_subdivision_code(self, field: StringField) -> None:
        code = (field.data or "").strip().upper()
        if not code:
            return
        if subdivision_name(code) is None:
            raise ValidationError(f"“{code}” is not in the current ISO 3166-2 list.")
        country = (self.country_code.data or "").upper()
        if country and subdivision_country(code) != country:
            raise ValidationError(f"{code} is not a subdivision of {country}.")


class EditLocalityForm(LocalityForm):
    version = VersionField()
