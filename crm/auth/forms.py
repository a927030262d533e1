from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

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
