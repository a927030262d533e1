"""Tasks: my tasks, and create / edit / complete / reopen from a pairing's page.

Every change answers an htmx request with the piece of page it changed (a task row, or the
pairing's task panel) and a plain form post with a redirect, so all of it works without
JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_login import current_user, login_required

from crm import access
from crm.auth.profile import render_profile
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.forms import attach_domain_error, posted_a_stale_version
from crm.i18n.locale import locale_of
from crm.navigation import next_path
from crm.partnerships.models import Partnership
from crm.partnerships.views import render_show
from crm.routing import number_arg
from crm.tasks import calendar, queries, services
from crm.tasks.dates import horizon_for
from crm.tasks.forms import EditTaskForm, TaskForm
from crm.tasks.models import Task

bp = Blueprint("tasks", __name__)


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


@bp.get("/tasks/mine")
@login_required
def mine() -> ResponseReturnValue:
    horizon = horizon_for(current_user)
    return render_template(
        "tasks/mine.html",
        buckets=queries.my_open_tasks(
            current_user,
            horizon,
            page=number_arg("page", 1, least=1),
            per_page=current_app.config["PAGE_SIZE"],
        ),
        done=queries.recently_done(current_user),
        today=horizon.today,
    )


@bp.post("/partnerships/<id:partnership_id>/tasks")
@login_required
def create(partnership_id: int) -> ResponseReturnValue:
    # Visibility first: a hidden pairing is a 404 for everyone, exactly like a missing one.
    partnership = access.get_visible_or_404(current_user, partnership_id)
    _require_editor()
    form = TaskForm()
    form.fill_choices(queries.assignees_for(partnership))
    status = 422
    if form.validate_on_submit():
        try:
            task = services.create_task(partnership, _data_from(form), by=current_user)
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            message = gettext("Added the task “%(title)s”.", title=task.title)
            if not _is_htmx():
                flash(message, "success")
                return redirect(
                    url_for("partnerships.show", partnership_id=partnership_id) + "#tasks"
                )
            return _panel(partnership, message=message)
    if _is_htmx():
        return _panel(partnership, form=form, status=status)
    return render_show(partnership, status=status, task_form=form)


@bp.route("/tasks/<id:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id: int) -> ResponseReturnValue:
    task = queries.get_visible_task_or_404(current_user, task_id)
    _require_editor()
    form = _edit_form(task, formdata=None if request.method == "GET" else request.form)
    status = 200
    if form.is_submitted() and posted_a_stale_version(form):
        # Asked before the fields: the assignee a stale form posts may be no choice any more
        # (deactivated or unshared since), and "not a valid choice" would hide what happened.
        form = _edit_form(task, formdata=None)
        form.form_errors.append(StaleVersion().message)
        status = 409
    elif form.validate_on_submit():
        try:
            services.update_task(task, _data_from(form), expected_version=form.version.data or 0)
            session.commit()
        except StaleVersion as error:
            session.rollback()
            # What the other person saved, to start again from.
            task = queries.get_visible_task_or_404(current_user, task_id)
            form = _edit_form(task, formdata=None)
            form.form_errors.append(error.message)
            status = 409
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            if _is_htmx():
                # The form asked for its own place; the saved task takes the whole row's.
                return _row(
                    task, headers={"HX-Retarget": f"#task-{task.id}", "HX-Reswap": "outerHTML"}
                )
            flash(gettext("Saved the task “%(title)s”.", title=task.title), "success")
            return redirect(_back_to(task))
    elif form.is_submitted():
        status = 422
    in_place = _is_htmx()
    template = "tasks/_edit_form.html" if in_place else "tasks/edit.html"
    return render_template(
        template, form=form, task=task, next=next_path(), in_place=in_place
    ), status


@bp.post("/tasks/<id:task_id>/complete")
@login_required
def complete(task_id: int) -> ResponseReturnValue:
    task = queries.get_visible_task_or_404(current_user, task_id)
    return _change_state(task, lambda: services.complete_task(task, by=current_user), done=True)


@bp.post("/tasks/<id:task_id>/reopen")
@login_required
def reopen(task_id: int) -> ResponseReturnValue:
    task = queries.get_visible_task_or_404(current_user, task_id)
    return _change_state(task, lambda: services.reopen_task(task), done=False)


def _change_state(task: Task, change: Callable[[], None], *, done: bool) -> ResponseReturnValue:
    access.require(access.may_complete_task(current_user, task.assignee_id))
    try:
        change()
        session.commit()
    except DomainError as error:
        session.rollback()
        task = queries.get_visible_task_or_404(current_user, task.id)
        if _is_htmx():
            return _row(task, message=error.message, status=error.status_code)
        flash(error.message, "warning")
        return redirect(_back_to(task))
    message = (
        gettext("Done: “%(title)s”.", title=task.title)
        if done
        else gettext("Reopened: “%(title)s”.", title=task.title)
    )
    if _is_htmx():
        return _row(task, message=message)
    flash(message, "success")
    return redirect(_back_to(task))


@bp.get("/calendar/<secret>.ics")
def calendar_feed(secret: str) -> ResponseReturnValue:
    """No login: calendar apps cannot log in, so the secret in the URL is the credential."""
    user = calendar.user_for_token(secret)
    if user is None:
        abort(404)
    tasks = calendar.feed_tasks(user)
    links = {
        task.id: url_for("partnerships.show", partnership_id=task.partnership_id, _external=True)
        + "#tasks"
        for task in tasks
    }
    # In the owner's language: a calendar app's Accept-Language says nothing about them.
    with force_locale(locale_of(user)):
        body = calendar.build_feed(user, tasks, task_url=links, host=request.host.split(":")[0])
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'inline; filename="twinning-tasks.ics"',
        },
    )


@bp.route("/calendar/token", methods=["GET", "POST"])
@login_required
def issue_calendar_token() -> ResponseReturnValue:
    """POST: a new link, on the settings page this once (only its hash is kept). GET, the address
    of that page come back to from the history or a bookmark: the settings page, no new link."""
    if request.method == "GET":
        return redirect(url_for("profile.show") + "#calendar")
    had_one = current_user.calendar_token_hash is not None
    secret = calendar.issue_token(current_user)
    session.commit()
    flash(
        gettext("A new calendar link was made; the old one no longer works.")
        if had_one
        else gettext("Your calendar link is ready. Paste it into your calendar app."),
        "success",
    )
    link = url_for("tasks.calendar_feed", secret=secret, _external=True)
    return render_profile(new_calendar_link=link)


@bp.post("/calendar/token/revoke")
@login_required
def revoke_calendar_token() -> ResponseReturnValue:
    calendar.revoke_token(current_user)
    session.commit()
    flash(
        gettext("Your calendar link was turned off; calendars using it will stop updating."),
        "success",
    )
    return redirect(url_for("profile.show") + "#calendar")


def _panel(
    partnership: Partnership,
    *,
    form: TaskForm | None = None,
    message: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if form is None:
        form = TaskForm(formdata=None)
        form.fill_choices(queries.assignees_for(partnership))
    return (
        render_template(
            "tasks/_panel.html",
            partnership=partnership,
            tasks=queries.tasks_of(partnership),
            task_form=form,
            today=horizon_for(current_user).today,
            message=message,
        ),
        status,
    )


def _row(
    task: Task,
    *,
    message: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> ResponseReturnValue:
    return (
        render_template(
            "tasks/_task.html",
            task=task,
            today=horizon_for(current_user).today,
            row_context="mine" if request.values.get("context") == "mine" else "pairing",
            message=message,
        ),
        status,
        headers or {},
    )


def _back_to(task: Task) -> str:
    return next_path() or (
        url_for("partnerships.show", partnership_id=task.partnership_id) + "#tasks"
    )


def _edit_form(task: Task, *, formdata: object) -> EditTaskForm:
    """The task's form: as saved (`formdata=None`) or as posted."""
    form = EditTaskForm(formdata=formdata, obj=task)
    form.fill_choices(queries.assignees_for(task.partnership, keeping=task.assignee))
    if formdata is None:
        form.assignee_id.data = task.assignee_id or 0  # "nobody" is 0 in the select
    return form


def _data_from(form: TaskForm) -> services.TaskData:
    return services.TaskData(
        title=form.title.data or "",
        description=form.description.data or "",
        assignee_id=form.assignee_id.data or None,
        due_on=form.due_on.data,
        priority=form.priority.data or "",
    )


def _require_editor() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)
