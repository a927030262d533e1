from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from crm.imports.kinds import IMPORTERS
from crm.imports.reading import ENCODINGS, SEPARATORS

MODES = [
    SelectChoice("all", "All or nothing: import only if every row is valid"),
    SelectChoice("valid", "Valid rows only: skip the rows with errors"),
]


class UploadForm(FlaskForm):
    kind = SelectField(
        "What the file holds",
        choices=[SelectChoice(key, importer.label) for key, importer in IMPORTERS.items()],
        validators=[InputRequired()],
    )
    file = FileField(
        "CSV or XLSX file",
        validators=[FileRequired("Choose a file to upload.")],
        description="The first row names the columns. One kind of record per file.",
    )
    encoding = SelectField(
        "Encoding",
        choices=[SelectChoice("auto", "Detect")]
        + [SelectChoice(key, label) for key, label in ENCODINGS.items()],
        default="auto",
        description="For CSV only. Detected unless you choose.",
    )
    separator = SelectField(
        "Separator",
        choices=[SelectChoice("auto", "Detect")]
        + [SelectChoice(key, label) for key, label in SEPARATORS.items()],
        default="auto",
    )


class RunForm(FlaskForm):
    """Preview and apply: the mapping comes as `map-<n>` fields, one per heading of the file."""

    mode = RadioField("When some rows have errors", choices=MODES, default="all")
