from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.forms import VersionField
from crm.routing import record_id_in


class SectorNameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the sector a name.")), Length(max=100)]
    )


class RenameSectorForm(SectorNameForm):
    version = VersionField()


class MergeSectorForm(FlaskForm):
    # Each option is "ID:VERSION", the sector merged into as the admin's page showed it: one
    # renamed since (into what may no longer be the same field) or merged away is a 409.
    into = SelectField(
        _l("Merge into"),
        validators=[DataRequired(_l("Choose a sector."))],
        invalid_choice_message=_l("Choose a sector from the list."),
    )
    # The sector merged away, as the admin's page showed it.
    version = VersionField()

    def posted_target(self) -> tuple[int, int] | None:
        """The sector chosen and its version as posted, or None for a value no page gives."""
        posted = self.into.raw_data[0] if self.into.raw_data else ""
        sector_text, _, version_text = posted.partition(":")
        # Numbers the databases can hold, the version as well as the id: no page gave others.
        sector_id, version = record_id_in(sector_text), record_id_in(version_text)
        return (sector_id, version) if sector_id and version else None


def target_choice(sector_id: int, version: int) -> str:
    return f"{sector_id}:{version}"
