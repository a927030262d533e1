from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from crm.auth.passwords import PASSWORD_MAX_LENGTH
from crm.auth.tokens import NAME_MAX_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(
        "Label",
        validators=[DataRequired("Give the token a label."), Length(max=NAME_MAX_LENGTH)],
        description="What it is for, e.g. “chamber CRM sync”.",
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Give the new password."), Length(max=PASSWORD_MAX_LENGTH)],
        description="At least 12 characters, not a commonly used password.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("password", "The two passwords differ.")],
    )


class ChangeOwnPasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Give your current password.")]
    )
