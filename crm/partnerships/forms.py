from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.forms import IsoDateField, VersionField
from crm.partnerships.models import Status
from crm.partnerships.services import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH

UNKNOWN_SECTOR = _l("One of the sectors does not exist; choose sectors from the list.")


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _pick_one(message: LazyString) -> dict[str, Any]:
    """A select of record ids that says the same thing however the choice is missing or wrong."""
    return {
        "coerce": int,
        "validators": [DataRequired(message)],
        "invalid_value_message": message,
        "invalid_choice_message": message,
    }


class PartnershipForm(FlaskForm):
    locality_a_id = SelectField(
        _l("First locality"), **_pick_one(_l("Choose a locality from the list."))
    )
    locality_b_id = SelectField(
        _l("Second locality"), **_pick_one(_l("Choose a locality from the list."))
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=TITLE_MAX_LENGTH)],
        description=_l("Leave empty for the two names, as in “Maribor – Kyzylorda Region”."),
    )
    owner_id = SelectField(_l("Owner"), **_pick_one(_l("Choose an owner from the list.")))
    sector_ids = CheckboxListField(
        _l("Sectors"),
        coerce=int,
        validators=[Optional()],
        # A sector merged away since the page was drawn, or a tampered value, a number or not:
        # each is said alike, not as WTForms' "'4' is not a valid choice for this field." or
        # "Invalid choice(s): … could not be coerced.", which name neither the sectors nor what
        # to do.
        invalid_choice_message=UNKNOWN_SECTOR,
        invalid_value_message=UNKNOWN_SECTOR,
    )
    first_contact_on = IsoDateField(_l("First contact"), validators=[Optional()])
    target_signing_on = IsoDateField(_l("Target signing date"), validators=[Optional()])
    signed_on = IsoDateField(_l("Signed on"), validators=[Optional()])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_MAX_LENGTH)])


class EditPartnershipForm(PartnershipForm):
    version = VersionField()


class StageMoveForm(FlaskForm):
    stage = SelectField(
        _l("Move to stage"),
        validators=[DataRequired(_l("Choose a stage."))],
        invalid_choice_message=_l("Choose a stage from the list."),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
        description=_l("Why it moved, what was agreed."),
    )
    version = VersionField()


class ArchiveForm(FlaskForm):
    """The delete button's form: the pairing is archived only as the one deleting it saw it."""

    version = VersionField()


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        validators=[DataRequired(_l("Choose a status from the list."))],
        invalid_choice_message=_l("Choose a status from the list."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled per request, so that the labels are in the reader's language.
        self.status.choices = [SelectChoice(status.value, status.label) for status in Status]
