"""Recording a meeting, visit, call or letter on a pairing, with its follow-up tasks."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import access
from crm.activities import services
from crm.activities.forms import (
    ActivityForm,
    DeleteActivityForm,
    EditActivityForm,
    NewActivityForm,
    parse_time,
)
from crm.activities.models import Activity, ActivityKind
from crm.contacts import picker
from crm.contacts.models import Person
from crm.contacts.queries import participant_choices, people_on
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.forms import attach_domain_error, posted_a_stale_version, pressed_find, select_search
from crm.partnerships.models import Partnership
from crm.tasks.dates import zone_of
from crm.tasks.queries import assignees_for
from crm.tasks.services import TaskData

bp = Blueprint("activities", __name__)


@bp.route("/partnerships/<id:partnership_id>/activities/new", methods=["GET", "POST"])
@login_required
def new(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_contribute(current_user))
    # A partner records what happened on their pairing, but sees only its own people and
    # does not hand out tasks.
    staff = access.can_edit_pipeline(current_user)
    form = NewActivityForm()
    form.fill_choices(
        _participants(form, partnership) if staff else people_on(partnership),
        assignees_for(partnership) if staff else [],
    )
    status = 200
    if pressed_find():
        pass  # the matches of the search are the participants' options now; nothing is saved
    elif form.validate_on_submit():
        try:
            data = _data_from(form)
            activity = services.create_activity(
                partnership, data, by=current_user, follow_ups=_follow_ups(form) if staff else {}
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(_recorded(ActivityKind(activity.kind), len(activity.follow_ups)), "success")
            return redirect(
                url_for("partnerships.show", partnership_id=partnership.id) + "#timeline"
            )
    elif form.is_submitted():
        status = 422
    return render_template("activities/form.html", form=form, partnership=partnership), status


@bp.route("/activities/<id:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int) -> ResponseReturnValue:
    """Correct an entry of the timeline: what happened, when, where, with whom."""
    activity = _visible_activity_or_404(activity_id)
    _require_editor()
    form = _edit_form(activity, formdata=None if request.method == "GET" else request.form)
    status = 200
    if pressed_find():
        pass  # the matches of the search are the participants' options now; nothing is saved
    elif form.is_submitted() and posted_a_stale_version(form):
        return _edit_form_saying(activity, StaleVersion().message, 409)
    elif form.validate_on_submit():
        try:
            services.update_activity(
                activity,
                _data_from(form, saved_at=activity.occurred_at),
                by=current_user,
                expected_version=form.version.data or 0,
            )
            session.commit()
        except StaleVersion as error:
            session.rollback()
            # What the other person saved, to start again from.
            return _edit_form_saying(_visible_activity_or_404(activity_id), error.message, 409)
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(gettext("Saved the entry."), "success")
            return redirect(
                url_for("partnerships.show", partnership_id=activity.partnership_id) + "#timeline"
            )
    elif form.is_submitted():
        status = 422
    return render_template(
        "activities/form.html", form=form, partnership=activity.partnership, activity=activity
    ), status


@bp.post("/activities/<id:activity_id>/delete")
@login_required
def delete(activity_id: int) -> ResponseReturnValue:
    activity = _visible_activity_or_404(activity_id)
    _require_editor()
    partnership_id = activity.partnership_id
    confirm = DeleteActivityForm(version=activity.version)
    if not confirm.validate_on_submit():
        return _edit_form_saying(activity, " ".join(confirm.form_errors), 400)
    try:
        services.delete_activity(activity, expected_version=confirm.version.data or 0)
    except StaleVersion as error:
        # What the other person saved, to decide again on.
        return _edit_form_saying(activity, error.message, 409)
    session.commit()
    flash(gettext("Deleted the entry; its follow-up tasks stay."), "success")
    return redirect(url_for("partnerships.show", partnership_id=partnership_id) + "#timeline")


def _visible_activity_or_404(activity_id: int) -> Activity:
    activity = session.scalar(
        select(Activity).where(
            Activity.id == activity_id,
            Activity.partnership_id.in_(access.visible_partnership_ids(current_user)),
        )
    )
    if activity is None:
        abort(404)
    return activity


def _edit_form_saying(activity: Activity, message: str, status: int) -> ResponseReturnValue:
    """The entry's form as saved, with `message` above it: an edit or a delete that was not
    done (someone saved it since, or the post arrived incomplete)."""
    form = _edit_form(activity, formdata=None)
    form.form_errors.append(message)
    return render_template(
        "activities/form.html", form=form, partnership=activity.partnership, activity=activity
    ), status


def _edit_form(activity: Activity, *, formdata: object) -> EditActivityForm:
    """The entry's form: as saved (`formdata=None`) or as posted."""
    local = activity.occurred_at.astimezone(zone_of(current_user))
    form = EditActivityForm(
        formdata=formdata,
        kind=activity.kind,
        occurred_on=local.date(),
        occurred_time=local.strftime("%H:%M"),
        place=activity.place,
        summary=activity.summary,
        participant_ids=[person.id for person in activity.participants if not person.is_deleted],
        version=activity.version,
    )
    form.fill_participants(_participants(form, activity.partnership))
    return form


