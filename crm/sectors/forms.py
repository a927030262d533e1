from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.forms import VersionField


class SectorNameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the sector a name.")), Length(max=100)]
    )


class RenameSectorForm(SectorNameForm):
    version = VersionField()


class MergeSectorForm(FlaskForm):
    into = SelectField(
        _l("Merge into"), coerce=int, validators=[DataRequired(_l("Choose a sector."))]
    )
    # The sector merged away, as the admin's page showed it.
    version = VersionField()
