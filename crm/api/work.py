"""Endpoints for the work around a pairing: its tasks and its timeline of activities."""

from __future__ import annotations

from flask import Response, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import access
from crm.activities import services as activity_services
from crm.activities.models import Activity
from crm.api import auth
from crm.api.core import (
    ApiError,
    answer,
    bp,
    page_of,
    parse_body,
    parse_query,
    patched,
    require,
)
from crm.api.core import visible_partnership as visible_pairing
from crm.api.schemas import (
    ActivityCreate,
    ActivityOut,
    ListQuery,
    TaskCreate,
    TaskOut,
    TaskUpdate,
)
from crm.contacts.queries import people_on
from crm.db import session
from crm.errors import check_version
from crm.tasks import services as task_services
from crm.tasks.models import Task, TaskStatus

TASK_LOADS = (selectinload(Task.assignee), selectinload(Task.completed_by))
ACTIVITY_LOADS = (
    selectinload(Activity.participants),
    selectinload(Activity.follow_ups),
    selectinload(Activity.created_by),
)


def task_data(body: TaskCreate) -> task_services.TaskData:
    return task_services.TaskData(
        title=body.title,
        description=body.description,
        assignee_id=body.assignee_id,
        due_on=body.due_on,
        priority=body.priority,
    )


@bp.get("/partnerships/<id:partnership_id>/tasks")
def list_tasks(partnership_id: int) -> Response:
    partnership = visible_pairing(partnership_id)
    query: ListQuery = parse_query(ListQuery)
    statement = select(Task).where(Task.partnership_id == partnership.id).options(*TASK_LOADS)
    return page_of(statement, Task.id, query, TaskOut.of)


@bp.post("/partnerships/<id:partnership_id>/tasks")
def create_task(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_pairing(partnership_id)
    require(access.can_edit_pipeline(user))
    body = parse_body(TaskCreate)
    task = task_services.create_task(partnership, task_data(body), by=user)
    session.commit()
    return answer(TaskOut.of(task), 201, url_for(".list_tasks", partnership_id=partnership.id))


@bp.patch("/tasks/<id:task_id>")
def update_task(task_id: int) -> Response:
    user = auth.api_user()
    task = session.scalar(
        select(Task).where(
            Task.id == task_id, Task.partnership_id.in_(access.visible_partnership_ids(user))
        )
    )
    if task is None:
        raise ApiError(404, "There is no task with that id.")
    # Staff change anything; the person a task is assigned to may complete or reopen it. Who
    # may touch it at all is known before the body is read: anyone else gets a 403, not a 422.
    require(access.can_edit_pipeline(user) or access.may_complete_task(user, task.assignee_id))
    body = parse_body(TaskUpdate)
    given = body.model_fields_set - {"version", "status"}
    require(access.can_edit_pipeline(user) or not given)
    # Checked here as well as by update_task: a change of status alone goes through no update.
    check_version(task.version, body.version)
    if given:
        task_services.update_task(
            task,
            task_services.TaskData(
                title=patched(body, "title", task.title),
                description=patched(body, "description", task.description),
                assignee_id=patched(body, "assignee_id", task.assignee_id, nullable=True),
                due_on=patched(body, "due_on", task.due_on, nullable=True),
                priority=patched(body, "priority", task.priority),
            ),
            expected_version=body.version,
        )
    if body.status == TaskStatus.DONE and not task.is_done:
        task_services.complete_task(task, by=user)
    elif body.status == TaskStatus.OPEN and task.is_done:
        task_services.reopen_task(task)
    session.commit()
    return answer(TaskOut.of(task))


@bp.get("/partnerships/<id:partnership_id>/activities")
def list_activities(partnership_id: int) -> Response:
    partnership = visible_pairing(partnership_id)
    query: ListQuery = parse_query(ListQuery)
    statement = (
        select(Activity).where(Activity.partnership_id == partnership.id).options(*ACTIVITY_LOADS)
    )
    return page_of(statement, Activity.id, query, ActivityOut.of)


@bp.post("/partnerships/<id:partnership_id>/activities")
def create_activity(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_pairing(partnership_id)
    require(access.can_contribute(user))
    body = parse_body(ActivityCreate)
    staff = access.can_edit_pipeline(user)
    if body.follow_up_tasks and not staff:
        raise ApiError(403, "Only staff create tasks; record the activity without follow-ups.")
    if not staff:
        # A partner names only the pairing's own people.
        allowed = {person.id for person in people_on(partnership)}
        if set(body.participant_ids) - allowed:
            raise ApiError(
                422,
                "Participants must be people on this pairing.",
                fields={"participant_ids": ["not on this pairing"]},
            )
    if body.occurred_at.tzinfo is None:
        raise ApiError(
            422,
            "Give occurred_at with a time zone offset.",
            fields={"occurred_at": ["needs an offset, e.g. +01:00"]},
        )
    activity = activity_services.create_activity(
        partnership,
        activity_services.ActivityData(
            kind=body.kind,
            occurred_at=body.occurred_at,
            place=body.place,
            summary=body.summary,
            participant_ids=list(body.participant_ids),
        ),
        by=user,
        follow_ups={
            number: task_data(task) for number, task in enumerate(body.follow_up_tasks, start=1)
        },
    )
    session.commit()
    return answer(
        ActivityOut.of(activity), 201, url_for(".list_activities", partnership_id=partnership.id)
    )
