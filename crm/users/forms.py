from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from crm.auth.forms import NewPasswordForm
from crm.auth.models import Role
from crm.auth.services import NAME_MAX_LENGTH


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, f"{role.label} — {role.description}") for role in Role]


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=_role_choices(),
        validators=[DataRequired("Choose a role.")],
        invalid_choice_message="Choose a role from the list.",
    )


class NewUserForm(NewPasswordForm):
    email = EmailField(
        "E-mail", validators=[DataRequired("Give the e-mail address."), Length(max=254)]
    )
    name = StringField(
        "Name", validators=[DataRequired("Give the user's name."), Length(max=NAME_MAX_LENGTH)]
    )
    role = SelectField(
        "Role",
        choices=_role_choices(),
        default=Role.OFFICER.value,
        validators=[DataRequired("Choose a role.")],
        invalid_choice_message="Choose a role from the list.",
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""
