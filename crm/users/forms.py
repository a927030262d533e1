from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from crm.auth.forms import NewPasswordForm
from crm.auth.models import Role
from crm.auth.services import NAME_MAX_LENGTH


def _role_choices() -> list[SelectChoice]:
    # Built per request, so that the roles' names and descriptions are in the reader's language.
    return [SelectChoice(role.value, f"{role.label} — {role.description}") for role in Role]


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        validators=[DataRequired(_l("Choose a role."))],
        invalid_choice_message=_l("Choose a role from the list."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class NewUserForm(NewPasswordForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Give the e-mail address.")), Length(max=254)]
    )
    name = StringField(
        lazy_pgettext("of a person", "Name"),
        validators=[DataRequired(_l("Give the user's name.")), Length(max=NAME_MAX_LENGTH)],
    )
    role = SelectField(
        _l("Role"),
        default=Role.OFFICER.value,
        validators=[DataRequired(_l("Choose a role."))],
        invalid_choice_message=_l("Choose a role from the list."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class HandoverForm(FlaskForm):
    # Ids as text, so that the first choice can be an empty "choose" rather than a person picked
    # for the admin before they have looked.
    successor = SelectField(
        _l("Hand over to"),
        validators=[DataRequired(_l("Choose who takes the work over."))],
        invalid_choice_message=_l("Choose an active officer or administrator from the list."),
    )

    def __init__(self, *args: Any, choices: list[SelectChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.successor.choices = [SelectChoice("", _l("Choose someone…")), *choices]
