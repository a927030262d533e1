from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.auth.models import User
from crm.forms import IsoDateField, VersionField
from crm.tasks.models import Priority
from crm.tasks.services import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

NOBODY = 0


def assignee_choices(users: list[User]) -> list[SelectChoice]:
    return [SelectChoice(NOBODY, gettext("Nobody yet"))] + [
        SelectChoice(u.id, u.name) for u in users
    ]


def priority_choices() -> list[SelectChoice]:
    return [SelectChoice(priority.value, priority.label) for priority in Priority]


def _assignee_field() -> SelectField:
    message = _l("Choose an assignee from the list of users.")
    return SelectField(
        _l("Assignee"),
        coerce=int,
        validators=[Optional()],
        invalid_value_message=message,
        invalid_choice_message=message,
    )


class TaskFields(Form):
    """The fields of a task, shared by the task form and a meeting's follow-up rows."""

    title = StringField(_l("Task"), validators=[Optional(), Length(max=TITLE_MAX_LENGTH)])
    assignee_id = _assignee_field()
    due_on = IsoDateField(_l("Due"), validators=[Optional()])


class TaskForm(FlaskForm):
    title = StringField(
        _l("Task"),
        validators=[DataRequired(_l("Give the task a title.")), Length(max=TITLE_MAX_LENGTH)],
    )
    assignee_id = _assignee_field()
    # The format to type, in the words of the reader's language (ГГГГ-ММ-ДД).
    due_on = IsoDateField(_l("Due"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    priority = SelectField(
        _l("Priority"),
        default=Priority.NORMAL.value,
        validators=[DataRequired()],
        invalid_choice_message=_l("Choose a priority from the list."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)]
    )

    def fill_choices(self, users: list[User]) -> None:
        self.assignee_id.choices = assignee_choices(users)
        self.priority.choices = priority_choices()


class EditTaskForm(TaskForm):
    version = VersionField()
