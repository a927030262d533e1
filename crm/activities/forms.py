from __future__ import annotations

import re
from datetime import time

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from crm.activities.models import ACTIVITY_LABELS
from crm.activities.services import PLACE_MAX_LENGTH, SUMMARY_MAX_LENGTH
from crm.auth.models import User
from crm.contacts.models import Person
from crm.contacts.picker import option_label
from crm.forms import IsoDateField, VersionField
from crm.tasks.forms import TaskFields, assignee_choices

FOLLOW_UP_ROWS = 3
UNKNOWN_PARTICIPANT = _l("One of the participants does not exist; choose people from the list.")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


class ActivityForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in ACTIVITY_LABELS.items()],
        validators=[DataRequired()],
        invalid_choice_message=_l("Choose a kind from the list."),
    )
    occurred_on = IsoDateField(
        _l("Date"), validators=[InputRequired(_l("Give the date as YYYY-MM-DD."))]
    )
    occurred_time = StringField(
        _l("Time"),
        default="10:00",
        validators=[DataRequired(_l("Give the time as HH:MM."))],
        description=_l("HH:MM, in your time zone"),
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=PLACE_MAX_LENGTH)])
    participant_ids = SelectMultipleField(
        _l("Participants"),
        coerce=int,
        validators=[Optional()],
        invalid_choice_message=UNKNOWN_PARTICIPANT,
        # Not a number at all ("abc"): no more a person than an id nobody has, and said alike,
        # not as WTForms' "Invalid choice(s): … could not be coerced."
        invalid_value_message=UNKNOWN_PARTICIPANT,
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=SUMMARY_MAX_LENGTH)],
        description=_l("What was said and agreed."),
    )

    def validate_occurred_time(self, field: StringField) -> None:
        if field.data and parse_time(field.data) is None:
            raise ValidationError(gettext("Give the time as HH:MM (e.g. 14:30)."))

    def fill_participants(self, people: list[Person]) -> None:
        self.participant_ids.choices = [SelectChoice(p.id, option_label(p)) for p in people]


class NewActivityForm(ActivityForm):
    """A new entry, with the tasks it gives rise to."""

    follow_ups = FieldList(FormField(TaskFields), min_entries=FOLLOW_UP_ROWS, max_entries=10)

    def fill_choices(self, people: list[Person], users: list[User]) -> None:
        self.fill_participants(people)
        for row in self.follow_ups:
            row.form.assignee_id.choices = assignee_choices(users)


class EditActivityForm(ActivityForm):
    """An entry already on the timeline: its follow-up tasks are tasks of their own by now."""

    version = VersionField()


class DeleteActivityForm(FlaskForm):
    """The delete button's form: the entry is deleted only as the deleter saw it."""

    version = VersionField()
