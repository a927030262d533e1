from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.contacts.models import ORGANISATION_KIND_LABELS, Side
from crm.contacts.picker import merge_value_in
from crm.contacts.services import (
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    ROLE_MAX_LENGTH,
)
from crm.forms import VersionField
from crm.localities.countries import country_choices
from crm.partnerships.models import Partnership


def organisation_placeholder() -> SelectChoice:
    """The person form's option for no organisation, in words: a bare "—" said nothing of what
    choosing it meant, in any language."""
    return SelectChoice(0, gettext("No organisation"))


def _countries() -> list[SelectChoice]:
    # The option for none in words, as the organisation select's: a bare "—" said nothing of
    # what choosing it meant, in any language.
    return [
        SelectChoice("", gettext("No country")),
        *(SelectChoice(code, name) for code, name in country_choices()),
    ]


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the organisation's name.")), Length(max=300)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()
        ],
        validators=[DataRequired()],
        invalid_choice_message=_l("Choose a kind from the list."),
    )
    country_code = SelectField(
        _l("Country"),
        validators=[Optional()],
        invalid_choice_message=_l("Choose a country from the list."),
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=200)])
    website = StringField(
        _l("Website"), validators=[Optional(), Length(max=500)], description=_l("https://…")
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX_LENGTH)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = _countries()


class EditOrganisationForm(OrganisationForm):
    version = VersionField()


class PersonForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Give the person's full name.")), Length(max=NAME_MAX_LENGTH)],
        description=_l("As they write it, diacritics included (Aleksander Saša Arsenovič)."),
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        validators=[Optional()],
        invalid_choice_message=_l("Choose an organisation from the list."),
        invalid_value_message=_l("Choose an organisation from the list."),
    )
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(
        _l("Phone"),
        # Room for spaces and an "extension" typed out: the stored form has its own limit.
        validators=[Optional(), Length(max=PHONE_INPUT_MAX_LENGTH)],
        description=_l(
            "With the country code, e.g. +386 2 220 10 00, or +386 2 220 10 00 ext. 123."
        ),
    )
    country_code = SelectField(
        _l("Country"),
        validators=[Optional()],
        invalid_choice_message=_l("Choose a country from the list."),
    )
    preferred_language = StringField(
        _l("Preferred language"), validators=[Optional(), Length(max=60)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX_LENGTH)])
    create_anyway = BooleanField(_l("This is a different person: save anyway"))

    def fill_choices(self, organisations: list[SelectChoice]) -> None:
        self.country_code.choices = _countries()
        self.organisation_id.choices = [organisation_placeholder(), *organisations]


class EditPersonForm(PersonForm):
    version = VersionField()


class DeleteForm(FlaskForm):
    """A delete button's form: the record goes only as the one deleting it saw it."""

    version = VersionField()


def _merge_choice_id(value: object) -> int:
    """A merge option's value, "ID:VERSION" (or 0, none chosen), as the person's id: the choice
    is checked by the id alone, so that a stale version is the view's 409, not "not a choice".
    Anything else is no option's (ValueError, "Choose a person from the list.")."""
    if value in (0, "0"):
        return 0
    chosen = merge_value_in(str(value))
    if chosen is None:
        raise ValueError(value)
    return chosen[0]


class MergeForm(FlaskForm):
    # Each option is "ID:VERSION" (crm.contacts.picker.merge_value), the duplicate as the
    # admin's page showed them: one edited, deleted or merged since may be someone else now.
    other_id = SelectField(
        _l("Merge this duplicate into the record above"),
        coerce=_merge_choice_id,
        validators=[DataRequired(_l("Choose the duplicate."))],
        invalid_choice_message=_l("Choose a person from the list."),
        invalid_value_message=_l("Choose a person from the list."),
    )
    # The survivor, as the admin's page showed them.
    version = VersionField()

    def posted_choice(self) -> tuple[int, int] | None:
        """The duplicate chosen and their version as posted, or None for a value no page gives."""
        return merge_value_in(self.other_id.raw_data[0] if self.other_id.raw_data else "")


class RoleForm(FlaskForm):
    person_id = SelectField(
        _l("Person"),
        coerce=int,
        validators=[DataRequired(_l("Choose a person from the list."))],
        invalid_choice_message=_l("Choose a person from the list."),
        invalid_value_message=_l("Choose a person from the list."),
    )
    side = SelectField(
        _l("Speaks for"),
        validators=[DataRequired(_l("Choose a side from the list."))],
        invalid_choice_message=_l("Choose a side from the list."),
    )
    role = StringField(
        _l("Role"),
        validators=[
            DataRequired(_l("Say what their role is (e.g. mayor).")),
            Length(max=ROLE_MAX_LENGTH),
        ],
        description=_l("Mayor, chamber of commerce liaison, honorary consul…"),
    )

    def fill_choices(self, partnership: Partnership, people: list[SelectChoice]) -> None:
        self.person_id.choices = people
        self.side.choices = [
            SelectChoice(Side.A.value, partnership.locality_a.display_name),
            SelectChoice(Side.B.value, partnership.locality_b.display_name),
            SelectChoice(Side.FACILITATOR.value, gettext("Facilitator (a third party)")),
        ]
