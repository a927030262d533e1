from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class SectorNameForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Give the sector a name."), Length(max=100)]
    )


class MergeSectorForm(FlaskForm):
    into = SelectField("Merge into", coerce=int, validators=[DataRequired("Choose a sector.")])
