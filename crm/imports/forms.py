from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from crm.imports.kinds import IMPORTERS
from crm.imports.reading import ENCODINGS, SEPARATORS

MODES = [
    SelectChoice("all", lazy_gettext("All or nothing: import only if every row is valid")),
    SelectChoice("valid", lazy_gettext("Valid rows only: skip the rows with errors")),
]


class UploadForm(FlaskForm):
    kind = SelectField(
        lazy_gettext("What the file holds"),
        choices=[SelectChoice(key, importer.label) for key, importer in IMPORTERS.items()],
        validators=[InputRequired(lazy_gettext("Choose what the file holds."))],
        invalid_choice_message=lazy_gettext("Choose what the file holds from the list."),
    )
    file = FileField(
        lazy_gettext("CSV or XLSX file"),
        validators=[FileRequired(lazy_gettext("Choose a file to upload."))],
        description=lazy_gettext("The first row names the columns. One kind of record per file."),
    )
    encoding = SelectField(
        lazy_gettext("Encoding"),
        choices=[SelectChoice("auto", lazy_gettext("Detect"))]
        + [SelectChoice(key, label) for key, label in ENCODINGS.items()],
        default="auto",
        description=lazy_gettext("For CSV only. Detected unless you choose."),
        invalid_choice_message=lazy_gettext("Choose an encoding from the list."),
    )
    separator = SelectField(
        lazy_gettext("Separator"),
        choices=[SelectChoice("auto", lazy_gettext("Detect"))]
        + [SelectChoice(key, label) for key, label in SEPARATORS.items()],
        default="auto",
        invalid_choice_message=lazy_gettext("Choose a separator from the list."),
    )


class RunForm(FlaskForm):
    """Preview and apply: the mapping comes as `map-<n>` fields, one per heading of the file."""

    mode = RadioField(
        lazy_gettext("When some rows have errors"),
        choices=MODES,
        default="all",
        invalid_choice_message=lazy_gettext("Choose what to do with the rows that have errors."),
    )
