"""The user's own settings: their time zone, and their private calendar link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from crm.db import session
from crm.i18n.time_zones import time_zone_choices

bp = Blueprint("profile", __name__)


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(
        lazy_gettext("Time zone"),
        invalid_choice_message=lazy_gettext("Choose a time zone from the list."),
        description=lazy_gettext("“Overdue”, “this week” and every time you see follow this zone."),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def show() -> ResponseReturnValue:
    form = time_zone_form()
    if form.validate_on_submit():
        current_user.time_zone = form.time_zone.data or ""
        session.commit()
        flash(gettext("Saved your time zone."), "success")
        return redirect(url_for(".show"))
    status = 422 if form.is_submitted() else 200
    return render_profile(form), status


def render_profile(
    form: TimeZoneForm | None = None, *, new_calendar_link: str | None = None
) -> str:
    """The settings page; `new_calendar_link` is a feed link just made, shown this once."""
    return render_template(
        "auth/profile.html",
        form=form or time_zone_form(formdata=None),
        new_calendar_link=new_calendar_link,
    )


def time_zone_form(**form_options: Any) -> TimeZoneForm:
    """The time-zone form with its choices; `form_options` go to `FlaskForm` as they are
    (`formdata=None`: the saved value, not the request's)."""
    form = TimeZoneForm(time_zone=current_user.time_zone, **form_options)
    default = current_app.config["TIME_ZONE"]
    office = gettext("The office's time zone (%(zone)s)", zone=default)
    choices = time_zone_choices(str(get_locale()))
    if current_user.time_zone and current_user.time_zone not in dict(choices):
        # An alias chosen before (or set by an admin) stays selectable.
        choices = [(current_user.time_zone, current_user.time_zone), *choices]
    form.time_zone.choices = [SelectChoice("", office)] + [
        SelectChoice(name, label) for name, label in choices
    ]
    return form
