from __future__ import annotations

from typing import Any

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


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _pick_one(what: str) -> dict[str, Any]:
    """A select of record ids that says the same thing however the choice is missing or wrong."""
    message = f"Choose {what} from the list."
    return {
        "coerce": int,
        "validators": [DataRequired(message)],
        "invalid_value_message": message,
        "invalid_choice_message": message,
    }


class PartnershipForm(FlaskForm):
    locality_a_id = SelectField("First locality", **_pick_one("a locality"))
    locality_b_id = SelectField("Second locality", **_pick_one("a locality"))
    title = StringField(
        "Title",
        validators=[Optional(), Length(max=TITLE_MAX_LENGTH)],
        description="Leave empty for the two names, as in “Maribor – Kyzylorda Region”.",
    )
    owner_id = SelectField("Owner", **_pick_one("an owner"))
    sector_ids = CheckboxListField("Sectors", coerce=int, validators=[Optional()])
    first_contact_on = IsoDateField("First contact", validators=[Optional()])
    target_signing_on = IsoDateField("Target signing date", validators=[Optional()])
    signed_on = IsoDateField("Signed on", validators=[Optional()])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=SUMMARY_MAX_LENGTH)])


class EditPartnershipForm(PartnershipForm):
    version = VersionField()


class StageMoveForm(FlaskForm):
    stage = SelectField("Move to stage", validators=[DataRequired("Choose a stage.")])
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
        description="Why it moved, what was agreed.",
    )
    version = VersionField()


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in Status],
        validators=[DataRequired()],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])
    version = VersionField()
