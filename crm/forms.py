"""Form pieces that several features share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from crm.date_span import is_within_span, out_of_span_message
from crm.errors import DomainError, incomplete_form
from crm.routing import MAX_RECORD_ID


def pressed_find() -> bool:
    """Whether a form with a search beside a select was sent by its "Find" button (the way
    without JavaScript): the form comes back with the matches to choose from, and nothing is
    saved."""
    return request.method == "POST" and bool(request.form.get("find"))


@dataclass(frozen=True)
class SelectSearch:
    """A search typed beside a select that holds too many records to list them all: the name
    of its box, what was typed there, and the ids the select holds now."""

    box: str
    query: str
    selected: list[int]


def select_search(select: SelectFieldBase, box: str, *, needed: bool) -> SelectSearch | None:
    """None when `select` can list every record; else the search typed in the box named `box`
    and the ids `select` holds now (as posted, or as the form was given them), also kept on the
    field as `search` for its template (`search_box` in _macros.html).

    To be asked once the form has read its data and before its choices are set: the choices are
    the records held and the matches of the search.
    """
    search = None
    if needed:
        held = select.data if isinstance(select.data, list) else [select.data]
        search = SelectSearch(
            box,
            request.values.get(box, "")[:200],
            # Only ids a record can have: a posted 99999999999999999999 is not looked up (an
            # overflow on PostgreSQL) but left out of the choices, so the form says it is not one.
            [i for i in held if isinstance(i, int) and 1 <= i <= MAX_RECORD_ID],
        )
    select.search = search  # type: ignore[attr-defined]
    return search


class VersionField(IntegerField):
    """The version of the record the form was loaded with; the service refuses a stale one.

    Given the record's version as the form is built (`obj=record` or `version=`), the form also
    refuses one ahead of it, by crm.errors.check_version's rule: the record never had it, so
    the post is broken, and says so with the status the view gives one without its version."""

    widget = HiddenInput()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [InputRequired(), NumberRange(min=1)])
        super().__init__(**kwargs)

    def pre_validate(self, form: Any) -> None:
        current, posted = self.object_data, self.data
        if isinstance(current, int) and isinstance(posted, int) and posted > current:
            raise ValidationError(incomplete_form())

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        # Hidden, so its own message would show nowhere: the form says it instead. Only a
        # tampered or truncated post gets here; a stale version is the service's 409.
        if self.errors:
            message = incomplete_form()
            self.errors = [message]
            form.form_errors.append(message)


def posted_a_stale_version(form: FlaskForm) -> bool:
    """Whether a posted form was loaded before its record's last change: the version posted is
    not the one the form was given from the record as it is now. To be asked before the fields
    are checked, whose choices may have changed with the record (a sector or a person merged
    into another): "not a valid choice" would hide what happened, where a 409 says it."""
    field = form.version
    posted = field.raw_data[0] if field.raw_data else ""
    # Only an earlier version is stale; 0 or one not reached yet is a tampered form, which its
    # validation says arrived incomplete.
    return posted.isascii() and posted.isdigit() and 1 <= int(posted) < field.object_data


class IsoDateField(DateField):
    """A date typed as YYYY-MM-DD; an impossible one (2026-02-30) gets a message that says so,
    and so does one outside the span of dates the CRM keeps (0001-01-01: crm.date_span)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(
                gettext("Give a real date as YYYY-MM-DD (e.g. 2026-02-13).")
            ) from error
        if self.data is not None and not is_within_span(self.data):
            self.data = None
            raise ValueError(out_of_span_message())


def attach_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns, or above the form."""
    field: Field | None = getattr(form, error.field, None) if error.field else None
    if field is not None and isinstance(field, Field):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