def _participants(form: ActivityForm, partnership: Partnership) -> list[Person]:
    """Whom the participant select offers staff: everyone, the pairing's people first, or,
    beyond a few hundred people, the pairing's people, those chosen and the matches of the
    search typed beside the select (crm/contacts/picker.py)."""
    search = select_search(form.participant_ids, "person_q", needed=picker.needs_search())
    if search is None:
        return participant_choices(partnership)
    return picker.participant_candidates(partnership, search.selected, search.query)


def _data_from(form: ActivityForm, *, saved_at: datetime | None = None) -> services.ActivityData:
    at = parse_time(form.occurred_time.data or "")
    if form.occurred_on.data is None or at is None:
        raise DomainError(gettext("Give the date and the time."), field="occurred_on")
    zone = zone_of(current_user)
    occurred_at = services.local_to_utc(form.occurred_on.data, at, zone)
    if saved_at is not None:
        # The form shows the saved time to the minute, in the reader's zone. Posted back as it
        # was, it is the saved instant: read again it would lose its seconds, and in the hour
        # that the autumn change repeats, the second 02:30 would become the first, an hour
        # earlier.
        local = saved_at.astimezone(zone)
        if (local.date(), local.time().replace(second=0, microsecond=0, fold=0)) == (
            form.occurred_on.data,
            at.replace(fold=0),
        ):
            occurred_at = saved_at
    return services.ActivityData(
        kind=form.kind.data or "",
        occurred_at=occurred_at,
        place=form.place.data or "",
        summary=form.summary.data or "",
        participant_ids=list(form.participant_ids.data or []),
    )


def _follow_ups(form: NewActivityForm) -> dict[int, TaskData]:
    """The rows with a title, by row number; a row with only a date or an assignee is a mistake
    worth saying."""
    tasks = {}
    for number, row in enumerate(form.follow_ups, start=1):
        fields = row.form
        title = (fields.title.data or "").strip()
        if not title:
            if fields.due_on.data or fields.assignee_id.data:
                raise DomainError(
                    gettext("Follow-up task %(number)d needs a title.", number=number)
                )
            continue
        tasks[number] = TaskData(
            title=title, assignee_id=fields.assignee_id.data or None, due_on=fields.due_on.data
        )
    return tasks


def _recorded(kind: ActivityKind, tasks: int) -> str:
    """A whole sentence per kind, so that a translation can decline and agree the words."""
    if not tasks:
        return {
            ActivityKind.MEETING: gettext("Recorded the meeting."),
            ActivityKind.VISIT: gettext("Recorded the visit or delegation."),
            ActivityKind.CALL: gettext("Recorded the call."),
            ActivityKind.LETTER: gettext("Recorded the letter or e-mail."),
            ActivityKind.SIGNING: gettext("Recorded the signing ceremony."),
            ActivityKind.NOTE: gettext("Recorded the note."),
        }[kind]
    return {
        ActivityKind.MEETING: ngettext(
            "Recorded the meeting and %(num)d follow-up task.",
            "Recorded the meeting and %(num)d follow-up tasks.",
            tasks,
        ),
        ActivityKind.VISIT: ngettext(
            "Recorded the visit or delegation and %(num)d follow-up task.",
            "Recorded the visit or delegation and %(num)d follow-up tasks.",
            tasks,
        ),
        ActivityKind.CALL: ngettext(
            "Recorded the call and %(num)d follow-up task.",
            "Recorded the call and %(num)d follow-up tasks.",
            tasks,
        ),
        ActivityKind.LETTER: ngettext(
            "Recorded the letter or e-mail and %(num)d follow-up task.",
            "Recorded the letter or e-mail and %(num)d follow-up tasks.",
            tasks,
        ),
        ActivityKind.SIGNING: ngettext(
            "Recorded the signing ceremony and %(num)d follow-up task.",
            "Recorded the signing ceremony and %(num)d follow-up tasks.",
            tasks,
        ),
        ActivityKind.NOTE: ngettext(
            "Recorded the note and %(num)d follow-up task.",
            "Recorded the note and %(num)d follow-up tasks.",
            tasks,
        ),
    }[kind]


def _require_editor() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)
