from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.forms import VersionField
from crm.localities.countries import country_choices, subdivision_country, subdivision_name
from crm.localities.models import LOCALITY_KIND_LABELS
from crm.localities.services import NAME_MAX_LENGTH


class LocalityForm(FlaskForm):
    name = StringField(
        _l("Name as written locally"),
        validators=[
            DataRequired(_l("Give the name as it is written locally.")),
            Length(max=NAME_MAX_LENGTH),
        ],
        description=_l("In its own script and with its diacritics: Maribor, Қызылорда облысы."),
    )
    name_en = StringField(
        _l("English name"),
        validators=[Optional(), Length(max=NAME_MAX_LENGTH)],
        description=_l("Optional: Kyzylorda Region."),
    )
    other_names = TextAreaField(
        _l("Names in other languages"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "Optional, one per line: a language code, a colon and the name, e.g. “ru: Кызылорда”. "
            "Search finds every one of them, and readers see the one in their language."
        ),
        render_kw={"rows": 3},
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in LOCALITY_KIND_LABELS.items()],
        validators=[DataRequired(_l("Choose a kind from the list."))],
        invalid_choice_message=_l("Choose a kind from the list."),
    )
    country_code = SelectField(
        _l("Country"),
        validators=[DataRequired(_l("Choose a country."))],
        invalid_choice_message=_l("Choose a country from the list."),
    )
    subdivision_code = StringField(
        _l("ISO 3166-2 subdivision"),
        validators=[Optional(), Length(max=10)],
        description=_l("Optional, e.g. SI-070 for Maribor or KZ-43 for Kyzylorda Region."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = [
            SelectChoice("", gettext("Choose a country…")),
            *(SelectChoice(code, name) for code, name in country_choices()),
        ]

    def validate_subdivision_code(self, field: StringField) -> None:
        code = (field.data or "").strip().upper()
        if not code:
            return
        if subdivision_name(code) is None:
            raise ValidationError(
                gettext("“%(code)s” is not in the current ISO 3166-2 list.", code=code)
            )
        country = (self.country_code.data or "").upper()
        if country and subdivision_country(code) != country:
            raise ValidationError(
                gettext("%(code)s is not a subdivision of %(country)s.", code=code, country=country)
            )


class EditLocalityForm(LocalityForm):
    version = VersionField()
