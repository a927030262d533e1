from __future__ import annotations

from flask_babel import lazy_gettext, lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from crm.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from crm.auth.tokens import NAME_MAX_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        lazy_gettext("Password"), validators=[DataRequired(), Length(max=1024)]
    )
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(
        lazy_gettext("Label"),
        validators=[
            DataRequired(lazy_gettext("Give the token a label.")),
            Length(max=NAME_MAX_LENGTH),
        ],
        description=lazy_gettext("What it is for, e.g. “chamber CRM sync”."),
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("New password"),
        validators=[
            DataRequired(lazy_gettext("Give the new password.")),
            Length(max=PASSWORD_MAX_LENGTH),
        ],
        description=lazy_ngettext(
            "At least %(num)d character, not a commonly used password.",
            "At least %(num)d characters, not a commonly used password.",
            PASSWORD_MIN_LENGTH,
        ),
    )
    confirm = PasswordField(
        lazy_gettext("New password again"),
        validators=[EqualTo("password", lazy_gettext("The two passwords differ."))],
    )


class ChangeOwnPasswordForm(NewPasswordForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(lazy_gettext("Give your current password."))],
    )
